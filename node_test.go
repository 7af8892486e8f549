package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestNode returns an empty node of a bucket in a bare writable
// transaction of the given page size, enough for put, del, read, write and
// split.
func newTestNode(pageSize int, fill float64, leaf bool) *node {
	tx := &Tx{db: &DB{pageSize: pageSize}, pageSize: pageSize, writable: true}
	b := new(Bucket)
	b.init(tx, bucketHeader{})
	b.FillPercent = fill
	return &node{bucket: b, isLeaf: leaf}
}

// keysOf returns the keys of n's elements as strings.
func keysOf(n *node) []string {
	var keys []string
	for _, in := range n.inodes {
		keys = append(keys, string(in.key))
	}
	return keys
}

func TestNode_Put_InsertsSorted(t *testing.T) {
	n := newTestNode(4096, DefaultFillPercent, true)
	n.put([]byte("baz"), []byte("baz"), []byte("2"), 0, 0)
	n.put([]byte("foo"), []byte("foo"), []byte("0"), 0, 0)
	n.put([]byte("bar"), []byte("bar"), []byte("1"), 0, 0)
	n.put([]byte("helium"), []byte("helium"), []byte("h"), 0, bucketLeafFlag)
	n.put([]byte("a"), []byte("a"), nil, 0, 0)

	assert.Equal(t, []string{"a", "bar", "baz", "foo", "helium"}, keysOf(n))
	assert.Equal(t, []byte("1"), n.inodes[1].value)
	assert.Equal(t, []byte("2"), n.inodes[2].value)
	assert.Equal(t, []byte("0"), n.inodes[3].value)
	assert.Equal(t, bucketLeafFlag, n.inodes[4].flags)
	assert.Equal(t, uint32(0), n.inodes[3].flags)
	assert.False(t, n.unbalanced, "put does not unbalance")
}

func TestNode_Put_Replaces(t *testing.T) {
	n := newTestNode(4096, DefaultFillPercent, true)
	n.put([]byte("a"), []byte("a"), []byte("1"), 0, 0)
	n.put([]byte("b"), []byte("b"), []byte("2"), 0, bucketLeafFlag)
	n.put([]byte("c"), []byte("c"), []byte("3"), 0, 0)

	n.put([]byte("b"), []byte("b"), []byte("two"), 0, 0)
	require.Equal(t, []string{"a", "b", "c"}, keysOf(n))
	assert.Equal(t, []byte("two"), n.inodes[1].value)
	assert.Equal(t, uint32(0), n.inodes[1].flags, "flags replaced too")
}

func TestNode_Put_Branch_RenamesKey(t *testing.T) {
	n := newTestNode(4096, DefaultFillPercent, false)
	n.put([]byte("b"), []byte("b"), nil, 10, 0)
	n.put([]byte("m"), []byte("m"), nil, 11, 0)
	n.put([]byte("x"), []byte("x"), nil, 12, 0)

	// A child whose first key became "k" is re-keyed in place.
	n.put([]byte("m"), []byte("k"), nil, 21, 0)
	require.Equal(t, []string{"b", "k", "x"}, keysOf(n))
	assert.Equal(t, []Pgid{10, 21, 12}, []Pgid{n.inodes[0].pgid, n.inodes[1].pgid, n.inodes[2].pgid})
}

func TestNode_Del(t *testing.T) {
	n := newTestNode(4096, DefaultFillPercent, true)
	for _, k := range []string{"a", "b", "c", "d"} {
		n.put([]byte(k), []byte(k), []byte("v"+k), 0, 0)
	}

	n.del([]byte("zz"))
	n.del([]byte("bb"))
	n.del([]byte(""))
	assert.Equal(t, []string{"a", "b", "c", "d"}, keysOf(n))
	assert.False(t, n.unbalanced, "deleting a missing key changes nothing")

	n.del([]byte("b"))
	assert.Equal(t, []string{"a", "c", "d"}, keysOf(n))
	assert.Equal(t, []byte("vc"), n.inodes[1].value)
	assert.True(t, n.unbalanced)

	n.del([]byte("d"))
	n.del([]byte("a"))
	n.del([]byte("c"))
	assert.Empty(t, n.inodes)
}

