package main

import (
	"fmt"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

func keysCommand() *command {
	return &command{
		name:    "keys",
		args:    "<bbolt-file> <bucket> [sub-bucket…]",
		summary: "print the keys of a (nested) bucket",
		help:    "Keys of the innermost bucket are printed one per line, nested bucket names included.",
		opensDB: true,
		nargs:   minArgs(2),
		setup: func(fs *flagSet) func(*cli, []string) error {
			format := fs.String("format", "auto", "output format, one of "+formatModes)
			fs.alias("f", "format")
			return func(c *cli, args []string) error {
				if err := checkFormat(*format); err != nil {
					return err
				}
				db, s, err := c.openOrSalvage(args[0], false)
				if err != nil {
					return err
				}
				if s != nil {
					defer s.Close()
					b, err := s.find(args[1:])
					if err != nil {
						return s.done(err)
					}
					return s.done(s.each(b, func(e rawpage.LeafElement) error {
						_, err := fmt.Fprintln(c.stdout, formatBytes(e.Key, *format))
						return err
					}))
				}
				defer db.Close()
				return db.View(func(tx *bolt.Tx) error {
					b, err := findBucket(tx, args[1:])
					if err != nil {
						return err
					}
					return b.ForEach(func(k, _ []byte) error {
						_, err := fmt.Fprintln(c.stdout, formatBytes(k, *format))
						return err
					})
				})
			}
		},
	}
}
