package main

import (
	"strings"
	"testing"
)

func TestComplete(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{nil, "bench\trun a synthetic write and read benchmark\n"},
		{[]string{"sur"}, "surgery\trepair a damaged database, page by page\n:none\n"},
		{[]string{"surgery", "free"}, "freelist\tdrop or rebuild the persisted free list\n:none\n"},
		{[]string{"surgery", "freelist", ""}, "abandon\tremove the free list from both meta pages\nrebuild\twrite a free list into a database that has none\n:none\n"},
		{[]string{"--v"}, "--version\tprint the version of bolt\n:none\n"},
		{[]string{"page", "db", "--fo"}, "--format-value\toutput format of leaf values, one of auto|ascii-encoded|hex|bytes|redacted\n:none\n"},
		{[]string{"info", "db", "--ti"}, "--timeout\t" + strings.ReplaceAll(timeoutUsage, "`", "") + "\n:none\n"},
		{[]string{"info", ""}, ":files\n"},
		{[]string{"get", "db", "bucket", ""}, ":files\n"},
		{[]string{"compact", "-o", ""}, ":files\n"},
		{[]string{"compact", "--output", "x", ""}, ":files\n"},
		{[]string{"keys", "--format", "h"}, "hex\n:none\n"},
		{[]string{"keys", "--format=hex", "--"}, "--format\toutput format, one of auto|ascii-encoded|hex|bytes|redacted\n--timeout\t"},
		{[]string{"nosuch", ""}, ":none\n"},
		{[]string{`""`}, "bench\t"}, // PowerShell's empty word
	} {
		r := runBolt(t, append([]string{completeCmd}, tc.words...)...)
		if r.code != exitOK || !strings.Contains(r.stdout, tc.want) {
			t.Errorf("%q: exit %d, got\n%s\nwant it to contain\n%s", tc.words, r.code, r.stdout, tc.want)
		}
	}
	// Without descriptions, values only.
	if got := mustRun(t, completeNoDescCmd, "surgery", "freelist", ""); got != "abandon\nrebuild\n:none\n" {
		t.Errorf("no descriptions: %q", got)
	}
	// The hidden commands are not listed.
	if help := mustRun(t, "--help"); strings.Contains(help, "__complete") || !strings.Contains(help, "completion") {
		t.Errorf("help:\n%s", help)
	}
}

func TestCompletion_Scripts(t *testing.T) {
	for _, sh := range []string{"bash", "fish", "powershell", "zsh"} {
		script := mustRun(t, "completion", sh)
		if !strings.Contains(script, " "+completeCmd+" ") || strings.Contains(script, "@COMPLETE@") {
			t.Errorf("%s: script does not call bolt %s:\n%s", sh, completeCmd, script)
		}
		if noDesc := mustRun(t, "completion", sh, "--no-descriptions"); !strings.Contains(noDesc, " "+completeNoDescCmd+" ") {
			t.Errorf("%s --no-descriptions: script does not call bolt %s", sh, completeNoDescCmd)
		}
		if help := mustRun(t, "completion", sh, "--help"); !strings.Contains(help, "bolt completion "+sh) {
			t.Errorf("%s --help does not say how to load it:\n%s", sh, help)
		}
	}
	wantUsage(t, runBolt(t, "completion", "tcsh"), `unknown command "tcsh" for "bolt completion"`)
}
