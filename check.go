package bolt

import (
	"bytes"
	"encoding/hex"
	"fmt"
)

// checkConfig holds the options of Tx.Check.
type checkConfig struct {
	kvStringer KVStringer
	pageID     uint64
}

// CheckOption configures Tx.Check.
type CheckOption func(options *checkConfig)

// WithKVStringer sets how Check renders keys and values in its messages;
// the default is HexKVStringer.
func WithKVStringer(kvStringer KVStringer) CheckOption {
	return func(c *checkConfig) { c.kvStringer = kvStringer }
}

// WithPageId limits Check to the subtree rooted at page pageId, including
// the buckets reachable from it, and skips the scan for unreachable pages.
func WithPageId(pageId uint64) CheckOption {
	return func(c *checkConfig) { c.pageID = pageId }
}

// KVStringer renders keys and values in Check's messages.
type KVStringer interface {
	// KeyToString renders a key for a message. The slice is valid only
	// during the call.
	KeyToString([]byte) string
	// ValueToString renders a value for a message. The slice is valid only
	// during the call.
	ValueToString([]byte) string
}

// HexKVStringer returns a KVStringer that hex-encodes keys and values.
func HexKVStringer() KVStringer { return hexKVStringer{} }

type hexKVStringer struct{}

func (hexKVStringer) KeyToString(key []byte) string     { return hex.EncodeToString(key) }
func (hexKVStringer) ValueToString(value []byte) string { return hex.EncodeToString(value) }

// Check verifies the database as this transaction sees it and sends every
// problem found on the returned channel, which is closed when the check
// ends. It checks that every page below the high-water mark is either
// reachable exactly once or free (never both), that reachable pages are
// branches or leaves, and that keys are ordered within and across pages.
// It never panics and always ends, however damaged the file.
//
// The channel is unbuffered: read it to the end (for err := range
// tx.Check()) or the checking goroutine stays blocked. Check may run while
// the transaction is used elsewhere only for reading.
func (tx *Tx) Check(options ...CheckOption) <-chan error {
	cfg := checkConfig{kvStringer: HexKVStringer()}
	for _, o := range options {
		o(&cfg)
	}
	ch := make(chan error)
	go func() {
		defer close(ch)
		defer func() {
			if r := recover(); r != nil {
				ch <- panicked{r}
			}
		}()
		tx.check(cfg, func(err error) { ch <- err })
	}()
	return ch
}

// checkAll runs the whole check and returns every problem.
func (tx *Tx) checkAll() []error {
	var errs []error
	tx.check(checkConfig{kvStringer: HexKVStringer()}, func(err error) { errs = append(errs, err) })
	return errs
}

// checker walks page trees, recording which pages it reached.
type checker struct {
	tx        *Tx
	keyOrder  bool
	kv        KVStringer
	report    func(error)
	freed     map[Pgid]bool
	reachable map[Pgid]bool
	ra        []Pgid // scratch for read-ahead (readahead.go)
}

func (tx *Tx) check(cfg checkConfig, report func(error)) {
	if !tx.writable && tx.db != nil && tx.db.readOnly {
		// Tx.Page needs the free list; a check loads it for good, as
		// bbolt's does.
		if err := tx.db.ensureFreelist(); err != nil {
			report(err)
			return
		}
	}
	free, err := tx.freeIDs()
	if err != nil {
		report(err)
		return
	}
	c := &checker{
		tx:        tx,
		keyOrder:  true,
		kv:        cfg.kvStringer,
		report:    report,
		freed:     make(map[Pgid]bool, len(free)),
		reachable: make(map[Pgid]bool),
	}
	for _, id := range free {
		if c.freed[id] {
			report(fmt.Errorf("page %d: already freed", id))
		}
		c.freed[id] = true
	}
	c.reachable[0], c.reachable[1] = true, true
	if fl := tx.meta.freelist; fl != pgidNoFreelist {
		p, err := tx.page(fl)
		if err != nil {
			report(err)
		} else {
			// The free list must not list its own pages: the next commit
			// could write the new list over the one it is reading.
			for i := Pgid(0); i <= Pgid(p.overflow); i++ {
				c.reachable[fl+i] = true
				if c.freed[fl+i] {
					report(fmt.Errorf("page %d: reachable freed", int(fl+i)))
				}
			}
		}
	}

	if cfg.pageID == 0 {
		c.bucket(tx.meta.root.root, nil)
		for id := Pgid(0); id < tx.meta.pgid; id++ {
			if !c.reachable[id] && !c.freed[id] {
				report(fmt.Errorf("page %d: unreachable unfreed", int(id)))
			}
		}
		return
	}
	if cfg.pageID < 2 || cfg.pageID >= uint64(tx.meta.pgid) {
		report(fmt.Errorf("page ID (%d) out of range [%d, %d)", cfg.pageID, 2, tx.meta.pgid))
		return
	}
	for _, child := range c.tree(Pgid(cfg.pageID), nil) {
		c.bucket(child, nil)
	}
	c.typesUnder(Pgid(cfg.pageID), 0, map[Pgid]bool{})
}

