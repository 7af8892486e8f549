package main

// The cold rows: reads of a database that is not in the page cache, as at a
// service's first start, a backup or a compaction, and reads under a memory
// limit smaller than the file. They are not in the default set; run them
// with -only cold (see coldWorkloads).
//
// Both engines read the same two files, written once per headtohead run by
// bbolt (the file format is the same): one loaded in key order, one in
// random order (its leaves scattered over the file). Before each
// measurement the file is flushed and dropped from the page cache
// (fsync, then posix_fadvise(POSIX_FADV_DONTNEED)), and the measurement
// runs in a fresh process (this program, re-executed with -cold-child),
// which opens the file with the engine's default options. The child reports
// its elapsed time, its major page faults (getrusage) and the bytes it made
// the kernel read from the disk (read_bytes of /proc/self/io), for the
// timed part only.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	bolt "github.com/boltkv/bolt"
	bbolt "go.etcd.io/bbolt"
)

// coldWorkloads run only when named with -only.
var coldWorkloads = []workload{
	{"cold", []row{
		{"cold-scan/seq", "keys"},
		{"cold-scan/rand", "keys"},
		{"cold-get/rand", "gets"},
		{"memcg-hot-get/rand", "gets"},
		{"cold-compact/seq", "keys"},
		{"cold-check/seq", "keys"},
	}, coldRows},
}

// coldSizes are the keys of the cold files and the Gets of the Get rows.
type coldSizes struct {
	keys      int // records in each file
	gets      int // cold-get: Gets after the eviction
	hotGets   int // memcg-hot-get: timed Gets, after as many untimed ones
	compactTx int64
}

func (c *config) cold(quick bool) coldSizes {
	if c.n <= 100_000 && quick {
		return coldSizes{keys: 200_000, gets: 5_000, hotGets: 50_000, compactTx: 16 << 20}
	}
	// 2M records of 16 + 100 bytes fill about 0.5 GiB at bbolt's half-full
	// leaves.
	return coldSizes{keys: 2_000_000, gets: 20_000, hotGets: 200_000, compactTx: 16 << 20}
}

// coldFiles are the two files, made on first use and shared by every run
// of both engines; the run's temporary directory removes them.
type coldFiles struct {
	once      sync.Once
	err       error
	seq, rand string
}

var coldShared coldFiles

func (f *coldFiles) make(dir string, keys int, progress io.Writer) error {
	f.once.Do(func() {
		f.seq, f.rand = filepath.Join(dir, "cold-seq.db"), filepath.Join(dir, "cold-rand.db")
		t0 := time.Now()
		order := make([]uint32, keys)
		for i := range order {
			order[i] = uint32(i)
		}
		if f.err = writeColdFile(f.seq, order); f.err != nil {
			return
		}
		rand.New(rand.NewPCG(seed, 3)).Shuffle(keys, func(i, j int) { order[i], order[j] = order[j], order[i] })
		f.err = writeColdFile(f.rand, order)
		fmt.Fprintf(progress, "  cold files: %d keys, seq %.0f MiB, rand %.0f MiB, written by bbolt in %.1fs\n",
			keys, float64(fileSize(f.seq))/(1<<20), float64(fileSize(f.rand))/(1<<20), time.Since(t0).Seconds())
	})
	return f.err
}

