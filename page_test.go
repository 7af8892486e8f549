package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ne reads raw page bytes independently of the structs under test: the file
// format is the machine's own byte order.
var ne = binary.NativeEndian

// littleEndian reports whether this machine writes the byte order in which
// the documented checksums were computed.
var littleEndian = ne.Uint16([]byte{1, 0}) == 1

// alignedBuf returns n zero bytes starting at an 8-byte aligned address, as
// page buffers are in the mapping and in tx.allocate.
func alignedBuf(n int) []byte {
	words := make([]uint64, (n+7)/8+1)
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), n)
}

func isAligned(p unsafe.Pointer) bool { return uintptr(p)%8 == 0 }

// inodesOf builds leaf inodes from alternating keys and values.
func inodesOf(kv ...string) []inode {
	var in []inode
	for i := 0; i+1 < len(kv); i += 2 {
		in = append(in, inode{key: []byte(kv[i]), value: []byte(kv[i+1])})
	}
	return in
}

// elementsSize is the size of a page holding inodes: the node size formula
// of SPEC §3.4, computed here on its own.
func elementsSize(inodes []inode) int {
	sz := 16
	for _, in := range inodes {
		sz += 16 + len(in.key) + len(in.value)
	}
	return sz
}

func TestPage_StructLayout(t *testing.T) {
	var (
		p  page
		be branchPageElement
		le leafPageElement
		bh bucketHeader
		m  meta
	)
	for _, tc := range []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof page", unsafe.Sizeof(p), 16},
		{"page.id offset", unsafe.Offsetof(p.id), 0},
		{"page.id size", unsafe.Sizeof(p.id), 8},
		{"page.flags offset", unsafe.Offsetof(p.flags), 8},
		{"page.flags size", unsafe.Sizeof(p.flags), 2},
		{"page.count offset", unsafe.Offsetof(p.count), 10},
		{"page.count size", unsafe.Sizeof(p.count), 2},
		{"page.overflow offset", unsafe.Offsetof(p.overflow), 12},
		{"page.overflow size", unsafe.Sizeof(p.overflow), 4},

		{"sizeof branchPageElement", unsafe.Sizeof(be), 16},
		{"branch.pos offset", unsafe.Offsetof(be.pos), 0},
		{"branch.pos size", unsafe.Sizeof(be.pos), 4},
		{"branch.ksize offset", unsafe.Offsetof(be.ksize), 4},
		{"branch.ksize size", unsafe.Sizeof(be.ksize), 4},
		{"branch.pgid offset", unsafe.Offsetof(be.pgid), 8},
		{"branch.pgid size", unsafe.Sizeof(be.pgid), 8},

		{"sizeof leafPageElement", unsafe.Sizeof(le), 16},
		{"leaf.flags offset", unsafe.Offsetof(le.flags), 0},
		{"leaf.flags size", unsafe.Sizeof(le.flags), 4},
		{"leaf.pos offset", unsafe.Offsetof(le.pos), 4},
		{"leaf.pos size", unsafe.Sizeof(le.pos), 4},
		{"leaf.ksize offset", unsafe.Offsetof(le.ksize), 8},
		{"leaf.ksize size", unsafe.Sizeof(le.ksize), 4},
		{"leaf.vsize offset", unsafe.Offsetof(le.vsize), 12},
		{"leaf.vsize size", unsafe.Sizeof(le.vsize), 4},

		{"sizeof bucketHeader", unsafe.Sizeof(bh), 16},
		{"bucketHeader.root offset", unsafe.Offsetof(bh.root), 0},
		{"bucketHeader.root size", unsafe.Sizeof(bh.root), 8},
		{"bucketHeader.sequence offset", unsafe.Offsetof(bh.sequence), 8},
		{"bucketHeader.sequence size", unsafe.Sizeof(bh.sequence), 8},

		{"sizeof meta", unsafe.Sizeof(m), 64},
		{"meta.magic offset", unsafe.Offsetof(m.magic), 0},
		{"meta.magic size", unsafe.Sizeof(m.magic), 4},
		{"meta.version offset", unsafe.Offsetof(m.version), 4},
		{"meta.version size", unsafe.Sizeof(m.version), 4},
		{"meta.pageSize offset", unsafe.Offsetof(m.pageSize), 8},
		{"meta.pageSize size", unsafe.Sizeof(m.pageSize), 4},
		{"meta.flags offset", unsafe.Offsetof(m.flags), 12},
		{"meta.flags size", unsafe.Sizeof(m.flags), 4},
		{"meta.root offset", unsafe.Offsetof(m.root), 16},
		{"meta.root size", unsafe.Sizeof(m.root), 16},
		{"meta.freelist offset", unsafe.Offsetof(m.freelist), 32},
		{"meta.freelist size", unsafe.Sizeof(m.freelist), 8},
		{"meta.pgid offset", unsafe.Offsetof(m.pgid), 40},
		{"meta.pgid size", unsafe.Sizeof(m.pgid), 8},
		{"meta.txid offset", unsafe.Offsetof(m.txid), 48},
		{"meta.txid size", unsafe.Sizeof(m.txid), 8},
		{"meta.checksum offset", unsafe.Offsetof(m.checksum), 56},
		{"meta.checksum size", unsafe.Sizeof(m.checksum), 8},
	} {
		assert.Equal(t, tc.want, tc.got, tc.name)
	}
}

