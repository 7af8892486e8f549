package bolt

// The file format.
//
// A database file is an array of pages of one fixed size (meta.pageSize);
// page n starts at byte n*pageSize. Every multi-byte integer is stored in the
// byte order of the machine that wrote it, as bbolt does, so files move only
// between machines of the same endianness. Every struct below is read and
// written in place through unsafe casts, so its Go layout IS the format: all
// fields are fixed width and naturally aligned, with no padding, on 32- and
// 64-bit machines alike. page_test.go pins the sizes and offsets.
//
// A logical page spans 1+overflow physical pages; only the first carries the
// header:
//
//	offset size field
//	     0    8 id        the page's own index in the file
//	     8    2 flags     exactly one of the page*Flag values below
//	    10    2 count     elements (branch, leaf) or free ids (freelist)
//	    12    4 overflow  physical pages following this one
//	    16    …           payload
//
// Meta page (pages 0 and 1; the commit of transaction N writes page N%2), the
// meta struct starts at page offset 16:
//
//	offset size field
//	     0    4 magic     0xED0CDAED
//	     4    4 version   2
//	     8    4 pageSize
//	    12    4 flags     written as 0, never read
//	    16    8 root      root bucket: root page id
//	    24    8           root bucket: sequence
//	    32    8 freelist  freelist page id, or pgidNoFreelist
//	    40    8 pgid      high-water mark: pages in use, the next new id
//	    48    8 txid      the transaction that wrote this meta
//	    56    8 checksum  FNV-1a 64 of meta bytes [0,56)
//
// Branch page: count branchPageElements (pos, ksize, child pgid), then the
// keys. Leaf page: count leafPageElements (flags, pos, ksize, vsize), then
// each key followed by its value. pos counts from the start of the element
// itself. Keys are strictly increasing.
//
// Freelist page: count sorted uint64 page ids. When there are 0xFFFF or more,
// count is 0xFFFF, the first uint64 holds the real count and the ids follow.
//
// Bucket value (leaf element with bucketLeafFlag): a 16-byte bucketHeader
// (root page id, sequence). A root of 0 means the bucket is inline: a whole
// leaf page image (header id 0) follows the header inside the value.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// These constants are part of the file format.
const (
	magic   uint32 = 0xED0CDAED
	version uint32 = 2

	branchPageFlag   uint16 = 0x01
	leafPageFlag     uint16 = 0x02
	metaPageFlag     uint16 = 0x04
	freelistPageFlag uint16 = 0x10

	// bucketLeafFlag marks a leaf element whose value is a bucket.
	bucketLeafFlag uint32 = 0x01

	// pgidNoFreelist in meta.freelist says no freelist page was written
	// (NoFreelistSync); readers rebuild the free list by scanning the tree.
	pgidNoFreelist Pgid = 0xFFFFFFFFFFFFFFFF

	// freelistCountOverflow in a freelist page's count says the real count
	// is stored in the first uint64 of the payload.
	freelistCountOverflow = 0xFFFF

	pageHeaderSize    = int(unsafe.Sizeof(page{}))
	branchElementSize = int(unsafe.Sizeof(branchPageElement{}))
	leafElementSize   = int(unsafe.Sizeof(leafPageElement{}))
	metaSize          = int(unsafe.Sizeof(meta{}))
	bucketHeaderSize  = int(unsafe.Sizeof(bucketHeader{}))

	// metaChecksumSize is how many leading meta bytes the checksum covers.
	metaChecksumSize = int(unsafe.Offsetof(meta{}.checksum))
)

// minKeysPerPage is the fewest keys a split leaves on a page.
const minKeysPerPage = 2

// Pgid is a page id: the index of a page in the file.
type Pgid uint64

// txid is a transaction id.
type txid uint64

// page is the header at the start of every page.
type page struct {
	id       Pgid
	flags    uint16
	count    uint16
	overflow uint32
}

// branchPageElement points at one child of a branch page.
type branchPageElement struct {
	pos   uint32
	ksize uint32
	pgid  Pgid
}

// leafPageElement locates one key/value pair of a leaf page.
type leafPageElement struct {
	flags uint32
	pos   uint32
	ksize uint32
	vsize uint32
}