func TestNode_Size(t *testing.T) {
	n := newTestNode(4096, DefaultFillPercent, true)
	assert.Equal(t, 16, n.size())
	n.put([]byte("key"), []byte("key"), []byte("value"), 0, 0)
	assert.Equal(t, 16+16+3+5, n.size())
	n.put([]byte("k2"), []byte("k2"), nil, 0, 0)
	assert.Equal(t, 16+16+3+5+16+2, n.size())

	b := newTestNode(4096, DefaultFillPercent, false)
	b.put([]byte("abc"), []byte("abc"), nil, 9, 0)
	assert.Equal(t, 16+16+3, b.size(), "a branch element has no value bytes")
}

func TestNode_SizeLessThan(t *testing.T) {
	n := newTestNode(4096, DefaultFillPercent, true)
	for i := range 10 {
		k := fmt.Appendf(nil, "key%02d", i)
		n.put(k, k, bytes.Repeat([]byte{'v'}, i*7), 0, 0)
	}
	size := n.size()
	for _, v := range []int{size + 100, size + 1, size, size - 1, 33, 17, 0} {
		assert.Equal(t, size < v, n.sizeLessThan(v), "sizeLessThan(%d) with size %d", v, size)
	}
}

func TestNode_ReadWrite_Leaf(t *testing.T) {
	n := newTestNode(4096, DefaultFillPercent, true)
	n.put([]byte("susy"), []byte("susy"), []byte("que"), 0, 0)
	n.put([]byte("ricki"), []byte("ricki"), []byte("lake"), 0, 0)
	n.put([]byte("john"), []byte("john"), []byte("johnson"), 0, 0)
	n.put([]byte("sub"), []byte("sub"), bytes.Repeat([]byte{1}, 32), 0, bucketLeafFlag)
	n.put([]byte("empty"), []byte("empty"), nil, 0, 0)

	buf := alignedBuf(n.size())
	n.write(buf)
	p := pageAt(buf)
	p.id = 42
	assert.Equal(t, leafPageFlag, p.flags)
	assert.Equal(t, uint16(5), p.count)
	require.NoError(t, checkElements(p, len(buf)))

	m := newTestNode(4096, DefaultFillPercent, false)
	m.read(p)
	assert.True(t, m.isLeaf)
	assert.Equal(t, Pgid(42), m.pgid)
	assert.Equal(t, []byte("empty"), m.key, "node key is its first key")
	require.Len(t, m.inodes, 5)
	for i := range n.inodes {
		assert.Equal(t, n.inodes[i].key, m.inodes[i].key, "key %d", i)
		assert.True(t, bytes.Equal(n.inodes[i].value, m.inodes[i].value), "value %d", i)
		assert.Equal(t, n.inodes[i].flags, m.inodes[i].flags, "flags %d", i)
	}
	assert.Equal(t, n.size(), m.size())
}

func TestNode_ReadWrite_Branch(t *testing.T) {
	n := newTestNode(4096, DefaultFillPercent, false)
	for i, k := range []string{"delta", "alpha", "charlie", "bravo"} {
		n.put([]byte(k), []byte(k), nil, Pgid(100+i), 0)
	}
	buf := alignedBuf(n.size())
	n.write(buf)
	p := pageAt(buf)
	p.id = 7
	assert.Equal(t, branchPageFlag, p.flags)
	require.NoError(t, checkElements(p, len(buf)))

	m := newTestNode(4096, DefaultFillPercent, true)
	m.read(p)
	assert.False(t, m.isLeaf)
	assert.Equal(t, Pgid(7), m.pgid)
	assert.Equal(t, []byte("alpha"), m.key)
	assert.Equal(t, []string{"alpha", "bravo", "charlie", "delta"}, keysOf(m))
	assert.Equal(t, []Pgid{101, 103, 102, 100}, []Pgid{m.inodes[0].pgid, m.inodes[1].pgid, m.inodes[2].pgid, m.inodes[3].pgid})
	for _, in := range m.inodes {
		assert.Empty(t, in.value)
	}
}

func TestNode_ReadWrite_Empty(t *testing.T) {
	n := newTestNode(4096, DefaultFillPercent, true)
	buf := alignedBuf(n.size())
	n.write(buf)
	m := newTestNode(4096, DefaultFillPercent, false)
	m.key = []byte("stale")
	m.read(pageAt(buf))
	assert.True(t, m.isLeaf)
	assert.Empty(t, m.inodes)
	assert.Nil(t, m.key)
}

