/*
Package bolt is an embedded key/value database: a copy-on-write B+tree in a
single memory-mapped file, with one writer and any number of concurrent
readers. It is a drop-in replacement for go.etcd.io/bbolt v1.5.0: the same
API, the same behaviour, the same error values and the same file format, so
files move freely between the two. Programs written for bbolt switch to bolt
without a source change through the module in compat/bbolt of this
repository, which takes bbolt's import paths (see the README, "Migrating
from bbolt").

# Basics

Open a file with Open; the returned DB is safe for concurrent use. Work
happens in transactions: DB.Update runs a function in a read/write
transaction and commits it, DB.View runs one in a read-only transaction.
Only one read/write transaction runs at a time; read-only ones run
alongside it and each other, each seeing the database as of the commit
before it began.

Data lives in buckets, which hold keys and values and may nest without
limit. Keys are kept in byte order; a Cursor walks them forward and back
and seeks. Keys and values returned by a transaction point into the file's
mapping and are valid only until the transaction ends.

A commit writes every changed page to a new place in the file (the old one
is freed once no reader can still see it), syncs, then writes one of the two
meta pages, which names the new tree, and syncs again. The meta page
carries a checksum: a crash at any moment leaves either the old or the new
tree, never a mix.

# Caveats

Transactions must be ended with Commit or Rollback: an open read-only
transaction keeps the pages it sees from being reused, so the file grows,
and Close waits for it. Do not begin a second transaction on a goroutine
that holds one while Close may be waiting.

A read-write transaction and its buckets and cursors must not be shared
between goroutines. Values passed to Put must not change until the
transaction commits. Slices returned from a read-only transaction point
into read-only memory: writing to them crashes the process.

The file is native-endian, as bbolt's: it moves between machines of the
same byte order only. It never shrinks: pages freed by deletes are reused,
not returned to the file system; Compact writes a dense copy. On 32-bit
platforms the mapping, and so the file, cannot exceed 2 GiB (1 GiB on
mips).

A damaged file never panics bolt. Open returns ErrInvalid, ErrVersionMismatch
or ErrChecksum for bad meta pages, and an error wrapping ErrCorrupt for
other damage. Inside a transaction, calls that cannot return an error (Get,
cursor moves) act as if the data ended at the damage, and the transaction
remembers the error: ForEach, View, Update and Commit return it.
*/
package bolt
