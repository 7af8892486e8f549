package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/boltkv/bolt"
)

func importCommand() *command {
	return &command{
		name:    "import",
		args:    "<new-bbolt-file> [<jsonl-file>]",
		summary: "create a database from the JSON lines written by export",
		help: `Import reads the format "bolt export" writes, from the file or, without
one or with "-", from stdin, and recreates every bucket, sequence and pair
in a new database. It refuses a database file that exists and is not
empty; a failed import removes the file it created. A pair line whose
bucket has no line of its own creates the bucket.`,
		opensDB: true,
		nargs:   rangeArgs(1, 2),
		setup: func(fs *flagSet) func(*cli, []string) error {
			txMaxSize := fs.Int64("tx-max-size", 4<<20, "commit after this many `bytes` of keys and values (0: one transaction)")
			noSync := fs.Bool("no-sync", false, "do not sync at each commit")
			pageSize := fs.Int("page-size", 0, "page size of the new file, in `bytes` (default the OS page size)")
			return func(c *cli, args []string) (err error) {
				if err := checkPageSize(*pageSize); err != nil {
					return err
				}
				in := c.stdin
				if len(args) == 2 && args[1] != "-" {
					f, err := os.Open(args[1])
					if err != nil {
						return err
					}
					defer f.Close()
					in = f
				}
				path := args[0]
				if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
					return fmt.Errorf("database file %q already exists and is not empty", path)
				} else if err != nil && !os.IsNotExist(err) {
					return err
				}
				db, err := c.open(path, 0o600, bolt.Options{NoSync: *noSync, PageSize: *pageSize})
				if err != nil {
					return err
				}
				defer func() {
					if cerr := db.Close(); err == nil {
						err = cerr
					}
					if err != nil {
						os.Remove(path)
					}
				}()
				return importDB(db, in, *txMaxSize)
			}
		},
	}
}

// importLine is either kind of export line.
type importLine struct {
	Bucket *[][]byte `json:"bucket"`
	Seq    *uint64   `json:"seq"`
	Key    *[]byte   `json:"key"`
	Value  *[]byte   `json:"value"`
}

// importDB loads export lines from r into db, committing whenever the keys
// and values of a transaction would pass txMaxSize bytes.
func importDB(db *bolt.DB, r io.Reader, txMaxSize int64) (err error) {
	tx, err := db.Begin(true)
	if err != nil {
		return err
	}
	defer func() {
		if tx != nil {
			_ = tx.Rollback()
		}
	}()
	var size int64

	// The bucket of the previous line, valid until the next commit.
	var curPath [][]byte
	var cur *bolt.Bucket

	reserve := func(n int64) error {
		if txMaxSize != 0 && size+n > txMaxSize && size > 0 {
			err := tx.Commit()
			tx, cur = nil, nil
			if err != nil {
				return err
			}
			if tx, err = db.Begin(true); err != nil {
				tx = nil
				return err
			}
			size = 0
		}
		size += n
		return nil
	}
	bucket := func(path [][]byte) (*bolt.Bucket, error) {
		if cur != nil && equalPaths(path, curPath) {
			return cur, nil
		}
		b, err := tx.CreateBucketIfNotExists(path[0])
		for _, name := range path[1:] {
			if err != nil {
				break
			}
			b, err = b.CreateBucketIfNotExists(name)
		}
		if err != nil {
			return nil, err
		}
		b.FillPercent = 1.0
		cur, curPath = b, path
		return b, nil
	}

	br := bufio.NewReader(r)
	for lineNo := 1; ; lineNo++ {
		line, rerr := br.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return rerr
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if err := importOne(line, reserve, bucket); err != nil {
				return fmt.Errorf("line %d: %w", lineNo, err)
			}
		}
		if rerr != nil {
			break
		}
	}
	err = tx.Commit()
	tx = nil
	return err
}

// importOne applies one export line.
func importOne(line []byte, reserve func(int64) error, bucket func([][]byte) (*bolt.Bucket, error)) error {
	var l importLine
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return fmt.Errorf("invalid line: %v", err)
	}
	if dec.More() {
		return errors.New("invalid line: more than one JSON value")
	}
	switch {
	case l.Bucket == nil || len(*l.Bucket) == 0:
		return errors.New(`invalid line: "bucket" must name a bucket path`)
	case l.Seq != nil && (l.Key != nil || l.Value != nil):
		return errors.New(`invalid line: "seq" cannot go with "key" or "value"`)
	case l.Seq == nil && (l.Key == nil || l.Value == nil):
		return errors.New(`invalid line: needs "seq", or "key" and "value"`)
	}
	path := *l.Bucket
	for _, name := range path {
		if len(name) == 0 {
			return errors.New("invalid line: empty bucket name in path")
		}
	}
	if l.Seq != nil {
		if err := reserve(int64(len(path[len(path)-1]))); err != nil {
			return err
		}
		b, err := bucket(path)
		if err != nil {
			return err
		}
		return b.SetSequence(*l.Seq)
	}
	k, v := *l.Key, *l.Value
	if err := reserve(int64(len(k) + len(v))); err != nil {
		return err
	}
	b, err := bucket(path)
	if err != nil {
		return err
	}
	if err := b.Put(k, v); err != nil {
		return fmt.Errorf("key %q: %w", k, err)
	}
	return nil
}

func equalPaths(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