func TestPage_FormatConstants(t *testing.T) {
	assert.Equal(t, uint32(0xED0CDAED), magic)
	assert.Equal(t, uint32(2), version)
	assert.Equal(t, uint16(0x01), branchPageFlag)
	assert.Equal(t, uint16(0x02), leafPageFlag)
	assert.Equal(t, uint16(0x04), metaPageFlag)
	assert.Equal(t, uint16(0x10), freelistPageFlag)
	assert.Equal(t, uint32(0x01), bucketLeafFlag)
	assert.Equal(t, Pgid(math.MaxUint64), pgidNoFreelist)
	assert.Equal(t, 0xFFFF, freelistCountOverflow)

	assert.Equal(t, 16, pageHeaderSize)
	assert.Equal(t, 16, branchElementSize)
	assert.Equal(t, 16, leafElementSize)
	assert.Equal(t, 64, metaSize)
	assert.Equal(t, 16, bucketHeaderSize)
	assert.Equal(t, 56, metaChecksumSize)
	assert.Equal(t, 2, minKeysPerPage)
}

func TestPage_Typ(t *testing.T) {
	for flags, want := range map[uint16]string{
		branchPageFlag:   "branch",
		leafPageFlag:     "leaf",
		metaPageFlag:     "meta",
		freelistPageFlag: "freelist",
		0x03:             "unknown<03>",
		0x00:             "unknown<00>",
	} {
		p := page{flags: flags}
		assert.Equal(t, want, p.typ(), "flags %#x", flags)
		assert.Equal(t, flags == leafPageFlag, p.isLeaf(), "isLeaf %#x", flags)
		assert.Equal(t, flags == branchPageFlag, p.isBranch(), "isBranch %#x", flags)
	}
}

func TestPage_Bytes_CoversOverflow(t *testing.T) {
	buf := alignedBuf(3 * 512)
	p := pageAt(buf)
	p.overflow = 2
	b := p.bytes(512)
	assert.Len(t, b, 3*512)
	assert.Equal(t, unsafe.Pointer(&buf[0]), unsafe.Pointer(&b[0]))
}

func TestMeta_Sum64_IsFNV1aOfFirst56Bytes(t *testing.T) {
	m := meta{
		magic:    magic,
		version:  version,
		pageSize: 8192,
		flags:    0x04,
		root:     bucketHeader{root: 7, sequence: 99},
		freelist: 9,
		pgid:     12,
		txid:     0x0102030405060708,
		checksum: 0xdeadbeef,
	}
	buf := make([]byte, metaSize)
	putMeta(buf, &m)
	h := fnv.New64a()
	_, _ = h.Write(buf[:56])
	require.Equal(t, h.Sum64(), m.sum64())

	// Every byte before the checksum is covered; the checksum itself is not.
	for i := 0; i < metaSize; i++ {
		c := append([]byte(nil), buf...)
		c[i] ^= 0x5a
		mc := metaOf(c)
		if i < 56 {
			assert.NotEqual(t, m.sum64(), mc.sum64(), "byte %d not covered", i)
		} else {
			assert.Equal(t, m.sum64(), mc.sum64(), "byte %d covered", i)
		}
	}
}

