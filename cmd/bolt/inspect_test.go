package main

import (
	"testing"
)

func TestInspect(t *testing.T) {
	// bbolt v1.5.0's "inspect testdata/bbolt.db".
	const want = `{
    "name": "root",
    "keyN": 0,
    "buckets": [
        {
            "name": "big",
            "keyN": 41
        },
        {
            "name": "empty",
            "keyN": 0
        },
        {
            "name": "widgets",
            "keyN": 4,
            "buckets": [
                {
                    "name": "sub",
                    "keyN": 2
                }
            ]
        }
    ]
}
`
	if got := mustRun(t, "inspect", fixture(t)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got, want := mustRun(t, "inspect", newDB(t, nil)), "{\n    \"name\": \"root\",\n    \"keyN\": 0\n}\n"; got != want {
		t.Errorf("empty database: got %q, want %q", got, want)
	}
}
