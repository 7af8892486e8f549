package rawpage_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	berrors "github.com/boltkv/bolt/errors"
	"github.com/boltkv/bolt/internal/rawpage"
)

// metaFile builds the first four pages of a database of page size ps: two
// valid meta pages (meta 1 the newer), a freelist and an empty leaf.
func metaFile(t *testing.T, ps int) []byte {
	t.Helper()
	d := make([]byte, 4*ps)
	for i := 0; i < 2; i++ {
		rawpage.EncodeHeader(d[i*ps:], rawpage.Header{ID: uint64(i), Flags: rawpage.MetaPageFlag})
		m := rawpage.Meta{Magic: rawpage.Magic, Version: rawpage.Version, PageSize: uint32(ps),
			Root: 3, Freelist: 2, Pgid: 4, Txid: uint64(i)}
		require.NoError(t, rawpage.EncodeMeta(d[i*ps:], m))
	}
	rawpage.EncodeHeader(d[2*ps:], rawpage.Header{ID: 2, Flags: rawpage.FreelistPageFlag})
	require.NoError(t, rawpage.EncodeLeaf(d[3*ps:4*ps], 3, 0, nil))
	return d
}

func probe(d []byte) (int, bool) {
	return rawpage.ProbePageSize(bytes.NewReader(d), int64(len(d)))
}

func TestProbePageSize(t *testing.T) {
	for _, ps := range []int{128, 512, 1024, 4096, 65536, 1 << 20} {
		t.Run(fmt.Sprintf("pageSize=%d", ps), func(t *testing.T) {
			d := metaFile(t, ps)
			got, ok := probe(d)
			require.True(t, ok)
			require.Equal(t, ps, got)

			// Meta 0 destroyed: meta 1 is found at offset ps.
			clear(d[:ps])
			got, ok = probe(d)
			require.True(t, ok, "meta 1 must be found")
			require.Equal(t, ps, got)

			// Both destroyed: nothing is found.
			d[ps+rawpage.HeaderSize] ^= 0xFF
			_, ok = probe(d)
			require.False(t, ok)
		})
	}
}

func TestProbePageSize_NotPowerOfTwo(t *testing.T) {
	d := metaFile(t, 1000)
	got, ok := probe(d)
	require.True(t, ok)
	require.Equal(t, 1000, got, "meta 0 gives any page size")
	clear(d[:1000])
	_, ok = probe(d)
	require.False(t, ok, "meta 1 is looked for at powers of two only")
}

// A valid meta page found where meta 1 would be for another page size is
// not taken: meta 1 says its own page size.
func TestProbePageSize_MetaMustSayItsOffset(t *testing.T) {
	d := metaFile(t, 4096)
	clear(d[:4096])
	// Meta 1 of a 4096-byte file copied to offset 1024.
	copy(d[1024:2048], d[4096:5120])
	clear(d[4096:5120])
	_, ok := probe(d)
	require.False(t, ok)
}

func TestProbePageSize_ShortAndInsane(t *testing.T) {
	_, ok := probe(nil)
	require.False(t, ok)
	d := metaFile(t, 512)
	_, ok = probe(d[:rawpage.HeaderSize+rawpage.MetaSize-1])
	require.False(t, ok, "a meta page cut short")
	got, ok := probe(d[:rawpage.HeaderSize+rawpage.MetaSize])
	require.True(t, ok, "meta 0 alone is enough")
	require.Equal(t, 512, got)

	// A meta page with a valid checksum but a page size too small for a
	// meta page is not believed.
	m, err := rawpage.DecodeMeta(d)
	require.NoError(t, err)
	m.PageSize = rawpage.MinPageSize - 1
	require.NoError(t, rawpage.EncodeMeta(d, m))
	_, err = rawpage.ReadMeta(bytes.NewReader(d), 0)
	require.True(t, errors.Is(err, berrors.ErrCorrupt), "got %v", err)
	got, ok = probe(d)
	require.True(t, ok, "meta 1 is used instead")
	require.Equal(t, 512, got)
	require.True(t, rawpage.SanePageSize(rawpage.MinPageSize))
	require.False(t, rawpage.SanePageSize(rawpage.MaxPageSize+1))
}
