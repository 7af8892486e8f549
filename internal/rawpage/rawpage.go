// Package rawpage reads and writes the pages of a bolt (or bbolt) database
// file as plain bytes, for tools that inspect or repair a file page by page
// without opening it as a database: the bolt command's page, page-item,
// dump and surgery commands. It also holds the page-size probe that the
// library's Open and those commands share, so that both find the same page
// size in the same files.
//
// The layout is the one page.go in the root package documents in its
// format tables; there it is read and written in place through the
// library's structs, here through explicit offsets in the machine's byte
// order (the format's, see page.go). page_codec_test.go in the root package
// pins that the two agree, field by field and on files the library writes.
//
// Every decoder works on the bytes it is given, checks that what it reads
// lies inside them, and returns an error wrapping ErrCorrupt (of
// github.com/boltkv/bolt/errors) instead of reading out of bounds. Decoded
// keys and values are copies.
package rawpage

import (
	"encoding/binary"
	"fmt"

	berrors "github.com/boltkv/bolt/errors"
)

// ne is the byte order of the file format: the writing machine's own.
var ne = binary.NativeEndian

// These constants are part of the file format (see page.go's tables).
const (
	// Magic and Version are what a valid meta page holds.
	Magic   uint32 = 0xED0CDAED
	Version uint32 = 2

	// Page types, as Header.Flags holds them.
	BranchPageFlag   uint16 = 0x01
	LeafPageFlag     uint16 = 0x02
	MetaPageFlag     uint16 = 0x04
	FreelistPageFlag uint16 = 0x10

	// BucketLeafFlag marks a leaf element whose value is a bucket.
	BucketLeafFlag uint32 = 0x01

	// NoFreelist in Meta.Freelist says no freelist page was written
	// (the file was written with NoFreelistSync).
	NoFreelist uint64 = 0xFFFFFFFFFFFFFFFF

	// FreelistCountOverflow in a freelist page's count says that the real
	// count is the first uint64 of the payload.
	FreelistCountOverflow = 0xFFFF

	// HeaderSize is the size of the header at the start of every page.
	HeaderSize = 16
	// MetaSize is the size of the meta struct that follows a meta page's
	// header.
	MetaSize = 64
	// LeafElementSize and BranchElementSize are the sizes of the entries
	// of a page's element array.
	LeafElementSize   = 16
	BranchElementSize = 16
	// BucketHeaderSize is the size of the header that starts a bucket
	// value.
	BucketHeaderSize = 16
)

// Field offsets. Header fields count from the start of the page, meta
// fields from the end of the header, element fields from the element's own
// start.
const (
	offID       = 0
	offFlags    = 8
	offCount    = 10
	offOverflow = 12

	offMagic    = 0
	offVersion  = 4
	offPageSize = 8
	offMetaFlag = 12
	offRoot     = 16
	offSequence = 24
	offFreelist = 32
	offPgid     = 40
	offTxid     = 48
	offChecksum = 56 // also the number of bytes the checksum covers

	offLeafFlags = 0
	offLeafPos   = 4
	offLeafKSize = 8
	offLeafVSize = 12

	offBranchPos   = 0
	offBranchKSize = 4
	offBranchPgid  = 8
)

// Header is the header of a page.
type Header struct {
	// ID is the page's own index in the file.
	ID uint64
	// Flags is the page type: one of the *PageFlag constants.
	Flags uint16
	// Count is the number of elements (branch and leaf pages) or of free
	// page ids (freelist pages; see FreelistCountOverflow).
	Count uint16
	// Overflow is the number of physical pages that follow this one as
	// part of the same logical page.
	Overflow uint32
}

// Type names the page type as bbolt's tools do: "branch", "leaf", "meta",
// "freelist" or "unknown<XX>".
func (h Header) Type() string {
	switch h.Flags {
	case BranchPageFlag:
		return "branch"
	case LeafPageFlag:
		return "leaf"
	case MetaPageFlag:
		return "meta"
	case FreelistPageFlag:
		return "freelist"
	}
	return fmt.Sprintf("unknown<%02x>", h.Flags)
}

// DecodeHeader reads the header at the start of buf.
func DecodeHeader(buf []byte) (Header, error) {
	if len(buf) < HeaderSize {
		return Header{}, fmt.Errorf("%w: page of %d bytes has no header", berrors.ErrCorrupt, len(buf))
	}
	return Header{
		ID:       ne.Uint64(buf[offID:]),
		Flags:    ne.Uint16(buf[offFlags:]),
		Count:    ne.Uint16(buf[offCount:]),
		Overflow: ne.Uint32(buf[offOverflow:]),
	}, nil
}