// bucketHeader starts every bucket value, and the root bucket in the meta.
type bucketHeader struct {
	root     Pgid
	sequence uint64
}

// meta is the body of a meta page.
type meta struct {
	magic    uint32
	version  uint32
	pageSize uint32
	flags    uint32
	root     bucketHeader
	freelist Pgid
	pgid     Pgid
	txid     txid
	checksum uint64
}

// pageAt returns the page header at the start of buf. buf must hold at least
// a header and, for the element accessors, the whole logical page.
func pageAt(buf []byte) *page {
	return (*page)(unsafe.Pointer(&buf[0]))
}

// bytes returns the whole logical page p heads, given the page size.
func (p *page) bytes(pageSize int) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), (int(p.overflow)+1)*pageSize)
}

func (p *page) typ() string {
	switch p.flags {
	case branchPageFlag:
		return "branch"
	case leafPageFlag:
		return "leaf"
	case metaPageFlag:
		return "meta"
	case freelistPageFlag:
		return "freelist"
	}
	return fmt.Sprintf("unknown<%02x>", p.flags)
}

func (p *page) isLeaf() bool   { return p.flags == leafPageFlag }
func (p *page) isBranch() bool { return p.flags == branchPageFlag }

// meta returns the meta struct of a meta page.
func (p *page) meta() *meta {
	return (*meta)(unsafe.Add(unsafe.Pointer(p), pageHeaderSize))
}

// leafElement returns element i of a leaf page.
func (p *page) leafElement(i int) *leafPageElement {
	return (*leafPageElement)(unsafe.Add(unsafe.Pointer(p), pageHeaderSize+i*leafElementSize))
}

// branchElement returns element i of a branch page.
func (p *page) branchElement(i int) *branchPageElement {
	return (*branchPageElement)(unsafe.Add(unsafe.Pointer(p), pageHeaderSize+i*branchElementSize))
}

// leafElementEnd is the page offset just past element i's key and value.
// It is a uint64 because a damaged element's three uint32 fields can sum
// past what int holds on 32-bit machines.
func (p *page) leafElementEnd(i int) uint64 {
	e := p.leafElement(i)
	return uint64(pageHeaderSize+i*leafElementSize) + uint64(e.pos) + uint64(e.ksize) + uint64(e.vsize)
}

// branchElementEnd is the page offset just past branch element i's key.
func (p *page) branchElementEnd(i int) uint64 {
	e := p.branchElement(i)
	return uint64(pageHeaderSize+i*branchElementSize) + uint64(e.pos) + uint64(e.ksize)
}

// freelistBytes is the number of bytes freelist page p claims, header
// included. It saturates at the largest uint64 instead of wrapping, so that
// no damaged count can look small.
func freelistBytes(p *page) uint64 {
	w := freelistWords(p)
	if w > (math.MaxUint64-uint64(pageHeaderSize))/8 {
		return math.MaxUint64
	}
	return uint64(pageHeaderSize) + 8*w
}

// leafKV returns element i of a leaf page whose logical page is span bytes
// long, with ok false if its key or value does not lie inside the page.
// The element array itself must already be known to fit (validate).
func (p *page) leafKV(i, span int) (k, v []byte, flags uint32, ok bool) {
	e := p.leafElement(i)
	keyStart := uint64(pageHeaderSize+i*leafElementSize) + uint64(e.pos)
	keyEnd := keyStart + uint64(e.ksize)
	valueEnd := keyEnd + uint64(e.vsize)
	if valueEnd > uint64(span) {
		return nil, nil, 0, false
	}
	// Slicing the page (rather than building slices from pointers) is the
	// cheapest form on the cursor's hot path; an empty result points at
	// the page's start, never one past its end.
	b := unsafe.Slice((*byte)(unsafe.Pointer(p)), span)
	return b[keyStart:keyEnd:keyEnd], b[keyEnd:valueEnd:valueEnd], e.flags, true
}

// key returns the key of a leaf element; the slice's cap equals its len, so
// a caller's append cannot write into the page.
func (e *leafPageElement) key() []byte {
	if e.ksize == 0 {
		return emptyAt(unsafe.Pointer(e))
	}
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(e), e.pos)), e.ksize)
}