// fillNode puts count elements of exactly elemSize serialized bytes
// (16-byte element header, 4-byte key, the rest value) into n.
func fillNode(n *node, count, elemSize int) {
	for i := range count {
		k := binary.BigEndian.AppendUint32(nil, uint32(i))
		var v []byte
		if n.isLeaf {
			v = make([]byte, elemSize-16-4)
		} else {
			k = append(k, make([]byte, elemSize-16-4)...)
		}
		n.put(k, k, v, Pgid(i+2), 0)
	}
}

func TestNode_SplitIndex(t *testing.T) {
	for _, tc := range []struct {
		name      string
		elems     []int // serialized element sizes
		threshold int
		want      int
	}{
		// The first two elements are always kept, whatever the threshold.
		{"tiny threshold", []int{40, 40, 40, 40, 40}, 10, 2},
		// 16+3*40 = 136 fits 140, a fourth would not.
		{"fills to the threshold", []int{40, 40, 40, 40, 40, 40, 40}, 140, 3},
		{"exactly at the threshold", []int{40, 40, 40, 40, 40, 40, 40}, 136, 3},
		{"one byte short", []int{40, 40, 40, 40, 40, 40, 40}, 135, 2},
		// The loop never breaks: the cut is at len-3.
		{"everything fits", []int{20, 20, 20, 20, 20, 20}, 4096, 3},
		{"five fit", []int{20, 20, 20, 20, 20}, 4096, 2},
		{"big tail", []int{20, 20, 20, 20, 500, 500, 500}, 100, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newTestNode(4096, DefaultFillPercent, true)
			for i, sz := range tc.elems {
				k := binary.BigEndian.AppendUint32(nil, uint32(i))
				n.put(k, k, make([]byte, sz-16-4), 0, 0)
			}
			assert.Equal(t, tc.want, n.splitIndex(tc.threshold))
		})
	}
}

func TestNode_Split_FillPercentClampedLow(t *testing.T) {
	// 5 branch elements of 40 bytes, FillPercent 0 -> 0.1 at page size 100:
	// the threshold is 10 bytes, so the first part keeps the minimum of 2.
	n := newTestNode(100, 0, false)
	fillNode(n, 5, 40)
	require.Equal(t, 16+5*40, n.size())

	parts := n.split(100)
	require.Len(t, parts, 2)
	assert.Same(t, n, parts[0])
	assert.Len(t, parts[0].inodes, 2)
	assert.Len(t, parts[1].inodes, 3)
	assert.False(t, parts[1].isLeaf, "the new sibling has the node's type")
	require.NotNil(t, n.parent, "a split root gets a parent")
	assert.Same(t, n.parent, parts[1].parent)
	assert.Equal(t, []*node{n, parts[1]}, n.parent.children)
	assert.False(t, n.parent.isLeaf)
	assert.Equal(t, int64(1), n.bucket.tx.stats.GetSplit())
}

func TestNode_Split_FillPercentClampedLow_Threshold(t *testing.T) {
	// At page size 1000 the clamped threshold is 100 bytes: four 20-byte
	// elements (96 bytes) fit a part, as they would not with 0 or 0.05.
	for _, fill := range []float64{0, 0.05, 0.1, -1} {
		n := newTestNode(1000, fill, true)
		fillNode(n, 60, 20)
		var counts []int
		for _, p := range n.split(1000) {
			counts = append(counts, len(p.inodes))
		}
		assert.Equal(t, []int{4, 4, 4, 48}, counts, "FillPercent %v", fill)
	}
}

func TestNode_Split_FillPercentClampedHigh(t *testing.T) {
	// FillPercent 2 -> 1.0: a threshold of one whole page.
	for _, fill := range []float64{1.0, 2.0, 100} {
		n := newTestNode(1000, fill, true)
		fillNode(n, 30, 100)
		parts := n.split(1000)
		var counts []int
		for _, p := range parts {
			counts = append(counts, len(p.inodes))
		}
		// 16 + 9*100 = 916 <= 1000, a tenth element would not fit.
		assert.Equal(t, []int{9, 9, 9, 3}, counts, "FillPercent %v", fill)
	}
}

func TestNode_Split_DefaultFillPercent(t *testing.T) {
	n := newTestNode(4096, DefaultFillPercent, true)
	fillNode(n, 100, 100)
	parts := n.split(4096)
	// Threshold 2048: 16 + 20*100 = 2016 fits a part. Once 40 elements
	// remain, 4016 bytes are less than a page and are not split again.
	var counts []int
	for _, p := range parts {
		counts = append(counts, len(p.inodes))
		assert.LessOrEqual(t, p.size(), 4096)
	}
	assert.Equal(t, []int{20, 20, 20, 40}, counts)
	assert.Equal(t, int64(3), n.bucket.tx.stats.GetSplit())
}

