package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

// Salvage of truncated files. A file cut short (a copy that stopped, a
// full disk, truncate(1)) names pages beyond its end, and the library
// refuses to open it. The read-only commands that print data (info,
// buckets, keys, get, export) then read the tree page by page from the
// current meta page, as the page commands do, skip what lies beyond the
// end or does not decode, and print what is left, with a warning on
// stderr; they exit 1 if anything was skipped, so that a script knows its
// copy is incomplete.

// salvager reads the buckets of a truncated file through its pages.
type salvager struct {
	c    *cli
	path string
	pf   *pageFile
	// meta is the meta page whose tree is read.
	meta rawpage.Meta
	// skipped counts the pages (or inline buckets) that could not be read.
	skipped int
}

// openOrSalvage opens path read-only as openReadOnly does, unless the
// file is cut short: then it returns a salvager instead. The check comes
// first because a library open may succeed on such a file by falling back
// to an older meta page whose pages are all there, which would show an
// old state of the data without a word.
func (c *cli) openOrSalvage(path string, freelist bool) (*bolt.DB, *salvager, error) {
	if s := c.salvageTruncated(path); s != nil {
		return nil, s, nil
	}
	db, err := c.openReadOnly(path, freelist)
	return db, nil, err
}

// salvageTruncated returns a salvager for path, after a warning on stderr,
// if its current meta page names pages beyond its end; nil otherwise
// (including when it cannot tell: the normal open then reports why).
func (c *cli) salvageTruncated(path string) *salvager {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	pf, err := openPageFile(path, false)
	if err != nil {
		return nil
	}
	ps := uint64(pf.pageSize)
	need := pf.hwm * ps
	if pf.metaErrs[0] != nil && pf.metaErrs[1] != nil || need/ps != pf.hwm || uint64(pf.size) >= need {
		pf.Close()
		return nil
	}
	fmt.Fprintf(c.stderr, "warning: %s is truncated: %d bytes, its meta page (txid %d) needs %d; reading what is left\n",
		path, pf.size, pf.current.Txid, need)
	s := &salvager{c: c, path: path, pf: pf, meta: pf.current}
	// The last commit usually wrote its root near the end of the file. If
	// the cut took it, the previous transaction's tree may still be there.
	if other := pf.metas[1-pf.activeMeta()]; !s.rootInFile(pf.current) && pf.metaErrs[1-pf.activeMeta()] == nil &&
		other.Txid < pf.current.Txid && s.rootInFile(other) {
		s.meta = other
		fmt.Fprintf(c.stderr, "warning: the root page of txid %d is beyond the end; reading the previous transaction, txid %d\n",
			pf.current.Txid, other.Txid)
	}
	return s
}

func (s *salvager) Close() error { return s.pf.Close() }

// done ends a salvage: an error if anything was skipped. A nil salvager
// (the file opened normally) returns err.
func (s *salvager) done(err error) error {
	if s == nil || s.skipped == 0 {
		return err
	}
	fmt.Fprintf(s.c.stderr, "warning: %d unreadable pages of %s were skipped: the output is incomplete\n", s.skipped, s.path)
	if err != nil {
		return err
	}
	return reportedFailure{}
}

// skip records a page that could not be read.
func (s *salvager) skip(what string, err error) {
	s.skipped++
	fmt.Fprintf(s.c.stderr, "warning: skipped %s: %v\n", what, err)
}

// bucket is a bucket found on the way: its root page, or its inline page
// image when the root is 0.
type bucket struct {
	root     uint64
	inline   []byte
	sequence uint64
}

// rootInFile reports whether the root page m names lies inside the file.
func (s *salvager) rootInFile(m rawpage.Meta) bool {
	ps := uint64(s.pf.pageSize)
	return m.Root < uint64(s.pf.size)/ps
}

// rootBucket is the top level, as the meta page read names it.
func (s *salvager) rootBucket() bucket {
	return bucket{root: s.meta.Root, sequence: s.meta.Sequence}
}

// bucketOf decodes the bucket value v.
func bucketOf(v []byte) (bucket, error) {
	root, seq, err := rawpage.DecodeBucketHeader(v)
	if err != nil {
		return bucket{}, err
	}
	b := bucket{root: root, sequence: seq}
	if root == 0 {
		b.inline = v[rawpage.BucketHeaderSize:]
	}
	return b, nil
}

