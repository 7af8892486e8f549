package bolt_test

// The corruption sweep: thousands of damaged variants of real databases,
// each opened, read, checked and written to in a child process, so that a
// fatal error the runtime cannot recover from (a fault on the mapping, a
// throw, a stack overflow) is caught and blamed on its variant rather than
// killing the test binary.
//
// Each variant is made by one targeted kind of damage (see corrKinds): bit
// flips in page headers and elements, zeroed and random pages, truncation,
// both metas damaged (with and without a valid checksum), a damaged free
// list, a branch or bucket pointing to itself or an ancestor (a cycle),
// counts of 0xFFFF, huge overflows, and more.
//
//	go test -run '^TestCorruptionSweep$' -corruption.variants=50000 -seed=7 .
//
// BOLT_CORRUPTION_KEEP=dir copies every variant that failed into dir.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

var (
	corrVariantsFlag = flag.Int("corruption.variants", 0, "variants in TestCorruptionSweep (0: 3000, 600 with -short, a sixth of that with -race)")
)

// Environment of the child process.
const (
	corrEnvList  = "BOLT_CORRUPTION_LIST"  // file listing the variant paths, one a line
	corrEnvStart = "BOLT_CORRUPTION_START" // index of the first variant to run
	corrEnvKeep  = "BOLT_CORRUPTION_KEEP"  // parent: copy failing variants here
	corrEnvOp    = "BOLT_CORRUPTION_OP"    // one operation (corrOps) instead of the whole exercise
	corrEnvDir   = "BOLT_CORRUPTION_DIR"   // where the child makes its scratch files
)

// corrDeadline is how long one variant may take: they are small, and most
// take milliseconds. corrChildSilence is how long the parent waits for the
// next line from a child before it kills it as hung; the child itself gives
// up on a variant after corrDeadline and says so.
const (
	corrDeadline     = 5 * time.Second
	corrChildSilence = 3 * corrDeadline
)

// TestCorruptionSweep makes -corruption.variants damaged variants of the
// seed databases of FuzzOpen and runs each through FuzzOpen's exercise in a
// child process. Any panic, fatal error, hang or contract violation fails
// it.
func TestCorruptionSweep(t *testing.T) {
	if os.Getenv("BOLT_NO_REEXEC") != "" {
		t.Skip("BOLT_NO_REEXEC is set: the sweep needs to re-execute the test binary")
	}
	n := *corrVariantsFlag
	if n <= 0 {
		n = 3000
		if testing.Short() {
			n = 600
		}
		if corrRaceEnabled() {
			// The race detector makes each variant ten times slower, and
			// finds nothing in code that runs on one goroutine.
			n /= 6
		}
	}
	seed := bolt.TestSeed(t)
	start := time.Now()
	bases := corrParseBases(t, fzSeedDatabases(t))
	variants := corrMakeVariants(bases, rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), n)

	dir := corrTempDir(t)
	paths := make([]string, len(variants))
	for i, v := range variants {
		paths[i] = filepath.Join(dir, fmt.Sprintf("%05d.db", i))
		if err := os.WriteFile(paths[i], v.data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	shards := min(max(runtime.GOMAXPROCS(0), 1), 4)
	results := make([]corrShardResult, shards)
	var crashes atomic.Int64
	var wg sync.WaitGroup
	for s := 0; s < shards; s++ {
		var mine []int
		for i := s; i < len(paths); i += shards {
			mine = append(mine, i)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[s] = corrRunShard(dir, paths, mine, "", &crashes)
		}()
	}
	wg.Wait()

	counts := map[string]int{}
	var failures []corrFailure
	ran := 0
	for _, r := range results {
		ran += r.ran
		for _, f := range r.failures {
			counts[f.kind]++
			failures = append(failures, f)
		}
	}
	slices.SortFunc(failures, func(a, b corrFailure) int { return a.index - b.index })
	if n := crashes.Load(); n >= corrMaxCrashes {
		t.Errorf("stopped early after %d crashes and hangs: %d of %d variants were run", n, ran, len(variants))
	}
	t.Logf("corruption sweep: %d variants, %d panics, %d fatal errors, %d hangs, %d contract violations, %d child failures (seed %d, %v)",
		ran, counts["panic"], counts["fatal"], counts["hang"], counts["violation"], counts["child"], seed, time.Since(start).Round(time.Millisecond))
	keep := os.Getenv(corrEnvKeep)
	for i, f := range failures {
		name := "(between variants)"
		if f.index >= 0 {
			name = fmt.Sprintf("%s (%s)", variants[f.index].name, filepath.Base(paths[f.index]))
			if keep != "" {
				_ = os.MkdirAll(keep, 0o755)
				_ = os.WriteFile(filepath.Join(keep, fmt.Sprintf("%s-%s.db", f.kind, corrFileName(variants[f.index].name))), variants[f.index].data, 0o600)
			}
		}
		if i < 20 {
			t.Errorf("%s: variant %s:\n%s", f.kind, name, corrTrim(f.detail, 60))
		} else {
			t.Errorf("%s: variant %s", f.kind, name)
		}
	}
}

// corrFailure is one variant that broke the contract.
type corrFailure struct {
	index  int    // the variant, or -1 when no variant was running
	kind   string // panic, fatal, hang, violation, child
	detail string
}

// corrMaxCrashes stops a sweep after so many variants killed their child
// process: each costs a restart, and a hang a whole corrDeadline, so a
// broken engine would otherwise make the sweep run for many minutes.
const corrMaxCrashes = 8

// corrShardResult is what one shard of the sweep saw.
type corrShardResult struct {
	failures []corrFailure
	ran      int // variants begun
}

// corrRunShard runs the variants idx (indexes into paths) in child
// processes, restarting after each one that kills its child, until crashes
// (shared with the other shards, nil for no limit) reaches corrMaxCrashes.
func corrRunShard(scratch string, paths []string, idx []int, op string, crashes *atomic.Int64) corrShardResult {
	scratch, err := os.MkdirTemp(scratch, "shard")
	if err != nil {
		return corrShardResult{failures: []corrFailure{{-1, "child", err.Error()}}}
	}
	list := filepath.Join(scratch, "list")
	var lines []string
	for _, i := range idx {
		lines = append(lines, paths[i])
	}
	if err := os.WriteFile(list, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		return corrShardResult{failures: []corrFailure{{-1, "child", err.Error()}}}
	}
	var r corrShardResult
	for next := 0; next < len(idx); {
		if crashes != nil && crashes.Load() >= corrMaxCrashes {
			break
		}
		fs, resume, died := corrRunChild(list, next, idx, op)
		r.failures = append(r.failures, fs...)
		if died && crashes != nil {
			crashes.Add(1)
		}
		if resume <= next {
			// No progress at all: the child cannot even start.
			r.failures = append(r.failures, corrFailure{-1, "child", "the child made no progress"})
			return r
		}
		r.ran += resume - next
		next = resume
	}
	return r
}

// corrRunChild runs one child over the list from position start. It returns
// the failures seen, the position to resume from (the end of the list when
// the child finished, else the one after the variant it died on) and
// whether it died.
func corrRunChild(list string, start int, idx []int, op string) (failures []corrFailure, resume int, died bool) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCorruptionChild$", "-test.count=1", "-test.timeout=0")
	cmd.Env = append(os.Environ(), corrEnvList+"="+list, corrEnvStart+"="+strconv.Itoa(start), corrEnvOp+"="+op,
		corrEnvDir+"="+filepath.Dir(list))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return []corrFailure{{-1, "child", err.Error()}}, start, true
	}
	if err := cmd.Start(); err != nil {
		return []corrFailure{{-1, "child", err.Error()}}, start, true
	}
	silence := time.AfterFunc(corrChildSilence, func() { _ = cmd.Process.Kill() })
	running, lastDone := -1, start-1
	hung := false
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		silence.Reset(corrChildSilence)
		tag, rest, ok := corrParseLine(sc.Text())
		if !ok {
			continue
		}
		pos, detail, _ := strings.Cut(rest, " ")
		k, err := strconv.Atoi(pos)
		if err != nil || k < 0 || k >= len(idx) {
			continue
		}
		switch tag {
		case "begin":
			running = k
		case "end":
			running, lastDone = -1, k
		case "panic", "violation":
			msg, err := strconv.Unquote(detail)
			if err != nil {
				msg = detail
			}
			failures = append(failures, corrFailure{idx[k], tag, msg})
		case "hang":
			hung = true
		}
	}
	wasKilled := !silence.Stop()
	err = cmd.Wait()
	out := stderr.String()
	if err == nil && !strings.Contains(out, "panic:") && !strings.Contains(out, "fatal error:") &&
		!strings.Contains(out, "SIGSEGV") && !strings.Contains(out, "SIGBUS") {
		if running >= 0 {
			// Exit 0 with a variant still running cannot happen.
			failures = append(failures, corrFailure{idx[running], "child", "child exited mid-variant"})
		}
		return failures, len(idx), false
	}
	kind := "fatal"
	switch {
	case hung || wasKilled:
		kind = "hang"
	case strings.Contains(out, "panic:") && !strings.Contains(out, "fatal error:"):
		kind = "panic"
	}
	detail := fmt.Sprintf("child exit: %v\n%s", err, out)
	if running < 0 {
		failures = append(failures, corrFailure{-1, "child", detail})
		return failures, lastDone + 1, true
	}
	failures = append(failures, corrFailure{idx[running], kind, detail})
	return failures, running + 1, true
}