// EncodeHeader writes h at the start of buf, which must hold HeaderSize
// bytes.
func EncodeHeader(buf []byte, h Header) {
	_ = buf[HeaderSize-1]
	ne.PutUint64(buf[offID:], h.ID)
	ne.PutUint16(buf[offFlags:], h.Flags)
	ne.PutUint16(buf[offCount:], h.Count)
	ne.PutUint32(buf[offOverflow:], h.Overflow)
}

// Meta is the body of a meta page.
type Meta struct {
	// Magic must be Magic.
	Magic uint32
	// Version must be Version.
	Version uint32
	// PageSize is the size of every page of the file.
	PageSize uint32
	// Flags is written as 0 and never read.
	Flags uint32
	// Root is the root page of the root bucket.
	Root uint64
	// Sequence is the root bucket's sequence.
	Sequence uint64
	// Freelist is the freelist page, or NoFreelist.
	Freelist uint64
	// Pgid is the high-water mark: the number of pages in use, and the id
	// the next new page gets.
	Pgid uint64
	// Txid is the transaction that wrote this meta page.
	Txid uint64
	// Checksum is the FNV-1a 64 hash of the meta's first 56 bytes.
	Checksum uint64
}

// DecodeMeta reads the meta struct of the meta page at the start of buf. It
// does not validate it; see Meta.Validate.
func DecodeMeta(buf []byte) (Meta, error) {
	if len(buf) < HeaderSize+MetaSize {
		return Meta{}, fmt.Errorf("%w: meta page of %d bytes", berrors.ErrCorrupt, len(buf))
	}
	b := buf[HeaderSize : HeaderSize+MetaSize]
	return Meta{
		Magic:    ne.Uint32(b[offMagic:]),
		Version:  ne.Uint32(b[offVersion:]),
		PageSize: ne.Uint32(b[offPageSize:]),
		Flags:    ne.Uint32(b[offMetaFlag:]),
		Root:     ne.Uint64(b[offRoot:]),
		Sequence: ne.Uint64(b[offSequence:]),
		Freelist: ne.Uint64(b[offFreelist:]),
		Pgid:     ne.Uint64(b[offPgid:]),
		Txid:     ne.Uint64(b[offTxid:]),
		Checksum: ne.Uint64(b[offChecksum:]),
	}, nil
}

// put writes m, checksum as it is, into b, which holds MetaSize bytes.
func (m Meta) put(b []byte) {
	ne.PutUint32(b[offMagic:], m.Magic)
	ne.PutUint32(b[offVersion:], m.Version)
	ne.PutUint32(b[offPageSize:], m.PageSize)
	ne.PutUint32(b[offMetaFlag:], m.Flags)
	ne.PutUint64(b[offRoot:], m.Root)
	ne.PutUint64(b[offSequence:], m.Sequence)
	ne.PutUint64(b[offFreelist:], m.Freelist)
	ne.PutUint64(b[offPgid:], m.Pgid)
	ne.PutUint64(b[offTxid:], m.Txid)
	ne.PutUint64(b[offChecksum:], m.Checksum)
}

// Sum returns the checksum m should carry.
func (m Meta) Sum() uint64 {
	var b [MetaSize]byte
	m.put(b[:])
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	for _, c := range b[:offChecksum] {
		h ^= uint64(c)
		h *= prime64
	}
	return h
}

// Validate checks magic, version and checksum, in that order (the library's
// and bbolt's), returning ErrInvalid, ErrVersionMismatch or ErrChecksum.
func (m Meta) Validate() error {
	switch {
	case m.Magic != Magic:
		return berrors.ErrInvalid
	case m.Version != Version:
		return berrors.ErrVersionMismatch
	case m.Checksum != m.Sum():
		return berrors.ErrChecksum
	}
	return nil
}

// EncodeMeta writes m, with the checksum recomputed, as the body of the
// meta page at the start of buf, leaving its header alone.
func EncodeMeta(buf []byte, m Meta) error {
	if len(buf) < HeaderSize+MetaSize {
		return fmt.Errorf("bolt: buffer of %d bytes cannot hold a meta page", len(buf))
	}
	m.Checksum = m.Sum()
	m.put(buf[HeaderSize : HeaderSize+MetaSize])
	return nil
}

