// Package bbolt is bolt (github.com/boltkv/bolt) under bbolt's import path
// and package name, for programs written for go.etcd.io/bbolt.
//
// It is the root package of the compatibility module in compat/bbolt of
// bolt's repository, whose go.mod says "module go.etcd.io/bbolt". A program
// whose go.mod replaces go.etcd.io/bbolt with that module builds unchanged
// against bolt: every exported name of bbolt is here, and forwards to the
// same name in bolt. Types are aliases (a *bbolt.DB is a *bolt.DB), and the
// error values are bolt's own values, which are also those of package
// go.etcd.io/bbolt/errors here, so comparisons with == and errors.Is hold
// whichever of the import paths a program or its dependencies use.
//
// The replace step, the behaviour that differs from bbolt on purpose, and
// everything else are documented in bolt's README, "Migrating from bbolt".
package bbolt
