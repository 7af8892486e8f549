package bolt

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boltkv/bolt/internal/rawpage"
)

// The tests of this file pin that internal/rawpage, the byte-level codec the
// bolt command uses, and page.go's structs describe one layout: every size,
// every field's offset (each field is given a distinct value and must come
// out of the other side as that field), and whole pages of real files the
// library writes, decoded and re-encoded byte for byte.

func TestRawpage_SizesAndConstants(t *testing.T) {
	require.Equal(t, pageHeaderSize, rawpage.HeaderSize)
	require.Equal(t, metaSize, rawpage.MetaSize)
	require.Equal(t, leafElementSize, rawpage.LeafElementSize)
	require.Equal(t, branchElementSize, rawpage.BranchElementSize)
	require.Equal(t, bucketHeaderSize, rawpage.BucketHeaderSize)
	require.Equal(t, magic, rawpage.Magic)
	require.Equal(t, version, rawpage.Version)
	require.Equal(t, branchPageFlag, rawpage.BranchPageFlag)
	require.Equal(t, leafPageFlag, rawpage.LeafPageFlag)
	require.Equal(t, metaPageFlag, rawpage.MetaPageFlag)
	require.Equal(t, freelistPageFlag, rawpage.FreelistPageFlag)
	require.Equal(t, bucketLeafFlag, rawpage.BucketLeafFlag)
	require.Equal(t, uint64(pgidNoFreelist), rawpage.NoFreelist)
	require.Equal(t, freelistCountOverflow, rawpage.FreelistCountOverflow)
	require.Equal(t, pageHeaderSize+metaSize, rawpage.MinPageSize)
}

func TestRawpage_HeaderFields(t *testing.T) {
	buf := alignedBuf(64)
	p := pageAt(buf)
	p.id, p.flags, p.count, p.overflow = 0x0102030405060708, 0x1112, 0x2122, 0x31323334
	h, err := rawpage.DecodeHeader(buf)
	require.NoError(t, err)
	require.Equal(t, rawpage.Header{ID: 0x0102030405060708, Flags: 0x1112, Count: 0x2122, Overflow: 0x31323334}, h)

	other := alignedBuf(64)
	rawpage.EncodeHeader(other, h)
	require.Equal(t, buf, other)
	for _, f := range []uint16{branchPageFlag, leafPageFlag, metaPageFlag, freelistPageFlag, 0x20} {
		require.Equal(t, (&page{flags: f}).typ(), rawpage.Header{Flags: f}.Type())
	}
}

func TestRawpage_MetaFields(t *testing.T) {
	buf := alignedBuf(4096)
	m := meta{
		magic: 0x01020304, version: 0x05060708, pageSize: 0x090A0B0C, flags: 0x0D0E0F10,
		root:     bucketHeader{root: 0x1111111111111101, sequence: 0x2222222222222202},
		freelist: 0x3333333333333303, pgid: 0x4444444444444404, txid: 0x5555555555555505,
	}
	m.checksum = m.sum64()
	putMeta(buf[pageHeaderSize:], &m)
	got, err := rawpage.DecodeMeta(buf)
	require.NoError(t, err)
	require.Equal(t, rawpage.Meta{
		Magic: 0x01020304, Version: 0x05060708, PageSize: 0x090A0B0C, Flags: 0x0D0E0F10,
		Root: 0x1111111111111101, Sequence: 0x2222222222222202,
		Freelist: 0x3333333333333303, Pgid: 0x4444444444444404, Txid: 0x5555555555555505,
		Checksum: m.checksum,
	}, got)
	require.Equal(t, m.sum64(), got.Sum(), "both checksum the same bytes")
	require.ErrorIs(t, got.Validate(), ErrInvalid, "the magic is wrong")

	// A valid meta: both sides validate it, and EncodeMeta writes the
	// library's bytes.
	m = freshMeta(1, 4096)
	m.checksum = m.sum64()
	putMeta(buf[pageHeaderSize:], &m)
	got, err = rawpage.DecodeMeta(buf)
	require.NoError(t, err)
	require.NoError(t, got.Validate())
	other := alignedBuf(4096)
	got.Checksum = 0 // recomputed
	require.NoError(t, rawpage.EncodeMeta(other, got))
	require.Equal(t, buf, other)
	for _, tc := range []struct {
		damage func(m *rawpage.Meta)
		want   error
	}{
		{func(m *rawpage.Meta) { m.Magic++ }, ErrInvalid},
		{func(m *rawpage.Meta) { m.Version++ }, ErrVersionMismatch},
		{func(m *rawpage.Meta) { m.Txid++ }, ErrChecksum},
	} {
		bad := got
		bad.Checksum = bad.Sum()
		tc.damage(&bad)
		raw := alignedBuf(4096)
		require.NoError(t, rawpage.EncodeMeta(raw, bad))
		if tc.want == ErrChecksum { // EncodeMeta fixes checksums: damage after it
			ne.PutUint64(raw[pageHeaderSize+56:], bad.Checksum^1)
		}
		lib := metaOf(raw[pageHeaderSize:])
		dec, err := rawpage.DecodeMeta(raw)
		require.NoError(t, err)
		require.ErrorIs(t, lib.validate(), tc.want)
		require.ErrorIs(t, dec.Validate(), tc.want)
	}
}

