package main

import (
	"fmt"

	"github.com/boltkv/bolt"
)

func getCommand() *command {
	return &command{
		name:    "get",
		args:    "<bbolt-file> <bucket> [sub-bucket…] <key>",
		summary: "print the value of a key in a (nested) bucket",
		opensDB: true,
		nargs:   minArgs(3),
		setup: func(fs *flagSet) func(*cli, []string) error {
			parseFormat := fs.String("parse-format", "ascii-encoded", "how the key argument is written, one of ascii-encoded|hex")
			format := fs.String("format", "auto", "output format, one of "+formatModes)
			return func(c *cli, args []string) error {
				if err := checkParseFormat(*parseFormat); err != nil {
					return err
				}
				if err := checkFormat(*format); err != nil {
					return err
				}
				if args[0] == "" {
					return usagef("path required")
				}
				key, err := parseBytes(args[len(args)-1], *parseFormat)
				if err != nil {
					return err
				}
				if len(key) == 0 {
					return usagef("key is required: %v", bolt.ErrKeyRequired)
				}
				db, err := c.openReadOnly(args[0], false)
				if err != nil {
					return err
				}
				defer db.Close()
				return db.View(func(tx *bolt.Tx) error {
					b, err := findBucket(tx, args[1:len(args)-1])
					if err != nil {
						return err
					}
					v := b.Get(key)
					if v == nil && b.Bucket(key) != nil {
						return fmt.Errorf("key %q is a nested bucket, not a value: list it with \"bolt keys\"", key)
					}
					if v == nil {
						return keyNotFound(key)
					}
					_, err = fmt.Fprintln(c.stdout, formatBytes(v, *format))
					return err
				})
			}
		},
	}
}
