package bolt

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// The power-cut test runs a workload through a recordingFile, then rebuilds
// every state the disk could be in had the power failed at any point:
// everything up to a sync is on disk, and of the calls made since, any
// subset may be, a write possibly only in part. Every such image must open
// with plain Open, pass the consistency check, and hold exactly the last
// acknowledged commit or the one in flight; some must then take a commit.
//
// -seed (shared with the other randomized tests) replays a run; the seed is
// logged. -powercut.full runs a workload fifteen times longer, with eight
// times the random images per sync point.

var powercutFull = flag.Bool("powercut.full", false,
	"power-cut test: a much longer workload and more random crash images per sync point")

// crashWriteEvery: one crash image in this many also gets a commit after
// it is opened, and checked again.
const crashWriteEvery = 5

// crashSector is the unit in which a write may be torn: a crash leaves a
// prefix of a write that is a whole number of sectors.
const crashSector = 512

// kvState is the logical content of a database, the model the crash, fault
// and kill tests check against: bucket path -> key -> value. A path joins
// bucket names from the root with "/". Every bucket has an entry, empty or
// not; the root itself holds only buckets.
type kvState map[string]map[string]string

func (s kvState) clone() kvState {
	c := make(kvState, len(s))
	for path, kv := range s {
		m := make(map[string]string, len(kv))
		for k, v := range kv {
			m[k] = v
		}
		c[path] = m
	}
	return c
}

