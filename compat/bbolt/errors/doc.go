// Package errors is bolt's errors package (github.com/boltkv/bolt/errors)
// under bbolt's import path go.etcd.io/bbolt/errors; see package bbolt of
// this module.
//
// Each variable holds the very value of bolt's variable of the same name,
// which is also the value of the package bbolt variable of that name, so
// err == errors.ErrBucketNotFound and errors.Is(err,
// errors.ErrBucketNotFound) hold for every error bolt returns, through any
// of the three import paths.
package errors
