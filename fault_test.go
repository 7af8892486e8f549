package bolt

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// The fault tests fail one call of a commit at a time (a write, a sync, the
// truncate that grows the file, the mmap that covers it) with ENOSPC or EIO,
// and check what follows: the call's error comes back from Commit, the
// transaction is over, nothing committed before is lost, the file on disk
// holds the last commit or (if the failed call came after the meta page
// reached the file) the failed one, never a mix, and the DB goes on working.

// faultDB is a database whose file calls go through a faultInjector and,
// below it, a recordingFile that logs what reached the file.
type faultDB struct {
	*DB
	t    *testing.T
	path string
	inj  *faultInjector
	rec  *recordingFile
}

func openFaultDB(t *testing.T, path string, opts *Options) *faultDB {
	t.Helper()
	inj := &faultInjector{pageSize: os.Getpagesize()}
	if opts != nil && opts.PageSize != 0 {
		inj.pageSize = opts.PageSize
	}
	rec := &recordingFile{}
	db, err := open(path, 0o600, opts, &seams{
		wrap: func(f *os.File) dataFile { rec.next = osFile{f}; return inj.file(rec) },
		mmap: inj.mmap,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return &faultDB{DB: db, t: t, path: path, inj: inj, rec: rec}
}

// isPoisoned reports whether the DB recorded a failed meta page write that
// no writer has recovered from yet. No write transaction may be open.
func (db *faultDB) isPoisoned() bool {
	db.rwlock.Lock()
	defer db.rwlock.Unlock()
	return db.poisoned != nil
}

// metaLanded reports whether a meta page reached the file since the
// recorder was last reset, far enough to hold the whole meta.
func (db *faultDB) metaLanded() bool {
	for _, op := range db.rec.log() {
		if op.kind == opWriteAt && op.off < int64(2*db.pageSize) && len(op.data) >= pageHeaderSize+metaSize {
			return true
		}
	}
	return false
}

// requireView checks the published state: it is want and consistent.
func (db *faultDB) requireView(want kvState, what string) {
	db.t.Helper()
	require.NoError(db.t, db.View(func(tx *Tx) error { return requireTxState(tx, want) }), what)
}

// requireTxState checks that tx holds want and passes the consistency check.
func requireTxState(tx *Tx, want kvState) error {
	got, err := readState(tx)
	if err != nil {
		return err
	}
	if d := want.diff(got); d != "" {
		return fmt.Errorf("state of tx %d: %s", tx.ID(), d)
	}
	return checkErr(tx)
}

// requireOnDisk opens a copy of the file as it is now, as a process started
// after this one would find it, and checks that it holds want.
func (db *faultDB) requireOnDisk(want kvState, what string) {
	db.t.Helper()
	img, err := os.ReadFile(db.path)
	require.NoError(db.t, err)
	cp := db.path + ".copy"
	require.NoError(db.t, os.WriteFile(cp, img, 0o600))
	other, err := Open(cp, 0o600, nil)
	require.NoError(db.t, err, "%s: open a copy of the file", what)
	defer other.Close()
	require.NoError(db.t, other.View(func(tx *Tx) error { return requireTxState(tx, want) }), "%s: the file on disk", what)
}

// reachablePages returns the pages tx's snapshot uses: the metas, the
// freelist page and every page of every bucket's tree.
func reachablePages(tx *Tx) (map[Pgid]bool, error) {
	var first error
	c := &checker{
		tx:        tx,
		report:    func(err error) { first = firstErr(first, err) },
		reachable: map[Pgid]bool{0: true, 1: true},
	}
	if fl := tx.meta.freelist; fl != pgidNoFreelist {
		p, err := tx.page(fl)
		if err != nil {
			return nil, err
		}
		for i := Pgid(0); i <= Pgid(p.overflow); i++ {
			c.reachable[fl+i] = true
		}
	}
	c.bucket(tx.meta.root.root, nil)
	return c.reachable, first
}

// requireNotFree fails if a page some reader still uses is on the free list
// the writer allocates from. It is called with a write transaction open,
// after its Begin released what the open readers allow.
func requireNotFree(t *testing.T, db *DB, inUse map[Pgid]bool, what string) {
	t.Helper()
	pending := map[Pgid]bool{}
	for _, txp := range db.freelist.pending {
		for _, id := range txp.ids {
			pending[id] = true
		}
	}
	for id := range inUse {
		require.False(t, db.freelist.freed(id) && !pending[id],
			"%s: page %d is free for reuse but a reader still uses it", what, id)
	}
}

// rollbackOnFailure rolls tx back if the test fails while it is open, so
// that the DB can be closed at cleanup.
func rollbackOnFailure(t *testing.T, tx *Tx) {
	t.Cleanup(func() {
		if tx.db != nil {
			_ = tx.Rollback()
		}
	})
}

// faultErrs are the errors injected, in turn.
var faultErrs = []error{syscall.ENOSPC, syscall.EIO}

// TestFault_Commit_EachCall runs a workload in which every commit is first
// tried with its first call of one kind failing, then its second, and so
// on until it commits; a reader opened before the commit stays open
// throughout. After each failure it checks the error, that the
// transaction is finished, the published state, the reader's snapshot, the
// file on disk (the last commit, or the failed one if its meta page
// reached the file) and whether the DB is poisoned (exactly when the meta
// page write or its sync failed); the next attempt checks that the writer
// starts from the state the disk holds.
func TestFault_Commit_EachCall(t *testing.T) {
	steps := 30
	if testing.Short() {
		steps = 12
	}
	tests := []struct {
		kind  faultKind
		opts  *Options
		steps int
	}{
		{faultWriteAt, nil, steps},
		{faultSync, nil, steps},
		// Only commits that grow the file truncate it, and only those that
		// grow it past the mapping, which doubles, map it again.
		{faultTruncate, nil, 2 * steps},
		{faultMmap, nil, steps},
		{faultWriteAt, &Options{NoFreelistSync: true}, steps / 2},
		{faultSync, &Options{NoFreelistSync: true}, steps / 2},
	}
	total := 0
	for _, tt := range tests {
		if tt.kind == faultTruncate && runtime.GOOS == "windows" {
			continue // mapping the file grows it there: grow never truncates
		}
		name := tt.kind.String()
		if tt.opts != nil {
			name += "/NoFreelistSync"
		}
		t.Run(name, func(t *testing.T) {
			n := runFaultWorkload(t, tt.kind, tt.steps, tt.opts)
			require.Positive(t, n, "no %v fault was injected", tt.kind)
			t.Logf("%v: %d faults injected", tt.kind, n)
			total += n
		})
	}
	t.Logf("fault injection: %d faults injected", total)
}

func runFaultWorkload(t *testing.T, kind faultKind, steps int, opts *Options) int {
	seed := testSeed(t)
	db := openFaultDB(t, filepath.Join(scratchDir(t), "db"), opts)
	// Grow in small steps once past 32 KiB, for many growth truncates.
	db.AllocSize = 32 << 10
	peak := 160 << 10
	if kind == faultTruncate || kind == faultMmap {
		peak = 600 << 10 // more growth, more calls
	}
	w := &kvWorkload{rng: rand.New(rand.NewPCG(seed, 3)), pageSize: db.pageSize, commits: steps, peak: peak}
	lands := []int{0, landAll, landHalf}
	cur := kvState{}
	faults, landed := 0, 0
	for step := 1; step <= steps; step++ {
		muts := w.next(cur)
		reader, err := db.Begin(false)
		require.NoError(t, err)
		rollbackOnFailure(t, reader)
		readerState := cur
		inUse, err := reachablePages(reader)
		require.NoError(t, err)

		for i := 1; ; i++ {
			what := fmt.Sprintf("step %d, %v call %d", step, kind, i)
			plan := faultPlan{kind: kind, nth: i, err: faultErrs[(step+i)%2], land: lands[(step+i)%3]}
			tx, err := db.Begin(true)
			require.NoError(t, err, what)
			rollbackOnFailure(t, tx)
			require.NoError(t, requireTxState(tx, cur), "%s: the writer's starting state", what)
			requireNotFree(t, db.DB, inUse, what)
			require.NoError(t, applyTx(tx, muts), what)
			next := cur.clone()
			next.apply(muts)

			db.rec.reset()
			db.inj.arm(plan)
			err = tx.Commit()
			fired, failed := db.inj.disarm()
			if !fired {
				require.NoError(t, err, what)
				cur = next
				break
			}
			faults++
			require.ErrorIs(t, err, plan.err, what)
			require.ErrorIs(t, tx.Rollback(), ErrTxClosed, "%s: the failed transaction must be over", what)

			onDisk := cur
			if db.metaLanded() {
				onDisk = next
				landed++
			}
			metaFailed := db.metaLanded() || (failed.kind == opWriteAt && failed.off < int64(2*db.pageSize))
			require.Equal(t, metaFailed, db.isPoisoned(), "%s (%v failed): poisoned exactly when the meta page write or its sync failed", what, failed)
			db.requireView(cur, what+": the published state")
			require.NoError(t, requireTxState(reader, readerState), "%s: the reader's snapshot", what)
			db.requireOnDisk(onDisk, what)
			cur = onDisk
		}
		db.requireView(cur, fmt.Sprintf("step %d, committed", step))
		require.NoError(t, requireTxState(reader, readerState), "step %d: the reader's snapshot", step)
		require.NoError(t, reader.Rollback())
	}
	require.NoError(t, db.Close())
	db.DB = mustOpenPlain(t, db.path)
	db.requireView(cur, "reopened after the workload")
	if kind == faultWriteAt || kind == faultSync {
		require.Positive(t, landed, "no failed commit had its meta page reach the file")
	}
	return faults
}

// mustOpenPlain opens path with Open's defaults and closes it at cleanup.
func mustOpenPlain(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path, 0o600, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestFault_Meta_Poisoned fails the meta page write of a commit, or its
// sync, while a reader of the previous commit is open. The next writer must
// re-read both metas and go on from the valid newest one: the previous
// commit's when the meta did not reach the file, the failed commit's when
// it did. Through many more commits the reader's snapshot must stay intact:
// no page it uses, including those the landed commit freed, may be reused
// while it is open.
func TestFault_Meta_Poisoned(t *testing.T) {
	tests := []struct {
		name   string
		plan   faultPlan
		landed bool
	}{
		{"write fails, nothing written", faultPlan{kind: faultWriteAt, nth: 1, metaOnly: true, err: syscall.EIO}, false},
		{"write fails, meta torn before the checksum", faultPlan{kind: faultWriteAt, nth: 1, metaOnly: true, err: syscall.EIO, land: pageHeaderSize + 32}, false},
		{"write fails after landing", faultPlan{kind: faultWriteAt, nth: 1, metaOnly: true, err: syscall.ENOSPC, land: landAll}, true},
		{"sync after the write fails", faultPlan{kind: faultSync, nth: 1, metaOnly: true, err: syscall.EIO}, true},
	}
	for _, tt := range tests {
		for _, nfs := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/NoFreelistSync=%t", tt.name, nfs), func(t *testing.T) {
				testMetaPoisoned(t, tt.plan, tt.landed, &Options{NoFreelistSync: nfs})
			})
		}
	}
}

