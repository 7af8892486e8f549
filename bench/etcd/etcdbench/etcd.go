package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// procSet is every child process the run has started and not yet reaped.
// killAll ends them all; it runs on every way out of run, so no server
// outlives the command. Each pid is also appended to a file, so that the
// calling script can kill what is left if this process itself is killed.
type procSet struct {
	mu      sync.Mutex // guards running
	running map[*exec.Cmd]struct{}
	pidFile string
}

func newProcSet(pidFile string) *procSet {
	return &procSet{running: map[*exec.Cmd]struct{}{}, pidFile: pidFile}
}

// start starts cmd and records it.
func (p *procSet) start(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	p.mu.Lock()
	p.running[cmd] = struct{}{}
	p.mu.Unlock()
	if f, err := os.OpenFile(p.pidFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintln(f, cmd.Process.Pid)
		f.Close()
	}
	return nil
}

// wait waits for cmd and forgets it.
func (p *procSet) wait(cmd *exec.Cmd) error {
	err := cmd.Wait()
	p.mu.Lock()
	delete(p.running, cmd)
	p.mu.Unlock()
	return err
}

// killAll kills every recorded process that is still running.
func (p *procSet) killAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for cmd := range p.running {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		delete(p.running, cmd)
	}
}

// server is one running etcd.
type server struct {
	cmd     *exec.Cmd
	dataDir string
	client  string // http://127.0.0.1:port, gRPC and the JSON gateway
	done    chan struct{}
	exitErr error
}

// freePorts returns n distinct free TCP ports on 127.0.0.1.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// startServer starts etcd as a one-member cluster on loopback, with its log
// appended to logPath. The quota is raised above etcd's 2 GiB default so
// that the full run's backend (and defragmentation's second copy) fits;
// etcd then maps 1.1 times the quota, as its docs say.
func startServer(procs *procSet, bin, dataDir, logPath string, quota int64) (*server, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	client := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	peer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	logf, err := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin,
		"--name", "bench",
		"--data-dir", dataDir,
		"--listen-client-urls", client,
		"--advertise-client-urls", client,
		"--listen-peer-urls", peer,
		"--initial-advertise-peer-urls", peer,
		"--initial-cluster", "bench="+peer,
		"--quota-backend-bytes", strconv.FormatInt(quota, 10),
		"--log-level", "info", // the restart's phases are logged at info
	)
	cmd.Stdout = logf
	cmd.Stderr = logf
	if err := procs.start(cmd); err != nil {
		logf.Close()
		return nil, err
	}
	s := &server{cmd: cmd, dataDir: dataDir, client: client, done: make(chan struct{})}
	go func() {
		s.exitErr = procs.wait(cmd)
		logf.Close()
		close(s.done)
	}()
	return s, nil
}

// endpoint is the host:port the benchmark tool dials.
func (s *server) endpoint() string { return strings.TrimPrefix(s.client, "http://") }

// stop sends SIGTERM and waits for the exit, killing after a minute.
func (s *server) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(time.Minute):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("etcd did not stop within a minute of SIGTERM; killed")
	}
	return nil
}

// peakRSS returns the server's peak resident set size in bytes (VmHWM), or
// 0 where /proc does not say.
func (s *server) peakRSS() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// call posts a JSON request to etcd's gRPC gateway and decodes the answer
// into out. The gateway speaks the same API as gRPC, with bytes in base64
// and 64-bit integers as strings.
func (s *server) call(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.client+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", path, resp.Status, bytes.TrimSpace(b))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

// rangeResp is the part of a RangeResponse the run reads.
type rangeResp struct {
	Header struct {
		Revision string `json:"revision"`
	} `json:"header"`
	Kvs   []json.RawMessage `json:"kvs"`
	Count string            `json:"count"`
}

// firstKey is a serializable range over the whole keyspace with limit 1:
// it succeeds as soon as the server serves reads from its rebuilt index,
// and it returns the current revision.
func (s *server) firstKey(ctx context.Context) (rev int64, found bool, err error) {
	var r rangeResp
	err = s.call(ctx, "/v3/kv/range", map[string]any{
		"key":          base64.StdEncoding.EncodeToString([]byte{0}),
		"range_end":    base64.StdEncoding.EncodeToString([]byte{0}),
		"limit":        1,
		"serializable": true,
	}, &r)
	if err != nil {
		return 0, false, err
	}
	rev, err = strconv.ParseInt(r.Header.Revision, 10, 64)
	return rev, len(r.Kvs) > 0, err
}

// waitServing polls firstKey every few milliseconds until it succeeds (and,
// if wantKey, returns a key) or timeout passes; it returns the time from
// since to the first success.
func (s *server) waitServing(ctx context.Context, since time.Time, timeout time.Duration, wantKey bool) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		select {
		case <-s.done:
			return 0, fmt.Errorf("etcd exited before serving (%v); see its log", s.exitErr)
		default:
		}
		rctx, rcancel := context.WithTimeout(ctx, 2*time.Second)
		_, found, err := s.firstKey(rctx)
		rcancel()
		if err == nil && (found || !wantKey) {
			return time.Since(since), nil
		}
		if err == nil {
			err = errors.New("the range returned no key")
		}
		last = err
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("etcd did not serve a read within %v: %w", timeout, last)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// statusResp is the part of a StatusResponse the run reads.
type statusResp struct {
	DBSize      string `json:"dbSize"`
	DBSizeInUse string `json:"dbSizeInUse"`
}

// dbSize returns the backend's file size and the bytes in use in it.
func (s *server) dbSize(ctx context.Context) (size, inUse float64, err error) {
	var r statusResp
	if err := s.call(ctx, "/v3/maintenance/status", map[string]any{}, &r); err != nil {
		return 0, 0, err
	}
	size, err = strconv.ParseFloat(r.DBSize, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("status: dbSize %q: %w", r.DBSize, err)
	}
	inUse, err = strconv.ParseFloat(r.DBSizeInUse, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("status: dbSizeInUse %q: %w", r.DBSizeInUse, err)
	}
	return size, inUse, nil
}

// compact compacts the keyspace at rev and waits until the compaction has
// reached the backend (physical).
func (s *server) compact(ctx context.Context, rev int64) error {
	return s.call(ctx, "/v3/kv/compaction", map[string]any{
		"revision": strconv.FormatInt(rev, 10),
		"physical": true,
	}, nil)
}

// defragment rewrites the backend into a new file, as `etcdctl defrag` does.
func (s *server) defragment(ctx context.Context) error {
	return s.call(ctx, "/v3/maintenance/defragment", map[string]any{}, nil)
}

// histogram is a Prometheus histogram's cumulative bucket counts, by upper
// bound in seconds (the +Inf bucket under math.Inf(1)).
type histogram map[float64]float64

// scrapeHistogram reads the histogram name from the server's /metrics.
func (s *server) scrapeHistogram(ctx context.Context, name string) (histogram, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.client+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: %s", resp.Status)
	}
	return parseHistogram(b, name)
}

