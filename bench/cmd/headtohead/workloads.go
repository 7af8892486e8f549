package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// keySize and valueSize are the shape of the ordinary records.
const (
	keySize   = 16
	valueSize = 100
)

// seed fixes every random choice, so both engines see the same keys in the
// same order in every run.
const seed = 0x5eed_b017

// loadPerTx is how many keys the untimed set-up phases put per transaction.
const loadPerTx = 10000

// config sizes the workloads. defaultConfig and quickConfig give the two
// presets; flags override single fields.
type config struct {
	n              int           // keys in the key-count workloads
	runs           int           // A/B pairs per workload
	perTx          int           // operations per transaction
	gets           int           // rand-get: Gets per row, cycling over the n keys
	scanKeys       int           // scan: keys visited, in whole passes of n
	smallCommits   int           // single-put commits per small-commit row
	batchWorkers   int           // goroutines calling DB.Batch
	batchPuts      int           // Batch calls per goroutine
	growBytes      int64         // long-readers: file size the writer reaches
	commitBytes    int           // long-readers: value bytes per commit
	growValue      int           // long-readers: size of each value
	readers        int           // long-readers: reader goroutines
	readerHold     time.Duration // long-readers: how long a reader holds a tx
	slowCommit     time.Duration // long-readers: a commit slower than this counts
	largeCount     int           // large-values: number of values
	largeSize      int           // large-values: size of each value
	largeGetPasses int           // large-values: timed passes over all values
	quickMode      bool          // -quick: the cold rows use small files (cold.go)
}

func defaultConfig() config {
	return config{
		n:              100_000,
		runs:           4,
		perTx:          1000,
		gets:           1_000_000,
		scanKeys:       10_000_000,
		smallCommits:   1000,
		batchWorkers:   64,
		batchPuts:      200,
		growBytes:      1 << 30,
		commitBytes:    1 << 20,
		growValue:      1024,
		readers:        2,
		readerHold:     500 * time.Millisecond,
		slowCommit:     50 * time.Millisecond,
		largeCount:     500,
		largeSize:      1 << 20,
		largeGetPasses: 100,
	}
}

// quickConfig keeps the whole run under a minute on two cores.
func quickConfig() config {
	c := defaultConfig()
	c.n = 50_000
	c.runs = 1
	c.gets = 200_000
	c.scanKeys = 1_000_000
	c.smallCommits = 200
	c.batchPuts = 50
	c.growBytes = 128 << 20
	c.largeCount = 50
	c.largeGetPasses = 20
	return c
}

// data is shared by all runs of both engines and never modified after
// newData, so Put may keep referring to the value slices until commit.
type data struct {
	keys  []byte   // n keys of keySize bytes, in ascending order
	perm  []uint32 // a random permutation of [0, n)
	value []byte   // the valueSize-byte value of every ordinary record
	big   []byte   // one value of max(largeSize, growValue) bytes
}

func newData(c *config) *data {
	r := rand.New(rand.NewPCG(seed, seed))
	d := &data{
		keys:  make([]byte, c.n*keySize),
		perm:  make([]uint32, c.n),
		value: make([]byte, valueSize),
		big:   make([]byte, max(c.largeSize, c.growValue)),
	}
	for i := range c.n {
		putKey(d.keys[i*keySize:(i+1)*keySize], uint64(i))
		d.perm[i] = uint32(i)
	}
	r.Shuffle(c.n, func(i, j int) { d.perm[i], d.perm[j] = d.perm[j], d.perm[i] })
	fillRandom(r, d.value)
	fillRandom(r, d.big)
	return d
}

// putKey writes the key of record i: big-endian i, then a mix of i so that
// the second half is not all zeros.
func putKey(dst []byte, i uint64) {
	binary.BigEndian.PutUint64(dst[:8], i)
	binary.BigEndian.PutUint64(dst[8:16], i*0x9E3779B97F4A7C15)
}

func fillRandom(r *rand.Rand, b []byte) {
	for i := 0; i < len(b); i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], r.Uint64())
		copy(b[i:], w[:])
	}
}

func (d *data) key(i int) []byte { return d.keys[i*keySize : (i+1)*keySize : (i+1)*keySize] }

// env is what one run of one workload on one engine gets.
type env struct {
	kind kind
	cfg  *config
	data *data
	path string // the fresh database file; the driver removes it afterwards
}

// figure is a workload-specific number reported beside the throughput.
type figure struct {
	name  string
	unit  string
	value float64
}

// phase is one timed measurement: one table row of one run.
type phase struct {
	ops     int
	elapsed time.Duration
	mallocs uint64
	figures []figure
	skipped string // why the row could not be measured (cold.go); the rest is unset
}

// meter times a phase and counts its heap allocations. start collects
// garbage first, so that one phase does not pay for the previous one's.
type meter struct {
	start   time.Time
	mallocs uint64
}