func testMetaPoisoned(t *testing.T, plan faultPlan, landed bool, opts *Options) {
	db := openFaultDB(t, filepath.Join(scratchDir(t), "db"), opts)
	val := func(i, n int) string { return strings.Repeat(string(rune('a'+i%26)), n) }
	var muts []kvMutation
	for i := 0; i < 300; i++ {
		muts = append(muts, kvMutation{path: []string{"a"}, key: fmt.Sprintf("k%04d", i), val: val(i, 100+i%200)})
		muts = append(muts, kvMutation{path: []string{"b", "c"}, key: fmt.Sprintf("k%04d", i), val: val(i, 50)})
	}
	for i := 0; i < 6; i++ {
		muts = append(muts, kvMutation{path: []string{"big"}, key: fmt.Sprintf("k%d", i), val: val(i, 3*db.pageSize)})
	}
	require.NoError(t, db.Update(func(tx *Tx) error { return applyTx(tx, muts) }), "populate")
	s0 := kvState{}
	s0.apply(muts)

	r1, err := db.Begin(false)
	require.NoError(t, err)
	rollbackOnFailure(t, r1)
	inUse, err := reachablePages(r1)
	require.NoError(t, err)

	// A commit that frees many of r1's pages: it deletes most of a, the
	// whole of b, and rewrites the large values.
	muts = nil
	for i := 0; i < 300; i++ {
		if i%3 != 0 {
			muts = append(muts, kvMutation{path: []string{"a"}, key: fmt.Sprintf("k%04d", i), del: true})
		}
	}
	muts = append(muts, kvMutation{path: []string{"b"}, del: true})
	for i := 0; i < 6; i++ {
		muts = append(muts, kvMutation{path: []string{"big"}, key: fmt.Sprintf("k%d", i), val: val(i+1, 2*db.pageSize)})
	}
	s1 := s0.clone()
	s1.apply(muts)
	tx, err := db.Begin(true)
	require.NoError(t, err)
	rollbackOnFailure(t, tx)
	require.NoError(t, applyTx(tx, muts))
	db.rec.reset()
	db.inj.arm(plan)
	err = tx.Commit()
	fired, _ := db.inj.disarm()
	require.True(t, fired, "the fault did not fire")
	require.ErrorIs(t, err, plan.err)
	require.ErrorIs(t, tx.Rollback(), ErrTxClosed)
	require.True(t, db.isPoisoned(), "a failed meta page write or sync must poison the DB")
	require.Equal(t, landed, db.metaLanded(), "the test's premise: did the meta reach the file?")
	want := s0
	if landed {
		want = s1
	}

	// A reader begun now, before any writer recovers, sees the last
	// published commit.
	r2, err := db.Begin(false)
	require.NoError(t, err)
	rollbackOnFailure(t, r2)
	require.NoError(t, requireTxState(r2, s0), "a reader begun after the failure")
	db.requireOnDisk(want, "after the failure")

	rng := rand.New(rand.NewPCG(uint64(len(t.Name())), 7))
	const after = 12
	for n := 0; n < after; n++ {
		what := fmt.Sprintf("commit %d after the failure", n+1)
		muts := churn(rng, n, db.pageSize)
		require.NoError(t, db.Update(func(tx *Tx) error {
			requireNotFree(t, db.DB, inUse, what)
			if n == 0 {
				if err := requireTxState(tx, want); err != nil {
					return fmt.Errorf("the first writer after the failure: %w", err)
				}
				if landed {
					// The premise of the reader check: the landed commit
					// freed pages r1 uses.
					now, err := reachablePages(tx)
					if err != nil {
						return err
					}
					freed := 0
					for id := range inUse {
						if !now[id] {
							freed++
						}
					}
					require.Positive(t, freed, "the failed commit freed none of r1's pages")
				}
			}
			return applyTx(tx, muts)
		}), what)
		want = want.clone()
		want.apply(muts)
		require.NoError(t, requireTxState(r1, s0), "%s: r1's snapshot", what)
		require.NoError(t, requireTxState(r2, s0), "%s: r2's snapshot", what)
		require.False(t, db.isPoisoned(), "%s: still poisoned", what)
	}
	require.NoError(t, r1.Rollback())
	require.NoError(t, r2.Rollback())
	for n := after; n < after+4; n++ {
		muts := churn(rng, n, db.pageSize)
		require.NoError(t, db.Update(func(tx *Tx) error { return applyTx(tx, muts) }))
		want = want.clone()
		want.apply(muts)
	}
	db.requireView(want, "after the readers ended")
	require.NoError(t, db.Close())
	db.DB = mustOpenPlain(t, db.path)
	db.requireView(want, "reopened")
}

