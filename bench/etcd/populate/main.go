//go:build linux

// Command populate measures what etcd's restart spends inside the engine,
// on a file shaped like etcd's backend (a "key" bucket of revision keys and
// ~1 KiB values, written in order with FillPercent 0.9, as etcd writes it):
//
//   - open: Open with MmapFlags MAP_POPULATE (etcd's boltOpenOptions on
//     Linux) on a file evicted from the page cache, bolt against bbolt,
//     alternating which goes first;
//   - scan: etcd's index rebuild as the engine sees it (one read
//     transaction, Seek then Next over chunks of 10,000 keys, as etcd's
//     restore calls UnsafeRange), on the now warm file;
//   - raw: ways of populating a fresh mapping of the cold file without the
//     engines (for choosing one).
//
// Usage (from bench/; the measurements under flock /tmp/bench.lock):
//
//	go run ./etcd/populate -file /tmp/x/etcd.db -make -keys 1300000
//	go run ./etcd/populate -file /tmp/x/etcd.db -runs 6 open
//	go run ./etcd/populate -file /tmp/x/etcd.db -runs 3 scan
//	go run ./etcd/populate -file /tmp/x/etcd.db -runs 10 -only MAP_POP,'WILLNEED all' raw
//
// Measured 2026-12-06 on the 2-core VM of the README (Linux 6.18, virtio
// disk, read_ahead_kb 8192), a 1,724 MiB file of 1.3M keys:
//
//   - raw, 10 alternating runs: MAP_POPULATE 0.659 s median, MADV_WILLNEED
//     over the whole file then MADV_POPULATE_READ 0.737 s; chunked
//     WILLNEED-ahead/POPULATE_READ (32-128 MiB chunks, 1-4 ahead) and
//     POPULATE_READ alone were slower (0.90-1.15 s, 5 runs). The kernel's
//     own populate, with the file's 8 MiB read-around, is as fast as any of
//     them, so bolt keeps passing MAP_POPULATE to mmap. (The file was in
//     the host's cache, ~1.3 GB/s; a file the host has not cached reads at
//     about 510 MB/s with dd iflag=direct bs=8M, and etcd's restart read
//     its backend at ~400 MiB/s: at most 1.25x to win there.)
//   - open, MAP_POPULATE, writable, NoFreelistSync (etcd's options), 6
//     alternating pairs: bbolt 0.78-4.07 s (four of six above 0.8 s),
//     bolt 0.72-1.90 s (five of six at 0.72-0.77 s); both leave the file
//     100% resident. The mapping is the same system call in both; the rest
//     of Open is the free-list rebuild (NoFreelistSync), a walk of the
//     whole populated tree.
//   - scan, warm and populated, 6 alternating runs: bbolt 0.126 s median,
//     bolt 0.147 s (bolt's Next is ~12 ns against bbolt's ~3 ns in the
//     CPU profile; most of the time is the first touch of each key's
//     memory, the same in both). That is 21 ms of a restore that took etcd
//     4.4-5.3 s.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/boltkv/bolt"
	bbolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

var (
	file    = flag.String("file", "/tmp/etcd2/populate/etcd.db", "the database file")
	mk      = flag.Bool("make", false, "write the file first (with bbolt)")
	keys    = flag.Int("keys", 1300000, "keys to write with -make")
	runs    = flag.Int("runs", 3, "alternating pairs per measurement")
	cpuprof = flag.String("cpuprofile", "", "write CPU profiles of ten scans here (bbolt) and at this name plus .bolt (bolt); needs -runs 2 or more")
	mmapSz  = flag.Int("mmapsize", 10<<30, "InitialMmapSize, as etcd's default 10 GiB")
	only    = flag.String("only", "", "raw: only the variants whose names contain one of these comma-separated strings")
)

var bucket = []byte("key")

