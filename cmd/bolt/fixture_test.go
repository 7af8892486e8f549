package main

// The fixture testdata/bbolt.db was written by bbolt on a little-endian
// machine. The file format is native-endian, as bbolt's is: every integer
// field is stored in the byte order of the machine that writes it. On a
// big-endian machine the tests therefore use the fixture with each field
// byte-swapped, which is the file bbolt writes there from the same
// transactions (the layout decisions do not depend on the byte order), and
// expectations that show raw bytes or meta checksums are adjusted to match.

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	fixturePageSize = 4096

	// Page header: id u64, flags u16, count u16, overflow u32.
	fxPageHeaderSize = 16
	fxElementSize    = 16 // both branch and leaf elements
	fxBranchPage     = 0x01
	fxLeafPage       = 0x02
	fxMetaPage       = 0x04
	fxFreelistPage   = 0x10
	fxBucketLeafFlag = 0x01
	// fxFreelistCountOverflow in a freelist page's count means the real
	// count is the first id slot.
	fxFreelistCountOverflow = 0xFFFF
	// fxMetaChecksummed is how many bytes of the meta, which starts right
	// after the page header, the checksum covers: magic, version, page size
	// and flags (u32 each), the root bucket (root, sequence), freelist,
	// pgid and txid (u64 each).
	fxMetaChecksummed = 56
	// fxBucketHeaderSize is a bucket value's header: root u64, sequence u64.
	fxBucketHeaderSize = 16
)

// hostBigEndian says whether this machine, and so every file bolt writes
// on it, is big-endian.
var hostBigEndian = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// fixtureBytes returns testdata/bbolt.db as bbolt would have written it on
// this machine.
func fixtureBytes(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "bbolt.db"))
	if err != nil {
		t.Fatal(err)
	}
	if !hostBigEndian {
		return data
	}
	swapped, err := swapByteOrder(data, fixturePageSize, binary.LittleEndian, binary.BigEndian)
	if err != nil {
		t.Fatalf("byte-swapping testdata/bbolt.db: %v", err)
	}
	return swapped
}

// nativeText adapts an expectation written for the little-endian fixture
// (bbolt's own output, or a literal taken from it) to this machine: on a
// big-endian machine each meta page's checksum, printed as %016x, becomes
// the checksum of the swapped meta.
func nativeText(t testing.TB, s string) string {
	t.Helper()
	if !hostBigEndian {
		return s
	}
	le, err := os.ReadFile(filepath.Join("testdata", "bbolt.db"))
	if err != nil {
		t.Fatal(err)
	}
	native := fixtureBytes(t)
	for id := 0; id < 2; id++ {
		off := id*fixturePageSize + fxPageHeaderSize + fxMetaChecksummed
		from := fmt.Sprintf("%016x", binary.LittleEndian.Uint64(le[off:]))
		to := fmt.Sprintf("%016x", binary.NativeEndian.Uint64(native[off:]))
		if from == to {
			t.Fatalf("meta %d: the swapped checksum %s equals the original", id, to)
		}
		s = strings.ReplaceAll(s, from, to)
	}
	return s
}

// nativeBucketValue adapts a bucket value (its header, and the inline page
// that follows when its root is 0) given in hex as bbolt prints it for the
// little-endian fixture, to this machine's byte order.
func nativeBucketValue(t testing.TB, leHex string) string {
	t.Helper()
	if !hostBigEndian {
		return leHex
	}
	in, err := hex.DecodeString(leHex)
	if err != nil || len(in) < fxBucketHeaderSize {
		t.Fatalf("bucket value %q: %v", leHex, err)
	}
	out := bytes.Clone(in)
	le, be := binary.LittleEndian, binary.BigEndian
	swap64(in, out, 0, le, be)
	swap64(in, out, 8, le, be)
	if le.Uint64(in) == 0 {
		if err := swapPage(in[fxBucketHeaderSize:], out[fxBucketHeaderSize:], le, be, true); err != nil {
			t.Fatalf("bucket value %q: inline page: %v", leHex, err)
		}
	}
	return hex.EncodeToString(out)
}

// swapByteOrder returns a copy of the database file data, whose integers
// are in byte order from, with every integer field in byte order to: page
// headers, metas (whose checksum is recomputed if it was valid), freelist
// ids, branch and leaf elements, and the bucket headers and inline pages
// inside bucket values. Keys and values stay as they are. Pages are walked
// by their headers, free and stale ones included, as bbolt wrote them; an
// overflow page's continuation is data. It fails on a page type it does not
// know or a field that points outside its page.
func swapByteOrder(data []byte, pageSize int, from, to binary.ByteOrder) ([]byte, error) {
	out := bytes.Clone(data)
	for id := 0; (id+1)*pageSize <= len(data); id++ {
		off := id * pageSize
		overflow := int(from.Uint32(data[off+12:]))
		end := min(len(data), off+(overflow+1)*pageSize)
		if err := swapPage(data[off:end], out[off:end], from, to, false); err != nil {
			return nil, fmt.Errorf("page %d: %w", id, err)
		}
		id += overflow
	}
	return out, nil
}

