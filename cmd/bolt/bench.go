package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boltkv/bolt"
)

// benchBucket is the bucket bench writes to.
var benchBucket = []byte("bench")

type benchOptions struct {
	profileMode     string
	writeMode       string
	readMode        string
	count           int64
	batchSize       int64
	keySize         int
	valueSize       int
	cpuProfile      string
	memProfile      string
	blockProfile    string
	fillPercent     float64
	noSync          bool
	work            bool
	path            string
	goBenchOutput   bool
	pageSize        int
	initialMmapSize int
}

func benchCommand() *command {
	return &command{
		name:    "bench",
		summary: "run a synthetic write and read benchmark",
		help: `Bench creates a temporary database (or --path), writes --count keys in
transactions of --batch-size, reads them back for at least a second, prints
the throughput of both phases and removes the file unless --work is given.
Keys are --key-size bytes, starting with a big-endian uint32: 1, 2, 3… for
the seq modes, random for rnd; the -nest modes write each batch into its own
nested bucket. Progress is reported on stderr every second.`,
		opensDB: true,
		nargs:   exactArgs(0),
		setup: func(fs *flagSet) func(*cli, []string) error {
			var o benchOptions
			fs.StringVar(&o.profileMode, "profile-mode", "rw", "phases to profile: rw, r or w")
			fs.StringVar(&o.writeMode, "write-mode", "seq", "seq, rnd, seq-nest or rnd-nest")
			fs.StringVar(&o.readMode, "read-mode", "seq", "seq or rnd")
			fs.Int64Var(&o.count, "count", 1000, "number of keys to write")
			fs.Int64Var(&o.batchSize, "batch-size", 0, "keys per write transaction (default --count); must divide --count")
			fs.IntVar(&o.keySize, "key-size", 8, "key size in `bytes` (at least 4)")
			fs.IntVar(&o.valueSize, "value-size", 32, "value size in `bytes`")
			fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile to `file`")
			fs.StringVar(&o.memProfile, "memprofile", "", "write a heap profile to `file`")
			fs.StringVar(&o.blockProfile, "blockprofile", "", "write a blocking profile to `file`")
			fs.Float64Var(&o.fillPercent, "fill-percent", bolt.DefaultFillPercent, "bucket fill percent")
			fs.BoolVar(&o.noSync, "no-sync", false, "skip fdatasync at commit")
			fs.BoolVar(&o.work, "work", false, "keep the database file and print its path")
			fs.StringVar(&o.path, "path", "", "database `file` (default a temporary file)")
			fs.BoolVar(&o.goBenchOutput, "gobench-output", false, "print results as Go benchmark lines")
			fs.IntVar(&o.pageSize, "page-size", os.Getpagesize(), "page size in `bytes`")
			fs.IntVar(&o.initialMmapSize, "initial-mmap-size", 0, "initial mmap size in `bytes`")
			return func(c *cli, _ []string) error {
				if err := o.validate(); err != nil {
					return err
				}
				return c.bench(&o)
			}
		},
	}
}

func (o *benchOptions) validate() error {
	switch {
	case o.count < 1:
		return usagef("--count must be at least 1, got %d", o.count)
	case o.batchSize < 0:
		return usagef("--batch-size must not be negative, got %d", o.batchSize)
	case o.batchSize > 0 && o.count%o.batchSize != 0:
		return usagef("the number of iterations must be divisible by the batch size")
	case o.keySize < 4:
		return usagef("--key-size must be at least 4, got %d", o.keySize)
	case o.valueSize < 0:
		return usagef("--value-size must not be negative, got %d", o.valueSize)
	case o.initialMmapSize < 0:
		return usagef("--initial-mmap-size must not be negative")
	}
	if err := checkPageSize(o.pageSize); err != nil {
		return err
	}
	switch o.writeMode {
	case "seq", "rnd", "seq-nest", "rnd-nest":
	default:
		return usagef("the write mode should be one of seq, rnd, seq-nest, or rnd-nest")
	}
	switch o.readMode {
	case "seq", "rnd":
	default:
		return usagef("the read mode should be one of seq or rnd")
	}
	switch o.profileMode {
	case "rw", "r", "w":
	default:
		return usagef("the profile mode should be one of rw, r or w")
	}
	if o.batchSize == 0 {
		o.batchSize = o.count
	}
	return nil
}

// benchResults counts the operations of one phase; the progress reporter
// reads it concurrently.
type benchResults struct {
	ops      atomic.Int64
	duration time.Duration
}

func (r *benchResults) opDuration() time.Duration {
	if n := r.ops.Load(); n > 0 {
		return r.duration / time.Duration(n)
	}
	return 0
}