// corrParseLine splits a line of the child protocol: "corr: TAG REST".
func corrParseLine(line string) (tag, rest string, ok bool) {
	line, ok = strings.CutPrefix(line, "corr: ")
	if !ok {
		return "", "", false
	}
	tag, rest, _ = strings.Cut(line, " ")
	return tag, rest, true
}

// TestCorruptionChild is the child of TestCorruptionSweep and
// TestCorruption_Cycles: it runs the variants listed in
// $BOLT_CORRUPTION_LIST from $BOLT_CORRUPTION_START on, through the whole
// exercise of FuzzOpen or through the one operation $BOLT_CORRUPTION_OP,
// printing "corr: begin K" before and "corr: end K" after each, and
// "corr: panic K" or "corr: violation K" with a quoted description for
// what it finds. A hang prints "corr: hang K" and every stack, and exits.
//
// Run on its own, without the environment, it is the sweep's control: the
// undamaged databases the variants are made from must go through the same
// exercise without a single finding, and be judged sound.
func TestCorruptionChild(t *testing.T) {
	list := os.Getenv(corrEnvList)
	if list == "" {
		for _, s := range fzSeedDatabases(t) {
			dir := t.TempDir()
			if f := fzGuard(t, fzInputDeadline, func() []string { return fzExerciseImage(dir, s.data) }); len(f) > 0 {
				t.Errorf("%s: %q", s.name, f)
			}
			path := filepath.Join(dir, "sound.db")
			if err := os.WriteFile(path, s.data, 0o600); err != nil {
				t.Fatal(err)
			}
			x := &fzExercise{}
			db := mustOpenDBAt(t, path, nil)
			if !x.readAndCheck(db.DB, "control") {
				t.Errorf("%s: the undamaged database is not judged sound", s.name)
			}
		}
		return
	}
	data, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	start, err := strconv.Atoi(os.Getenv(corrEnvStart))
	if err != nil {
		t.Fatal(err)
	}
	paths := strings.Split(string(data), "\n")
	scratch, err := os.MkdirTemp(os.Getenv(corrEnvDir), "child")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(scratch)
	for k := start; k < len(paths); k++ {
		fmt.Printf("corr: begin %d\n", k)
		image, err := os.ReadFile(paths[k])
		if err != nil {
			t.Fatal(err)
		}
		op := os.Getenv(corrEnvOp)
		r := fzRun(corrDeadline, func() []string {
			if op != "" {
				return corrRunOp(op, scratch, image)
			}
			return fzExerciseImage(scratch, image)
		})
		switch {
		case r.hung:
			fmt.Printf("corr: hang %d\n", k)
			fmt.Fprintf(os.Stderr, "variant %d hung for %v\n%s", k, corrDeadline, fzAllStacks(200))
			os.Exit(2)
		case r.panicked != nil:
			fmt.Printf("corr: panic %d %q\n", k, fmt.Sprintf("panic: %v\n%s", r.panicked, r.stack))
		}
		for _, f := range r.findings {
			fmt.Printf("corr: violation %d %q\n", k, f)
		}
		fmt.Printf("corr: end %d\n", k)
	}
}

