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

// version is the version of the module the binary was built from, as the Go
// tool recorded it ("go install …@v1.2.3"), or "devel" for a local build.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
