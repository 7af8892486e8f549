package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/boltkv/bolt/internal/rawpage"
)

// pageFile reads, and for surgery writes, the pages of a database file
// directly, without opening it as a database: the page, page-item, dump and
// surgery commands must work on files too damaged to open. Every decoding
// goes through the library's low-level page API.
type pageFile struct {
	f        *os.File
	size     int64
	pageSize int
	// hwm is the high-water mark of the active meta page: pages at or
	// above it are not part of the database.
	hwm uint64
	// current is the meta page a database open would use: the valid one
	// with the higher transaction id; with neither valid, meta 0 as read.
	current rawpage.Meta
	// metas are the two meta pages as decoded (possibly invalid), and
	// metaErrs why each is unusable (nil if valid).
	metas    [2]rawpage.Meta
	metaErrs [2]error
	// guessed is set when no meta page gave the page size and the OS page
	// size is assumed.
	guessed bool
}

// errNoMeta is returned for files that have no usable meta page at all.
var errNoMeta = errors.New("the Meta Page has wrong (unexpected) magic")

// openPageFile opens path for page access. The page size is the one the
// library's Open finds (rawpage.ProbePageSize: meta 0's, or else meta 1's).
// With neither meta page valid, meta 0's page size is used if its magic is
// right (as bbolt's tools do); otherwise it fails with errNoMeta.
func openPageFile(path string, writable bool) (*pageFile, error) {
	pf, err := openPageFileAnyway(path, writable)
	if err == nil && pf.guessed {
		pf.Close()
		return nil, errNoMeta
	}
	return pf, err
}

// openPageFileAnyway is openPageFile for the meta commands, which also work
// on files whose page size is unknown: they then assume the OS page size.
func openPageFileAnyway(path string, writable bool) (*pageFile, error) {
	if _, err := checkSourceDBPath(path); err != nil {
		return nil, err
	}
	flag := os.O_RDONLY
	if writable {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, err
	}
	pf := &pageFile{f: f}
	if err := pf.init(); err != nil {
		f.Close()
		return nil, err
	}
	return pf, nil
}

func (pf *pageFile) init() error {
	fi, err := pf.f.Stat()
	if err != nil {
		return err
	}
	pf.size = fi.Size()

	m0, err0 := pf.metaAt(0)
	pf.metas[0], pf.metaErrs[0] = m0, err0
	if ps, ok := rawpage.ProbePageSize(pf.f, pf.size); ok {
		pf.pageSize = ps
	} else if m0.Magic == rawpage.Magic && rawpage.SanePageSize(m0.PageSize) {
		pf.pageSize = int(m0.PageSize)
	} else {
		pf.pageSize, pf.guessed = os.Getpagesize(), true
	}
	m1, err1 := pf.metaAt(int64(pf.pageSize))
	pf.metas[1], pf.metaErrs[1] = m1, err1

	// The active meta is the valid one with the higher transaction id; with
	// neither valid, meta 0 as read.
	active := m0
	switch {
	case err0 == nil && err1 == nil && m1.Txid > m0.Txid, err0 != nil && err1 == nil:
		active = m1
	}
	pf.hwm, pf.current = active.Pgid, active
	return nil
}

// metaAt decodes and validates the meta page at byte offset pos.
func (pf *pageFile) metaAt(pos int64) (rawpage.Meta, error) {
	return rawpage.ReadMeta(pf.f, pos)
}

func (pf *pageFile) Close() error { return pf.f.Close() }

// readRaw reads n physical pages starting at page id.
func (pf *pageFile) readRaw(id uint64, n uint64) ([]byte, error) {
	off := id * uint64(pf.pageSize)
	length := n * uint64(pf.pageSize)
	if off/uint64(pf.pageSize) != id || off+length > uint64(pf.size) || off+length < off {
		return nil, fmt.Errorf("page %d is beyond the end of the file (%d bytes): %w", id, pf.size, io.ErrUnexpectedEOF)
	}
	buf := make([]byte, length)
	if _, err := pf.f.ReadAt(buf, int64(off)); err != nil {
		return nil, err
	}
	return buf, nil
}

// readPage reads the logical page id with its overflow pages. Like bbolt's
// tools it refuses a page whose header names another id, or which claims
// more overflow pages than the database could hold.
func (pf *pageFile) readPage(id uint64) (rawpage.Header, []byte, error) {
	buf, err := pf.readRaw(id, 1)
	if err != nil {
		return rawpage.Header{}, nil, err
	}
	h, err := rawpage.DecodeHeader(buf)
	if err != nil {
		return h, nil, err
	}
	if h.ID != id {
		return h, nil, fmt.Errorf("error: %w due to unexpected Page id: %d != %d", errInvalidValue, h.ID, id)
	}
	if h.Overflow == 0 {
		return h, buf, nil
	}
	// Two meta pages and this one are not overflow.
	if pf.hwm < 3 || uint64(h.Overflow) >= pf.hwm-3 {
		return h, nil, fmt.Errorf("error: %w, Page claims to have %d overflow pages (>=hwm=%d). Interrupting to avoid risky OOM", errInvalidValue, h.Overflow, pf.hwm)
	}
	buf, err = pf.readRaw(id, uint64(h.Overflow)+1)
	if err != nil {
		return h, nil, err
	}
	return h, buf, nil
}

// writePage writes a logical page image back at the id in its header; buf
// must span exactly its 1+overflow pages.
func (pf *pageFile) writePage(buf []byte) error {
	h, err := rawpage.DecodeHeader(buf)
	if err != nil {
		return err
	}
	if want := uint64(pf.pageSize) * (uint64(h.Overflow) + 1); uint64(len(buf)) != want {
		return fmt.Errorf("write page %d: %d bytes given, its %d overflow pages need %d", h.ID, len(buf), h.Overflow, want)
	}
	_, err = pf.f.WriteAt(buf, int64(h.ID)*int64(pf.pageSize))
	return err
}

// activeMeta returns the id (0 or 1) of the meta page with the higher
// transaction id, valid or not, as bbolt's surgery commands choose it.
func (pf *pageFile) activeMeta() uint64 {
	if pf.metas[1].Txid > pf.metas[0].Txid {
		return 1
	}
	return 0
}

// freelistPersisted reports whether the active meta page names a freelist
// page.
func (pf *pageFile) freelistPersisted() bool {
	return pf.metas[pf.activeMeta()].Freelist != rawpage.NoFreelist
}
