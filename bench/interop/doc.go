// Package interop has no code of its own. Its tests check that
// github.com/boltkv/bolt and go.etcd.io/bbolt v1.5.0 can read and extend each
// other's files, and that the same single-threaded workload leaves identical
// page counts (and, where bbolt itself is deterministic, identical bytes) in
// both. Run them with `go test ./...` from the bench module; -seed picks the
// workload and -short scales it down.
package interop
