// Command genfixture writes cmd/bolt/testdata/bbolt.db, the fixture of the
// bolt command's tests, with go.etcd.io/bbolt: go run ./cmd/genfixture PATH
// from bench/.
package main

import (
	"fmt"
	"log"
	"os"
	"strings"

	bolt "go.etcd.io/bbolt"
)

func main() {
	path := os.Args[1]
	os.Remove(path)
	db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: 4096})
	if err != nil {
		log.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	// 1: a small bucket with printable, empty and binary entries, an inline
	// sub-bucket with a sequence, and an empty bucket.
	must(db.Update(func(tx *bolt.Tx) error {
		w, err := tx.CreateBucket([]byte("widgets"))
		if err != nil {
			return err
		}
		must(w.Put([]byte("foo"), []byte("bar")))
		must(w.Put([]byte("baz"), []byte{}))
		must(w.Put([]byte{0x00, 0x01, 0xff}, []byte{0xde, 0xad, 0xbe, 0xef}))
		must(w.Put([]byte("multi"), []byte("line\nvalue")))
		s, err := w.CreateBucket([]byte("sub"))
		if err != nil {
			return err
		}
		must(s.SetSequence(7))
		must(s.Put([]byte("a"), []byte("1")))
		must(s.Put([]byte("b"), []byte("2")))
		e, err := tx.CreateBucket([]byte("empty"))
		if err != nil {
			return err
		}
		return e.SetSequence(3)
	}))
	// 2: a bucket spanning several leaves under a branch, with one
	// overflowing value.
	must(db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("big"))
		if err != nil {
			return err
		}
		for i := 0; i < 60; i++ {
			must(b.Put([]byte(fmt.Sprintf("key-%03d", i)), []byte(strings.Repeat(fmt.Sprint(i%10), 16))))
		}
		must(b.Put([]byte("large"), []byte(strings.Repeat("L", 4500))))
		_, err = b.NextSequence()
		return err
	}))
	// 3: deletes, so that the free list holds pages.
	must(db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("big"))
		for i := 0; i < 60; i += 3 {
			must(b.Delete([]byte(fmt.Sprintf("key-%03d", i))))
		}
		return tx.Bucket([]byte("widgets")).Put([]byte("foo"), []byte("BAR"))
	}))
	must(db.Close())
}