func TestRawpage_Elements(t *testing.T) {
	inodes := []inode{
		{flags: bucketLeafFlag, key: []byte("a"), value: []byte("0123456789abcdef")},
		{key: []byte("bb"), value: []byte{}},
		{key: []byte("ccc"), value: bytes.Repeat([]byte{7}, 300)},
	}
	for _, leaf := range []bool{true, false} {
		t.Run(fmt.Sprintf("leaf=%v", leaf), func(t *testing.T) {
			in := make([]inode, len(inodes))
			for i, n := range inodes {
				in[i] = n
				if !leaf {
					in[i] = inode{key: n.key, pgid: Pgid(0x0A0B0C0D0E0F1000) + Pgid(i)}
				}
			}
			lib := alignedBuf(1024)
			writeElements(lib, leaf, in)
			pageAt(lib).id = 9
			enc := alignedBuf(1024)
			if leaf {
				elems, err := rawpage.DecodeLeaf(lib)
				require.NoError(t, err)
				require.Len(t, elems, len(in))
				for i, e := range elems {
					require.Equal(t, in[i].flags, e.Flags)
					require.Equal(t, in[i].key, e.Key)
					require.Equal(t, in[i].value, e.Value)
				}
				require.Equal(t, elementsSize(in), rawpage.LeafSize(elems))
				require.NoError(t, rawpage.EncodeLeaf(enc, 9, 0, elems))
			} else {
				elems, err := rawpage.DecodeBranch(lib)
				require.NoError(t, err)
				require.Len(t, elems, len(in))
				for i, e := range elems {
					require.Equal(t, in[i].key, e.Key)
					require.Equal(t, uint64(in[i].pgid), e.Pgid)
				}
				require.Equal(t, elementsSize(in), rawpage.BranchSize(elems))
				require.NoError(t, rawpage.EncodeBranch(enc, 9, 0, elems))
			}
			require.Equal(t, lib, enc, "the codec writes the library's bytes")
		})
	}
}

func TestRawpage_BucketHeaderAndFreelist(t *testing.T) {
	v := make([]byte, bucketHeaderSize+3)
	putBucketHeader(v, bucketHeader{root: 0x0102030405060708, sequence: 0x1112131415161718})
	root, seq, err := rawpage.DecodeBucketHeader(v)
	require.NoError(t, err)
	require.Equal(t, uint64(0x0102030405060708), root)
	require.Equal(t, uint64(0x1112131415161718), seq)

	for _, n := range []int{0, 3, freelistCountOverflow - 1, freelistCountOverflow, freelistCountOverflow + 5} {
		ids := make([]Pgid, n)
		want := make([]uint64, n)
		for i := range ids {
			ids[i] = Pgid(2 + 3*i)
			want[i] = uint64(ids[i])
		}
		buf := alignedBuf(freelistSize(n))
		freelistWrite(buf, ids)
		got, err := rawpage.DecodeFreelist(buf)
		require.NoError(t, err, "n=%d", n)
		require.Equal(t, want, got, "n=%d", n)
	}
}

