package bolt_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	bolt "github.com/boltkv/bolt"
)

// The concurrency tests share one data layout, written by concCommit. Commit
// number n (0 for the first) is written by a transaction with id T and leaves:
//
//	bucket "b":    keys concKey(0) .. concKey(keys+n%17-1), every value concValue(T)
//	bucket "meta": "count" = n (8 bytes, big-endian)
//	bucket "log":  for i in 1..n, a bucket named i (8 bytes, big-endian)
//	               holding one key "v" = concLogValue(i, p)
//
// Each large value sits alone in its own bucket, so a commit appends it once
// and never rewrites an earlier one: the file grows by about logSize a commit.
// A reader whose transaction has id T must therefore find T in every value of
// "b", and a key count, a "count" and a log length that agree with each other.

// concParams sizes a run of the concurrency tests.
type concParams struct {
	keys    int // keys in "b" at commit 0; commit n has keys+n%17
	logSize int // base size of a log value; commit n appends about this many bytes
	commits int // commits in the whole run, including commit 0
}

func concDefaultParams() concParams {
	if testing.Short() {
		return concParams{keys: 32, logSize: 64 << 10, commits: 40}
	}
	// About 24 MiB of log values, so the file grows through many sizes.
	return concParams{keys: 48, logSize: 256 << 10, commits: 97}
}

// concMaxExtra bounds n%17, the number of keys a commit adds to "b".
const concMaxExtra = 16

func concKey(i int) []byte { return []byte(fmt.Sprintf("k%03d", i)) }

func concU64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// concValue is what every key of "b" holds after the commit with id txid.
func concValue(txid int) []byte {
	v := make([]byte, 64)
	binary.BigEndian.PutUint64(v, uint64(txid))
	for i := 8; i < len(v); i++ {
		v[i] = byte(txid * 7)
	}
	return v
}

func concLogSize(i int, p concParams) int { return p.logSize + i*37%1000 }

func concLogValue(i int, p concParams) []byte {
	v := make([]byte, concLogSize(i, p))
	binary.BigEndian.PutUint64(v, uint64(i))
	for j := 8; j < len(v); j++ {
		v[j] = byte(i)
	}
	return v
}

// concCommit writes commit number n in tx.
func concCommit(tx *bolt.Tx, p concParams, n int) error {
	var bkt [3]*bolt.Bucket
	for i, name := range []string{"b", "meta", "log"} {
		b, err := tx.CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return err
		}
		bkt[i] = b
	}
	b, meta, log := bkt[0], bkt[1], bkt[2]

	id := tx.ID()
	for i := 0; i < p.keys+concMaxExtra; i++ {
		var err error
		if i < p.keys+n%17 {
			err = b.Put(concKey(i), concValue(id))
		} else {
			err = b.Delete(concKey(i))
		}
		if err != nil {
			return err
		}
	}
	if err := meta.Put([]byte("count"), concU64(uint64(n))); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	entry, err := log.CreateBucket(concU64(uint64(n)))
	if err != nil {
		return err
	}
	return entry.Put([]byte("v"), concLogValue(n, p))
}

// concSnapshot summarises what one read of the whole DB found.
type concSnapshot struct {
	ID     int    // tx.ID() of the reading transaction
	Count  int    // meta "count", the commit number
	Keys   int    // keys in "b"
	LogN   int    // entries in "log"
	Digest uint32 // CRC of every key and value read
}

