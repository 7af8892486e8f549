package main

import (
	"github.com/boltkv/bolt"
)

func deleteCommand() *command {
	return &command{
		name:    "delete",
		args:    "<bbolt-file> <bucket> [sub-bucket…] <key>",
		summary: "delete a key from a (nested) bucket",
		help:    "A missing key is an error. Use delete-bucket to delete a nested bucket.",
		opensDB: true,
		nargs:   minArgs(3),
		setup: func(fs *flagSet) func(*cli, []string) error {
			parseFormat := fs.String("parse-format", "ascii-encoded", "how the key argument is written, one of ascii-encoded|hex")
			return func(c *cli, args []string) error {
				if err := checkParseFormat(*parseFormat); err != nil {
					return err
				}
				key, err := parseBytes(args[len(args)-1], *parseFormat)
				if err != nil {
					return err
				}
				if len(key) == 0 {
					return usagef("key is required: %v", bolt.ErrKeyRequired)
				}
				return c.update(args[0], func(tx *bolt.Tx) error {
					b, err := findBucket(tx, args[1:len(args)-1])
					if err != nil {
						return err
					}
					if k, _ := b.Cursor().Seek(key); k == nil || string(k) != string(key) {
						return keyNotFound(key)
					}
					return b.Delete(key)
				})
			}
		},
	}
}
