package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// sizes are one mode's workload sizes.
type sizes struct {
	rounds int

	// puts: as fast as the tool goes, small values.
	putTotal, putClients, putConns, putVal int

	// fill: fillKeys keys of fillVal bytes, then the first fillOver of
	// them once more (old revisions for the compaction to remove).
	fillKeys, fillOver, fillVal, fillClients, fillConns int

	// ranges and puts: rangePuts puts at rangePutRate per second from
	// rangePutClients clients, random keys of the filled keyspace, while
	// one client ranges over all of it.
	rangePuts, rangePutRate, rangePutClients int

	quota int64 // --quota-backend-bytes
}

// modes are the sizes of each -mode. In full mode the keyspace holds 2^20
// keys of 1000-byte values, about 1 GiB of live data, and a quarter of them
// have an older revision too; etcd's backend then is about 1.3 to 1.5 GiB.
var modes = map[string]sizes{
	"full": {
		rounds:   3,
		putTotal: 100_000, putClients: 100, putConns: 10, putVal: 256,
		fillKeys: 1 << 20, fillOver: 1 << 18, fillVal: 1000, fillClients: 100, fillConns: 10,
		rangePuts: 30_000, rangePutRate: 1000, rangePutClients: 10,
		quota: 8 << 30,
	},
	"quick": {
		rounds:   1,
		putTotal: 10_000, putClients: 100, putConns: 10, putVal: 256,
		fillKeys: 1 << 16, fillOver: 1 << 14, fillVal: 1000, fillClients: 100, fillConns: 10,
		rangePuts: 5_000, rangePutRate: 500, rangePutClients: 10,
		quota: 8 << 30,
	},
	"smoke": {quota: 1 << 30},
}

// The whole keyspace the tool writes, as range arguments. The tool's keys
// are 8 bytes holding a zig-zag varint of the key number: key 0 is all
// zero bytes, and every other key starts with a byte from 0x01 to 0xfe.
// Command-line arguments cannot hold a zero byte, so the range is
// [0x01, 0xff): every key but key 0.
const rangeStart, rangeEnd = "\x01", "\xff"

