package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/boltkv/bolt"
)

// The export format is JSON lines: one object per line, every byte string
// base64-encoded. Each bucket gets a line with its path from the top level
// and its sequence, before its contents:
//
//	{"bucket":["d2lkZ2V0cw=="],"seq":0}
//
// and each key/value pair a line naming its bucket:
//
//	{"bucket":["d2lkZ2V0cw=="],"key":"Zm9v","value":"YmFy"}
//
// Lines come in key order, depth first, so that the same database always
// exports to the same bytes.

// bucketLine and pairLine are the two kinds of export lines.
type bucketLine struct {
	Bucket [][]byte `json:"bucket"`
	Seq    uint64   `json:"seq"`
}

type pairLine struct {
	Bucket [][]byte `json:"bucket"`
	Key    []byte   `json:"key"`
	Value  []byte   `json:"value"`
}

func exportCommand() *command {
	return &command{
		name:    "export",
		args:    "<bbolt-file>",
		summary: "write the whole database as portable JSON lines",
		help: `Every bucket is written as {"bucket":[path…],"seq":N} before its
contents, every pair as {"bucket":[path…],"key":K,"value":V}; path
elements, keys and values are base64. Lines are in key order, depth first.
"bolt import" reads this format back.`,
		opensDB: true,
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			output := fs.String("output", "", "write to this `file` instead of stdout")
			fs.alias("o", "output")
			return func(c *cli, args []string) error {
				db, s, err := c.openOrSalvage(args[0], false)
				if err != nil {
					return err
				}
				export := func(w io.Writer) error { return exportDB(db, w) }
				if s != nil {
					defer s.Close()
					export = s.export
				} else {
					defer db.Close()
				}
				if *output == "" {
					return s.done(export(c.stdout))
				}
				f, err := os.OpenFile(*output, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
				if err != nil {
					return err
				}
				if err := export(f); err != nil {
					f.Close()
					os.Remove(*output)
					return err
				}
				return s.done(f.Close())
			}
		},
	}
}

// exportDB writes every bucket and pair of db to w.
func exportDB(db *bolt.DB, w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)

	var walk func(path [][]byte, b *bolt.Bucket) error
	walk = func(path [][]byte, b *bolt.Bucket) error {
		if err := enc.Encode(bucketLine{Bucket: path, Seq: b.Sequence()}); err != nil {
			return err
		}
		cur := b.Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			if v != nil {
				if err := enc.Encode(pairLine{Bucket: path, Key: k, Value: v}); err != nil {
					return err
				}
				continue
			}
			child := b.Bucket(k)
			if child == nil {
				return fmt.Errorf("bucket %q: nested bucket %q cannot be read", path[len(path)-1], k)
			}
			if err := walk(append(path[:len(path):len(path)], k), child); err != nil {
				return err
			}
		}
		return nil
	}

	err := db.View(func(tx *bolt.Tx) error {
		cur := tx.Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			if v != nil {
				return fmt.Errorf("top-level key %q is not a bucket", k)
			}
			b := tx.Bucket(k)
			if b == nil {
				return fmt.Errorf("bucket %q cannot be read", k)
			}
			if err := walk([][]byte{k}, b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}
