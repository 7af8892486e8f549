package compacthook

import (
	"errors"
	"testing"
)

type fakeDB struct{ items int }

// TestCompact_CallsRegistered: Compact reaches the registered function with
// its arguments and returns its error; for another DB type it refuses.
func TestCompact_CallsRegistered(t *testing.T) {
	saved := impl
	t.Cleanup(func() { impl = saved })
	impl = nil
	if err := Compact(&fakeDB{}, &fakeDB{}, 0, nil); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("unregistered: got %v", err)
	}

	failed := errors.New("failed")
	Register(func(dst, src *fakeDB, txMaxSize int64, progress func()) error {
		for range src.items {
			dst.items++
			progress()
		}
		if txMaxSize == 7 {
			return failed
		}
		return nil
	})
	dst, calls := &fakeDB{}, 0
	if err := Compact(dst, &fakeDB{items: 3}, 0, func() { calls++ }); err != nil {
		t.Fatal(err)
	}
	if dst.items != 3 || calls != 3 {
		t.Errorf("copied %d items, %d progress calls; want 3 and 3", dst.items, calls)
	}
	if err := Compact(dst, &fakeDB{}, 7, func() {}); err != failed {
		t.Errorf("got %v, want the registered function's error", err)
	}
	if err := Compact("a", "b", 0, nil); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("another DB type: got %v", err)
	}
}