// swapPage swaps the page image in (in byte order from) into out (the same
// length) in byte order to. inline says the page is inside a bucket value.
func swapPage(in, out []byte, from, to binary.ByteOrder, inline bool) error {
	if len(in) < fxPageHeaderSize {
		return fmt.Errorf("page of %d bytes has no room for its header", len(in))
	}
	flags, count := from.Uint16(in[8:]), int(from.Uint16(in[10:]))
	swap64(in, out, 0, from, to)
	swap16(in, out, 8, from, to)
	swap16(in, out, 10, from, to)
	swap32(in, out, 12, from, to)
	if inline && flags != fxLeafPage {
		return fmt.Errorf("inline page has flags %#x", flags)
	}
	switch flags {
	case 0:
		if !bytes.Equal(in[:fxPageHeaderSize], make([]byte, fxPageHeaderSize)) {
			return fmt.Errorf("page without a type has a header % x", in[:fxPageHeaderSize])
		}
	case fxMetaPage:
		m := fxPageHeaderSize
		if len(in) < m+fxMetaChecksummed+8 {
			return fmt.Errorf("meta page of %d bytes", len(in))
		}
		valid := from.Uint64(in[m+fxMetaChecksummed:]) == metaSum(in[m:m+fxMetaChecksummed])
		for i := 0; i < 16; i += 4 {
			swap32(in, out, m+i, from, to)
		}
		for i := 16; i <= fxMetaChecksummed; i += 8 {
			swap64(in, out, m+i, from, to)
		}
		if valid {
			to.PutUint64(out[m+fxMetaChecksummed:], metaSum(out[m:m+fxMetaChecksummed]))
		}
	case fxFreelistPage:
		first := fxPageHeaderSize
		if count == fxFreelistCountOverflow {
			if len(in) < first+8 {
				return fmt.Errorf("freelist page of %d bytes has no count slot", len(in))
			}
			count = 1 + int(from.Uint64(in[first:]))
		}
		if first+8*count > len(in) {
			return fmt.Errorf("freelist of %d ids overflows its %d bytes", count, len(in))
		}
		for i := 0; i < count; i++ {
			swap64(in, out, first+8*i, from, to)
		}
	case fxBranchPage:
		if fxPageHeaderSize+count*fxElementSize > len(in) {
			return fmt.Errorf("%d branch elements overflow %d bytes", count, len(in))
		}
		for i := 0; i < count; i++ {
			e := fxPageHeaderSize + i*fxElementSize
			swap32(in, out, e, from, to)   // pos
			swap32(in, out, e+4, from, to) // ksize
			swap64(in, out, e+8, from, to) // pgid
		}
	case fxLeafPage:
		if fxPageHeaderSize+count*fxElementSize > len(in) {
			return fmt.Errorf("%d leaf elements overflow %d bytes", count, len(in))
		}
		for i := 0; i < count; i++ {
			e := fxPageHeaderSize + i*fxElementSize
			eflags := from.Uint32(in[e:])
			v := e + int(from.Uint32(in[e+4:])) + int(from.Uint32(in[e+8:]))
			vsize := int(from.Uint32(in[e+12:]))
			for j := 0; j < fxElementSize; j += 4 {
				swap32(in, out, e+j, from, to) // flags, pos, ksize, vsize
			}
			if v+vsize > len(in) {
				return fmt.Errorf("leaf element %d ends at %d, beyond %d bytes", i, v+vsize, len(in))
			}
			if eflags&fxBucketLeafFlag == 0 {
				continue
			}
			if vsize < fxBucketHeaderSize {
				return fmt.Errorf("bucket element %d has a value of %d bytes", i, vsize)
			}
			root := from.Uint64(in[v:])
			swap64(in, out, v, from, to)   // root
			swap64(in, out, v+8, from, to) // sequence
			if root == 0 {
				page := v + fxBucketHeaderSize
				if err := swapPage(in[page:v+vsize], out[page:v+vsize], from, to, true); err != nil {
					return fmt.Errorf("inline bucket of element %d: %w", i, err)
				}
			}
		}
	default:
		return fmt.Errorf("unknown page flags %#x", flags)
	}
	return nil
}

func swap16(in, out []byte, off int, from, to binary.ByteOrder) {
	to.PutUint16(out[off:], from.Uint16(in[off:]))
}

func swap32(in, out []byte, off int, from, to binary.ByteOrder) {
	to.PutUint32(out[off:], from.Uint32(in[off:]))
}

