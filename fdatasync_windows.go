//go:build windows

package bolt

import "os"

// fdatasync makes the file durable with FlushFileBuffers (f.Sync): Windows has
// no data-only variant.
func fdatasync(f *os.File) error {
	return f.Sync()
}
