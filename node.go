package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
)

// node is the editable, in-memory form of a branch or leaf page. A write
// transaction materializes the nodes on the path of every change (root to
// leaf); Put and Delete edit them; Commit rebalances the ones that shrank,
// splits the ones that grew and writes each to newly allocated pages (copy on
// write), freeing the pages they came from.
//
// Keys and values of a node read from a page point into the mapping; they
// stay valid because the transaction holds its mapping until it ends.
type node struct {
	bucket     *Bucket
	isLeaf     bool
	unbalanced bool // lost an element since it was last rebalanced
	spilled    bool // written to pages during this commit
	key        []byte
	pgid       Pgid // the page it was read from or written to; 0 if none
	parent     *node
	children   []*node // materialized children, for spill
	inodes     []inode
}

// inode is one element of a node: a key with its value (leaf) or child page
// id (branch).
type inode struct {
	flags uint32
	pgid  Pgid
	key   []byte
	value []byte
}

func (n *node) root() *node {
	for n.parent != nil {
		n = n.parent
	}
	return n
}

func (n *node) minKeys() int {
	if n.isLeaf {
		return 1
	}
	return 2
}

// size is the byte size of the page this node would be written to.
func (n *node) size() int {
	sz := pageHeaderSize
	for i := range n.inodes {
		sz += leafElementSize + len(n.inodes[i].key) + len(n.inodes[i].value)
	}
	return sz
}

// sizeLessThan reports whether size() < v, stopping as soon as it is not.
func (n *node) sizeLessThan(v int) bool {
	sz := pageHeaderSize
	for i := range n.inodes {
		sz += leafElementSize + len(n.inodes[i].key) + len(n.inodes[i].value)
		if sz >= v {
			return false
		}
	}
	return true
}

// childAt materializes the child at index of a branch node.
func (n *node) childAt(index int) (*node, error) {
	if n.isLeaf {
		return nil, fmt.Errorf("bolt: childAt(%d) on a leaf node", index)
	}
	return n.bucket.node(n.inodes[index].pgid, n)
}

// search returns the index of the first element whose key is >= key, and
// whether that key equals key. Like the page searches, it settles most
// probes on the first eight key bytes (keyHead).
func (n *node) search(key []byte) (i int, exact bool) {
	head, long := keyHead(key)
	lo, hi := 0, len(n.inodes)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		k := n.inodes[mid].key
		c := 0
		if long && len(k) >= 8 {
			c = compareHeads(binary.BigEndian.Uint64(k), head)
		}
		if c == 0 {
			c = bytes.Compare(k, key)
		}
		if c < 0 {
			lo = mid + 1
		} else {
			exact = exact || c == 0
			hi = mid
		}
	}
	return lo, exact
}

// childIndex is the position of child among n's elements.
func (n *node) childIndex(child *node) int {
	i, _ := n.search(child.key)
	return i
}

// put inserts or replaces the element keyed oldKey, storing it under newKey.
func (n *node) put(oldKey, newKey, value []byte, pgid Pgid, flags uint32) {
	i, exact := n.search(oldKey)
	if !exact {
		n.inodes = append(n.inodes, inode{})
		copy(n.inodes[i+1:], n.inodes[i:])
	}
	in := &n.inodes[i]
	in.flags, in.key, in.value, in.pgid = flags, newKey, value, pgid
}

// del removes the element keyed key, if present, and marks n for rebalance.
func (n *node) del(key []byte) {
	i, exact := n.search(key)
	if !exact {
		return
	}
	n.inodes = append(n.inodes[:i], n.inodes[i+1:]...)
	n.unbalanced = true
}

// read fills n from page p.
func (n *node) read(p *page) {
	n.pgid = p.id
	n.isLeaf = p.flags == leafPageFlag
	// A node is materialized to be changed, most often by a put: leave
	// room for a few, so that the first does not copy every element.
	count := int(p.count)
	n.inodes = make([]inode, count, count+1+count/8)
	if n.isLeaf {
		for i := range n.inodes {
			e := p.leafElement(i)
			in := &n.inodes[i]
			in.flags = e.flags
			in.key = e.key()
			in.value = e.value()
		}
	} else {
		for i := range n.inodes {
			e := p.branchElement(i)
			in := &n.inodes[i]
			in.pgid = e.pgid
			in.key = e.key()
		}
	}
	if len(n.inodes) > 0 {
		n.key = n.inodes[0].key
	} else {
		n.key = nil
	}
}

// write serializes n into buf, which holds at least size() bytes.
func (n *node) write(buf []byte) {
	writeElements(buf, n.isLeaf, n.inodes)
}