// concRead reads the whole DB in tx and checks that it is one consistent
// commit: the one written by the transaction whose id tx sees.
func concRead(tx *bolt.Tx, p concParams) (concSnapshot, error) {
	s := concSnapshot{ID: tx.ID()}
	crc := crc32.NewIEEE()
	sum := func(k, v []byte) {
		_, _ = crc.Write(k)
		_, _ = crc.Write(v)
	}

	b, meta, log := tx.Bucket([]byte("b")), tx.Bucket([]byte("meta")), tx.Bucket([]byte("log"))
	if b == nil || meta == nil || log == nil {
		return s, fmt.Errorf("tx %d: a bucket is missing (b=%v meta=%v log=%v)", s.ID, b != nil, meta != nil, log != nil)
	}
	cv := meta.Get([]byte("count"))
	if len(cv) != 8 {
		return s, fmt.Errorf("tx %d: count is %x", s.ID, cv)
	}
	s.Count = int(binary.BigEndian.Uint64(cv))

	want := concValue(s.ID)
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if !bytes.Equal(k, concKey(s.Keys)) {
			return s, fmt.Errorf("tx %d: key %d of b is %q, want %q", s.ID, s.Keys, k, concKey(s.Keys))
		}
		if !bytes.Equal(v, want) {
			return s, fmt.Errorf("tx %d: b[%q] = %x, want the value of tx %d (%x): a mix of commits", s.ID, k, v, s.ID, want)
		}
		sum(k, v)
		s.Keys++
	}
	if s.Keys != p.keys+s.Count%17 {
		return s, fmt.Errorf("tx %d: b has %d keys but count %d needs %d", s.ID, s.Keys, s.Count, p.keys+s.Count%17)
	}

	c = log.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		s.LogN++
		if !bytes.Equal(k, concU64(uint64(s.LogN))) || v != nil {
			return s, fmt.Errorf("tx %d: log entry %d is %x=%x, want bucket %x", s.ID, s.LogN, k, v, concU64(uint64(s.LogN)))
		}
		entry := log.Bucket(k)
		if entry == nil {
			return s, fmt.Errorf("tx %d: log entry %d is not a bucket", s.ID, s.LogN)
		}
		v = entry.Get([]byte("v"))
		n := concLogSize(s.LogN, p)
		if len(v) != n || binary.BigEndian.Uint64(v) != uint64(s.LogN) ||
			bytes.Count(v[8:], []byte{byte(s.LogN)}) != n-8 {
			return s, fmt.Errorf("tx %d: log entry %d is damaged (%d bytes, want %d)", s.ID, s.LogN, len(v), n)
		}
		sum(k, v)
	}
	if s.LogN != s.Count {
		return s, fmt.Errorf("tx %d: log has %d entries but count is %d", s.ID, s.LogN, s.Count)
	}
	s.Digest = crc.Sum32()
	return s, nil
}

// concSetup opens a DB and writes commits 0..n-1 from the test goroutine.
func concSetup(t *testing.T, opts *bolt.Options, p concParams, n int) (*bolt.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "conc.db")
	db, err := bolt.Open(path, 0o600, opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	for i := 0; i < n; i++ {
		require.NoError(t, db.Update(func(tx *bolt.Tx) error { return concCommit(tx, p, i) }))
	}
	return db, path
}

// concWriter commits numbers from..p.commits-1, publishing after each commit
// the id it committed and how many commits it has made. It reports nil or
// the first error on done.
type concWriter struct {
	lastID  atomic.Int64 // id of the last commit that returned
	commits atomic.Int64 // commits made by this writer
	done    chan struct{}
	err     chan error
}

func startConcWriter(db *bolt.DB, p concParams, from int) *concWriter {
	w := &concWriter{done: make(chan struct{}), err: make(chan error, 1)}
	go func() {
		defer close(w.done)
		for n := from; n < p.commits; n++ {
			var id int
			err := db.Update(func(tx *bolt.Tx) error {
				id = tx.ID()
				return concCommit(tx, p, n)
			})
			if err != nil {
				w.err <- fmt.Errorf("writer: commit %d: %w", n, err)
				return
			}
			w.lastID.Store(int64(id))
			w.commits.Add(1)
			runtime.Gosched()
		}
		w.err <- nil
	}()
	return w
}

// concReaderResult is what one reader goroutine reports when it stops.
type concReaderResult struct {
	views   int   // read transactions run
	spanned int   // of those, how many stayed open across at least one commit
	ids     []int // distinct ids seen, in order
	err     error
}

// runConcReader repeatedly opens a read transaction until the writer is done.
// Each transaction reads everything, waits for the writer to commit twice
// more (or finish), reads everything again and checks that both reads agree.
func runConcReader(db *bolt.DB, p concParams, w *concWriter) (res concReaderResult) {
	prevID := -1
	for !concClosed(w.done) {

		committed := int(w.lastID.Load())
		tx, err := db.Begin(false)
		if err != nil {
			res.err = fmt.Errorf("reader: Begin: %w", err)
			return res
		}
		res.err = func() error {
			defer func() { _ = tx.Rollback() }()
			id := tx.ID()
			if id < committed {
				return fmt.Errorf("reader: tx %d began after tx %d had committed", id, committed)
			}
			if id < prevID {
				return fmt.Errorf("reader: tx ids went backwards: %d after %d", id, prevID)
			}
			if id != prevID {
				res.ids = append(res.ids, id)
			}
			prevID = id

			first, err := concRead(tx, p)
			if err != nil {
				return err
			}
			start := w.commits.Load()
			deadline := time.Now().Add(200 * time.Millisecond)
			for w.commits.Load() < start+2 && time.Now().Before(deadline) && !concClosed(w.done) {
				time.Sleep(50 * time.Microsecond)
			}
			if w.commits.Load() > start {
				res.spanned++
			}
			second, err := concRead(tx, p)
			if err != nil {
				return err
			}
			if first != second {
				return fmt.Errorf("reader: tx %d read %+v, then %+v", id, first, second)
			}
			res.views++
			return nil
		}()
		if res.err != nil {
			return res
		}
	}
	return res
}

func concClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// waitConc waits for a goroutine's report, failing the test if it takes
// longer than timeout.
func waitConc[T any](t *testing.T, ch <-chan T, timeout time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(timeout):
		t.Fatalf("%s did not finish within %v", what, timeout)
	}
	var zero T
	return zero
}

// concFileSize returns the size of the file at path.
func concFileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fi.Size()
}

// TestConcurrent_ReadersSeeTheirSnapshot runs a writer that commits many
// times against several readers that each keep transactions open across
// commits, and one reader that holds its transaction for the whole run.
//
// InitialMmapSize is set so that bbolt, whose readers block a growing
// writer, can run this test too; concurrent_growth_test.go covers growth
// without it.
func TestConcurrent_ReadersSeeTheirSnapshot(t *testing.T) {
	p := concDefaultParams()
	const readers = 4
	const setupCommits = 3
	db, path := concSetup(t, &bolt.Options{InitialMmapSize: 64 << 20, NoSync: true}, p, setupCommits)
	long, err := db.Begin(false)
	require.NoError(t, err)
	startSize := long.Size() // the high-water mark, in bytes
	longOpen := true
	t.Cleanup(func() {
		if longOpen {
			_ = long.Rollback()
		}
	})
	longSnap, err := concRead(long, p)
	require.NoError(t, err)
	require.Equal(t, setupCommits-1, longSnap.Count)

	w := startConcWriter(db, p, setupCommits)
	results := make(chan concReaderResult, readers)
	for range readers {
		go func() { results <- runConcReader(db, p, w) }()
	}

	require.NoError(t, waitConc(t, w.err, 2*time.Minute, "writer"))
	var views, spanned int
	ids := map[int]bool{}
	for i := range readers {
		r := waitConc(t, results, time.Minute, "reader")
		require.NoError(t, r.err, "reader %d", i)
		views += r.views
		spanned += r.spanned
		for _, id := range r.ids {
			ids[id] = true
		}
	}
	t.Logf("%d commits, %d read txs, %d spanning a commit, %d distinct snapshots seen",
		w.commits.Load(), views, spanned, len(ids))
	require.Positive(t, views, "no reader finished a transaction")
	require.Positive(t, spanned, "no read transaction stayed open across a commit")
	require.GreaterOrEqual(t, len(ids), 2, "readers saw only one snapshot")

	// The long reader still sees exactly what it saw before the writer began.
	again, err := concRead(long, p)
	require.NoError(t, err)
	require.Equal(t, longSnap, again)
	require.Equal(t, startSize, long.Size())
	require.NoError(t, long.Rollback())
	longOpen = false

	var endSize int64
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		endSize = tx.Size()
		s, err := concRead(tx, p)
		if err != nil {
			return err
		}
		require.Equal(t, p.commits-1, s.Count)
		require.Equal(t, int(w.lastID.Load()), s.ID)
		var problems []error
		for err := range tx.Check() {
			problems = append(problems, err)
		}
		require.Empty(t, problems)
		return nil
	}))

	// Every log value is still live, so the data (and the file) hold them all.
	var logged int64
	for i := 1; i < p.commits; i++ {
		logged += int64(concLogSize(i, p))
	}
	t.Logf("high-water mark %d -> %d bytes for %d bytes of log values; file %d bytes",
		startSize, endSize, logged, concFileSize(t, path))
	require.GreaterOrEqual(t, endSize, logged)
	require.Greater(t, endSize, 8*startSize, "the data did not grow much")
	require.GreaterOrEqual(t, concFileSize(t, path), endSize)
}