// TestFault_Meta_PoisonedTwice fails two commits in a row at their meta
// page: the first before it reaches the file, the second, made by the writer
// that recovered from the first, after. The third writer must go on from
// the second, and a reader from before both must keep its snapshot.
func TestFault_Meta_PoisonedTwice(t *testing.T) {
	db := openFaultDB(t, filepath.Join(scratchDir(t), "db"), nil)
	var base []kvMutation
	for i := 0; i < 200; i++ {
		base = append(base, kvMutation{path: []string{"a"}, key: fmt.Sprintf("k%04d", i), val: strings.Repeat("x", 200)})
	}
	require.NoError(t, db.Update(func(tx *Tx) error { return applyTx(tx, base) }))
	s0 := kvState{}
	s0.apply(base)
	r1, err := db.Begin(false)
	require.NoError(t, err)
	rollbackOnFailure(t, r1)
	inUse, err := reachablePages(r1)
	require.NoError(t, err)

	commit := func(muts []kvMutation, plan faultPlan, start kvState) error {
		t.Helper()
		tx, err := db.Begin(true)
		require.NoError(t, err)
		rollbackOnFailure(t, tx)
		requireNotFree(t, db.DB, inUse, "begin")
		require.NoError(t, requireTxState(tx, start), "the writer's starting state")
		require.NoError(t, applyTx(tx, muts))
		db.rec.reset()
		if plan.err != nil {
			db.inj.arm(plan)
		}
		err = tx.Commit()
		db.inj.disarm()
		return err
	}
	deletes := func(from, to int) []kvMutation {
		var muts []kvMutation
		for i := from; i < to; i++ {
			muts = append(muts, kvMutation{path: []string{"a"}, key: fmt.Sprintf("k%04d", i), del: true})
		}
		return muts
	}

	err = commit(deletes(0, 100), faultPlan{kind: faultWriteAt, nth: 1, metaOnly: true, err: syscall.EIO}, s0)
	require.ErrorIs(t, err, syscall.EIO)
	require.False(t, db.metaLanded())
	require.True(t, db.isPoisoned())

	mutsB := deletes(100, 200)
	err = commit(mutsB, faultPlan{kind: faultSync, nth: 1, metaOnly: true, err: syscall.ENOSPC}, s0)
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.True(t, db.metaLanded())
	require.True(t, db.isPoisoned())
	s1 := s0.clone()
	s1.apply(mutsB)
	db.requireOnDisk(s1, "after the second failure")

	want := s1
	for n := 0; n < 8; n++ {
		muts := churn(rand.New(rand.NewPCG(uint64(n), 9)), n, db.pageSize)
		require.NoError(t, commit(muts, faultPlan{}, want), "commit %d after the failures", n+1)
		want = want.clone()
		want.apply(muts)
		require.NoError(t, requireTxState(r1, s0), "r1's snapshot after commit %d", n+1)
	}
	require.False(t, db.isPoisoned())
	require.NoError(t, r1.Rollback())
	require.NoError(t, db.Close())
	db.DB = mustOpenPlain(t, db.path)
	db.requireView(want, "reopened")
}

