package bolt

import (
	"os"

	"golang.org/x/sys/unix"
)

// fdatasync makes the file's data durable. Linux (and Android) can skip the
// metadata that a read does not need, such as the modification time, which
// saves a journal write per commit; a change of size is still flushed.
func fdatasync(f *os.File) error {
	return unix.Fdatasync(int(f.Fd()))
}