// typesUnder reports every page under id, through branches, that is neither
// a branch nor a leaf: bbolt's check of a single page reports those a second
// time, and its output is matched.
func (c *checker) typesUnder(id Pgid, depth int, seen map[Pgid]bool) {
	if depth > maxTreeDepth || seen[id] || id >= c.tx.meta.pgid {
		return
	}
	seen[id] = true
	p, err := c.tx.page(id)
	if err != nil {
		return
	}
	switch {
	case p.isBranch():
		if p.validate(p.span(c.tx.pageSize), false) != nil {
			return
		}
		for i := 0; i < int(p.count); i++ {
			c.typesUnder(p.branchElement(i).pgid, depth+1, seen)
		}
	case !p.isLeaf():
		c.report(errUnexpectedType(p))
	}
}

func errUnexpectedType(p *page) error {
	return fmt.Errorf("unexpected page type (flags: %x) for pgId:%d", p.flags, p.id)
}

// unreachablePages returns every page id in [2, hwm) that no tree of this
// transaction's snapshot reaches: the free list of a file written without
// one. It fails if the walk meets a damaged page.
func (tx *Tx) unreachablePages() ([]Pgid, error) {
	var first error
	c := &checker{
		tx:        tx,
		report:    func(err error) { first = firstErr(first, err) },
		reachable: map[Pgid]bool{0: true, 1: true},
	}
	c.bucket(tx.meta.root.root, nil)
	if first != nil {
		return nil, first
	}
	var ids []Pgid
	for id := Pgid(2); id < tx.meta.pgid; id++ {
		if !c.reachable[id] {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// bucket checks the tree of a bucket rooted at root and, recursively, every
// bucket stored in it. Inline buckets (root 0) own no pages. Nesting is not
// capped (bbolt writes any depth): a page met twice yields no children, so
// a cycle ends the recursion.
func (c *checker) bucket(root Pgid, stack []Pgid) {
	if root == 0 {
		return
	}
	// Each bucket's messages show the path from its own root, as bbolt's.
	for _, child := range c.tree(root, nil) {
		c.bucket(child, append(stack, root))
	}
}

// tree checks the pages under id and returns the root pages of the
// non-inline buckets stored in its leaves, in key order.
func (c *checker) tree(id Pgid, stack []Pgid) []Pgid {
	var children []Pgid
	c.page(id, nil, nil, stack, &children)
	return children
}

// page checks page id, reached through stack, whose keys must lie in
// [minKey, maxKey) (nil bounds are open), and the pages under it. It
// returns the largest key of its subtree.
func (c *checker) page(id Pgid, minKey, maxKey []byte, stack []Pgid, children *[]Pgid) []byte {
	tx := c.tx
	stack = append(stack[:len(stack):len(stack)], id)
	if len(stack) > maxTreeDepth {
		c.report(errTooDeep(id))
		return nil
	}
	if id >= tx.meta.pgid {
		c.report(fmt.Errorf("page %d: out of bounds: %d (stack: %v)", int(id), int(tx.meta.pgid), stack))
		return nil
	}
	p, err := tx.page(id)
	if err != nil {
		c.report(err)
		return nil
	}
	switch p.flags {
	case branchPageFlag, leafPageFlag, metaPageFlag, freelistPageFlag:
	default:
		c.report(corruptf(id, "has unexpected type/flags: %x", p.flags))
		return nil
	}
	seen := false
	for i := Pgid(0); i <= Pgid(p.overflow); i++ {
		if c.reachable[id+i] {
			c.report(fmt.Errorf("page %d: multiple references (stack: %v)", int(id+i), stack))
			seen = true
		}
		c.reachable[id+i] = true
	}
	// Overflow pages are part of the page: none may be listed free either.
	for i := Pgid(1); i <= Pgid(p.overflow); i++ {
		if c.freed[id+i] {
			c.report(fmt.Errorf("page %d: reachable freed", int(id+i)))
		}
	}
	if c.freed[id] {
		c.report(fmt.Errorf("page %d: reachable freed", int(id)))
	} else if !p.isBranch() && !p.isLeaf() {
		c.report(fmt.Errorf("page %d: invalid type: %s (stack: %v)", int(id), p.typ(), stack))
		if c.keyOrder {
			c.report(errUnexpectedType(p))
		}
		return nil
	}
	if seen {
		return nil
	}
	if err := checkElements(p, tx.pageSize); err != nil {
		c.report(err)
		return nil
	}

	if p.isBranch() {
		var maxInSubtree []byte
		runningMin := minKey
		// Read-ahead: the children now, and while walking a child branch,
		// the children of the next one.
		c.ra = tx.prefetchChildren(p, c.ra)
		first, err := tx.page(p.branchElement(0).pgid)
		branches := err == nil && first.isBranch()
		for i := 0; i < int(p.count); i++ {
			e := p.branchElement(i)
			if branches && i+1 < int(p.count) {
				c.ra = tx.prefetchUnder(p.branchElement(i+1).pgid, c.ra)
			}
			// bbolt names the child page in a branch key's message.
			c.keyInOrder(e.pgid, "branch", i, e.key(), runningMin, maxKey, stack)
			next := maxKey
			if i < int(p.count)-1 {
				next = p.branchElement(i + 1).key()
			}
			maxInSubtree = c.page(e.pgid, e.key(), next, stack, children)
			runningMin = maxInSubtree
		}
		return maxInSubtree
	}

	runningMin := minKey
	for i := 0; i < int(p.count); i++ {
		e := p.leafElement(i)
		c.keyInOrder(id, "leaf", i, e.key(), runningMin, maxKey, stack)
		runningMin = e.key()
		if e.flags&bucketLeafFlag == 0 {
			continue
		}
		v := e.value()
		if len(v) < bucketHeaderSize {
			c.report(corruptf(id, "bucket value %d is %d bytes", i, len(v)))
			continue
		}
		if h := bucketHeaderOf(v); h.root != 0 {
			*children = append(*children, h.root)
		} else if c.keyOrder {
			// Reading an inline bucket validates its image, so Tx.Check
			// reports what a read would meet. (The scan for unreachable
			// pages, which does not check keys, leaves them alone: inline
			// buckets own no pages.)
			if _, err := inlineBucketPage(v); err != nil {
				c.report(fmt.Errorf("page %d: bucket %s: %w", id, c.kv.KeyToString(e.key()), err))
			}
		}
	}
	if p.count > 0 {
		return p.leafElement(int(p.count) - 1).key()
	}
	return nil
}

// keyInOrder reports a key that is not greater than the one before it, or
// not below the next key of the ancestor.
func (c *checker) keyInOrder(id Pgid, typ string, i int, key, prev, maxKey []byte, stack []Pgid) {
	if !c.keyOrder {
		return
	}
	str := c.kv.KeyToString
	if i == 0 && prev != nil && bytes.Compare(prev, key) > 0 {
		c.report(fmt.Errorf("the first key[%d]=(hex)%s on %s page(%d) needs to be >= the key in the ancestor (%s). Stack: %v",
			i, str(key), typ, id, str(prev), stack))
	}
	if i > 0 {
		switch bytes.Compare(prev, key) {
		case 1:
			c.report(fmt.Errorf("key[%d]=(hex)%s on %s page(%d) needs to be > (found <) than previous element (hex)%s. Stack: %v",
				i, str(key), typ, id, str(prev), stack))
		case 0:
			c.report(fmt.Errorf("key[%d]=(hex)%s on %s page(%d) needs to be > (found =) than previous element (hex)%s. Stack: %v",
				i, str(key), typ, id, str(prev), stack))
		}
	}
	if maxKey != nil && bytes.Compare(key, maxKey) >= 0 {
		// The key shown is the previous element's, as bbolt prints it.
		c.report(fmt.Errorf("key[%d]=(hex)%s on %s page(%d) needs to be < than key of the next element in ancestor (hex)%s. Pages stack: %v",
			i, str(key), typ, id, str(prev), stack))
	}
}