// churn returns the mutations of the n-th commit after a failure: puts of new
// small and multi-page values, and deletes, so that freed pages would be
// reused at once if the free list let them.
func churn(rng *rand.Rand, n, pageSize int) []kvMutation {
	var muts []kvMutation
	for i := 0; i < 30; i++ {
		key := "n" + strconv.Itoa(rng.IntN(120))
		if rng.IntN(3) == 0 {
			muts = append(muts, kvMutation{path: []string{"a"}, key: key, del: true})
			continue
		}
		size := 20 + rng.IntN(300)
		if i%10 == 0 {
			size = pageSize + rng.IntN(3*pageSize)
		}
		muts = append(muts, kvMutation{path: []string{"a"}, key: key, val: strings.Repeat(strconv.Itoa(n%10), size)})
	}
	return muts
}

// TestFault_Open_Create fails each call of creating a new file: the two
// writes, the two syncs and the first mmap. Open must return the error and
// clean up, and a later Open must make a working, empty database of
// whatever was left.
func TestFault_Open_Create(t *testing.T) {
	tests := []struct {
		name string
		plan faultPlan
	}{
		{"data pages write", faultPlan{kind: faultWriteAt, nth: 1, err: syscall.ENOSPC}},
		{"data pages write, half landed", faultPlan{kind: faultWriteAt, nth: 1, err: syscall.EIO, land: landHalf}},
		{"data pages sync", faultPlan{kind: faultSync, nth: 1, err: syscall.EIO}},
		{"metas write", faultPlan{kind: faultWriteAt, nth: 2, err: syscall.ENOSPC}},
		{"metas write, landed", faultPlan{kind: faultWriteAt, nth: 2, err: syscall.EIO, land: landAll}},
		{"metas sync", faultPlan{kind: faultSync, nth: 2, err: syscall.EIO}},
		{"mmap", faultPlan{kind: faultMmap, nth: 1, err: syscall.ENOSPC}},
	}
	for _, tt := range tests {
		plan := tt.plan
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(scratchDir(t), "db")
			inj := &faultInjector{pageSize: os.Getpagesize()}
			inj.arm(plan)
			_, err := open(path, 0o600, nil, &seams{
				wrap: func(f *os.File) dataFile { return inj.file(osFile{f}) },
				mmap: inj.mmap,
			})
			fired, _ := inj.disarm()
			require.True(t, fired)
			require.ErrorIs(t, err, plan.err)

			db := mustOpenPlain(t, path)
			require.NoError(t, db.Update(func(tx *Tx) error {
				if err := requireTxState(tx, kvState{}); err != nil {
					return err
				}
				return applyTx(tx, []kvMutation{{path: []string{"b"}, key: "k", val: "v"}})
			}))
			require.NoError(t, db.View(func(tx *Tx) error {
				return requireTxState(tx, kvState{"b": {"k": "v"}})
			}))
		})
	}
}