// freshMeta builds meta i of a new file, as SPEC §3.8 lays it out.
func freshMeta(i, pageSize int) meta {
	return meta{
		magic:    magic,
		version:  version,
		pageSize: uint32(pageSize),
		root:     bucketHeader{root: 3},
		freelist: 2,
		pgid:     4,
		txid:     txid(i),
	}
}

// The checksums of a new 4 KiB-page file were recorded from bbolt on a
// little-endian machine; a big-endian one writes other bytes.
var freshChecksums = [2]uint64{0x07516e114689fdee, 0x264c351a5179480f}

func TestMeta_Sum64_FreshFileChecksums(t *testing.T) {
	for i := range 2 {
		m := freshMeta(i, 4096)
		sum := m.sum64()
		if littleEndian {
			assert.Equal(t, freshChecksums[i], sum, "meta%d", i)
		}
		m.checksum = sum
		assert.NoError(t, m.validate(), "meta%d", i)
	}
}

func TestMeta_FreshFile_OnDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db, err := Open(path, 0o600, &Options{PageSize: 4096})
	require.NoError(t, err)
	require.NoError(t, db.Close())

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Len(t, data, 4*4096)
	for i := range 2 {
		pg := data[i*4096:]
		assert.Equal(t, uint64(i), ne.Uint64(pg[0:]), "meta%d id", i)
		assert.Equal(t, metaPageFlag, ne.Uint16(pg[8:]), "meta%d flags", i)
		want := freshMeta(i, 4096)
		want.checksum = want.sum64()
		assert.Equal(t, want, metaOf(pg[16:]), "meta%d", i)
		if littleEndian {
			assert.Equal(t, freshChecksums[i], ne.Uint64(pg[16+56:]), "meta%d checksum", i)
		}
		assert.True(t, bytes.Equal(make([]byte, 4096-16-64), pg[16+64:4096]), "meta%d tail not zero", i)
	}
	fl := data[2*4096:]
	assert.Equal(t, uint64(2), ne.Uint64(fl[0:]))
	assert.Equal(t, freelistPageFlag, ne.Uint16(fl[8:]))
	assert.Equal(t, uint16(0), ne.Uint16(fl[10:]))
	leaf := data[3*4096:]
	assert.Equal(t, uint64(3), ne.Uint64(leaf[0:]))
	assert.Equal(t, leafPageFlag, ne.Uint16(leaf[8:]))
	assert.Equal(t, uint16(0), ne.Uint16(leaf[10:]))
}

func TestMeta_PutMetaOf_Unaligned(t *testing.T) {
	m := freshMeta(1, 4096)
	m.checksum = m.sum64()
	backing := alignedBuf(metaSize + 8)
	buf := backing[3 : 3+metaSize]
	putMeta(buf, &m)
	assert.Equal(t, magic, ne.Uint32(buf[0:]))
	assert.Equal(t, version, ne.Uint32(buf[4:]))
	assert.Equal(t, uint32(4096), ne.Uint32(buf[8:]))
	assert.Equal(t, uint64(3), ne.Uint64(buf[16:]))
	assert.Equal(t, uint64(2), ne.Uint64(buf[32:]))
	assert.Equal(t, uint64(4), ne.Uint64(buf[40:]))
	assert.Equal(t, uint64(1), ne.Uint64(buf[48:]))
	assert.Equal(t, m.checksum, ne.Uint64(buf[56:]))
	assert.Equal(t, m, metaOf(buf))
}

func TestPage_BucketHeader_Unaligned(t *testing.T) {
	backing := alignedBuf(bucketHeaderSize + 8)
	buf := backing[5 : 5+bucketHeaderSize]
	h := bucketHeader{root: 0x1122334455667788, sequence: 42}
	putBucketHeader(buf, h)
	assert.Equal(t, uint64(0x1122334455667788), ne.Uint64(buf[0:]))
	assert.Equal(t, uint64(42), ne.Uint64(buf[8:]))
	assert.Equal(t, h, bucketHeaderOf(buf))
}

