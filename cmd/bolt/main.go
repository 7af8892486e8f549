// Command bolt inspects, repairs, benchmarks, exports and imports bolt and
// bbolt database files.
//
// Its commands, flags and output formats are those of bbolt v1.5.0's CLI, so
// that scripts written for it keep working, plus put, delete,
// delete-bucket, create-bucket, export and import. Flags may come before or
// after the arguments. Commands that only read open the file read-only and
// never change it; surgery writes a repaired copy and never touches its
// source; info, buckets, keys, get and export read what is left of a
// truncated file, with warnings. Every command that opens a database waits
// for another process's lock at most --timeout, saying so after a second.
// The exit status is 0 on success, 1 when a command fails (check finding
// problems, or a salvage that had to skip pages, included) and 2 for a bad
// command line, with a one-line message on stderr. Run "bolt help" for the list of commands and
// "bolt <command> --help" for one of them.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
