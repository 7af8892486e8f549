package main

import (
	"github.com/boltkv/bolt"
)

func putCommand() *command {
	return &command{
		name:    "put",
		args:    "<bbolt-file> <bucket> [sub-bucket…] <key> <value>",
		summary: "set the value of a key in an existing (nested) bucket",
		opensDB: true,
		nargs:   minArgs(4),
		setup: func(fs *flagSet) func(*cli, []string) error {
			parseFormat := fs.String("parse-format", "ascii-encoded", "how the key and value arguments are written, one of ascii-encoded|hex")
			return func(c *cli, args []string) error {
				if err := checkParseFormat(*parseFormat); err != nil {
					return err
				}
				key, err := parseBytes(args[len(args)-2], *parseFormat)
				if err != nil {
					return err
				}
				if len(key) == 0 {
					return usagef("key is required: %v", bolt.ErrKeyRequired)
				}
				value, err := parseBytes(args[len(args)-1], *parseFormat)
				if err != nil {
					return err
				}
				return c.update(args[0], func(tx *bolt.Tx) error {
					b, err := findBucket(tx, args[1:len(args)-2])
					if err != nil {
						return err
					}
					return b.Put(key, value)
				})
			}
		},
	}
}

// update runs fn in a read/write transaction on the existing database at
// path.
func (c *cli) update(path string, fn func(tx *bolt.Tx) error) error {
	db, err := c.openWritable(path)
	if err != nil {
		return err
	}
	if err := db.Update(fn); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}
