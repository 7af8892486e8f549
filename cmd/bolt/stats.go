package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/boltkv/bolt"
)

func statsCommand() *command {
	return &command{
		name:    "stats",
		args:    "<bbolt-file> [prefix]",
		summary: "print page and key statistics of the top-level buckets",
		help: `Stats sums the statistics of every top-level bucket whose name starts
with prefix (all of them without one), nested buckets included.`,
		opensDB: true,
		nargs:   rangeArgs(1, 2),
		setup: func(fs *flagSet) func(*cli, []string) error {
			return func(c *cli, args []string) error {
				var prefix []byte
				if len(args) > 1 {
					prefix = []byte(args[1])
				}
				db, err := c.openReadOnly(args[0], true)
				if err != nil {
					return err
				}
				defer db.Close()
				return db.View(func(tx *bolt.Tx) error {
					var s bolt.BucketStats
					count := 0
					if err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
						if b != nil && bytes.HasPrefix(name, prefix) {
							s.Add(b.Stats())
							count++
						}
						return nil
					}); err != nil {
						return err
					}
					printStats(c.stdout, count, s)
					return nil
				})
			}
		},
	}
}

// percent computes a share as bbolt's stats command does, in float32.
func percent(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return int(float32(part) * 100.0 / float32(whole))
}

func printStats(w io.Writer, count int, s bolt.BucketStats) {
	fmt.Fprintf(w, "Aggregate statistics for %d buckets\n\n", count)
	fmt.Fprintln(w, "Page count statistics")
	fmt.Fprintf(w, "\tNumber of logical branch pages: %d\n", s.BranchPageN)
	fmt.Fprintf(w, "\tNumber of physical branch overflow pages: %d\n", s.BranchOverflowN)
	fmt.Fprintf(w, "\tNumber of logical leaf pages: %d\n", s.LeafPageN)
	fmt.Fprintf(w, "\tNumber of physical leaf overflow pages: %d\n", s.LeafOverflowN)
	fmt.Fprintln(w, "Tree statistics")
	fmt.Fprintf(w, "\tNumber of keys/value pairs: %d\n", s.KeyN)
	fmt.Fprintf(w, "\tNumber of levels in B+tree: %d\n", s.Depth)
	fmt.Fprintln(w, "Page size utilization")
	fmt.Fprintf(w, "\tBytes allocated for physical branch pages: %d\n", s.BranchAlloc)
	fmt.Fprintf(w, "\tBytes actually used for branch data: %d (%d%%)\n", s.BranchInuse, percent(s.BranchInuse, s.BranchAlloc))
	fmt.Fprintf(w, "\tBytes allocated for physical leaf pages: %d\n", s.LeafAlloc)
	fmt.Fprintf(w, "\tBytes actually used for leaf data: %d (%d%%)\n", s.LeafInuse, percent(s.LeafInuse, s.LeafAlloc))
	fmt.Fprintln(w, "Bucket statistics")
	fmt.Fprintf(w, "\tTotal number of buckets: %d\n", s.BucketN)
	fmt.Fprintf(w, "\tTotal number on inlined buckets: %d (%d%%)\n", s.InlineBucketN, percent(s.InlineBucketN, s.BucketN))
	fmt.Fprintf(w, "\tBytes used for inlined buckets: %d (%d%%)\n", s.InlineBucketInuse, percent(s.InlineBucketInuse, s.LeafInuse))
}
