package interop_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// applyTxn runs the operations of t inside tx.
func applyTxn(tx kvTx, t txn) error {
	open := map[string]kvBucket{}
	var get func(path []string) (kvBucket, error)
	get = func(path []string) (kvBucket, error) {
		name := pathString(path)
		if b, ok := open[name]; ok {
			return b, nil
		}
		var b kvBucket
		if len(path) == 1 {
			b = tx.Bucket([]byte(path[0]))
		} else {
			parent, err := get(path[:len(path)-1])
			if err != nil {
				return nil, err
			}
			b = parent.Bucket([]byte(path[len(path)-1]))
		}
		if b == nil {
			return nil, fmt.Errorf("bucket %s not found", name)
		}
		if t.fill != 0 {
			b.SetFillPercent(t.fill)
		}
		open[name] = b
		return b, nil
	}

	for i, o := range t.ops {
		var b kvBucket
		if len(o.path) > 0 {
			var err error
			if b, err = get(o.path); err != nil {
				return fmt.Errorf("op %d (%s): %w", i, o.kind, err)
			}
		}
		var err error
		switch o.kind {
		case opPut:
			err = b.Put(o.key, o.val)
		case opDelete:
			err = b.Delete(o.key)
		case opCreateBucket:
			var nb kvBucket
			if b == nil {
				nb, err = tx.CreateBucket(o.key)
			} else {
				nb, err = b.CreateBucket(o.key)
			}
			if err == nil {
				if t.fill != 0 {
					nb.SetFillPercent(t.fill)
				}
				open[pathString(append(append([]string(nil), o.path...), string(o.key)))] = nb
			}
		case opDeleteBucket:
			if b == nil {
				err = tx.DeleteBucket(o.key)
			} else {
				err = b.DeleteBucket(o.key)
			}
			prefix := pathString(append(append([]string(nil), o.path...), string(o.key)))
			for name := range open {
				if name == prefix || strings.HasPrefix(name, prefix+"/") {
					delete(open, name)
				}
			}
		case opSetSequence:
			err = b.SetSequence(o.seq)
		case opNextSequence:
			var got uint64
			got, err = b.NextSequence()
			if err == nil && got != o.seq {
				err = fmt.Errorf("NextSequence = %d, want %d", got, o.seq)
			}
		}
		if err != nil {
			return fmt.Errorf("op %d (%s %s key %s): %w", i, o.kind, pathString(o.path), showKey(o.key), err)
		}
	}
	return nil
}

// applyPhases runs every transaction of phases, one Update each.
func applyPhases(t testing.TB, e engine, d kvDB, phases []phase) {
	t.Helper()
	for _, ph := range phases {
		applyPhase(t, e, d, ph)
	}
}

func applyPhase(t testing.TB, e engine, d kvDB, ph phase) {
	t.Helper()
	for i, x := range ph.txns {
		if err := d.Update(func(tx kvTx) error { return applyTxn(tx, x) }); err != nil {
			t.Fatalf("%s: phase %s, txn %d: %v", e.name, ph.name, i, err)
		}
	}
}

// reporter limits the number of reported mismatches so that one divergence
// does not bury the log.
type reporter struct {
	t     testing.TB
	label string
	n     int
}

const maxReports = 25

func (r *reporter) errorf(format string, args ...any) {
	r.t.Helper()
	r.n++
	if r.n <= maxReports {
		r.t.Errorf("%s: "+format, append([]any{r.label}, args...)...)
	}
}

func (r *reporter) done() {
	r.t.Helper()
	if r.n > maxReports {
		r.t.Errorf("%s: %d more mismatches not shown", r.label, r.n-maxReports)
	}
}

func showKey(k []byte) string {
	if len(k) > 40 {
		return fmt.Sprintf("%q…(%d bytes)", k[:40], len(k))
	}
	return fmt.Sprintf("%q", k)
}