func TestElements_Leaf_SpecExample(t *testing.T) {
	inodes := []inode{
		{key: []byte("a"), value: []byte{}},
		{key: []byte("foo"), value: []byte("bar")},
	}
	size := elementsSize(inodes)
	require.Equal(t, 16+16+1+16+6, size)
	buf := alignedBuf(size)
	writeElements(buf, true, inodes)

	assert.Equal(t, leafPageFlag, ne.Uint16(buf[8:]))
	assert.Equal(t, uint16(2), ne.Uint16(buf[10:]))
	for i, want := range [][4]uint32{{0, 0x20, 1, 0}, {0, 0x11, 3, 3}} {
		e := buf[16+16*i:]
		got := [4]uint32{ne.Uint32(e[0:]), ne.Uint32(e[4:]), ne.Uint32(e[8:]), ne.Uint32(e[12:])}
		assert.Equal(t, want, got, "element %d (flags, pos, ksize, vsize)", i)
	}
	assert.Equal(t, []byte{0x61, 0x66, 0x6f, 0x6f, 0x62, 0x61, 0x72}, buf[48:])

	p := pageAt(buf)
	require.Equal(t, uint16(2), p.count)
	for i, in := range inodes {
		e := p.leafElement(i)
		assert.Equal(t, in.key, e.key(), "key %d", i)
		assert.Equal(t, in.value, e.value(), "value %d", i)
		assert.Equal(t, len(e.key()), cap(e.key()), "key %d cap", i)
		assert.Equal(t, len(e.value()), cap(e.value()), "value %d cap", i)
	}
	assert.Equal(t, size, int(p.leafElementEnd(1)))
	assert.NoError(t, checkElements(p, size))
}

func TestElements_Leaf_RoundTrip(t *testing.T) {
	inodes := []inode{
		{key: []byte("alpha"), value: []byte("1")},
		{key: []byte("bucket"), value: bytes.Repeat([]byte{0xb0}, 32), flags: bucketLeafFlag},
		{key: []byte("charlie"), value: nil},
		{key: bytes.Repeat([]byte{'d'}, 300), value: bytes.Repeat([]byte{'x'}, 1000)},
		{key: []byte("echo"), value: []byte("the last one")},
	}
	size := elementsSize(inodes)
	const tail = 64
	buf := alignedBuf(size + tail)
	for i := size; i < len(buf); i++ {
		buf[i] = 0xAB
	}
	writeElements(buf, true, inodes)

	p := pageAt(buf)
	assert.Equal(t, leafPageFlag, p.flags)
	require.Equal(t, uint16(len(inodes)), p.count)
	dataOff := 16 + 16*len(inodes)
	for i, in := range inodes {
		elemOff := 16 + 16*i
		e := p.leafElement(i)
		assert.Equal(t, in.flags, e.flags, "flags %d", i)
		assert.Equal(t, uint32(dataOff-elemOff), e.pos, "pos %d", i)
		assert.Equal(t, uint32(len(in.key)), e.ksize, "ksize %d", i)
		assert.Equal(t, uint32(len(in.value)), e.vsize, "vsize %d", i)
		assert.Equal(t, in.key, e.key(), "key %d", i)
		assert.Equal(t, len(in.value), len(e.value()), "value %d", i)
		assert.True(t, bytes.Equal(in.value, e.value()), "value %d", i)
		dataOff += len(in.key) + len(in.value)
		assert.Equal(t, dataOff, int(p.leafElementEnd(i)), "end %d", i)
	}
	assert.Equal(t, size, dataOff)
	assert.Equal(t, bytes.Repeat([]byte{0xAB}, tail), buf[size:], "wrote past the node size")
	assert.NoError(t, checkElements(p, size))
}

