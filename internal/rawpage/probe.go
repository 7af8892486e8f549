package rawpage

import (
	"errors"
	"fmt"
	"io"

	berrors "github.com/boltkv/bolt/errors"
)

// Page sizes a meta page may claim. A page must hold a header and a meta
// struct; 1 GiB is far beyond any real file's page size and keeps offsets
// computed from page ids well inside int64.
const (
	MinPageSize = HeaderSize + MetaSize
	MaxPageSize = 1 << 30
)

// SanePageSize reports whether a meta page's page size is one a file could
// have been written with, even under a valid checksum.
func SanePageSize(ps uint32) bool {
	return ps >= MinPageSize && ps <= MaxPageSize
}

// ReadMeta reads and validates the meta page at byte offset off of r. When
// the page could be read, m is what it holds even if err says it is not
// valid (wrong magic, version or checksum, or an impossible page size).
func ReadMeta(r io.ReaderAt, off int64) (m Meta, err error) {
	buf := make([]byte, HeaderSize+MetaSize)
	n, err := r.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return Meta{}, err
	}
	if m, err = DecodeMeta(buf[:n]); err != nil {
		return m, err
	}
	if err := m.Validate(); err != nil {
		return m, err
	}
	if !SanePageSize(m.PageSize) {
		return m, fmt.Errorf("%w: meta page has an impossible page size %d", berrors.ErrCorrupt, m.PageSize)
	}
	return m, nil
}

// ProbePageSize finds the page size of the database file read through r,
// which is size bytes long, from whichever meta page is valid: meta page 0
// at offset 0, else meta page 1, which sits at offset pageSize and says so.
// Meta page 1 is looked for at every power of two from the smallest one
// that can hold a meta page up to MaxPageSize, as far as the file reaches,
// so files of any power-of-two page size are found (a page size that is not
// a power of two is found only through meta page 0). ok is false if neither
// meta page is valid.
//
// The library's Open and the bolt command's page-level commands both use
// this one probe, so that they agree on every file.
func ProbePageSize(r io.ReaderAt, size int64) (pageSize int, ok bool) {
	if m, err := ReadMeta(r, 0); err == nil {
		return int(m.PageSize), true
	}
	for ps := int64(firstProbe); ps <= MaxPageSize && ps+HeaderSize+MetaSize <= size; ps <<= 1 {
		if m, err := ReadMeta(r, ps); err == nil && int64(m.PageSize) == ps {
			return int(ps), true
		}
	}
	return 0, false
}

// firstProbe is the smallest power of two no smaller than MinPageSize.
const firstProbe = 128
