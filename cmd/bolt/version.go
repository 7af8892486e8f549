package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

func versionCommand() *command {
	return &command{
		name:    "version",
		summary: "print the version of bolt",
		nargs:   exactArgs(0),
		setup: func(fs *flagSet) func(*cli, []string) error {
			return func(c *cli, _ []string) error {
				fmt.Fprintf(c.stdout, "bolt Version: %s\n", version())
				fmt.Fprintf(c.stdout, "Go Version: %s\n", runtime.Version())
				fmt.Fprintf(c.stdout, "Go OS/Arch: %s/%s\n", runtime.GOOS, runtime.GOARCH)
				return nil
			}
		},
	}
}

// version is the version of the module the binary was built from.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return versionOf(bi)
}

// versionOf is the version "go install module@v1.2.3" (or a build inside a
// tagged checkout, since Go 1.24) records in the binary. A build without
// one is "devel", followed by the commit it was built from and "+dirty"
// for uncommitted changes when the Go tool recorded them.
func versionOf(bi *debug.BuildInfo) string {
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "devel"
	}
	v := "devel-" + rev[:min(len(rev), 12)]
	if modified == "true" {
		v += "+dirty"
	}
	return v
}
