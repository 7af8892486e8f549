package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/compacthook"
)

func compactCommand() *command {
	return &command{
		name:    "compact",
		args:    "-o <dst-bbolt-file> <src-bbolt-file>",
		summary: "write a compacted copy of the database",
		help: `Compact walks the source database and copies every bucket, sequence, key
and value into a new database at the destination, packing pages full. The
source is left untouched. On a terminal a progress bar is shown on stderr.`,
		opensDB: true,
		nargs:   exactArgs(1),
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
	src, err := c.open(srcPath, 0o400, bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := c.open(dstPath, fi.Mode(), bolt.Options{NoSync: noSync})
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
	// The library's own Compact, with a progress callback bbolt's API lacks.
	if err := compacthook.Compact(dst, src, txMaxSize, func() { bar.add(1) }); err != nil {
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

// countItems counts what Compact reports progress for: every key, bucket names
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