func TestElements_Branch_RoundTrip(t *testing.T) {
	inodes := []inode{
		{key: []byte("a"), pgid: 7},
		{key: []byte("mmm"), pgid: 0x0102030405060708},
		{key: bytes.Repeat([]byte{'z'}, 100), pgid: 3},
	}
	size := elementsSize(inodes)
	buf := alignedBuf(size)
	writeElements(buf, false, inodes)

	assert.Equal(t, branchPageFlag, ne.Uint16(buf[8:]))
	assert.Equal(t, uint16(3), ne.Uint16(buf[10:]))
	p := pageAt(buf)
	require.Equal(t, uint16(3), p.count)
	dataOff := 16 + 16*len(inodes)
	for i, in := range inodes {
		elemOff := 16 + 16*i
		raw := buf[elemOff:]
		assert.Equal(t, uint32(dataOff-elemOff), ne.Uint32(raw[0:]), "pos %d", i)
		assert.Equal(t, uint32(len(in.key)), ne.Uint32(raw[4:]), "ksize %d", i)
		assert.Equal(t, uint64(in.pgid), ne.Uint64(raw[8:]), "pgid %d", i)
		e := p.branchElement(i)
		assert.Equal(t, in.pgid, e.pgid)
		assert.Equal(t, in.key, e.key(), "key %d", i)
		assert.Equal(t, len(e.key()), cap(e.key()), "key %d cap", i)
		dataOff += len(in.key)
		assert.Equal(t, dataOff, int(p.branchElementEnd(i)), "end %d", i)
	}
	assert.Equal(t, size, dataOff)
	assert.Equal(t, []byte("a"), buf[16+48:16+48+1])
	assert.NoError(t, checkElements(p, size))
}

func TestElements_Empty(t *testing.T) {
	buf := alignedBuf(16)
	writeElements(buf, true, nil)
	p := pageAt(buf)
	assert.Equal(t, leafPageFlag, p.flags)
	assert.Equal(t, uint16(0), p.count)
	assert.NoError(t, checkElements(p, 16))
}

func TestPage_LeafKV_BranchElement_Bounds(t *testing.T) {
	inodes := inodesOf("k1", "v1", "k2", "value2")
	size := elementsSize(inodes)
	buf := alignedBuf(size)
	writeElements(buf, true, inodes)
	p := pageAt(buf)

	k, v, flags, ok := p.leafKV(1, size)
	require.True(t, ok)
	assert.Equal(t, []byte("k2"), k)
	assert.Equal(t, []byte("value2"), v)
	assert.Equal(t, uint32(0), flags)
	_, _, _, ok = p.leafKV(1, size-1)
	assert.False(t, ok, "value one byte past the span")
	p.leafElement(0).pos = math.MaxUint32
	_, _, _, ok = p.leafKV(0, size)
	assert.False(t, ok, "pos far past the span")

	binodes := []inode{{key: []byte("b1"), pgid: 4}, {key: []byte("b2"), pgid: 5}}
	bsize := elementsSize(binodes)
	bbuf := alignedBuf(bsize)
	writeElements(bbuf, false, binodes)
	bp := pageAt(bbuf)
	assert.Equal(t, []byte("b2"), bp.branchElement(1).key())
	assert.Equal(t, uint64(bsize), bp.branchElementEnd(1))
	assert.NoError(t, checkElements(bp, bsize))
	assert.ErrorIs(t, checkElements(bp, bsize-1), ErrCorrupt, "key one byte past the span")
}

func TestPage_Freelist_RoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 0xFFFE, 0xFFFF, 70004} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			ids := make([]Pgid, n)
			for i := range ids {
				ids[i] = Pgid(2 + 3*i)
			}
			size := freelistSize(n)
			const tail = 64
			buf := alignedBuf(size + tail)
			for i := size; i < len(buf); i++ {
				buf[i] = 0xAB
			}
			freelistWrite(buf, ids)
			p := pageAt(buf)

			assert.Equal(t, freelistPageFlag, ne.Uint16(buf[8:]))
			payload := buf[16:]
			if n < 0xFFFF {
				assert.Equal(t, uint16(n), ne.Uint16(buf[10:]), "count")
				assert.Equal(t, uint64(n), freelistWords(p))
			} else {
				assert.Equal(t, uint16(0xFFFF), ne.Uint16(buf[10:]), "count")
				assert.Equal(t, uint64(n), ne.Uint64(buf[16:]), "first word holds the count")
				assert.Equal(t, uint64(n+1), freelistWords(p))
				payload = buf[24:]
			}
			if n > 0 {
				assert.Equal(t, uint64(ids[0]), ne.Uint64(payload[0:]), "first id")
				assert.Equal(t, uint64(ids[n-1]), ne.Uint64(payload[8*(n-1):]), "last id")
			}
			got := p.freelistIDs()
			require.Len(t, got, n)
			if n > 0 {
				assert.Equal(t, ids, got)
			}
			assert.Equal(t, bytes.Repeat([]byte{0xAB}, tail), buf[size:], "wrote past freelistSize")
		})
	}
}

