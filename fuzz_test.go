package bolt_test

// Fuzz targets for the reliability contract: a damaged file never crashes
// or hangs the host. Every problem bolt finds in a page is an error wrapping
// bolt.ErrCorrupt; reads that cannot return an error (Get, cursor moves)
// return nil and the transaction remembers the damage.
//
// FuzzOpen feeds arbitrary file images to Open and then to every read and a
// little writing. FuzzOps drives a database through a sequence of operations
// decoded from the input and compares it with an in-memory model after every
// commit and reopen.
//
// Fuzz for real with
//
//	go test -run='^$' -fuzz='^FuzzOpen$' -fuzztime=5m .
//	go test -run='^$' -fuzz='^FuzzOps$' -fuzztime=5m .
//
// and commit what the fuzzer writes under testdata/fuzz: plain go test
// replays it. Setting TMPDIR to a tmpfs makes the fsyncs of Open free.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
	"github.com/boltkv/bolt/internal/rawpage"
)

// Limits on the work one input may cause, so that a damaged file that
// describes a huge tree costs bounded time rather than looking like a hang.
const (
	fzMaxFileSize     = 1 << 20          // FuzzOpen ignores larger inputs
	fzMaxWalkKeys     = 1 << 15          // keys visited per walk, all buckets together
	fzMaxNesting      = 12               // bucket nesting the walk descends
	fzInputDeadline   = 10 * time.Second // a single input running longer is a hang
	fzMaxOpsInputSize = 4 << 10          // FuzzOps ignores larger inputs
)

// FuzzOpen opens arbitrary bytes as a database file and exercises it. The
// seeds are real databases written by bolt (see fzSeedDatabases) plus the
// files under testdata/fuzz/FuzzOpen.
func FuzzOpen(f *testing.F) {
	for _, s := range fzSeedDatabases(f) {
		f.Add(s.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fzMaxFileSize {
			return
		}
		dir := t.TempDir()
		findings := fzGuard(t, fzInputDeadline, func() []string {
			return fzExerciseImage(dir, data)
		})
		for _, s := range findings {
			t.Error(s)
		}
	})
}

// fzGuard runs fn on a goroutine of its own and fails t if fn panics or
// runs longer than limit, printing every goroutine's stack for a hang. It
// returns fn's result.
func fzGuard(t testing.TB, limit time.Duration, fn func() []string) []string {
	t.Helper()
	r := fzRun(limit, fn)
	switch {
	case r.hung:
		t.Fatalf("hang: still running after %v\n%s", limit, fzAllStacks(100))
	case r.panicked != nil:
		t.Fatalf("panic: %v\n%s", r.panicked, r.stack)
	}
	return r.findings
}

// fzOutcome is how one guarded run ended.
type fzOutcome struct {
	findings []string
	panicked any
	stack    []byte
	hung     bool // still running at the deadline; its goroutine is left behind
}

// fzRun runs fn on a goroutine of its own for at most limit. A panic in fn
// is recovered with its stack; a memory fault in fn's goroutine becomes a
// panic too, so that its stack is seen.
func fzRun(limit time.Duration, fn func() []string) fzOutcome {
	done := make(chan fzOutcome, 1)
	go func() {
		var r fzOutcome
		defer func() {
			if p := recover(); p != nil {
				r.panicked, r.stack = p, debug.Stack()
			}
			done <- r
		}()
		debug.SetPanicOnFault(true)
		r.findings = fn()
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case r := <-done:
		return r
	case <-timer.C:
		return fzOutcome{hung: true}
	}
}

// fzAllStacks returns the first lines of the stacks of every goroutine,
// those running engine code first, so that a hang shows where it hangs.
func fzAllStacks(lines int) string {
	buf := make([]byte, 4<<20)
	blocks := strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n")
	var engine, rest []string
	for _, b := range blocks {
		if strings.Contains(b, "github.com/boltkv/bolt.") {
			engine = append(engine, b)
		} else {
			rest = append(rest, b)
		}
	}
	all := strings.SplitAfter(strings.Join(append(engine, rest...), "\n\n"), "\n")
	if len(all) > lines {
		all = append(all[:lines], "...\n")
	}
	return strings.Join(all, "")
}

// fzExerciseImage writes data to files in dir and exercises it three ways:
// read-only; writable with default options; writable with 1 KiB pages for a
// new file and without a freelist, then reopened. Each writable pass starts
// from a fresh copy of data. It returns the contract violations found.
func fzExerciseImage(dir string, data []byte) []string {
	findings := fzDecodePages(data)
	passes := []struct {
		name   string
		opts   bolt.Options
		reopen bool
	}{
		{"read-only", bolt.Options{ReadOnly: true}, false},
		{"default", bolt.Options{NoSync: true}, false},
		{"1k-nofreelist", bolt.Options{NoSync: true, NoGrowSync: true, PageSize: 1024,
			NoFreelistSync: true, FreelistType: bolt.FreelistMapType}, true},
	}
	for i, p := range passes {
		path := filepath.Join(dir, fmt.Sprintf("pass%d.db", i))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return append(findings, fmt.Sprintf("%s: writing the image: %v", p.name, err))
		}
		o := p.opts
		o.Timeout = time.Second
		for _, s := range fzExerciseFile(path, o, p.reopen) {
			findings = append(findings, p.name+": "+s)
		}
	}
	return findings
}

// fzExerciseFile opens the file at path with o and, if that works, reads
// everything (walkTx) and runs the consistency check. Read-only, it then
// compacts the file into a new one; writable, it makes a small update and
// reads everything again, and with reopen it closes, reopens and reads once
// more. Errors are expected: the file may be damaged. It returns only
// violations of the contract: errors that do not wrap ErrCorrupt where
// damage is the only possible cause, panics recovered inside the engine, and
// reads that disagree on a file the engine and the check both found sound.
// (A file the check finds sound may still hold damage no structural check
// can see, such as a value with another value's bytes; what bolt writes over
// it is then not judged.)
func fzExerciseFile(path string, o bolt.Options, reopen bool) []string {
	x := &fzExercise{}
	db, err := bolt.Open(path, 0o600, &o)
	if err != nil {
		x.unexpected("open", err, true)
		return x.findings
	}
	bolt.ForceReadAhead(db)
	defer func() {
		if db == nil {
			return
		}
		if err := db.Close(); err != nil {
			x.addf("close: %v", err)
		}
	}()
	x.readAndCheck(db, "first read")
	if o.ReadOnly {
		x.compact(db, filepath.Join(filepath.Dir(path), "compact.db"))
		return x.findings
	}
	x.unexpected("update", db.Update(x.update), false)
	x.readAndCheck(db, "read after update")
	if !reopen {
		return x.findings
	}
	if err := db.Close(); err != nil {
		x.addf("close before reopen: %v", err)
	}
	if db, err = bolt.Open(path, 0o600, &o); err != nil {
		x.unexpected("reopen", err, true)
		db = nil
		return x.findings
	}
	bolt.ForceReadAhead(db)
	x.readAndCheck(db, "read after reopen")
	return x.findings
}

