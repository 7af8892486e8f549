// Package errors holds the error values returned by bolt. The root package
// re-exports every one of them as the same value, so callers may compare with
// == or errors.Is against either name.
//
// The texts of the values that bbolt also defines are bbolt's own, because
// clients compare messages (raft-boltdb checks "timeout"). Errors that are
// bolt's alone carry the "bolt: " prefix.
package errors

import "errors"

// Errors returned while opening, closing or beginning work on a DB.
var (
	// ErrDatabaseNotOpen is returned when a DB that was never opened, or has
	// been closed, is asked to begin a transaction.
	ErrDatabaseNotOpen = errors.New("database not open")

	// ErrInvalid is returned when both meta pages carry the wrong magic, or
	// when the page size of an existing file cannot be determined at all.
	ErrInvalid = errors.New("invalid database")

	// ErrInvalidMapping is returned when the DB is open but its mapping is
	// gone, after a remap failed.
	ErrInvalidMapping = errors.New("database isn't correctly mapped")

	// ErrVersionMismatch is returned when both meta pages have the right magic
	// number but a version other than the one this library writes.
	ErrVersionMismatch = errors.New("version mismatch")

	// ErrChecksum is returned when both meta pages fail their checksum.
	ErrChecksum = errors.New("checksum error")

	// ErrTimeout is returned when the file lock cannot be taken before
	// Options.Timeout has passed.
	ErrTimeout = errors.New("timeout")
)

// Errors returned by transactions.
var (
	// ErrTxNotWritable is returned by every mutating call made in a read-only
	// transaction, and by Commit of a read-only transaction.
	ErrTxNotWritable = errors.New("tx not writable")

	// ErrTxClosed is returned when a transaction, or a bucket or cursor of it,
	// is used after Commit or Rollback.
	ErrTxClosed = errors.New("tx closed")

	// ErrDatabaseReadOnly is returned when a write transaction is begun on a
	// DB opened with Options.ReadOnly.
	ErrDatabaseReadOnly = errors.New("database is in read-only mode")

	// ErrFreePagesNotLoaded is returned by Tx.Page on a read-only DB opened
	// without PreLoadFreelist, until something loads the free list.
	ErrFreePagesNotLoaded = errors.New("free pages are not pre-loaded")

	// ErrMaxSizeReached is returned when a commit would have to grow the file
	// past Options.MaxSize. The transaction is rolled back.
	ErrMaxSizeReached = errors.New("database reached maximum size")
)

// Errors returned by bucket and key operations.
var (
	// ErrBucketNotFound is returned when deleting or moving a bucket that
	// does not exist.
	ErrBucketNotFound = errors.New("bucket not found")

	// ErrBucketExists is returned when creating a bucket whose name is
	// already a bucket.
	ErrBucketExists = errors.New("bucket already exists")

	// ErrBucketNameRequired is returned when creating a bucket with an empty
	// name.
	ErrBucketNameRequired = errors.New("bucket name required")

	// ErrKeyRequired is returned by Put with an empty key.
	ErrKeyRequired = errors.New("key required")

	// ErrKeyTooLarge is returned by Put with a key longer than MaxKeySize.
	ErrKeyTooLarge = errors.New("key too large")

	// ErrValueTooLarge is returned by Put with a value longer than
	// MaxValueSize.
	ErrValueTooLarge = errors.New("value too large")

	// ErrIncompatibleValue is returned when a key is used as the wrong kind:
	// a value operation on a bucket key, or a bucket operation on a value key.
	ErrIncompatibleValue = errors.New("incompatible value")

	// ErrSameBuckets is returned by MoveBucket when the source and the
	// destination are the same bucket.
	ErrSameBuckets = errors.New("the source and target are the same bucket")

	// ErrDifferentDB is returned by MoveBucket when the two buckets belong to
	// different databases or different transactions.
	ErrDifferentDB = errors.New("the source and target buckets are in different database files")
)

// Errors of bolt's own.
var (
	// ErrCorrupt is wrapped by every error that reports damage found in a
	// page read from the file. The wrapping error names the page and what
	// was wrong with it; test for it with errors.Is.
	ErrCorrupt = errors.New("bolt: database file is corrupt")
)
