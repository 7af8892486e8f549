package main

import (
	"testing"
)

// emptyStats is bbolt v1.5.0's stats output for a database without buckets
// (or a prefix matching none).
const emptyStats = `Aggregate statistics for 0 buckets

Page count statistics
	Number of logical branch pages: 0
	Number of physical branch overflow pages: 0
	Number of logical leaf pages: 0
	Number of physical leaf overflow pages: 0
Tree statistics
	Number of keys/value pairs: 0
	Number of levels in B+tree: 0
Page size utilization
	Bytes allocated for physical branch pages: 0
	Bytes actually used for branch data: 0 (0%)
	Bytes allocated for physical leaf pages: 0
	Bytes actually used for leaf data: 0 (0%)
Bucket statistics
	Total number of buckets: 0
	Total number on inlined buckets: 0 (0%)
	Bytes used for inlined buckets: 0 (0%)
`

// fixtureStats is bbolt v1.5.0's "stats testdata/bbolt.db".
const fixtureStats = `Aggregate statistics for 3 buckets

Page count statistics
	Number of logical branch pages: 1
	Number of physical branch overflow pages: 0
	Number of logical leaf pages: 3
	Number of physical leaf overflow pages: 1
Tree statistics
	Number of keys/value pairs: 48
	Number of levels in B+tree: 2
Page size utilization
	Bytes allocated for physical branch pages: 4096
	Bytes actually used for branch data: 62 (1%)
	Bytes allocated for physical leaf pages: 16384
	Bytes actually used for leaf data: 6311 (38%)
Bucket statistics
	Total number of buckets: 4
	Total number on inlined buckets: 2 (50%)
	Bytes used for inlined buckets: 68 (1%)
`

// widgetsStats is bbolt v1.5.0's "stats testdata/bbolt.db wid".
const widgetsStats = `Aggregate statistics for 1 buckets

Page count statistics
	Number of logical branch pages: 0
	Number of physical branch overflow pages: 0
	Number of logical leaf pages: 1
	Number of physical leaf overflow pages: 0
Tree statistics
	Number of keys/value pairs: 7
	Number of levels in B+tree: 2
Page size utilization
	Bytes allocated for physical branch pages: 0
	Bytes actually used for branch data: 0 (0%)
	Bytes allocated for physical leaf pages: 4096
	Bytes actually used for leaf data: 198 (4%)
Bucket statistics
	Total number of buckets: 2
	Total number on inlined buckets: 1 (50%)
	Bytes used for inlined buckets: 52 (26%)
`

func TestStats(t *testing.T) {
	db := fixture(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"empty database", []string{newDB(t, nil)}, emptyStats},
		{"bbolt file", []string{db}, fixtureStats},
		{"prefix", []string{db, "wid"}, widgetsStats},
		{"prefix matching nothing", []string{db, "zzz"}, emptyStats},
		{"empty prefix", []string{db, ""}, fixtureStats},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustRun(t, append([]string{"stats"}, tc.args...)...); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