func (r *benchResults) opsPerSecond() int {
	if op := r.opDuration(); op > 0 {
		return int(time.Second / op)
	}
	return 0
}

// nestedKey is a written key, with the nested bucket it went to, if any.
type nestedKey struct{ bucket, key []byte }

func (c *cli) bench(o *benchOptions) (err error) {
	path := o.path
	if path == "" {
		f, err := os.CreateTemp("", "bolt-bench-")
		if err != nil {
			return fmt.Errorf("temp file: %v", err)
		}
		path = f.Name()
		f.Close()
		os.Remove(path)
	} else if fi, err := os.Stat(path); err == nil && fi.Size() > 0 && !o.work {
		return fmt.Errorf("%q already exists: bench removes its file afterwards; pass --work to keep it", path)
	}
	if o.work {
		fmt.Fprintf(c.stderr, "work: %s\n", path)
	} else {
		defer os.Remove(path)
	}

	db, err := c.open(path, 0o600, bolt.Options{PageSize: o.pageSize, InitialMmapSize: o.initialMmapSize, NoSync: o.noSync})
	if err != nil {
		return err
	}
	defer db.Close()

	var prof profiler
	defer prof.stop(c.stderr)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))

	var writes benchResults
	if o.profileMode != "r" {
		if err := prof.start(o); err != nil {
			return err
		}
	}
	keys, err := c.benchPhase(&writes, func() ([]nestedKey, error) { return benchWrites(db, o, &writes, rng) })
	if err != nil {
		return fmt.Errorf("write: %v", err)
	}
	if o.profileMode == "w" {
		prof.stop(c.stderr)
	}
	rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })

	var reads benchResults
	if o.profileMode == "r" {
		if err := prof.start(o); err != nil {
			return err
		}
	}
	if _, err := c.benchPhase(&reads, func() ([]nestedKey, error) { return nil, c.benchReads(db, o, &reads, keys) }); err != nil {
		return fmt.Errorf("read: %v", err)
	}
	prof.stop(c.stderr)

	if o.goBenchOutput {
		const width = len("BenchmarkWrite")
		for _, r := range []struct {
			name string
			res  *benchResults
		}{{"BenchmarkWrite", &writes}, {"BenchmarkRead", &reads}} {
			br := testing.BenchmarkResult{N: int(r.res.ops.Load()), T: r.res.duration}
			fmt.Fprintf(c.stdout, "%-*s\t%s\n", width, r.name, br.String())
		}
	} else {
		fmt.Fprintf(c.stdout, "# Write\t%v(ops)\t%v\t(%v/op)\t(%v op/sec)\n", writes.ops.Load(), writes.duration, writes.opDuration(), writes.opsPerSecond())
		fmt.Fprintf(c.stdout, "# Read\t%v(ops)\t%v\t(%v/op)\t(%v op/sec)\n", reads.ops.Load(), reads.duration, reads.opDuration(), reads.opsPerSecond())
	}
	fmt.Fprintln(c.stdout)
	return db.Close()
}

// benchPhase times fn, reporting its progress on stderr meanwhile.
func (c *cli) benchPhase(r *benchResults, fn func() ([]nestedKey, error)) ([]nestedKey, error) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		reportProgress(c.stderr, r, c.progressInterval, done)
	}()
	start := time.Now()
	keys, err := fn()
	r.duration = time.Since(start)
	close(done)
	<-finished
	return keys, err
}

// reportProgress prints the completed operations every interval until done.
func reportProgress(w io.Writer, r *benchResults, interval time.Duration, done <-chan struct{}) {
	t := time.NewTicker(interval)
	defer t.Stop()
	lastOps, lastTime := int64(0), time.Now()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			ops := r.ops.Load()
			rate := int64(float64(ops-lastOps) / now.Sub(lastTime).Seconds())
			fmt.Fprintf(w, "Completed %d requests, %d/s \n", ops, rate)
			lastOps, lastTime = ops, now
		}
	}
}