func TestPage_FreelistWords_HugeCountIsBounded(t *testing.T) {
	for _, total := range []uint64{1 << 60, math.MaxUint64} {
		buf := alignedBuf(64)
		p := pageAt(buf)
		p.flags, p.count = freelistPageFlag, freelistCountOverflow
		ne.PutUint64(buf[16:], total)
		w := freelistWords(p)
		assert.Positive(t, w, "total %#x", total)
		assert.Greater(t, freelistBytes(p), uint64(1<<30), "total %#x must not look small: more than any page holds", total)
	}
}

// TestPage_FreelistPageIDs_CountBeyondSpan forges a freelist page whose
// overflowed count claims more ids than its span holds, with spans above
// 2 GiB (a huge file, or a damaged overflow). The bound must be checked on
// the count freelistIDs slices: checking a capped count (2^28 words) let a
// count of 2^29 through on a 3 GiB span, and the read ran past the page and
// the mapping at Open. Nothing here reads past the 64-byte buffer: the
// check fails before any id is read.
func TestPage_FreelistPageIDs_CountBeyondSpan(t *testing.T) {
	for _, tc := range []struct {
		total uint64
		span  uint64
	}{
		{1 << 29, 3 << 30},
		{1<<28 + 1, 1<<31 + 16},
		{1 << 40, 1<<31 + 1<<30},
		{math.MaxUint64, 1 << 30},
		{math.MaxUint64 - 1, 1 << 30},
		{math.MaxUint64 / 8, 1 << 30}, // times 8 wraps
		{5, 16 + 8*5},                 // one word short: the count word
	} {
		if tc.span > math.MaxInt {
			continue // spans above 2 GiB do not exist on 32-bit machines
		}
		buf := alignedBuf(64)
		p := pageAt(buf)
		p.id, p.flags, p.count = 2, freelistPageFlag, freelistCountOverflow
		ne.PutUint64(buf[16:], tc.total)
		assert.Greater(t, freelistBytes(p), tc.span, "total %#x", tc.total)
		ids, err := p.freelistPageIDs(int(tc.span))
		require.ErrorIs(t, err, ErrCorrupt, "total %#x, span %d", tc.total, tc.span)
		require.Nil(t, ids)
	}
	// The exact fit is accepted.
	buf := alignedBuf(64)
	p := pageAt(buf)
	p.id, p.flags, p.count = 2, freelistPageFlag, freelistCountOverflow
	ne.PutUint64(buf[16:], 5)
	for i := 0; i < 5; i++ {
		ne.PutUint64(buf[24+8*i:], uint64(10+i))
	}
	ids, err := p.freelistPageIDs(64)
	require.NoError(t, err)
	require.Equal(t, []Pgid{10, 11, 12, 13, 14}, ids)
	// A page of another type is refused.
	p.flags = leafPageFlag
	_, err = p.freelistPageIDs(64)
	require.ErrorIs(t, err, ErrCorrupt)
}

func TestPage_FreelistSize(t *testing.T) {
	for _, tc := range []struct{ n, want int }{
		{0, 16},
		{1, 24},
		{2, 32},
		{0xFFFE, 16 + 8*0xFFFE},
		{0xFFFF, 16 + 8*0x10000},
		{0x10000, 16 + 8*0x10001},
		{70004, 16 + 8*70005},
	} {
		assert.Equal(t, tc.want, freelistSize(tc.n), "n=%d", tc.n)
	}
}

// inlineValueOf builds an inline bucket value (header, then leaf page image)
// holding inodes.
func inlineValueOf(seq uint64, inodes []inode) []byte {
	img := alignedBuf(elementsSize(inodes))
	writeElements(img, true, inodes)
	value := make([]byte, bucketHeaderSize, bucketHeaderSize+len(img))
	putBucketHeader(value, bucketHeader{root: 0, sequence: seq})
	return append(value, img...)
}