// split breaks n into nodes that each fit a page (as far as the minimum of
// keys per page allows), creating a parent when n is the root.
func (n *node) split(pageSize int) []*node {
	var nodes []*node
	cur := n
	for {
		a, b := cur.splitTwo(pageSize)
		nodes = append(nodes, a)
		if b == nil {
			return nodes
		}
		cur = b
	}
}

// splitTwo cuts n in two when it is too big for a page and has enough keys,
// or when one page could not hold it at all; it returns n and the new right
// sibling, or n and nil.
//
// The second reason is the format's own limits, whatever the page size: a
// page holds at most maxNodeElements elements, and each element finds its
// key through a uint32 distance (pos) that must not wrap. bbolt splits on
// bytes only and panics on the first limit (pages of about 1.2 MiB and up
// with small keys) and writes wrapped distances past the second (a leaf of
// more than 4 GiB, e.g. three values of 1.5 GiB); a node is split there even
// below minKeysPerPage elements, down to one element per page.
func (n *node) splitTwo(pageSize int) (*node, *node) {
	small := n.sizeLessThan(pageSize)
	at := len(n.inodes)
	if !small && len(n.inodes) > minKeysPerPage*2 {
		fill := n.bucket.FillPercent
		if fill < minFillPercent {
			fill = minFillPercent
		} else if fill > maxFillPercent {
			fill = maxFillPercent
		}
		at = n.splitIndex(int(float64(pageSize) * fill))
	}
	if !small || len(n.inodes) > maxNodeElements || uint64(pageSize) > maxElementOffset {
		at = n.writablePrefix(at)
	}
	if at >= len(n.inodes) {
		return n, nil
	}

	if n.parent == nil {
		n.parent = &node{bucket: n.bucket, children: []*node{n}}
	}
	next := &node{bucket: n.bucket, isLeaf: n.isLeaf, parent: n.parent}
	n.parent.children = append(n.parent.children, next)
	next.inodes = n.inodes[at:]
	n.inodes = n.inodes[:at:at]
	n.bucket.tx.stats.IncSplit(1)
	return n, next
}

// maxNodeElements is the most elements a page is given: its count field
// has 16 bits, and bbolt refuses to write a node of 0xFFFF elements, so
// that it can rewrite every page bolt writes.
const maxNodeElements = 0xFFFF - 1

// maxElementOffset is the largest distance from an element to its key that
// the element's uint32 pos field holds. It is a variable only so that tests
// can reach the limit without gigabytes of data.
var maxElementOffset uint64 = math.MaxUint32

// writablePrefix returns how many of n's first limit elements one page can
// hold: at most maxNodeElements, and no more than keep every element's pos
// within maxElementOffset. It is at least 1, since one element's pos is
// just the element size.
//
// Element i of a page of m elements lies (m-i)*elementSize bytes before the
// key area and finds its key after the keys and values of elements 0..i-1,
// so its pos is at most m*elementSize plus the bytes of the first m-1 pairs.
func (n *node) writablePrefix(limit int) int {
	limit = min(limit, maxNodeElements)
	var before uint64 // key and value bytes of the elements before i
	for i := 0; i < limit; i++ {
		if uint64(i+1)*uint64(leafElementSize)+before > maxElementOffset {
			return max(i, 1)
		}
		before += uint64(len(n.inodes[i].key)) + uint64(len(n.inodes[i].value))
	}
	return limit
}

// splitIndex is where to cut so the first part stays within threshold bytes
// while keeping at least minKeysPerPage keys on each side.
func (n *node) splitIndex(threshold int) int {
	sz, index := pageHeaderSize, 0
	for i := 0; i < len(n.inodes)-minKeysPerPage; i++ {
		index = i
		elsize := leafElementSize + len(n.inodes[i].key) + len(n.inodes[i].value)
		if i >= minKeysPerPage && sz+elsize > threshold {
			break
		}
		sz += elsize
	}
	return index
}

