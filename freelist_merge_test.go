package bolt

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// randomSplit returns two disjoint sorted sets of distinct ids drawn from
// [2, 2+span), of random sizes (either may be empty).
func randomSplit(r *rand.Rand, span int) (a, b []Pgid) {
	for id := 2; id < 2+span; id++ {
		switch r.IntN(3) {
		case 0:
			a = append(a, Pgid(id))
		case 1:
			b = append(b, Pgid(id))
		}
	}
	// Thin one side at random so that short-against-long merges occur.
	if r.IntN(2) == 0 && len(b) > 0 {
		b = b[:r.IntN(len(b))]
	}
	return a, b
}

func TestMergeSorted_MatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for round := 0; round < 500; round++ {
		a, b := randomSplit(r, r.IntN(60))
		want := slices.Sorted(slices.Values(append(slices.Clone(a), b...)))
		prefix := []Pgid{999}
		got := mergeSorted(slices.Clone(prefix), a, b)
		if !slices.Equal(got, append(prefix, want...)) {
			t.Fatalf("mergeSorted(%v, %v) = %v, want %v", a, b, got[1:], want)
		}
	}
}

func TestArrayFree_AddInPlace_MatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for round := 0; round < 500; round++ {
		a, b := randomSplit(r, r.IntN(60))
		want := slices.Sorted(slices.Values(append(slices.Clone(a), b...)))
		// Spare capacity or none: both paths of the in-place merge.
		ids := slices.Clone(a)
		if r.IntN(2) == 0 {
			ids = slices.Grow(ids, r.IntN(8))
		}
		f := &arrayFree{ids: ids}
		f.add(b)
		if !slices.Equal(f.ids, want) {
			t.Fatalf("add(%v) to %v = %v, want %v", b, a, f.ids, want)
		}
	}
}
