package main

import (
	"testing"
)

func TestFormatBytes(t *testing.T) {
	for _, tc := range []struct {
		in           string
		format, want string
	}{
		{"abc", "auto", "abc"},
		{"a\nb", "auto", "610a62"},
		{"\xff", "auto", "ff"},
		{"日本", "auto", "日本"},
		{"", "auto", ""},
		{"a\nb", "ascii-encoded", `"a\nb"`},
		{"a\nb", "hex", "610a62"},
		{"a\nb", "bytes", "a\nb"},
		{"", "redacted", "<redacted len:0 sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855>"},
	} {
		if got := formatBytes([]byte(tc.in), tc.format); got != tc.want {
			t.Errorf("formatBytes(%q, %s) = %q, want %q", tc.in, tc.format, got, tc.want)
		}
	}
	if quotedOrHex([]byte("a b")) != `"a b"` || quotedOrHex([]byte{0, 1}) != "0001" {
		t.Error("quotedOrHex")
	}
}

func TestParseBytes(t *testing.T) {
	if b, err := parseBytes("00ff", "hex"); err != nil || string(b) != "\x00\xff" {
		t.Errorf("hex: %q %v", b, err)
	}
	if b, err := parseBytes("00ff", "ascii-encoded"); err != nil || string(b) != "00ff" {
		t.Errorf("ascii-encoded: %q %v", b, err)
	}
	if _, err := parseBytes("0", "hex"); err == nil {
		t.Error("odd hex accepted")
	}
	for _, f := range []string{"auto", "ascii-encoded", "hex", "bytes", "redacted"} {
		if checkFormat(f) != nil {
			t.Errorf("%s rejected", f)
		}
	}
	if checkFormat("json") == nil || checkParseFormat("bytes") == nil {
		t.Error("bad format accepted")
	}
}
