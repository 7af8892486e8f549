package main

import (
	"os"
	"testing"
)

// asCLIEnv, set in the environment of a re-executed test binary, makes it
// run the command line after "--" as the bolt command and exit: tests that
// need the command as a program (another user, a shell) run it so.
const asCLIEnv = "BOLT_TEST_RUN_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLIEnv) != "" {
		args := os.Args[1:]
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		os.Exit(run(args, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
