package bolt

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// The page and node searches compare the first eight bytes of keys as integers and
// fall back to bytes.Compare on a tie. Keys drawn from a two-letter alphabet
// with lengths around eight share long prefixes, differ after byte eight,
// and are often shorter than eight bytes: every branch of that shortcut.
func TestPage_Search_MatchesBytesCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	randKey := func() []byte {
		k := make([]byte, 1+r.IntN(12))
		for i := range k {
			k[i] = "ab"[r.IntN(2)]
		}
		return k
	}
	for round := 0; round < 200; round++ {
		seen := map[string]bool{}
		var keys [][]byte
		for len(keys) < 1+r.IntN(40) {
			if k := randKey(); !seen[string(k)] {
				seen[string(k)] = true
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, bytes.Compare)
		var leafIn, branchIn []inode
		for i, k := range keys {
			leafIn = append(leafIn, inode{key: k, value: []byte("v")})
			branchIn = append(branchIn, inode{key: k, pgid: Pgid(i + 2)})
		}
		leaf, _ := testLeafPage(4096, 0, true, leafIn)
		branch, _ := testLeafPage(4096, 0, false, branchIn)
		n := &node{isLeaf: true, inodes: leafIn}
		for probe := 0; probe < 50; probe++ {
			q := randKey()
			if probe%5 == 0 {
				q = keys[r.IntN(len(keys))]
			}
			want := sort.Search(len(keys), func(i int) bool { return bytes.Compare(keys[i], q) >= 0 })
			wantExact := want < len(keys) && bytes.Equal(keys[want], q)

			got, ok := leaf.searchLeaf(q, 4096)
			if !ok || got != want {
				t.Fatalf("searchLeaf(%q) over %q = %d, %t; want %d", q, keys, got, ok, want)
			}
			got, exact, ok := branch.searchBranch(q, 4096)
			if !ok || got != want || exact != wantExact {
				t.Fatalf("searchBranch(%q) over %q = %d, %t, %t; want %d, %t", q, keys, got, exact, ok, want, wantExact)
			}
			got, exact = n.search(q)
			if got != want || exact != wantExact {
				t.Fatalf("node.search(%q) over %q = %d, %t; want %d, %t", q, keys, got, exact, want, wantExact)
			}
		}
	}
}
