package main

import (
	"fmt"

	"github.com/boltkv/bolt"
)

func checkCommand() *command {
	return &command{
		name:    "check",
		args:    "<bbolt-file>",
		summary: "verify the integrity of the database",
		help: `Check walks every bucket from the active meta page and verifies that each
page below the high-water mark is either reachable exactly once or free,
that reachable pages are branches or leaves, and that keys are ordered.
Each problem is printed on its own line, then "<n> errors found" (exit
status 1), or "OK".`,
		opensDB: true,
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			fromPage := fs.Uint64("from-page", 0, "check only the tree below this page `id`")
			return func(c *cli, args []string) error {
				db, err := c.openReadOnly(args[0], true)
				if err != nil {
					return err
				}
				defer db.Close()
				opts := []bolt.CheckOption{bolt.WithKVStringer(kvStringer{})}
				if *fromPage != 0 {
					opts = append(opts, bolt.WithPageId(*fromPage))
				}
				return db.View(func(tx *bolt.Tx) error {
					count := 0
					for err := range tx.Check(opts...) {
						fmt.Fprintln(c.stdout, err)
						count++
					}
					if count > 0 {
						fmt.Fprintf(c.stdout, "%d errors found\n", count)
						// The count says it all: no "Error:" line.
						return reportedFailure{}
					}
					fmt.Fprintln(c.stdout, "OK")
					return nil
				})
			}
		},
	}
}