// diffValue describes how got differs from want, or returns "".
func diffValue(got, want []byte) string {
	if bytes.Equal(got, want) {
		return ""
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	at := func(b []byte) string {
		if i < len(b) {
			end := min(i+8, len(b))
			return fmt.Sprintf("% x", b[i:end])
		}
		return "end"
	}
	return fmt.Sprintf("len %d, want %d; first difference at byte %d: got %s, want %s",
		len(got), len(want), i, at(got), at(want))
}

// verify checks in a read transaction that d holds exactly what m says and
// that the library's own consistency check reports nothing.
func verify(t testing.TB, e engine, d kvDB, m *model, label string) {
	t.Helper()
	r := &reporter{t: t, label: e.name + " " + label}
	err := d.View(func(tx kvTx) error {
		verifyLevel(r, "<root>", tx.Cursor(), m.root, func(name []byte) kvBucket { return tx.Bucket(name) }, nil)
		for _, err := range tx.Check() {
			r.errorf("Check: %v", err)
		}
		return nil
	})
	if err != nil {
		r.errorf("View: %v", err)
	}
	r.done()
}

// verifyLevel compares one bucket (or the top level when b is nil) with mb:
// forward and backward cursor walks, Get, Seek, Sequence and bucket-ness,
// then recurses into the sub-buckets.
func verifyLevel(r *reporter, where string, c kvCursor, mb *mBucket, child func([]byte) kvBucket, b kvBucket) {
	r.t.Helper()
	keys := mb.keys()
	check := func(dir string, i int, k, v []byte) bool {
		if i < 0 || i >= len(keys) {
			r.errorf("%s: %s walk: key %s is one more than the %d expected", where, dir, showKey(k), len(keys))
			return false
		}
		want := keys[i]
		if string(k) != want {
			r.errorf("%s: %s walk: key #%d is %s, want %s", where, dir, i, showKey(k), showKey([]byte(want)))
			return false
		}
		if mb.sub[want] != nil {
			if v != nil {
				r.errorf("%s: %s walk: key %s is a bucket but the cursor gave a non-nil value (%d bytes)", where, dir, showKey(k), len(v))
			}
			return true
		}
		if v == nil {
			r.errorf("%s: %s walk: key %s holds a value (%d bytes) but the cursor gave nil (bucket-ness)", where, dir, showKey(k), len(mb.kv[want]))
		} else if d := diffValue(v, mb.kv[want]); d != "" {
			r.errorf("%s: %s walk: value of %s: %s", where, dir, showKey(k), d)
		}
		return true
	}

	n, ok := 0, true
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if ok = check("forward", n, k, v); !ok {
			break
		}
		n++
	}
	if ok && n < len(keys) {
		r.errorf("%s: forward walk ended after %d of %d keys; next expected %s", where, n, len(keys), showKey([]byte(keys[n])))
	}
	n, ok = 0, true
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		if ok = check("backward", len(keys)-1-n, k, v); !ok {
			break
		}
		n++
	}
	if ok && n < len(keys) {
		r.errorf("%s: backward walk ended after %d of %d keys; next expected %s", where, n, len(keys), showKey([]byte(keys[len(keys)-1-n])))
	}

	for i, key := range keys {
		if i%37 == 0 {
			if k, _ := c.Seek([]byte(key)); string(k) != key {
				r.errorf("%s: Seek(%s) = %s", where, showKey([]byte(key)), showKey(k))
			}
			next := ""
			if i+1 < len(keys) {
				next = keys[i+1]
			}
			if k, _ := c.Seek([]byte(key + "\x00")); string(k) != next {
				r.errorf("%s: Seek(%s+\\x00) = %s, want %s", where, showKey([]byte(key)), showKey(k), showKey([]byte(next)))
			}
		}
		if b == nil {
			continue
		}
		if mv, ok := mb.kv[key]; ok {
			got := b.Get([]byte(key))
			if got == nil {
				r.errorf("%s: Get(%s) = nil, want %d bytes", where, showKey([]byte(key)), len(mv))
			} else if d := diffValue(got, mv); d != "" {
				r.errorf("%s: Get(%s): %s", where, showKey([]byte(key)), d)
			}
			if b.Bucket([]byte(key)) != nil {
				r.errorf("%s: Bucket(%s) on a value key is not nil", where, showKey([]byte(key)))
			}
		} else if got := b.Get([]byte(key)); got != nil {
			r.errorf("%s: Get(%s) on a bucket key = %d bytes, want nil", where, showKey([]byte(key)), len(got))
		}
	}

	for _, key := range keys {
		sub := mb.sub[key]
		if sub == nil {
			continue
		}
		path := key
		if where != "<root>" {
			path = where + "/" + key
		}
		cb := child([]byte(key))
		if cb == nil {
			r.errorf("%s: Bucket(%s) = nil, want a bucket", where, showKey([]byte(key)))
			continue
		}
		if got := cb.Sequence(); got != sub.seq {
			r.errorf("%s: Sequence() = %d, want %d", path, got, sub.seq)
		}
		verifyLevel(r, path, cb.Cursor(), sub, cb.Bucket, cb)
	}
}

// ---- stats comparison ----

