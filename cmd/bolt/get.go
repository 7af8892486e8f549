package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
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
				db, s, err := c.openOrSalvage(args[0], false)
				if err != nil {
					return err
				}
				if s != nil {
					defer s.Close()
					return s.done(s.get(args[1:len(args)-1], key, c.stdout, *format))
				}
				defer db.Close()
				return db.View(func(tx *bolt.Tx) error {
					b, err := findBucket(tx, args[1:len(args)-1])
					if err != nil {
						return err
					}
					v := b.Get(key)
					if v == nil && b.Bucket(key) != nil {
						return keyIsBucket(key)
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

// keyIsBucket is get's error for a key that names a nested bucket.
func keyIsBucket(key []byte) error {
	return fmt.Errorf("key %q is a nested bucket, not a value: list it with \"bolt keys\"", key)
}

// get prints the value of key in the bucket at names of a truncated file.
func (s *salvager) get(names []string, key []byte, w io.Writer, format string) error {
	b, err := s.find(names)
	if err != nil {
		return err
	}
	errFound := errors.New("found")
	err = s.each(b, func(e rawpage.LeafElement) error {
		if !bytes.Equal(e.Key, key) {
			return nil
		}
		if e.Flags&rawpage.BucketLeafFlag != 0 {
			return keyIsBucket(key)
		}
		if _, err := fmt.Fprintln(w, formatBytes(e.Value, format)); err != nil {
			return err
		}
		return errFound
	})
	switch {
	case errors.Is(err, errFound):
		return nil
	case err != nil:
		return err
	}
	return keyNotFound(key)
}