// spill writes n's subtree to newly allocated pages, children first, and
// records the new page ids in the parents.
func (n *node) spill() error {
	tx := n.bucket.tx
	if n.spilled {
		return nil
	}
	sort.Slice(n.children, func(i, j int) bool {
		return bytes.Compare(n.children[i].inodes[0].key, n.children[j].inodes[0].key) < 0
	})
	// Spilling a child may split it, appending siblings to n.children;
	// those were spilled with it.
	for i := 0; i < len(n.children); i++ {
		if err := n.children[i].spill(); err != nil {
			return err
		}
	}
	n.children = nil

	pageSize := tx.db.pageSize
	for _, part := range n.split(pageSize) {
		if part.pgid > 0 {
			if err := tx.freePage(part.pgid); err != nil {
				return err
			}
			part.pgid = 0
		}
		buf, id, err := tx.allocate((part.size() + pageSize - 1) / pageSize)
		if err != nil {
			return err
		}
		part.pgid = id
		part.write(buf)
		part.spilled = true
		tx.spilled = append(tx.spilled, part)
		if part.parent != nil {
			key := part.key
			if key == nil {
				key = part.inodes[0].key
			}
			part.parent.put(key, part.inodes[0].key, nil, part.pgid, 0)
			part.key = part.inodes[0].key
		}
		tx.stats.IncSpill(1)
	}

	// A root that split has a new parent, which needs a page too.
	if n.parent != nil && n.parent.pgid == 0 {
		n.children = nil
		return n.parent.spill()
	}
	return nil
}

// rebalance merges n into a sibling (or a sibling into n) when deletions left
// it below the fill threshold, and collapses a root with a single child.
func (n *node) rebalance() error {
	if !n.unbalanced {
		return nil
	}
	n.unbalanced = false
	tx := n.bucket.tx
	tx.stats.IncRebalance(1)

	threshold := int(float64(tx.db.pageSize)*n.bucket.FillPercent) / 2
	if n.size() > threshold && len(n.inodes) > n.minKeys() {
		return nil
	}

	if n.parent == nil {
		// A branch root with one child: pull the child up.
		if !n.isLeaf && len(n.inodes) == 1 {
			child, err := n.bucket.node(n.inodes[0].pgid, n)
			if err != nil {
				return err
			}
			n.isLeaf = child.isLeaf
			n.inodes = child.inodes
			n.children = nil
			n.adoptMaterialized(n.inodes)
			child.parent = nil
			delete(n.bucket.nodes, child.pgid)
			if err := child.free(); err != nil {
				return err
			}
		}
		return nil
	}

	if len(n.inodes) == 0 {
		n.parent.del(n.key)
		n.parent.removeChild(n)
		delete(n.bucket.nodes, n.pgid)
		if err := n.free(); err != nil {
			return err
		}
		return n.parent.rebalance()
	}

	if len(n.parent.inodes) <= 1 {
		return corruptf(n.parent.pgid, "branch page with a single child")
	}
	idx := n.parent.childIndex(n)
	if idx == 0 {
		// The first child absorbs its right sibling.
		target, err := n.parent.childAt(1)
		if err != nil {
			return err
		}
		n.adoptMaterialized(target.inodes)
		n.inodes = append(n.inodes, target.inodes...)
		n.parent.del(target.key)
		n.parent.removeChild(target)
		delete(n.bucket.nodes, target.pgid)
		if err := target.free(); err != nil {
			return err
		}
	} else {
		// Any other child is absorbed by its left sibling.
		target, err := n.parent.childAt(idx - 1)
		if err != nil {
			return err
		}
		target.adoptMaterialized(n.inodes)
		target.inodes = append(target.inodes, n.inodes...)
		n.parent.del(n.key)
		n.parent.removeChild(n)
		delete(n.bucket.nodes, n.pgid)
		if err := n.free(); err != nil {
			return err
		}
	}
	return n.parent.rebalance()
}

// adoptMaterialized re-parents to n the materialized nodes of the branch
// elements inodes, which are moving into n.
func (n *node) adoptMaterialized(inodes []inode) {
	if n.isLeaf {
		return
	}
	for _, in := range inodes {
		child, ok := n.bucket.nodes[in.pgid]
		if !ok || child == n {
			continue
		}
		if child.parent != nil && child.parent != n {
			child.parent.removeChild(child)
		}
		if child.parent != n {
			child.parent = n
			n.children = append(n.children, child)
		}
	}
}

func (n *node) removeChild(target *node) {
	for i, child := range n.children {
		if child == target {
			n.children = append(n.children[:i], n.children[i+1:]...)
			return
		}
	}
}

// free releases the page n was read from, if any.
func (n *node) free() error {
	if n.pgid == 0 {
		return nil
	}
	err := n.bucket.tx.freePage(n.pgid)
	n.pgid = 0
	return err
}

// sortedNodes lists the nodes of m by page id, so that commits do the same
// work in the same order every time.
func sortedNodes(m map[Pgid]*node) []*node {
	nodes := make([]*node, 0, len(m))
	for _, n := range m {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].pgid < nodes[j].pgid })
	return nodes
}