// TestCorruption_Cycles runs files whose trees hold a cycle through each
// operation that walks nested buckets or whole trees, one child process per
// file and operation, so that each failure is told apart: a bucket whose
// root is the page that holds it (or an ancestor of it), and a branch that
// points back at an ancestor. Every operation must end, with or without an
// error wrapping ErrCorrupt.
func TestCorruption_Cycles(t *testing.T) {
	if os.Getenv("BOLT_NO_REEXEC") != "" {
		t.Skip("BOLT_NO_REEXEC is set: the test needs to re-execute the test binary")
	}
	bases := map[string]*corrBase{}
	for _, b := range corrParseBases(t, fzSeedDatabases(t)) {
		bases[b.name] = &b
	}
	cases := []struct {
		name, base string
		damage     func(b *corrBase, d []byte)
	}{
		// "widgets" is an inline bucket in the root leaf; its root becomes
		// that leaf, so it contains itself.
		{"bucket-contains-itself", "one-bucket-1024", func(b *corrBase, d []byte) {
			corrNE.PutUint64(d[b.buckets[0].off:], b.root)
		}},
		// The deepest of nested/deep/deeper/deepest points at the leaf of
		// the top-level bucket that holds "nested".
		{"bucket-points-to-ancestor", "nested-1024", func(b *corrBase, d []byte) {
			bv := b.buckets[len(b.buckets)-1]
			corrNE.PutUint64(d[bv.off:], b.root)
		}},
		// Every child pointer of the first branch below the root of
		// "tree" points at the bucket's root.
		{"branch-points-to-root", "tree-1024", func(b *corrBase, d []byte) {
			for _, p := range b.pages {
				if p.flags == corrBranch && len(p.ancestors) >= 2 {
					for i := 0; i < p.count; i++ {
						corrNE.PutUint64(d[int(p.id)*b.ps+corrPageHeader+i*corrElemSize+8:], p.ancestors[len(p.ancestors)-1])
					}
					return
				}
			}
			panic("tree-1024 has no branch below its root")
		}},
	}
	dir := corrTempDir(t)
	images := map[string][]byte{"bucket-dag": corrBucketDAG(t, 256, 48)}
	for _, c := range cases {
		b := bases[c.base]
		d := slices.Clone(b.data)
		c.damage(b, d)
		images[c.name] = d
	}
	for _, name := range slices.Sorted(maps.Keys(images)) {
		path := filepath.Join(dir, name+".db")
		if err := os.WriteFile(path, images[name], 0o600); err != nil {
			t.Fatal(err)
		}
		for _, op := range corrOpNames() {
			t.Run(name+"/"+op, func(t *testing.T) {
				t.Parallel()
				for _, f := range corrRunShard(dir, []string{path}, []int{0}, op, nil).failures {
					t.Errorf("%s:\n%s", f.kind, corrTrim(f.detail, 40))
				}
			})
		}
	}
}