// fzExercise collects the findings of one fzExerciseFile.
type fzExercise struct {
	findings []string
	keys     int // keys visited by the current walk
}

func (x *fzExercise) addf(format string, args ...any) {
	x.findings = append(x.findings, fmt.Sprintf(format, args...))
}

// unexpected records err if it is not an error a damaged file may cause.
// Open may also fail with bbolt's meta errors and plain I/O and size
// errors; everything after Open may fail only with ErrCorrupt or with the
// sentinels of fzIgnorable.
func (x *fzExercise) unexpected(what string, err error, opening bool) {
	if err == nil || errors.Is(err, bolt.ErrCorrupt) {
		return
	}
	msg := err.Error()
	if strings.Contains(msg, "runtime error") || strings.Contains(msg, "panic") {
		x.addf("%s: %v", what, err)
		return
	}
	if opening || fzIgnorable(err) {
		return
	}
	x.addf("%s: error does not wrap ErrCorrupt: %v", what, err)
}

// readAndCheck walks db in a read-only transaction and runs the check in
// another. It reports whether both found nothing wrong; then the walk must
// have been self-consistent.
func (x *fzExercise) readAndCheck(db *bolt.DB, what string) bool {
	var w fzWalkResult
	err := db.View(func(tx *bolt.Tx) error {
		w = x.walkTx(tx)
		return nil
	})
	x.unexpected(what, err, false)
	var problems []error
	cerr := db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			problems = append(problems, e)
		}
		return nil
	})
	x.unexpected(what+": check", cerr, false)
	for _, p := range problems {
		// Check recovers a panic of its own goroutine and reports it.
		if s := p.Error(); strings.Contains(s, "runtime error") || strings.HasPrefix(s, "panic") {
			x.addf("%s: check panicked: %v", what, p)
		}
	}
	sound := err == nil && cerr == nil && len(problems) == 0
	if sound && !w.truncated {
		for _, s := range w.inconsistent {
			x.addf("%s: sound file read inconsistently: %s", what, s)
		}
	}
	return sound
}

// fzWalkResult is what a walk noticed.
type fzWalkResult struct {
	inconsistent []string // disagreements between the ways of reading
	truncated    bool     // the walk hit a limit; disagreements prove nothing
}

// walkTx reads everything tx can reach: every bucket, recursively, both
// ways, with Get of every key and Seek to a few; bucket statistics; the
// page descriptions; a copy of the file.
func (x *fzExercise) walkTx(tx *bolt.Tx) fzWalkResult {
	x.keys = 0
	var w fzWalkResult
	var names [][]byte
	err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		names = append(names, slices.Clone(name))
		return nil
	})
	x.unexpected("tx.ForEach", err, false)
	for _, name := range names {
		_ = tx.Bucket(name)
	}
	// The root bucket's keys are the top-level bucket names; walking it
	// walks everything.
	x.walkBucket(tx.Cursor().Bucket(), 0, "", &w)
	for id := 0; ; id++ {
		info, err := tx.Page(id)
		if err != nil {
			if !errors.Is(err, berrors.ErrFreePagesNotLoaded) {
				x.unexpected("tx.Page", err, false)
			}
			break
		}
		if info == nil {
			break
		}
	}
	if _, err := tx.WriteTo(io.Discard); err != nil {
		x.unexpected("tx.WriteTo", err, false)
	}
	_ = tx.Inspect()
	_ = tx.Stats()
	return w
}

// walkBucket reads bucket b at the given nesting depth (the root bucket is
// depth 0) and recurses into its sub-buckets.
func (x *fzExercise) walkBucket(b *bolt.Bucket, depth int, name string, w *fzWalkResult) {
	type kv struct{ k, v []byte }
	var fwd, bwd []kv
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if x.keys++; x.keys > fzMaxWalkKeys {
			w.truncated = true
			return
		}
		fwd = append(fwd, kv{k, v})
	}
	// Running off the end and stepping back must not disturb anything.
	c.Next()
	c.Prev()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		if x.keys++; x.keys > fzMaxWalkKeys {
			w.truncated = true
			return
		}
		bwd = append(bwd, kv{k, v})
	}
	c.Prev()
	c.Next()
	slices.Reverse(bwd)
	if len(fwd) != len(bwd) {
		w.inconsistent = append(w.inconsistent, fmt.Sprintf("bucket %q: %d keys forward, %d backward", name, len(fwd), len(bwd)))
	} else {
		for i := range fwd {
			if !bytes.Equal(fwd[i].k, bwd[i].k) || !bytes.Equal(fwd[i].v, bwd[i].v) {
				w.inconsistent = append(w.inconsistent, fmt.Sprintf("bucket %q: key %d is %x forward, %x backward", name, i, fwd[i].k, bwd[i].k))
				break
			}
		}
	}
	_ = b.Sequence()
	_ = b.Root()
	if depth > 0 {
		_ = b.Stats()
	}
	err := b.ForEach(func(k, v []byte) error { return nil })
	x.unexpected("Bucket.ForEach", err, false)
	err = b.ForEachBucket(func(k []byte) error { return nil })
	x.unexpected("Bucket.ForEachBucket", err, false)

	ordered := sort.SliceIsSorted(fwd, func(i, j int) bool { return bytes.Compare(fwd[i].k, fwd[j].k) < 0 })
	for i, e := range fwd {
		got := b.Get(e.k)
		// Get can find a key only where keys are in order; an inline
		// bucket's order is not checked by Check (nor by bbolt's).
		if ordered && b.Root() != 0 && e.v != nil && !bytes.Equal(got, e.v) {
			w.inconsistent = append(w.inconsistent, fmt.Sprintf("bucket %q: Get(%x) = %x, cursor says %x", name, e.k, got, e.v))
		}
		if i == 0 || i == len(fwd)/2 || i == len(fwd)-1 {
			c.Seek(e.k)
			c.Seek(append(slices.Clone(e.k), 0))
			c.Seek(e.k[:len(e.k)/2])
		}
	}
	c.Seek(nil)
	c.Seek([]byte{0xff, 0xff, 0xff, 0xff})
	c.Prev()

	if depth >= fzMaxNesting {
		w.truncated = true
		return
	}
	for _, e := range fwd {
		if e.v != nil {
			continue
		}
		if sub := b.Bucket(e.k); sub != nil {
			x.walkBucket(sub, depth+1, name+"/"+string(e.k), w)
		}
		if x.keys > fzMaxWalkKeys {
			w.truncated = true
			return
		}
	}
}