// LeafElement is one key/value pair of a leaf page.
type LeafElement struct {
	// Flags is BucketLeafFlag for a bucket, else 0.
	Flags uint32
	// Key is the element's key.
	Key []byte
	// Value is the element's value; for a bucket, a bucket header (see
	// DecodeBucketHeader).
	Value []byte
}

// BranchElement is one child of a branch page.
type BranchElement struct {
	// Key is the first key of the child's subtree.
	Key []byte
	// Pgid is the child page.
	Pgid uint64
}

// nodeHeader decodes the header of the leaf or branch page in buf and
// checks that its type is want and that every element it counts lies
// inside buf.
func nodeHeader(buf []byte, want uint16) (Header, error) {
	h, err := DecodeHeader(buf)
	if err != nil {
		return h, err
	}
	if h.Flags != want {
		return h, fmt.Errorf("%w: page %d has type %s", berrors.ErrCorrupt, h.ID, h.Type())
	}
	// Leaf and branch elements have the same size.
	if HeaderSize+int(h.Count)*LeafElementSize > len(buf) {
		return h, fmt.Errorf("%w: page %d: %d elements overflow its %d bytes", berrors.ErrCorrupt, h.ID, h.Count, len(buf))
	}
	for i := range int(h.Count) {
		elem := HeaderSize + i*LeafElementSize
		// Three uint32 fields summed as uint64 cannot overflow.
		var end uint64
		if want == LeafPageFlag {
			end = uint64(elem) + uint64(ne.Uint32(buf[elem+offLeafPos:])) +
				uint64(ne.Uint32(buf[elem+offLeafKSize:])) + uint64(ne.Uint32(buf[elem+offLeafVSize:]))
		} else {
			end = uint64(elem) + uint64(ne.Uint32(buf[elem+offBranchPos:])) + uint64(ne.Uint32(buf[elem+offBranchKSize:]))
		}
		if end > uint64(len(buf)) {
			return h, fmt.Errorf("%w: page %d: element %d ends at %d, beyond its %d bytes", berrors.ErrCorrupt, h.ID, i, end, len(buf))
		}
	}
	return h, nil
}

// DecodeLeaf returns the elements of the leaf page in buf, which must hold
// the whole logical page (with its overflow).
func DecodeLeaf(buf []byte) ([]LeafElement, error) {
	h, err := nodeHeader(buf, LeafPageFlag)
	if err != nil {
		return nil, err
	}
	out := make([]LeafElement, h.Count)
	for i := range out {
		elem := HeaderSize + i*LeafElementSize
		k := elem + int(ne.Uint32(buf[elem+offLeafPos:]))
		v := k + int(ne.Uint32(buf[elem+offLeafKSize:]))
		end := v + int(ne.Uint32(buf[elem+offLeafVSize:]))
		out[i] = LeafElement{
			Flags: ne.Uint32(buf[elem+offLeafFlags:]),
			Key:   clone(buf[k:v]),
			Value: clone(buf[v:end]),
		}
	}
	return out, nil
}

// DecodeBranch returns the elements of the branch page in buf.
func DecodeBranch(buf []byte) ([]BranchElement, error) {
	h, err := nodeHeader(buf, BranchPageFlag)
	if err != nil {
		return nil, err
	}
	out := make([]BranchElement, h.Count)
	for i := range out {
		elem := HeaderSize + i*BranchElementSize
		k := elem + int(ne.Uint32(buf[elem+offBranchPos:]))
		end := k + int(ne.Uint32(buf[elem+offBranchKSize:]))
		out[i] = BranchElement{Key: clone(buf[k:end]), Pgid: ne.Uint64(buf[elem+offBranchPgid:])}
	}
	return out, nil
}

// clone copies b into a slice of its own, non-nil even when b is empty
// (a stored empty value is not a missing one).
func clone(b []byte) []byte {
	return append([]byte{}, b...)
}

