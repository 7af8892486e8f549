package main

import "fmt"

func infoCommand() *command {
	return &command{
		name:    "info",
		args:    "<bbolt-file>",
		summary: "print basic information about the database",
		opensDB: true,
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			return func(c *cli, args []string) error {
				db, err := c.openReadOnly(args[0], false)
				if err != nil {
					return err
				}
				defer db.Close()
				fmt.Fprintf(c.stdout, "Page Size: %d\n", db.Info().PageSize)
				return nil
			}
		},
	}
}
