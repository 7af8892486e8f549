// Package compacthook lets the bolt command run the library's Compact with a
// progress callback, which bbolt's API has no place for: the command draws
// a progress bar from it instead of re-implementing Compact's walk, and the
// library's exported API stays bbolt's.
//
// This package cannot import package bolt (bolt imports it), so bolt hands
// its implementation over when it is initialized, through Register; it is
// set once, before any caller can run, and never changed.
package compacthook

import "errors"

// impl is package bolt's compaction, a
// func(dst, src *bolt.DB, txMaxSize int64, progress func()) error, held
// untyped because this package cannot name bolt.DB.
var impl any

// Register is called once, by package bolt's initialization, with its
// compaction function.
func Register[DB any](compact func(dst, src DB, txMaxSize int64, progress func()) error) {
	impl = compact
}

// ErrNotRegistered is returned by Compact when no compaction for DB was
// registered: package bolt was not linked in, or DB is not *bolt.DB.
var ErrNotRegistered = errors.New("bolt: no compaction registered for this DB type")

// Compact is bolt.Compact(dst, src, txMaxSize) that also calls progress
// after each key, value or bucket it copies, at every nesting level, in
// the order it copies them. DB is *bolt.DB.
func Compact[DB any](dst, src DB, txMaxSize int64, progress func()) error {
	f, ok := impl.(func(dst, src DB, txMaxSize int64, progress func()) error)
	if !ok {
		return ErrNotRegistered
	}
	return f(dst, src, txMaxSize, progress)
}
