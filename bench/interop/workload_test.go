package interop_test

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
)

// A workload is generated up front as plain data (phases of transactions of
// operations) while an in-memory model tracks what the database must hold.
// Applying the same workload to both libraries therefore issues exactly the
// same calls in the same order, and the model is the expected state.
//
// Every transaction touches a single chain of buckets (root → a → a/b → …),
// never two sibling buckets: bbolt spills the child buckets of a bucket in Go
// map order, so two materialised siblings would make page ids depend on the
// run. With deletesPerTx == 1 each transaction also unbalances at most one
// node, which keeps rebalancing (bbolt walks unbalanced nodes in map order)
// deterministic; see SPEC §4.2 and §4.3.

type opKind int

const (
	opPut opKind = iota
	opDelete
	opCreateBucket
	opDeleteBucket
	opSetSequence
	opNextSequence
)

func (k opKind) String() string {
	return [...]string{"put", "delete", "create-bucket", "delete-bucket", "set-sequence", "next-sequence"}[k]
}

// op is one call on a bucket. path names the bucket the call is made on; an
// empty path means the transaction itself (bucket creation and deletion at
// the top level only).
type op struct {
	kind opKind
	path []string
	key  []byte
	val  []byte // opPut
	seq  uint64 // opSetSequence: value to set; opNextSequence: expected result
}

// txn is one read-write transaction. A non-zero fill is assigned to the
// FillPercent of every bucket the transaction opens.
type txn struct {
	fill float64
	ops  []op
}

// String summarises the transaction for failure messages, e.g.
// "put×100 on alpha/a1".
func (t txn) String() string {
	var parts []string
	for i := 0; i < len(t.ops); {
		j := i
		for j < len(t.ops) && t.ops[j].kind == t.ops[i].kind && pathString(t.ops[j].path) == pathString(t.ops[i].path) {
			j++
		}
		part := fmt.Sprintf("%s×%d on %s", t.ops[i].kind, j-i, pathString(t.ops[i].path))
		if j-i == 1 && t.ops[i].kind != opPut && t.ops[i].kind != opDelete {
			part = fmt.Sprintf("%s %q on %s", t.ops[i].kind, t.ops[i].key, pathString(t.ops[i].path))
		}
		parts = append(parts, part)
		i = j
	}
	if t.fill != 0 {
		parts = append(parts, fmt.Sprintf("FillPercent %g", t.fill))
	}
	return strings.Join(parts, ", ")
}

type phase struct {
	name string
	txns []txn
}

// mBucket is the model of one bucket.
type mBucket struct {
	kv  map[string][]byte
	sub map[string]*mBucket
	seq uint64
}

func newMBucket() *mBucket {
	return &mBucket{kv: map[string][]byte{}, sub: map[string]*mBucket{}}
}

