// Package bolt is bolt (github.com/boltkv/bolt) under the import path of
// github.com/boltdb/bolt, for programs written for boltdb v1.3.1.
//
// It is the package of the compatibility module in compat/boltdb of bolt's
// repository, whose go.mod says "module github.com/boltdb/bolt". A program
// whose go.mod replaces github.com/boltdb/bolt with that module builds
// against bolt: every exported name of boltdb v1.3.1 is here and forwards to
// the same name in bolt. Types are aliases, so they have bolt's methods and
// fields, which are bbolt v1.5.0's: where bbolt changed boltdb's API (the
// TxStats counters are int64, Tx.Check takes options) a program sees
// bbolt's. The error values are bolt's own, the same as those of
// go.etcd.io/bbolt and go.etcd.io/bbolt/errors in the compatibility module
// compat/bbolt, so a program that uses both import paths (raft-boltdb v2
// migrating old stores) compares them across.
//
// See bolt's README, "Migrating from bbolt".
package bolt