func startMeter() meter {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return meter{start: time.Now(), mallocs: ms.Mallocs}
}

func (m meter) stop(ops int, figs ...figure) phase {
	elapsed := time.Since(m.start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return phase{ops: ops, elapsed: elapsed, mallocs: ms.Mallocs - m.mallocs, figures: figs}
}

// row names one line of output that a workload produces per run.
type row struct {
	name string // the full row name, e.g. "rand-get/2g"
	unit string // what one op is
}

// workload is written once against engine. run returns one phase per row,
// in the order of rows.
type workload struct {
	name string
	rows []row
	run  func(e *env) ([]phase, error)
}

var workloads = []workload{
	{"seq-insert", []row{{"seq-insert", "puts"}}, seqInsert},
	{"rand-insert", []row{{"rand-insert", "puts"}}, randInsert},
	{"rand-get", []row{{"rand-get/1g", "gets"}, {"rand-get/2g", "gets"}}, randGet},
	{"scan", []row{{"scan", "keys"}}, scan},
	{"small-commit", []row{{"small-commit/sync", "commits"}, {"small-commit/nosync", "commits"}}, smallCommit},
	{"batch", []row{{"batch", "puts"}}, batch},
	{"batch-group", []row{{"batch/group-commit", "puts"}}, batchGroup},
	{"batch-1g", []row{{"batch-1g/group-commit", "commits"}, {"batch-1g/update", "commits"}}, batchSolo},
	{"long-readers", []row{{"long-readers", "commits"}}, longReaders},
	{"large-values", []row{{"large-values/put", "puts"}, {"large-values/get", "gets"}}, largeValues},
	{"delete-reinsert", []row{{"delete-reinsert/delete", "deletes"}, {"delete-reinsert/reinsert", "puts"}}, deleteReinsert},
}

// withDB opens a fresh database, runs fn and closes it, returning the first
// error. The database syncs at commit until a workload says otherwise.
func (e *env) withDB(fn func(db engine) ([]phase, error)) (_ []phase, err error) {
	db, err := e.kind.open(e.path)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	return fn(db)
}

// load puts keys [0, count) in ascending order without fsync; it is the
// untimed set-up of the workloads that need a populated database.
func (e *env) load(db engine, count int) error {
	db.SetNoSync(true)
	defer db.SetNoSync(false)
	for lo := 0; lo < count; lo += loadPerTx {
		hi := min(lo+loadPerTx, count)
		if err := db.Update(func(t tx) error {
			b := t.Bucket()
			for i := lo; i < hi; i++ {
				if err := b.Put(e.data.key(i), e.data.value); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	return nil
}

// putAll puts the records order(0), ..., order(count-1) (indices into
// data.keys), perTx per Update.
func (e *env) putAll(db engine, order func(i int) int, count int) error {
	for lo := 0; lo < count; lo += e.cfg.perTx {
		hi := min(lo+e.cfg.perTx, count)
		if err := db.Update(func(t tx) error {
			b := t.Bucket()
			for i := lo; i < hi; i++ {
				if err := b.Put(e.data.key(order(i)), e.data.value); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// count scans the bucket and returns the number of keys.
func count(db engine) (int, error) {
	n := 0
	err := db.View(func(t tx) error {
		c := t.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n, err
}

func (e *env) expectCount(db engine, want int) error {
	got, err := count(db)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("bucket holds %d keys, want %d", got, want)
	}
	return nil
}

func (e *env) fileMiB() figure {
	return figure{"file", "MiB", float64(fileSize(e.path)) / (1 << 20)}
}

func seqInsert(e *env) ([]phase, error) {
	return e.insert(func(i int) int { return i })
}

func randInsert(e *env) ([]phase, error) {
	return e.insert(func(i int) int { return int(e.data.perm[i]) })
}

func (e *env) insert(order func(int) int) ([]phase, error) {
	return e.withDB(func(db engine) ([]phase, error) {
		m := startMeter()
		if err := e.putAll(db, order, e.cfg.n); err != nil {
			return nil, err
		}
		p := m.stop(e.cfg.n, e.fileMiB())
		return []phase{p}, e.expectCount(db, e.cfg.n)
	})
}

// randGet does cfg.gets random Gets on a warm database of n records, first
// from one goroutine, then split between two.
func randGet(e *env) ([]phase, error) {
	return e.withDB(func(db engine) ([]phase, error) {
		if err := e.load(db, e.cfg.n); err != nil {
			return nil, err
		}
		if err := e.expectCount(db, e.cfg.n); err != nil { // warms the page cache
			return nil, err
		}
		var phases []phase
		for _, g := range []int{1, 2} {
			m := startMeter()
			if err := e.getParallel(db, g); err != nil {
				return nil, err
			}
			phases = append(phases, m.stop(e.cfg.gets))
		}
		return phases, nil
	})
}

// getParallel splits cfg.gets Gets between g goroutines, each starting at
// its own place in data.perm and cycling through it, perTx Gets per View.
func (e *env) getParallel(db engine, g int) error {
	errc := make(chan error, g)
	n, total := e.cfg.n, e.cfg.gets
	for w := range g {
		from, to := w*total/g, (w+1)*total/g
		go func() {
			for lo := from; lo < to; lo += e.cfg.perTx {
				hi := min(lo+e.cfg.perTx, to)
				if err := db.View(func(t tx) error {
					b := t.Bucket()
					for j := lo; j < hi; j++ {
						i := int(e.data.perm[j%n])
						if v := b.Get(e.data.key(i)); len(v) != valueSize {
							return fmt.Errorf("get %d: value of %d bytes", i, len(v))
						}
					}
					return nil
				}); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	var err error
	for range g {
		err = errors.Join(err, <-errc)
	}
	return err
}

// scan walks the whole bucket with a cursor, in as many passes as it takes
// to visit cfg.scanKeys keys, after one untimed warm-up pass.
func scan(e *env) ([]phase, error) {
	return e.withDB(func(db engine) ([]phase, error) {
		if err := e.load(db, e.cfg.n); err != nil {
			return nil, err
		}
		if err := e.expectCount(db, e.cfg.n); err != nil {
			return nil, err
		}
		passes := max((e.cfg.scanKeys+e.cfg.n-1)/e.cfg.n, 1)
		m := startMeter()
		for range passes {
			if err := e.expectCount(db, e.cfg.n); err != nil {
				return nil, err
			}
		}
		return []phase{m.stop(e.cfg.n*passes, figure{"passes", "", float64(passes)})}, nil
	})
}

// smallCommit overwrites one random record per Update in a database of n
// records, timing each commit: first with fsync, then with NoSync.
func smallCommit(e *env) ([]phase, error) {
	return e.withDB(func(db engine) ([]phase, error) {
		if err := e.load(db, e.cfg.n); err != nil {
			return nil, err
		}
		var phases []phase
		next := 0
		for _, noSync := range []bool{false, true} {
			db.SetNoSync(noSync)
			lat := make([]time.Duration, e.cfg.smallCommits)
			m := startMeter()
			for c := range lat {
				k := e.data.key(int(e.data.perm[next%e.cfg.n]))
				next++
				t0 := time.Now()
				if err := db.Update(func(t tx) error { return t.Bucket().Put(k, e.data.value) }); err != nil {
					return nil, err
				}
				lat[c] = time.Since(t0)
			}
			p := m.stop(len(lat))
			slices.Sort(lat)
			p.figures = []figure{
				{"p50", "us", micros(percentile(lat, 0.50))},
				{"p99", "us", micros(percentile(lat, 0.99))},
			}
			phases = append(phases, p)
		}
		return phases, nil
	})
}

// percentile returns the q-quantile of sorted, by the nearest-rank method.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// batch has batchWorkers goroutines each put batchPuts random records, one
// per DB.Batch call, into an empty database.
func batch(e *env) ([]phase, error) {
	return e.withDB(func(db engine) ([]phase, error) {
		w, per, n := e.cfg.batchWorkers, e.cfg.batchPuts, e.cfg.n
		ids := make([][]int, w)
		errc := make(chan error, w)
		m := startMeter()
		for g := range w {
			ids[g] = make([]int, 0, per)
			go func() {
				for i := range per {
					k := e.data.key(int(e.data.perm[(g*per+i)%n]))
					if err := db.Batch(func(t tx) error {
						ids[g] = append(ids[g], t.ID())
						return t.Bucket().Put(k, e.data.value)
					}); err != nil {
						errc <- err
						return
					}
				}
				errc <- nil
			}()
		}
		var err error
		for range w {
			err = errors.Join(err, <-errc)
		}
		p := m.stop(w * per)
		if err != nil {
			return nil, err
		}
		commits := map[int]bool{}
		for _, s := range ids {
			for _, id := range s {
				commits[id] = true
			}
		}
		p.figures = []figure{
			{"commits", "", float64(len(commits))},
			{"puts/commit", "", float64(w*per) / float64(len(commits))},
		}
		return []phase{p}, nil
	})
}

// longReaders has one writer grow the file to growBytes with commits of
// commitBytes while readers goroutines each repeatedly begin a read
// transaction, hold it for readerHold and roll it back. It reports how
// often, and how long, the readers stalled the writer.
//
// A reader never begins a transaction while it holds one, so an engine whose
// remap waits for open readers (bbolt) stalls but cannot deadlock.
func longReaders(e *env) ([]phase, error) {
	return e.withDB(func(db engine) ([]phase, error) {
		c := e.cfg
		value := e.data.big[:c.growValue]
		perCommit := max(c.commitBytes/c.growValue, 1)
		done := make(chan struct{})
		var wg sync.WaitGroup
		var readerTxs atomic.Int64
		readerErrs := make(chan error, c.readers)
		m := startMeter()
		for range c.readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-done:
						return
					default:
					}
					t, err := db.BeginRead()
					if err != nil {
						readerErrs <- err
						return
					}
					t.Bucket().Get(e.data.key(0))
					hold := time.NewTimer(c.readerHold)
					select {
					case <-done:
					case <-hold.C:
					}
					hold.Stop()
					if err := t.Rollback(); err != nil {
						readerErrs <- err
						return
					}
					readerTxs.Add(1)
				}
			}()
		}

		var lat []time.Duration
		var key [keySize]byte
		next := uint64(0)
		var size int64
		var werr error
		for size < c.growBytes {
			t0 := time.Now()
			werr = db.Update(func(t tx) error {
				size = t.Size()
				b := t.Bucket()
				for range perCommit {
					putKey(key[:], next)
					next++
					if err := b.Put(key[:], value); err != nil {
						return err
					}
				}
				return nil
			})
			if werr != nil {
				break
			}
			lat = append(lat, time.Since(t0))
		}
		close(done)
		wg.Wait()
		p := m.stop(len(lat))
		close(readerErrs)
		for err := range readerErrs {
			werr = errors.Join(werr, err)
		}
		if werr != nil {
			return nil, werr
		}
		slow := 0
		for _, d := range lat {
			if d > c.slowCommit {
				slow++
			}
		}
		slices.Sort(lat)
		p.figures = []figure{
			{fmt.Sprintf("commits>%v", c.slowCommit), "", float64(slow)},
			{"max", "ms", millis(lat[len(lat)-1])},
			{"p50", "ms", millis(percentile(lat, 0.5))},
			{"reader txs", "", float64(readerTxs.Load())},
			e.fileMiB(),
		}
		return []phase{p}, nil
	})
}

// largeValues puts largeCount values of largeSize bytes, one per Update,
// then reads them back in random order, one per View, largeGetPasses times.
func largeValues(e *env) ([]phase, error) {
	return e.withDB(func(db engine) ([]phase, error) {
		c := e.cfg
		value := e.data.big[:c.largeSize]
		m := startMeter()
		for i := range c.largeCount {
			if err := db.Update(func(t tx) error { return t.Bucket().Put(e.data.keyOrFresh(i), value) }); err != nil {
				return nil, err
			}
		}
		put := m.stop(c.largeCount, e.fileMiB())

		r := rand.New(rand.NewPCG(seed, 1))
		order := make([]int, c.largeCount)
		for i := range order {
			order[i] = i
		}
		m = startMeter()
		for range c.largeGetPasses {
			r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			for _, i := range order {
				if err := db.View(func(t tx) error {
					v := t.Bucket().Get(e.data.keyOrFresh(i))
					if len(v) != c.largeSize || v[0] != value[0] || v[len(v)-1] != value[len(v)-1] {
						return fmt.Errorf("large value %d: %d bytes, not the %d put", i, len(v), c.largeSize)
					}
					return nil
				}); err != nil {
					return nil, err
				}
			}
		}
		get := m.stop(c.largeCount * c.largeGetPasses)
		return []phase{put, get}, nil
	})
}

// keyOrFresh returns key i, generating it when i is beyond the key table.
func (d *data) keyOrFresh(i int) []byte {
	if (i+1)*keySize <= len(d.keys) {
		return d.key(i)
	}
	k := make([]byte, keySize)
	putKey(k, uint64(i))
	return k
}

// deleteReinsert deletes a random half of n records, then puts them back,
// perTx per Update, timing each phase.
func deleteReinsert(e *env) ([]phase, error) {
	return e.withDB(func(db engine) ([]phase, error) {
		n, half := e.cfg.n, e.cfg.n/2
		if err := e.load(db, n); err != nil {
			return nil, err
		}
		loaded := e.fileMiB()
		loaded.name = "loaded"
		victims := e.data.perm[:half]

		m := startMeter()
		for lo := 0; lo < half; lo += e.cfg.perTx {
			hi := min(lo+e.cfg.perTx, half)
			if err := db.Update(func(t tx) error {
				b := t.Bucket()
				for _, i := range victims[lo:hi] {
					if err := b.Delete(e.data.key(int(i))); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return nil, err
			}
		}
		del := m.stop(half, loaded, e.fileMiB())
		if err := e.expectCount(db, n-half); err != nil {
			return nil, err
		}

		m = startMeter()
		if err := e.putAll(db, func(i int) int { return int(victims[i]) }, half); err != nil {
			return nil, err
		}
		ins := m.stop(half, e.fileMiB())
		return []phase{del, ins}, e.expectCount(db, n)
	})
}
