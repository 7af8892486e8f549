package bolt

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"

	berrors "github.com/boltkv/bolt/errors"
)

const (
	// MaxKeySize is the largest key Put accepts, in bytes.
	MaxKeySize = 32768

	// MaxValueSize is the largest value Put accepts, in bytes.
	MaxValueSize = (1 << 31) - 2
)

// DefaultFillPercent is the FillPercent a Bucket starts with: pages are split
// when half full.
const DefaultFillPercent = 0.5

// The split threshold clamps FillPercent to this range.
const (
	minFillPercent = 0.1
	maxFillPercent = 1.0
)

// Bucket is a collection of key/value pairs, and of nested buckets, inside
// the database. Keys are unique within a bucket and kept in bytes.Compare
// order.
//
// A Bucket belongs to the transaction that opened it and is valid only for
// its life; like the Tx, it must not be used from several goroutines at once.
// Slices returned by its methods point into the database or the transaction
// and are valid only until the transaction ends; they must not be modified.
type Bucket struct {
	// *bucketHeader points at hdr. It is a pointer, as bbolt's embedded
	// *InBucket is, so that the header's methods (RootPage, String, ...)
	// are in the method set of the Bucket value too. A copied Bucket value
	// shares its header with the original, as in bbolt.
	*bucketHeader
	hdr bucketHeader // root page id (0 for an inline bucket) and sequence

	tx       *Tx
	parent   *Bucket            // the bucket this one was opened from; nil for the root
	buckets  map[string]*Bucket // opened sub-buckets, writable tx only
	page     *page              // the leaf image of an inline bucket
	pageLen  int                // the byte length of that image
	rootNode *node              // materialized root, if any
	nodes    map[Pgid]*node     // materialized nodes, writable tx only

	// FillPercent is how full a page may get before a commit splits it,
	// between 0.1 and 1.0 (values outside are clamped). It is a property of
	// this Bucket value only: it is not stored, and every newly opened
	// Bucket starts at DefaultFillPercent. Set it to 1.0 for append-only
	// loads of increasing keys.
	FillPercent float64
}

// init makes b, in place, a freshly opened bucket of tx with header h. It
// works in place because b's header pointer must point into b itself.
func (b *Bucket) init(tx *Tx, h bucketHeader) {
	*b = Bucket{tx: tx, hdr: h, FillPercent: DefaultFillPercent}
	b.bucketHeader = &b.hdr
	if tx.writable {
		b.buckets = make(map[string]*Bucket)
		b.nodes = make(map[Pgid]*node)
	}
}

// RootPage returns the bucket's root page id, 0 for an inline bucket. It
// exists for code written against bbolt, which promotes it onto Bucket.
func (h *bucketHeader) RootPage() Pgid { return h.root }

// SetRootPage sets the bucket's root page id without any check. It exists
// for code written against bbolt; using it corrupts the database unless you
// know exactly what you are doing.
func (h *bucketHeader) SetRootPage(id Pgid) { h.root = id }

// InSequence returns the bucket's sequence without any check.
func (h *bucketHeader) InSequence() uint64 { return h.sequence }

// SetInSequence sets the bucket's sequence without any check and without
// marking the bucket dirty; use SetSequence instead.
func (h *bucketHeader) SetInSequence(v uint64) { h.sequence = v }

// IncSequence increments the bucket's sequence without any check and without
// marking the bucket dirty; use NextSequence instead.
func (h *bucketHeader) IncSequence() { h.sequence++ }

// String formats the bucket header as bbolt does: "<pgid=ROOT,seq=SEQ>".
func (h *bucketHeader) String() string {
	return fmt.Sprintf("<pgid=%d,seq=%d>", h.root, h.sequence)
}

// Tx returns the transaction the bucket belongs to.
func (b *Bucket) Tx() *Tx { return b.tx }

// Root returns the bucket's root page id; 0 means the bucket is stored inline
// in its parent's leaf.
func (b *Bucket) Root() Pgid { return b.root }