func TestInline_InlinePage_Unaligned(t *testing.T) {
	inodes := inodesOf("apple", "red", "banana", "yellow", "cherry", "")
	value := inlineValueOf(9, inodes)

	for _, off := range []int{1, 3, 4, 7} {
		t.Run(fmt.Sprintf("offset=%d", off), func(t *testing.T) {
			backing := alignedBuf(len(value) + 16)
			v := backing[off : off+len(value)]
			copy(v, value)
			p := inlinePage(v)
			assert.True(t, isAligned(unsafe.Pointer(p)), "page at %p", p)
			start, end := uintptr(unsafe.Pointer(&backing[0])), uintptr(unsafe.Pointer(&backing[len(backing)-1]))
			addr := uintptr(unsafe.Pointer(p))
			assert.False(t, addr >= start && addr <= end, "misaligned image was not copied")

			require.NoError(t, p.validateInline(len(v)-bucketHeaderSize))
			assert.Equal(t, leafPageFlag, p.flags)
			require.Equal(t, uint16(len(inodes)), p.count)
			for i, in := range inodes {
				e := p.leafElement(i)
				assert.Equal(t, in.key, e.key(), "key %d", i)
				assert.Equal(t, string(in.value), string(e.value()), "value %d", i)
			}
			assert.Equal(t, uint64(9), bucketHeaderOf(v).sequence)
		})
	}
}

func TestInline_InlinePage_AlignedIsNotCopied(t *testing.T) {
	value := inlineValueOf(0, inodesOf("k", "v"))
	backing := alignedBuf(len(value))
	copy(backing, value)
	p := inlinePage(backing)
	assert.Equal(t, unsafe.Pointer(&backing[bucketHeaderSize]), unsafe.Pointer(p))
	assert.Equal(t, []byte("k"), p.leafElement(0).key())
}

// testLeafPage writes a leaf (or branch) page of pageSize bytes (overflow pages
// included) holding inodes.
func testLeafPage(pageSize, overflow int, leaf bool, inodes []inode) (*page, []byte) {
	buf := alignedBuf(pageSize * (overflow + 1))
	writeElements(buf, leaf, inodes)
	p := pageAt(buf)
	p.id = 9
	p.overflow = uint32(overflow)
	return p, buf
}

func TestElements_CheckElements(t *testing.T) {
	const ps = 256
	leafInodes := inodesOf("a", "1", "bb", "22", "ccc", "333")
	branchInodes := []inode{{key: []byte("a"), pgid: 4}, {key: []byte("bb"), pgid: 5}, {key: []byte("ccc"), pgid: 6}}
	for _, tc := range []struct {
		name   string
		leaf   bool
		mutate func(p *page)
		ok     bool
	}{
		{name: "valid leaf", leaf: true, ok: true},
		{name: "valid branch", ok: true},
		{name: "leaf key past page", leaf: true, mutate: func(p *page) { p.leafElement(2).pos += ps }},
		{name: "leaf value past page", leaf: true, mutate: func(p *page) { p.leafElement(1).vsize = ps }},
		{name: "leaf pos max", leaf: true, mutate: func(p *page) { p.leafElement(0).pos = math.MaxUint32 }},
		{name: "leaf ends exactly at page end", leaf: true, ok: true, mutate: func(p *page) {
			e := p.leafElement(2)
			e.vsize = uint32(ps - int(p.leafElementEnd(2)) + int(e.vsize))
		}},
		{name: "leaf ends one past page end", leaf: true, mutate: func(p *page) {
			e := p.leafElement(2)
			e.vsize = uint32(ps - int(p.leafElementEnd(2)) + int(e.vsize) + 1)
		}},
		{name: "leaf empty key", leaf: true, mutate: func(p *page) { p.leafElement(1).ksize = 0 }},
		{name: "branch key past page", mutate: func(p *page) { p.branchElement(2).ksize = ps }},
		{name: "branch pos max", mutate: func(p *page) { p.branchElement(1).pos = math.MaxUint32 }},
		{name: "branch empty key", mutate: func(p *page) { p.branchElement(0).ksize = 0 }},
		{name: "leaf count past page", leaf: true, mutate: func(p *page) { p.count = (ps-16)/16 + 1 }},
		{name: "branch count past page", mutate: func(p *page) { p.count = 0xFFFF }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inodes := branchInodes
			if tc.leaf {
				inodes = leafInodes
			}
			p, _ := testLeafPage(ps, 0, tc.leaf, inodes)
			if tc.mutate != nil {
				tc.mutate(p)
			}
			err := checkElements(p, ps)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.Error(t, err)
			assert.True(t, errors.Is(err, ErrCorrupt), "%v", err)
		})
	}
}