// parseHistogram picks name's buckets out of Prometheus text exposition.
func parseHistogram(text []byte, name string) (histogram, error) {
	h := histogram{}
	prefix := name + `_bucket{le="`
	for line := range strings.SplitSeq(string(text), "\n") {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		le, count, ok := strings.Cut(rest, `"} `)
		if !ok {
			return nil, fmt.Errorf("metrics: cannot read %q", line)
		}
		bound, err := strconv.ParseFloat(le, 64) // accepts "+Inf"
		if err != nil {
			return nil, fmt.Errorf("metrics: %q: %w", line, err)
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(count), 64)
		if err != nil {
			return nil, fmt.Errorf("metrics: %q: %w", line, err)
		}
		h[bound] = n
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("metrics: no histogram %s", name)
	}
	return h, nil
}

// longestSince returns the upper bound, in seconds, of the slowest bucket
// that gained observations from before to h: every observation in between
// took at most that long. 0 if none was made; +Inf if one fell past the
// last finite bound.
func (h histogram) longestSince(before histogram) float64 {
	bounds := make([]float64, 0, len(h))
	for b := range h {
		bounds = append(bounds, b)
	}
	slices.Sort(bounds)
	total := h[math.Inf(1)] - before[math.Inf(1)]
	if total <= 0 {
		return 0
	}
	for _, b := range bounds {
		if h[b]-before[b] >= total {
			return b
		}
	}
	return math.Inf(1)
}

// restartPhases are the two phases of a restart that etcd logs: opening the
// backend (bolt.Open: the mapping, MAP_POPULATE's read of the file, and
// the free list) and rebuilding the in-memory index from it (a cursor
// over every revision), in seconds.
type restartPhases struct {
	open, restore float64
}

// parseRestartLog reads etcd's JSON log of one start: "opened backend db"
// carries the open's duration, and the time from that line to "kvstore
// restored" is the index rebuild.
func parseRestartLog(text []byte) (restartPhases, error) {
	var p restartPhases
	var opened, restored time.Time
	for line := range strings.SplitSeq(string(text), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var e struct {
			Msg  string `json:"msg"`
			TS   string `json:"ts"`
			Took string `json:"took"`
		}
		if json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		switch e.Msg {
		case "opened backend db":
			d, err := time.ParseDuration(e.Took)
			if err != nil {
				return p, fmt.Errorf("etcd log: opened backend db: took %q: %w", e.Took, err)
			}
			p.open = d.Seconds()
			if opened, err = time.Parse(time.RFC3339Nano, e.TS); err != nil {
				return p, fmt.Errorf("etcd log: ts %q: %w", e.TS, err)
			}
		case "kvstore restored":
			if !opened.IsZero() && restored.IsZero() {
				var err error
				if restored, err = time.Parse(time.RFC3339Nano, e.TS); err != nil {
					return p, fmt.Errorf("etcd log: ts %q: %w", e.TS, err)
				}
			}
		}
	}
	if opened.IsZero() || restored.IsZero() {
		return p, errors.New(`etcd log: no "opened backend db" followed by "kvstore restored"`)
	}
	p.restore = restored.Sub(opened).Seconds()
	return p, nil
}
