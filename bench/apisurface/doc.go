// Package apisurface checks, at compile time, that bolt exports every
// identifier of go.etcd.io/bbolt (the version bench/go.mod requires) and of
// go.etcd.io/bbolt/errors with the same type, plus the github.com/boltdb/bolt
// v1.3.1 identifiers that bbolt dropped. The checks are in surface_test.go,
// and surface_strict_test.go, written by ./gen; TestSurfaceUpToDate
// fails when they are stale.
package apisurface

//go:generate go run ./gen
