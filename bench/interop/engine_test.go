package interop_test

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	bolt "github.com/boltkv/bolt"
	bbolt "go.etcd.io/bbolt"
)

// The two libraries have the same API over different types. The tests drive
// both through these small interfaces so that one workload and one checker
// serve both; each adapter method is a direct call of the same-named method.

type kvDB interface {
	Update(fn func(kvTx) error) error
	View(fn func(kvTx) error) error
	Close() error
	Stats() dbStats
}

type kvTx interface {
	Bucket(name []byte) kvBucket // nil when missing
	CreateBucket(name []byte) (kvBucket, error)
	DeleteBucket(name []byte) error
	Cursor() kvCursor
	Check() []error
	Size() int64
	ID() int
	WriteTo(w io.Writer) (int64, error)
}

type kvBucket interface {
	Bucket(name []byte) kvBucket // nil when missing or not a bucket
	CreateBucket(name []byte) (kvBucket, error)
	DeleteBucket(name []byte) error
	Get(key []byte) []byte
	Put(key, value []byte) error
	Delete(key []byte) error
	Cursor() kvCursor
	Sequence() uint64
	SetSequence(v uint64) error
	NextSequence() (uint64, error)
	SetFillPercent(f float64)
	Stats() bucketStats
}

// kvCursor is satisfied by *bbolt.Cursor and *bolt.Cursor as they are.
type kvCursor interface {
	First() ([]byte, []byte)
	Last() ([]byte, []byte)
	Next() ([]byte, []byte)
	Prev() ([]byte, []byte)
	Seek(seek []byte) ([]byte, []byte)
}

type openOptions struct {
	pageSize       int
	noFreelistSync bool
}

type engine struct {
	name string
	open func(path string, o openOptions) (kvDB, error)
}

var (
	bboltEngine = engine{name: "bbolt", open: openBBolt}
	boltEngine  = engine{name: "bolt", open: openBolt}
)

// Local copies of the stats types. Values are copied field by field by name
// (copyFields), so a field missing on one side shows up as a zero here and
// as a named difference in TestStatsTypes_SameFields.

type bucketStats struct {
	BranchPageN       int
	BranchOverflowN   int
	LeafPageN         int
	LeafOverflowN     int
	KeyN              int
	Depth             int
	BranchAlloc       int
	BranchInuse       int
	LeafAlloc         int
	LeafInuse         int
	BucketN           int
	InlineBucketN     int
	InlineBucketInuse int
}

type txStats struct {
	PageCount     int64
	PageAlloc     int64
	CursorCount   int64
	NodeCount     int64
	NodeDeref     int64
	Rebalance     int64
	RebalanceTime time.Duration
	Split         int64
	Spill         int64
	SpillTime     time.Duration
	Write         int64
	WriteTime     time.Duration
}

type dbStats struct {
	TxStats       txStats
	FreePageN     int
	PendingPageN  int
	FreeAlloc     int
	FreelistInuse int
	TxN           int
	OpenTxN       int
}

// copyFields sets every field of *dst from the field of the same name in
// src, recursing into structs. Fields src lacks are left zero.
func copyFields(dst, src any) {
	copyValue(reflect.ValueOf(dst).Elem(), reflect.ValueOf(src))
}

func copyValue(dst, src reflect.Value) {
	for i := 0; i < dst.NumField(); i++ {
		f := dst.Type().Field(i)
		s := src.FieldByName(f.Name)
		switch {
		case !s.IsValid():
		case f.Type.Kind() == reflect.Struct && s.Kind() == reflect.Struct:
			copyValue(dst.Field(i), s)
		case s.Type().ConvertibleTo(f.Type):
			dst.Field(i).Set(s.Convert(f.Type))
		}
	}
}

// fieldList describes the exported fields of a struct type, in order, as
// "Name type" strings; nested struct types are described by their fields.
func fieldList(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		desc := f.Type.String()
		if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() != "time" {
			desc = "{" + strings.Join(fieldList(f.Type), "; ") + "}"
		}
		out = append(out, f.Name+" "+desc)
	}
	return out
}

func collect(ch <-chan error) []error {
	var errs []error
	for err := range ch {
		errs = append(errs, err)
	}
	return errs
}

// ---- go.etcd.io/bbolt ----

func openBBolt(path string, o openOptions) (kvDB, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:        5 * time.Second,
		PageSize:       o.pageSize,
		NoFreelistSync: o.noFreelistSync,
		NoSync:         true,
	})
	if err != nil {
		return nil, fmt.Errorf("bbolt open: %w", err)
	}
	return bboltDB{db}, nil
}

type bboltDB struct{ db *bbolt.DB }

func (d bboltDB) Update(fn func(kvTx) error) error {
	return d.db.Update(func(tx *bbolt.Tx) error { return fn(bboltTx{tx}) })
}

func (d bboltDB) View(fn func(kvTx) error) error {
	return d.db.View(func(tx *bbolt.Tx) error { return fn(bboltTx{tx}) })
}

func (d bboltDB) Close() error { return d.db.Close() }

func (d bboltDB) Stats() dbStats {
	var s dbStats
	copyFields(&s, d.db.Stats())
	return s
}

type bboltTx struct{ tx *bbolt.Tx }

func wrapBBoltBucket(b *bbolt.Bucket) kvBucket {
	if b == nil {
		return nil
	}
	return bboltBucket{b}
}

