package bolt

import (
	"errors"
)

// Cursor walks the keys of one bucket in order. It is created by
// Bucket.Cursor and valid only for the life of its transaction; moving a
// cursor after the transaction ended panics, as in bbolt.
//
// Keys and values it returns point into the database and are valid only for
// the life of the transaction. Keys that name nested buckets come with a nil
// value.
//
// Changing the bucket while iterating is allowed with care: after Put or
// Delete through the bucket, re-position the cursor (Seek) before moving it.
// Cursor.Delete on a leaf read straight from a page keeps the iteration
// exact; on a leaf already edited in this transaction the next Next skips one
// key, as in bbolt.
//
// When a cursor meets a damaged page it behaves as if the bucket ended
// there, and the transaction remembers the error: ForEach, Commit, View and
// Update return it.
type Cursor struct {
	bucket *Bucket

	// The path from the root to the current element: n levels, the first
	// inlineStack of them in buf, any deeper ones in deep. (A slice over buf
	// would point into the cursor itself, which makes the compiler move
	// every cursor to the heap.)
	n    int
	buf  [inlineStack]elemRef
	deep []elemRef

	// Read-ahead (readahead.go): the leaf the last step of next reached,
	// how many such steps came in a row, how many more to take before
	// looking at the page cache again while it holds what comes next, and
	// the state of a scan's read-ahead, made at its first use.
	raLast Pgid
	raRun  uint32
	raSkip uint32
	ra     *readahead
}

// inlineStack is how deep a tree a cursor walks without allocating: eight
// levels hold far more keys than any file.
const inlineStack = 8

// init points c at b. The library's own cursors are initialized in place on
// the goroutine stack, so Get, Put and Delete do not allocate.
func (c *Cursor) init(b *Bucket) {
	b.tx.stats.IncCursorCount(1)
	c.bucket = b
	c.n = 0
}

// at returns level i of the path.
func (c *Cursor) at(i int) *elemRef {
	if i < inlineStack {
		return &c.buf[i]
	}
	return &c.deep[i-inlineStack]
}

// pushRef appends a level to the path.
func (c *Cursor) pushRef(r elemRef) {
	if c.n < inlineStack {
		c.buf[c.n] = r
	} else if i := c.n - inlineStack; i < len(c.deep) {
		c.deep[i] = r
	} else {
		c.deep = append(c.deep, r)
	}
	c.n++
}

// elemRef is one level of the cursor's path: a page or node, and the index of
// the element the cursor is on.
type elemRef struct {
	page  *page
	node  *node
	index int
	span  int // the byte length of page with its overflow; 0 for a node
}

func (r *elemRef) isLeaf() bool {
	if r.node != nil {
		return r.node.isLeaf
	}
	return r.page.flags == leafPageFlag
}

func (r *elemRef) count() int {
	if r.node != nil {
		return len(r.node.inodes)
	}
	return int(r.page.count)
}

// child is the page id of the element the ref is on, in a branch.
func (r *elemRef) child() Pgid {
	if r.node != nil {
		return r.node.inodes[r.index].pgid
	}
	return r.page.branchElement(r.index).pgid
}

// Bucket returns the bucket the cursor was created from.
func (c *Cursor) Bucket() *Bucket { return c.bucket }

func (c *Cursor) assertOpen() {
	if c.bucket.tx.db == nil {
		panic("assertion failed: tx closed")
	}
}

// First moves to the first key and returns it with its value, or nil, nil if
// the bucket is empty.
func (c *Cursor) First() (key []byte, value []byte) {
	c.assertOpen()
	k, v, flags := c.first()
	return k, valueFor(v, flags)
}

// Last moves to the last key and returns it with its value, or nil, nil if
// the bucket is empty.
func (c *Cursor) Last() (key []byte, value []byte) {
	c.assertOpen()
	c.n = 0
	if !c.push(c.bucket.root, true) {
		return nil, nil
	}
	c.descendLast()
	// Deletes in this transaction may have left trailing leaves empty.
	for c.n > 1 && c.top().count() == 0 {
		c.prev()
	}
	if c.n == 0 {
		return nil, nil
	}
	k, v, flags := c.keyValue()
	return k, valueFor(v, flags)
}

// Next moves to the next key and returns it. At the end it returns nil, nil
// and stays on the last key, so Prev then returns the one before it.
func (c *Cursor) Next() (key []byte, value []byte) {
	c.assertOpen()
	k, v, flags := c.next()
	return k, valueFor(v, flags)
}

