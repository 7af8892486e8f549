package interop_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	bolt "github.com/boltkv/bolt"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

var seedFlag = flag.Int64("seed", 1, "seed of the generated workloads")

// seed returns the workload seed and arranges for it to be logged if the
// test fails, so that the failing run can be repeated with -seed.
func seed(t *testing.T) int64 {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("workload seed: -seed=%d", *seedFlag)
		}
	})
	return *seedFlag
}

type config struct {
	pageSize       int
	noFreelistSync bool
}

func (c config) String() string {
	return fmt.Sprintf("pagesize=%d,nofreelistsync=%t", c.pageSize, c.noFreelistSync)
}

func (c config) options() openOptions {
	return openOptions{pageSize: c.pageSize, noFreelistSync: c.noFreelistSync}
}

var configs = []config{{4096, false}, {4096, true}, {16384, false}, {16384, true}}

// forEachConfig runs fn as a parallel subtest for every page size and
// NoFreelistSync setting.
func forEachConfig(t *testing.T, fn func(t *testing.T, c config)) {
	for _, c := range configs {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			fn(t, c)
		})
	}
}

// openDB remembers whether the test closed the database, so that a test
// stopped by a failure still releases the file (and its lock) in cleanup.
type openDB struct {
	kvDB
	closed bool
}

func mustOpen(t testing.TB, e engine, path string, c config) *openDB {
	t.Helper()
	d, err := e.open(path, c.options())
	require.NoError(t, err)
	o := &openDB{kvDB: d}
	t.Cleanup(func() {
		if !o.closed {
			_ = o.kvDB.Close()
		}
	})
	return o
}

func mustClose(t testing.TB, e engine, d *openDB) {
	t.Helper()
	d.closed = true
	require.NoError(t, d.Close(), "%s: Close", e.name)
}

// interopWorkload is the workload of the two read-each-other tests.
// Deletes are batched, so rebalancing order is left to each library.
func interopWorkload() workloadConfig {
	large := []int{10 << 10, 100 << 10, 2 << 20}
	if testing.Short() {
		return workloadConfig{keys: 3000, keysPerTx: 300, deletesPerTx: 200, large: large}
	}
	return workloadConfig{keys: 20000, keysPerTx: 500, deletesPerTx: 500, large: large}
}

// crossCheck has writer build a database and close it; reader opens it,
// verifies every key, value, bucket and sequence and runs Check, writes
// more and closes; writer reopens it and verifies and checks again.
func crossCheck(t *testing.T, writer, reader engine, c config) {
	g := mixedWorkload(seed(t), interopWorkload())
	path := filepath.Join(t.TempDir(), "db")

	d := mustOpen(t, writer, path, c)
	applyPhases(t, writer, d, g.phases)
	verify(t, writer, d, g.m, "own file before close")
	mustClose(t, writer, d)
	if t.Failed() {
		t.FailNow()
	}

	d = mustOpen(t, reader, path, c)
	verify(t, reader, d, g.m, "reading the file "+writer.name+" wrote")
	if t.Failed() {
		mustClose(t, reader, d)
		t.FailNow()
	}
	applyPhases(t, reader, d, extraWorkload(g))
	verify(t, reader, d, g.m, "after its own writes to "+writer.name+"'s file")
	mustClose(t, reader, d)

	d = mustOpen(t, writer, path, c)
	verify(t, writer, d, g.m, "reading back the file after "+reader.name+"'s writes")
	mustClose(t, writer, d)
}

func TestInterop_BBoltWritesBoltReads(t *testing.T) {
	forEachConfig(t, func(t *testing.T, c config) { crossCheck(t, bboltEngine, boltEngine, c) })
}

func TestInterop_BoltWritesBBoltReads(t *testing.T) {
	forEachConfig(t, func(t *testing.T, c config) { crossCheck(t, boltEngine, bboltEngine, c) })
}

