package main

import (
	"github.com/boltkv/bolt"
)

func createBucketCommand() *command {
	return &command{
		name:    "create-bucket",
		args:    "<bbolt-file> <bucket> [sub-bucket…]",
		summary: "create a (nested) bucket, and the database file if it does not exist",
		help: `Missing parent buckets are created too; the innermost bucket must not exist
yet. A new database file gets the OS page size unless --page-size is given.`,
		opensDB: true,
		nargs:   minArgs(2),
		setup: func(fs *flagSet) func(*cli, []string) error {
			pageSize := fs.Int("page-size", 0, "page size of a newly created file, in `bytes` (default the OS page size)")
			return func(c *cli, args []string) error {
				if err := checkPageSize(*pageSize); err != nil {
					return err
				}
				db, err := c.open(args[0], 0o600, bolt.Options{PageSize: *pageSize})
				if err != nil {
					return err
				}
				err = db.Update(func(tx *bolt.Tx) error {
					names := args[1:]
					if len(names) == 1 {
						_, err := tx.CreateBucket([]byte(names[0]))
						return err
					}
					b, err := tx.CreateBucketIfNotExists([]byte(names[0]))
					if err != nil {
						return err
					}
					for _, name := range names[1 : len(names)-1] {
						if b, err = b.CreateBucketIfNotExists([]byte(name)); err != nil {
							return err
						}
					}
					_, err = b.CreateBucket([]byte(names[len(names)-1]))
					return err
				})
				if err != nil {
					db.Close()
					return err
				}
				return db.Close()
			}
		},
	}
}