// Writable reports whether the bucket belongs to a writable transaction.
func (b *Bucket) Writable() bool { return b.tx.writable }

// Cursor returns a new cursor over the bucket, valid for the life of the
// transaction. A cursor is not positioned until First, Last or Seek.
func (b *Bucket) Cursor() *Cursor {
	c := new(Cursor)
	c.init(b)
	return c
}

// Bucket returns the nested bucket named name, or nil if there is no such
// key or the key holds a plain value. In a writable transaction repeated
// calls return the same *Bucket.
func (b *Bucket) Bucket(name []byte) *Bucket {
	if b.buckets != nil {
		if child := b.buckets[string(name)]; child != nil {
			return child
		}
	}
	var c Cursor
	c.init(b)
	k, v, flags := c.seek(name)
	if !bytes.Equal(name, k) || flags&bucketLeafFlag == 0 {
		return nil
	}
	child := b.openBucket(name, v)
	if child == nil {
		return nil
	}
	if b.buckets != nil {
		b.buckets[string(name)] = child
	}
	return child
}

// openBucket opens the bucket stored under name (nil when unknown) in b.
func (b *Bucket) openBucket(name, value []byte) *Bucket {
	if len(value) < bucketHeaderSize {
		b.tx.recordErr(fmt.Errorf("%w: bucket value of %d bytes", ErrCorrupt, len(value)))
		return nil
	}
	child := new(Bucket)
	child.init(b.tx, bucketHeaderOf(value))
	child.parent = b
	if child.root != 0 {
		// A bucket whose root is an ancestor's root would nest forever.
		// That is the only way to nest forever: inline buckets own no
		// page but are bounded by the bytes of their value, so on any
		// path of openings every non-inline root is distinct and the
		// nesting is no deeper than the file has pages. No depth cap:
		// bbolt writes and reads any depth.
		for a := b; a != nil; a = a.parent {
			if a.root == child.root {
				b.tx.recordErr(corruptf(child.root, "root of a bucket nested in itself"))
				return nil
			}
		}
		if name != nil && !b.tx.claimRoot(child.root, b.root, name) {
			b.tx.recordErr(corruptf(child.root, "root of bucket %q and of another bucket", name))
			return nil
		}
	}
	if child.root == 0 {
		p, err := inlineBucketPage(value)
		if err != nil {
			b.tx.recordErr(err)
			return nil
		}
		child.page = p
		child.pageLen = len(value) - bucketHeaderSize
	}
	return child
}

// CreateBucket creates the nested bucket key and returns it. The key is
// copied. It returns ErrTxClosed, ErrTxNotWritable, ErrBucketNameRequired for
// an empty key, ErrBucketExists if key is a bucket already and
// ErrIncompatibleValue if key holds a plain value, checked in that order.
func (b *Bucket) CreateBucket(key []byte) (rb *Bucket, err error) {
	if err := b.checkWritable(); err != nil {
		return nil, err
	}
	if len(key) == 0 {
		return nil, ErrBucketNameRequired
	}
	var c Cursor
	c.init(b)
	k, _, flags := c.seek(key)
	if bytes.Equal(key, k) {
		if flags&bucketLeafFlag != 0 {
			return nil, ErrBucketExists
		}
		return nil, ErrIncompatibleValue
	}
	if err := b.tx.err; err != nil {
		return nil, err
	}
	return b.insertBucket(&c, key)
}

// CreateBucketIfNotExists returns the nested bucket key, creating it if it
// does not exist. Errors are those of CreateBucket except ErrBucketExists.
func (b *Bucket) CreateBucketIfNotExists(key []byte) (rb *Bucket, err error) {
	if err := b.checkWritable(); err != nil {
		return nil, err
	}
	if len(key) == 0 {
		return nil, ErrBucketNameRequired
	}
	if child := b.buckets[string(key)]; child != nil {
		return child, nil
	}
	var c Cursor
	c.init(b)
	k, v, flags := c.seek(key)
	if bytes.Equal(key, k) {
		if flags&bucketLeafFlag == 0 {
			return nil, ErrIncompatibleValue
		}
		child := b.openBucket(key, v)
		if child == nil {
			return nil, b.tx.err
		}
		b.buckets[string(key)] = child
		return child, nil
	}
	if err := b.tx.err; err != nil {
		return nil, err
	}
	return b.insertBucket(&c, key)
}