// statsWorkloads are deterministic in bbolt itself: each transaction
// touches one bucket chain and deletes at most one key (see workload_test.go),
// so SPEC §4 requires identical page counts from both libraries.
func statsWorkloads(seed int64) map[string]*gen {
	scale := 1
	if testing.Short() {
		scale = 4
	}
	out := map[string]*gen{}

	out["mixed"] = mixedWorkload(seed, workloadConfig{
		keys: 8000 / scale, keysPerTx: 400, deletesPerTx: 1,
		large: []int{10 << 10, 100 << 10, 2 << 20},
	})

	// TestBucket_Stats_Large's workload: strconv.Itoa keys in order, 1000
	// per transaction.
	g := newGen(seed)
	g.begin("create")
	g.tx(0, mkb(nil, "widgets"))
	for i := 0; i < 100/scale; i++ {
		g.begin("sequential-" + strconv.Itoa(i))
		var ops []op
		for j := 0; j < 1000; j++ {
			k := []byte(strconv.Itoa(i*1000 + j))
			ops = append(ops, put(p("widgets"), k, k))
		}
		g.tx(0, ops...)
	}
	out["sequential"] = g

	// Random fill and random single deletes, at the default FillPercent and
	// at 0.9 (the rebalance threshold follows FillPercent).
	for _, fill := range []float64{0, 0.9} {
		g := newGen(seed)
		g.begin("create")
		g.tx(fill, mkb(nil, "widgets"), mkb(p("widgets"), "nested"))
		for _, path := range [][]string{p("widgets"), p("widgets", "nested")} {
			g.begin("fill " + pathString(path))
			b := g.m.bucket(path)
			for i := 0; i < 60/scale; i++ {
				var ops []op
				for j := 0; j < 100; j++ {
					ops = append(ops, put(path, g.key(b, false), g.bytes(g.rng.Intn(200))))
				}
				g.tx(fill, ops...)
			}
		}
		for round := 0; round < 3; round++ {
			g.begin("random-deletes-" + strconv.Itoa(round))
			for i := 0; i < 800/scale; i++ {
				path := p("widgets")
				if i%4 == 3 {
					path = p("widgets", "nested")
				}
				ks := g.m.bucket(path).valueKeys()
				if len(ks) == 0 {
					continue
				}
				g.tx(fill, del(path, []byte(ks[g.rng.Intn(len(ks))])))
			}
		}
		name := "random"
		if fill != 0 {
			name += ",fill=" + strconv.FormatFloat(fill, 'f', -1, 64)
		}
		out[name] = g
	}
	return out
}

// TestInterop_SameStats runs each workload on both libraries in step and,
// after every phase and every 100th transaction, compares Stats() of every
// bucket field by field, the file's high-water mark, DB.Stats() free-list
// numbers and the allocation, split, spill, rebalance and write counters.
// It stops at the first point where the trees or free lists differ.
func TestInterop_SameStats(t *testing.T) {
	for name, g := range statsWorkloads(*seedFlag) {
		t.Run(name, func(t *testing.T) {
			forEachConfig(t, func(t *testing.T, c config) {
				seed(t)
				dir := t.TempDir()
				a := mustOpen(t, bboltEngine, filepath.Join(dir, "bbolt.db"), c)
				b := mustOpen(t, boltEngine, filepath.Join(dir, "bolt.db"), c)

				replay := newModel()
				counters := map[string]bool{}
				for _, ph := range g.phases {
					for i, x := range ph.txns {
						fn := func(tx kvTx) error { return applyTxn(tx, x) }
						require.NoError(t, a.Update(fn), "bbolt: phase %s, txn %d (%s)", ph.name, i, x)
						require.NoError(t, b.Update(fn), "bolt: phase %s, txn %d (%s)", ph.name, i, x)
						for _, o := range x.ops {
							replay.apply(o)
						}
						if i == len(ph.txns)-1 || i%100 == 99 {
							label := fmt.Sprintf("after phase %s, txn %d (%s)", ph.name, i, x)
							if !compareStats(t, a, b, replay, label, counters) {
								t.FailNow()
							}
						}
					}
				}
				verify(t, bboltEngine, a, g.m, "end of workload")
				verify(t, boltEngine, b, g.m, "end of workload")
				mustClose(t, boltEngine, b)
				mustClose(t, bboltEngine, a)
			})
		})
	}
}