// Prev moves to the previous key and returns it. At the start it returns
// nil, nil and stays on the first key, so Next then returns the second.
func (c *Cursor) Prev() (key []byte, value []byte) {
	c.assertOpen()
	k, v, flags := c.prev()
	return k, valueFor(v, flags)
}

// Seek moves to seek, or to the first key after it if it does not exist, and
// returns that key. If no key follows it returns nil, nil, leaving the cursor
// past the end so that Prev returns the last key. A nil or empty seek moves
// to the first key.
func (c *Cursor) Seek(seek []byte) (key []byte, value []byte) {
	c.assertOpen()
	k, v, flags := c.seek(seek)
	if c.n > 0 {
		if ref := c.top(); ref.index >= ref.count() {
			k, v, flags = c.next()
		}
	}
	if k == nil {
		return nil, nil
	}
	return k, valueFor(v, flags)
}

// Delete removes the key the cursor is on. It returns ErrTxClosed,
// ErrTxNotWritable, an error of its own if the cursor was never moved (or
// lost its position on a damaged page), and ErrIncompatibleValue if the key
// names a bucket. A cursor past either end deletes nothing and returns
// nil, as in bbolt.
func (c *Cursor) Delete() error {
	if c.bucket.tx.db == nil {
		return ErrTxClosed
	}
	if !c.bucket.Writable() {
		return ErrTxNotWritable
	}
	// bbolt panics here (an index out of range). It is the caller's slip,
	// not damage: the transaction stays usable.
	if c.n == 0 {
		return errCursorNotPositioned
	}
	key, _, flags := c.keyValue()
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

// errCursorNotPositioned is returned by Cursor.Delete on a cursor that is
// on no element: it was never moved with First, Last or Seek.
var errCursorNotPositioned = errors.New("bolt: cursor is not positioned: call First, Last or Seek before Delete")

func valueFor(v []byte, flags uint32) []byte {
	if flags&bucketLeafFlag != 0 {
		return nil
	}
	return v
}

func (c *Cursor) top() *elemRef { return c.at(c.n - 1) }

// push adds the page or node id to the stack, on its first element or, with
// last, its last one. A damaged page empties the stack, is remembered by the
// transaction, and push reports false.
func (c *Cursor) push(id Pgid, last bool) bool {
	p, n, err := c.bucket.pageNode(id)
	if err == nil && c.n >= maxTreeDepth {
		err = errTooDeep(id)
	}
	if err != nil {
		c.bucket.tx.recordErr(err)
		c.n = 0
		return false
	}
	ref := elemRef{page: p, node: n}
	if p != nil {
		ref.span = c.span(p)
	}
	if last {
		ref.index = ref.count() - 1
	}
	c.pushRef(ref)
	return true
}

func (c *Cursor) first() (key []byte, value []byte, flags uint32) {
	c.n = 0
	if !c.push(c.bucket.root, false) {
		return nil, nil, 0
	}
	if !c.descendFirst() {
		return nil, nil, 0
	}
	// Deletes in this transaction may have left the first leaf empty.
	if c.top().count() == 0 {
		c.next()
	}
	return c.keyValue()
}

// descendFirst goes down to the first leaf under the top of the stack.
func (c *Cursor) descendFirst() bool {
	for {
		ref := c.top()
		if ref.isLeaf() {
			return true
		}
		if ref.count() == 0 {
			c.bucket.tx.recordErr(errEmptyBranch(ref))
			c.n = 0
			return false
		}
		if !c.push(ref.child(), false) {
			c.n = 0
			return false
		}
	}
}

// descendLast goes down to the last leaf under the top of the stack.
func (c *Cursor) descendLast() bool {
	for {
		ref := c.top()
		if ref.isLeaf() {
			return true
		}
		if ref.count() == 0 {
			c.bucket.tx.recordErr(errEmptyBranch(ref))
			c.n = 0
			return false
		}
		if ref.index < 0 || !c.push(ref.child(), true) {
			c.n = 0
			return false
		}
	}
}

func (c *Cursor) next() (key []byte, value []byte, flags uint32) {
	// Most steps stay inside one leaf page: take them without walking the
	// path. A damaged element falls through to the slow path, which meets
	// it again and reports it.
	if c.n > 0 && c.n <= inlineStack {
		if ref := &c.buf[c.n-1]; ref.page != nil && ref.page.flags == leafPageFlag && ref.index+1 < int(ref.page.count) {
			if k, v, flags, ok := ref.page.leafKV(ref.index+1, ref.span); ok {
				ref.index++
				return k, v, flags
			}
		}
	}
	for {
		i := c.n - 1
		for ; i >= 0; i-- {
			if ref := c.at(i); ref.index < ref.count()-1 {
				ref.index++
				break
			}
		}
		// Nothing further: stay on the last element.
		if i == -1 {
			return nil, nil, 0
		}
		from := c.leafID() // the leaf being left is still on top
		c.n = i + 1
		if !c.descendFirst() {
			return nil, nil, 0
		}
		c.stepped(from)
		if c.top().count() == 0 {
			continue
		}
		return c.keyValue()
	}
}

func (c *Cursor) prev() (key []byte, value []byte, flags uint32) {
	for {
		for i := c.n - 1; i >= 0; i-- {
			if ref := c.at(i); ref.index > 0 {
				ref.index--
				break
			}
			// At the very start: stay on the first element.
			if c.n == 1 {
				c.first()
				return nil, nil, 0
			}
			c.n = i
		}
		if c.n == 0 {
			return nil, nil, 0
		}
		if !c.descendLast() {
			return nil, nil, 0
		}
		// Step over leaves emptied by deletes in this transaction, as next
		// does. (bbolt v1.5.0 stops there and returns nil mid-bucket.)
		if c.top().count() == 0 {
			continue
		}
		return c.keyValue()
	}
}

// seek positions the cursor on the first element >= key within the leaf the
// search ends in; the index may be one past that leaf's last element.
func (c *Cursor) seek(key []byte) (k []byte, value []byte, flags uint32) {
	c.n = 0
	id := c.bucket.root
	for {
		if !c.push(id, false) {
			return nil, nil, 0
		}
		ref := c.top()
		if ref.isLeaf() {
			ref.index = c.searchLeaf(ref, key)
			return c.keyValue()
		}
		if ref.count() == 0 {
			c.bucket.tx.recordErr(errEmptyBranch(ref))
			c.n = 0
			return nil, nil, 0
		}
		ref.index = c.searchBranch(ref, key)
		id = ref.child()
	}
}

// searchBranch returns the last element whose key is <= key, or 0.
func (c *Cursor) searchBranch(ref *elemRef, key []byte) int {
	var exact bool
	var i int
	if n := ref.node; n != nil {
		i, exact = n.search(key)
	} else {
		var ok bool
		if i, exact, ok = ref.page.searchBranch(key, ref.span); !ok {
			c.bucket.tx.recordErr(errElement(ref.page, i))
			return 0
		}
	}
	if !exact && i > 0 {
		i--
	}
	return i
}

// searchLeaf returns the first element whose key is >= key.
func (c *Cursor) searchLeaf(ref *elemRef, key []byte) int {
	if n := ref.node; n != nil {
		i, _ := n.search(key)
		return i
	}
	i, ok := ref.page.searchLeaf(key, ref.span)
	if !ok {
		c.bucket.tx.recordErr(errElement(ref.page, i))
		return int(ref.page.count)
	}
	return i
}

// span is the byte length of the logical page p: an inline bucket's image
// is only as long as its value, however short.
func (c *Cursor) span(p *page) int {
	if p == c.bucket.page {
		return c.bucket.pageLen
	}
	return (int(p.overflow) + 1) * c.bucket.tx.pageSize
}

// keyValue returns the element the cursor is on, or nils when it is off the
// end of its leaf, the leaf is empty, or the element is damaged.
func (c *Cursor) keyValue() ([]byte, []byte, uint32) {
	if c.n == 0 {
		return nil, nil, 0
	}
	ref := c.top()
	if ref.count() == 0 || ref.index < 0 || ref.index >= ref.count() {
		return nil, nil, 0
	}
	if ref.node != nil {
		in := &ref.node.inodes[ref.index]
		return in.key, in.value, in.flags
	}
	k, v, flags, ok := ref.page.leafKV(ref.index, ref.span)
	if !ok {
		c.bucket.tx.recordErr(errElement(ref.page, ref.index))
		return nil, nil, 0
	}
	return k, v, flags
}

func errElement(p *page, i int) error {
	return corruptf(p.id, "element %d lies outside the page", i)
}

// node materializes the path to the cursor's leaf and returns the leaf node.
func (c *Cursor) node() (*node, error) {
	if c.n == 0 {
		return nil, c.bucket.tx.internalErr("cursor has no position")
	}
	if ref := c.top(); ref.node != nil && ref.isLeaf() {
		return ref.node, nil
	}
	n := c.at(0).node
	if n == nil {
		var err error
		if n, err = c.bucket.node(c.bucket.root, nil); err != nil {
			return nil, err
		}
	}
	for i := 0; i < c.n-1; i++ {
		var err error
		if n, err = n.childAt(c.at(i).index); err != nil {
			return nil, err
		}
	}
	return n, nil
}
