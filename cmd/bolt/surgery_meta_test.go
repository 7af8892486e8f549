package main

import (
	"strings"
	"testing"

	"github.com/boltkv/bolt/internal/rawpage"
)

func TestSurgery_MetaValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
		want   string
	}{
		{"valid", func(*testing.T, string) {}, "The meta page 0 is valid!\nThe meta page 1 is valid!\n"},
		{"checksum", func(t *testing.T, p string) { writeAt(t, p, 16+40, []byte{0x77}) },
			"WARNING: The meta page 0 isn't valid: checksum error!\nThe meta page 1 is valid!\n"},
		{"version", func(t *testing.T, p string) { writeAt(t, p, 4096+16+4, []byte{3}) },
			"The meta page 0 is valid!\nWARNING: The meta page 1 isn't valid: version mismatch!\n"},
		// Meta 1 is found without meta 0's page size.
		{"magic", func(t *testing.T, p string) { writeAt(t, p, 0, make([]byte, 4096)) },
			"WARNING: The meta page 0 isn't valid: invalid database!\nThe meta page 1 is valid!\n"},
		{"both", func(t *testing.T, p string) { writeAt(t, p, 0, make([]byte, 8192)) },
			"WARNING: The meta page 0 isn't valid: invalid database!\nWARNING: The meta page 1 isn't valid: invalid database!\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := fixture(t)
			tc.damage(t, path)
			if got := mustRun(t, "surgery", "meta", "validate", path); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSurgery_MetaUpdate(t *testing.T) {
	src := fixture(t)
	out, dst := surgeryRun(t, src, "meta", "update", "--meta-page", "1", "--fields", "root:5,pgid:20", "--fields", "freelist:9")
	if out != "The meta page 1 has been updated!\n" {
		t.Errorf("output %q", out)
	}
	m := metaAt(t, dst, 1)
	want := metaAt(t, src, 1)
	want.Root, want.Sequence, want.Pgid, want.Freelist, want.Flags = 5, 0, 20, 9, uint32(rawpage.MetaPageFlag)
	want.Checksum = want.Sum()
	if m != want {
		t.Errorf("meta 1 = %+v, want %+v", m, want)
	}
	if err := m.Validate(); err != nil {
		t.Error(err)
	}
	if metaAt(t, dst, 0) != metaAt(t, src, 0) {
		t.Error("meta 0 changed")
	}

	// A broken checksum is repaired; a second update has nothing to do.
	broken := fixture(t)
	writeAt(t, broken, 16+40, []byte{0x77})
	out, fixed := surgeryRun(t, broken, "meta", "update", "--meta-page", "0", "--fields", "pgid:15")
	if out != "The meta page 0 has been updated!\n" {
		t.Errorf("output %q", out)
	}
	mustCheck(t, fixed)
	if out, _ := surgeryRun(t, fixed, "meta", "update"); out != "Nothing changed!\n" {
		t.Errorf("output %q", out)
	}

	out, _ = surgeryRun(t, src, "meta", "update", "--meta-page", "1", "--fields", "pageSize:8192")
	if want := "WARNING: The page size (4096) in the first meta page doesn't match the second meta page (8192)\nThe meta page 1 has been updated!\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
}

func TestSurgery_MetaUpdate_Usage(t *testing.T) {
	src := fixture(t)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--meta-page", "2"}, "invalid meta page id: 2"},
		{[]string{"--fields", "foo:1"}, `field "foo" isn't allowed to be updated`},
		{[]string{"--fields", "root"}, "invalid key-value pair: root"},
		{[]string{"--fields", "root:1:2"}, "invalid key-value pair: root:1:2"},
		{[]string{"--fields", "root:x"}, `invalid value "x" for field "root"`},
	} {
		args := append([]string{"surgery", "meta", "update", src, "--output", "x"}, tc.args...)
		wantUsage(t, runBolt(t, args...), "surgery meta update: "+tc.msg)
	}
	if r := runBolt(t, "surgery", "meta", "update", src); !strings.Contains(r.stderr, `required flag(s) "output" not set`) {
		t.Errorf("stderr %q", r.stderr)
	}
}