// TestCorruption_MetaFields runs every damaging rewrite of a meta field
// (corrMetaFields), under a valid checksum, on every seed database: in the
// newest meta, in the older one, and in both. Each variant goes through the
// whole exercise of FuzzOpen in a child process, which must end without a
// panic, a hang or a contract violation. Huge high-water marks, whose
// product with the page size wraps, used to hang Open or the first
// transaction.
func TestCorruption_MetaFields(t *testing.T) {
	if os.Getenv("BOLT_NO_REEXEC") != "" {
		t.Skip("BOLT_NO_REEXEC is set: the test needs to re-execute the test binary")
	}
	bases := corrParseBases(t, fzSeedDatabases(t))
	r := rand.New(rand.NewPCG(1, 2))
	var variants []corrVariant
	for bi := range bases {
		b := &bases[bi]
		for _, f := range corrMetaFields {
			for _, which := range []string{"newest", "older", "both"} {
				if testing.Short() && which != "newest" && !strings.HasPrefix(f.name, "pgid") {
					continue
				}
				d := slices.Clone(b.data)
				for i := 0; i < 2; i++ {
					if which == "both" || (which == "newest") == (i == b.newest) {
						corrSetMeta(d, b.ps, i, func(m []byte) { f.set(b, m, r) })
					}
				}
				variants = append(variants, corrVariant{fmt.Sprintf("%s/%s/%s", b.name, which, f.name), d})
			}
		}
	}
	dir := corrTempDir(t)
	paths := make([]string, len(variants))
	for i, v := range variants {
		paths[i] = filepath.Join(dir, fmt.Sprintf("%05d.db", i))
		if err := os.WriteFile(paths[i], v.data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	shards := min(max(runtime.GOMAXPROCS(0), 1), 4)
	results := make([]corrShardResult, shards)
	var crashes atomic.Int64
	var wg sync.WaitGroup
	for s := 0; s < shards; s++ {
		var mine []int
		for i := s; i < len(paths); i += shards {
			mine = append(mine, i)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[s] = corrRunShard(dir, paths, mine, "", &crashes)
		}()
	}
	wg.Wait()
	ran := 0
	for _, res := range results {
		ran += res.ran
		for _, f := range res.failures {
			name := "(between variants)"
			if f.index >= 0 {
				name = variants[f.index].name
			}
			t.Errorf("%s: variant %s:\n%s", f.kind, name, corrTrim(f.detail, 30))
		}
	}
	t.Logf("%d meta-field variants", len(variants))
	require.Equal(t, len(variants), ran, "every variant must run")
}

// corrBucketDAG writes a database of ps-byte pages whose root bucket holds
// buckets "a" and "b", both rooted at page 4, which holds "a" and "b"
// rooted at page 5, and so on for levels pages: no bucket contains itself,
// yet a walk that does not remember the pages it has seen opens 2^levels
// buckets.
func corrBucketDAG(t testing.TB, ps, levels int) []byte {
	t.Helper()
	hwm := 4 + levels + 1
	d := make([]byte, hwm*ps)
	for i := 0; i < 2; i++ {
		rawpage.EncodeHeader(d[i*ps:], rawpage.Header{ID: uint64(i), Flags: rawpage.MetaPageFlag})
		m := rawpage.Meta{Magic: rawpage.Magic, Version: rawpage.Version, PageSize: uint32(ps), Root: 3, Freelist: 2,
			Pgid: uint64(hwm), Txid: uint64(i)}
		if err := rawpage.EncodeMeta(d[i*ps:], m); err != nil {
			t.Fatal(err)
		}
	}
	rawpage.EncodeHeader(d[2*ps:], rawpage.Header{ID: 2, Flags: rawpage.FreelistPageFlag})
	for id := 3; id < hwm-1; id++ {
		v := make([]byte, rawpage.BucketHeaderSize)
		corrNE.PutUint64(v, uint64(id+1))
		elems := []rawpage.LeafElement{{Flags: rawpage.BucketLeafFlag, Key: []byte("a"), Value: v},
			{Flags: rawpage.BucketLeafFlag, Key: []byte("b"), Value: v}}
		if err := rawpage.EncodeLeaf(d[id*ps:(id+1)*ps], uint64(id), 0, elems); err != nil {
			t.Fatal(err)
		}
	}
	if err := rawpage.EncodeLeaf(d[(hwm-1)*ps:], uint64(hwm-1), 0, nil); err != nil {
		t.Fatal(err)
	}
	return d
}

// corrOps are single operations on a damaged file, for TestCorruption_Cycles:
// each returns what broke the contract (hangs and crashes are caught by the
// caller).
var corrOps = map[string]func(path, scratch string) []string{
	// nested-walk reads every bucket recursively, the way a user would,
	// with nothing but the engine to stop it.
	"nested-walk": func(path, _ string) []string {
		return corrView(path, func(tx *bolt.Tx) error {
			var walk func(b *bolt.Bucket, depth int) error
			walk = func(b *bolt.Bucket, depth int) error {
				if depth > 1000 {
					return fmt.Errorf("Bucket opened buckets %d deep: the cycle went unnoticed", depth)
				}
				return b.ForEachBucket(func(k []byte) error {
					if sub := b.Bucket(k); sub != nil {
						return walk(sub, depth+1)
					}
					return nil
				})
			}
			return walk(tx.Cursor().Bucket(), 0)
		})
	},
	"cursor-walk": func(path, _ string) []string {
		return corrView(path, func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				if b == nil {
					return nil
				}
				c := b.Cursor()
				for k, _ := c.First(); k != nil; k, _ = c.Next() {
				}
				for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
				}
				return b.ForEach(func(k, v []byte) error { return nil })
			})
		})
	},
	"stats": func(path, _ string) []string {
		return corrView(path, func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				if b != nil {
					_ = b.Stats()
				}
				return nil
			})
		})
	},
	"inspect": func(path, _ string) []string {
		return corrView(path, func(tx *bolt.Tx) error {
			_ = tx.Inspect()
			return nil
		})
	},
	"check": func(path, _ string) []string {
		return corrView(path, func(tx *bolt.Tx) error {
			for range tx.Check() {
			}
			return nil
		})
	},
	"compact": func(path, scratch string) []string {
		x := &fzExercise{}
		src, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			return []string{fmt.Sprintf("open: %v", err)}
		}
		defer src.Close()
		bolt.ForceReadAhead(src)
		x.compact(src, filepath.Join(scratch, "compact.db"))
		return x.findings
	},
	"delete-bucket": func(path, _ string) []string {
		return corrUpdate(path, func(tx *bolt.Tx) error {
			var names [][]byte
			_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
				names = append(names, slices.Clone(name))
				return nil
			})
			for _, n := range names {
				if err := tx.DeleteBucket(n); !fzIgnorable(err) {
					return err
				}
			}
			return nil
		})
	},
	"put-everywhere": func(path, _ string) []string {
		return corrUpdate(path, func(tx *bolt.Tx) error {
			var put func(b *bolt.Bucket, depth int) error
			put = func(b *bolt.Bucket, depth int) error {
				if depth > 8 {
					return nil
				}
				if err := b.Put([]byte("fuzz"), []byte("value")); !fzIgnorable(err) {
					return err
				}
				var subs [][]byte
				if err := b.ForEachBucket(func(k []byte) error {
					subs = append(subs, slices.Clone(k))
					return nil
				}); err != nil {
					return err
				}
				for _, k := range subs {
					if sub := b.Bucket(k); sub != nil {
						if err := put(sub, depth+1); err != nil {
							return err
						}
					}
				}
				return nil
			}
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				if b == nil {
					return nil
				}
				return put(b, 0)
			})
		})
	},
}

func corrOpNames() []string {
	var names []string
	for n := range corrOps {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// corrRunOp runs the operation op on a copy of image.
func corrRunOp(op, scratch string, image []byte) []string {
	fn := corrOps[op]
	if fn == nil {
		return []string{"unknown operation " + op}
	}
	path := filepath.Join(scratch, "op.db")
	if err := os.WriteFile(path, image, 0o600); err != nil {
		return []string{err.Error()}
	}
	return fn(path, scratch)
}

// corrView runs fn in a read-only transaction on the file at path and
// returns a finding if the error is not one damage may cause.
func corrView(path string, fn func(*bolt.Tx) error) []string {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return []string{fmt.Sprintf("open: %v", err)}
	}
	defer db.Close()
	bolt.ForceReadAhead(db)
	x := &fzExercise{}
	x.unexpected("view", db.View(fn), false)
	return x.findings
}

// corrUpdate is corrView for a read/write transaction.
func corrUpdate(path string, fn func(*bolt.Tx) error) []string {
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		return []string{fmt.Sprintf("open: %v", err)}
	}
	defer db.Close()
	bolt.ForceReadAhead(db)
	x := &fzExercise{}
	x.unexpected("update", db.Update(fn), false)
	return x.findings
}