// TestInterop_IdenticalBytes checks that a new file is byte-identical in
// both libraries, and stays so through a deterministic workload (one bucket
// chain and at most one delete per transaction: see workload_test.go), a
// close and a reopen, and that Tx.WriteTo then writes the same bytes. Files
// are compared after every transaction while small, and after every 16th
// and at the end of every phase once larger.
func TestInterop_IdenticalBytes(t *testing.T) {
	keys := 1500
	if testing.Short() {
		keys = 400
	}
	g := mixedWorkload(*seedFlag, workloadConfig{
		keys: keys, keysPerTx: 100, deletesPerTx: 1,
		large: []int{10 << 10, 100 << 10, 1 << 20},
	})
	forEachConfig(t, func(t *testing.T, c config) {
		seed(t)
		dir := t.TempDir()
		pa, pb := filepath.Join(dir, "bbolt.db"), filepath.Join(dir, "bolt.db")
		a := mustOpen(t, bboltEngine, pa, c)
		b := mustOpen(t, boltEngine, pb, c)
		compareFiles(t, pa, pb, c.pageSize, "new file")

		for _, ph := range g.phases {
			for i, x := range ph.txns {
				fn := func(tx kvTx) error { return applyTxn(tx, x) }
				require.NoError(t, a.Update(fn), "bbolt: phase %s, txn %d", ph.name, i)
				require.NoError(t, b.Update(fn), "bolt: phase %s, txn %d", ph.name, i)
				if i == len(ph.txns)-1 || i%16 == 15 || fileSize(t, pa) <= 1<<20 {
					compareFiles(t, pa, pb, c.pageSize, fmt.Sprintf("after phase %s, txn %d (%s)", ph.name, i, x))
				}
			}
			if ph.name == "large" {
				mustClose(t, boltEngine, b)
				mustClose(t, bboltEngine, a)
				compareFiles(t, pa, pb, c.pageSize, "after close")
				a = mustOpen(t, bboltEngine, pa, c)
				b = mustOpen(t, boltEngine, pb, c)
				compareFiles(t, pa, pb, c.pageSize, "after reopen")
			}
		}
		compareSnapshots(t, a, b, c.pageSize)
		mustClose(t, boltEngine, b)
		mustClose(t, bboltEngine, a)
		compareFiles(t, pa, pb, c.pageSize, "after the final close")
	})
}

// compareSnapshots checks that Tx.WriteTo gives the same bytes in both
// libraries (SPEC §3.12: two synthesized metas, then the file's pages up to
// the high-water mark).
func compareSnapshots(t *testing.T, a, b kvDB, pageSize int) {
	t.Helper()
	snap := func(e engine, d kvDB) []byte {
		var buf bytes.Buffer
		err := d.View(func(tx kvTx) error {
			n, err := tx.WriteTo(&buf)
			if err == nil && n != int64(buf.Len()) {
				err = fmt.Errorf("WriteTo returned %d but wrote %d bytes", n, buf.Len())
			}
			if err == nil && n != tx.Size() {
				err = fmt.Errorf("WriteTo wrote %d bytes, Tx.Size() is %d", n, tx.Size())
			}
			return err
		})
		require.NoError(t, err, "%s: WriteTo", e.name)
		return buf.Bytes()
	}
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "bbolt.snapshot"), filepath.Join(dir, "bolt.snapshot")
	require.NoError(t, os.WriteFile(pa, snap(bboltEngine, a), 0o600))
	require.NoError(t, os.WriteFile(pb, snap(boltEngine, b), 0o600))
	compareFiles(t, pa, pb, pageSize, "Tx.WriteTo output")
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fi.Size()
}

// TestStatsTypes_SameFields pins that bolt's stats types have bbolt's
// exported fields, in bbolt's order and with bbolt's types, so that the
// field-by-field comparisons above see every field.
func TestStatsTypes_SameFields(t *testing.T) {
	for _, tc := range []struct {
		name        string
		bbolt, bolt any
	}{
		{"BucketStats", bbolt.BucketStats{}, bolt.BucketStats{}},
		{"Stats", bbolt.Stats{}, bolt.Stats{}},
		{"TxStats", bbolt.TxStats{}, bolt.TxStats{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := fieldList(reflect.TypeOf(tc.bbolt))
			got := fieldList(reflect.TypeOf(tc.bolt))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("exported fields differ\nbbolt: %s\nbolt:  %s", strings.Join(want, ", "), strings.Join(got, ", "))
			}
		})
	}
}

// The workload generator must be a pure function of its seed, or the
// comparisons above would compare different workloads.
func TestWorkload_Deterministic(t *testing.T) {
	cfg := workloadConfig{keys: 500, keysPerTx: 50, deletesPerTx: 1, large: []int{1 << 10}}
	a, b := mixedWorkload(7, cfg), mixedWorkload(7, cfg)
	require.Equal(t, len(a.phases), len(b.phases))
	for i := range a.phases {
		require.Equal(t, a.phases[i], b.phases[i], "phase %s", a.phases[i].name)
	}
	require.Equal(t, a.m, b.m)
	require.NotEqual(t, a.m, mixedWorkload(8, cfg).m)
}
