// Command headtohead runs the same workloads on bolt and on bbolt in one
// process and prints their throughput side by side.
//
// Usage, from the bench module:
//
//	go run ./cmd/headtohead [-n keys] [-quick] [-runs N] [-json] [-only a,b] [-dir d] [-cpuprofile f] [-svg chart.svg]
//
// Each workload runs -runs times on each engine, in pairs whose order
// alternates (bolt bbolt, bbolt bolt, ...), on a fresh database file per run
// that is removed afterwards (the cold rows, -only cold, share two files;
// see cold.go). Alternating matters on this VM: whichever engine goes
// second in a pair finds the disk in a different state (blocks cached below
// the guest's page cache, discards of the file just removed), and an even
// -runs cancels that in the median.
// A row reports the median ops/s of each engine, the median of the per-run
// ratios bolt/bbolt with their minimum and maximum, ns/op, heap allocations
// per op (runtime.MemStats.Mallocs delta over the timed phase, all
// goroutines) and figures of its own. CPU profile samples carry the labels
// engine and workload, so `go tool pprof -tagfocus 'engine=^bolt$'` shows
// one engine alone. -svg also writes the ratios as a bar chart (chart.go),
// with the table or the JSON rows.
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
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "headtohead:", err)
		}
		os.Exit(2)
	}
}

// run is the whole command: stdout gets the table (or JSON rows), stderr
// the progress.
func run(args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("headtohead", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		n          = fs.Int("n", defaultConfig().n, "keys in the key-count workloads (-quick: 50000)")
		quick      = fs.Bool("quick", false, "small sizes for CI: n=50000, 1 run unless -runs is given, fewer iterations, long-readers to 128 MiB")
		runs       = fs.Int("runs", defaultConfig().runs, "A/B pairs per workload (-quick: 1)")
		jsonOut    = fs.Bool("json", false, "print one JSON object per row instead of the table")
		only       = fs.String("only", "", "comma-separated workload names to run (default all but cold): "+workloadNames())
		dir        = fs.String("dir", os.TempDir(), "directory for the database files")
		cpuprofile = fs.String("cpuprofile", "", "write a CPU profile to this file")
		growMiB    = fs.Int64("grow-mib", 0, "long-readers: file size the writer reaches, MiB (default 1024, -quick 128)")
		hold       = fs.Duration("hold", defaultConfig().readerHold, "long-readers: how long each reader holds a transaction")
		svgPath    = fs.String("svg", "", "at the end, write an SVG bar chart of the ratios bolt/bbolt to this file")
		coldChild  = fs.String("cold-child", "", "internal: measure one cold row in this process (cold.go)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *coldChild != "" {
		return runColdChild(*coldChild, stdout)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg := defaultConfig()
	if *quick {
		cfg = quickConfig()
	}
	if set["n"] {
		cfg.n = *n
	}
	if set["runs"] || !*quick {
		cfg.runs = *runs
	}
	if *growMiB > 0 {
		cfg.growBytes = *growMiB << 20
	}
	cfg.readerHold = *hold
	cfg.quickMode = *quick
	if cfg.n < 100 || cfg.n > 1<<31 {
		return fmt.Errorf("-n %d: want between 100 and 2^31", cfg.n)
	}
	if cfg.runs < 1 {
		return fmt.Errorf("-runs %d: want at least 1", cfg.runs)
	}
	selected, err := selectWorkloads(*only)
	if err != nil {
		return err
	}
	if *svgPath != "" {
		if err := checkChartPath(*svgPath); err != nil {
			return fmt.Errorf("-svg: %w", err)
		}
	}

	tmp, err := os.MkdirTemp(*dir, "headtohead-")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, os.RemoveAll(tmp)) }()
	stopCleanup := removeOnSignal(tmp, stderr)
	defer stopCleanup()

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return errors.Join(err, f.Close())
		}
		defer func() {
			pprof.StopCPUProfile()
			err = errors.Join(err, f.Close())
		}()
	}

	rep := newReporter(stdout, stderr, *jsonOut)
	fmt.Fprintf(stderr, "headtohead: n=%d runs=%d quick=%t dir=%s\n", cfg.n, cfg.runs, *quick, tmp)
	start := time.Now()
	d := newData(&cfg)
	rep.header(&cfg)
	for _, w := range selected {
		rows, err := runWorkload(w, &cfg, d, tmp, stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
		for _, r := range rows {
			if err := rep.row(r); err != nil {
				return err
			}
		}
	}
	rep.summary(time.Since(start))
	if *svgPath != "" {
		if err := writeChart(*svgPath, rep.results, newChartMeta(&cfg, *quick)); err != nil {
			return fmt.Errorf("-svg: %w", err)
		}
		fmt.Fprintf(stderr, "headtohead: wrote %s\n", *svgPath)
	}
	return nil
}