// corrRaceEnabled reports whether the test binary was built with -race.
func corrRaceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// corrTempDir returns a new directory removed when t ends: on a tmpfs when
// the machine has one, since every Open of a new file syncs it and the
// sweep means to measure the engine, not the disk.
func corrTempDir(t testing.TB) string {
	t.Helper()
	if runtime.GOOS == "linux" {
		if dir, err := os.MkdirTemp("/dev/shm", "bolt-corruption"); err == nil {
			t.Cleanup(func() { _ = os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// corrTrim keeps the first n lines of s.
func corrTrim(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "") + "...\n"
}

// corrFileName makes a variant name usable as a file name.
func corrFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// The on-disk format, as far as the sweep needs it (page.go has the
// tables). Integers are in the machine's byte order.
const (
	corrPageHeader   = 16
	corrElemSize     = 16 // leaf and branch elements alike
	corrBucketHeader = 16
	corrMetaChecksum = 56 // the checksum's offset in the meta, and the bytes it covers

	corrBranch   = 0x01
	corrLeaf     = 0x02
	corrMeta     = 0x04
	corrFreelist = 0x10

	corrBucketFlag = 0x01
	corrNoFreelist = ^uint64(0)
)

var corrNE = binary.NativeEndian

// corrBase is an undamaged database and a map of what is where in it.
type corrBase struct {
	name     string
	data     []byte
	ps       int
	hwm      uint64
	newest   int    // the meta page with the larger txid
	root     uint64 // of the newest meta
	freelist uint64 // of the newest meta

	pages   []corrPage      // every page reachable from the newest meta
	byID    map[uint64]int  // index into pages
	buckets []corrBucketVal // every bucket value, inline or not
}

// corrPage is one reachable page of the tree, with the pages above it, the
// pages of the enclosing buckets included, nearest last.
type corrPage struct {
	id        uint64
	flags     uint16
	count     int
	overflow  uint32
	ancestors []uint64
}

// corrBucketVal is a leaf element holding a bucket.
type corrBucketVal struct {
	off       int    // file offset of the value
	size      int    // value length
	leaf      uint64 // the leaf page holding it, 0 when it is in an inline bucket
	ancestors []uint64
	inline    bool
	root      uint64
}

// corrParseBases maps every seed database.
func corrParseBases(t testing.TB, seeds []fzSeed) []corrBase {
	t.Helper()
	var bases []corrBase
	for _, s := range seeds {
		b, err := corrParse(s.name, s.data)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		bases = append(bases, b)
	}
	return bases
}

func corrParse(name string, data []byte) (corrBase, error) {
	b := corrBase{name: name, data: data, byID: map[uint64]int{}}
	b.ps = int(corrNE.Uint32(data[corrPageHeader+8:]))
	if b.ps < 1024 || len(data) < 2*b.ps {
		return b, fmt.Errorf("page size %d of a %d-byte file", b.ps, len(data))
	}
	m0, m1 := corrMetaAt(data, b.ps, 0), corrMetaAt(data, b.ps, 1)
	if corrNE.Uint64(m1[48:]) > corrNE.Uint64(m0[48:]) {
		b.newest = 1
	}
	m := corrMetaAt(data, b.ps, b.newest)
	b.root, b.freelist, b.hwm = corrNE.Uint64(m[16:]), corrNE.Uint64(m[32:]), corrNE.Uint64(m[40:])
	if err := b.walk(b.root, nil); err != nil {
		return b, err
	}
	return b, nil
}

// corrMetaAt returns the meta body of meta page i.
func corrMetaAt(data []byte, ps, i int) []byte {
	off := i*ps + corrPageHeader
	return data[off : off+64]
}

// page returns the bytes of page id, overflow included.
func (b *corrBase) page(id uint64) []byte {
	off := int(id) * b.ps
	ov := int(corrNE.Uint32(b.data[off+12:]))
	return b.data[off : off+(ov+1)*b.ps]
}

// walk maps the tree under page id, whose ancestors are given.
func (b *corrBase) walk(id uint64, ancestors []uint64) error {
	if id < 2 || id >= b.hwm || len(ancestors) > 64 {
		return fmt.Errorf("page %d out of range", id)
	}
	p := b.page(id)
	cp := corrPage{id: id, flags: corrNE.Uint16(p[8:]), count: int(corrNE.Uint16(p[10:])), overflow: corrNE.Uint32(p[12:]), ancestors: ancestors}
	b.byID[id] = len(b.pages)
	b.pages = append(b.pages, cp)
	below := append(slices.Clone(ancestors), id)
	for i := 0; i < cp.count; i++ {
		e := corrPageHeader + i*corrElemSize
		switch cp.flags {
		case corrBranch:
			if err := b.walk(corrNE.Uint64(p[e+8:]), below); err != nil {
				return err
			}
		case corrLeaf:
			if err := b.leafElement(p, int(id)*b.ps, e, id, below); err != nil {
				return err
			}
		default:
			return fmt.Errorf("page %d has flags %#x", id, cp.flags)
		}
	}
	return nil
}

// leafElement maps the leaf element at offset e of the leaf image img,
// which starts at file offset base.
func (b *corrBase) leafElement(img []byte, base, e int, leaf uint64, ancestors []uint64) error {
	flags, pos := corrNE.Uint32(img[e:]), int(corrNE.Uint32(img[e+4:]))
	ksize, vsize := int(corrNE.Uint32(img[e+8:])), int(corrNE.Uint32(img[e+12:]))
	if flags&corrBucketFlag == 0 {
		return nil
	}
	voff := e + pos + ksize
	v := img[voff : voff+vsize]
	root := corrNE.Uint64(v)
	b.buckets = append(b.buckets, corrBucketVal{off: base + voff, size: vsize, leaf: leaf, ancestors: ancestors, inline: root == 0, root: root})
	if root != 0 {
		return b.walk(root, ancestors)
	}
	inl := v[corrBucketHeader:]
	n := int(corrNE.Uint16(inl[10:]))
	for i := 0; i < n; i++ {
		if err := b.leafElement(inl, base+voff+corrBucketHeader, corrPageHeader+i*corrElemSize, 0, ancestors); err != nil {
			return err
		}
	}
	return nil
}

// corrVariant is one damaged database.
type corrVariant struct {
	name string
	data []byte
}

// corrKind makes one random variant of base b, or ok false when b has
// nothing to damage in this way. d is a private copy of b.data.
type corrKind struct {
	name string
	make func(b *corrBase, d []byte, r *rand.Rand) (desc string, out []byte, ok bool)
}

// corrMakeVariants makes n distinct variants, taking the kinds of damage in
// turn and the base at random.
func corrMakeVariants(bases []corrBase, r *rand.Rand, n int) []corrVariant {
	var out []corrVariant
	seen := map[string]bool{}
	for tries := 0; len(out) < n && tries < 20*n; tries++ {
		k := corrKinds[tries%len(corrKinds)]
		b := &bases[r.IntN(len(bases))]
		desc, data, ok := k.make(b, slices.Clone(b.data), r)
		if !ok {
			continue
		}
		name := fmt.Sprintf("%s/%s/%s", b.name, k.name, desc)
		if seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, corrVariant{name, data})
	}
	return out
}

// Helpers for the kinds of damage.

func (b *corrBase) randomPage(r *rand.Rand) *corrPage { return &b.pages[r.IntN(len(b.pages))] }

// randomPageOf returns a reachable page whose flags are one of flags and
// that has at least one element, or nil.
func (b *corrBase) randomPageOf(r *rand.Rand, flags ...uint16) *corrPage {
	var c []*corrPage
	for i := range b.pages {
		if slices.Contains(flags, b.pages[i].flags) && b.pages[i].count > 0 {
			c = append(c, &b.pages[i])
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[r.IntN(len(c))]
}

// anyPageID returns a page id below the high-water mark, reachable ones
// three times in four.
func (b *corrBase) anyPageID(r *rand.Rand) uint64 {
	if r.IntN(4) > 0 {
		return b.randomPage(r).id
	}
	return uint64(r.IntN(int(b.hwm)))
}

// interesting returns page ids worth pointing at from page p.
func (b *corrBase) interesting(p *corrPage, r *rand.Rand) (string, uint64) {
	ids := []struct {
		name string
		id   uint64
	}{{"self", p.id}, {"zero", 0}, {"one", 1}, {"hwm", b.hwm}, {"hwm-1", b.hwm - 1}, {"huge", 1 << 40},
		{"max", ^uint64(0)}, {"root", b.root}, {"random", uint64(r.IntN(int(b.hwm)))}, {"reachable", b.randomPage(r).id}}
	if b.freelist != corrNoFreelist {
		ids = append(ids, struct {
			name string
			id   uint64
		}{"freelist", b.freelist})
	}
	if len(p.ancestors) > 0 {
		a := p.ancestors[r.IntN(len(p.ancestors))]
		ids = append(ids, struct {
			name string
			id   uint64
		}{"ancestor", a}, struct {
			name string
			id   uint64
		}{"ancestor", a})
	}
	c := ids[r.IntN(len(ids))]
	return c.name, c.id
}

// setMeta rewrites meta page i with fn and a valid checksum.
func corrSetMeta(d []byte, ps, i int, fn func(m []byte)) {
	m := d[i*ps+corrPageHeader : i*ps+corrPageHeader+64]
	fn(m)
	h := fnv.New64a()
	h.Write(m[:corrMetaChecksum])
	corrNE.PutUint64(m[corrMetaChecksum:], h.Sum64())
}

// corrMetaField is a damaging rewrite of one meta field.
type corrMetaField struct {
	name string
	set  func(b *corrBase, m []byte, r *rand.Rand)
}

var corrMetaFields = []corrMetaField{
	{"root=0", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[16:], 0) }},
	{"root=1", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[16:], 1) }},
	{"root=freelist", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[16:], corrNE.Uint64(m[32:])) }},
	{"root=hwm", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[16:], corrNE.Uint64(m[40:])) }},
	{"root=random", func(b *corrBase, m []byte, r *rand.Rand) { corrNE.PutUint64(m[16:], uint64(2+r.IntN(int(b.hwm)-2))) }},
	{"freelist=root", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[32:], corrNE.Uint64(m[16:])) }},
	{"freelist=0", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[32:], 0) }},
	{"freelist=none", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[32:], corrNoFreelist) }},
	{"freelist=random", func(b *corrBase, m []byte, r *rand.Rand) { corrNE.PutUint64(m[32:], uint64(2+r.IntN(int(b.hwm)-2))) }},
	{"pgid=0", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[40:], 0) }},
	{"pgid=2", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[40:], 2) }},
	{"pgid-1", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[40:], corrNE.Uint64(m[40:])-1) }},
	{"pgid+1", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[40:], corrNE.Uint64(m[40:])+1) }},
	{"pgid=huge", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[40:], 1<<50) }},
	{"pgid=max", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[40:], ^uint64(0)) }},
	{"pgid=2^63", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[40:], 1<<63) }},
	// Times the page size, these wrap to 0 and to a small size.
	{"pgid=2^64/ps", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[40:], (1<<63)/uint64(b.ps)*2) }},
	{"pgid=2^64/ps+hwm", func(b *corrBase, m []byte, _ *rand.Rand) {
		corrNE.PutUint64(m[40:], (1<<63)/uint64(b.ps)*2+corrNE.Uint64(m[40:]))
	}},
	{"pagesize/2", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint32(m[8:], uint32(b.ps/2)) }},
	{"pagesize*2", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint32(m[8:], uint32(b.ps*2)) }},
	{"pagesize=80", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint32(m[8:], 80) }},
	{"pagesize=0", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint32(m[8:], 0) }},
	{"pagesize=huge", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint32(m[8:], 1<<31) }},
	{"pagesize=odd", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint32(m[8:], uint32(b.ps+1)) }},
	{"txid=0", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[48:], 0) }},
	{"txid=max", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[48:], ^uint64(0)) }},
	{"version", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint32(m[4:], 3) }},
	{"magic", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint32(m[0:], 0xdeadbeef) }},
	{"sequence", func(b *corrBase, m []byte, _ *rand.Rand) { corrNE.PutUint64(m[24:], ^uint64(0)) }},
}