// DecodeFreelist returns the page ids listed in the freelist page in buf.
func DecodeFreelist(buf []byte) ([]uint64, error) {
	h, err := DecodeHeader(buf)
	if err != nil {
		return nil, err
	}
	if h.Flags != FreelistPageFlag {
		return nil, fmt.Errorf("%w: page %d has type %s", berrors.ErrCorrupt, h.ID, h.Type())
	}
	n, first := uint64(h.Count), HeaderSize
	if h.Count == FreelistCountOverflow {
		if len(buf) < HeaderSize+8 {
			return nil, fmt.Errorf("%w: page %d: freelist overflows its %d bytes", berrors.ErrCorrupt, h.ID, len(buf))
		}
		n, first = ne.Uint64(buf[HeaderSize:]), HeaderSize+8
	}
	// Compared as a division, a damaged count cannot overflow.
	if n > uint64(len(buf)-first)/8 {
		return nil, fmt.Errorf("%w: page %d: freelist overflows its %d bytes", berrors.ErrCorrupt, h.ID, len(buf))
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = ne.Uint64(buf[first+8*i:])
	}
	return out, nil
}

// LeafSize is the number of bytes a leaf page holding elems takes.
func LeafSize(elems []LeafElement) int {
	n := HeaderSize
	for _, e := range elems {
		n += LeafElementSize + len(e.Key) + len(e.Value)
	}
	return n
}

// BranchSize is the number of bytes a branch page holding elems takes.
func BranchSize(elems []BranchElement) int {
	n := HeaderSize
	for _, e := range elems {
		n += BranchElementSize + len(e.Key)
	}
	return n
}

// EncodeLeaf writes a leaf page with the given id, elements and overflow
// into buf, which must hold at least LeafSize(elems) bytes (normally
// (overflow+1) pages); the rest of buf is zeroed. Keys must be sorted. As
// the library does, each element's key and value follow the element array
// in element order.
func EncodeLeaf(buf []byte, id uint64, overflow uint32, elems []LeafElement) error {
	if err := checkFits(buf, len(elems), LeafSize(elems)); err != nil {
		return err
	}
	clear(buf)
	EncodeHeader(buf, Header{ID: id, Flags: LeafPageFlag, Count: uint16(len(elems)), Overflow: overflow})
	off := HeaderSize + len(elems)*LeafElementSize
	for i, e := range elems {
		elem := HeaderSize + i*LeafElementSize
		ne.PutUint32(buf[elem+offLeafFlags:], e.Flags)
		ne.PutUint32(buf[elem+offLeafPos:], uint32(off-elem))
		ne.PutUint32(buf[elem+offLeafKSize:], uint32(len(e.Key)))
		ne.PutUint32(buf[elem+offLeafVSize:], uint32(len(e.Value)))
		off += copy(buf[off:], e.Key)
		off += copy(buf[off:], e.Value)
	}
	return nil
}

// EncodeBranch writes a branch page; see EncodeLeaf.
func EncodeBranch(buf []byte, id uint64, overflow uint32, elems []BranchElement) error {
	if err := checkFits(buf, len(elems), BranchSize(elems)); err != nil {
		return err
	}
	clear(buf)
	EncodeHeader(buf, Header{ID: id, Flags: BranchPageFlag, Count: uint16(len(elems)), Overflow: overflow})
	off := HeaderSize + len(elems)*BranchElementSize
	for i, e := range elems {
		elem := HeaderSize + i*BranchElementSize
		ne.PutUint32(buf[elem+offBranchPos:], uint32(off-elem))
		ne.PutUint32(buf[elem+offBranchKSize:], uint32(len(e.Key)))
		ne.PutUint64(buf[elem+offBranchPgid:], e.Pgid)
		off += copy(buf[off:], e.Key)
	}
	return nil
}

// checkFits refuses to encode n elements of size bytes into buf.
func checkFits(buf []byte, n, size int) error {
	if size > len(buf) {
		return fmt.Errorf("bolt: %d elements need %d bytes, buffer holds %d", n, size, len(buf))
	}
	if n > FreelistCountOverflow {
		return fmt.Errorf("bolt: %d elements do not fit a page's count", n)
	}
	return nil
}

// DecodeBucketHeader reads the root page id and sequence at the start of a
// bucket value; a root of 0 means the bucket is inline and its leaf page
// image follows the header.
func DecodeBucketHeader(value []byte) (root, sequence uint64, err error) {
	if len(value) < BucketHeaderSize {
		return 0, 0, fmt.Errorf("%w: bucket value of %d bytes", berrors.ErrCorrupt, len(value))
	}
	return ne.Uint64(value[0:]), ne.Uint64(value[8:]), nil
}