// keys returns every key of the bucket, values and sub-buckets alike, in
// byte order (the order bolt and bbolt iterate in).
func (b *mBucket) keys() []string {
	ks := make([]string, 0, len(b.kv)+len(b.sub))
	for k := range b.kv {
		ks = append(ks, k)
	}
	for k := range b.sub {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// valueKeys returns the keys holding plain values, sorted.
func (b *mBucket) valueKeys() []string {
	ks := make([]string, 0, len(b.kv))
	for k := range b.kv {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// model is the expected content of a whole database: root.sub holds the
// top-level buckets and root.kv stays empty.
type model struct {
	root *mBucket
}

func newModel() *model { return &model{root: newMBucket()} }

func (m *model) bucket(path []string) *mBucket {
	b := m.root
	for _, name := range path {
		b = b.sub[name]
		if b == nil {
			panic(fmt.Sprintf("model: no bucket %q", pathString(path)))
		}
	}
	return b
}

// bucketPaths lists the path of every bucket, parents before children, in
// key order.
func (m *model) bucketPaths() [][]string {
	var out [][]string
	var walk func(prefix []string, b *mBucket)
	walk = func(prefix []string, b *mBucket) {
		names := make([]string, 0, len(b.sub))
		for name := range b.sub {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			p := append(append([]string(nil), prefix...), name)
			out = append(out, p)
			walk(p, b.sub[name])
		}
	}
	walk(nil, m.root)
	return out
}

// apply records o in the model. It panics on an operation the libraries
// would reject: that is a bug in the generator, not in a library.
func (m *model) apply(o op) {
	b := m.bucket(o.path)
	k := string(o.key)
	switch o.kind {
	case opPut:
		if b.sub[k] != nil {
			panic("model: put over bucket " + k)
		}
		b.kv[k] = o.val
	case opDelete:
		if b.sub[k] != nil {
			panic("model: delete of bucket " + k)
		}
		delete(b.kv, k)
	case opCreateBucket:
		if b.sub[k] != nil || b.kv[k] != nil {
			panic("model: create over existing key " + k)
		}
		b.sub[k] = newMBucket()
	case opDeleteBucket:
		if b.sub[k] == nil {
			panic("model: delete of missing bucket " + k)
		}
		delete(b.sub, k)
	case opSetSequence:
		b.seq = o.seq
	case opNextSequence:
		b.seq++
		if o.seq != b.seq {
			panic("model: next-sequence expectation out of step")
		}
	}
}

func pathString(path []string) string {
	if len(path) == 0 {
		return "<root>"
	}
	return strings.Join(path, "/")
}

// gen builds a workload and its model from one seeded source.
type gen struct {
	rng    *rand.Rand
	m      *model
	phases []phase
}

func newGen(seed int64) *gen {
	return &gen{rng: rand.New(rand.NewSource(seed)), m: newModel()}
}

func (g *gen) begin(name string) { g.phases = append(g.phases, phase{name: name}) }

// tx appends a transaction to the current phase and applies it to the model.
func (g *gen) tx(fill float64, ops ...op) {
	for i := range ops {
		if ops[i].kind == opNextSequence {
			ops[i].seq = g.m.bucket(ops[i].path).seq + 1
		}
		g.m.apply(ops[i])
	}
	p := &g.phases[len(g.phases)-1]
	p.txns = append(p.txns, txn{fill: fill, ops: ops})
}

func (g *gen) bytes(n int) []byte {
	b := make([]byte, n)
	g.rng.Read(b)
	return b
}

// value returns a small value, now and then empty or a few KiB.
func (g *gen) value() []byte {
	switch r := g.rng.Intn(200); {
	case r < 5:
		return []byte{}
	case r < 7:
		return g.bytes(500 + g.rng.Intn(3000))
	default:
		return g.bytes(1 + g.rng.Intn(80))
	}
}

// key returns a fresh key for bucket b: printable hex, now and then with a
// long suffix; binary keys (any byte, 1..16 long) when binary is set.
func (g *gen) key(b *mBucket, binary bool) []byte {
	for {
		var k []byte
		if binary {
			k = g.bytes(1 + g.rng.Intn(16))
		} else {
			k = []byte(fmt.Sprintf("%08x", g.rng.Uint32()))
			if g.rng.Intn(50) == 0 {
				k = append(k, strings.Repeat(string(rune('a'+g.rng.Intn(26))), 100+g.rng.Intn(300))...)
			}
		}
		if _, ok := b.kv[string(k)]; ok {
			continue
		}
		if b.sub[string(k)] != nil {
			continue
		}
		return k
	}
}

func put(path []string, k, v []byte) op { return op{kind: opPut, path: path, key: k, val: v} }
func del(path []string, k []byte) op    { return op{kind: opDelete, path: path, key: k} }
func mkb(path []string, name string) op {
	return op{kind: opCreateBucket, path: path, key: []byte(name)}
}
func rmb(path []string, name string) op {
	return op{kind: opDeleteBucket, path: path, key: []byte(name)}
}
func setseq(path []string, v uint64) op { return op{kind: opSetSequence, path: path, seq: v} }
func nextseq(path []string) op          { return op{kind: opNextSequence, path: path} }

func p(names ...string) []string { return names }

type workloadConfig struct {
	keys         int   // small keys written in the fill phase
	keysPerTx    int   // keys per fill transaction
	deletesPerTx int   // deletes per transaction; 1 keeps rebalancing deterministic
	large        []int // sizes of the large values
}

// dataPaths are the buckets that receive the bulk of the small keys. The
// bucket named "bin" gets binary keys.
var dataPaths = [][]string{
	p("alpha"), p("alpha", "a1"), p("alpha", "a1", "a2"), p("alpha", "a1", "a2", "a3"),
	p("beta"), p("beta", "bin"), p("beta", "bin", "b2"), p("beta", "bin", "b2", "b3"),
	p("gamma"),
}

// mixedWorkload is the main workload: top-level and nested buckets three
// levels deep, tiny inline buckets, many small keys, large values,
// sequences, overwrites, deletion of a third of the keys and of a nested
// bucket with its subtree, and an inline bucket that grows onto pages and
// shrinks back.
func mixedWorkload(seed int64, cfg workloadConfig) *gen {
	g := newGen(seed)

	g.begin("buckets")
	for _, name := range []string{"alpha", "beta", "gamma", "delta", "tiny"} {
		g.tx(0, mkb(nil, name))
	}
	g.tx(0, mkb(p("alpha"), "a1"), mkb(p("alpha", "a1"), "a2"), mkb(p("alpha", "a1", "a2"), "a3"))
	g.tx(0, mkb(p("beta"), "bin"), mkb(p("beta", "bin"), "b2"), mkb(p("beta", "bin", "b2"), "b3"))
	g.tx(0, mkb(p("tiny"), "t0"))
	g.tx(0, mkb(p("tiny"), "t1"), put(p("tiny", "t1"), []byte("one"), []byte("1")))
	g.tx(0, mkb(p("tiny"), "t2"),
		put(p("tiny", "t2"), []byte("a"), []byte{}),
		put(p("tiny", "t2"), []byte("b"), []byte("bee")),
		put(p("tiny", "t2"), []byte("c"), []byte("sea")))
	g.tx(0, mkb(p("alpha", "a1"), "inl"),
		put(p("alpha", "a1", "inl"), []byte("x"), []byte("ex")),
		put(p("alpha", "a1", "inl"), []byte("y"), []byte("why")))
	g.tx(0, mkb(p("alpha", "a1", "inl"), "deep"))

	g.begin("fill")
	for n := 0; n < cfg.keys; {
		path := dataPaths[g.rng.Intn(len(dataPaths))]
		b := g.m.bucket(path)
		binary := path[len(path)-1] == "bin"
		var ops []op
		for i := 0; i < cfg.keysPerTx && n < cfg.keys; i++ {
			ops = append(ops, put(path, g.key(b, binary), g.value()))
			n++
		}
		g.tx(0, ops...)
	}

	g.begin("large")
	for i, size := range cfg.large {
		g.tx(0, put(p("delta"), []byte(fmt.Sprintf("large-%d", i)), g.bytes(size)))
	}
	g.tx(0, put(p("alpha", "a1"), []byte("big"), g.bytes(10<<10)))

	g.begin("sequence")
	g.tx(0, setseq(p("alpha"), 1000))
	g.tx(0, setseq(p("alpha", "a1", "a2"), 1<<40))
	g.tx(0, setseq(p("tiny", "t1"), 7))
	g.tx(0, nextseq(p("beta")), nextseq(p("beta")), nextseq(p("beta")))
	g.tx(0, nextseq(p("gamma")))
	g.tx(0, nextseq(p("alpha", "a1", "inl", "deep")))

	g.begin("overwrite")
	for _, path := range dataPaths {
		b := g.m.bucket(path)
		ks := b.valueKeys()
		var ops []op
		for i := 0; i < len(ks)/10; i++ {
			ops = append(ops, put(path, []byte(ks[g.rng.Intn(len(ks))]), g.value()))
		}
		g.tx(0, ops...)
	}
	if len(cfg.large) > 1 {
		g.tx(0, put(p("delta"), []byte("large-1"), []byte("small now")))
	}

	g.begin("inline-grow")
	for i := 0; i < 3; i++ {
		var ops []op
		for j := 0; j < 100; j++ {
			ops = append(ops, put(p("tiny", "t1"), []byte(fmt.Sprintf("grow-%03d", i*100+j)), g.bytes(20)))
		}
		g.tx(0, ops...)
	}

	g.begin("delete")
	for _, path := range append(dataPaths, p("tiny", "t1")) {
		b := g.m.bucket(path)
		ks := b.valueKeys()
		g.rng.Shuffle(len(ks), func(i, j int) { ks[i], ks[j] = ks[j], ks[i] })
		n := len(ks) / 3
		if path[len(path)-1] == "t1" {
			n = len(ks) - 3 // shrink back to an inline bucket
		}
		for len(ks) > 0 && n > 0 {
			var ops []op
			for i := 0; i < cfg.deletesPerTx && n > 0; i++ {
				ops = append(ops, del(path, []byte(ks[0])))
				ks = ks[1:]
				n--
			}
			g.tx(0, ops...)
		}
	}

	g.begin("delete-bucket")
	g.tx(0, rmb(p("beta", "bin"), "b2"))
	g.tx(0, rmb(p("tiny"), "t2"))
	return g
}

// extraWorkload continues g with what the second library writes into the
// first library's file: puts, deletes, a new nested bucket, a sequence, and
// freeing then reusing overflow pages.
func extraWorkload(g *gen) []phase {
	start := len(g.phases)
	g.begin("extra")

	gamma := g.m.bucket(p("gamma"))
	var ops []op
	for i := 0; i < 100; i++ {
		ops = append(ops, put(p("gamma"), g.key(gamma, false), g.value()))
	}
	g.tx(0, ops...)

	ks := g.m.bucket(p("alpha")).valueKeys()
	ops = nil
	for i := 0; i < 50 && i < len(ks); i++ {
		ops = append(ops, del(p("alpha"), []byte(ks[i*len(ks)/50])))
	}
	g.tx(0, ops...)

	g.tx(0, mkb(nil, "extra"), mkb(p("extra"), "x1"))
	ops = []op{setseq(p("extra"), 42)}
	x1 := newMBucket()
	for i := 0; i < 300; i++ {
		ops = append(ops, put(p("extra", "x1"), g.key(x1, false), g.value()))
	}
	g.tx(0, ops...)

	delta := g.m.bucket(p("delta"))
	for _, k := range delta.valueKeys() {
		if len(delta.kv[k]) > 1<<20 {
			g.tx(0, del(p("delta"), []byte(k)))
		}
	}
	g.tx(0, put(p("extra"), []byte("reuse"), g.bytes(100<<10)))
	return g.phases[start:]
}
