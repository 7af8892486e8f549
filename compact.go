package bolt

import "github.com/boltkv/bolt/internal/compacthook"

// The bolt command draws its progress bar through compacthook, so that it
// runs this very compaction rather than a copy of it.
func init() { compacthook.Register(compact) }

// Compact copies every bucket, key and sequence of src into dst, which
// should be empty, rewriting the tree densely (FillPercent 1.0). It commits
// whenever the next item would take the keys and values written in the
// current transaction past txMaxSize bytes (0 means one transaction). Top-
// level buckets are created with CreateBucket, so a bucket dst already has
// fails with ErrBucketExists. It returns the first error met, or the last
// commit's.
func Compact(dst, src *DB, txMaxSize int64) error {
	return compact(dst, src, txMaxSize, nil)
}

// compact is Compact; progress, unless nil, is called after each item (key,
// value or bucket) is copied.
func compact(dst, src *DB, txMaxSize int64, progress func()) error {
	tx, err := dst.Begin(true)
	if err != nil {
		return err
	}
	defer func() {
		if tx != nil {
			_ = tx.Rollback()
		}
	}()
	var size int64

	// next makes room for an item of n bytes, committing first if needed.
	next := func(n int64) error {
		if txMaxSize != 0 && size+n > txMaxSize {
			if err := tx.Commit(); err != nil {
				tx = nil
				return err
			}
			if tx, err = dst.Begin(true); err != nil {
				tx = nil
				return err
			}
			size = 0
		}
		size += n
		return nil
	}

	// bucketAt resolves a path in the current dst transaction; a commit in
	// between makes earlier Bucket values stale.
	bucketAt := func(path [][]byte) *Bucket {
		b := &tx.root
		for _, name := range path {
			if b = b.Bucket(name); b == nil {
				return nil
			}
		}
		return b
	}

	var copyBucket func(path [][]byte, from *Bucket) error
	copyBucket = func(path [][]byte, from *Bucket) error {
		var c Cursor
		c.init(from)
		for k, v, flags := c.first(); k != nil; k, v, flags = c.next() {
			if flags&bucketLeafFlag != 0 {
				v = nil
			}
			if err := next(int64(len(k) + len(v))); err != nil {
				return err
			}
			if progress != nil {
				progress()
			}
			parent := bucketAt(path)
			if parent == nil {
				return ErrBucketNotFound
			}
			if flags&bucketLeafFlag == 0 {
				parent.FillPercent = 1.0
				if err := parent.Put(k, v); err != nil {
					return err
				}
				continue
			}
			child := from.Bucket(k)
			if child == nil {
				return from.tx.err
			}
			created, err := parent.CreateBucket(k)
			if err != nil {
				return err
			}
			if err := created.SetSequence(child.Sequence()); err != nil {
				return err
			}
			if err := copyBucket(append(path[:len(path):len(path)], k), child); err != nil {
				return err
			}
		}
		return from.tx.err
	}

	if err := src.View(func(stx *Tx) error { return copyBucket(nil, &stx.root) }); err != nil {
		return err
	}
	err = tx.Commit()
	tx = nil
	return err
}