// insertBucket stores an empty inline bucket under key, where c was just
// positioned by a seek for key that did not find it.
func (b *Bucket) insertBucket(c *Cursor, key []byte) (*Bucket, error) {
	empty := Bucket{rootNode: &node{isLeaf: true}}
	empty.bucketHeader = &empty.hdr
	value := empty.inlineValue()
	key = cloneBytes(key)
	n, err := c.node()
	if err != nil {
		return nil, err
	}
	n.put(key, key, value, 0, bucketLeafFlag)
	// A bucket holding a sub-bucket is never inline, so b stops reading
	// from its inline image (its root node is materialized by now).
	b.page = nil
	return b.Bucket(key), nil
}

// DeleteBucket deletes the nested bucket key and everything in it, freeing
// its pages. It returns ErrTxClosed, ErrTxNotWritable, ErrBucketNotFound if
// key does not exist and ErrIncompatibleValue if it holds a plain value.
func (b *Bucket) DeleteBucket(key []byte) (err error) {
	if err := b.checkWritable(); err != nil {
		return err
	}
	var c Cursor
	c.init(b)
	k, _, flags := c.seek(key)
	if !bytes.Equal(key, k) {
		if err := b.tx.err; err != nil {
			return err
		}
		return ErrBucketNotFound
	}
	if flags&bucketLeafFlag == 0 {
		return ErrIncompatibleValue
	}
	child := b.Bucket(key)
	if child == nil {
		return b.tx.err
	}
	// Collect the names first: deleting while a cursor walks a
	// materialized node would shift elements under it and skip some, leaking
	// their pages.
	var names [][]byte
	if err := child.ForEachBucket(func(k []byte) error {
		names = append(names, cloneBytes(k))
		return nil
	}); err != nil {
		return err
	}
	for _, name := range names {
		if err := child.DeleteBucket(name); err != nil {
			return err
		}
	}
	delete(b.buckets, string(key))
	child.nodes = nil
	child.rootNode = nil
	if err := child.free(); err != nil {
		return b.tx.recordErr(err)
	}
	n, err := c.node()
	if err != nil {
		return err
	}
	n.del(key)
	return nil
}

// Get returns the value of key, or nil if key does not exist or names a
// nested bucket. The value is valid only for the life of the transaction and
// must not be modified.
func (b *Bucket) Get(key []byte) []byte {
	var c Cursor
	c.init(b)
	k, v, flags := c.seek(key)
	if flags&bucketLeafFlag != 0 || !bytes.Equal(key, k) {
		return nil
	}
	return v
}

// Put sets key to value, replacing any previous value. The key is copied;
// the value is not, and must stay unmodified until the transaction ends. It
// returns ErrTxClosed, ErrTxNotWritable, ErrKeyRequired, ErrKeyTooLarge,
// ErrValueTooLarge, and ErrIncompatibleValue if key names a bucket, checked
// in that order.
func (b *Bucket) Put(key []byte, value []byte) (err error) {
	if err := b.checkWritable(); err != nil {
		return err
	}
	if len(key) == 0 {
		return ErrKeyRequired
	}
	if len(key) > MaxKeySize {
		return ErrKeyTooLarge
	}
	if int64(len(value)) > MaxValueSize {
		return ErrValueTooLarge
	}
	var c Cursor
	c.init(b)
	k, _, flags := c.seek(key)
	if bytes.Equal(key, k) && flags&bucketLeafFlag != 0 {
		return ErrIncompatibleValue
	}
	if err := b.tx.err; err != nil {
		return err
	}
	key = cloneBytes(key)
	n, err := c.node()
	if err != nil {
		return err
	}
	n.put(key, key, value, 0, 0)
	return nil
}