// sequence runs the whole sequence of workloads on one build and returns
// its figures.
func sequence(ctx context.Context, c *config, procs *procSet, build string, round int, progress io.Writer) (map[string]float64, error) {
	sz := c.sz
	data := filepath.Join(c.dir, build+"-data")
	if err := os.RemoveAll(data); err != nil {
		return nil, err
	}
	defer os.RemoveAll(data)
	prefix := filepath.Join(c.dir, fmt.Sprintf("r%d-%s", round, build))
	etcdLog, toolLog := prefix+"-etcd.log", prefix+"-tool.log"
	say := func(format string, args ...any) {
		fmt.Fprintf(progress, "   %s: "+format+"\n", append([]any{build}, args...)...)
	}
	m := map[string]float64{}
	ep := func(s *server) string { return s.endpoint() }

	t0 := time.Now()
	s, err := startServer(procs, c.bins[build], data, etcdLog, sz.quota)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	if _, err := s.waitServing(ctx, t0, time.Minute, false); err != nil {
		return nil, err
	}

	// 1. Puts.
	r, err := runTool(ctx, procs, c.tool, ep(s), toolLog, sz.putClients, sz.putConns, "put",
		"--total", itoa(sz.putTotal), "--key-size", "8", "--val-size", itoa(sz.putVal),
		"--sequential-keys", "--key-space-size", itoa(sz.putTotal))
	if err != nil {
		return nil, err
	}
	m["put_rps"], m["put_p50_ms"], m["put_p99_ms"] = r.RPS, r.Pct[50]*1e3, r.Pct[99]*1e3
	say("puts %.0f/s, p50 %.2f ms, p99 %.2f ms", r.RPS, r.Pct[50]*1e3, r.Pct[99]*1e3)

	// 2. Fill.
	r, err = runTool(ctx, procs, c.tool, ep(s), toolLog, sz.fillClients, sz.fillConns, "put",
		"--total", itoa(sz.fillKeys+sz.fillOver), "--key-size", "8", "--val-size", itoa(sz.fillVal),
		"--sequential-keys", "--key-space-size", itoa(sz.fillKeys))
	if err != nil {
		return nil, err
	}
	m["fill_rps"], m["fill_s"] = r.RPS, r.Total
	say("fill %d puts of %d bytes in %.1f s (%.0f/s)", sz.fillKeys+sz.fillOver, sz.fillVal, r.Total, r.RPS)

	// 3. Ranges over the whole keyspace, back to back, while puts run. The
	// backend's own commit times (etcd's histogram) tell a stall of the
	// storage engine from one elsewhere in etcd or on the machine.
	const commits = "etcd_disk_backend_commit_duration_seconds"
	before, err := s.scrapeHistogram(ctx, commits)
	if err != nil {
		return nil, err
	}
	rs, r, err := rangesWithPuts(ctx, c, procs, s, toolLog)
	if err != nil {
		return nil, err
	}
	after, err := s.scrapeHistogram(ctx, commits)
	if err != nil {
		return nil, err
	}
	m["busy_commit_max_ms"] = after.longestSince(before) * 1e3
	m["busy_put_p50_ms"], m["busy_put_p99_ms"], m["busy_put_max_ms"] = r.Pct[50]*1e3, r.Pct[99]*1e3, r.Slowest*1e3
	m["busy_put_rps"] = r.RPS
	m["ranges"], m["range_s"] = float64(rs.n), rs.mean()
	say("puts during %d ranges (%.2f s each): p50 %.2f ms, p99 %.2f ms, slowest %.1f ms; backend commits ≤ %.0f ms",
		rs.n, rs.mean(), r.Pct[50]*1e3, r.Pct[99]*1e3, r.Slowest*1e3, m["busy_commit_max_ms"])

	size, inUse, err := s.dbSize(ctx)
	if err != nil {
		return nil, err
	}
	m["db_mib"], m["db_in_use_mib"] = size/(1<<20), inUse/(1<<20)
	m["rss_peak_mib"] = s.peakRSS() / (1 << 20)

	// 4. Restart on a cold backend.
	if err := s.stop(); err != nil {
		return nil, err
	}
	if err := evict(data); err != nil {
		return nil, err
	}
	backend := filepath.Join(data, "member", "snap", "db")
	res, err := resident(backend)
	if err != nil {
		return nil, err
	}
	m["resident_pct"] = res * 100
	logStart, err := fileSize(etcdLog)
	if err != nil {
		return nil, err
	}
	t0 = time.Now()
	s, err = startServer(procs, c.bins[build], data, etcdLog, sz.quota)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	d, err := s.waitServing(ctx, t0, 10*time.Minute, true)
	if err != nil {
		return nil, err
	}
	m["restart_s"] = d.Seconds()
	ph, err := restartLog(etcdLog, logStart)
	if err != nil {
		return nil, err
	}
	m["restart_open_s"], m["restart_index_s"] = ph.open, ph.restore
	say("backend %.0f MiB (%.0f in use), %.1f%% cached after eviction; restart to first read %.2f s (opening the backend %.2f s, rebuilding the index %.2f s)",
		m["db_mib"], m["db_in_use_mib"], m["resident_pct"], d.Seconds(), m["restart_open_s"], m["restart_index_s"])

	// 5. Compaction to the current revision, then defragmentation.
	rev, _, err := s.firstKey(ctx)
	if err != nil {
		return nil, err
	}
	t0 = time.Now()
	if err := s.compact(ctx, rev); err != nil {
		return nil, err
	}
	m["compact_s"] = time.Since(t0).Seconds()
	t0 = time.Now()
	if err := s.defragment(ctx); err != nil {
		return nil, err
	}
	m["defrag_s"] = time.Since(t0).Seconds()
	size, _, err = s.dbSize(ctx)
	if err != nil {
		return nil, err
	}
	m["db_defrag_mib"] = size / (1 << 20)
	say("compaction %.2f s, defragmentation %.2f s (backend now %.0f MiB)", m["compact_s"], m["defrag_s"], m["db_defrag_mib"])
	return m, s.stop()
}