// fzIgnorable reports whether err is nil or a sentinel that operations on
// a database of unknown content may rightly return.
func fzIgnorable(err error) bool {
	if err == nil {
		return true
	}
	// A damaged page can hold an empty key or one longer than MaxKeySize
	// without its bounds being wrong; Compact then meets it in Put.
	for _, ok := range []error{berrors.ErrIncompatibleValue, berrors.ErrBucketExists, berrors.ErrBucketNotFound,
		berrors.ErrSameBuckets, berrors.ErrKeyRequired, berrors.ErrBucketNameRequired, berrors.ErrKeyTooLarge} {
		if errors.Is(err, ok) {
			return true
		}
	}
	// MoveBucket refuses to move a bucket into itself with an unexported
	// error; damage can make two buckets one.
	return strings.Contains(err.Error(), "into itself")
}

// update makes a small change that touches the existing data: in the first
// existing bucket keys deleted and put, a nested bucket created and
// deleted, a sub-bucket moved out and back; the last existing bucket
// deleted (which frees its pages, damaged or not); a new bucket written.
func (x *fzExercise) update(tx *bolt.Tx) error {
	nb, err := tx.CreateBucketIfNotExists([]byte("fuzz-new"))
	if err != nil {
		return err
	}
	for _, k := range []string{"a", "b", "c"} {
		if err := nb.Put([]byte(k), bytes.Repeat([]byte(k), 100)); err != nil {
			return err
		}
	}
	if err := nb.Delete([]byte("b")); err != nil {
		return err
	}
	var first, last []byte
	c := tx.Cursor()
	if k, _ := c.First(); k != nil {
		first = slices.Clone(k)
	}
	if k, _ := c.Last(); k != nil {
		last = slices.Clone(k)
	}
	if b := tx.Bucket(first); b != nil {
		if err := x.updateBucket(tx, b, nb); err != nil {
			return err
		}
	}
	if last != nil && !bytes.Equal(last, first) && !bytes.Equal(last, []byte("fuzz-new")) {
		if err := tx.DeleteBucket(last); !fzIgnorable(err) {
			return err
		}
	}
	return nil
}

// updateBucket changes the existing bucket b; nb is a bucket of our own.
// Deleting a run of keys makes the commit merge pages with their siblings,
// and putting many makes it split them, so that damaged neighbours are
// read and rewritten too.
func (x *fzExercise) updateBucket(tx *bolt.Tx, b, nb *bolt.Bucket) error {
	bc := b.Cursor()
	if k, v := bc.First(); k != nil && v != nil {
		if err := bc.Delete(); !fzIgnorable(err) {
			return err
		}
	}
	var doomed [][]byte
	for k, v := bc.Seek(nil); k != nil && len(doomed) < 20; k, v = bc.Next() {
		if v != nil {
			doomed = append(doomed, slices.Clone(k))
		}
	}
	for _, k := range doomed {
		if err := b.Delete(k); !fzIgnorable(err) {
			return err
		}
	}
	for i := 0; i < 30; i++ {
		if err := b.Put([]byte(fmt.Sprintf("fuzz-put-%02d", i)), fzPattern(100, byte(i))); !fzIgnorable(err) {
			return err
		}
	}
	nested, err := b.CreateBucket([]byte("fuzz-nested"))
	if !fzIgnorable(err) {
		return err
	}
	if nested != nil {
		if err := nested.Put([]byte("k"), []byte("v")); err != nil {
			return err
		}
		if err := b.DeleteBucket([]byte("fuzz-nested")); err != nil {
			return err
		}
	}
	var sub []byte
	err = b.ForEachBucket(func(k []byte) error {
		if sub == nil {
			sub = slices.Clone(k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if sub != nil {
		if err := b.MoveBucket(sub, nb); !fzIgnorable(err) {
			return err
		} else if err == nil {
			if err := tx.MoveBucket(sub, nb, b); !fzIgnorable(err) {
				return err
			}
		}
	}
	_, err = b.NextSequence()
	return err
}

// compact copies the database into a new file at path, committing every
// 64 KiB, and checks the copy.
func (x *fzExercise) compact(src *bolt.DB, path string) {
	_ = os.Remove(path)
	dst, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		x.addf("opening the compaction target: %v", err)
		return
	}
	defer dst.Close()
	if err := bolt.Compact(dst, src, 64<<10); !fzIgnorable(err) {
		x.unexpected("compact", err, false)
	}
	_ = dst.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			x.addf("the compacted copy fails the check: %v", e)
		}
		return nil
	})
}

// fzDecodePages runs the page decoders on every page of the image, at the
// page size its first meta claims (or 4096): whatever the bytes, they must
// return elements or an error wrapping ErrCorrupt.
func fzDecodePages(data []byte) []string {
	var findings []string
	check := func(what string, err error) {
		if err != nil && !errors.Is(err, bolt.ErrCorrupt) {
			findings = append(findings, fmt.Sprintf("%s: error does not wrap ErrCorrupt: %v", what, err))
		}
	}
	ps := 4096
	if m, err := rawpage.DecodeMeta(data); err == nil && m.PageSize >= 1024 && m.PageSize <= 1<<16 {
		ps = int(m.PageSize)
	}
	for off := 0; off < len(data); off += ps {
		h, err := rawpage.DecodeHeader(data[off:])
		check("DecodeHeader", err)
		if err != nil {
			continue
		}
		end := min(len(data), off+ps*(1+int(min(h.Overflow, 1<<10))))
		buf := data[off:end]
		_ = h.Type()
		m, err := rawpage.DecodeMeta(buf)
		check("DecodeMeta", err)
		_ = m.Validate()
		_ = m.Sum()
		_, err = rawpage.DecodeBranch(buf)
		check("DecodeBranch", err)
		_, err = rawpage.DecodeFreelist(buf)
		check("DecodeFreelist", err)
		elems, err := rawpage.DecodeLeaf(buf)
		check("DecodeLeaf", err)
		for _, e := range elems {
			if e.Flags&rawpage.BucketLeafFlag == 0 {
				continue
			}
			root, _, err := rawpage.DecodeBucketHeader(e.Value)
			check("DecodeBucketHeader", err)
			if err == nil && root == 0 {
				_, err := rawpage.DecodeLeaf(e.Value[rawpage.BucketHeaderSize:])
				check("DecodeLeaf of an inline bucket", err)
			}
		}
	}
	return findings
}