func (x bboltTx) Bucket(name []byte) kvBucket { return wrapBBoltBucket(x.tx.Bucket(name)) }
func (x bboltTx) CreateBucket(name []byte) (kvBucket, error) {
	b, err := x.tx.CreateBucket(name)
	return wrapBBoltBucket(b), err
}
func (x bboltTx) DeleteBucket(name []byte) error { return x.tx.DeleteBucket(name) }
func (x bboltTx) Cursor() kvCursor               { return x.tx.Cursor() }
func (x bboltTx) Check() []error                 { return collect(x.tx.Check()) }
func (x bboltTx) Size() int64                    { return x.tx.Size() }
func (x bboltTx) ID() int                        { return x.tx.ID() }
func (x bboltTx) WriteTo(w io.Writer) (int64, error) {
	return x.tx.WriteTo(w)
}

type bboltBucket struct{ b *bbolt.Bucket }

func (x bboltBucket) Bucket(name []byte) kvBucket { return wrapBBoltBucket(x.b.Bucket(name)) }
func (x bboltBucket) CreateBucket(name []byte) (kvBucket, error) {
	b, err := x.b.CreateBucket(name)
	return wrapBBoltBucket(b), err
}
func (x bboltBucket) DeleteBucket(name []byte) error { return x.b.DeleteBucket(name) }
func (x bboltBucket) Get(key []byte) []byte          { return x.b.Get(key) }
func (x bboltBucket) Put(key, value []byte) error    { return x.b.Put(key, value) }
func (x bboltBucket) Delete(key []byte) error        { return x.b.Delete(key) }
func (x bboltBucket) Cursor() kvCursor               { return x.b.Cursor() }
func (x bboltBucket) Sequence() uint64               { return x.b.Sequence() }
func (x bboltBucket) SetSequence(v uint64) error     { return x.b.SetSequence(v) }
func (x bboltBucket) NextSequence() (uint64, error)  { return x.b.NextSequence() }
func (x bboltBucket) SetFillPercent(f float64)       { x.b.FillPercent = f }
func (x bboltBucket) Stats() bucketStats {
	var s bucketStats
	copyFields(&s, x.b.Stats())
	return s
}

// ---- github.com/boltkv/bolt ----

func openBolt(path string, o openOptions) (kvDB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        5 * time.Second,
		PageSize:       o.pageSize,
		NoFreelistSync: o.noFreelistSync,
		NoSync:         true,
	})
	if err != nil {
		return nil, fmt.Errorf("bolt open: %w", err)
	}
	return boltDB{db}, nil
}

type boltDB struct{ db *bolt.DB }

func (d boltDB) Update(fn func(kvTx) error) error {
	return d.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

func (d boltDB) View(fn func(kvTx) error) error {
	return d.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

func (d boltDB) Close() error { return d.db.Close() }

func (d boltDB) Stats() dbStats {
	var s dbStats
	copyFields(&s, d.db.Stats())
	return s
}

type boltTx struct{ tx *bolt.Tx }

func wrapBoltBucket(b *bolt.Bucket) kvBucket {
	if b == nil {
		return nil
	}
	return boltBucket{b}
}

func (x boltTx) Bucket(name []byte) kvBucket { return wrapBoltBucket(x.tx.Bucket(name)) }
func (x boltTx) CreateBucket(name []byte) (kvBucket, error) {
	b, err := x.tx.CreateBucket(name)
	return wrapBoltBucket(b), err
}
func (x boltTx) DeleteBucket(name []byte) error { return x.tx.DeleteBucket(name) }
func (x boltTx) Cursor() kvCursor               { return x.tx.Cursor() }
func (x boltTx) Check() []error                 { return collect(x.tx.Check()) }
func (x boltTx) Size() int64                    { return x.tx.Size() }
func (x boltTx) ID() int                        { return x.tx.ID() }
func (x boltTx) WriteTo(w io.Writer) (int64, error) {
	return x.tx.WriteTo(w)
}

type boltBucket struct{ b *bolt.Bucket }

func (x boltBucket) Bucket(name []byte) kvBucket { return wrapBoltBucket(x.b.Bucket(name)) }
func (x boltBucket) CreateBucket(name []byte) (kvBucket, error) {
	b, err := x.b.CreateBucket(name)
	return wrapBoltBucket(b), err
}
func (x boltBucket) DeleteBucket(name []byte) error { return x.b.DeleteBucket(name) }
func (x boltBucket) Get(key []byte) []byte          { return x.b.Get(key) }
func (x boltBucket) Put(key, value []byte) error    { return x.b.Put(key, value) }
func (x boltBucket) Delete(key []byte) error        { return x.b.Delete(key) }
func (x boltBucket) Cursor() kvCursor               { return x.b.Cursor() }
func (x boltBucket) Sequence() uint64               { return x.b.Sequence() }
func (x boltBucket) SetSequence(v uint64) error     { return x.b.SetSequence(v) }
func (x boltBucket) NextSequence() (uint64, error)  { return x.b.NextSequence() }
func (x boltBucket) SetFillPercent(f float64)       { x.b.FillPercent = f }
func (x boltBucket) Stats() bucketStats {
	var s bucketStats
	copyFields(&s, x.b.Stats())
	return s
}