// value returns the value of a leaf element, cap == len.
func (e *leafPageElement) value() []byte {
	if e.vsize == 0 {
		return emptyAt(unsafe.Pointer(e))
	}
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(e), uintptr(e.pos)+uintptr(e.ksize))), e.vsize)
}

// emptyAt returns a non-nil empty slice pointing at p. An empty key or value
// may sit at the very end of a page image; a pointer one past the end of a
// heap buffer would keep the wrong object alive (and trips -race's checks).
func emptyAt(p unsafe.Pointer) []byte {
	return unsafe.Slice((*byte)(p), 0)
}

// key returns the key of a branch element, cap == len.
func (e *branchPageElement) key() []byte {
	if e.ksize == 0 {
		return emptyAt(unsafe.Pointer(e))
	}
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(e), e.pos)), e.ksize)
}

// freelistWords is the number of uint64 words the payload of freelist page
// p claims: its ids plus the count word when the count overflows. It is the
// count exactly as freelistIDs will slice it (saturating at the largest
// uint64), so that a bound checked on it holds for the read. Only the first
// word is read, so p's page must hold at least 8 payload bytes when the
// count overflows (it always does: a page holds far more).
func freelistWords(p *page) uint64 {
	n := uint64(p.count)
	if n == freelistCountOverflow {
		total := uint64(*(*Pgid)(unsafe.Add(unsafe.Pointer(p), pageHeaderSize)))
		if total == math.MaxUint64 {
			return math.MaxUint64
		}
		return total + 1
	}
	return n
}

// freelistPageIDs returns the ids stored in freelist page p, whose logical
// page is span bytes long, without copying. It fails, reading nothing past
// the count, when the ids the count claims do not fit in the span.
func (p *page) freelistPageIDs(span int) ([]Pgid, error) {
	if p.flags != freelistPageFlag {
		return nil, corruptf(p.id, "freelist page has type %s", p.typ())
	}
	if span < pageHeaderSize+8 || freelistBytes(p) > uint64(span) {
		return nil, corruptf(p.id, "freelist of %d words overflows its %d bytes", freelistWords(p), span)
	}
	return p.freelistIDs(), nil
}

// Validation. Before a reader touches the elements of a branch or leaf
// page it calls validate with the span it may read: the logical page with
// its overflow (span) for a page of the file, the image's own length for the
// leaf of an inline bucket. tx.page makes the cheap form on every page read
// (the element array fits: enough for the cursor, whose accessors, leafKV
// and the searches, bound each element they touch); nodes, Stats and Check,
// which read every element, make the full one (checkElements).

// span is the byte length of page p with its overflow.
func (p *page) span(pageSize int) int { return (int(p.overflow) + 1) * pageSize }

// validate checks that the elements of branch or leaf page p can be read
// within span bytes: the element array fits, a branch has a child (an empty
// leaf is an empty bucket; an empty branch would read as one and hide every
// key below it) and, with each, every key and value lies inside the span.
// Other page types have no elements and pass.
func (p *page) validate(span int, each bool) error {
	if p.flags != branchPageFlag && p.flags != leafPageFlag {
		return nil
	}
	if p.flags == branchPageFlag && p.count == 0 {
		return corruptf(p.id, "branch page with no elements")
	}
	if pageHeaderSize+int(p.count)*leafElementSize > span {
		return corruptf(p.id, "%d elements overflow its %d bytes", p.count, span)
	}
	if !each {
		return nil
	}
	for i := 0; i < int(p.count); i++ {
		end := p.branchElementEnd(i)
		if p.flags == leafPageFlag {
			end = p.leafElementEnd(i)
		}
		if end > uint64(span) {
			return corruptf(p.id, "element %d ends at %d, beyond its %d bytes", i, end, span)
		}
	}
	return nil
}