// fzSeed is a database image used as a seed.
type fzSeed struct {
	name string
	data []byte
}

// fzSeedDatabases writes small real databases with bolt, at page sizes 1024
// and 4096, and returns their images cut at the high-water mark (the rest of
// the file is unused and only makes the inputs larger).
func fzSeedDatabases(tb testing.TB) []fzSeed {
	tb.Helper()
	dir := tb.TempDir()
	var seeds []fzSeed
	for _, ps := range []int{1024, 4096} {
		for _, s := range fzSeedBuilders {
			name := fmt.Sprintf("%s-%d", s.name, ps)
			path := filepath.Join(dir, name+".db")
			o := &bolt.Options{PageSize: ps, NoSync: true, NoFreelistSync: s.noFreelist}
			db, err := bolt.Open(path, 0o600, o)
			if err != nil {
				tb.Fatalf("seed %s: %v", name, err)
			}
			for i, fn := range s.txs {
				if err := db.Update(func(tx *bolt.Tx) error { return fn(tx, ps) }); err != nil {
					tb.Fatalf("seed %s, tx %d: %v", name, i, err)
				}
			}
			if err := db.Close(); err != nil {
				tb.Fatalf("seed %s: %v", name, err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				tb.Fatal(err)
			}
			seeds = append(seeds, fzSeed{name, fzCutAtHighWater(data, ps)})
		}
	}
	return seeds
}

// fzCutAtHighWater returns the part of a database image below the larger
// high-water mark of its two metas.
func fzCutAtHighWater(data []byte, ps int) []byte {
	var hwm uint64
	for i := 0; i < 2; i++ {
		// meta.pgid is at byte 40 of the meta, which follows the 16-byte
		// page header.
		off := i*ps + 16 + 40
		hwm = max(hwm, binary.NativeEndian.Uint64(data[off:]))
	}
	if n := int(hwm) * ps; n < len(data) {
		return data[:n]
	}
	return data
}

// fzSeedBuilders describe the seed databases: each is a list of
// transactions, run in order on a new database.
var fzSeedBuilders = []struct {
	name       string
	noFreelist bool
	txs        []func(tx *bolt.Tx, ps int) error
}{
	{name: "empty"},
	{name: "one-bucket", txs: []func(*bolt.Tx, int) error{
		func(tx *bolt.Tx, _ int) error {
			b, err := tx.CreateBucket([]byte("widgets"))
			if err != nil {
				return err
			}
			return fzPutAll(b, map[string]string{"foo": "bar", "baz": "", "zzz": "the end"})
		},
	}},
	{name: "nested", txs: []func(*bolt.Tx, int) error{fzNested}},
	{name: "tree", txs: []func(*bolt.Tx, int) error{fzTree}},
	{name: "overflow", txs: []func(*bolt.Tx, int) error{
		func(tx *bolt.Tx, ps int) error {
			b, err := tx.CreateBucket([]byte("big"))
			if err != nil {
				return err
			}
			for i, n := range []int{3*ps + 17, 10 * ps, 100} {
				if err := b.Put([]byte(fmt.Sprintf("value-%d", i)), fzPattern(n, byte(i))); err != nil {
					return err
				}
			}
			sub, err := b.CreateBucket([]byte("sub"))
			if err != nil {
				return err
			}
			return sub.Put([]byte("huge"), fzPattern(2*ps, 7))
		},
	}},
	{name: "freed", txs: []func(*bolt.Tx, int) error{
		fzTree,
		fzNested,
		func(tx *bolt.Tx, _ int) error {
			b := tx.Bucket([]byte("tree"))
			for i := 0; i < 400; i += 2 {
				if err := b.Delete(fzTreeKey(i, 1024)); err != nil {
					return err
				}
			}
			return tx.DeleteBucket([]byte("nested"))
		},
		func(tx *bolt.Tx, _ int) error {
			b, err := tx.CreateBucket([]byte("later"))
			if err != nil {
				return err
			}
			return b.Put([]byte("k"), []byte("v"))
		},
	}},
	{name: "nofreelist", noFreelist: true, txs: []func(*bolt.Tx, int) error{
		fzTree,
		func(tx *bolt.Tx, _ int) error {
			b := tx.Bucket([]byte("tree"))
			for i := 0; i < 400; i += 3 {
				if err := b.Delete(fzTreeKey(i, 1024)); err != nil {
					return err
				}
			}
			return nil
		},
	}},
}

func fzPutAll(b *bolt.Bucket, kv map[string]string) error {
	for k, v := range kv {
		if err := b.Put([]byte(k), []byte(v)); err != nil {
			return err
		}
	}
	return nil
}

// fzNested makes buckets three levels deep, inline ones (small) and ones
// with pages of their own, and sequences.
func fzNested(tx *bolt.Tx, ps int) error {
	top, err := tx.CreateBucket([]byte("nested"))
	if err != nil {
		return err
	}
	if err := fzPutAll(top, map[string]string{"a": "1", "m": "13", "z": "26"}); err != nil {
		return err
	}
	small, err := top.CreateBucket([]byte("inline"))
	if err != nil {
		return err
	}
	if err := fzPutAll(small, map[string]string{"x": "y", "empty": ""}); err != nil {
		return err
	}
	if err := small.SetSequence(7); err != nil {
		return err
	}
	big, err := top.CreateBucket([]byte("paged"))
	if err != nil {
		return err
	}
	for i := 0; i < ps/16; i++ {
		if err := big.Put([]byte(fmt.Sprintf("k%04d", i)), []byte(fmt.Sprintf("value %d", i))); err != nil {
			return err
		}
	}
	deep := top
	for _, name := range []string{"deep", "deeper", "deepest"} {
		if deep, err = deep.CreateBucket([]byte(name)); err != nil {
			return err
		}
	}
	if err := deep.Put([]byte("bottom"), []byte("here")); err != nil {
		return err
	}
	other, err := tx.CreateBucket([]byte("other"))
	if err != nil {
		return err
	}
	return other.SetSequence(42)
}

// fzTreeKey is key i of fzTree: short keys on small pages, long ones on
// large pages, so that both make a tree three levels deep.
func fzTreeKey(i, ps int) []byte {
	k := fmt.Sprintf("key-%05d-", i)
	if ps > 1024 {
		k += strings.Repeat("x", 180)
	}
	return []byte(k)
}

func fzTree(tx *bolt.Tx, ps int) error {
	b, err := tx.CreateBucket([]byte("tree"))
	if err != nil {
		return err
	}
	for i := 0; i < 400; i++ {
		if err := b.Put(fzTreeKey(i, ps), fzPattern(24, byte(i))); err != nil {
			return err
		}
	}
	return nil
}

// fzPattern returns n bytes that depend on seed and position.
func fzPattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ byte(i>>8) ^ seed
	}
	return b
}