// corrKinds are the kinds of damage, taken in turn.
var corrKinds = []corrKind{
	{"header-bitflip", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		id := b.anyPageID(r)
		off, bit := r.IntN(corrPageHeader), r.IntN(8)
		d[int(id)*b.ps+off] ^= 1 << bit
		return fmt.Sprintf("page%d-byte%d-bit%d", id, off, bit), d, true
	}},
	{"element-bitflip", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		p := b.randomPageOf(r, corrBranch, corrLeaf)
		if p == nil {
			return "", nil, false
		}
		off, bit := corrPageHeader+r.IntN(p.count*corrElemSize), r.IntN(8)
		d[int(p.id)*b.ps+off] ^= 1 << bit
		return fmt.Sprintf("page%d-byte%d-bit%d", p.id, off, bit), d, true
	}},
	{"payload-bitflip", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		p := b.randomPageOf(r, corrBranch, corrLeaf, corrFreelist)
		if p == nil {
			return "", nil, false
		}
		span := (int(p.overflow) + 1) * b.ps
		off, bit := corrPageHeader+r.IntN(span-corrPageHeader), r.IntN(8)
		d[int(p.id)*b.ps+off] ^= 1 << bit
		return fmt.Sprintf("page%d-byte%d-bit%d", p.id, off, bit), d, true
	}},
	{"page-fill", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		id := b.anyPageID(r)
		pg := d[int(id)*b.ps : int(id+1)*b.ps]
		how := []string{"zero", "ones", "random", "random-keep-header"}[r.IntN(4)]
		switch how {
		case "zero":
			clear(pg)
		case "ones":
			for i := range pg {
				pg[i] = 0xff
			}
		case "random":
			corrRandomBytes(r, pg)
		default:
			corrRandomBytes(r, pg[corrPageHeader:])
		}
		return fmt.Sprintf("page%d-%s", id, how), d, true
	}},
	{"truncate", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		var n int
		switch r.IntN(4) {
		case 0:
			n = r.IntN(len(d))
		case 1:
			n = r.IntN(len(d)/(b.ps/4)) * (b.ps / 4)
		case 2:
			n = len(d) - 1 - r.IntN(b.ps)
		default:
			n = r.IntN(3 * b.ps)
		}
		n = max(0, min(n, len(d)-1))
		return fmt.Sprintf("len%d", n), d[:n], true
	}},
	{"both-metas-checksum", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		o0, o1 := r.IntN(64), r.IntN(64)
		d[corrPageHeader+o0] ^= 1 << r.IntN(8)
		d[b.ps+corrPageHeader+o1] ^= 1 << r.IntN(8)
		return fmt.Sprintf("byte%d-byte%d", o0, o1), d, true
	}},
	{"both-metas-valid-checksum", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		f0, f1 := corrMetaFields[r.IntN(len(corrMetaFields))], corrMetaFields[r.IntN(len(corrMetaFields))]
		corrSetMeta(d, b.ps, 0, func(m []byte) { f0.set(b, m, r) })
		corrSetMeta(d, b.ps, 1, func(m []byte) { f1.set(b, m, r) })
		return f0.name + "+" + f1.name, d, true
	}},
	{"newest-meta-valid-checksum", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		f := corrMetaFields[r.IntN(len(corrMetaFields))]
		corrSetMeta(d, b.ps, b.newest, func(m []byte) { f.set(b, m, r) })
		return f.name, d, true
	}},
	{"freelist", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		if b.freelist == corrNoFreelist {
			return "", nil, false
		}
		off := int(b.freelist) * b.ps
		count := int(corrNE.Uint16(d[off+10:]))
		ids := d[off+corrPageHeader:]
		var desc string
		switch c := r.IntN(9); {
		case c == 0:
			desc = "count-overflow-huge"
			corrNE.PutUint16(d[off+10:], 0xffff)
			corrNE.PutUint64(ids, 1<<40)
		case c == 1:
			desc = "count-overflow-exact"
			corrNE.PutUint16(d[off+10:], 0xffff)
			copy(ids[8:], ids[:8*count])
			corrNE.PutUint64(ids, uint64(count))
		case c == 2:
			desc = "count-max-fitting"
			corrNE.PutUint16(d[off+10:], uint16((b.ps-corrPageHeader)/8))
		case c == 3:
			desc = "overflow-huge"
			corrNE.PutUint32(d[off+12:], 0xffffffff)
		case c == 4:
			desc = "flags-leaf"
			corrNE.PutUint16(d[off+8:], corrLeaf)
		case count == 0:
			desc = "add-id"
			corrNE.PutUint16(d[off+10:], 1)
			_, id := b.interesting(b.randomPage(r), r)
			corrNE.PutUint64(ids, id)
			desc += fmt.Sprint(id)
		default:
			i := r.IntN(count)
			name, id := b.interesting(b.randomPage(r), r)
			if c == 8 && count > 1 {
				name, id = "duplicate", corrNE.Uint64(ids[8*((i+1)%count):])
			}
			corrNE.PutUint64(ids[8*i:], id)
			desc = fmt.Sprintf("id%d=%s", i, name)
		}
		return desc, d, true
	}},
	{"branch-pointer", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		p := b.randomPageOf(r, corrBranch)
		if p == nil {
			return "", nil, false
		}
		i := r.IntN(p.count)
		name, id := b.interesting(p, r)
		corrNE.PutUint64(d[int(p.id)*b.ps+corrPageHeader+i*corrElemSize+8:], id)
		return fmt.Sprintf("page%d-elem%d=%s", p.id, i, name), d, true
	}},
	{"cycle", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		// A branch element or a bucket pointing back up its own path.
		if r.IntN(2) == 0 {
			if p := b.randomPageOf(r, corrBranch); p != nil {
				i := r.IntN(p.count)
				target := append(slices.Clone(p.ancestors), p.id)[r.IntN(len(p.ancestors)+1)]
				corrNE.PutUint64(d[int(p.id)*b.ps+corrPageHeader+i*corrElemSize+8:], target)
				return fmt.Sprintf("page%d-elem%d->%d", p.id, i, target), d, true
			}
		}
		if len(b.buckets) == 0 {
			return "", nil, false
		}
		bv := b.buckets[r.IntN(len(b.buckets))]
		if len(bv.ancestors) == 0 {
			return "", nil, false
		}
		target := bv.ancestors[r.IntN(len(bv.ancestors))]
		corrNE.PutUint64(d[bv.off:], target)
		return fmt.Sprintf("bucket@%d->%d", bv.off, target), d, true
	}},
	{"count", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		p := b.randomPageOf(r, corrBranch, corrLeaf, corrFreelist)
		if p == nil {
			return "", nil, false
		}
		vals := []int{0xffff, 0, p.count + 1, p.count - 1, r.IntN(0x10000), (b.ps - corrPageHeader) / corrElemSize}
		v := vals[r.IntN(len(vals))]
		corrNE.PutUint16(d[int(p.id)*b.ps+10:], uint16(v))
		return fmt.Sprintf("page%d-count%d", p.id, v), d, true
	}},
	{"overflow", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		p := b.randomPage(r)
		vals := []uint32{0xffffffff, 1 << 31, uint32(b.hwm - p.id), uint32(b.hwm - p.id - 1), p.overflow + 1, uint32(r.IntN(64))}
		v := vals[r.IntN(len(vals))]
		corrNE.PutUint32(d[int(p.id)*b.ps+12:], v)
		return fmt.Sprintf("page%d-overflow%d", p.id, v), d, true
	}},
	{"element-field", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		p := b.randomPageOf(r, corrBranch, corrLeaf)
		if p == nil {
			return "", nil, false
		}
		i := r.IntN(p.count)
		e := int(p.id)*b.ps + corrPageHeader + i*corrElemSize
		fields := []struct {
			name string
			off  int
		}{{"pos", 4}, {"ksize", 8}, {"vsize", 12}}
		if p.flags == corrBranch {
			fields = fields[:2]
			fields[0].off, fields[1].off = 0, 4
		}
		f := fields[r.IntN(len(fields))]
		span := (int(p.overflow) + 1) * b.ps
		vals := []uint32{0, 1, 0xffffffff, 1 << 31, uint32(span), uint32(span - corrPageHeader - i*corrElemSize), uint32(r.IntN(span))}
		v := vals[r.IntN(len(vals))]
		corrNE.PutUint32(d[e+f.off:], v)
		return fmt.Sprintf("page%d-elem%d-%s=%d", p.id, i, f.name, v), d, true
	}},
	{"leaf-flags", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		p := b.randomPageOf(r, corrLeaf)
		if p == nil {
			return "", nil, false
		}
		i := r.IntN(p.count)
		e := int(p.id)*b.ps + corrPageHeader + i*corrElemSize
		v := corrNE.Uint32(d[e:]) ^ corrBucketFlag
		if r.IntN(4) == 0 {
			v = r.Uint32()
		}
		corrNE.PutUint32(d[e:], v)
		return fmt.Sprintf("page%d-elem%d-flags%#x", p.id, i, v), d, true
	}},
	{"bucket-root", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		if len(b.buckets) == 0 {
			return "", nil, false
		}
		bv := b.buckets[r.IntN(len(b.buckets))]
		var p corrPage
		if bv.root != 0 {
			p = b.pages[b.byID[bv.root]]
		} else {
			p = corrPage{id: bv.leaf, ancestors: bv.ancestors}
		}
		name, id := b.interesting(&p, r)
		if r.IntN(5) == 0 {
			name, id = "shared", b.buckets[r.IntN(len(b.buckets))].root
		}
		corrNE.PutUint64(d[bv.off:], id)
		return fmt.Sprintf("bucket@%d=%s", bv.off, name), d, true
	}},
	{"inline-bucket", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		var inl []corrBucketVal
		for _, bv := range b.buckets {
			if bv.inline {
				inl = append(inl, bv)
			}
		}
		if len(inl) == 0 {
			return "", nil, false
		}
		bv := inl[r.IntN(len(inl))]
		img := d[bv.off+corrBucketHeader : bv.off+bv.size]
		n := int(corrNE.Uint16(img[10:]))
		var desc string
		switch c := r.IntN(6); {
		case c == 0:
			desc = "flags-branch"
			corrNE.PutUint16(img[8:], corrBranch)
		case c == 1:
			desc = "count-max"
			corrNE.PutUint16(img[10:], 0xffff)
		case c == 2:
			desc = "count+1"
			corrNE.PutUint16(img[10:], uint16(n+1))
		case c == 3 || n == 0:
			name, id := b.interesting(&corrPage{id: bv.leaf, ancestors: bv.ancestors}, r)
			desc = "root=" + name
			corrNE.PutUint64(d[bv.off:], id)
		default:
			i := r.IntN(n)
			off := corrPageHeader + i*corrElemSize + 4 + 4*r.IntN(3)
			v := []uint32{0, 0xffffffff, uint32(bv.size), 1 << 20}[r.IntN(4)]
			corrNE.PutUint32(img[off:], v)
			desc = fmt.Sprintf("elem%d@%d=%d", i, off, v)
		}
		return fmt.Sprintf("bucket@%d-%s", bv.off, desc), d, true
	}},
	{"key-order", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		p := b.randomPageOf(r, corrBranch, corrLeaf)
		if p == nil || p.count < 2 {
			return "", nil, false
		}
		i := r.IntN(p.count - 1)
		base := int(p.id) * b.ps
		key := func(j int) []byte {
			e := base + corrPageHeader + j*corrElemSize
			pos, ksize := int(corrNE.Uint32(d[e:])), int(corrNE.Uint32(d[e+4:]))
			if p.flags == corrLeaf {
				pos, ksize = int(corrNE.Uint32(d[e+4:])), int(corrNE.Uint32(d[e+8:]))
			}
			return d[e+pos : e+pos+ksize]
		}
		k1, k2 := key(i), key(i+1)
		if len(k1) != len(k2) {
			copy(k2, k1[:min(len(k1), len(k2))])
			return fmt.Sprintf("page%d-keys%d,%d-equal", p.id, i, i+1), d, true
		}
		tmp := slices.Clone(k1)
		copy(k1, k2)
		copy(k2, tmp)
		return fmt.Sprintf("page%d-keys%d,%d-swapped", p.id, i, i+1), d, true
	}},
	{"page-copy", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		src, dst := b.anyPageID(r), b.anyPageID(r)
		if src == dst {
			return "", nil, false
		}
		copy(d[int(dst)*b.ps:int(dst+1)*b.ps], b.data[int(src)*b.ps:int(src+1)*b.ps])
		fix := r.IntN(2) == 0
		if fix {
			corrNE.PutUint64(d[int(dst)*b.ps:], dst)
		}
		return fmt.Sprintf("page%d-onto%d-fixid%t", src, dst, fix), d, true
	}},
	{"havoc", func(b *corrBase, d []byte, r *rand.Rand) (string, []byte, bool) {
		n := 1 + r.IntN(16)
		var sb strings.Builder
		for i := 0; i < n; i++ {
			off := r.IntN(len(d))
			if r.IntN(2) == 0 {
				// Aim at the pages in use, where damage matters.
				off = int(b.anyPageID(r))*b.ps + r.IntN(64)
			}
			v := byte(r.Uint32())
			d[off] = v
			fmt.Fprintf(&sb, "%d=%d,", off, v)
		}
		return sb.String(), d, true
	}},
}

func corrRandomBytes(r *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}