// validateKeys is the full check of a branch or leaf page of span bytes:
// validate with every element, and no empty key (Put never writes one).
func (p *page) validateKeys(span int) error {
	if err := p.validate(span, true); err != nil {
		return err
	}
	for i := 0; i < int(p.count); i++ {
		ksize := p.branchElement(i).ksize
		if p.flags == leafPageFlag {
			ksize = p.leafElement(i).ksize
		}
		if ksize == 0 {
			return corruptf(p.id, "element %d has an empty key", i)
		}
	}
	return nil
}

// checkElements is validateKeys for a page of the file, of pageSize-byte
// pages.
func checkElements(p *page, pageSize int) error { return p.validateKeys(p.span(pageSize)) }

// inlineBucketPage returns the leaf image of the value v of an inline
// bucket (root 0), checked: a bucket header followed by a leaf image whose
// elements lie inside the value.
func inlineBucketPage(v []byte) (*page, error) {
	if len(v) < bucketHeaderSize+pageHeaderSize {
		return nil, fmt.Errorf("%w: inline bucket value of %d bytes", ErrCorrupt, len(v))
	}
	p := inlinePage(v)
	if err := p.validateInline(len(v) - bucketHeaderSize); err != nil {
		return nil, err
	}
	return p, nil
}

// validateInline checks the leaf image of an inline bucket, size bytes
// long: a leaf whose elements lie inside it.
func (p *page) validateInline(size int) error {
	if p.flags != leafPageFlag {
		return fmt.Errorf("%w: inline bucket page has type/flags %x", ErrCorrupt, p.flags)
	}
	if err := p.validate(size, true); err != nil {
		return fmt.Errorf("inline bucket: %w", err)
	}
	return nil
}

// addressOf returns the address of b's first byte.
func addressOf(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

// freelistIDs returns the ids stored in a freelist page, without copying.
func (p *page) freelistIDs() []Pgid {
	n, first := int(p.count), 0
	if n == 0 {
		return nil
	}
	base := (*Pgid)(unsafe.Add(unsafe.Pointer(p), pageHeaderSize))
	if n == freelistCountOverflow {
		n = int(*base)
		first = 1
	}
	return unsafe.Slice(base, first+n)[first:]
}

// freelistWrite serializes ids, which must be sorted, as a freelist page at
// the start of buf; buf must hold freelistSize(len(ids)) bytes.
func freelistWrite(buf []byte, ids []Pgid) {
	p := pageAt(buf)
	p.flags = freelistPageFlag
	base := (*Pgid)(unsafe.Add(unsafe.Pointer(p), pageHeaderSize))
	switch n := len(ids); {
	case n == 0:
		p.count = 0
	case n < freelistCountOverflow:
		p.count = uint16(n)
		copy(unsafe.Slice(base, n), ids)
	default:
		p.count = freelistCountOverflow
		s := unsafe.Slice(base, n+1)
		s[0] = Pgid(n)
		copy(s[1:], ids)
	}
}

// freelistSize is the serialized size of a freelist holding n ids.
func freelistSize(n int) int {
	if n >= freelistCountOverflow {
		n++
	}
	return pageHeaderSize + 8*n
}

// sum64 is the FNV-1a 64-bit hash of the checksummed meta bytes.
func (m *meta) sum64() uint64 {
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	for _, c := range unsafe.Slice((*byte)(unsafe.Pointer(m)), metaChecksumSize) {
		h ^= uint64(c)
		h *= prime64
	}
	return h
}

// bucketHeaderOf copies the header at the start of a bucket value. The value
// may sit at any byte offset, so it is copied byte by byte.
func bucketHeaderOf(value []byte) bucketHeader {
	var h bucketHeader
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&h)), bucketHeaderSize), value)
	return h
}

// putBucketHeader writes h at the start of buf.
func putBucketHeader(buf []byte, h bucketHeader) {
	copy(buf, unsafe.Slice((*byte)(unsafe.Pointer(&h)), bucketHeaderSize))
}

// putMeta writes m at the start of buf.
func putMeta(buf []byte, m *meta) {
	copy(buf, unsafe.Slice((*byte)(unsafe.Pointer(m)), metaSize))
}

// metaOf copies the meta struct from the start of buf, which may be unaligned.
func metaOf(buf []byte) meta {
	var m meta
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&m)), metaSize), buf)
	return m
}