func TestNode_Split_FewKeysNeverSplit(t *testing.T) {
	for count := 1; count <= 4; count++ {
		n := newTestNode(4096, DefaultFillPercent, true)
		fillNode(n, count, 10000)
		require.Greater(t, n.size(), 4096)
		parts := n.split(4096)
		assert.Len(t, parts, 1, "%d keys", count)
		assert.Same(t, n, parts[0])
		assert.Len(t, n.inodes, count)
		assert.Nil(t, n.parent, "no parent made for an unsplit node")
	}
}

func TestNode_Split_SmallNodeNeverSplits(t *testing.T) {
	// Many keys, but one byte less than a page: no split, whatever the
	// FillPercent.
	n := newTestNode(4096, 0, true)
	fillNode(n, 99, 40)
	k := []byte("zzzz")
	n.put(k, k, make([]byte, 4096-1-n.size()-16-4), 0, 0)
	require.Equal(t, 4095, n.size())
	parts := n.split(4096)
	assert.Len(t, parts, 1)
	assert.Len(t, n.inodes, 100)
	assert.Nil(t, n.parent)

	// A size of exactly one page is split.
	m := newTestNode(1000, 0.5, true)
	fillNode(m, 6, 164)
	require.Equal(t, 1000, m.size())
	assert.Len(t, m.split(1000), 2)
}

func TestNode_Split_RemainderKeepsThreeKeys(t *testing.T) {
	// Four small elements would fit the threshold and the last two are
	// huge, but the cut stops at len-3: the remainder gets three keys.
	n := newTestNode(100, 1.0, true)
	for i, sz := range []int{17, 17, 17, 17, 200, 200} {
		k := []byte{byte('a' + i)}
		n.put(k, k, make([]byte, sz-16-1), 0, 0)
	}
	parts := n.split(100)
	require.Len(t, parts, 2)
	assert.Equal(t, []string{"a", "b", "c"}, keysOf(parts[0]))
	assert.Equal(t, []string{"d", "e", "f"}, keysOf(parts[1]))
}

func TestNode_Split_ChildKeepsParent(t *testing.T) {
	parent := newTestNode(100, 0, false)
	n := &node{bucket: parent.bucket, isLeaf: true, parent: parent}
	parent.children = []*node{n}
	fillNode(n, 5, 40)
	parts := n.split(100)
	require.Len(t, parts, 2)
	assert.Same(t, parent, n.parent, "the existing parent is kept")
	assert.Same(t, parent, parts[1].parent)
	assert.Equal(t, []*node{n, parts[1]}, parent.children)
	assert.True(t, parts[1].isLeaf)
}

// TestNode_Split_Model splits random nodes and checks the rules of SPEC §4.3
// on the result: order kept, every part of at least 2 keys, every cut-off
// remainder of at least 3, each part except the last within the threshold
// unless it holds only the minimum 2 keys, and the last part either small
// enough or of at most 4 keys.
func TestNode_Split_Model(t *testing.T) {
	const seed = 7
	rng := rand.New(rand.NewPCG(seed, 0))
	for round := range 150 {
		pageSize := 256 << rng.IntN(5)
		fill := []float64{0, 0.05, 0.1, 0.25, 0.5, 0.9, 1.0, 1.5}[rng.IntN(8)]
		n := newTestNode(pageSize, fill, rng.IntN(2) == 0)
		count := rng.IntN(60)
		for i := range count {
			k := binary.BigEndian.AppendUint32(nil, uint32(i))
			v := make([]byte, rng.IntN(pageSize/2))
			if rng.IntN(10) == 0 {
				v = make([]byte, pageSize*2)
			}
			if !n.isLeaf {
				k, v = append(k, v...), nil
			}
			n.put(k, k, v, 0, 0)
		}
		orig := append([]inode(nil), n.inodes...)
		origSize := n.size()
		clamped := min(max(fill, 0.1), 1.0)
		threshold := int(float64(pageSize) * clamped)
		where := fmt.Sprintf("seed %d round %d (pageSize %d fill %v, %d keys, size %d)", seed, round, pageSize, fill, count, origSize)

		parts := n.split(pageSize)
		var joined []inode
		for i, p := range parts {
			joined = append(joined, p.inodes...)
			last := i == len(parts)-1
			if !last {
				require.GreaterOrEqual(t, len(p.inodes), 2, where)
				if len(p.inodes) > 2 {
					require.LessOrEqual(t, p.size(), threshold, "%s: part %d", where, i)
				}
			} else {
				require.True(t, len(p.inodes) <= 4 || p.size() < pageSize, "%s: last part %d keys, %d bytes", where, len(p.inodes), p.size())
			}
			if i > 0 {
				require.GreaterOrEqual(t, len(p.inodes), 2, where)
				rest := 0
				for _, q := range parts[i:] {
					rest += len(q.inodes)
				}
				require.GreaterOrEqual(t, rest, 3, "%s: remainder after cut %d", where, i)
				require.Same(t, parts[0].parent, p.parent, where)
			}
		}
		require.Equal(t, orig, joined, where)
		if len(parts) == 1 {
			require.True(t, count <= 4 || origSize < pageSize, where)
		} else {
			require.True(t, count > 4 && origSize >= pageSize, where)
		}
	}
}

