// Package compat proves the migration path from go.etcd.io/bbolt to bolt
// (README.md, "Migrating from bbolt"): a program written for bbolt,
// testdata/bboltprog, builds unchanged against bolt after the documented
// step, from a local clone and from a published release, and behaves as it
// does with bbolt (TestMigration). It also keeps the compatibility modules
// compat/bbolt and compat/boltdb, which ./gen writes, complete and up to
// date (TestCompatUpToDate).
package compat

//go:generate go run ./gen