// FuzzOps decodes the input into operations, applies them to a database
// and to a model, and compares the two after every commit and reopen (and
// on demand inside a transaction), running the consistency check each time.
//
// The first byte picks the page size, the free-list options and the fill
// percent; then each operation is an opcode byte followed by its operands
// (see fzOps.step). Running out of input ends the run.
func FuzzOps(f *testing.F) {
	for _, seed := range fzOpsSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || len(data) > fzMaxOpsInputSize {
			return
		}
		dir := t.TempDir()
		findings := fzGuard(t, fzInputDeadline, func() []string {
			r := &fzOps{in: data, path: filepath.Join(dir, "db")}
			if err := r.run(); err != nil {
				return []string{fmt.Sprintf("%v\nrecent operations:\n  %s", err, strings.Join(r.recent(), "\n  "))}
			}
			return nil
		})
		for _, s := range findings {
			t.Error(s)
		}
	})
}

// fzOpsSeeds are hand-written operation sequences covering every opcode.
func fzOpsSeeds() [][]byte {
	return [][]byte{
		{0x00, fzOpCreate, 0, 'a', 1, fzOpPut, 1, 'b', 2, 40, fzOpCommit, fzOpReopen, 0},
		{0x01, fzOpCreate, 0, 'a', 1, fzOpBulk, 1, 100, 0, fzOpCommit, fzOpBulk, 1, 60, 1, fzOpCommit, fzOpVerify},
		{0x02, fzOpCreate, 0, 'a', 1, fzOpCreate, 1, 'b', 2, fzOpCreate, 2, 'c', 3, fzOpPut, 3, 'd', 4, 200,
			fzOpSeq, 3, fzOpCommit, fzOpDeleteBucket, 1, 'b', 2, fzOpCommit, fzOpReopen, 1},
		{0x04, fzOpCreate, 0, 'a', 0, fzOpLarge, 1, 'x', 1, 40, fzOpLarge, 1, 'y', 2, 200, fzOpCommit,
			fzOpDelete, 1, 'x', 1, fzOpCommit, fzOpReopen, 2},
		{0x09, fzOpCreate, 0, 'q', 5, fzOpBulk, 1, 250, 0, fzOpCommit, fzOpBulk, 1, 250, 1, fzOpCursorDelete, 1, 'a', 0,
			fzOpRollback, fzOpBulk, 1, 200, 1, fzOpCommit, fzOpReopen, 3},
		{0x10, fzOpCreateIfNotExists, 0, 'a', 1, fzOpCreateIfNotExists, 0, 'a', 1, fzOpPut, 1, 'a', 1, 3,
			fzOpCreate, 1, 'a', 1, fzOpDeleteBucket, 1, 'a', 1, fzOpSeq, 1, fzOpCommit},
		{0x00, fzOpCreate, 0, 'a', 1, fzOpCreate, 0, 'b', 1, fzOpCreate, 1, 'c', 1, fzOpPut, 3, 'd', 1, 9,
			fzOpMove, 1, 'c', 1, 2, fzOpCommit, fzOpMove, 3, 'c', 1, 0, fzOpCommit, fzOpReopen, 0},
	}
}

// The FuzzOps opcodes: the opcode byte modulo fzOpCount.
const (
	fzOpPut               = iota // bucket, key(2), value length
	fzOpDelete                   // bucket, key(2)
	fzOpCreate                   // bucket, key(2)
	fzOpCreateIfNotExists        // bucket, key(2)
	fzOpDeleteBucket             // bucket, key(2)
	fzOpSeq                      // bucket
	fzOpCommit                   //
	fzOpRollback                 //
	fzOpReopen                   // options
	fzOpBulk                     // bucket, count/4, mode
	fzOpLarge                    // bucket, key(2), length/97
	fzOpCursorDelete             // bucket, key(2)
	fzOpVerify                   //
	fzOpMove                     // bucket, key(2), bucket
	fzOpCount
)

// fzBucket is the model of one bucket; the model's root holds only buckets.
type fzBucket struct {
	kv  map[string][]byte
	sub map[string]*fzBucket
	seq uint64
}

func newFzBucket() *fzBucket {
	return &fzBucket{kv: map[string][]byte{}, sub: map[string]*fzBucket{}}
}

func (m *fzBucket) clone() *fzBucket {
	c := &fzBucket{kv: make(map[string][]byte, len(m.kv)), sub: make(map[string]*fzBucket, len(m.sub)), seq: m.seq}
	for k, v := range m.kv {
		c.kv[k] = v // values are never modified once stored
	}
	for k, s := range m.sub {
		c.sub[k] = s.clone()
	}
	return c
}