// TestNode_Rebalance_MassDelete builds a three-level tree, deletes most of
// its keys in one transaction and checks that the committed tree is
// consistent, smaller, and still holds exactly the surviving keys.
func TestNode_Rebalance_MassDelete(t *testing.T) {
	for _, tc := range []struct {
		name string
		keep int // keep every keep-th key; 0 keeps none
	}{
		{"keep 1 in 100", 100},
		{"keep 1 in 3", 3},
		{"keep none", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Small pages make a three-level tree out of few keys.
			db, err := Open(filepath.Join(t.TempDir(), "db"), 0o600, &Options{PageSize: 1024})
			require.NoError(t, err)
			defer func() { require.NoError(t, db.Close()) }()

			const count = 1500
			key := func(i int) []byte { return fmt.Appendf(nil, "%08d", i) }
			kept := func(i int) bool { return tc.keep > 0 && i%tc.keep == 0 }
			value := bytes.Repeat([]byte{'v'}, 100)
			require.NoError(t, db.Update(func(tx *Tx) error {
				b, err := tx.CreateBucket([]byte("data"))
				if err != nil {
					return err
				}
				for i := range count {
					if err := b.Put(key(i), value); err != nil {
						return err
					}
				}
				return nil
			}))

			var before BucketStats
			require.NoError(t, db.View(func(tx *Tx) error {
				before = tx.Bucket([]byte("data")).Stats()
				assert.Empty(t, tx.checkAll())
				return nil
			}))
			require.Equal(t, 3, before.Depth, "the test needs a three-level tree")
			require.Equal(t, count, before.KeyN)

			require.NoError(t, db.Update(func(tx *Tx) error {
				b := tx.Bucket([]byte("data"))
				for i := range count {
					if !kept(i) {
						if err := b.Delete(key(i)); err != nil {
							return err
						}
					}
				}
				return nil
			}))

			want := 0
			for i := range count {
				if kept(i) {
					want++
				}
			}
			check := func(tx *Tx) error {
				assert.Empty(t, tx.checkAll(), "writable=%v", tx.Writable())
				b := tx.Bucket([]byte("data"))
				after := b.Stats()
				assert.Equal(t, want, after.KeyN)
				assert.Less(t, after.LeafPageN, before.LeafPageN)
				assert.Less(t, after.BranchPageN+after.LeafPageN, before.BranchPageN+before.LeafPageN)
				assert.LessOrEqual(t, after.Depth, before.Depth)
				if tc.keep == 0 || tc.keep == 100 {
					assert.Less(t, after.Depth, before.Depth)
				}
				if want == 0 {
					// An emptied bucket is small enough to be stored inline.
					assert.Equal(t, Pgid(0), b.Root())
					assert.Equal(t, 1, after.InlineBucketN)
					assert.Equal(t, 0, after.LeafPageN+after.BranchPageN)
				} else {
					assert.Equal(t, 0, after.InlineBucketN)
				}
				got := 0
				c := b.Cursor()
				for k, v := c.First(); k != nil; k, v = c.Next() {
					var i int
					_, err := fmt.Sscanf(string(k), "%d", &i)
					require.NoError(t, err)
					assert.True(t, kept(i), "deleted key %s is back", k)
					assert.Equal(t, value, v)
					got++
				}
				assert.Equal(t, want, got)
				return nil
			}
			require.NoError(t, db.View(check))
			require.NoError(t, db.Update(check))
		})
	}
}

