package main

import (
	stderrors "errors"
	"os"
	"path/filepath"

	"go.etcd.io/bbolt"
	"go.etcd.io/bbolt/errors"
)

// checkUnnamedErrors uses go.etcd.io/bbolt/errors without an import name,
// as package errors, and compares against it from a file that names the
// standard package otherwise.
func checkUnnamedErrors() {
	dir, err := os.MkdirTemp("", "bboltprog")
	must(err)
	defer os.RemoveAll(dir)
	db, err := bbolt.Open(filepath.Join(dir, "u.db"), 0o600, nil)
	must(err)
	defer db.Close()
	err = db.View(func(tx *bbolt.Tx) error {
		return tx.DeleteBucket([]byte("missing"))
	})
	check(err == errors.ErrTxNotWritable, "DeleteBucket in View: %v, want errors.ErrTxNotWritable", err)
	err = db.Update(func(tx *bbolt.Tx) error {
		return tx.DeleteBucket([]byte("missing"))
	})
	same("unnamed errors import: DeleteBucket missing", err, bbolt.ErrBucketNotFound, errors.ErrBucketNotFound)
	check(stderrors.Is(err, errors.ErrBucketNotFound), "errors.Is via the unnamed errors package")
	err = db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), make([]byte, bbolt.MaxValueSize+1))
	})
	same("unnamed errors import: value too large", err, bbolt.ErrValueTooLarge, errors.ErrValueTooLarge)
}