// keys returns every key of m, values and buckets alike, in order.
func (m *fzBucket) keys() []string {
	ks := make([]string, 0, len(m.kv)+len(m.sub))
	for k := range m.kv {
		ks = append(ks, k)
	}
	for k := range m.sub {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// paths appends the path of every bucket under m, depth first in key order.
func (m *fzBucket) paths(prefix []string, out *[][]string) {
	for _, k := range m.keys() {
		if s, ok := m.sub[k]; ok {
			p := append(slices.Clone(prefix), k)
			*out = append(*out, p)
			s.paths(p, out)
		}
	}
}

func (m *fzBucket) at(path []string) *fzBucket {
	for _, p := range path {
		m = m.sub[p]
	}
	return m
}

// keyCount is the number of keys in m and every bucket under it, as
// BucketStats.KeyN counts them.
func (m *fzBucket) keyCount() (keys, buckets int) {
	keys, buckets = len(m.kv)+len(m.sub), 1
	for _, s := range m.sub {
		k, b := s.keyCount()
		keys, buckets = keys+k, buckets+b
	}
	return keys, buckets
}

// fzOps is one FuzzOps run.
type fzOps struct {
	in   []byte
	pos  int
	path string
	opts bolt.Options
	fill float64

	db                 *bolt.DB
	tx                 *bolt.Tx
	committed, pending *fzBucket
	log                []string
	bulkN              int // keys made by bulk puts so far, for fresh names
}

// next returns the next input byte; ok is false at the end of the input.
func (r *fzOps) next() (b byte, ok bool) {
	if r.pos >= len(r.in) {
		return 0, false
	}
	r.pos++
	return r.in[r.pos-1], true
}

// nextOr returns the next input byte, or 0 at the end.
func (r *fzOps) nextOr() byte {
	b, _ := r.next()
	return b
}

func (r *fzOps) logf(format string, args ...any) {
	r.log = append(r.log, fmt.Sprintf(format, args...))
}

// recent returns the last operations run, for a failure message.
func (r *fzOps) recent() []string {
	if len(r.log) > 60 {
		return append([]string{"..."}, r.log[len(r.log)-60:]...)
	}
	return r.log
}

func (r *fzOps) run() error {
	h := r.nextOr()
	r.opts = bolt.Options{PageSize: 1024, NoSync: true, Timeout: time.Second}
	if h&1 != 0 {
		r.opts.PageSize = 4096
	}
	r.applyOptionBits(h >> 1)
	r.fill = []float64{bolt.DefaultFillPercent, 0.1, 0.9, 1.0}[h>>4&3]
	r.logf("open page size %d, %s, fill %.1f", r.opts.PageSize, r.optString(), r.fill)
	var err error
	if r.db, err = bolt.Open(r.path, 0o600, &r.opts); err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer func() {
		if r.tx != nil {
			_ = r.tx.Rollback()
		}
		_ = r.db.Close()
	}()
	r.committed, r.pending = newFzBucket(), newFzBucket()
	if r.tx, err = r.db.Begin(true); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	for {
		op, ok := r.next()
		if !ok {
			break
		}
		if err := r.step(op % fzOpCount); err != nil {
			return err
		}
	}
	if err := r.commit(); err != nil {
		return err
	}
	return r.reopen(0)
}

// applyOptionBits sets the options a reopen may change: bit 0
// NoFreelistSync, bit 1 the hashmap free list, bit 2 a large initial mapping.
func (r *fzOps) applyOptionBits(b byte) {
	r.opts.NoFreelistSync = b&1 != 0
	r.opts.FreelistType = bolt.FreelistArrayType
	if b&2 != 0 {
		r.opts.FreelistType = bolt.FreelistMapType
	}
	r.opts.InitialMmapSize = 0
	if b&4 != 0 {
		r.opts.InitialMmapSize = 1 << 20
	}
}

func (r *fzOps) optString() string {
	return fmt.Sprintf("NoFreelistSync=%t FreelistType=%s InitialMmapSize=%d",
		r.opts.NoFreelistSync, r.opts.FreelistType, r.opts.InitialMmapSize)
}

// selectBucket picks a bucket path from the pending model: nil is the root
// (the transaction's top level).
func (r *fzOps) selectBucket() []string {
	var all [][]string
	r.pending.paths(nil, &all)
	i := int(r.nextOr()) % (len(all) + 1)
	if i == 0 {
		return nil
	}
	return all[i-1]
}

// key decodes a key from two bytes: a small key space, so that operations
// often meet each other's keys.
func (r *fzOps) key() string {
	return fmt.Sprintf("%c%d", 'a'+r.nextOr()%6, r.nextOr()%12)
}

// value returns a fresh value of n bytes whose content depends on the
// operation's position, so that a value stored in the wrong place shows.
func (r *fzOps) value(n int) []byte {
	v := fzPattern(n, byte(r.pos))
	if n > 0 {
		v[0] = byte(len(r.log))
	}
	return v
}

// bucket opens path in the current transaction; the model says it exists.
func (r *fzOps) bucket(path []string) (*bolt.Bucket, error) {
	var b *bolt.Bucket
	for i, p := range path {
		if i == 0 {
			b = r.tx.Bucket([]byte(p))
		} else {
			b = b.Bucket([]byte(p))
		}
		if b == nil {
			return nil, fmt.Errorf("bucket %q missing (model has it)", path[:i+1])
		}
		b.FillPercent = r.fill
	}
	return b, nil
}

// expect compares an operation's error with the model's prediction.
func expectErr(what string, got, want error) error {
	if !errors.Is(got, want) || (want == nil && got != nil) {
		return fmt.Errorf("%s: got error %v, want %v", what, got, want)
	}
	return nil
}

// step runs one operation.
func (r *fzOps) step(op byte) error {
	switch op {
	case fzOpPut, fzOpLarge:
		path, key := r.selectBucket(), r.key()
		n := int(r.nextOr())
		if op == fzOpLarge {
			n *= 97
		}
		return r.put(path, key, r.value(n))
	case fzOpDelete:
		path, key := r.selectBucket(), r.key()
		r.logf("delete %q %q", path, key)
		if path == nil {
			return nil
		}
		b, err := r.bucket(path)
		if err != nil {
			return err
		}
		m := r.pending.at(path)
		var want error
		if _, ok := m.sub[key]; ok {
			want = berrors.ErrIncompatibleValue
		} else {
			delete(m.kv, key)
		}
		return expectErr("delete", b.Delete([]byte(key)), want)
	case fzOpCreate, fzOpCreateIfNotExists:
		return r.createBucket(r.selectBucket(), r.key(), op == fzOpCreateIfNotExists)
	case fzOpDeleteBucket:
		path, key := r.selectBucket(), r.key()
		r.logf("delete bucket %q %q", path, key)
		m := r.pending.at(path)
		var want error
		if _, ok := m.kv[key]; ok {
			want = berrors.ErrIncompatibleValue
		} else if _, ok := m.sub[key]; !ok {
			want = berrors.ErrBucketNotFound
		} else {
			delete(m.sub, key)
		}
		var err error
		if path == nil {
			err = r.tx.DeleteBucket([]byte(key))
		} else {
			b, berr := r.bucket(path)
			if berr != nil {
				return berr
			}
			err = b.DeleteBucket([]byte(key))
		}
		return expectErr("delete bucket", err, want)
	case fzOpSeq:
		path := r.selectBucket()
		r.logf("next sequence %q", path)
		if path == nil {
			return nil
		}
		b, err := r.bucket(path)
		if err != nil {
			return err
		}
		m := r.pending.at(path)
		m.seq++
		got, err := b.NextSequence()
		if err != nil || got != m.seq {
			return fmt.Errorf("next sequence: got %d, %v; want %d", got, err, m.seq)
		}
		return nil
	case fzOpCommit:
		if err := r.commit(); err != nil {
			return err
		}
		return r.begin()
	case fzOpRollback:
		r.logf("rollback")
		if err := r.tx.Rollback(); err != nil {
			return fmt.Errorf("rollback: %w", err)
		}
		r.tx = nil
		r.pending = r.committed.clone()
		return r.begin()
	case fzOpReopen:
		b := r.nextOr()
		if err := r.tx.Rollback(); err != nil {
			return fmt.Errorf("rollback before reopen: %w", err)
		}
		r.tx = nil
		r.pending = r.committed.clone()
		if err := r.reopen(b); err != nil {
			return err
		}
		return r.begin()
	case fzOpBulk:
		return r.bulk(r.selectBucket(), 4*int(r.nextOr()), r.nextOr())
	case fzOpCursorDelete:
		return r.cursorDelete(r.selectBucket(), r.key())
	case fzOpMove:
		return r.move(r.selectBucket(), r.key(), r.selectBucket())
	case fzOpVerify:
		r.logf("verify inside the transaction")
		if err := fzVerify(r.tx, r.pending, false); err != nil {
			return fmt.Errorf("inside the transaction: %w", err)
		}
	}
	return nil
}

func (r *fzOps) put(path []string, key string, value []byte) error {
	r.logf("put %q %q (%d bytes)", path, key, len(value))
	if path == nil {
		return nil
	}
	b, err := r.bucket(path)
	if err != nil {
		return err
	}
	m := r.pending.at(path)
	var want error
	if _, ok := m.sub[key]; ok {
		want = berrors.ErrIncompatibleValue
	} else {
		m.kv[key] = value
	}
	return expectErr("put", b.Put([]byte(key), value), want)
}

// move moves the bucket key from the bucket at src to the one at dst (nil
// paths are the top level).
func (r *fzOps) move(src []string, key string, dst []string) error {
	r.logf("move bucket %q from %q to %q", key, src, dst)
	sm, dm := r.pending.at(src), r.pending.at(dst)
	var want error
	_, isValue := sm.kv[key]
	_, isBucket := sm.sub[key]
	_, dstValue := dm.kv[key]
	_, dstBucket := dm.sub[key]
	intoSelf := len(dst) > len(src) && slices.Equal(dst[:len(src)], src) && dst[len(src)] == key
	switch {
	case !isValue && !isBucket:
		want = berrors.ErrBucketNotFound
	case isValue:
		want = berrors.ErrIncompatibleValue
	case slices.Equal(src, dst):
		want = berrors.ErrSameBuckets
	case dstBucket:
		want = berrors.ErrBucketExists
	case dstValue:
		want = berrors.ErrIncompatibleValue
	}
	var sb, db *bolt.Bucket
	var err error
	if src != nil {
		if sb, err = r.bucket(src); err != nil {
			return err
		}
	}
	if dst != nil {
		if db, err = r.bucket(dst); err != nil {
			return err
		}
	}
	err = r.tx.MoveBucket([]byte(key), sb, db)
	if want == nil && intoSelf {
		if err == nil || !strings.Contains(err.Error(), "into itself") {
			return fmt.Errorf("move into itself: got error %v", err)
		}
		return nil
	}
	if want == nil {
		dm.sub[key] = sm.sub[key]
		delete(sm.sub, key)
	}
	return expectErr("move bucket", err, want)
}

func (r *fzOps) createBucket(path []string, key string, ifNotExists bool) error {
	r.logf("create bucket %q %q (if not exists: %t)", path, key, ifNotExists)
	m := r.pending.at(path)
	var want error
	if _, ok := m.kv[key]; ok {
		want = berrors.ErrIncompatibleValue
	} else if _, ok := m.sub[key]; ok {
		if !ifNotExists {
			want = berrors.ErrBucketExists
		}
	} else {
		m.sub[key] = newFzBucket()
	}
	var got *bolt.Bucket
	var err error
	switch {
	case path == nil && ifNotExists:
		got, err = r.tx.CreateBucketIfNotExists([]byte(key))
	case path == nil:
		got, err = r.tx.CreateBucket([]byte(key))
	default:
		b, berr := r.bucket(path)
		if berr != nil {
			return berr
		}
		if ifNotExists {
			got, err = b.CreateBucketIfNotExists([]byte(key))
		} else {
			got, err = b.CreateBucket([]byte(key))
		}
	}
	if err := expectErr("create bucket", err, want); err != nil {
		return err
	}
	if (got == nil) != (want != nil) {
		return fmt.Errorf("create bucket: returned bucket %v with error %v", got != nil, err)
	}
	if got != nil && got.Sequence() != m.sub[key].seq {
		return fmt.Errorf("create bucket: sequence %d, want %d", got.Sequence(), m.sub[key].seq)
	}
	return nil
}

// bulk puts (mode even) or deletes (mode odd) n keys with names that sort
// after the small-key space, so that trees grow several levels.
func (r *fzOps) bulk(path []string, n int, mode byte) error {
	r.logf("bulk %q n=%d mode=%d", path, n, mode)
	if path == nil || n == 0 {
		return nil
	}
	b, err := r.bucket(path)
	if err != nil {
		return err
	}
	m := r.pending.at(path)
	if mode&1 == 0 {
		for i := 0; i < n; i++ {
			key := fmt.Sprintf("bulk%06d", r.bulkN)
			r.bulkN++
			v := fzPattern(8+i%32, byte(i))
			m.kv[key] = v
			if err := b.Put([]byte(key), v); err != nil {
				return fmt.Errorf("bulk put %s: %w", key, err)
			}
		}
		return nil
	}
	// Delete every other bulk key, stepping by mode/2+2, up to n of them.
	ks := m.keys()
	step := int(mode/2) + 2
	for i, done := 0, 0; i < len(ks) && done < n; i += step {
		if _, ok := m.kv[ks[i]]; !ok {
			continue
		}
		delete(m.kv, ks[i])
		if err := b.Delete([]byte(ks[i])); err != nil {
			return fmt.Errorf("bulk delete %s: %w", ks[i], err)
		}
		done++
	}
	return nil
}

// cursorDelete seeks to key and deletes whatever key the cursor lands on.
func (r *fzOps) cursorDelete(path []string, key string) error {
	r.logf("cursor delete %q at %q", path, key)
	if path == nil {
		return nil
	}
	b, err := r.bucket(path)
	if err != nil {
		return err
	}
	m := r.pending.at(path)
	var want string
	for _, k := range m.keys() {
		if k >= key {
			want = k
			break
		}
	}
	c := b.Cursor()
	k, _ := c.Seek([]byte(key))
	if string(k) != want {
		return fmt.Errorf("cursor delete: Seek(%q) = %q, want %q", key, k, want)
	}
	if k == nil {
		return nil
	}
	var wantErr error
	if _, ok := m.sub[want]; ok {
		wantErr = berrors.ErrIncompatibleValue
	} else {
		delete(m.kv, want)
	}
	return expectErr("cursor delete", c.Delete(), wantErr)
}

func (r *fzOps) begin() error {
	var err error
	if r.tx, err = r.db.Begin(true); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return nil
}

// commit commits the open transaction and checks the result.
func (r *fzOps) commit() error {
	r.logf("commit")
	err := r.tx.Commit()
	r.tx = nil
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	r.committed = r.pending.clone()
	return r.verifyCommitted("after commit")
}

// reopen closes the database and opens it again with the option bits b.
func (r *fzOps) reopen(b byte) error {
	r.applyOptionBits(b)
	r.logf("reopen with %s", r.optString())
	if err := r.db.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	var err error
	if r.db, err = bolt.Open(r.path, 0o600, &r.opts); err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	return r.verifyCommitted("after reopen")
}

// verifyCommitted compares a read-only view of the database with the
// committed model and runs the consistency check.
func (r *fzOps) verifyCommitted(when string) error {
	return r.db.View(func(tx *bolt.Tx) error {
		if err := fzVerify(tx, r.committed, true); err != nil {
			return fmt.Errorf("%s: %w", when, err)
		}
		var problems []string
		for err := range tx.Check() {
			problems = append(problems, err.Error())
		}
		if len(problems) > 0 {
			return fmt.Errorf("%s: check: %s", when, strings.Join(problems, "; "))
		}
		return nil
	})
}

// fzVerify compares everything tx sees with the model root. With stats it
// also compares Bucket.Stats (which reads committed pages only).
func fzVerify(tx *bolt.Tx, root *fzBucket, stats bool) error {
	var names []string
	if err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		names = append(names, string(name))
		if b == nil {
			return fmt.Errorf("top-level %q: ForEach gave a nil bucket", name)
		}
		return nil
	}); err != nil {
		return err
	}
	if want := root.keys(); !slices.Equal(names, want) {
		return fmt.Errorf("top-level buckets %q, want %q", names, want)
	}
	for _, name := range names {
		if err := fzVerifyBucket(tx.Bucket([]byte(name)), root.sub[name], name, stats); err != nil {
			return err
		}
	}
	return nil
}

