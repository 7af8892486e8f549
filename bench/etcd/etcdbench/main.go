// Command etcdbench runs etcd built with bbolt and etcd built with bolt side
// by side, with etcd's own benchmark tool, and reports what an operator
// sees: put throughput and latency, put latency while large ranges run,
// restart time on a cold backend, and compaction plus defragmentation time.
//
// bench/etcd/run.sh builds the binaries and calls it; by hand:
//
//	etcdbench -bbolt ETCD -bolt ETCD -tool BENCHMARK [-mode full|quick|smoke] [-rounds N] [-dir D] [-out D]
//
// Every server listens on 127.0.0.1 only, in a data directory under -dir
// that is removed when its workloads end. Each round runs the whole
// sequence on one build and then on the other, the order alternating from
// round to round, so slow drift of a shared machine falls on both alike.
// The sequence, on a fresh data directory:
//
//  1. puts: `benchmark put`, many clients, small values, as fast as it goes.
//  2. fill: the keyspace (about 1 GiB in full mode, 1 KB values, a quarter
//     of the keys written twice so that compaction has work).
//  3. ranges and puts: one client ranges over the whole keyspace back to
//     back while a rate-limited `benchmark put` overwrites keys; its p99 and
//     its slowest put (the longest stall) are the figures.
//  4. restart: stop etcd, sync the data directory's files and drop them
//     from the page cache (posix_fadvise DONTNEED; mincore confirms), start
//     etcd again and time until a range returns a key.
//  5. compaction to the current revision, then defragmentation: each timed.
//
// It writes results.json (every sample), results.md (the table) and
// etcd.svg (the chart) to -out, and the table to stdout. Child processes it
// starts are killed when it ends, also on SIGINT and SIGTERM; their pids go
// to -dir/pids as they start, for a caller's own cleanup.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "etcdbench:", err)
		}
		os.Exit(2)
	}
}

// config is one run's settings.
type config struct {
	bins   map[string]string // build name ("bbolt", "bolt") to etcd binary
	tool   string            // etcd's benchmark tool
	dir    string            // scratch directory
	out    string            // report directory
	mode   string
	rounds int
	sz     sizes
	label  string // the etcd release, for the report
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("etcdbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		bbolt   = fs.String("bbolt", "", "etcd binary built with bbolt (as released)")
		bolt    = fs.String("bolt", "", "etcd binary built with bolt")
		tool    = fs.String("tool", "", "etcd's benchmark tool")
		mode    = fs.String("mode", "full", "full, quick (small sizes) or smoke (start, one put, one range, stop)")
		rounds  = fs.Int("rounds", 0, "rounds, each running both builds (default: full 3, quick 1)")
		dir     = fs.String("dir", "", "scratch directory (default: a new one under $TMPDIR, removed at the end)")
		out     = fs.String("out", "", "directory for results.json, results.md and etcd.svg (default -dir)")
		release = fs.String("release", "etcd", "the etcd release measured, for the report")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bbolt == "" || *bolt == "" || *tool == "" {
		return errors.New("-bbolt, -bolt and -tool are required")
	}
	sz, ok := modes[*mode]
	if !ok {
		return fmt.Errorf("unknown -mode %q (full, quick or smoke)", *mode)
	}
	c := &config{
		bins:   map[string]string{"bbolt": *bbolt, "bolt": *bolt},
		tool:   *tool,
		dir:    *dir,
		out:    *out,
		mode:   *mode,
		rounds: *rounds,
		sz:     sz,
		label:  *release,
	}
	if c.rounds <= 0 {
		c.rounds = sz.rounds
	}
	for _, p := range []string{*bbolt, *bolt, *tool} {
		if _, err := os.Stat(p); err != nil {
			return err
		}
	}
	if c.dir == "" {
		d, err := os.MkdirTemp("", "etcdbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		c.dir = d
	}
	if c.out == "" {
		c.out = c.dir
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	procs := newProcSet(filepath.Join(c.dir, "pids"))
	defer procs.killAll()

	if c.mode == "smoke" {
		return smoke(ctx, c, procs, stdout, stderr)
	}
	start := time.Now()
	var samples []sample
	for r := 0; r < c.rounds; r++ {
		order := []string{"bolt", "bbolt"}
		if r%2 == 1 {
			order = []string{"bbolt", "bolt"}
		}
		for _, b := range order {
			fmt.Fprintf(stderr, "== round %d/%d: %s\n", r+1, c.rounds, b)
			m, err := sequence(ctx, c, procs, b, r+1, stderr)
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", r+1, b, err)
			}
			samples = append(samples, sample{Build: b, Round: r + 1, Metrics: m})
		}
	}
	rep := newReport(c, samples, time.Since(start))
	return rep.write(c.out, stdout)
}
