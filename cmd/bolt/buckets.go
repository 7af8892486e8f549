package main

import (
	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

func bucketsCommand() *command {
	return &command{
		name:    "buckets",
		args:    "<bbolt-file>",
		summary: "print the names of the top-level buckets",
		help:    "Names are printed as raw bytes, one per line.",
		opensDB: true,
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			return func(c *cli, args []string) error {
				db, s, err := c.openOrSalvage(args[0], true)
				if err != nil {
					return err
				}
				if s != nil {
					defer s.Close()
					return s.done(s.each(s.rootBucket(), func(e rawpage.LeafElement) error {
						_, err := c.stdout.Write(append(e.Key, '\n'))
						return err
					}))
				}
				defer db.Close()
				return db.View(func(tx *bolt.Tx) error {
					return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
						_, err := c.stdout.Write(append(name, '\n'))
						return err
					})
				})
			}
		},
	}
}
