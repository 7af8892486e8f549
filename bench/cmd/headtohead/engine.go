package main

import (
	"errors"
	"os"

	bolt "github.com/boltkv/bolt"
	bbolt "go.etcd.io/bbolt"
)

// engine is an open database of either library. Every workload is written
// once against it. Each method is a direct call of the library method of the
// same name, so both libraries pay the same (small) adapter cost: one closure
// per transaction and an interface call per operation.
//
// An engine is safe for concurrent use, as the underlying *DB is.
type engine interface {
	Update(fn func(tx) error) error
	View(fn func(tx) error) error
	Batch(fn func(tx) error) error
	// BeginRead starts a read-only transaction; the caller must Rollback it.
	BeginRead() (tx, error)
	SetNoSync(bool)
	Close() error
}

// tx is a transaction of either library. It is valid only inside the
// function given to Update, View or Batch, or until Rollback.
type tx interface {
	// Bucket returns the benchmark bucket, which open creates.
	Bucket() bucket
	Cursor() cursor
	ID() int
	Size() int64
	Rollback() error
}

// bucket is satisfied by *bolt.Bucket and *bbolt.Bucket as they are.
// Returned slices are valid only for the life of the transaction.
type bucket interface {
	Get(key []byte) []byte
	Put(key, value []byte) error
	Delete(key []byte) error
}

// cursor is satisfied by *bolt.Cursor and *bbolt.Cursor as they are.
type cursor interface {
	First() (key, value []byte)
	Next() (key, value []byte)
}

// benchBucket holds every key the workloads write.
var benchBucket = []byte("bench")

// kind names a library and opens a fresh database of it with the library's
// default options, as a user calling Open(path, mode, nil) gets them.
type kind struct {
	name string
	open func(path string) (engine, error)
}

var kinds = [2]kind{
	{name: "bolt", open: openBolt},
	{name: "bbolt", open: openBBolt},
}

// --- bolt ---

type boltEngine struct{ db *bolt.DB }

type boltTx struct{ t *bolt.Tx }

func openBolt(path string) (engine, error) {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return nil, err
	}
	if err := db.Update(func(t *bolt.Tx) error {
		_, err := t.CreateBucketIfNotExists(benchBucket)
		return err
	}); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return boltEngine{db}, nil
}

func (e boltEngine) Update(fn func(tx) error) error {
	return e.db.Update(func(t *bolt.Tx) error { return fn(boltTx{t}) })
}

func (e boltEngine) View(fn func(tx) error) error {
	return e.db.View(func(t *bolt.Tx) error { return fn(boltTx{t}) })
}

func (e boltEngine) Batch(fn func(tx) error) error {
	return e.db.Batch(func(t *bolt.Tx) error { return fn(boltTx{t}) })
}

func (e boltEngine) BeginRead() (tx, error) {
	t, err := e.db.Begin(false)
	if err != nil {
		return nil, err
	}
	return boltTx{t}, nil
}

func (e boltEngine) SetNoSync(v bool) { e.db.NoSync = v }
func (e boltEngine) Close() error     { return e.db.Close() }

func (t boltTx) Bucket() bucket  { return t.t.Bucket(benchBucket) }
func (t boltTx) Cursor() cursor  { return t.t.Bucket(benchBucket).Cursor() }
func (t boltTx) ID() int         { return t.t.ID() }
func (t boltTx) Size() int64     { return t.t.Size() }
func (t boltTx) Rollback() error { return t.t.Rollback() }

// --- bbolt ---

type bboltEngine struct{ db *bbolt.DB }

type bboltTx struct{ t *bbolt.Tx }

func openBBolt(path string) (engine, error) {
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		return nil, err
	}
	if err := db.Update(func(t *bbolt.Tx) error {
		_, err := t.CreateBucketIfNotExists(benchBucket)
		return err
	}); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return bboltEngine{db}, nil
}

func (e bboltEngine) Update(fn func(tx) error) error {
	return e.db.Update(func(t *bbolt.Tx) error { return fn(bboltTx{t}) })
}

func (e bboltEngine) View(fn func(tx) error) error {
	return e.db.View(func(t *bbolt.Tx) error { return fn(bboltTx{t}) })
}

func (e bboltEngine) Batch(fn func(tx) error) error {
	return e.db.Batch(func(t *bbolt.Tx) error { return fn(bboltTx{t}) })
}

func (e bboltEngine) BeginRead() (tx, error) {
	t, err := e.db.Begin(false)
	if err != nil {
		return nil, err
	}
	return bboltTx{t}, nil
}

func (e bboltEngine) SetNoSync(v bool) { e.db.NoSync = v }
func (e bboltEngine) Close() error     { return e.db.Close() }

func (t bboltTx) Bucket() bucket  { return t.t.Bucket(benchBucket) }
func (t bboltTx) Cursor() cursor  { return t.t.Bucket(benchBucket).Cursor() }
func (t bboltTx) ID() int         { return t.t.ID() }
func (t bboltTx) Size() int64     { return t.t.Size() }
func (t bboltTx) Rollback() error { return t.t.Rollback() }

// fileSize is the size of the file at path, or 0 if it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
