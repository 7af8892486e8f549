package bolt_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "github.com/boltkv/bolt"
)

// The snippets of README.md's "Getting Started" are cut from the examples
// below; TestREADMESnippetsAreExamples keeps the two in step.

// tempDB returns a database path in a new temporary directory and a
// function that removes the directory.
func tempDB() (string, func()) {
	dir, err := os.MkdirTemp("", "bolt-example-")
	if err != nil {
		log.Fatal(err)
	}
	return filepath.Join(dir, "my.db"), func() { _ = os.RemoveAll(dir) }
}

// openTemp opens a new database in a temporary directory.
func openTemp() (*bolt.DB, func()) {
	path, cleanup := tempDB()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	return db, func() { _ = db.Close(); cleanup() }
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
		b, err := tx.CreateBucketIfNotExists([]byte("widgets"))
		if err != nil {
			return err
		}
		return b.Put([]byte("foo"), []byte("bar"))
	})
	if err != nil {
		log.Fatal(err)
	}

	// A read-only transaction. Returned slices are valid only inside it:
	// copy them to keep them.
	err = db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket([]byte("widgets")).Get([]byte("foo"))
		fmt.Printf("foo = %s\n", v)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// foo = bar
}

func ExampleDB_Begin() {
	db, cleanup := openTemp()
	defer cleanup()

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

	err = db.View(func(tx *bolt.Tx) error {
		fmt.Printf("color=%s\n", tx.Bucket([]byte("MyBucket")).Get([]byte("color")))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// color=blue
}

func Example_nestedBuckets() {
	db, cleanup := openTemp()
	defer cleanup()

	// Three logins: each Update adds one event to users/alice, numbered by
	// the bucket's own sequence.
	var err error
	for i := 0; i < 3; i++ {
		err = db.Update(func(tx *bolt.Tx) error {
			users, err := tx.CreateBucketIfNotExists([]byte("users"))
			if err != nil {
				return err
			}
			alice, err := users.CreateBucketIfNotExists([]byte("alice"))
			if err != nil {
				return err
			}
			id, err := alice.NextSequence() // 1, 2, 3, … per bucket
			if err != nil {
				return err
			}
			return alice.Put([]byte(fmt.Sprintf("event-%08d", id)), []byte("login"))
		})
		if err != nil {
			log.Fatal(err)
		}
	}

	err = db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte("users")).Bucket([]byte("alice")).Cursor()
		prefix := []byte("event-")
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			fmt.Printf("%s: %s\n", k, v)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// event-00000001: login
	// event-00000002: login
	// event-00000003: login
}

func ExampleBucket_ForEachBucket() {
	db, cleanup := openTemp()
	defer cleanup()

	// Buckets can hold other buckets, e.g. one bucket per user.
	err := db.Update(func(tx *bolt.Tx) error {
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

	err = db.View(func(tx *bolt.Tx) error {
		users := tx.Bucket([]byte("users"))
		// ForEachBucket visits only sub-buckets, in key order.
		return users.ForEachBucket(func(name []byte) error {
			fmt.Printf("%s: %s\n", name, users.Bucket(name).Get([]byte("email")))
			return nil
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// alice: alice@example.com
	// bob: bob@example.com
}

func ExampleCursor() {
	db, cleanup := openTemp()
	defer cleanup()

	err := db.Update(func(tx *bolt.Tx) error {
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
	if err != nil {
		log.Fatal(err)
	}

	err = db.View(func(tx *bolt.Tx) error {
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
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// A cat is lame.
	// A dog is fun.
	// fish is a bucket
	// A liger is awesome.
	// last: liger
}

func ExampleCursor_Seek() {
	db, cleanup := openTemp()
	defer cleanup()

	err := db.Update(func(tx *bolt.Tx) error {
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
	if err != nil {
		log.Fatal(err)
	}

	err = db.View(func(tx *bolt.Tx) error {
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
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// 2000-01-01: event on 2000-01-01
	// 2000-06-15: event on 2000-06-15
	// 2000-12-31: event on 2000-12-31
	// in range: 1999-12-31
	// in range: 2000-01-01
}

func ExampleBucket_NextSequence() {
	db, cleanup := openTemp()
	defer cleanup()

	// NextSequence gives each bucket its own auto-incrementing counter;
	// big-endian keys keep the records in insertion order.
	for _, name := range []string{"ann", "ben", "cy"} {
		err := db.Update(func(tx *bolt.Tx) error {
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
		if err != nil {
			log.Fatal(err)
		}
	}

	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("users")).ForEach(func(k, v []byte) error {
			fmt.Printf("%d: %s\n", binary.BigEndian.Uint64(k), v)
			return nil
		})
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// 1: ann
	// 2: ben
	// 3: cy
}

func ExampleDB_Batch() {
	db, cleanup := openTemp()
	defer cleanup()

	// Many goroutines, each with a small write: Batch runs them together in
	// few transactions. A function may run more than once (when another in
	// its batch fails), so it must have no other side effects.
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			err := db.Batch(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucketIfNotExists([]byte("visits"))
				if err != nil {
					return err
				}
				return b.Put([]byte(fmt.Sprintf("visitor-%02d", id)), []byte("hello"))
			})
			if err != nil {
				log.Print(err)
			}
		}(i)
	}
	wg.Wait()

	err := db.View(func(tx *bolt.Tx) error {
		fmt.Println("visitors:", tx.Bucket([]byte("visits")).Stats().KeyN)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// visitors: 10
}

// backupHandler serves a consistent copy of the database, taken in one read
// transaction while writers go on.
func backupHandler(db *bolt.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		err := db.View(func(tx *bolt.Tx) error {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", `attachment; filename="backup.db"`)
			w.Header().Set("Content-Length", strconv.FormatInt(tx.Size(), 10))
			_, err := tx.WriteTo(w)
			return err
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}
}

func ExampleTx_WriteTo() {
	db, cleanup := openTemp()
	defer cleanup()
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("widgets"))
		if err != nil {
			return err
		}
		return b.Put([]byte("foo"), []byte("bar"))
	})
	if err != nil {
		log.Fatal(err)
	}

	// A backup over HTTP: serve backupHandler(db), and fetch it.
	srv := httptest.NewServer(backupHandler(db))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	backup := filepath.Join(filepath.Dir(db.Path()), "backup.db")
	f, err := os.Create(backup)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}

	// The copy is a database of its own.
	copyDB, err := bolt.Open(backup, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	defer copyDB.Close()
	err = copyDB.View(func(tx *bolt.Tx) error {
		fmt.Printf("backup: foo = %s\n", tx.Bucket([]byte("widgets")).Get([]byte("foo")))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// backup: foo = bar
}

func ExampleTx_CopyFile() {
	db, cleanup := openTemp()
	defer cleanup()
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("widgets"))
		return err
	})
	if err != nil {
		log.Fatal(err)
	}

	backupPath := filepath.Join(filepath.Dir(db.Path()), "backup.db")
	err = db.View(func(tx *bolt.Tx) error {
		return tx.CopyFile(backupPath, 0o600)
	})
	if err != nil {
		log.Fatal(err)
	}

	copyDB, err := bolt.Open(backupPath, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	defer copyDB.Close()
	err = copyDB.View(func(tx *bolt.Tx) error {
		fmt.Println("backup has widgets:", tx.Bucket([]byte("widgets")) != nil)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// backup has widgets: true
}

func sizeOf(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	return st.Size()
}

func ExampleOptions_readOnly() {
	path, cleanup := tempDB()
	defer cleanup()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("widgets"))
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := db.Close(); err != nil {
		log.Fatal(err)
	}

	// A read-only DB takes a shared lock: any number of processes may open
	// the file this way at once, but not while one has it open read-write.
	db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	err = db.Update(func(tx *bolt.Tx) error { return nil })
	fmt.Println(db.IsReadOnly(), errors.Is(err, bolt.ErrDatabaseReadOnly))
	// Output:
	// true true
}

func ExampleTx_Check() {
	db, cleanup := openTemp()
	defer cleanup()
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("widgets"))
		if err != nil {
			return err
		}
		return b.Put([]byte("foo"), []byte("bar"))
	})
	if err != nil {
		log.Fatal(err)
	}

	// Check walks every page reachable from the meta page and the free
	// list and sends one error per problem; the channel closes at the end.
	err = db.View(func(tx *bolt.Tx) error {
		problems := 0
		for err := range tx.Check() {
			fmt.Println(err)
			problems++
		}
		fmt.Println("problems:", problems)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// problems: 0
}

func ExampleTx_MoveBucket() {
	db, cleanup := openTemp()
	defer cleanup()

	err := db.Update(func(tx *bolt.Tx) error {
		users, err := tx.CreateBucket([]byte("users"))
		if err != nil {
			return err
		}
		alice, err := users.CreateBucket([]byte("alice"))
		if err != nil {
			return err
		}
		return alice.Put([]byte("email"), []byte("alice@example.com"))
	})
	if err != nil {
		log.Fatal(err)
	}

	// Move users/alice, with everything in it, to archive/alice. A nil
	// destination means the root.
	err = db.Update(func(tx *bolt.Tx) error {
		archive, err := tx.CreateBucketIfNotExists([]byte("archive"))
		if err != nil {
			return err
		}
		return tx.MoveBucket([]byte("alice"), tx.Bucket([]byte("users")), archive)
	})
	if err != nil {
		log.Fatal(err)
	}

	err = db.View(func(tx *bolt.Tx) error {
		fmt.Println("users/alice exists:", tx.Bucket([]byte("users")).Bucket([]byte("alice")) != nil)
		fmt.Printf("archive/alice email: %s\n", tx.Bucket([]byte("archive")).Bucket([]byte("alice")).Get([]byte("email")))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// users/alice exists: false
	// archive/alice email: alice@example.com
}

func ExampleCompact() {
	src, cleanup := openTemp()
	defer cleanup()

	// Fill a bucket, then delete most of it: the file keeps its size, since
	// freed pages are reused but never given back.
	err := src.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("logs"))
		if err != nil {
			return err
		}
		for i := 0; i < 20000; i++ {
			if err := b.Put([]byte(fmt.Sprintf("%08d", i)), bytes.Repeat([]byte("x"), 100)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	err = src.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte("logs")).Cursor()
		for k, _ := c.Seek([]byte("00001000")); k != nil; k, _ = c.Next() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	// Compact copies every bucket into a new file, committing every 64 KiB
	// of data so that the copy does not build one huge transaction.
	dstPath := filepath.Join(filepath.Dir(src.Path()), "compacted.db")
	dst, err := bolt.Open(dstPath, 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer dst.Close()
	if err := bolt.Compact(dst, src, 64<<10); err != nil {
		log.Fatal(err)
	}

	err = dst.View(func(tx *bolt.Tx) error {
		fmt.Println("keys:", tx.Bucket([]byte("logs")).Stats().KeyN)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("smaller:", sizeOf(dstPath) < sizeOf(src.Path()))
	// Output:
	// keys: 1000
	// smaller: true
}

func ExampleDB_Stats() {
	db, cleanup := openTemp()
	defer cleanup()

	prev := db.Stats()
	for i := 0; i < 3; i++ {
		if err := db.View(func(tx *bolt.Tx) error { return nil }); err != nil {
			log.Fatal(err)
		}
	}
	// Sub gives the activity between two snapshots.
	cur := db.Stats()
	diff := cur.Sub(&prev)
	fmt.Println("read transactions:", diff.TxN)
	// Output:
	// read transactions: 3
}

// readmeSubstitutions are the only differences allowed between a README
// snippet and its example: the README names the file my.db, the examples
// use one in a temporary directory.
var readmeSubstitutions = strings.NewReplacer(`bolt.Open("my.db", `, `bolt.Open(path, `)

// TestREADMESnippetsAreExamples checks that every Go snippet of README.md's
// "Getting Started" appears, line for line (indentation, blank lines and
// comment lines aside), in one of the examples above, so that the README shows code that
// compiles and runs as shown.
func TestREADMESnippetsAreExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "\n## Getting Started\n")
	if start < 0 {
		t.Fatal(`README.md has no "## Getting Started" section`)
	}
	section := text[start+1:]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:end+1]
	}
	code := lines(string(src))
	snippets := strings.Split(section, "```go\n")[1:]
	if len(snippets) < 8 {
		t.Fatalf("Getting Started has %d Go snippets; expected at least 8", len(snippets))
	}
	for i, s := range snippets {
		end := strings.Index(s, "```")
		if end < 0 {
			t.Fatalf("snippet %d is not closed", i+1)
		}
		want := lines(readmeSubstitutions.Replace(s[:end]))
		if !containsRun(code, want) {
			t.Errorf("README snippet %d is not in example_test.go:\n%s", i+1, s[:end])
		}
	}
}

// lines returns the lines of s that are neither blank nor only a comment,
// trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "//") {
			out = append(out, l)
		}
	}
	return out
}

func containsRun(hay, needle []string) bool {
	for i := 0; i+len(needle) <= len(hay); i++ {
		match := true
		for j := range needle {
			if hay[i+j] != needle[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

func ExampleDB_Batch_groupCommit() {
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
