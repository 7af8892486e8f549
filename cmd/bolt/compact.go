package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/boltkv/bolt"
)

func compactCommand() *command {
	return &command{
		name:    "compact",
		args:    "-o <dst-bbolt-file> <src-bbolt-file>",
		summary: "write a compacted copy of the database",
		help: `Compact walks the source database and copies every bucket, sequence, key
and value into a new database at the destination, packing pages full. The
source is left untouched. On a terminal a progress bar is shown on stderr.`,
		nargs: exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			output := fs.String("output", "", "destination `file` (must not exist or be empty)")
			fs.alias("o", "output")
			fs.require("output")
			txMaxSize := fs.Int64("tx-max-size", 65536, "commit after this many `bytes` of keys and values")
			noSync := fs.Bool("no-sync", false, "do not sync the destination at each commit")
			return func(c *cli, args []string) error {
				if *output == "" {
					return usagef("output file required")
				}
				return c.compact(args[0], *output, *txMaxSize, *noSync)
			}
		},
	}
}

func (c *cli) compact(srcPath, dstPath string, txMaxSize int64, noSync bool) error {
	fi, err := checkSourceDBPath(srcPath)
	if err != nil {
		return err
	}
	if err := checkNewFile(dstPath); err != nil {
		return err
	}
	src, err := bolt.Open(srcPath, 0o400, &bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := bolt.Open(dstPath, fi.Mode(), &bolt.Options{NoSync: noSync})
	if err != nil {
		return err
	}
	defer dst.Close()

	var bar *progressBar
	if c.terminal(c.stderr) {
		total, err := countItems(src)
		if err != nil {
			return err
		}
		bar = newProgressBar(c.stderr, "compacting", total, c.progressInterval/10)
	}
	if err := compactDB(dst, src, txMaxSize, bar.add); err != nil {
		bar.abort()
		return err
	}
	bar.finish()
	if err := dst.Close(); err != nil {
		return err
	}

	dfi, err := os.Stat(dstPath)
	if err != nil {
		return err
	} else if dfi.Size() == 0 {
		return fmt.Errorf("zero db size")
	}
	fmt.Fprintf(c.stdout, "%d -> %d bytes (gain=%.2fx)\n", fi.Size(), dfi.Size(), float64(fi.Size())/float64(dfi.Size()))
	return nil
}

// checkNewFile refuses to overwrite a file that has content.
func checkNewFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case os.IsNotExist(err):
		return nil
	case err != nil:
		return err
	case fi.Size() > 0:
		return fmt.Errorf("output file %q already exists", path)
	}
	return nil
}

// countItems counts what compactDB visits: every key, bucket names
// included, at every level.
func countItems(db *bolt.DB) (int64, error) {
	var n int64
	err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			n++
			if b != nil {
				n += int64(b.Stats().KeyN)
			}
			return nil
		})
	})
	return n, err
}

// compactDB copies src into dst as bolt.Compact does, with the same
// transaction boundaries and fill percent, so that the result is identical;
// it also reports each item copied to progress. (bolt.Compact has no
// progress hook.)
func compactDB(dst, src *bolt.DB, txMaxSize int64, progress func(int64)) error {
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

	// reserve makes room for an item of n bytes, committing first if the
	// transaction would grow past txMaxSize.
	reserve := func(n int64) error {
		if txMaxSize != 0 && size+n > txMaxSize {
			err := tx.Commit()
			tx = nil
			if err != nil {
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

	// bucketAt resolves a path in the current transaction: a commit makes
	// earlier Bucket values stale.
	bucketAt := func(path [][]byte) *bolt.Bucket {
		b := tx.Bucket(path[0])
		for _, name := range path[1:] {
			if b == nil {
				return nil
			}
			b = b.Bucket(name)
		}
		return b
	}

	var copyBucket func(path [][]byte, from *bolt.Bucket) error
	copyBucket = func(path [][]byte, from *bolt.Bucket) error {
		cur := from.Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			if err := reserve(int64(len(k) + len(v))); err != nil {
				return err
			}
			progress(1)
			parent := bucketAt(path)
			if parent == nil {
				return bolt.ErrBucketNotFound
			}
			if v != nil {
				parent.FillPercent = 1.0
				if err := parent.Put(k, v); err != nil {
					return err
				}
				continue
			}
			child := from.Bucket(k)
			if child == nil {
				return fmt.Errorf("bucket %q vanished while copying", k)
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
		return nil
	}

	err = src.View(func(stx *bolt.Tx) error {
		cur := stx.Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			if v != nil {
				return fmt.Errorf("top-level key %q is not a bucket", k)
			}
			if err := reserve(int64(len(k))); err != nil {
				return err
			}
			progress(1)
			child := stx.Bucket(k)
			if child == nil {
				return fmt.Errorf("bucket %q vanished while copying", k)
			}
			created, err := tx.CreateBucket(k)
			if err != nil {
				return err
			}
			if err := created.SetSequence(child.Sequence()); err != nil {
				return err
			}
			if err := copyBucket([][]byte{k}, child); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = tx.Commit()
	tx = nil
	return err
}

// progressBar draws a one-line progress bar, redrawn in place with \r, at
// most once per interval. A nil *progressBar does nothing.
type progressBar struct {
	w        io.Writer
	label    string
	total    int64
	done     int64
	interval time.Duration
	last     time.Time
}

func newProgressBar(w io.Writer, label string, total int64, interval time.Duration) *progressBar {
	return &progressBar{w: w, label: label, total: total, interval: interval}
}

func (p *progressBar) add(n int64) {
	if p == nil {
		return
	}
	p.done += n
	if now := time.Now(); now.Sub(p.last) >= p.interval {
		p.last = now
		p.draw()
	}
}

func (p *progressBar) draw() {
	const width = 40
	frac := 1.0
	if p.total > 0 {
		frac = min(float64(p.done)/float64(p.total), 1)
	}
	fill := int(frac * width)
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d", p.label, strings.Repeat("#", fill), strings.Repeat(" ", width-fill), int(frac*100), p.done, p.total)
}

// abort ends the bar's line where it is, before an error message.
func (p *progressBar) abort() {
	if p != nil {
		fmt.Fprintln(p.w)
	}
}

// finish draws the bar at its final count and ends its line.
func (p *progressBar) finish() {
	if p == nil {
		return
	}
	p.draw()
	fmt.Fprintln(p.w)
}