// paths returns the bucket paths, sorted.
func (s kvState) paths() []string {
	ps := make([]string, 0, len(s))
	for p := range s {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// bytes is the total size of the keys and values.
func (s kvState) bytes() int {
	n := 0
	for _, kv := range s {
		for k, v := range kv {
			n += len(k) + len(v)
		}
	}
	return n
}

// diff describes the first differences between s (wanted) and got, or
// returns "" when they are equal.
func (s kvState) diff(got kvState) string {
	var out []string
	add := func(format string, args ...any) {
		if len(out) < 5 {
			out = append(out, fmt.Sprintf(format, args...))
		}
	}
	for _, p := range s.paths() {
		gkv, ok := got[p]
		if !ok {
			add("bucket %q missing", p)
			continue
		}
		for k, v := range s[p] {
			gv, ok := gkv[k]
			switch {
			case !ok:
				add("%s/%q missing", p, k)
			case gv != v:
				add("%s/%q: value of %d bytes, want %d bytes", p, k, len(gv), len(v))
			}
		}
		for k := range gkv {
			if _, ok := s[p][k]; !ok {
				add("%s/%q unexpected", p, k)
			}
		}
	}
	for _, p := range got.paths() {
		if _, ok := s[p]; !ok {
			add("bucket %q unexpected", p)
		}
	}
	return strings.Join(out, "; ")
}

// kvMutation is one change of a workload. Every mutation is defined in any
// state, so that a transaction can be replayed on top of a commit that
// landed although it reported an error:
//   - key set, del unset: create the missing buckets of path, put key=val;
//   - key set, del set: delete key if the bucket exists;
//   - key empty, del unset: create the missing buckets of path;
//   - key empty, del set: delete the bucket path if it exists.
//
// Bucket names and keys are never the same string in one bucket.
type kvMutation struct {
	path []string
	key  string
	val  string
	del  bool
}

// applyTx makes the mutations in tx.
func applyTx(tx *Tx, muts []kvMutation) error {
	for _, m := range muts {
		if err := m.applyTx(tx); err != nil {
			return fmt.Errorf("%v: %w", m, err)
		}
	}
	return nil
}

func (m kvMutation) String() string {
	switch {
	case m.key == "" && m.del:
		return fmt.Sprintf("delete bucket %s", strings.Join(m.path, "/"))
	case m.key == "":
		return fmt.Sprintf("create bucket %s", strings.Join(m.path, "/"))
	case m.del:
		return fmt.Sprintf("delete %s/%q", strings.Join(m.path, "/"), m.key)
	}
	return fmt.Sprintf("put %s/%q (%d bytes)", strings.Join(m.path, "/"), m.key, len(m.val))
}

func (m kvMutation) applyTx(tx *Tx) error {
	if m.del {
		parent := m.path
		if m.key == "" {
			parent = m.path[:len(m.path)-1]
		}
		b := bucketAt(tx, parent)
		switch {
		case b == nil:
			return nil
		case m.key != "":
			return b.Delete([]byte(m.key))
		}
		if err := b.DeleteBucket([]byte(m.path[len(m.path)-1])); err != nil && !errors.Is(err, ErrBucketNotFound) {
			return err
		}
		return nil
	}
	b := &tx.root
	for _, name := range m.path {
		var err error
		if b, err = b.CreateBucketIfNotExists([]byte(name)); err != nil {
			return err
		}
	}
	if m.key == "" {
		return nil
	}
	return b.Put([]byte(m.key), []byte(m.val))
}

// bucketAt returns the bucket at path (the root for an empty path), or nil.
func bucketAt(tx *Tx, path []string) *Bucket {
	b := &tx.root
	for _, name := range path {
		if b = b.Bucket([]byte(name)); b == nil {
			return nil
		}
	}
	return b
}

// apply makes the mutations in s, with the semantics of applyTx.
func (s kvState) apply(muts []kvMutation) {
	for _, m := range muts {
		path := strings.Join(m.path, "/")
		if m.del {
			if m.key != "" {
				delete(s[path], m.key)
				continue
			}
			for p := range s {
				if p == path || strings.HasPrefix(p, path+"/") {
					delete(s, p)
				}
			}
			continue
		}
		for i := 1; i <= len(m.path); i++ {
			if p := strings.Join(m.path[:i], "/"); s[p] == nil {
				s[p] = map[string]string{}
			}
		}
		if m.key != "" {
			s[path][m.key] = m.val
		}
	}
}

// readState returns the content of the database as tx sees it.
func readState(tx *Tx) (kvState, error) {
	s := kvState{}
	var walk func(path string, b *Bucket) error
	walk = func(path string, b *Bucket) error {
		kv := map[string]string{}
		s[path] = kv
		return b.ForEach(func(k, v []byte) error {
			if v != nil {
				kv[string(k)] = string(v)
				return nil
			}
			child := b.Bucket(k)
			if child == nil {
				return fmt.Errorf("%s/%q: nil value but no bucket", path, k)
			}
			return walk(path+"/"+string(k), child)
		})
	}
	err := tx.ForEach(func(name []byte, b *Bucket) error {
		if b == nil {
			return fmt.Errorf("top-level key %q is not a bucket", name)
		}
		return walk(string(name), b)
	})
	if err == nil {
		err = tx.err
	}
	return s, err
}

// checkErr runs the consistency check in tx and joins what it reports.
func checkErr(tx *Tx) error { return errors.Join(tx.checkAll()...) }

// kvWorkload generates the commits of a random workload: puts of small
// values and of values several pages long, overwrites, deletes of keys and
// of whole bucket trees, in buckets nested up to three deep. The live data
// follows a target that rises, falls and rises again, so that the file
// grows across several growth steps and the free list fills and drains.
type kvWorkload struct {
	rng      *rand.Rand
	pageSize int
	commits  int // the length of the workload, for the target
	peak     int // the target at its highest, in bytes
	n        int // commits generated
	ramped   bool
}

func (w *kvWorkload) target() int {
	switch f := float64(w.n) / float64(max(w.commits, 1)); {
	case f < 0.4:
		return w.peak
	case f < 0.7:
		return w.peak / 4
	}
	return w.peak
}

// Kinds of workload mutation, for the weights below.
const (
	wlPutSmall = iota
	wlPutLarge // a value of one to five pages
	wlCreateBucket
	wlDeleteBucket
	wlDeleteKey
	wlKinds
)

// wlWeights weigh the kinds of mutation while the live data first ramps up
// to the peak (when every commit also puts a value of a few pages, so that
// the file crosses growth steps in every run, one commit at a time), then
// while it is below the target (growing) and above it (shrinking).
var wlWeights = [3][wlKinds]int{
	{wlPutSmall: 50, wlPutLarge: 30, wlCreateBucket: 5, wlDeleteBucket: 0, wlDeleteKey: 15},
	{wlPutSmall: 45, wlPutLarge: 15, wlCreateBucket: 5, wlDeleteBucket: 3, wlDeleteKey: 32},
	{wlPutSmall: 20, wlPutLarge: 5, wlCreateBucket: 0, wlDeleteBucket: 10, wlDeleteKey: 65},
}

// next returns the mutations of the next commit, chosen against s, the
// state it starts from.
func (w *kvWorkload) next(s kvState) []kvMutation {
	w.n++
	r := w.rng
	var weights [wlKinds]int
	paths := s.paths()
	count := 1 + r.IntN(8)
	muts := make([]kvMutation, 0, count+1)
	live := s.bytes()
	w.ramped = w.ramped || live >= w.peak
	switch {
	case !w.ramped:
		weights = wlWeights[0]
		muts = append(muts, w.put(paths, w.pageSize+r.IntN(2*w.pageSize)))
		count++
	case live < w.target():
		weights = wlWeights[1]
	default:
		weights = wlWeights[2]
	}
	for len(muts) < count {
		kind, roll := 0, r.IntN(100)
		for ; roll >= weights[kind]; kind++ {
			roll -= weights[kind]
		}
		switch kind {
		case wlPutSmall:
			muts = append(muts, w.put(paths, 8+r.IntN(400)))
		case wlPutLarge:
			muts = append(muts, w.put(paths, w.pageSize+r.IntN(4*w.pageSize)))
		case wlCreateBucket:
			muts = append(muts, kvMutation{path: w.newPath(paths)})
		case wlDeleteBucket:
			if len(paths) > 0 {
				muts = append(muts, kvMutation{path: strings.Split(paths[r.IntN(len(paths))], "/"), del: true})
			}
		case wlDeleteKey:
			if m, ok := w.deleteKey(s, paths); ok {
				muts = append(muts, m)
			}
		}
	}
	return muts
}

// newPath returns a bucket path, existing or not, one to three deep.
func (w *kvWorkload) newPath(paths []string) []string {
	r := w.rng
	var path []string
	if len(paths) > 0 && r.IntN(3) > 0 {
		path = strings.Split(paths[r.IntN(len(paths))], "/")
	}
	if len(path) < 3 && (len(path) == 0 || r.IntN(4) == 0) {
		path = append(slices.Clip(path), "b"+strconv.Itoa(r.IntN(4)))
	}
	return path
}

func (w *kvWorkload) put(paths []string, size int) kvMutation {
	r := w.rng
	val := make([]byte, size)
	for i := range val {
		val[i] = byte(r.Uint32())
	}
	return kvMutation{path: w.newPath(paths), key: fmt.Sprintf("k%03d", r.IntN(80)), val: string(val)}
}

func (w *kvWorkload) deleteKey(s kvState, paths []string) (kvMutation, bool) {
	r := w.rng
	for try := 0; try < 4 && len(paths) > 0; try++ {
		p := paths[r.IntN(len(paths))]
		if len(s[p]) == 0 {
			continue
		}
		keys := make([]string, 0, len(s[p]))
		for k := range s[p] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return kvMutation{path: strings.Split(p, "/"), key: keys[r.IntN(len(keys))], del: true}, true
	}
	return kvMutation{}, false
}

// powercutRun is a recorded workload: the file calls it made and the state
// acknowledged after each commit.
type powercutRun struct {
	ops     []fileOp
	models  []kvState // models[c]: the state after commit c; models[0] is empty
	metaIdx []int     // metaIdx[c]: the index in ops of commit c's meta page write
}

// recordWorkload creates a database through a recordingFile and runs the
// workload on it, each commit tagged with its number. Halfway it closes the
// database and opens it again with reopen, which may write (plain Open
// gives a NoFreelistSync file a freelist page): those writes are tagged as
// part of the next commit, whose content they do not change.
func recordWorkload(t *testing.T, opts, reopen *Options, w *kvWorkload) *powercutRun {
	t.Helper()
	require.LessOrEqual(t, pageHeaderSize+metaSize, crashSector,
		"the expected states assume a torn meta page write holds the whole meta or nothing of it")
	path := filepath.Join(scratchDir(t), "db")
	rec := &recordingFile{}
	db, err := open(path, 0o600, opts, &seams{wrap: rec.wrap})
	require.NoError(t, err)
	w.pageSize = db.pageSize
	state := kvState{}
	run := &powercutRun{models: []kvState{{}}}
	for c := 1; c <= w.commits; c++ {
		muts := w.next(state)
		rec.setTag(c)
		if c == w.commits/2+1 {
			require.NoError(t, db.Close())
			db, err = open(path, 0o600, reopen, &seams{wrap: rec.wrap})
			require.NoError(t, err, "reopen")
		}
		require.NoError(t, db.Update(func(tx *Tx) error { return applyTx(tx, muts) }), "commit %d", c)
		state = state.clone()
		state.apply(muts)
		run.models = append(run.models, state)
	}
	require.NoError(t, db.View(func(tx *Tx) error {
		got, err := readState(tx)
		if err != nil {
			return err
		}
		if d := state.diff(got); d != "" {
			return fmt.Errorf("after the workload: %s", d)
		}
		return checkErr(tx)
	}))
	require.NoError(t, db.Close())
	run.ops = rec.log()

	// Find each commit's meta page write: its last write, one page at page
	// 0 or 1. The expected state of a crash image hinges on it.
	run.metaIdx = make([]int, w.commits+1)
	for i := range run.metaIdx {
		run.metaIdx[i] = -1
	}
	for i, op := range run.ops {
		if op.kind == opWriteAt && op.tag > 0 {
			run.metaIdx[op.tag] = i
		}
	}
	for c := 1; c <= w.commits; c++ {
		i := run.metaIdx[c]
		require.GreaterOrEqual(t, i, 0, "commit %d wrote nothing", c)
		op := run.ops[i]
		require.True(t, (op.off == 0 || op.off == int64(db.pageSize)) && len(op.data) == db.pageSize,
			"commit %d: last write %v is not a meta page", c, op)
		require.True(t, i+1 < len(run.ops) && run.ops[i+1].kind == opDatasync,
			"commit %d: its meta page write is not followed by a sync", c)
	}
	return run
}

// crashSel is one recorded call included in a crash image: all of it, or,
// for a write, its first prefix bytes.
type crashSel struct {
	idx    int
	prefix int // bytes of a write; -1 for all
}

// crashWindow is a sync point and the calls made after it, up to the next.
type crashWindow struct {
	k      int   // the sync point's number; 0 is the start
	synced int   // the index in ops of the sync; -1 at the start
	ops    []int // the indices of the calls before the next sync
}

// windows returns the sync points of the run: the start and every Sync and
// Datasync.
func (run *powercutRun) windows() []crashWindow {
	ws := []crashWindow{{synced: -1}}
	for i, op := range run.ops {
		if op.isSync() {
			ws = append(ws, crashWindow{k: len(ws), synced: i})
		} else {
			w := &ws[len(ws)-1]
			w.ops = append(w.ops, i)
		}
	}
	return ws
}

// crashImage is one crash image: the base of its window plus a selection of
// the window's calls, with the model it must open as.
type crashImage struct {
	sel        []crashSel
	commit     int  // the commit in flight at the crash; 0 while creating the file
	want       int  // commit or commit-1
	writeAfter bool // commit a change after checking the image
	desc       string
}

// crashImages returns the crash images of window w: everything up to and
// including its sync plus, of the calls up to the next sync, none (at the
// start only: elsewhere that is the previous window's "all"); all; all but
// one, for each; the first n, for each n; those before a write and a torn
// prefix of it, at every sc.tearStep bytes, unless the rest of the write
// would leave base as it is; and sc.subsets random selections. Repeated
// selections are left out. base is the image at the sync.
func (run *powercutRun) crashImages(w *crashWindow, base []byte, rng *rand.Rand, sc powercutScale) []crashImage {
	var out []crashImage
	seen := map[string]bool{}
	if w.k > 0 {
		seen[""] = true
	}
	add := func(desc string, sel []crashSel) {
		sig := fmt.Sprint(sel)
		if len(sel) == 0 {
			sig = ""
		}
		if seen[sig] {
			return
		}
		seen[sig] = true
		last := w.synced
		if len(sel) > 0 {
			last = sel[len(sel)-1].idx
		}
		commit, want := run.expect(w.synced, last, sel)
		out = append(out, crashImage{sel: sel, commit: commit, want: want,
			writeAfter: len(out)%crashWriteEvery == 0,
			desc:       fmt.Sprintf("crash after sync point %d (op %d), then %s", w.k, w.synced, desc)})
	}
	all := func(idx []int) []crashSel {
		sel := make([]crashSel, len(idx))
		for i, x := range idx {
			sel[i] = crashSel{x, -1}
		}
		return sel
	}
	add("none", nil)
	add("all", all(w.ops))
	for i, x := range w.ops {
		add(fmt.Sprintf("all but %v (op %d)", run.ops[x], x), all(append(slices.Clone(w.ops[:i]), w.ops[i+1:]...)))
	}
	for i, x := range w.ops {
		op := run.ops[x]
		add(fmt.Sprintf("the calls up to %v (op %d)", op, x), all(w.ops[:i+1]))
		if op.kind != opWriteAt {
			continue
		}
		for p := sc.tearStep; p < len(op.data); p += sc.tearStep {
			if end := op.off + int64(len(op.data)); end <= int64(len(base)) &&
				string(op.data[p:]) == string(base[op.off+int64(p):end]) {
				continue // the rest of the write changes nothing: the image is the one above
			}
			add(fmt.Sprintf("the calls before %v (op %d), and its first %d bytes", op, x, p),
				append(all(w.ops[:i]), crashSel{x, p}))
		}
	}
	for n := 0; n < sc.subsets && len(w.ops) > 1; n++ {
		var sel []crashSel
		for _, x := range w.ops {
			if rng.IntN(2) == 0 {
				continue
			}
			prefix := -1
			if op := run.ops[x]; op.kind == opWriteAt && len(op.data) > crashSector && rng.IntN(4) == 0 {
				prefix = (1 + rng.IntN((len(op.data)-1)/crashSector)) * crashSector
			}
			sel = append(sel, crashSel{x, prefix})
		}
		add(fmt.Sprintf("random subset %v", sel), sel)
	}
	return out
}

// expect returns the commit in flight at a crash image, the one whose calls
// it includes last, and which model the image must hold: that commit's if
// its meta page write is in the image, else the one before. A torn meta
// page write counts as included: the meta lies in the page's first sector.
func (run *powercutRun) expect(synced, last int, sel []crashSel) (commit, want int) {
	if last < 0 {
		return 0, 0
	}
	c := run.ops[last].tag
	if c == 0 {
		return 0, 0
	}
	if m := run.metaIdx[c]; m <= synced || slices.ContainsFunc(sel, func(s crashSel) bool { return s.idx == m }) {
		return c, c
	}
	return c, c - 1
}

// span is a byte range [off, end) of a file.
type span struct{ off, end int64 }

// imageFile is a worker's scratch file for crash images. Between checks it
// holds the base image of the current sync point. A check writes the
// selected calls into it and afterwards copies back the base's bytes over
// everything the calls and Open wrote, so that an image costs the size of
// its window, not of the file.
type imageFile struct {
	path    string
	f       *os.File
	applied int // ops[:applied+1] are in the base the file holds
}

func newImageFile(path string) (*imageFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	return &imageFile{path: path, f: f, applied: -1}, nil
}

// opSpan returns the range of a file of n bytes whose bytes op may change.
func opSpan(op fileOp, n int64) span {
	switch op.kind {
	case opWriteAt:
		return span{op.off, op.off + int64(len(op.data))}
	case opTruncate:
		return span{op.size, n}
	}
	return span{}
}

// writeOp applies a recorded call, or a prefix of a write, to the file and
// returns the range whose bytes may now differ from the base of n bytes.
func (im *imageFile) writeOp(op fileOp, n int64) (span, error) {
	var err error
	switch op.kind {
	case opWriteAt:
		_, err = im.f.WriteAt(op.data, op.off)
	case opTruncate:
		err = im.f.Truncate(op.size)
	}
	return opSpan(op, n), err
}

// advance brings the file to the base image that holds ops[:to+1].
func (im *imageFile) advance(ops []fileOp, to int) error {
	for ; im.applied < to; im.applied++ {
		if _, err := im.writeOp(ops[im.applied+1], 0); err != nil {
			return err
		}
	}
	return nil
}

// check builds crash image ci on top of base, checks it, and restores base.
func (im *imageFile) check(run *powercutRun, base []byte, ci crashImage) error {
	var dirty []span
	n := int64(len(base))
	for _, c := range ci.sel {
		op := run.ops[c.idx]
		if c.prefix >= 0 {
			op.data = op.data[:c.prefix]
		}
		sp, err := im.writeOp(op, n)
		if err != nil {
			return err
		}
		dirty = append(dirty, sp)
	}
	opened := &recordingFile{}
	err := checkCrashImage(im.path, ci, run.models, opened)
	for _, op := range opened.log() {
		dirty = append(dirty, opSpan(op, n))
	}
	for _, sp := range dirty {
		if end := min(sp.end, n); sp.off < end {
			if _, werr := im.f.WriteAt(base[sp.off:end], sp.off); werr != nil && err == nil {
				err = werr
			}
		}
	}
	if terr := im.f.Truncate(n); terr != nil && err == nil {
		err = terr
	}
	return err
}

// checkCrashImage opens the image at path with Open's default options, the
// seam only recording what is written, and checks it: it must be
// consistent and hold exactly models[want]. With ci.writeAfter it then
// commits a change, which must go through and leave the file consistent:
// the free list Open made of the image is right.
func checkCrashImage(path string, ci crashImage, models []kvState, rec *recordingFile) error {
	db, err := open(path, 0o600, nil, &seams{wrap: rec.wrap})
	if err != nil {
		return fmt.Errorf("%s: open: %w", ci.desc, err)
	}
	var got kvState
	err = db.View(func(tx *Tx) error {
		if err := checkErr(tx); err != nil {
			return fmt.Errorf("consistency check: %w", err)
		}
		var err error
		got, err = readState(tx)
		return err
	})
	if err == nil && ci.writeAfter {
		err = db.Update(func(tx *Tx) error { return applyTx(tx, crashAfter) })
		if err == nil {
			err = db.View(checkErr)
		}
		if err != nil {
			err = fmt.Errorf("a commit after opening: %w", err)
		}
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", ci.desc, err)
	}
	if d := models[ci.want].diff(got); d != "" {
		for _, other := range []int{ci.want - 1, ci.want + 1} {
			if other >= 0 && other < len(models) && models[other].diff(got) == "" {
				return fmt.Errorf("%s: holds commit %d, want commit %d", ci.desc, other, ci.want)
			}
		}
		return fmt.Errorf("%s: holds neither commit %d nor a neighbour: %s", ci.desc, ci.want, d)
	}
	return nil
}

// crashAfter is the change committed to some crash images after opening
// them: it rewrites the tree's root, allocating from the free list.
var crashAfter = []kvMutation{
	{path: []string{"after"}, key: "k", val: strings.Repeat("v", 5000)},
	{path: []string{"b0"}, del: true},
}

// powercutStats are the figures of one power-cut run.
type powercutStats struct {
	images     int // crash images checked
	syncs      int // sync points, the start included
	truncates  int // commits that grew the file
	inCreation int // images of a crash while the file was created
	inFlight   int // images that must hold the commit in flight
}

// runPowerCut records a workload and checks every crash image of it, each
// window's images shared out among a few goroutines. Failures are reported
// on t from the test goroutine.
func runPowerCut(t *testing.T, opts, reopen *Options, sc powercutScale) powercutStats {
	seed := testSeed(t)
	w := &kvWorkload{rng: rand.New(rand.NewPCG(seed, 1)), commits: sc.commits, peak: 160 << 10}
	run := recordWorkload(t, opts, reopen, w)

	var st powercutStats
	createSyncs := 0
	var size int64
	for _, op := range run.ops {
		switch op.kind {
		case opTruncate:
			st.truncates++
			size = max(size, op.size)
		case opWriteAt:
			size = max(size, op.off+int64(len(op.data)))
		}
		if op.isSync() && op.tag == 0 {
			createSyncs++
		}
	}
	require.Equal(t, 2, createSyncs, "creating the file syncs twice")
	// Growing to 256 KiB crosses the 32, 64 and 128 KiB steps; the ramp of
	// the workload does it a few pages per commit.
	require.GreaterOrEqual(t, size, int64(256<<10), "the workload must grow the file across several growth steps")
	if runtime.GOOS != "windows" { // where mapping the file grows it
		require.GreaterOrEqual(t, st.truncates, 2, "the workload must grow the file in several commits")
	}

	dir := scratchDir(t)
	files := make([]*imageFile, min(runtime.GOMAXPROCS(0), 4))
	for i := range files {
		im, err := newImageFile(filepath.Join(dir, "crash"+strconv.Itoa(i)))
		require.NoError(t, err)
		t.Cleanup(func() { _ = im.f.Close() })
		files[i] = im
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	windows := run.windows()
	st.syncs = len(windows)
	var base []byte
	applied := -1
	var failures []error
	for i := range windows {
		win := &windows[i]
		for ; applied < win.synced; applied++ {
			base = applyFileOp(base, run.ops[applied+1])
		}
		images := run.crashImages(win, base, rng, sc)
		for _, ci := range images {
			st.images++
			if ci.commit == 0 {
				st.inCreation++
			} else if ci.want == ci.commit {
				st.inFlight++
			}
		}
		errs := make([][]error, len(files))
		var wg sync.WaitGroup
		for wi, im := range files {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := im.advance(run.ops, win.synced); err != nil {
					errs[wi] = append(errs[wi], err)
					return
				}
				for j := wi; j < len(images); j += len(files) {
					if err := im.check(run, base, images[j]); err != nil {
						errs[wi] = append(errs[wi], err)
					}
				}
			}()
		}
		wg.Wait()
		for _, e := range errs {
			failures = append(failures, e...)
		}
		if len(failures) >= 20 {
			break
		}
	}
	for i, err := range failures {
		if i < 20 {
			t.Error(err)
		}
	}
	require.Empty(t, failures, "crash images that failed")

	// The scratch files must have tracked the base exactly, or the images
	// were not the ones described.
	for ; applied < len(run.ops)-1; applied++ {
		base = applyFileOp(base, run.ops[applied+1])
	}
	for _, im := range files {
		require.NoError(t, im.advance(run.ops, len(run.ops)-1))
		got, err := os.ReadFile(im.path)
		require.NoError(t, err)
		require.True(t, string(got) == string(base), "scratch file %s differs from the final image", im.path)
	}
	return st
}

// TestPowerCut_Commit_EveryCrashImage checks every crash image of a workload
// that creates the file, grows it past several growth steps, nests buckets,
// writes values of several pages and churns the free list; its second half
// runs with NoFreelistSync, so its first commit drops the freelist page.
func TestPowerCut_Commit_EveryCrashImage(t *testing.T) {
	st := runPowerCut(t, nil, &Options{NoFreelistSync: true}, powercutSize())
	logPowerCut(t, st)
}

// TestPowerCut_Commit_NoFreelistSync is the same with NoFreelistSync: no
// freelist page is written, and plain Open, which rebuilds the free list and
// writes one, must cope with every crash image. Halfway the workload is
// reopened plainly, so the crash images include those of that Open's
// commit of the free list.
func TestPowerCut_Commit_NoFreelistSync(t *testing.T) {
	sc := powercutSize()
	sc.commits = max(sc.commits/2, 20)
	st := runPowerCut(t, &Options{NoFreelistSync: true}, nil, sc)
	logPowerCut(t, st)
}

// powercutScale sizes a power-cut run.
type powercutScale struct {
	commits  int // of the workload
	subsets  int // random selections per sync point
	tearStep int // writes are torn at every multiple of this
}

// powercutSize returns the scale of the power-cut tests: -short tears
// writes at every fourth sector boundary only.
func powercutSize() powercutScale {
	switch {
	case *powercutFull:
		return powercutScale{commits: 600, subsets: 32, tearStep: crashSector}
	case testing.Short():
		return powercutScale{commits: 20, subsets: 2, tearStep: 4 * crashSector}
	}
	return powercutScale{commits: 40, subsets: 4, tearStep: crashSector}
}

func logPowerCut(t *testing.T, st powercutStats) {
	t.Helper()
	require.Positive(t, st.inCreation, "no crash image inside creation")
	require.Positive(t, st.inFlight, "no crash image holds a commit in flight")
	t.Logf("power-cut: %d images checked (%d sync points, %d file growths, %d inside creation, %d holding the commit in flight)",
		st.images, st.syncs, st.truncates, st.inCreation, st.inFlight)
}