func workloadNames() string {
	var names []string
	for _, w := range allWorkloads() {
		names = append(names, w.name)
	}
	return strings.Join(names, ",")
}

func selectWorkloads(only string) ([]workload, error) {
	if only == "" {
		return workloads, nil
	}
	var out []workload
	for _, name := range strings.Split(only, ",") {
		name = strings.TrimSpace(name)
		all := allWorkloads()
		i := slices.IndexFunc(all, func(w workload) bool { return w.name == name })
		if i < 0 {
			return nil, fmt.Errorf("-only: unknown workload %q (have %s)", name, workloadNames())
		}
		out = append(out, all[i])
	}
	return out, nil
}

// runWorkload runs w cfg.runs times on each engine, bolt first in the odd
// pairs and bbolt first in the even ones, and folds the phases into one result per row.
func runWorkload(w workload, cfg *config, d *data, dir string, progress io.Writer) ([]result, error) {
	// phases[run][engine][row]
	phases := make([][len(kinds)][]phase, cfg.runs)
	for r := range cfg.runs {
		for j := range kinds {
			ki := j
			if r%2 == 1 {
				ki = len(kinds) - 1 - j
			}
			k := kinds[ki]
			e := &env{kind: k, cfg: cfg, data: d, path: filepath.Join(dir, fmt.Sprintf("%s-%s-%d.db", w.name, k.name, r))}
			t0 := time.Now()
			var ph []phase
			var err error
			pprof.Do(context.Background(), pprof.Labels("engine", k.name, "workload", w.name), func(context.Context) {
				ph, err = w.run(e)
			})
			err = errors.Join(err, removeIfExists(e.path))
			if err != nil {
				return nil, fmt.Errorf("%s run %d: %w", k.name, r+1, err)
			}
			if len(ph) != len(w.rows) {
				return nil, fmt.Errorf("%s run %d: %d phases for %d rows", k.name, r+1, len(ph), len(w.rows))
			}
			phases[r][ki] = ph
			fmt.Fprintf(progress, "  %-16s run %d/%d %-6s %6.1fs\n", w.name, r+1, cfg.runs, k.name, time.Since(t0).Seconds())
		}
	}
	out := make([]result, len(w.rows))
	for i, rw := range w.rows {
		var per [len(kinds)][]phase
		for r := range cfg.runs {
			for ki := range kinds {
				per[ki] = append(per[ki], phases[r][ki][i])
			}
		}
		out[i] = fold(rw, per)
	}
	return out, nil
}

// removeOnSignal removes dir and exits if the process is interrupted or
// terminated before the returned function is called, so that an aborted run
// leaves no gigabyte files behind.
func removeOnSignal(dir string, stderr io.Writer) (stop func()) {
	sigc := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-sigc:
			pprof.StopCPUProfile()
			fmt.Fprintf(stderr, "headtohead: %v: removing %s\n", sig, dir)
			os.RemoveAll(dir)
			os.Exit(130)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigc)
		close(done)
	}
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