// TestNode_Split_ElementCount: a node that fits a page by bytes but holds
// more elements than a page's count can (2 MiB pages, 70,000 keys of three
// bytes) is split so that no part has more than maxNodeElements.
func TestNode_Split_ElementCount(t *testing.T) {
	for _, leaf := range []bool{true, false} {
		n := newTestNode(2<<20, DefaultFillPercent, leaf)
		for i := range 70000 {
			k := []byte{byte(i >> 16), byte(i >> 8), byte(i)}
			n.inodes = append(n.inodes, inode{key: k, pgid: Pgid(i + 2)})
		}
		require.Less(t, n.size(), 2<<20)
		parts := n.split(2 << 20)
		require.Len(t, parts, 2, "leaf=%v", leaf)
		total := 0
		for _, p := range parts {
			require.LessOrEqual(t, len(p.inodes), maxNodeElements)
			total += len(p.inodes)
		}
		require.Equal(t, 70000, total)
	}
}

// withMaxElementOffset lowers the element offset limit for one test, so that
// the limit is reached without gigabytes of data.
func withMaxElementOffset(t *testing.T, limit uint64) {
	old := maxElementOffset
	maxElementOffset = limit
	t.Cleanup(func() { maxElementOffset = old })
}

// TestNode_WritablePrefix checks the longest prefix whose element offsets
// stay within the limit: element i of m sits (m-i)*16 bytes before the key
// area and its key follows the pairs of elements 0..i-1.
func TestNode_WritablePrefix(t *testing.T) {
	withMaxElementOffset(t, 1000)
	for _, tc := range []struct {
		name  string
		elems []int // key+value bytes of each element
		limit int
		want  int
	}{
		{"all fit", []int{100, 100, 100}, 3, 3},
		// Prefix of 3: 3*16 + 400 + 400 = 848 fits; of 4: 64 + 1200 > 1000.
		{"cut by offsets", []int{400, 400, 400, 400}, 4, 3},
		// The last element's own bytes do not count: 2*16 + 900 fits.
		{"last pair is free", []int{900, 5000}, 2, 2},
		// One element always fits, however large.
		{"one huge", []int{5000, 10, 10}, 3, 1},
		{"at most limit", []int{1, 1, 1, 1}, 2, 2},
		// Exactly at the limit: 4*16 + 3*312 = 1000.
		{"exactly at the limit", []int{312, 312, 312, 312, 312}, 5, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newTestNode(4096, DefaultFillPercent, true)
			for i, sz := range tc.elems {
				n.inodes = append(n.inodes, inode{key: []byte{byte(i)}, value: make([]byte, sz-1)})
			}
			require.Equal(t, tc.want, n.writablePrefix(tc.limit))
		})
	}
	n := newTestNode(4096, DefaultFillPercent, true)
	for range maxNodeElements + 10 {
		n.inodes = append(n.inodes, inode{key: []byte{1}})
	}
	maxElementOffset = 1 << 40
	require.Equal(t, maxNodeElements, n.writablePrefix(len(n.inodes)))
}

// TestNode_Split_ElementOffsets: a node of few elements whose offsets would
// wrap (four or fewer elements are never split for size) is split anyway,
// each part within the limit; below it nothing changes.
func TestNode_Split_ElementOffsets(t *testing.T) {
	withMaxElementOffset(t, 64<<10)
	n := newTestNode(4096, DefaultFillPercent, true)
	for i, sz := range []int{40 << 10, 40 << 10, 40 << 10, 10} {
		k := []byte{byte('a' + i)}
		n.put(k, k, make([]byte, sz), 0, 0)
	}
	parts := n.split(4096)
	require.Len(t, parts, 2)
	require.Equal(t, []string{"a", "b"}, keysOf(parts[0]))
	require.Equal(t, []string{"c", "d"}, keysOf(parts[1]))
	for _, p := range parts {
		require.Equal(t, len(p.inodes), p.writablePrefix(len(p.inodes)))
	}

	m := newTestNode(4096, DefaultFillPercent, true)
	for i := range 4 {
		k := []byte{byte('a' + i)}
		m.put(k, k, make([]byte, 15<<10), 0, 0)
	}
	require.Len(t, m.split(4096), 1, "within the limit four elements stay together")
}
