// Command quickstart creates a database in a temporary directory, writes
// nested buckets and keys, reads them back with a cursor, and prints what it
// found and how long it took.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	bolt "github.com/boltkv/bolt"
)

func main() {
	dir, err := os.MkdirTemp("", "bolt-quickstart-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := bolt.Open(filepath.Join(dir, "quickstart.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	const n = 100000
	start := time.Now()
	err = db.Update(func(tx *bolt.Tx) error {
		users, err := tx.CreateBucketIfNotExists([]byte("users"))
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			u, err := users.CreateBucketIfNotExists([]byte(fmt.Sprintf("user%03d", i%100)))
			if err != nil {
				return err
			}
			id, err := u.NextSequence()
			if err != nil {
				return err
			}
			if err := u.Put([]byte(fmt.Sprintf("event%06d", id)), []byte(fmt.Sprintf("payload %d", i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	wrote := time.Since(start)

	start = time.Now()
	var count, buckets int
	err = db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("users")).ForEachBucket(func(name []byte) error {
			buckets++
			c := tx.Bucket([]byte("users")).Bucket(name).Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				count++
			}
			return nil
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	read := time.Since(start)

	var first string
	_ = db.View(func(tx *bolt.Tx) error {
		k, v := tx.Bucket([]byte("users")).Bucket([]byte("user042")).Cursor().Seek([]byte("event000010"))
		first = fmt.Sprintf("%s = %s", k, v)
		return nil
	})
	fmt.Printf("wrote %d keys in %d nested buckets in %v (%.0f keys/s)\n", n, buckets, wrote.Round(time.Millisecond), float64(n)/wrote.Seconds())
	fmt.Printf("read %d keys back in %v (%.0f keys/s)\n", count, read.Round(time.Microsecond), float64(count)/read.Seconds())
	fmt.Printf("user042 from event000010: %s\n", first)
	for err := range mustView(db) {
		log.Fatal(err)
	}
	fmt.Println("consistency check: ok")
}

// mustView returns the problems Tx.Check finds, collected in a read
// transaction.
func mustView(db *bolt.DB) []error {
	var errs []error
	_ = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return nil
	})
	return errs
}
