package bolt

import (
	"flag"
	"testing"
	"time"
)

// seedFlag is the one seed of every randomized test in this package (the
// simulation, power-cut, fault, kill, free-list and corruption tests). Each
// test logs the seed it used, again on failure; pass it back with -seed to
// replay the same run.
var seedFlag = flag.Int64("seed", 0, "seed of the randomized tests (0 picks one from the clock and logs it)")

// testSeed returns the -seed flag, or a seed from the clock when it is 0,
// and logs it, again on failure.
func testSeed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(*seedFlag)
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d", seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("failed with seed %d: rerun with -seed=%d", seed, seed)
		}
	})
	return seed
}

// TestSeed gives the external test package (bolt_test) the same seed.
var TestSeed = testSeed