// TestFault_Commit_FaultsCleared checks that a DB that met every kind of
// fault in a row is not left refusing work: with no faults armed, a commit
// goes through and the file is consistent.
func TestFault_Commit_FaultsCleared(t *testing.T) {
	db := openFaultDB(t, filepath.Join(scratchDir(t), "db"), nil)
	cur := kvState{}
	armed := 0
	for i, plan := range []faultPlan{
		{kind: faultTruncate, nth: 1, err: syscall.ENOSPC},
		{kind: faultMmap, nth: 1, err: syscall.ENOSPC},
		{kind: faultWriteAt, nth: 1, err: syscall.EIO},
		{kind: faultSync, nth: 1, err: syscall.EIO},
		{kind: faultWriteAt, nth: 1, metaOnly: true, err: syscall.EIO},
		{kind: faultSync, nth: 1, metaOnly: true, err: syscall.EIO},
	} {
		// Each attempt grows the file past the mapping, so that the truncate
		// and the mmap are called.
		if plan.kind == faultTruncate && runtime.GOOS == "windows" {
			continue // mapping the file grows it there: grow never truncates
		}
		muts := []kvMutation{{path: []string{"b"}, key: fmt.Sprintf("k%d", i), val: strings.Repeat("x", 40<<10<<i)}}
		armed++
		db.inj.arm(plan)
		db.rec.reset()
		err := db.Update(func(tx *Tx) error { return applyTx(tx, muts) })
		fired, failed := db.inj.disarm()
		require.True(t, fired, "%v: not called", plan.kind)
		require.ErrorIs(t, err, plan.err)
		if db.metaLanded() {
			cur = cur.clone()
			cur.apply(muts)
		}
		require.Equal(t, plan.metaOnly, db.isPoisoned(), "%v failed", failed)
	}
	muts := []kvMutation{{path: []string{"b"}, key: "last", val: "v"}}
	require.NoError(t, db.Update(func(tx *Tx) error {
		if err := requireTxState(tx, cur); err != nil {
			return err
		}
		return applyTx(tx, muts)
	}))
	cur = cur.clone()
	cur.apply(muts)
	db.requireView(cur, "after the faults")
	db.requireOnDisk(cur, "after the faults")
	require.Equal(t, armed, db.inj.count(), "faults injected")
}
