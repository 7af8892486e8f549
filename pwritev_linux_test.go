package bolt

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOSFile_WritevAt writes buffers end to end through pwritev, over
// existing bytes and past the end of the file, and reads them back.
func TestOSFile_WritevAt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte{'.'}, 10), 0o600))
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()

	var w dataFile = osFile{f}
	vw, ok := w.(vectorWriter)
	require.True(t, ok, "on Linux the real file writes runs with pwritev")
	require.NoError(t, vw.writevAt([][]byte{[]byte("abc"), []byte("defg"), bytes.Repeat([]byte{'z'}, 1<<20)}, 4))

	got, err := os.ReadFile(path)
	require.NoError(t, err)
	want := append([]byte("....abcdefg"), bytes.Repeat([]byte{'z'}, 1<<20)...)
	require.Equal(t, want, got)

	require.NoError(t, f.Close())
	err = vw.writevAt([][]byte{[]byte("x")}, 0)
	require.Error(t, err, "a closed file is an error, not a panic")
}