func main() {
	flag.Parse()
	if *mk {
		if err := makeFile(*file, *keys); err != nil {
			log.Fatal(err)
		}
	}
	for _, what := range flag.Args() {
		switch what {
		case "open":
			measureOpen()
		case "scan":
			measureScan()
		case "raw":
			measureRaw()
		default:
			log.Fatalf("unknown measurement %q (open, scan, raw)", what)
		}
	}
}

// revKey is etcd's revision key: main revision, '_', sub revision.
func revKey(b []byte, main, sub int64) []byte {
	b = b[:0]
	b = binary.BigEndian.AppendUint64(b, uint64(main))
	b = append(b, '_')
	return binary.BigEndian.AppendUint64(b, uint64(sub))
}

func makeFile(path string, n int) error {
	_ = os.Remove(path)
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{NoSync: true, NoFreelistSync: true})
	if err != nil {
		return err
	}
	defer db.Close()
	val := bytes.Repeat([]byte("v"), 1050)
	const chunk = 20000
	var k []byte
	for i := 0; i < n; i += chunk {
		err := db.Update(func(tx *bbolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucket)
			if err != nil {
				return err
			}
			b.FillPercent = 0.9
			for j := i; j < i+chunk && j < n; j++ {
				k = revKey(k, int64(j+2), 0)
				binary.BigEndian.PutUint64(val, uint64(j))
				if err := b.Put(k, val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := db.Sync(); err != nil {
		return err
	}
	st, _ := os.Stat(path)
	log.Printf("wrote %s: %d keys, %d MiB", path, n, st.Size()>>20)
	return nil
}

// evict syncs path and drops it from the page cache; it reports the
// fraction still resident.
func evict(path string) float64 {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		log.Fatal(err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		log.Fatal(err)
	}
	return resident(path)
}

func resident(path string) float64 {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	data, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		log.Fatal(err)
	}
	defer unix.Munmap(data)
	return mincoreFraction(data)
}

func mincoreFraction(data []byte) float64 {
	ps := os.Getpagesize()
	vec := make([]byte, (len(data)+ps-1)/ps)
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&data[0])), uintptr(len(data)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		log.Fatal(e)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return float64(n) / float64(len(vec))
}

type opener struct {
	name string
	open func() (closeFn func() error, err error)
}

var openers = []opener{
	{"bbolt", func() (func() error, error) {
		db, err := bbolt.Open(*file, 0o600, &bbolt.Options{MmapFlags: syscall.MAP_POPULATE, NoFreelistSync: true, InitialMmapSize: *mmapSz})
		if err != nil {
			return nil, err
		}
		return db.Close, nil
	}},
	{"bolt", func() (func() error, error) {
		db, err := bolt.Open(*file, 0o600, &bolt.Options{MmapFlags: syscall.MAP_POPULATE, NoFreelistSync: true, InitialMmapSize: *mmapSz})
		if err != nil {
			return nil, err
		}
		return db.Close, nil
	}},
}

func mibps(d time.Duration) float64 {
	st, _ := os.Stat(*file)
	return float64(st.Size()) / (1 << 20) / d.Seconds()
}

// measureOpen: cold Open with MAP_POPULATE, the engines alternating.
func measureOpen() {
	times := map[string][]time.Duration{}
	for r := 0; r < *runs; r++ {
		order := openers
		if r%2 == 1 {
			order = []opener{openers[1], openers[0]}
		}
		for _, o := range order {
			before := evict(*file)
			t0 := time.Now()
			closeFn, err := o.open()
			d := time.Since(t0)
			if err != nil {
				log.Fatal(o.name, err)
			}
			after := resident(*file)
			if err := closeFn(); err != nil {
				log.Fatal(err)
			}
			times[o.name] = append(times[o.name], d)
			fmt.Printf("open %-5s round %d: %7.3fs %6.0f MiB/s (resident before %.2f%%, after %.2f%%)\n",
				o.name, r, d.Seconds(), mibps(d), 100*before, 100*after)
		}
	}
	report("open", times, true)
}

// report prints medians and the ratio bbolt/bolt (times).
func report(what string, times map[string][]time.Duration, lowerBetter bool) {
	med := func(ds []time.Duration) time.Duration {
		s := append([]time.Duration(nil), ds...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		if len(s)%2 == 0 {
			return (s[len(s)/2-1] + s[len(s)/2]) / 2
		}
		return s[len(s)/2]
	}
	a, b := med(times["bbolt"]), med(times["bolt"])
	fmt.Printf("%s medians: bbolt %.3fs, bolt %.3fs; bolt is %.2fx bbolt's speed\n", what, a.Seconds(), b.Seconds(), a.Seconds()/b.Seconds())
}

// scanChunks reproduces etcd's restore loop over the engine: one read
// transaction, chunks of 10,000 keys found with Seek then Next, the next
// chunk beginning after the last key's revision.
type cursor interface {
	Seek([]byte) ([]byte, []byte)
	Next() ([]byte, []byte)
}

func scanChunks(newCursor func() cursor) (n int, sum int) {
	const chunk = 10000
	min := revKey(nil, 1, 0)
	max := revKey(nil, 1<<62, 1<<62)
	keys := make([][]byte, 0, chunk)
	vals := make([][]byte, 0, chunk)
	for {
		keys, vals = keys[:0], vals[:0]
		c := newCursor()
		for k, v := c.Seek(min); k != nil && bytes.Compare(k, max) < 0; k, v = c.Next() {
			keys = append(keys, k)
			vals = append(vals, v)
			if len(keys) == chunk {
				break
			}
		}
		for _, v := range vals {
			sum += int(v[0])
		}
		n += len(keys)
		if len(keys) < chunk {
			return n, sum
		}
		last := keys[len(keys)-1]
		main := int64(binary.BigEndian.Uint64(last))
		sub := int64(binary.BigEndian.Uint64(last[9:]))
		min = revKey(nil, main, sub+1)
	}
}

func measureScan() {
	// Each engine opens the file as etcd does (writable, MAP_POPULATE, so
	// the scan takes no page faults) in turn: both take its flock.
	times := map[string][]time.Duration{}
	var prof *os.File
	if *cpuprof != "" {
		prof, _ = os.Create(*cpuprof)
	}
	for r := 0; r < 2*(*runs); r++ {
		names := []string{"bbolt", "bolt"}
		if r%2 == 1 {
			names = []string{"bolt", "bbolt"}
		}
		for _, name := range names {
			runtime.GC()
			var d time.Duration
			var n int
			switch name {
			case "bbolt":
				db, err := bbolt.Open(*file, 0o600, &bbolt.Options{NoFreelistSync: true, InitialMmapSize: *mmapSz, MmapFlags: syscall.MAP_POPULATE})
				if err != nil {
					log.Fatal(err)
				}
				tx, _ := db.Begin(false)
				if prof != nil && r == 1 {
					pprof.StartCPUProfile(prof)
				}
				t0 := time.Now()
				for i := 0; i < 1+boolInt(prof != nil && r == 1)*9; i++ {
					n, _ = scanChunks(func() cursor { return tx.Bucket(bucket).Cursor() })
				}
				d = time.Since(t0)
				if prof != nil && r == 1 {
					pprof.StopCPUProfile()
					d /= 10
					prof.Close()
					prof, _ = os.Create(*cpuprof + ".bolt")
				}
				tx.Rollback()
				db.Close()
			case "bolt":
				db, err := bolt.Open(*file, 0o600, &bolt.Options{NoFreelistSync: true, InitialMmapSize: *mmapSz, MmapFlags: syscall.MAP_POPULATE})
				if err != nil {
					log.Fatal(err)
				}
				tx, _ := db.Begin(false)
				if prof != nil && r == 2 {
					pprof.StartCPUProfile(prof)
				}
				t0 := time.Now()
				for i := 0; i < 1+boolInt(prof != nil && r == 2)*9; i++ {
					n, _ = scanChunks(func() cursor { return tx.Bucket(bucket).Cursor() })
				}
				d = time.Since(t0)
				if prof != nil && r == 2 {
					pprof.StopCPUProfile()
					d /= 10
				}
				tx.Rollback()
				db.Close()
			}
			times[name] = append(times[name], d)
			fmt.Printf("scan %-5s: %7.3fs, %d keys, resident %.1f%%\n", name, d.Seconds(), n, 100*resident(*file))
		}
	}
	report("scan (warm)", times, true)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// measureRaw: populating a fresh read-only mapping of the cold file.
func measureRaw() {
	f, err := os.Open(*file)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	size := int(st.Size())
	variants := []struct {
		name string
		fn   func() []byte
	}{
		{"MAP_POPULATE", func() []byte {
			b, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
			if err != nil {
				log.Fatal(err)
			}
			return b
		}},
		{"WILLNEED all, POPULATE_READ all", func() []byte {
			b := mapPlain(f, size)
			madv(b, unix.MADV_WILLNEED)
			madv(b, unix.MADV_POPULATE_READ)
			return b
		}},
		{"chunks 64M: WILLNEED next, POPULATE_READ this", func() []byte { return chunked(f, size, 64<<20, 1) }},
		{"chunks 32M, 4 ahead", func() []byte { return chunked(f, size, 32<<20, 4) }},
		{"chunks 128M, 2 ahead", func() []byte { return chunked(f, size, 128<<20, 2) }},
		{"POPULATE_READ only", func() []byte {
			b := mapPlain(f, size)
			madv(b, unix.MADV_POPULATE_READ)
			return b
		}},
	}
	if *only != "" {
		kept := variants[:0]
		for _, v := range variants {
			for _, w := range strings.Split(*only, ",") {
				if strings.Contains(v.name, w) {
					kept = append(kept, v)
					break
				}
			}
		}
		variants = kept
	}
	times := map[string][]time.Duration{}
	for r := 0; r < *runs; r++ {
		for i := range variants {
			v := variants[(i+r)%len(variants)]
			evict(*file)
			t0 := time.Now()
			b := v.fn()
			d := time.Since(t0)
			frac := mincoreFraction(b)
			unix.Munmap(b)
			times[v.name] = append(times[v.name], d)
			fmt.Printf("raw %-48s %7.3fs %6.0f MiB/s resident %.1f%%\n", v.name, d.Seconds(), mibps(d), 100*frac)
		}
	}
	for _, v := range variants {
		ds := times[v.name]
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		fmt.Printf("raw median %-48s %7.3fs %6.0f MiB/s\n", v.name, ds[len(ds)/2].Seconds(), mibps(ds[len(ds)/2]))
	}
}

func mapPlain(f *os.File, size int) []byte {
	b, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		log.Fatal(err)
	}
	return b
}

func madv(b []byte, advice int) {
	if len(b) == 0 {
		return
	}
	_, _, e := unix.Syscall(unix.SYS_MADVISE, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(advice))
	if e != 0 {
		log.Fatalf("madvise %d: %v", advice, e)
	}
}

func chunked(f *os.File, size, chunk, ahead int) []byte {
	b := mapPlain(f, size)
	part := func(i int) []byte {
		lo := i * chunk
		if lo >= size {
			return nil
		}
		return b[lo:min(size, lo+chunk)]
	}
	n := (size + chunk - 1) / chunk
	for i := 0; i < ahead && i < n; i++ {
		madv(part(i), unix.MADV_WILLNEED)
	}
	for i := 0; i < n; i++ {
		madv(part(i+ahead), unix.MADV_WILLNEED)
		madv(part(i), unix.MADV_POPULATE_READ)
	}
	return b
}