// TestRawpage_LibraryFiles decodes every page of files the library wrote,
// at several page sizes, and compares each with what the library's own
// accessors read; it re-encodes every meta, leaf and branch page with the
// codec, writes the file back, and the library must read the same data
// from it and find it consistent.
func TestRawpage_LibraryFiles(t *testing.T) {
	for _, ps := range []int{512, 4096, 16384} {
		t.Run(fmt.Sprintf("pageSize=%d", ps), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db")
			db, err := Open(path, 0o600, &Options{PageSize: ps})
			require.NoError(t, err)
			require.NoError(t, db.Update(func(tx *Tx) error {
				for b := 0; b < 3; b++ {
					bk, err := tx.CreateBucket([]byte(fmt.Sprintf("bucket-%d", b)))
					if err != nil {
						return err
					}
					if err := bk.SetSequence(uint64(40 + b)); err != nil {
						return err
					}
					for i := 0; i < 400; i++ {
						if err := bk.Put([]byte(fmt.Sprintf("key-%05d", i)), bytes.Repeat([]byte{byte(i)}, i%50)); err != nil {
							return err
						}
					}
					if err := bk.Put([]byte("large"), bytes.Repeat([]byte("L"), 3*ps)); err != nil {
						return err
					}
					inline, err := bk.CreateBucket([]byte("inline"))
					if err != nil {
						return err
					}
					if err := inline.Put([]byte("x"), []byte("y")); err != nil {
						return err
					}
				}
				return nil
			}))
			// Free some pages so that the freelist page lists ids.
			require.NoError(t, db.Update(func(tx *Tx) error {
				return tx.DeleteBucket([]byte("bucket-1"))
			}))
			want := dumpKVs(t, db)
			require.NoError(t, db.Close())

			data, err := os.ReadFile(path)
			require.NoError(t, err)
			metas := [2]meta{metaOf(data[pageHeaderSize:]), metaOf(data[ps+pageHeaderSize:])}
			probed, ok := rawpage.ProbePageSize(bytes.NewReader(data), int64(len(data)))
			require.True(t, ok)
			require.Equal(t, ps, probed)
			active := metas[0]
			if metas[1].txid > active.txid {
				active = metas[1]
			}

			kinds := map[string]int{}
			for id := 0; id < int(active.pgid); {
				p := pageAt(data[id*ps:])
				h, err := rawpage.DecodeHeader(data[id*ps:])
				require.NoError(t, err)
				require.Equal(t, rawpage.Header{ID: uint64(p.id), Flags: p.flags, Count: p.count, Overflow: p.overflow}, h)
				span := data[id*ps : (id+1+int(p.overflow))*ps]
				kinds[h.Type()]++
				switch {
				case p.flags == metaPageFlag:
					m, err := rawpage.DecodeMeta(span)
					require.NoError(t, err)
					require.NoError(t, m.Validate())
					lib := metaOf(span[pageHeaderSize:])
					require.Equal(t, uint64(lib.pgid), m.Pgid)
					require.Equal(t, uint64(lib.txid), m.Txid)
					require.Equal(t, uint64(lib.root.root), m.Root)
					require.NoError(t, rawpage.EncodeMeta(span, m))
				case p.flags == freelistPageFlag && uint64(p.id) == uint64(active.freelist):
					ids, err := rawpage.DecodeFreelist(span)
					require.NoError(t, err)
					require.NotEmpty(t, ids)
					require.Len(t, ids, len(p.freelistIDs()))
					for i, id := range p.freelistIDs() {
						require.Equal(t, uint64(id), ids[i])
					}
				case p.flags == leafPageFlag && p.id == Pgid(id):
					elems, err := rawpage.DecodeLeaf(span)
					require.NoError(t, err)
					for i, e := range elems {
						le := p.leafElement(i)
						require.Equal(t, le.flags, e.Flags)
						require.Equal(t, le.key(), e.Key)
						require.Equal(t, le.value(), e.Value)
					}
					again := make([]byte, len(span))
					require.NoError(t, rawpage.EncodeLeaf(again, h.ID, h.Overflow, elems))
					n := rawpage.LeafSize(elems)
					require.Equal(t, span[:n], again[:n])
					copy(span, again)
				case p.flags == branchPageFlag && p.id == Pgid(id):
					elems, err := rawpage.DecodeBranch(span)
					require.NoError(t, err)
					for i, e := range elems {
						be := p.branchElement(i)
						require.Equal(t, be.key(), e.Key)
						require.Equal(t, uint64(be.pgid), e.Pgid)
					}
					again := make([]byte, len(span))
					require.NoError(t, rawpage.EncodeBranch(again, h.ID, h.Overflow, elems))
					n := rawpage.BranchSize(elems)
					require.Equal(t, span[:n], again[:n])
					copy(span, again)
				}
				id += 1 + int(p.overflow)
			}
			require.Equal(t, 2, kinds["meta"])
			require.Positive(t, kinds["leaf"])
			require.Positive(t, kinds["freelist"])
			if ps <= 4096 {
				require.Positive(t, kinds["branch"], "%v", kinds)
			}

			require.NoError(t, os.WriteFile(path, data, 0o600))
			db, err = Open(path, 0o600, &Options{ReadOnly: true})
			require.NoError(t, err)
			defer db.Close()
			require.Equal(t, want, dumpKVs(t, db))
			require.NoError(t, db.View(func(tx *Tx) error {
				for err := range tx.Check() {
					return err
				}
				return nil
			}))
		})
	}
}

// dumpKVs lists every bucket, sequence, key and value of db, nested ones
// included, as text.
func dumpKVs(t *testing.T, db *DB) []string {
	t.Helper()
	var out []string
	var walk func(prefix string, b *Bucket) error
	walk = func(prefix string, b *Bucket) error {
		out = append(out, fmt.Sprintf("%s seq=%d", prefix, b.Sequence()))
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(prefix+"/"+string(k), b.Bucket(k))
			}
			out = append(out, fmt.Sprintf("%s/%s=%x", prefix, k, v))
			return nil
		})
	}
	require.NoError(t, db.View(func(tx *Tx) error {
		return tx.ForEach(func(name []byte, b *Bucket) error { return walk(string(name), b) })
	}))
	require.NotEmpty(t, out)
	return out
}
