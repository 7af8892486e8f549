package bolt_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	bolt "github.com/boltkv/bolt"
)

// tempDB returns a database path in a new temporary directory and a
// function that removes the directory.
func tempDB() (string, func()) {
	dir, err := os.MkdirTemp("", "bolt-example-")
	if err != nil {
		log.Fatal(err)
	}
	return filepath.Join(dir, "my.db"), func() { _ = os.RemoveAll(dir) }
}

func ExampleOpen() {
	path, cleanup := tempDB()
	defer cleanup()

	// The file is created if it does not exist. Only one process can open
	// it read-write at a time; Timeout bounds the wait for the file lock.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	fmt.Println(filepath.Base(db.Path()), db.IsReadOnly())
	// Output:
	// my.db false
}

func ExampleDB_Update() {
	path, cleanup := tempDB()
	defer cleanup()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// A read-write transaction: committed if the function returns nil,
	// rolled back if it returns an error.
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("MyBucket"))
		if err != nil {
			return err
		}
		return b.Put([]byte("answer"), []byte("42"))
	})
	if err != nil {
		log.Fatal(err)
	}

	// A read-only transaction. Returned slices are valid only inside it:
	// copy them to keep them.
	err = db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket([]byte("MyBucket")).Get([]byte("answer"))
		fmt.Printf("The answer is: %s\n", v)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// The answer is: 42
}

func ExampleDB_Begin() {
	path, cleanup := tempDB()
	defer cleanup()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// Managing a transaction by hand: always end it with Commit or Rollback.
	tx, err := db.Begin(true)
	if err != nil {
		log.Fatal(err)
	}
	defer tx.Rollback() // a no-op (returning ErrTxClosed) after Commit

	b, err := tx.CreateBucket([]byte("MyBucket"))
	if err != nil {
		log.Fatal(err)
	}
	if err := b.Put([]byte("color"), []byte("blue")); err != nil {
		log.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}

	_ = db.View(func(tx *bolt.Tx) error {
		fmt.Printf("color=%s\n", tx.Bucket([]byte("MyBucket")).Get([]byte("color")))
		return nil
	})
	// Output:
	// color=blue
}

func Example_nestedBuckets() {
	path, cleanup := tempDB()
	defer cleanup()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// Buckets can hold other buckets, e.g. one bucket per user.
	err = db.Update(func(tx *bolt.Tx) error {
		users, err := tx.CreateBucketIfNotExists([]byte("users"))
		if err != nil {
			return err
		}
		for _, name := range []string{"bob", "alice"} {
			u, err := users.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			if err := u.Put([]byte("email"), []byte(name+"@example.com")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	_ = db.View(func(tx *bolt.Tx) error {
		users := tx.Bucket([]byte("users"))
		// ForEachBucket visits only sub-buckets, in key order.
		return users.ForEachBucket(func(name []byte) error {
			fmt.Printf("%s: %s\n", name, users.Bucket(name).Get([]byte("email")))
			return nil
		})
	})
	// Output:
	// alice: alice@example.com
	// bob: bob@example.com
}

func ExampleCursor() {
	path, cleanup := tempDB()
	defer cleanup()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	_ = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("animals"))
		if err != nil {
			return err
		}
		for _, kv := range [][2]string{{"dog", "fun"}, {"cat", "lame"}, {"liger", "awesome"}} {
			if err := b.Put([]byte(kv[0]), []byte(kv[1])); err != nil {
				return err
			}
		}
		_, err = b.CreateBucket([]byte("fish"))
		return err
	})

	_ = db.View(func(tx *bolt.Tx) error {
		// Keys come back in byte order. A nil value marks a sub-bucket.
		c := tx.Bucket([]byte("animals")).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if v == nil {
				fmt.Printf("%s is a bucket\n", k)
				continue
			}
			fmt.Printf("A %s is %s.\n", k, v)
		}
		// Last and Prev walk backwards.
		k, _ := c.Last()
		fmt.Printf("last: %s\n", k)
		return nil
	})
	// Output:
	// A cat is lame.
	// A dog is fun.
	// fish is a bucket
	// A liger is awesome.
	// last: liger
}

func ExampleCursor_Seek() {
	path, cleanup := tempDB()
	defer cleanup()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	_ = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("events"))
		if err != nil {
			return err
		}
		for _, k := range []string{"1999-12-31", "2000-01-01", "2000-06-15", "2000-12-31", "2001-01-01"} {
			if err := b.Put([]byte(k), []byte("event on "+k)); err != nil {
				return err
			}
		}
		return nil
	})

	_ = db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte("events")).Cursor()

		// Prefix scan: Seek to the prefix, stop at the first key without it.
		prefix := []byte("2000-")
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			fmt.Printf("%s: %s\n", k, v)
		}

		// Range scan: keys sort as bytes, so ISO dates sort by time.
		min, max := []byte("1999-06-01"), []byte("2000-02-01")
		for k, _ := c.Seek(min); k != nil && bytes.Compare(k, max) <= 0; k, _ = c.Next() {
			fmt.Printf("in range: %s\n", k)
		}
		return nil
	})
	// Output:
	// 2000-01-01: event on 2000-01-01
	// 2000-06-15: event on 2000-06-15
	// 2000-12-31: event on 2000-12-31
	// in range: 1999-12-31
	// in range: 2000-01-01
}

func ExampleBucket_NextSequence() {
	path, cleanup := tempDB()
	defer cleanup()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// NextSequence gives each bucket its own auto-incrementing counter;
	// big-endian keys keep the records in insertion order.
	for _, name := range []string{"ann", "ben", "cy"} {
		_ = db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("users"))
			if err != nil {
				return err
			}
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			key := make([]byte, 8)
			binary.BigEndian.PutUint64(key, id)
			return b.Put(key, []byte(name))
		})
	}

	_ = db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("users")).ForEach(func(k, v []byte) error {
			fmt.Printf("%d: %s\n", binary.BigEndian.Uint64(k), v)
			return nil
		})
	})
	// Output:
	// 1: ann
	// 2: ben
	// 3: cy
}

func ExampleDB_Stats() {
	path, cleanup := tempDB()
	defer cleanup()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	prev := db.Stats()
	for i := 0; i < 3; i++ {
		_ = db.View(func(tx *bolt.Tx) error { return nil })
	}
	// Sub gives the activity between two snapshots.
	cur := db.Stats()
	diff := cur.Sub(&prev)
	fmt.Println("read transactions:", diff.TxN)
	// Output:
	// read transactions: 3
}

func ExampleDB_Batch() {
	path, cleanup := tempDB()
	defer cleanup()

	// GroupCommit: a Batch call commits as soon as the writer is free, and
	// calls made during a commit share the next one.
	db, err := bolt.Open(path, 0o600, &bolt.Options{GroupCommit: true})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// Many goroutines, one small write each. fn may run more than once, so
	// it only writes through tx.
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		go func(i int) {
			errs <- db.Batch(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucketIfNotExists([]byte("events"))
				if err != nil {
					return err
				}
				return b.Put([]byte(fmt.Sprintf("event-%02d", i)), []byte("seen"))
			})
		}(i)
	}
	for i := 0; i < 64; i++ {
		if err := <-errs; err != nil {
			log.Fatal(err)
		}
	}

	_ = db.View(func(tx *bolt.Tx) error {
		fmt.Println(tx.Bucket([]byte("events")).Stats().KeyN, "events")
		return nil
	})
	// Output:
	// 64 events
}
