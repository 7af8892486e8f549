package main

import (
	"errors"

	"github.com/boltkv/bolt"
)

func deleteBucketCommand() *command {
	return &command{
		name:    "delete-bucket",
		args:    "<bbolt-file> <bucket> [sub-bucket…]",
		summary: "delete a (nested) bucket and everything in it",
		opensDB: true,
		nargs:   minArgs(2),
		setup: func(fs *flagSet) func(*cli, []string) error {
			return func(c *cli, args []string) error {
				names := args[1:]
				return c.update(args[0], func(tx *bolt.Tx) error {
					last := []byte(names[len(names)-1])
					var err error
					if len(names) == 1 {
						err = tx.DeleteBucket(last)
					} else {
						parent, ferr := findBucket(tx, names[:len(names)-1])
						if ferr != nil {
							return ferr
						}
						err = parent.DeleteBucket(last)
					}
					if errors.Is(err, bolt.ErrBucketNotFound) {
						return bucketNotFound(names)
					}
					return err
				})
			}
		},
	}
}
