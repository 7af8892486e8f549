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
				db, s, err := c.openOrSalvage(args[0], false)
				if err != nil {
					return err
				}
				if s != nil {
					defer s.Close()
					fmt.Fprintf(c.stdout, "Page Size: %d\n", s.pf.pageSize)
					return s.done(nil)
				}
				defer db.Close()
				fmt.Fprintf(c.stdout, "Page Size: %d\n", db.Info().PageSize)
				return nil
			}
		},
	}
}
