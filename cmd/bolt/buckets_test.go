package main

import (
	"testing"

	"github.com/boltkv/bolt"
)

func TestBuckets(t *testing.T) {
	for _, tc := range []struct {
		name, path, want string
	}{
		{"bbolt file", fixture(t), "big\nempty\nwidgets\n"},
		{"empty", newDB(t, nil), ""},
		{"raw names", newDB(t, func(tx *bolt.Tx) error {
			for _, name := range []string{"b", "a", "\xff\x00"} {
				if _, err := tx.CreateBucket([]byte(name)); err != nil {
					return err
				}
			}
			return nil
		}), "a\nb\n\xff\x00\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustRun(t, "buckets", tc.path); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