// rangeStats are the ranges of one rangesWithPuts.
type rangeStats struct {
	n     int
	total float64 // seconds, summed
}

func (r rangeStats) mean() float64 {
	if r.n == 0 {
		return 0
	}
	return r.total / float64(r.n)
}

// rangesWithPuts runs one client's whole-keyspace ranges back to back (one
// tool run per range, each a single request) while a rate-limited put run
// goes on, and returns the ranges done and the put run's report. The range
// under way when the puts finish is let finish.
func rangesWithPuts(ctx context.Context, c *config, procs *procSet, s *server, toolLog string) (rangeStats, toolReport, error) {
	sz := c.sz
	done := make(chan struct{})
	var (
		wg      sync.WaitGroup
		rs      rangeStats
		rangErr error
	)
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			r, err := runTool(ctx, procs, c.tool, s.endpoint(), toolLog, 1, 1, "range",
				"--total", "1", "--consistency", "s", rangeStart, rangeEnd)
			if err != nil {
				rangErr = err
				return
			}
			rs.n++
			rs.total += r.Total
		}
	})
	r, err := runTool(ctx, procs, c.tool, s.endpoint(), toolLog, sz.rangePutClients, 1, "put",
		"--total", itoa(sz.rangePuts), "--rate", itoa(sz.rangePutRate), "--key-size", "8",
		"--val-size", itoa(sz.fillVal), "--key-space-size", itoa(sz.fillKeys))
	close(done)
	wg.Wait()
	if err != nil {
		return rs, r, err
	}
	if rangErr != nil {
		return rs, r, rangErr
	}
	if rs.n == 0 {
		return rs, r, errors.New("no range finished while the puts ran")
	}
	return rs, r, nil
}

// smoke starts each build, puts one key, ranges over it with the tool,
// checks through the gateway that the key is there, and stops the server.
func smoke(ctx context.Context, c *config, procs *procSet, stdout, progress io.Writer) error {
	for _, build := range []string{"bbolt", "bolt"} {
		data := filepath.Join(c.dir, build+"-data")
		err := func() error {
			defer os.RemoveAll(data)
			t0 := time.Now()
			s, err := startServer(procs, c.bins[build], data, filepath.Join(c.dir, build+"-etcd.log"), c.sz.quota)
			if err != nil {
				return err
			}
			defer s.stop()
			up, err := s.waitServing(ctx, t0, time.Minute, false)
			if err != nil {
				return err
			}
			toolLog := filepath.Join(c.dir, build+"-tool.log")
			if _, err := runTool(ctx, procs, c.tool, s.endpoint(), toolLog, 1, 1, "put", "--total", "1"); err != nil {
				return err
			}
			if _, err := runTool(ctx, procs, c.tool, s.endpoint(), toolLog, 1, 1, "range", "--total", "1", rangeStart, rangeEnd); err != nil {
				return err
			}
			if _, found, err := s.firstKey(ctx); err != nil || !found {
				return fmt.Errorf("the key put is not there (err %v)", err)
			}
			if err := s.stop(); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "smoke: etcd on %s: serving after %.2f s, one put, one range, stopped\n", build, up.Seconds())
			return nil
		}()
		if err != nil {
			return fmt.Errorf("smoke, etcd on %s: %w", build, err)
		}
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// fileSize is path's size, 0 if it does not exist.
func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// restartLog parses the part of an etcd log from offset on.
func restartLog(path string, offset int64) (restartPhases, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return restartPhases{}, err
	}
	if offset > int64(len(b)) {
		offset = 0
	}
	return parseRestartLog(b[offset:])
}