// Delete removes key. Deleting a missing key is not an error. It returns
// ErrTxClosed, ErrTxNotWritable, and ErrIncompatibleValue if key names a
// bucket.
func (b *Bucket) Delete(key []byte) (err error) {
	if err := b.checkWritable(); err != nil {
		return err
	}
	var c Cursor
	c.init(b)
	k, _, flags := c.seek(key)
	if !bytes.Equal(key, k) {
		return b.tx.err
	}
	if flags&bucketLeafFlag != 0 {
		return ErrIncompatibleValue
	}
	n, err := c.node()
	if err != nil {
		return err
	}
	n.del(key)
	return nil
}

// Sequence returns the bucket's current sequence number.
func (b *Bucket) Sequence() uint64 { return b.sequence }

// SetSequence sets the bucket's sequence number; it is stored at commit even
// if nothing else in the bucket changed. It returns ErrTxClosed or
// ErrTxNotWritable.
func (b *Bucket) SetSequence(v uint64) error {
	if err := b.markDirty(); err != nil {
		return err
	}
	b.sequence = v
	return nil
}

// NextSequence increments the bucket's sequence number and returns the new
// value; the first call on a new bucket returns 1. It returns ErrTxClosed or
// ErrTxNotWritable.
func (b *Bucket) NextSequence() (uint64, error) {
	if err := b.markDirty(); err != nil {
		return 0, err
	}
	b.sequence++
	return b.sequence, nil
}

// markDirty materializes the root node, so that the bucket's header is
// rewritten at commit.
func (b *Bucket) markDirty() error {
	if err := b.checkWritable(); err != nil {
		return err
	}
	if b.rootNode == nil {
		if _, err := b.node(b.root, nil); err != nil {
			return err
		}
	}
	return nil
}

// ForEach calls fn for every key in the bucket, in order; v is nil for keys
// that name nested buckets. The first error fn returns stops the walk and is
// returned. fn must not modify the bucket. It returns ErrTxClosed on a
// finished transaction, and the corruption error if a damaged page was met.
func (b *Bucket) ForEach(fn func(k, v []byte) error) error {
	if b.tx.db == nil {
		return ErrTxClosed
	}
	var c Cursor
	c.init(b)
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return b.tx.err
}

// ForEachBucket calls fn for the name of every nested bucket, in order. Its
// errors are those of ForEach.
func (b *Bucket) ForEachBucket(fn func(k []byte) error) error {
	if b.tx.db == nil {
		return ErrTxClosed
	}
	var c Cursor
	c.init(b)
	for k, _, flags := c.first(); k != nil; k, _, flags = c.next() {
		if flags&bucketLeafFlag == 0 {
			continue
		}
		if err := fn(k); err != nil {
			return err
		}
	}
	return b.tx.err
}

func (b *Bucket) checkWritable() error {
	if b.tx.db == nil {
		return ErrTxClosed
	}
	if !b.tx.writable {
		return ErrTxNotWritable
	}
	return nil
}

// pageNode returns the node materialized for page id, or else the page.
func (b *Bucket) pageNode(id Pgid) (*page, *node, error) {
	if b.root == 0 {
		if id != 0 {
			return nil, nil, corruptf(id, "referred to by an inline bucket")
		}
		if b.rootNode != nil {
			return nil, b.rootNode, nil
		}
		return b.page, nil, nil
	}
	if b.nodes != nil {
		if n, ok := b.nodes[id]; ok {
			return nil, n, nil
		}
	}
	p, err := b.tx.page(id)
	if err != nil {
		return nil, nil, err
	}
	if p.flags != branchPageFlag && p.flags != leafPageFlag {
		return nil, nil, corruptf(id, "has unexpected type/flags: %x", p.flags)
	}
	return p, nil, nil
}