func swap64(in, out []byte, off int, from, to binary.ByteOrder) {
	to.PutUint64(out[off:], from.Uint64(in[off:]))
}

// metaSum is bbolt's meta checksum: FNV-1a (64-bit) of the meta's bytes
// before the checksum field.
func metaSum(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// odDump renders pages of data as bbolt's "dump" command does: od-style
// lines of 16 bytes in 2-byte groups, each group's bytes in file order,
// with a run of repeated lines shown as "*" (the last line of a page always
// printed), a blank line after each page and a separator between pages.
func odDump(data []byte, pageSize int, ids ...int) string {
	var b strings.Builder
	for n, id := range ids {
		if n > 0 {
			b.WriteString("===============================================\n")
		}
		page := data[id*pageSize : (id+1)*pageSize]
		var prev []byte
		starred := false
		for off := 0; off < pageSize; off += 16 {
			line := page[off : off+16]
			if bytes.Equal(line, prev) && off+16 < pageSize {
				if !starred {
					fmt.Fprintf(&b, "%07x *\n", id*pageSize+off)
					starred = true
				}
				continue
			}
			fmt.Fprintf(&b, "%07x", id*pageSize+off)
			for g := 0; g < 16; g += 2 {
				fmt.Fprintf(&b, " %02x%02x", line[g], line[g+1])
			}
			b.WriteString("\n")
			prev, starred = line, false
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestFixture_ByteSwap checks the byte swapping the big-endian runs depend
// on, on every machine: swapping the fixture to big-endian and back gives it
// back unchanged, the swap changes every page header and meta field it
// should, and the swapped metas carry valid checksums.
func TestFixture_ByteSwap(t *testing.T) {
	le, err := os.ReadFile(filepath.Join("testdata", "bbolt.db"))
	if err != nil {
		t.Fatal(err)
	}
	be, err := swapByteOrder(le, fixturePageSize, binary.LittleEndian, binary.BigEndian)
	if err != nil {
		t.Fatal(err)
	}
	back, err := swapByteOrder(be, fixturePageSize, binary.BigEndian, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, le) {
		t.Fatal("swapping to big-endian and back changed the fixture")
	}
	pages := 0
	for id := 0; id < len(le)/fixturePageSize; id++ {
		off := id * fixturePageSize
		overflow := binary.LittleEndian.Uint32(le[off+12:])
		if le[off+8] != 0 || le[off+9] != 0 {
			pages++
			if got := binary.BigEndian.Uint64(be[off:]); got != uint64(id) {
				t.Errorf("page %d: swapped header id %d", id, got)
			}
			if got := binary.BigEndian.Uint32(be[off+12:]); got != overflow {
				t.Errorf("page %d: swapped overflow %d, want %d", id, got, overflow)
			}
		}
		id += int(overflow)
	}
	if pages != 14 {
		t.Errorf("%d pages with a type, want 14: pages 0 to 14 but 8, page 7's overflow", pages)
	}
	for id := 0; id < 2; id++ {
		m := be[id*fixturePageSize+fxPageHeaderSize:]
		if got := binary.BigEndian.Uint32(m); got != 0xED0CDAED {
			t.Errorf("meta %d: swapped magic %#x", id, got)
		}
		if got := binary.BigEndian.Uint32(m[8:]); got != fixturePageSize {
			t.Errorf("meta %d: swapped page size %d", id, got)
		}
		if got, want := binary.BigEndian.Uint64(m[fxMetaChecksummed:]), metaSum(m[:fxMetaChecksummed]); got != want {
			t.Errorf("meta %d: swapped checksum %016x, want %016x", id, got, want)
		}
	}
	// A leaf holding the inline bucket "sub" (page 12): its bucket header's
	// sequence, 7, and the inline page's element count, 2, are swapped too.
	seq := bytes.Index(le, []byte("sub\x00\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00"))
	if seq < 0 {
		t.Fatal("the fixture has no inline bucket \"sub\" with sequence 7")
	}
	v := seq + len("sub")
	if got := binary.BigEndian.Uint64(be[v+8:]); got != 7 {
		t.Errorf("inline bucket sequence swapped to %d", got)
	}
	if got := binary.BigEndian.Uint16(be[v+fxBucketHeaderSize+10:]); got != 2 {
		t.Errorf("inline page count swapped to %d", got)
	}
}

// TestFixture_DumpMatchesBbolt checks odDump, which gives TestDump its
// expectation on big-endian machines, against bbolt's own dump of the
// little-endian fixture.
func TestFixture_DumpMatchesBbolt(t *testing.T) {
	le, err := os.ReadFile(filepath.Join("testdata", "bbolt.db"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := odDump(le, fixturePageSize, 0, 7, 12), golden(t, "dump-0-7-12.txt"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