// inlinePage returns the leaf page image stored in an inline bucket value.
// Values sit at arbitrary offsets inside their leaf, and some machines fault
// on unaligned loads, so a misaligned image is copied first.
func inlinePage(value []byte) *page {
	img := value[bucketHeaderSize:]
	if uintptr(unsafe.Pointer(&img[0]))%8 != 0 {
		buf := make([]uint64, (len(img)+7)/8)
		aligned := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(img))
		copy(aligned, img)
		img = aligned
	}
	return pageAt(img)
}

// writeElements serializes inodes into the page at the start of buf, which
// must be at least nodeSize bytes long.
func writeElements(buf []byte, leaf bool, inodes []inode) {
	p := pageAt(buf)
	if leaf {
		p.flags = leafPageFlag
	} else {
		p.flags = branchPageFlag
	}
	if len(inodes) > math.MaxUint16 { // the header's count field is 16 bits
		panic(fmt.Sprintf("bolt: node of %d elements cannot be written", len(inodes)))
	}
	p.count = uint16(len(inodes))
	off := pageHeaderSize + len(inodes)*leafElementSize
	for i := range inodes {
		in := &inodes[i]
		elemOff := pageHeaderSize + i*leafElementSize
		if leaf {
			e := p.leafElement(i)
			e.flags = in.flags
			e.pos = uint32(off - elemOff)
			e.ksize = uint32(len(in.key))
			e.vsize = uint32(len(in.value))
		} else {
			e := p.branchElement(i)
			e.pos = uint32(off - elemOff)
			e.ksize = uint32(len(in.key))
			e.pgid = in.pgid
		}
		off += copy(buf[off:], in.key)
		off += copy(buf[off:], in.value)
	}
}

// keyHead returns the first eight bytes of key as a big-endian integer,
// with ok false when key is shorter. Most keys differ within their first
// eight bytes: comparing heads as integers settles most probes of a search
// without building slices or calling the runtime's byte comparison.
func keyHead(key []byte) (head uint64, ok bool) {
	if len(key) < 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(key), true
}

// headAt is keyHead of the key of at least eight bytes that starts at p.
func headAt(p unsafe.Pointer) uint64 {
	return binary.BigEndian.Uint64((*[8]byte)(p)[:])
}

// compareHeads is the order of two heads: -1, 0 (undecided) or +1.
func compareHeads(x, y uint64) int {
	if x < y {
		return -1
	}
	if x > y {
		return 1
	}
	return 0
}

// searchBranch finds in a branch page of span bytes the first element whose
// key is >= key, reporting whether one equals key. ok is false if an element
// it looked at lies outside the page.
func (p *page) searchBranch(key []byte, span int) (i int, exact, ok bool) {
	head, long := keyHead(key)
	lo, hi := 0, int(p.count)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		e := p.branchElement(mid)
		if uint64(pageHeaderSize+mid*branchElementSize)+uint64(e.pos)+uint64(e.ksize) > uint64(span) {
			return mid, exact, false
		}
		c := 0
		if long && e.ksize >= 8 {
			c = compareHeads(headAt(unsafe.Add(unsafe.Pointer(e), e.pos)), head)
		}
		if c == 0 {
			c = bytes.Compare(e.key(), key)
		}
		switch c {
		case -1:
			lo = mid + 1
		case 0:
			exact = true
			hi = mid
		default:
			hi = mid
		}
	}
	return lo, exact, true
}

// searchLeaf finds in a leaf page of span bytes the first element whose key
// is >= key. ok is false if an element it looked at lies outside the page.
func (p *page) searchLeaf(key []byte, span int) (i int, ok bool) {
	head, long := keyHead(key)
	lo, hi := 0, int(p.count)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		e := p.leafElement(mid)
		if uint64(pageHeaderSize+mid*leafElementSize)+uint64(e.pos)+uint64(e.ksize)+uint64(e.vsize) > uint64(span) {
			return mid, false
		}
		c := 0
		if long && e.ksize >= 8 {
			c = compareHeads(headAt(unsafe.Add(unsafe.Pointer(e), e.pos)), head)
		}
		if c == 0 {
			c = bytes.Compare(e.key(), key)
		}
		if c < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, true
}