// node materializes the node for page id as a child of parent (nil for the
// root), or returns it if it already is.
func (b *Bucket) node(id Pgid, parent *node) (*node, error) {
	if n, ok := b.nodes[id]; ok {
		return n, nil
	}
	p := b.page
	if p == nil {
		var err error
		if p, err = b.tx.page(id); err != nil {
			return nil, b.tx.recordErr(err)
		}
		if p.flags != branchPageFlag && p.flags != leafPageFlag {
			return nil, b.tx.recordErr(corruptf(id, "has unexpected type/flags: %x", p.flags))
		}
		// A node outlives this read and is rewritten at commit: check every
		// element now rather than at each use.
		if err := checkElements(p, b.tx.pageSize); err != nil {
			return nil, b.tx.recordErr(err)
		}
	}
	n := &node{bucket: b, parent: parent}
	if parent == nil {
		b.rootNode = n
	} else {
		parent.children = append(parent.children, n)
	}
	n.read(p)
	b.nodes[id] = n
	b.tx.stats.IncNodeCount(1)
	return n, nil
}

// rebalance merges the nodes that deletions left underfull, in b and in
// every opened sub-bucket, in page and name order as spill does.
func (b *Bucket) rebalance() error {
	for _, n := range sortedNodes(b.nodes) {
		// A node merged away by an earlier rebalance is no longer listed.
		if b.nodes[n.pgid] != n {
			continue
		}
		if err := n.rebalance(); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(b.buckets)) {
		if err := b.buckets[name].rebalance(); err != nil {
			return err
		}
	}
	return nil
}

// spill writes every changed sub-bucket, then b's own changed nodes, to new
// pages, and stores each sub-bucket's new header (or inline image) in b.
// Sub-buckets spill in name order, not map order, so that the same changes
// allocate the same pages on every run.
func (b *Bucket) spill() error {
	for _, name := range slices.Sorted(maps.Keys(b.buckets)) {
		child := b.buckets[name]
		var value []byte
		if child.inlineable() {
			if err := child.free(); err != nil {
				return err
			}
			value = child.inlineValue()
		} else {
			if err := child.spill(); err != nil {
				return err
			}
			value = make([]byte, bucketHeaderSize)
			putBucketHeader(value, *child.bucketHeader)
		}
		// An untouched child's stored value is still right.
		if child.rootNode == nil {
			continue
		}
		var c Cursor
		c.init(b)
		k, _, flags := c.seek([]byte(name))
		if !bytes.Equal([]byte(name), k) || flags&bucketLeafFlag == 0 {
			return fmt.Errorf("bolt: bucket %q vanished from its parent during commit", name)
		}
		n, err := c.node()
		if err != nil {
			return err
		}
		n.put([]byte(name), []byte(name), value, 0, bucketLeafFlag)
	}
	if b.rootNode == nil {
		return nil
	}
	if err := b.rootNode.spill(); err != nil {
		return err
	}
	b.rootNode = b.rootNode.root()
	if b.rootNode.pgid >= b.tx.meta.pgid {
		return fmt.Errorf("bolt: bucket root %d at or above high-water mark %d", b.rootNode.pgid, b.tx.meta.pgid)
	}
	b.root = b.rootNode.pgid
	return nil
}

// inlineable reports whether b's materialized root is small enough, and
// simple enough, to be stored inside its parent's leaf.
func (b *Bucket) inlineable() bool {
	n := b.rootNode
	if n == nil || !n.isLeaf {
		return false
	}
	size := pageHeaderSize
	for _, in := range n.inodes {
		size += leafElementSize + len(in.key) + len(in.value)
		if in.flags&bucketLeafFlag != 0 || size > b.tx.db.pageSize/4 {
			return false
		}
	}
	return true
}

// inlineValue serializes b as an inline bucket value: header, then page.
func (b *Bucket) inlineValue() []byte {
	n := b.rootNode
	value := make([]byte, bucketHeaderSize+n.size())
	h := *b.bucketHeader
	h.root = 0
	putBucketHeader(value, h)
	n.write(value[bucketHeaderSize:])
	return value
}