// writeColdFile puts the records order[0], order[1], ... with bbolt's
// defaults, 20,000 per transaction, then syncs.
func writeColdFile(path string, order []uint32) (err error) {
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	db.NoSync = true
	value := make([]byte, valueSize)
	fillRandom(rand.New(rand.NewPCG(seed, 4)), value)
	var key [keySize]byte
	for lo := 0; lo < len(order); lo += 20_000 {
		if err := db.Update(func(tx *bbolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(benchBucket)
			if err != nil {
				return err
			}
			for _, i := range order[lo:min(lo+20_000, len(order))] {
				putKey(key[:], uint64(i))
				if err := b.Put(key[:], value); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return db.Sync()
}

// coldSpec is what the parent tells a child to measure.
type coldSpec struct {
	Engine    string `json:"engine"`
	Row       string `json:"row"`
	File      string `json:"file"`
	Dst       string `json:"dst,omitempty"` // cold-compact: the new file
	Keys      int    `json:"keys"`
	Gets      int    `json:"gets,omitempty"`
	CompactTx int64  `json:"compact_tx,omitempty"`
	Cgroup    string `json:"cgroup,omitempty"` // join this cgroup first
}

// coldOutcome is what a child measured over its timed part.
type coldOutcome struct {
	Ops       int   `json:"ops"`
	Elapsed   int64 `json:"elapsed_ns"`
	MajFlt    int64 `json:"majflt"`
	ReadBytes int64 `json:"read_bytes"`
}

// coldRows measures every cold row on one engine.
func coldRows(e *env) ([]phase, error) {
	sz := e.cfg.cold(e.cfg.quickMode)
	dir := filepath.Dir(e.path)
	if err := coldShared.make(dir, sz.keys, os.Stderr); err != nil {
		return nil, fmt.Errorf("cold files: %w", err)
	}
	f := &coldShared
	var phases []phase
	for _, spec := range []coldSpec{
		{Row: "scan", File: f.seq},
		{Row: "scan", File: f.rand},
		{Row: "get", File: f.rand, Gets: sz.gets},
		{Row: "hot-get", File: f.rand, Gets: sz.hotGets},
		{Row: "compact", File: f.seq, Dst: filepath.Join(dir, "cold-compact-"+e.kind.name+".db"), CompactTx: sz.compactTx},
		{Row: "check", File: f.seq},
	} {
		spec.Engine, spec.Keys = e.kind.name, sz.keys
		p, err := coldMeasure(spec)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", spec.Row, filepath.Base(spec.File), err)
		}
		phases = append(phases, p)
	}
	return phases, nil
}

// coldMeasure evicts the file, runs one child and turns its outcome into a
// phase.
func coldMeasure(spec coldSpec) (phase, error) {
	size := fileSize(spec.File)
	if spec.Dst != "" {
		if err := removeIfExists(spec.Dst); err != nil {
			return phase{}, err
		}
		defer os.Remove(spec.Dst)
	}
	var limit int64
	if spec.Row == "hot-get" {
		// A quarter of the file, so that the hot tenth fits and the rest
		// does not; at least 32 MiB for the Go runtime and the program.
		limit = max(size/4, 32<<20)
		cg, cleanup, err := newMemCgroup(limit)
		if err != nil {
			return phase{skipped: fmt.Sprintf("skipped: no memory cgroup (%v)", err)}, nil
		}
		defer cleanup()
		spec.Cgroup = cg
	}
	if err := evict(spec.File); err != nil {
		return phase{}, fmt.Errorf("evicting the file: %w", err)
	}
	arg, err := json.Marshal(spec)
	if err != nil {
		return phase{}, err
	}
	exe, err := os.Executable()
	if err != nil {
		return phase{}, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(exe, "-cold-child", string(arg))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return phase{}, fmt.Errorf("child: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	var out coldOutcome
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return phase{}, fmt.Errorf("child said %q: %w", stdout.String(), err)
	}
	if out.Ops <= 0 || out.Elapsed <= 0 {
		return phase{}, fmt.Errorf("child measured nothing: %+v", out)
	}
	elapsed := time.Duration(out.Elapsed)
	figs := []figure{}
	if spec.Row == "get" || spec.Row == "hot-get" {
		figs = append(figs, figure{"KiB/get", "", float64(out.ReadBytes) / 1024 / float64(out.Ops)})
	} else {
		figs = append(figs, figure{"MiB/s", "", float64(size) / (1 << 20) / elapsed.Seconds()})
	}
	figs = append(figs,
		figure{"majflt", "", float64(out.MajFlt)},
		figure{"read", "MiB", float64(out.ReadBytes) / (1 << 20)},
	)
	if limit > 0 {
		figs = append(figs, figure{"limit", "MiB", float64(limit) / (1 << 20)})
	}
	return phase{ops: out.Ops, elapsed: elapsed, figures: figs}, nil
}

// runColdChild is the child's side: join the cgroup, open the file, measure
// one row, print the outcome as JSON.
func runColdChild(arg string, stdout io.Writer) error {
	var spec coldSpec
	if err := json.Unmarshal([]byte(arg), &spec); err != nil {
		return err
	}
	if spec.Cgroup != "" {
		if err := joinCgroup(spec.Cgroup); err != nil {
			return err
		}
	}
	var out coldOutcome
	var err error
	switch spec.Engine {
	case "bolt":
		out, err = coldChildBolt(spec)
	case "bbolt":
		out, err = coldChildBBolt(spec)
	default:
		err = fmt.Errorf("unknown engine %q", spec.Engine)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(out)
}

// coldTimer measures the timed part of a child.
type coldTimer struct {
	start         time.Time
	majflt, bytes int64
}

func startCold() coldTimer {
	return coldTimer{start: time.Now(), majflt: majorFaults(), bytes: readBytes()}
}

func (t coldTimer) stop(ops int) coldOutcome {
	return coldOutcome{
		Ops:       ops,
		Elapsed:   int64(time.Since(t.start)),
		MajFlt:    majorFaults() - t.majflt,
		ReadBytes: readBytes() - t.bytes,
	}
}

func coldChildBolt(spec coldSpec) (_ coldOutcome, err error) {
	db, err := bolt.Open(spec.File, 0o600, nil)
	if err != nil {
		return coldOutcome{}, err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	switch spec.Row {
	case "compact":
		dst, err := bolt.Open(spec.Dst, 0o600, &bolt.Options{NoSync: true})
		if err != nil {
			return coldOutcome{}, err
		}
		t := startCold()
		err = bolt.Compact(dst, db, spec.CompactTx)
		out := t.stop(spec.Keys)
		return out, errors.Join(err, dst.Close())
	case "check":
		t := startCold()
		err := db.View(func(tx *bolt.Tx) error {
			var errs []error
			for err := range tx.Check() {
				errs = append(errs, err)
			}
			return errors.Join(errs...)
		})
		return t.stop(spec.Keys), err
	}
	return coldChildRows(spec, boltEngine{db})
}

func coldChildBBolt(spec coldSpec) (_ coldOutcome, err error) {
	db, err := bbolt.Open(spec.File, 0o600, nil)
	if err != nil {
		return coldOutcome{}, err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	switch spec.Row {
	case "compact":
		dst, err := bbolt.Open(spec.Dst, 0o600, &bbolt.Options{NoSync: true})
		if err != nil {
			return coldOutcome{}, err
		}
		t := startCold()
		err = bbolt.Compact(dst, db, spec.CompactTx)
		out := t.stop(spec.Keys)
		return out, errors.Join(err, dst.Close())
	case "check":
		t := startCold()
		err := db.View(func(tx *bbolt.Tx) error {
			var errs []error
			for err := range tx.Check() {
				errs = append(errs, err)
			}
			return errors.Join(errs...)
		})
		return t.stop(spec.Keys), err
	}
	return coldChildRows(spec, bboltEngine{db})
}

// coldChildRows runs the rows written once against engine: scan, get and
// hot-get.
func coldChildRows(spec coldSpec, db engine) (coldOutcome, error) {
	switch spec.Row {
	case "scan":
		t := startCold()
		n, err := count(db)
		if err == nil && n != spec.Keys {
			err = fmt.Errorf("scanned %d keys, want %d", n, spec.Keys)
		}
		return t.stop(n), err
	case "get":
		r := rand.New(rand.NewPCG(seed, 5))
		t := startCold()
		err := coldGets(db, spec.Gets, func() int { return r.IntN(spec.Keys) })
		return t.stop(spec.Gets), err
	case "hot-get":
		// Nine Gets in ten go to the hot tenth of the keys (a range of
		// them), one to any key: the cold Gets keep the cgroup's memory
		// full, so what stays resident decides the faults.
		r := rand.New(rand.NewPCG(seed, 6))
		hot, lo := spec.Keys/10, spec.Keys*9/20
		pick := func() int {
			if r.IntN(10) == 0 {
				return r.IntN(spec.Keys)
			}
			return lo + r.IntN(hot)
		}
		if err := coldGets(db, spec.Gets, pick); err != nil {
			return coldOutcome{}, err
		}
		t := startCold()
		err := coldGets(db, spec.Gets, pick)
		return t.stop(spec.Gets), err
	}
	return coldOutcome{}, fmt.Errorf("unknown row %q", spec.Row)
}

// coldGets does n Gets of the keys pick returns, 1000 per View, checking
// each value's length.
func coldGets(db engine, n int, pick func() int) error {
	var key [keySize]byte
	for lo := 0; lo < n; lo += 1000 {
		if err := db.View(func(t tx) error {
			b := t.Bucket()
			for range min(1000, n-lo) {
				i := pick()
				putKey(key[:], uint64(i))
				if v := b.Get(key[:]); len(v) != valueSize {
					return fmt.Errorf("get %d: value of %d bytes", i, len(v))
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// allWorkloads is every workload -only may name: the default set, then the
// cold ones.
func allWorkloads() []workload {
	return append(workloads[:len(workloads):len(workloads)], coldWorkloads...)
}

// skippedReason is the reason of the first skipped phase of a row, or "".
func skippedReason(per [len(kinds)][]phase) string {
	for _, phs := range per {
		for _, p := range phs {
			if p.skipped != "" {
				return p.skipped
			}
		}
	}
	return ""
}

// skippedRow prints a row that could not be measured. It is left out of
// the summary and the chart, which compare measured rows only.
func (r *reporter) skippedRow(res result) error {
	if r.json {
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(r.w, "%s\n", b)
		return err
	}
	_, err := fmt.Fprintf(r.w, "%-24s %-7s %s\n", res.Row, res.Unit, res.Skipped)
	return err
}