// compareStats compares, in one read transaction on each side, the stats of
// every bucket in m plus the database-wide numbers that follow from the
// allocation rules. The label names the point in the workload. It returns
// false if the trees or the free lists differ; the cumulative TxStats
// counters are only reported, once per field (counters remembers which),
// at the first point where they differ, so that a counting difference does
// not hide later differences in the trees.
func compareStats(t testing.TB, a, b kvDB, m *model, label string, counters map[string]bool) bool {
	t.Helper()
	r := &reporter{t: t, label: label}
	type snapshot struct {
		buckets map[string]bucketStats
		size    int64
		id      int
	}
	take := func(d kvDB) snapshot {
		s := snapshot{buckets: map[string]bucketStats{}}
		err := d.View(func(tx kvTx) error {
			s.size, s.id = tx.Size(), tx.ID()
			for _, path := range m.bucketPaths() {
				bk := tx.Bucket([]byte(path[0]))
				for _, name := range path[1:] {
					if bk == nil {
						break
					}
					bk = bk.Bucket([]byte(name))
				}
				if bk == nil {
					return fmt.Errorf("bucket %s missing", pathString(path))
				}
				s.buckets[pathString(path)] = bk.Stats()
			}
			return nil
		})
		if err != nil {
			r.errorf("View: %v", err)
		}
		return s
	}
	sa, sb := take(a), take(b)
	for _, path := range m.bucketPaths() {
		name := pathString(path)
		diffStruct(r, "bucket "+name+" Stats()", sa.buckets[name], sb.buckets[name])
	}
	if sa.size != sb.size {
		r.errorf("Tx.Size() (high-water mark × page size): bbolt=%d bolt=%d", sa.size, sb.size)
	}
	if sa.id != sb.id {
		r.errorf("Tx.ID(): bbolt=%d bolt=%d", sa.id, sb.id)
	}

	da, db := a.Stats(), b.Stats()
	type freeStats struct{ FreePageN, PendingPageN, FreeAlloc, FreelistInuse int }
	diffStruct(r, "DB.Stats()",
		freeStats{da.FreePageN, da.PendingPageN, da.FreeAlloc, da.FreelistInuse},
		freeStats{db.FreePageN, db.PendingPageN, db.FreeAlloc, db.FreelistInuse})
	r.done()
	same := r.n == 0

	// Counters that follow from the tree, allocation and write rules
	// (SPEC §1.6, §3.11: Write is one per page written plus one for the
	// meta). CursorCount, NodeCount and NodeDeref count implementation steps
	// (internal cursors, lazily materialised nodes, remaps), and the
	// durations are timings.
	for _, c := range []struct {
		name string
		a, b int64
	}{
		{"PageCount", da.TxStats.PageCount, db.TxStats.PageCount},
		{"PageAlloc", da.TxStats.PageAlloc, db.TxStats.PageAlloc},
		{"Rebalance", da.TxStats.Rebalance, db.TxStats.Rebalance},
		{"Split", da.TxStats.Split, db.TxStats.Split},
		{"Spill", da.TxStats.Spill, db.TxStats.Spill},
		{"Write", da.TxStats.Write, db.TxStats.Write},
	} {
		if c.a != c.b && !counters[c.name] {
			counters[c.name] = true
			t.Errorf("%s: DB.Stats().TxStats.%s first differs here: bbolt=%d bolt=%d (cumulative; later points not reported)",
				label, c.name, c.a, c.b)
		}
	}
	return same
}

// diffStruct reports every field in which two values of one struct type
// differ. The first is bbolt's, the second bolt's.
func diffStruct(r *reporter, what string, a, b any) {
	r.t.Helper()
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := 0; i < va.NumField(); i++ {
		fa, fb := va.Field(i).Interface(), vb.Field(i).Interface()
		if fa != fb {
			r.errorf("%s.%s: bbolt=%v bolt=%v", what, va.Type().Field(i).Name, fa, fb)
		}
	}
}

// ---- byte comparison ----

// compareFiles fails the test at the first byte where the two files differ,
// naming the page and decoding both page headers.
func compareFiles(t testing.TB, pathA, pathB string, pageSize int, label string) {
	t.Helper()
	a, err := os.ReadFile(pathA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(pathB)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		return
	}
	n := min(len(a), len(b))
	first := -1
	var pages []int
	for pg := 0; pg*pageSize < n; pg++ {
		lo, hi := pg*pageSize, min((pg+1)*pageSize, n)
		if !bytes.Equal(a[lo:hi], b[lo:hi]) {
			if first < 0 {
				first = lo
				for a[first] == b[first] {
					first++
				}
			}
			pages = append(pages, pg)
		}
	}
	msg := fmt.Sprintf("%s: files differ: sizes bbolt=%d bolt=%d", label, len(a), len(b))
	if first >= 0 {
		pg := first / pageSize
		lo := first &^ 15
		hi := min(lo+32, n)
		msg += fmt.Sprintf("\nfirst difference at byte %d (page %d, offset %d)\n  bbolt header %s\n  bolt  header %s\n  bbolt bytes @%d: % x\n  bolt  bytes @%d: % x",
			first, pg, first%pageSize, pageHeader(a, pg, pageSize), pageHeader(b, pg, pageSize), lo, a[lo:hi], lo, b[lo:hi])
		if len(pages) > 12 {
			msg += fmt.Sprintf("\n%d pages differ, first ones: %v", len(pages), pages[:12])
		} else {
			msg += fmt.Sprintf("\npages that differ: %v", pages)
		}
	}
	t.Fatal(msg)
}

func pageHeader(f []byte, pg, pageSize int) string {
	off := pg * pageSize
	if off+16 > len(f) {
		return "(beyond end of file)"
	}
	h := f[off : off+16]
	return fmt.Sprintf("id=%d flags=%#x count=%d overflow=%d",
		binary.NativeEndian.Uint64(h[0:]), binary.NativeEndian.Uint16(h[8:]),
		binary.NativeEndian.Uint16(h[10:]), binary.NativeEndian.Uint32(h[12:]))
}