func TestElements_CheckElements_OverflowExtendsSpan(t *testing.T) {
	const ps = 128
	inodes := []inode{{key: []byte("big"), value: bytes.Repeat([]byte{'v'}, 150)}}
	p, _ := testLeafPage(ps, 1, true, inodes)
	require.Greater(t, p.leafElementEnd(0), uint64(ps))
	assert.NoError(t, checkElements(p, ps))
	p.overflow = 0
	assert.True(t, errors.Is(checkElements(p, ps), ErrCorrupt))
}

func TestElements_Validate(t *testing.T) {
	const ps = 256
	p, _ := testLeafPage(ps, 0, true, inodesOf("a", "1"))
	assert.NoError(t, p.validate(p.span(ps), false))

	p.count = (ps - 16) / 16
	assert.NoError(t, p.validate(p.span(ps), false), "a full element array fits")
	p.count++
	err := p.validate(p.span(ps), false)
	assert.True(t, errors.Is(err, ErrCorrupt), "%v", err)
	p.overflow = 1
	assert.NoError(t, p.validate(p.span(ps), false), "an overflow page makes room")

	p.flags = branchPageFlag
	p.overflow, p.count = 0, 0xFFFF
	assert.True(t, errors.Is(p.validate(p.span(ps), false), ErrCorrupt))
	p.count = 0
	assert.True(t, errors.Is(p.validate(p.span(ps), false), ErrCorrupt), "a branch without children")
	p.flags = leafPageFlag
	assert.NoError(t, p.validate(p.span(ps), true), "an empty leaf is an empty bucket")

	// Other page types have no elements to bound.
	for _, flags := range []uint16{metaPageFlag, freelistPageFlag} {
		p.flags = flags
		assert.NoError(t, p.validate(p.span(ps), false), "flags %#x", flags)
	}
}

func TestInline_ValidateInline(t *testing.T) {
	inodes := inodesOf("apple", "red", "banana", "yellow")
	for _, tc := range []struct {
		name   string
		mutate func(p *page, size *int)
		ok     bool
	}{
		{name: "valid", ok: true},
		{name: "empty", ok: true, mutate: func(p *page, size *int) { p.count, *size = 0, 16 }},
		{name: "branch flags", mutate: func(p *page, _ *int) { p.flags = branchPageFlag }},
		{name: "meta flags", mutate: func(p *page, _ *int) { p.flags = metaPageFlag }},
		{name: "elements past value", mutate: func(p *page, size *int) { *size = 16 + 16 }},
		{name: "value one byte short", mutate: func(p *page, size *int) { *size-- }},
		{name: "key past value", mutate: func(p *page, _ *int) { p.leafElement(0).pos += 100 }},
		{name: "pos max", mutate: func(p *page, _ *int) { p.leafElement(1).pos = math.MaxUint32 }},
		{name: "count max", mutate: func(p *page, _ *int) { p.count = 0xFFFF }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			size := elementsSize(inodes)
			// Room past the image, so that a mutated element that reads
			// beyond size still stays inside the buffer.
			buf := alignedBuf(size + 256)
			writeElements(buf, true, inodes)
			p := pageAt(buf)
			if tc.mutate != nil {
				tc.mutate(p, &size)
			}
			err := p.validateInline(size)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.True(t, errors.Is(err, ErrCorrupt), "%v", err)
		})
	}
}

func TestCorruptf_WrapsErrCorruptAndNamesThePage(t *testing.T) {
	err := corruptf(42, "element %d has an empty key", 3)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.EqualError(t, err, ErrCorrupt.Error()+": page 42: element 3 has an empty key")

	// The reports of free-list damage name their page too.
	f := newFreelist(FreelistArrayType)
	err = f.load([]Pgid{5, 5}, 10)
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.ErrorContains(t, err, "page 5: in the free list twice")
}
