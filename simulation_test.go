package bolt_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
	berrors "github.com/boltkv/bolt/errors"
)

// Flags shared by the randomized tests. A failing run prints its seed; pass
// it back with -seed to replay the same operations.
var (
	simOps = flag.Int("sim.ops", 0, "operations per page size in TestSimulation (0 uses the default, smaller with -short)")

	// simTrace locates failures that kill the process (a fault in unsafe
	// code, say) before the test can print its trace of recent operations.
	simTrace = flag.Bool("sim.trace", false, "print every TestSimulation operation to stderr as it runs")

	// simBboltBugs tolerates two bugs of bbolt v1.5.0 that this test finds,
	// so that it can be run against bbolt; bolt must pass without it.
	//  1. Deleting a bucket that was modified earlier in the same transaction
	//     leaks the pages of some nested buckets, and Check then reports them
	//     as "unreachable unfreed" (SPEC preface).
	//  2. Cursor.Prev returns nil in the middle of a bucket when the previous
	//     leaf was emptied by deletes in the same transaction (Next and Last
	//     skip such leaves; Prev does not).
	simBboltBugs = flag.Bool("sim.bbolt-bugs", false,
		"tolerate known bbolt v1.5.0 bugs (only for running TestSimulation against bbolt)")
)

// simMaxDepth is the deepest bucket nesting the simulation creates; top-level
// buckets are at depth 1.
const simMaxDepth = 4

// modelBucket is the in-memory model of one bucket. The root of the model is
// a modelBucket too, holding only buckets, as a transaction's root does.
//
// names lists every key of the bucket (plain keys and bucket names) in an
// order that depends only on the history of operations, so that picking "a
// random existing key" stays deterministic for a given seed; idx maps a name
// to its position in names.
type modelBucket struct {
	kv      map[string][]byte
	buckets map[string]*modelBucket
	seq     uint64

	names []string
	idx   map[string]int
}

func newModelBucket() *modelBucket {
	return &modelBucket{
		kv:      map[string][]byte{},
		buckets: map[string]*modelBucket{},
		idx:     map[string]int{},
	}
}

// clone returns a deep copy. Values are shared: the simulation never mutates
// a value slice after handing it to the model.
func (m *modelBucket) clone() *modelBucket {
	c := &modelBucket{
		kv:      make(map[string][]byte, len(m.kv)),
		buckets: make(map[string]*modelBucket, len(m.buckets)),
		seq:     m.seq,
		names:   slices.Clone(m.names),
		idx:     make(map[string]int, len(m.idx)),
	}
	for k, v := range m.kv {
		c.kv[k] = v
	}
	for k, b := range m.buckets {
		c.buckets[k] = b.clone()
	}
	for k, i := range m.idx {
		c.idx[k] = i
	}
	return c
}

func (m *modelBucket) addName(k string) {
	if _, ok := m.idx[k]; !ok {
		m.idx[k] = len(m.names)
		m.names = append(m.names, k)
	}
}

func (m *modelBucket) removeName(k string) {
	i, ok := m.idx[k]
	if !ok {
		return
	}
	last := m.names[len(m.names)-1]
	m.names[i] = last
	m.idx[last] = i
	m.names = m.names[:len(m.names)-1]
	delete(m.idx, k)
}

func (m *modelBucket) put(k string, v []byte) {
	m.kv[k] = v
	m.addName(k)
}

func (m *modelBucket) del(k string) {
	delete(m.kv, k)
	m.removeName(k)
}

func (m *modelBucket) createBucket(k string) *modelBucket {
	c := newModelBucket()
	m.buckets[k] = c
	m.addName(k)
	return c
}

func (m *modelBucket) deleteBucket(k string) {
	delete(m.buckets, k)
	m.removeName(k)
}

// sorted returns every key of the bucket in the order bolt keeps them
// (bytewise, which is Go's string order).
func (m *modelBucket) sorted() []string {
	s := slices.Clone(m.names)
	slices.Sort(s)
	return s
}