// free releases every page of b's own tree (not of its sub-buckets) and
// makes it inline.
func (b *Bucket) free() error {
	if b.root == 0 {
		return nil
	}
	err := b.forEachPageNode(func(p *page, n *node, _ int) error {
		if p != nil {
			return b.tx.db.freelist.free(b.tx.meta.txid, p)
		}
		return n.free()
	})
	b.root = 0
	return err
}

// forEachPageNode calls fn for every page or materialized node of b's tree,
// depth first, with its depth (0 for the root).
func (b *Bucket) forEachPageNode(fn func(*page, *node, int) error) error {
	if b.page != nil {
		return fn(b.page, nil, 0)
	}
	return b.walkPageNode(b.root, 0, fn)
}

func (b *Bucket) walkPageNode(id Pgid, depth int, fn func(*page, *node, int) error) error {
	if depth > maxTreeDepth {
		return fmt.Errorf("%w: bucket tree deeper than %d pages (a cycle?)", ErrCorrupt, maxTreeDepth)
	}
	p, n, err := b.pageNode(id)
	if err != nil {
		return err
	}
	if err := fn(p, n, depth); err != nil {
		return err
	}
	if p != nil {
		if p.isBranch() {
			for i := 0; i < int(p.count); i++ {
				if err := b.walkPageNode(p.branchElement(i).pgid, depth+1, fn); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if !n.isLeaf {
		for _, in := range n.inodes {
			if err := b.walkPageNode(in.pgid, depth+1, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxTreeDepth bounds every walk down a tree: a real tree of 2^64 pages with
// at least two keys per page is at most 64 levels deep, so anything deeper
// is a cycle in a damaged file.
const maxTreeDepth = 64

func cloneBytes(v []byte) []byte {
	c := make([]byte, len(v))
	copy(c, v)
	return c
}

// BucketStats describes the pages of a bucket and of every bucket nested in
// it, as Bucket.Stats computes them.
type BucketStats struct {
	// BranchPageN is the number of logical branch pages.
	BranchPageN int
	// BranchOverflowN is the number of physical branch overflow pages.
	BranchOverflowN int
	// LeafPageN is the number of logical leaf pages.
	LeafPageN int
	// LeafOverflowN is the number of physical leaf overflow pages.
	LeafOverflowN int

	// KeyN is the number of keys, bucket names included.
	KeyN int
	// Depth is the number of levels of the deepest path, through nested
	// buckets.
	Depth int

	// BranchAlloc is the bytes allocated to branch pages.
	BranchAlloc int
	// BranchInuse is the bytes of branch pages in use.
	BranchInuse int
	// LeafAlloc is the bytes allocated to leaf pages.
	LeafAlloc int
	// LeafInuse is the bytes of leaf pages in use.
	LeafInuse int

	// BucketN is the number of buckets, this one included.
	BucketN int
	// InlineBucketN is the number of inline buckets.
	InlineBucketN int
	// InlineBucketInuse is the bytes used by inline buckets.
	InlineBucketInuse int
}

// Add adds other's counts to s; Depth becomes the larger of the two.
func (s *BucketStats) Add(other BucketStats) {
	s.BranchPageN += other.BranchPageN
	s.BranchOverflowN += other.BranchOverflowN
	s.LeafPageN += other.LeafPageN
	s.LeafOverflowN += other.LeafOverflowN
	s.KeyN += other.KeyN
	if s.Depth < other.Depth {
		s.Depth = other.Depth
	}
	s.BranchAlloc += other.BranchAlloc
	s.BranchInuse += other.BranchInuse
	s.LeafAlloc += other.LeafAlloc
	s.LeafInuse += other.LeafInuse
	s.BucketN += other.BucketN
	s.InlineBucketN += other.InlineBucketN
	s.InlineBucketInuse += other.InlineBucketInuse
}

// Stats counts the pages, keys and bytes of the bucket and of every bucket
// nested in it. It reads committed pages: changes made earlier in this
// transaction are not reflected. Damaged pages are skipped and remembered
// by the transaction.
func (b *Bucket) Stats() BucketStats {
	var s, sub BucketStats
	pageSize := b.tx.pageSize
	s.BucketN = 1
	if b.root == 0 {
		s.InlineBucketN = 1
	}
	visit := func(p *page, depth int) error {
		// An inline bucket's image is only as long as its value.
		span := p.span(pageSize)
		if p == b.page {
			span = b.pageLen
		}
		if err := p.validateKeys(span); err != nil {
			return err
		}
		n := int(p.count)
		switch {
		case p.isLeaf():
			s.KeyN += n
			used := pageHeaderSize
			if n > 0 {
				used = int(p.leafElementEnd(n - 1)) // validateKeys bounded it
			}
			if b.root == 0 {
				s.InlineBucketInuse += used
				break
			}
			s.LeafPageN++
			s.LeafInuse += used
			s.LeafOverflowN += int(p.overflow)
			for i := 0; i < n; i++ {
				if e := p.leafElement(i); e.flags&bucketLeafFlag != 0 {
					if child := b.openBucket(e.key(), e.value()); child != nil {
						sub.Add(child.Stats())
					}
				}
			}
		case p.isBranch():
			s.BranchPageN++
			used := pageHeaderSize
			if n > 0 {
				used = int(p.branchElementEnd(n - 1))
			}
			s.BranchInuse += used
			s.BranchOverflowN += int(p.overflow)
		}
		s.Depth = max(s.Depth, depth+1)
		return nil
	}
	var err error
	if b.page != nil {
		err = visit(b.page, 0)
	} else if b.root != 0 {
		err = b.tx.walkPages(b.root, 0, visit)
	}
	if err != nil {
		b.tx.recordErr(err)
	}
	s.BranchAlloc = (s.BranchPageN + s.BranchOverflowN) * pageSize
	s.LeafAlloc = (s.LeafPageN + s.LeafOverflowN) * pageSize
	s.Depth += sub.Depth
	s.Add(sub)
	return s
}

// MoveBucket moves the nested bucket key, with everything in it, from b to
// dstBucket, without copying its pages. Changes made to the bucket earlier
// in the transaction move with it. Checked in this order, it returns
// ErrTxClosed, ErrTxNotWritable, ErrDifferentDB (the buckets belong to
// different databases or different transactions), ErrBucketNotFound,
// ErrIncompatibleValue (key holds a plain value), ErrSameBuckets, and
// ErrBucketExists or ErrIncompatibleValue when dstBucket already has key.
// Moving a bucket into itself or one of its own sub-buckets is refused with
// an error of bolt's own ("bolt: cannot move a bucket into itself or its own
// sub-bucket"), which no exported value names.
func (b *Bucket) MoveBucket(key []byte, dstBucket *Bucket) (err error) {
	if b.tx.db == nil || dstBucket.tx.db == nil {
		return ErrTxClosed
	}
	if !b.Writable() || !dstBucket.Writable() {
		return ErrTxNotWritable
	}
	if b.tx.db.Path() != dstBucket.tx.db.Path() || b.tx != dstBucket.tx {
		return berrors.ErrDifferentDB
	}
	key = cloneBytes(key)
	var c Cursor
	c.init(b)
	k, v, flags := c.seek(key)
	if !bytes.Equal(key, k) {
		if err := b.tx.err; err != nil {
			return err
		}
		return ErrBucketNotFound
	}
	if flags&bucketLeafFlag == 0 {
		return ErrIncompatibleValue
	}
	if b == dstBucket || (b.root == dstBucket.root && b.root != 0) {
		return berrors.ErrSameBuckets
	}
	var dc Cursor
	dc.init(dstBucket)
	k, _, flags = dc.seek(key)
	if bytes.Equal(key, k) {
		if flags&bucketLeafFlag != 0 {
			return ErrBucketExists
		}
		return ErrIncompatibleValue
	}
	child := b.buckets[string(key)]
	if child != nil {
		for p := dstBucket; p != nil; p = p.parent {
			if p == child {
				return errMoveIntoSelf
			}
		}
	}

	src, err := c.node()
	if err != nil {
		return err
	}
	dst, err := dc.node()
	if err != nil {
		return err
	}
	value := cloneBytes(v)
	src.del(key)
	delete(b.buckets, string(key))
	dst.put(key, key, value, 0, bucketLeafFlag)
	if h := bucketHeaderOf(value); h.root != 0 {
		b.tx.moveRoot(h.root, dstBucket.root, key)
	}
	if child != nil {
		// The opened child carries this transaction's changes; the parent
		// that spills it now is dstBucket.
		child.parent = dstBucket
		dstBucket.buckets[string(key)] = child
	}
	return nil
}

// errMoveIntoSelf is returned by MoveBucket when the destination lies inside
// the bucket being moved, which would detach it from the tree.
var errMoveIntoSelf = errors.New("bolt: cannot move a bucket into itself or its own sub-bucket")

// BucketStructure describes a bucket and its nested buckets, as returned
// by Inspect.
type BucketStructure struct {
	// Name is the bucket's key in its parent; "root" for the top level.
	Name string `json:"name"`
	// KeyN counts the bucket's plain keys, not those of nested buckets.
	KeyN int `json:"keyN"`
	// Children are the nested buckets, in key order.
	Children []BucketStructure `json:"buckets,omitempty"`
}

// Inspect returns the tree of nested buckets under b, with the number of
// plain keys in each. The top level is named "root".
func (b *Bucket) Inspect() BucketStructure {
	return b.inspect([]byte("root"))
}

// inspect recurses once per level of nesting; openBucket refuses a
// bucket nested in itself, so it ends.
func (b *Bucket) inspect(name []byte) BucketStructure {
	bs := BucketStructure{Name: string(name)}
	var c Cursor
	c.init(b)
	for k, _, flags := c.first(); k != nil; k, _, flags = c.next() {
		if flags&bucketLeafFlag == 0 {
			bs.KeyN++
			continue
		}
		if child := b.Bucket(k); child != nil {
			bs.Children = append(bs.Children, child.inspect(k))
		}
	}
	return bs
}

// rootOwner names where a bucket's root page was found: the parent bucket's
// root page and the bucket's key.
type rootOwner struct {
	parent Pgid
	name   string
}

// rootClaims maps bucket root pages to their owners. Most transactions open
// a bucket or two: those claims live inline, and a map is made only for
// more, so that a short View does not allocate one.
type rootClaims struct {
	ids    [4]Pgid
	owners [4]rootOwner
	n      int
	more   map[Pgid]rootOwner
}

func (c *rootClaims) get(root Pgid) (rootOwner, bool) {
	for i := range c.n {
		if c.ids[i] == root {
			return c.owners[i], true
		}
	}
	o, ok := c.more[root]
	return o, ok
}

func (c *rootClaims) set(root Pgid, o rootOwner) {
	for i := range c.n {
		if c.ids[i] == root {
			c.owners[i] = o
			return
		}
	}
	if c.n < len(c.ids) {
		c.ids[c.n], c.owners[c.n] = root, o
		c.n++
		return
	}
	if c.more == nil {
		c.more = make(map[Pgid]rootOwner)
	}
	c.more[root] = o
}

// claimRoot records that the bucket rooted at root lives under name in the
// bucket rooted at parent, and reports false if another bucket already
// claimed that root: two buckets sharing a tree is damage, and walking such
// a file would visit the shared tree once per path, exponentially often.
func (tx *Tx) claimRoot(root, parent Pgid, name []byte) bool {
	owner, ok := tx.roots.get(root)
	if !ok {
		tx.roots.set(root, rootOwner{parent: parent, name: string(name)})
		return true
	}
	return owner.parent == parent && owner.name == string(name)
}

// moveRoot records that MoveBucket moved the bucket rooted at root.
func (tx *Tx) moveRoot(root, parent Pgid, name []byte) {
	tx.roots.set(root, rootOwner{parent: parent, name: string(name)})
}