func fzVerifyBucket(b *bolt.Bucket, m *fzBucket, name string, stats bool) error {
	if b == nil {
		return fmt.Errorf("bucket %q: missing", name)
	}
	if b.Sequence() != m.seq {
		return fmt.Errorf("bucket %q: sequence %d, want %d", name, b.Sequence(), m.seq)
	}
	want := m.keys()
	valueOf := func(k string) []byte {
		if _, ok := m.sub[k]; ok {
			return nil
		}
		return m.kv[k]
	}
	c := b.Cursor()
	i := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if i >= len(want) || string(k) != want[i] {
			return fmt.Errorf("bucket %q: forward key %d is %q, want %q", name, i, k, fzAt(want, i))
		}
		if wv := valueOf(want[i]); !bytes.Equal(v, wv) || (wv == nil) != (v == nil) {
			return fmt.Errorf("bucket %q: key %q has value %.32x (%d bytes), want %.32x (%d bytes)", name, k, v, len(v), wv, len(wv))
		}
		i++
	}
	if i != len(want) {
		return fmt.Errorf("bucket %q: %d keys forward, want %d", name, i, len(want))
	}
	i = len(want) - 1
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		if i < 0 || string(k) != want[i] {
			return fmt.Errorf("bucket %q: backward key %d is %q, want %q", name, i, k, fzAt(want, i))
		}
		i--
	}
	if i != -1 {
		return fmt.Errorf("bucket %q: %d keys backward, want %d", name, len(want)-1-i, len(want))
	}
	for j, k := range want {
		got := b.Get([]byte(k))
		wv := valueOf(k)
		if !bytes.Equal(got, wv) || (got == nil) != (wv == nil) {
			return fmt.Errorf("bucket %q: Get(%q) = %.32x, want %.32x", name, k, got, wv)
		}
		if sub := b.Bucket([]byte(k)); (sub != nil) != (m.sub[k] != nil) {
			return fmt.Errorf("bucket %q: Bucket(%q) != nil is %t", name, k, sub != nil)
		}
		if b.Get([]byte(k+"\x00")) != nil && m.kv[k+"\x00"] == nil {
			return fmt.Errorf("bucket %q: Get(%q) found a missing key", name, k+"\x00")
		}
		if sk, _ := c.Seek([]byte(k)); string(sk) != k {
			return fmt.Errorf("bucket %q: Seek(%q) = %q", name, k, sk)
		}
		if sk, _ := c.Seek([]byte(k + "\x00")); string(sk) != fzAt(want, j+1) {
			return fmt.Errorf("bucket %q: Seek(%q) = %q, want %q", name, k+"\x00", sk, fzAt(want, j+1))
		}
	}
	if stats {
		keys, buckets := m.keyCount()
		if s := b.Stats(); s.KeyN != keys || s.BucketN != buckets {
			return fmt.Errorf("bucket %q: Stats KeyN %d BucketN %d, want %d and %d", name, s.KeyN, s.BucketN, keys, buckets)
		}
	}
	for _, k := range want {
		if s, ok := m.sub[k]; ok {
			if err := fzVerifyBucket(b.Bucket([]byte(k)), s, name+"/"+k, stats); err != nil {
				return err
			}
		}
	}
	return nil
}

// fzAt returns s[i], or "" when i is out of range.
func fzAt(s []string, i int) string {
	if i < 0 || i >= len(s) {
		return ""
	}
	return s[i]
}