// each calls fn with every element of b, in key order, skipping what
// cannot be read.
func (s *salvager) each(b bucket, fn func(e rawpage.LeafElement) error) error {
	if b.root == 0 {
		elems, err := rawpage.DecodeLeaf(b.inline)
		if err != nil {
			s.skip("an inline bucket", err)
			return nil
		}
		return eachElement(elems, fn)
	}
	// seen guards against cycles in a damaged tree.
	return s.eachOnPage(b.root, map[uint64]bool{}, fn)
}

func eachElement(elems []rawpage.LeafElement, fn func(e rawpage.LeafElement) error) error {
	for _, e := range elems {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// eachOnPage walks the subtree at page id.
func (s *salvager) eachOnPage(id uint64, seen map[uint64]bool, fn func(e rawpage.LeafElement) error) error {
	if seen[id] {
		s.skip(fmt.Sprintf("page %d", id), errors.New("reached twice: the tree loops"))
		return nil
	}
	seen[id] = true
	h, buf, err := s.pf.readPage(id)
	if err != nil {
		s.skip(fmt.Sprintf("page %d", id), err)
		return nil
	}
	switch h.Flags {
	case rawpage.LeafPageFlag:
		elems, err := rawpage.DecodeLeaf(buf)
		if err != nil {
			s.skip(fmt.Sprintf("page %d", id), err)
			return nil
		}
		return eachElement(elems, fn)
	case rawpage.BranchPageFlag:
		elems, err := rawpage.DecodeBranch(buf)
		if err != nil {
			s.skip(fmt.Sprintf("page %d", id), err)
			return nil
		}
		for _, e := range elems {
			if err := s.eachOnPage(e.Pgid, seen, fn); err != nil {
				return err
			}
		}
		return nil
	}
	s.skip(fmt.Sprintf("page %d", id), fmt.Errorf("a %s page where a branch or leaf belongs", h.Type()))
	return nil
}

// find returns the bucket at names, or bbolt's bucket-not-found error.
func (s *salvager) find(names []string) (bucket, error) {
	b := s.rootBucket()
	for i, name := range names {
		child, found, err := s.child(b, []byte(name))
		if err != nil {
			return bucket{}, err
		}
		if !found {
			return bucket{}, bucketNotFound(names[:i+1])
		}
		b = child
	}
	return b, nil
}

// child returns the bucket named name inside b.
func (s *salvager) child(b bucket, name []byte) (child bucket, found bool, err error) {
	errFound := errors.New("found")
	err = s.each(b, func(e rawpage.LeafElement) error {
		if e.Flags&rawpage.BucketLeafFlag == 0 || !bytes.Equal(e.Key, name) {
			return nil
		}
		if child, err = bucketOf(e.Value); err != nil {
			s.skip(fmt.Sprintf("bucket %q", name), err)
			return nil
		}
		found = true
		return errFound
	})
	if errors.Is(err, errFound) {
		err = nil
	}
	return child, found, err
}

// export writes what is left of the database as exportDB does.
func (s *salvager) export(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var walk func(path [][]byte, b bucket) error
	walk = func(path [][]byte, b bucket) error {
		if err := enc.Encode(bucketLine{Bucket: path, Seq: b.sequence}); err != nil {
			return err
		}
		return s.each(b, func(e rawpage.LeafElement) error {
			if e.Flags&rawpage.BucketLeafFlag == 0 {
				return enc.Encode(pairLine{Bucket: path, Key: e.Key, Value: e.Value})
			}
			child, err := bucketOf(e.Value)
			if err != nil {
				s.skip(fmt.Sprintf("bucket %q", e.Key), err)
				return nil
			}
			return walk(append(path[:len(path):len(path)], e.Key), child)
		})
	}
	err := s.each(s.rootBucket(), func(e rawpage.LeafElement) error {
		if e.Flags&rawpage.BucketLeafFlag == 0 {
			s.skip(fmt.Sprintf("top-level key %q", e.Key), errors.New("not a bucket"))
			return nil
		}
		b, err := bucketOf(e.Value)
		if err != nil {
			s.skip(fmt.Sprintf("bucket %q", e.Key), err)
			return nil
		}
		return walk([][]byte{e.Key}, b)
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}