func (m *modelBucket) bucketNames() []string {
	s := make([]string, 0, len(m.buckets))
	for k := range m.buckets {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

func (m *modelBucket) kvNames() []string {
	s := make([]string, 0, len(m.kv))
	for k := range m.kv {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// simBucket is what *bolt.Tx (the root) and *bolt.Bucket have in common.
type simBucket interface {
	Bucket(name []byte) *bolt.Bucket
	CreateBucket(name []byte) (*bolt.Bucket, error)
	CreateBucketIfNotExists(name []byte) (*bolt.Bucket, error)
	DeleteBucket(name []byte) error
	Cursor() *bolt.Cursor
}

// errSimRollback is returned from an Update function to make it roll back.
var errSimRollback = errors.New("simulation: deliberate rollback")

type simCounters struct {
	commits, rollbacks, readTxs, reopens, readOnlyOpens int
	puts, deletes, gets, iterations, cursorDeletes      int
	bucketsCreated, bucketsDeleted, sequenceOps         int
	expectedErrors, bigValues                           int
}

type simulation struct {
	t        *testing.T
	seed     int64
	pageSize int
	rng      *rand.Rand
	path     string
	db       *bolt.DB
	tx       *bolt.Tx // the open unmanaged transaction, rolled back if a check fails inside it
	model    *modelBucket

	size  int // keys and buckets in the DB at the last verify, to keep it bounded
	txNum int // transactions begun so far
	opNum int // operations run so far, over all transactions
	trace []string
	n     simCounters
}

func TestSimulation(t *testing.T) {
	seed := int64(bolt.TestSeed(t))

	ops := 3000
	if testing.Short() {
		ops = 600
	}
	if simRaceEnabled() {
		// The race detector slows this single-goroutine test about tenfold
		// and finds nothing more in it; spend a few seconds, not a minute.
		ops /= 3
	}
	if *simOps > 0 {
		ops = *simOps
	}

	// Every DB runs under ForceReadAhead: read-ahead must never change what
	// is read, and the scans of verify must have used it.
	before := bolt.ForcedReadAheads()
	t.Cleanup(func() {
		if !t.Failed() && bolt.ForcedReadAheads() == before {
			t.Errorf("no read-ahead was asked for")
		}
		t.Logf("%d read-ahead ranges asked for", bolt.ForcedReadAheads()-before)
	})
	for _, pageSize := range []int{1024, 4096, 16384} {
		t.Run(fmt.Sprintf("pagesize=%d", pageSize), func(t *testing.T) {
			t.Parallel()
			s := &simulation{
				t:        t,
				seed:     seed,
				pageSize: pageSize,
				rng:      rand.New(rand.NewPCG(uint64(seed), uint64(pageSize))),
				path:     filepath.Join(t.TempDir(), "sim.db"),
				model:    newModelBucket(),
			}
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("seed=%d pagesize=%d: replay with -run 'TestSimulation/pagesize=%d$' -seed=%d",
						seed, pageSize, pageSize, seed)
				}
			})
			s.run(ops)
		})
	}
}

func (s *simulation) run(totalOps int) {
	var err error
	s.db, err = bolt.Open(s.path, 0o600, &bolt.Options{PageSize: s.pageSize, NoSync: true})
	require.NoError(s.t, err, s.where())
	bolt.ForceReadAhead(s.db)
	s.t.Cleanup(func() {
		if s.tx != nil {
			_ = s.tx.Rollback()
		}
		if s.db != nil {
			_ = s.db.Close()
		}
	})
	require.Equal(s.t, s.pageSize, s.db.Info().PageSize, s.where())

	for s.opNum < totalOps {
		s.txNum++
		s.logf("begin tx")
		switch r := s.rng.IntN(100); {
		case r < 10:
			s.readTx()
		case r < 70:
			s.writeTx(s.txOps(), true, false)
		case r < 78:
			s.writeTx(s.txOps(), true, true)
		case r < 92:
			s.writeTx(s.txOps(), false, false)
		default:
			s.writeTx(s.txOps(), false, true)
		}
		if s.rng.IntN(10) == 0 {
			s.reopen()
		}
	}

	// Finish on a reopened, checked file so the final state is on disk.
	s.reopen()

	// The op mix is random; make sure a run of the default size or more went
	// through every kind of work, so a change to the weights can't quietly
	// disable one. (A -short run is too small to promise every kind.)
	if totalOps >= 2000 {
		n := s.n
		for name, v := range map[string]int{
			"commits": n.commits, "rollbacks": n.rollbacks, "read txs": n.readTxs,
			"reopens": n.reopens, "puts": n.puts, "deletes": n.deletes, "gets": n.gets,
			"iterations": n.iterations, "cursor deletes": n.cursorDeletes,
			"buckets created": n.bucketsCreated, "buckets deleted": n.bucketsDeleted,
			"sequence ops": n.sequenceOps, "expected errors": n.expectedErrors, "big values": n.bigValues,
		} {
			require.Positive(s.t, v, "no %s happened in %d operations\n%s", name, totalOps, s.where())
		}
	}
	s.t.Logf("pagesize=%d: %d txs, %d ops, %+v", s.pageSize, s.txNum, s.opNum, s.n)
}

// simRaceEnabled reports whether the test binary was built with -race.
func simRaceEnabled() bool {
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

// txOps picks how many operations the next transaction runs.
func (s *simulation) txOps() int {
	if s.rng.IntN(20) == 0 {
		return 100 + s.rng.IntN(200)
	}
	return 1 + s.rng.IntN(40)
}

// where describes the current position of the run for failure messages. It
// is formatted only when a check fails.
func (s *simulation) where() simWhere { return simWhere{s} }

type simWhere struct{ s *simulation }

func (w simWhere) String() string {
	s := w.s
	return fmt.Sprintf("seed=%d pagesize=%d tx=%d op=%d\nrecent operations (oldest first):\n  %s",
		s.seed, s.pageSize, s.txNum, s.opNum, strings.Join(s.trace, "\n  "))
}

// logf records an operation in the trace printed on failure.
func (s *simulation) logf(format string, args ...any) {
	const keep = 40
	msg := fmt.Sprintf("tx=%d op=%d: ", s.txNum, s.opNum) + fmt.Sprintf(format, args...)
	if len(s.trace) == keep {
		copy(s.trace, s.trace[1:])
		s.trace = s.trace[:keep-1]
	}
	s.trace = append(s.trace, msg)
	if *simTrace {
		fmt.Fprintf(os.Stderr, "seed=%d pagesize=%d %s\n", s.seed, s.pageSize, msg)
	}
}

// writeTx runs n operations in a read-write transaction, then commits it or
// rolls it back. managed selects db.Update over Begin/Commit/Rollback.
func (s *simulation) writeTx(n int, commit, managed bool) {
	saved := s.model.clone()
	body := func(tx *bolt.Tx) {
		require.True(s.t, tx.Writable(), s.where())
		for i := 0; i < n; i++ {
			s.opNum++
			s.writeOp(tx)
		}
	}

	if managed {
		err := s.db.Update(func(tx *bolt.Tx) error {
			body(tx)
			if !commit {
				return errSimRollback
			}
			return nil
		})
		if commit {
			require.NoError(s.t, err, s.where())
		} else {
			require.ErrorIs(s.t, err, errSimRollback, s.where())
		}
	} else {
		tx, err := s.db.Begin(true)
		require.NoError(s.t, err, s.where())
		s.tx = tx
		body(tx)
		s.tx = nil
		if commit {
			require.NoError(s.t, tx.Commit(), s.where())
			require.ErrorIs(s.t, tx.Commit(), berrors.ErrTxClosed, s.where())
		} else {
			require.NoError(s.t, tx.Rollback(), s.where())
			require.ErrorIs(s.t, tx.Rollback(), berrors.ErrTxClosed, s.where())
		}
	}

	if commit {
		s.n.commits++
		s.logf("committed")
		s.verify()
		return
	}
	s.n.rollbacks++
	s.model = saved
	s.logf("rolled back")
	if s.rng.IntN(3) == 0 {
		s.verify()
	}
}

// readTx runs read operations in a read-only transaction, including the
// mutations a read-only transaction must refuse.
func (s *simulation) readTx() {
	s.n.readTxs++
	tx, err := s.db.Begin(false)
	require.NoError(s.t, err, s.where())
	s.tx = tx
	defer func() {
		s.tx = nil
		require.NoError(s.t, tx.Rollback(), s.where())
	}()
	require.False(s.t, tx.Writable(), s.where())

	n := 1 + s.rng.IntN(20)
	for i := 0; i < n; i++ {
		s.opNum++
		switch r := s.rng.IntN(10); {
		case r < 4:
			s.opGet(tx)
		case r < 8:
			s.opIterate(tx, false)
		default:
			s.opReadOnlyRefusals(tx)
		}
	}
}

// simTargetSize is the number of keys and buckets above which the operation
// mix leans towards deleting, so that comparing the whole DB after every
// commit stays cheap.
const simTargetSize = 2500

func (s *simulation) writeOp(tx *bolt.Tx) {
	if s.size > simTargetSize && s.rng.IntN(4) == 0 {
		if s.rng.IntN(3) == 0 {
			s.opDeleteBucket(tx)
		} else {
			s.opRangeDelete(tx)
		}
		return
	}
	switch r := s.rng.IntN(100); {
	case r < 36:
		s.opPut(tx)
	case r < 46:
		s.opDelete(tx)
	case r < 54:
		s.opGet(tx)
	case r < 62:
		s.opIterate(tx, true)
	case r < 70:
		s.opCreateBucket(tx)
	case r < 75:
		s.opCreateBucketIfNotExists(tx)
	case r < 80:
		s.opDeleteBucket(tx)
	case r < 86:
		s.opSequence(tx)
	case r < 90:
		s.opBadArguments(tx)
	case r < 95:
		s.opBulkPut(tx)
	default:
		s.opRangeDelete(tx)
	}
}

// pickPath walks down from the root to a random bucket no deeper than
// maxDepth. With allowRoot the root itself (an empty path) may be chosen;
// without it, an empty path means there is no bucket at all.
func (s *simulation) pickPath(maxDepth int, allowRoot bool) ([]string, *modelBucket) {
	var path []string
	m := s.model
	for len(path) < maxDepth && len(m.buckets) > 0 {
		if (allowRoot || len(path) > 0) && s.rng.IntN(3) == 0 {
			break
		}
		names := m.bucketNames()
		name := names[s.rng.IntN(len(names))]
		path = append(path, name)
		m = m.buckets[name]
	}
	return path, m
}

// pickDataBucket picks a non-root bucket to hold plain keys, creating a
// top-level one first if there is none.
func (s *simulation) pickDataBucket(tx *bolt.Tx) ([]string, *modelBucket, *bolt.Bucket) {
	path, m := s.pickPath(simMaxDepth, false)
	if len(path) == 0 {
		name := s.randKey()
		s.logf("CreateBucket(root, %x) for data", name)
		_, err := tx.CreateBucket([]byte(name))
		require.NoError(s.t, err, s.where())
		s.n.bucketsCreated++
		m = s.model.createBucket(name)
		path = []string{name}
	}
	return path, m, s.openBucket(tx, path)
}

// openBucket opens the bucket at path; an empty path is not a bucket.
func (s *simulation) openBucket(tx *bolt.Tx, path []string) *bolt.Bucket {
	s.t.Helper()
	require.NotEmpty(s.t, path, s.where())
	b := tx.Bucket([]byte(path[0]))
	require.NotNil(s.t, b, "bucket %x missing\n%s", path[0], s.where())
	for i, name := range path[1:] {
		b = b.Bucket([]byte(name))
		require.NotNil(s.t, b, "bucket %x missing (depth %d)\n%s", name, i+2, s.where())
	}
	return b
}

func (s *simulation) open(tx *bolt.Tx, path []string) simBucket {
	if len(path) == 0 {
		return tx
	}
	return s.openBucket(tx, path)
}

// randKey returns 1 to 64 bytes, either from a small alphabet (so keys share
// prefixes and collide) or arbitrary binary including 0x00 and 0xff.
func (s *simulation) randKey() string {
	n := 1 + s.rng.IntN(1+s.rng.IntN(64))
	b := make([]byte, n)
	if s.rng.IntN(2) == 0 {
		for i := range b {
			b[i] = "abcdefgh"[s.rng.IntN(8)]
		}
	} else {
		for i := range b {
			switch s.rng.IntN(8) {
			case 0:
				b[i] = 0x00
			case 1:
				b[i] = 0xff
			default:
				b[i] = byte(s.rng.Uint32())
			}
		}
	}
	return string(b)
}

// randValue returns a fresh, never-nil slice of 0 to 2000 bytes, or now and
// then 5 to 20 KiB so that values overflow pages of every size under test.
func (s *simulation) randValue() []byte {
	var n int
	switch r := s.rng.IntN(100); {
	case r < 3:
		n = 5<<10 + s.rng.IntN(15<<10+1)
		s.n.bigValues++
	case r < 8:
		n = 0
	default:
		n = s.rng.IntN(2001)
	}
	return s.fill(make([]byte, n))
}

func (s *simulation) fill(b []byte) []byte {
	for i := 0; i < len(b); i += 8 {
		x := s.rng.Uint64()
		for j := i; j < len(b) && j < i+8; j++ {
			b[j] = byte(x)
			x >>= 8
		}
	}
	return b
}

// pickExisting returns a random key of m, or "" if m is empty.
func (s *simulation) pickExisting(m *modelBucket) string {
	if len(m.names) == 0 {
		return ""
	}
	return m.names[s.rng.IntN(len(m.names))]
}

func (s *simulation) pickKV(m *modelBucket) (string, bool) {
	for range 8 {
		if k := s.pickExisting(m); k != "" {
			if _, ok := m.kv[k]; ok {
				return k, true
			}
		}
	}
	return "", false
}

func (s *simulation) pickChildBucket(m *modelBucket) (string, bool) {
	if len(m.buckets) == 0 {
		return "", false
	}
	names := m.bucketNames()
	return names[s.rng.IntN(len(names))], true
}

// missingKey returns a key that m does not hold.
func (s *simulation) missingKey(m *modelBucket) string {
	for {
		k := s.randKey()
		if _, ok := m.idx[k]; !ok {
			return k
		}
	}
}

func (s *simulation) expectErr(err, want error, what string) {
	s.t.Helper()
	require.ErrorIs(s.t, err, want, "%s\n%s", what, s.where())
	s.n.expectedErrors++
}

// requireValue checks a value read for key. It is on the hot path of every
// comparison, so it builds no message unless the check fails.
func (s *simulation) requireValue(want, got []byte, what, key string) {
	if got == nil {
		s.t.Helper()
		s.t.Fatalf("%s at key %x: got nil, want %d bytes\n%s", what, key, len(want), s.where())
	}
	if !bytes.Equal(want, got) {
		s.t.Helper()
		i := 0
		for i < len(want) && i < len(got) && want[i] == got[i] {
			i++
		}
		s.t.Fatalf("%s at key %x: value differs: got %d bytes, want %d bytes, first difference at offset %d\n%s",
			what, key, len(got), len(want), i, s.where())
	}
}

func (s *simulation) opPut(tx *bolt.Tx) {
	path, m, b := s.pickDataBucket(tx)
	var key string
	switch r := s.rng.IntN(100); {
	case r < 25:
		if k, ok := s.pickKV(m); ok {
			key = k
		}
	case r < 30:
		if k, ok := s.pickChildBucket(m); ok {
			s.logf("Put(%x, bucket key %x)", path, k)
			s.expectErr(b.Put([]byte(k), []byte("v")), berrors.ErrIncompatibleValue, "Put on a bucket key")
			return
		}
	}
	if key == "" {
		key = s.missingKey(m)
	}
	v := s.randValue()
	s.logf("Put(%x, %x, %d bytes)", path, key, len(v))
	require.NoError(s.t, b.Put([]byte(key), v), s.where())
	m.put(key, v)
	s.n.puts++
	if s.rng.IntN(4) == 0 {
		s.requireValue(v, b.Get([]byte(key)), "Get after Put", key)
	}
}

func (s *simulation) opDelete(tx *bolt.Tx) {
	path, m, b := s.pickDataBucket(tx)
	switch r := s.rng.IntN(100); {
	case r < 10:
		if k, ok := s.pickChildBucket(m); ok {
			s.logf("Delete(%x, bucket key %x)", path, k)
			s.expectErr(b.Delete([]byte(k)), berrors.ErrIncompatibleValue, "Delete on a bucket key")
			require.NotNil(s.t, b.Bucket([]byte(k)), "bucket gone after refused Delete\n%s", s.where())
			return
		}
	case r < 30:
		k := s.missingKey(m)
		s.logf("Delete(%x, missing %x)", path, k)
		require.NoError(s.t, b.Delete([]byte(k)), s.where())
		return
	}
	k, ok := s.pickKV(m)
	if !ok {
		return
	}
	s.logf("Delete(%x, %x)", path, k)
	require.NoError(s.t, b.Delete([]byte(k)), s.where())
	m.del(k)
	s.n.deletes++
	require.Nil(s.t, b.Get([]byte(k)), "Get after Delete\n%s", s.where())
}

func (s *simulation) opGet(tx *bolt.Tx) {
	path, m := s.pickPath(simMaxDepth, false)
	if len(path) == 0 {
		require.Nil(s.t, tx.Bucket([]byte(s.randKey())), "Bucket on an empty root\n%s", s.where())
		return
	}
	b := s.openBucket(tx, path)
	s.n.gets++
	switch r := s.rng.IntN(10); {
	case r < 6:
		if k, ok := s.pickKV(m); ok {
			s.logf("Get(%x, %x)", path, k)
			s.requireValue(m.kv[k], b.Get([]byte(k)), "Get", k)
			require.Nil(s.t, b.Bucket([]byte(k)), "Bucket on a plain key\n%s", s.where())
			return
		}
	case r < 8:
		if k, ok := s.pickChildBucket(m); ok {
			s.logf("Get(%x, bucket key %x)", path, k)
			require.Nil(s.t, b.Get([]byte(k)), "Get on a bucket key\n%s", s.where())
			child := b.Bucket([]byte(k))
			require.NotNil(s.t, child, s.where())
			require.Equal(s.t, m.buckets[k].seq, child.Sequence(), s.where())
			return
		}
	}
	k := s.missingKey(m)
	s.logf("Get(%x, missing %x)", path, k)
	require.Nil(s.t, b.Get([]byte(k)), "Get on a missing key\n%s", s.where())
	require.Nil(s.t, b.Bucket([]byte(k)), "Bucket on a missing key\n%s", s.where())
}

// seekTarget returns a key to seek to: usually an existing one or a random
// one, sometimes the empty key.
func (s *simulation) seekTarget(m *modelBucket) string {
	switch r := s.rng.IntN(10); {
	case r < 1:
		return ""
	case r < 5:
		if k := s.pickExisting(m); k != "" {
			return k
		}
	}
	return s.randKey()
}

// checkEntry compares one cursor position with the model: buckets come back
// with a nil value, plain keys with their (never nil) value.
func (s *simulation) checkEntry(m *modelBucket, want string, k, v []byte, what string) {
	if k == nil {
		s.t.Helper()
		s.t.Fatalf("%s: cursor returned nil, want key %x\n%s", what, want, s.where())
	}
	if string(k) != want {
		s.t.Helper()
		s.t.Fatalf("%s: cursor returned key %x, want %x\n%s", what, k, want, s.where())
	}
	if _, ok := m.buckets[want]; ok {
		if v != nil {
			s.t.Helper()
			s.t.Fatalf("%s: bucket key %x came with a %d-byte value, want nil\n%s", what, k, len(v), s.where())
		}
		return
	}
	s.requireValue(m.kv[want], v, what, want)
}

func (s *simulation) requireNoKey(k []byte, what string) {
	if k != nil {
		s.t.Helper()
		s.t.Fatalf("%s: cursor returned key %x, want nil (end)\n%s", what, k, s.where())
	}
}

// opIterate seeks into a random range of a random bucket and walks it
// forward or backward, comparing every step with the model. In a writable
// transaction it sometimes deletes plain keys through the cursor on the way;
// after each such delete it seeks again, because where Next lands after a
// Delete is not part of the contract (SPEC §1.8).
func (s *simulation) opIterate(tx *bolt.Tx, writable bool) {
	path, m := s.pickPath(simMaxDepth, true)
	bl := s.open(tx, path)
	keys := m.sorted()
	lo, hi := s.seekTarget(m), s.seekTarget(m)
	if hi < lo {
		lo, hi = hi, lo
	}
	bounded := s.rng.IntN(3) != 0 // otherwise run to the end of the bucket
	maxSteps := 1 + s.rng.IntN(300)
	deleteEvery := 0
	if writable && len(path) > 0 && s.rng.IntN(3) == 0 {
		deleteEvery = 1 + s.rng.IntN(4)
	}
	forward := s.rng.IntN(2) == 0
	s.logf("iterate(%x, lo=%x, hi=%x, bounded=%v, forward=%v, steps=%d, deleteEvery=%d) over %d keys",
		path, lo, hi, bounded, forward, maxSteps, deleteEvery, len(keys))
	s.n.iterations++

	c := bl.Cursor()
	cursorDelete := func(i int) bool {
		if deleteEvery == 0 || s.rng.IntN(deleteEvery) != 0 {
			return false
		}
		key := keys[i]
		if _, isBucket := m.buckets[key]; isBucket {
			s.expectErr(c.Delete(), berrors.ErrIncompatibleValue, "Cursor.Delete on a bucket key")
			return false
		}
		s.logf("Cursor.Delete(%x, %x)", path, key)
		require.NoError(s.t, c.Delete(), s.where())
		m.del(key)
		s.n.cursorDeletes++
		return true
	}

	if forward {
		i := sort.SearchStrings(keys, lo)
		k, v := c.Seek([]byte(lo))
		for step := 0; step < maxSteps; step++ {
			if i == len(keys) {
				s.requireNoKey(k, "forward iteration past the last key")
				return
			}
			s.checkEntry(m, keys[i], k, v, "forward iteration")
			if bounded && keys[i] >= hi {
				return
			}
			if cursorDelete(i) {
				deleted := keys[i]
				keys = slices.Delete(keys, i, i+1)
				k, v = c.Seek([]byte(deleted))
				continue
			}
			i++
			k, v = c.Next()
		}
		return
	}

	// Backward: seek to hi, then step back with Prev. A Seek past the last
	// key leaves the cursor at the end, so Prev returns the last key.
	j := sort.SearchStrings(keys, hi)
	k, v := c.Seek([]byte(hi))
	if j == len(keys) {
		s.requireNoKey(k, "Seek past the last key")
	} else {
		s.checkEntry(m, keys[j], k, v, "Seek before backward iteration")
	}
	k, v = c.Prev()
	j--
	for step := 0; step < maxSteps; step++ {
		if j < 0 {
			s.requireNoKey(k, "backward iteration before the first key")
			return
		}
		if k == nil && writable && *simBboltBugs {
			s.logf("tolerated: Prev returned nil before key %x (bbolt empty-leaf bug)", keys[j])
			return
		}
		s.checkEntry(m, keys[j], k, v, "backward iteration")
		if bounded && keys[j] < lo {
			return
		}
		if cursorDelete(j) {
			deleted := keys[j]
			keys = slices.Delete(keys, j, j+1)
			k, v = c.Seek([]byte(deleted))
			if j == len(keys) {
				s.requireNoKey(k, "Seek to a deleted last key")
			} else {
				s.checkEntry(m, keys[j], k, v, "Seek to a deleted key")
			}
		}
		j--
		k, v = c.Prev()
	}
}

func (s *simulation) opCreateBucket(tx *bolt.Tx) {
	path, m := s.pickPath(simMaxDepth-1, true)
	parent := s.open(tx, path)
	switch r := s.rng.IntN(10); {
	case r < 1:
		if k, ok := s.pickChildBucket(m); ok {
			s.logf("CreateBucket(%x, existing %x)", path, k)
			b, err := parent.CreateBucket([]byte(k))
			s.expectErr(err, berrors.ErrBucketExists, "CreateBucket on an existing bucket")
			require.Nil(s.t, b, s.where())
			return
		}
	case r < 2:
		if k, ok := s.pickKV(m); ok {
			s.logf("CreateBucket(%x, plain key %x)", path, k)
			b, err := parent.CreateBucket([]byte(k))
			s.expectErr(err, berrors.ErrIncompatibleValue, "CreateBucket on a plain key")
			require.Nil(s.t, b, s.where())
			return
		}
	}
	name := s.missingKey(m)
	s.logf("CreateBucket(%x, %x)", path, name)
	b, err := parent.CreateBucket([]byte(name))
	require.NoError(s.t, err, s.where())
	require.NotNil(s.t, b, s.where())
	require.Zero(s.t, b.Sequence(), s.where())
	k, _ := b.Cursor().First()
	require.Nil(s.t, k, "new bucket is not empty\n%s", s.where())
	m.createBucket(name)
	s.n.bucketsCreated++
}

func (s *simulation) opCreateBucketIfNotExists(tx *bolt.Tx) {
	path, m := s.pickPath(simMaxDepth-1, true)
	parent := s.open(tx, path)
	switch r := s.rng.IntN(10); {
	case r < 4:
		if k, ok := s.pickChildBucket(m); ok {
			s.logf("CreateBucketIfNotExists(%x, existing %x)", path, k)
			b, err := parent.CreateBucketIfNotExists([]byte(k))
			require.NoError(s.t, err, s.where())
			require.NotNil(s.t, b, s.where())
			require.Equal(s.t, m.buckets[k].seq, b.Sequence(), s.where())
			first, _ := b.Cursor().First()
			if want := m.buckets[k].sorted(); len(want) == 0 {
				require.Nil(s.t, first, s.where())
			} else {
				require.Equal(s.t, want[0], string(first), s.where())
			}
			return
		}
	case r < 5:
		if k, ok := s.pickKV(m); ok {
			s.logf("CreateBucketIfNotExists(%x, plain key %x)", path, k)
			_, err := parent.CreateBucketIfNotExists([]byte(k))
			s.expectErr(err, berrors.ErrIncompatibleValue, "CreateBucketIfNotExists on a plain key")
			return
		}
	}
	name := s.missingKey(m)
	s.logf("CreateBucketIfNotExists(%x, %x)", path, name)
	b, err := parent.CreateBucketIfNotExists([]byte(name))
	require.NoError(s.t, err, s.where())
	require.NotNil(s.t, b, s.where())
	m.createBucket(name)
	s.n.bucketsCreated++
}

func (s *simulation) opDeleteBucket(tx *bolt.Tx) {
	path, m := s.pickPath(simMaxDepth-1, true)
	parent := s.open(tx, path)
	switch r := s.rng.IntN(10); {
	case r < 1:
		k := s.missingKey(m)
		s.logf("DeleteBucket(%x, missing %x)", path, k)
		s.expectErr(parent.DeleteBucket([]byte(k)), berrors.ErrBucketNotFound, "DeleteBucket on a missing key")
		return
	case r < 2:
		if k, ok := s.pickKV(m); ok {
			s.logf("DeleteBucket(%x, plain key %x)", path, k)
			s.expectErr(parent.DeleteBucket([]byte(k)), berrors.ErrIncompatibleValue, "DeleteBucket on a plain key")
			return
		}
	}
	k, ok := s.pickChildBucket(m)
	if !ok {
		return
	}
	s.logf("DeleteBucket(%x, %x)", path, k)
	require.NoError(s.t, parent.DeleteBucket([]byte(k)), s.where())
	m.deleteBucket(k)
	s.n.bucketsDeleted++
	require.Nil(s.t, parent.Bucket([]byte(k)), "Bucket after DeleteBucket\n%s", s.where())
}

func (s *simulation) opSequence(tx *bolt.Tx) {
	path, m, b := s.pickDataBucket(tx)
	s.n.sequenceOps++
	switch r := s.rng.IntN(10); {
	case r < 5:
		s.logf("NextSequence(%x)", path)
		got, err := b.NextSequence()
		require.NoError(s.t, err, s.where())
		m.seq++
		require.Equal(s.t, m.seq, got, "NextSequence\n%s", s.where())
	case r < 8:
		v := s.rng.Uint64N(1 << uint(1+s.rng.IntN(62)))
		s.logf("SetSequence(%x, %d)", path, v)
		require.NoError(s.t, b.SetSequence(v), s.where())
		m.seq = v
	}
	require.Equal(s.t, m.seq, b.Sequence(), "Sequence\n%s", s.where())
}

// opBadArguments makes calls that must fail on their arguments alone.
func (s *simulation) opBadArguments(tx *bolt.Tx) {
	path, _, b := s.pickDataBucket(tx)
	s.logf("bad arguments in %x", path)
	s.expectErr(b.Put(nil, []byte("v")), berrors.ErrKeyRequired, "Put with a nil key")
	s.expectErr(b.Put([]byte{}, []byte("v")), berrors.ErrKeyRequired, "Put with an empty key")
	s.expectErr(b.Put(make([]byte, bolt.MaxKeySize+1), []byte("v")), berrors.ErrKeyTooLarge, "Put with an oversized key")
	_, err := b.CreateBucket(nil)
	s.expectErr(err, berrors.ErrBucketNameRequired, "CreateBucket with no name")
	_, err = b.CreateBucketIfNotExists([]byte{})
	s.expectErr(err, berrors.ErrBucketNameRequired, "CreateBucketIfNotExists with no name")
	_, err = tx.CreateBucket([]byte{})
	s.expectErr(err, berrors.ErrBucketNameRequired, "Tx.CreateBucket with no name")
}

// opReadOnlyRefusals checks that a read-only transaction refuses every
// mutation, before looking at the arguments.
func (s *simulation) opReadOnlyRefusals(tx *bolt.Tx) {
	s.logf("read-only refusals")
	_, err := tx.CreateBucket([]byte(s.randKey()))
	s.expectErr(err, berrors.ErrTxNotWritable, "Tx.CreateBucket in a read-only tx")
	path, m := s.pickPath(simMaxDepth, false)
	if len(path) == 0 {
		return
	}
	b := s.openBucket(tx, path)
	k := s.seekTarget(m)
	s.expectErr(b.Put([]byte(k), []byte("v")), berrors.ErrTxNotWritable, "Put in a read-only tx")
	s.expectErr(b.Delete([]byte(k)), berrors.ErrTxNotWritable, "Delete in a read-only tx")
	_, err = b.CreateBucket([]byte(k))
	s.expectErr(err, berrors.ErrTxNotWritable, "CreateBucket in a read-only tx")
	_, err = b.CreateBucketIfNotExists([]byte(k))
	s.expectErr(err, berrors.ErrTxNotWritable, "CreateBucketIfNotExists in a read-only tx")
	s.expectErr(b.DeleteBucket([]byte(k)), berrors.ErrTxNotWritable, "DeleteBucket in a read-only tx")
	_, err = b.NextSequence()
	s.expectErr(err, berrors.ErrTxNotWritable, "NextSequence in a read-only tx")
	s.expectErr(b.SetSequence(7), berrors.ErrTxNotWritable, "SetSequence in a read-only tx")
	c := b.Cursor()
	if ck, _ := c.First(); ck != nil {
		s.expectErr(c.Delete(), berrors.ErrTxNotWritable, "Cursor.Delete in a read-only tx")
	}
}

// opBulkPut writes a run of keys sharing a prefix, in order or shuffled, so
// buckets grow past one page and split.
func (s *simulation) opBulkPut(tx *bolt.Tx) {
	path, m, b := s.pickDataBucket(tx)
	prefix := s.randKey()
	prefix = prefix[:min(len(prefix), 59)] // keep keys within 64 bytes
	n := 10 + s.rng.IntN(150)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if s.rng.IntN(2) == 0 {
		s.rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	s.logf("bulk Put(%x, prefix %x, %d keys)", path, prefix, n)
	for _, i := range order {
		key := fmt.Sprintf("%s%05d", prefix, i)
		if _, isBucket := m.buckets[key]; isBucket {
			continue
		}
		v := s.fill(make([]byte, s.rng.IntN(200)))
		require.NoError(s.t, b.Put([]byte(key), v), "bulk Put(%x)\n%s", key, s.where())
		m.put(key, v)
		s.n.puts++
	}
}

// opRangeDelete deletes a run of plain keys through a cursor, seeking again
// after every delete, so pages empty out and get rebalanced.
func (s *simulation) opRangeDelete(tx *bolt.Tx) {
	path, m, b := s.pickDataBucket(tx)
	keys := m.sorted()
	if len(keys) == 0 {
		return
	}
	start := s.rng.IntN(len(keys))
	n := 1 + s.rng.IntN(len(keys)-start)
	s.logf("range delete(%x, from %x, %d keys)", path, keys[start], n)
	c := b.Cursor()
	k, v := c.Seek([]byte(keys[start]))
	for i := start; i < start+n; i++ {
		s.checkEntry(m, keys[i], k, v, "range delete")
		if _, isBucket := m.buckets[keys[i]]; isBucket {
			k, v = c.Next()
			continue
		}
		require.NoError(s.t, c.Delete(), s.where())
		m.del(keys[i])
		s.n.cursorDeletes++
		k, v = c.Seek([]byte(keys[i]))
	}
	if start+n < len(keys) {
		s.checkEntry(m, keys[start+n], k, v, "after range delete")
	} else {
		s.requireNoKey(k, "after range delete to the end")
	}
}

// reopen closes the DB and opens it again with randomly varied options,
// sometimes read-only in between, and compares it with the model.
func (s *simulation) reopen() {
	s.n.reopens++
	require.NoError(s.t, s.db.Close(), s.where())
	s.db = nil

	// The page size of an existing file comes from the file, whatever the
	// options ask for.
	pageSize := []int{0, s.pageSize, 1024, 4096, 16384}[s.rng.IntN(5)]
	if s.rng.IntN(4) == 0 {
		s.n.readOnlyOpens++
		s.logf("reopen read-only (PageSize option %d)", pageSize)
		db, err := bolt.Open(s.path, 0o600, &bolt.Options{ReadOnly: true, PageSize: pageSize})
		require.NoError(s.t, err, s.where())
		bolt.ForceReadAhead(db)
		s.db = db
		require.True(s.t, db.IsReadOnly(), s.where())
		require.Equal(s.t, s.pageSize, db.Info().PageSize, s.where())
		_, err = db.Begin(true)
		s.expectErr(err, berrors.ErrDatabaseReadOnly, "Begin(true) on a read-only DB")
		s.verify()
		require.NoError(s.t, db.Close(), s.where())
		s.db = nil
	}

	opts := &bolt.Options{
		PageSize:       pageSize,
		NoFreelistSync: s.rng.IntN(2) == 0,
		NoSync:         s.rng.IntN(4) != 0,
		FreelistType:   []bolt.FreelistType{bolt.FreelistArrayType, bolt.FreelistMapType}[s.rng.IntN(2)],
	}
	s.logf("reopen (PageSize option %d, NoFreelistSync %v, FreelistType %s)", pageSize, opts.NoFreelistSync, opts.FreelistType)
	db, err := bolt.Open(s.path, 0o600, opts)
	require.NoError(s.t, err, s.where())
	bolt.ForceReadAhead(db)
	s.db = db
	require.Equal(s.t, s.pageSize, db.Info().PageSize, s.where())
	s.verify()
}

// verify compares the whole DB with the model in a fresh read transaction
// and runs the consistency check.
func (s *simulation) verify() {
	s.size = 0
	err := s.db.View(func(tx *bolt.Tx) error {
		s.compareBucket(tx, nil, s.model)

		var names []string
		require.NoError(s.t, tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			require.NotNil(s.t, b, s.where())
			names = append(names, string(name))
			return nil
		}), s.where())
		require.Equal(s.t, s.model.bucketNames(), append([]string{}, names...), "Tx.ForEach names\n%s", s.where())

		var problems []string
		for err := range tx.Check() {
			if *simBboltBugs && strings.Contains(err.Error(), "unreachable unfreed") {
				continue
			}
			problems = append(problems, err.Error())
		}
		if len(problems) > 0 {
			s.t.Fatalf("Check reported %d problems:\n  %s\n%s", len(problems), strings.Join(problems, "\n  "), s.where())
		}
		return nil
	})
	require.NoError(s.t, err, s.where())
}

// compareBucket walks bl with a cursor forwards and backwards and checks
// every key, value and bucket against m, then recurses into the buckets.
func (s *simulation) compareBucket(bl simBucket, path []string, m *modelBucket) {
	keys := m.sorted()
	what := fmt.Sprintf("bucket %x", path)

	forwardWhat, backwardWhat := what+" forward walk", what+" backward walk"
	s.size += len(keys)

	c := bl.Cursor()
	i := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if i == len(keys) {
			s.t.Fatalf("%s: forward walk found extra key %x after the %d expected\n%s", what, k, len(keys), s.where())
		}
		s.checkEntry(m, keys[i], k, v, forwardWhat)
		i++
	}
	if i != len(keys) {
		s.t.Fatalf("%s: forward walk stopped after %d of %d keys; next expected %x\n%s", what, i, len(keys), keys[i], s.where())
	}

	i = len(keys) - 1
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		if i < 0 {
			s.t.Fatalf("%s: backward walk found extra key %x\n%s", what, k, s.where())
		}
		s.checkEntry(m, keys[i], k, v, backwardWhat)
		i--
	}
	if i != -1 {
		s.t.Fatalf("%s: backward walk stopped with %d keys left; next expected %x\n%s", what, i+1, keys[i], s.where())
	}

	if b, ok := bl.(*bolt.Bucket); ok {
		require.Equal(s.t, m.seq, b.Sequence(), "%s: Sequence\n%s", what, s.where())
		getWhat := what + " Get"
		for _, k := range m.kvNames() {
			s.requireValue(m.kv[k], b.Get([]byte(k)), getWhat, k)
		}
		var got []string
		require.NoError(s.t, b.ForEachBucket(func(k []byte) error {
			got = append(got, string(k))
			return nil
		}), s.where())
		require.Equal(s.t, m.bucketNames(), append([]string{}, got...), "%s: ForEachBucket\n%s", what, s.where())
	}

	for _, name := range m.bucketNames() {
		child := bl.Bucket([]byte(name))
		if child == nil {
			s.t.Fatalf("%s: Bucket(%x) is nil\n%s", what, name, s.where())
		}
		s.compareBucket(child, append(slices.Clone(path), name), m.buckets[name])
	}
}