// benchWrites writes o.count keys and returns them if the reads need them.
func benchWrites(db *bolt.DB, o *benchOptions, r *benchResults, rng *rand.Rand) ([]nestedKey, error) {
	var seq uint32
	next := func() uint32 { seq++; return seq }
	if o.writeMode == "rnd" || o.writeMode == "rnd-nest" {
		next = rng.Uint32
	}
	nested := o.writeMode == "seq-nest" || o.writeMode == "rnd-nest"
	var keys []nestedKey
	if o.readMode == "rnd" {
		keys = make([]nestedKey, 0, o.count)
	}
	for i := int64(0); i < o.count; i += o.batchSize {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(benchBucket)
			if err != nil {
				return err
			}
			b.FillPercent = o.fillPercent
			var name []byte
			if nested {
				name = make([]byte, o.keySize)
				binary.BigEndian.PutUint32(name, next())
				if b, err = b.CreateBucketIfNotExists(name); err != nil {
					return err
				}
				b.FillPercent = o.fillPercent
			}
			for j := int64(0); j < o.batchSize; j++ {
				key := make([]byte, o.keySize)
				binary.BigEndian.PutUint32(key, next())
				if err := b.Put(key, make([]byte, o.valueSize)); err != nil {
					return err
				}
				if keys != nil {
					keys = append(keys, nestedKey{name, key})
				}
				r.ops.Add(1)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// errBenchValue is returned when a read finds a key without a value.
var errBenchValue = errors.New("invalid value")

// benchReads reads the data set again and again for at least
// c.benchReadTime, in key order (seq) or in the shuffled write order (rnd).
func (c *cli) benchReads(db *bolt.DB, o *benchOptions, r *benchResults, keys []nestedKey) error {
	nested := o.writeMode == "seq-nest" || o.writeMode == "rnd-nest"
	return db.View(func(tx *bolt.Tx) error {
		top := tx.Bucket(benchBucket)
		if top == nil {
			return bolt.ErrBucketNotFound
		}
		start := time.Now()
		for {
			var n int64
			var err error
			switch {
			case o.readMode == "seq" && !nested:
				n, err = readCursor(top, r)
			case o.readMode == "seq":
				err = top.ForEachBucket(func(name []byte) error {
					m, err := readCursor(top.Bucket(name), r)
					n += m
					return err
				})
			default:
				for _, k := range keys {
					b := top
					if nested {
						if b = top.Bucket(k.bucket); b == nil {
							continue
						}
					}
					n++
					r.ops.Add(1)
					if b.Get(k.key) == nil {
						err = errBenchValue
						break
					}
				}
			}
			if err != nil {
				return err
			}
			if (o.writeMode == "seq" || o.writeMode == "seq-nest") && n != o.count {
				return fmt.Errorf("read %s: iter mismatch: expected %d, got %d", o.readMode, o.count, n)
			}
			if time.Since(start) >= c.benchReadTime {
				return nil
			}
		}
	})
}

// readCursor walks b and counts its keys, which must all have values.
func readCursor(b *bolt.Bucket, r *benchResults) (int64, error) {
	var n int64
	cur := b.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		n++
		r.ops.Add(1)
		if v == nil {
			return n, errBenchValue
		}
	}
	return n, nil
}

// profiler runs the CPU, heap and block profiles bench was asked for.
type profiler struct {
	cpu, mem, block *os.File
}

func (p *profiler) start(o *benchOptions) (err error) {
	create := func(path, what string) (*os.File, error) {
		if path == "" {
			return nil, nil
		}
		f, err := os.Create(path)
		if err != nil {
			return nil, fmt.Errorf("could not create %s profile %q: %v", what, path, err)
		}
		return f, nil
	}
	if p.cpu, err = create(o.cpuProfile, "cpu"); err != nil {
		return err
	}
	if p.cpu != nil {
		if err := pprof.StartCPUProfile(p.cpu); err != nil {
			return fmt.Errorf("could not start cpu profile %q: %v", o.cpuProfile, err)
		}
	}
	if p.mem, err = create(o.memProfile, "memory"); err != nil {
		return err
	}
	if p.mem != nil {
		runtime.MemProfileRate = 4096
	}
	if p.block, err = create(o.blockProfile, "block"); err != nil {
		return err
	}
	if p.block != nil {
		runtime.SetBlockProfileRate(1)
	}
	return nil
}

// stop writes and closes the profiles that are running.
func (p *profiler) stop(stderr io.Writer) {
	if p.cpu != nil {
		pprof.StopCPUProfile()
		p.cpu.Close()
		p.cpu = nil
	}
	if p.mem != nil {
		if err := pprof.Lookup("heap").WriteTo(p.mem, 0); err != nil {
			fmt.Fprintf(stderr, "bench: could not write mem profile: %v\n", err)
		}
		p.mem.Close()
		p.mem = nil
	}
	if p.block != nil {
		if err := pprof.Lookup("block").WriteTo(p.block, 0); err != nil {
			fmt.Fprintf(stderr, "bench: could not write block profile: %v\n", err)
		}
		p.block.Close()
		p.block = nil
		runtime.SetBlockProfileRate(0)
	}
}
