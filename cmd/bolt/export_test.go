package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/boltkv/bolt"
)

func TestExport(t *testing.T) {
	db := newDB(t, func(tx *bolt.Tx) error {
		a, err := tx.CreateBucket([]byte("a"))
		if err != nil {
			return err
		}
		if err := a.SetSequence(5); err != nil {
			return err
		}
		if err := a.Put([]byte("k<1>"), []byte{0, 0xff}); err != nil {
			return err
		}
		if err := a.Put([]byte("z"), []byte{}); err != nil {
			return err
		}
		n, err := a.CreateBucket([]byte("n"))
		if err != nil {
			return err
		}
		if err := n.Put([]byte("x"), []byte("y")); err != nil {
			return err
		}
		_, err = tx.CreateBucket([]byte{0xff})
		return err
	})
	const want = `{"bucket":["YQ=="],"seq":5}
{"bucket":["YQ=="],"key":"azwxPg==","value":"AP8="}
{"bucket":["YQ==","bg=="],"seq":0}
{"bucket":["YQ==","bg=="],"key":"eA==","value":"eQ=="}
{"bucket":["YQ=="],"key":"eg==","value":""}
{"bucket":["/w=="],"seq":0}
`
	if got := mustRun(t, "export", db); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	out := filepath.Join(t.TempDir(), "out.jsonl")
	if got := mustRun(t, "export", db, "-o", out); got != "" {
		t.Errorf("stdout %q", got)
	}
	if data, _ := os.ReadFile(out); string(data) != want {
		t.Errorf("file %q", data)
	}
	wantFailure(t, runBolt(t, "export", db, "--output", out), "exists")
	if got := mustRun(t, "export", newDB(t, nil)); got != "" {
		t.Errorf("empty database: %q", got)
	}
}
