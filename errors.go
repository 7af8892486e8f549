package bolt

import (
	"errors"
	"fmt"

	berrors "github.com/boltkv/bolt/errors"
)

// The error values below are the very values of package
// github.com/boltkv/bolt/errors, so == and errors.Is hold across both names.
// They are kept here for code written against bbolt's root package.
var (
	// ErrDatabaseNotOpen: see errors.ErrDatabaseNotOpen.
	//
	// Deprecated: Use the value in package errors.
	ErrDatabaseNotOpen = berrors.ErrDatabaseNotOpen
	// ErrInvalid: see errors.ErrInvalid.
	//
	// Deprecated: Use the value in package errors.
	ErrInvalid = berrors.ErrInvalid
	// ErrInvalidMapping: see errors.ErrInvalidMapping.
	//
	// Deprecated: Use the value in package errors.
	ErrInvalidMapping = berrors.ErrInvalidMapping
	// ErrVersionMismatch: see errors.ErrVersionMismatch.
	//
	// Deprecated: Use the value in package errors.
	ErrVersionMismatch = berrors.ErrVersionMismatch
	// ErrChecksum: see errors.ErrChecksum.
	//
	// Deprecated: Use the value in package errors.
	ErrChecksum = berrors.ErrChecksum
	// ErrTimeout: see errors.ErrTimeout.
	//
	// Deprecated: Use the value in package errors.
	ErrTimeout = berrors.ErrTimeout
	// ErrTxNotWritable: see errors.ErrTxNotWritable.
	//
	// Deprecated: Use the value in package errors.
	ErrTxNotWritable = berrors.ErrTxNotWritable
	// ErrTxClosed: see errors.ErrTxClosed.
	//
	// Deprecated: Use the value in package errors.
	ErrTxClosed = berrors.ErrTxClosed
	// ErrDatabaseReadOnly: see errors.ErrDatabaseReadOnly.
	//
	// Deprecated: Use the value in package errors.
	ErrDatabaseReadOnly = berrors.ErrDatabaseReadOnly
	// ErrFreePagesNotLoaded: see errors.ErrFreePagesNotLoaded.
	//
	// Deprecated: Use the value in package errors.
	ErrFreePagesNotLoaded = berrors.ErrFreePagesNotLoaded
	// ErrBucketNotFound: see errors.ErrBucketNotFound.
	//
	// Deprecated: Use the value in package errors.
	ErrBucketNotFound = berrors.ErrBucketNotFound
	// ErrBucketExists: see errors.ErrBucketExists.
	//
	// Deprecated: Use the value in package errors.
	ErrBucketExists = berrors.ErrBucketExists
	// ErrBucketNameRequired: see errors.ErrBucketNameRequired.
	//
	// Deprecated: Use the value in package errors.
	ErrBucketNameRequired = berrors.ErrBucketNameRequired
	// ErrKeyRequired: see errors.ErrKeyRequired.
	//
	// Deprecated: Use the value in package errors.
	ErrKeyRequired = berrors.ErrKeyRequired
	// ErrKeyTooLarge: see errors.ErrKeyTooLarge.
	//
	// Deprecated: Use the value in package errors.
	ErrKeyTooLarge = berrors.ErrKeyTooLarge
	// ErrValueTooLarge: see errors.ErrValueTooLarge.
	//
	// Deprecated: Use the value in package errors.
	ErrValueTooLarge = berrors.ErrValueTooLarge
	// ErrIncompatibleValue: see errors.ErrIncompatibleValue.
	//
	// Deprecated: Use the value in package errors.
	ErrIncompatibleValue = berrors.ErrIncompatibleValue

	// ErrDatabaseOpen was defined by boltdb/bolt v1.3.1 and bbolt 1.3 but
	// never returned; bbolt 1.4 removed it.
	//
	// Deprecated: Never returned; kept for code written against boltdb/bolt.
	ErrDatabaseOpen = errors.New("database already open")

	// ErrCorrupt is wrapped by every error that reports a damaged page; test
	// for it with errors.Is. It is bolt's own and not deprecated.
	ErrCorrupt = berrors.ErrCorrupt
)

// corruptf returns an error wrapping ErrCorrupt that names page id, as
// "<ErrCorrupt>: page <id>: <message>". Every report of damage to a page is
// made by it, so that each one says where the damage is.
func corruptf(id Pgid, format string, args ...any) error {
	return fmt.Errorf("%w: page %d: %s", ErrCorrupt, id, fmt.Sprintf(format, args...))
}
