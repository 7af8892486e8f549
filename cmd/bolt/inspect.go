package main

import (
	"encoding/json"
	"fmt"

	"github.com/boltkv/bolt"
)

func inspectCommand() *command {
	return &command{
		name:    "inspect",
		args:    "<bbolt-file>",
		summary: "print the tree of buckets as JSON",
		help:    "Each bucket is shown with its number of plain keys (keyN) and its nested buckets.",
		opensDB: true,
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			return func(c *cli, args []string) error {
				db, err := c.openReadOnly(args[0], false)
				if err != nil {
					return err
				}
				defer db.Close()
				return db.View(func(tx *bolt.Tx) error {
					out, err := json.MarshalIndent(tx.Inspect(), "", "    ")
					if err != nil {
						return err
					}
					_, err = fmt.Fprintln(c.stdout, string(out))
					return err
				})
			}
		},
	}
}
