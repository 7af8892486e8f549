package main

import (
	"fmt"
	"strconv"

	"github.com/boltkv/bolt"
)

func pagesCommand() *command {
	return &command{
		name:    "pages",
		args:    "<bbolt-file>",
		summary: "print a table of the pages with their types",
		help: `Pages prints a table of pages with their type (meta, leaf, branch, freelist,
free). Leaf and branch pages show their key count in the ITEMS column, the
freelist the number of free pages. OVRFLW is the number of extra pages a
page spills into (large keys and values).`,
		opensDB: true,
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			return func(c *cli, args []string) error {
				db, err := c.openReadOnly(args[0], true)
				if err != nil {
					return err
				}
				defer db.Close()
				fmt.Fprintln(c.stdout, "ID       TYPE       ITEMS  OVRFLW")
				fmt.Fprintln(c.stdout, "======== ========== ====== ======")
				return db.View(func(tx *bolt.Tx) error {
					for id := 0; ; {
						p, err := tx.Page(id)
						if err != nil {
							return fmt.Errorf("page error: id=%d, err=%s", id, err)
						} else if p == nil {
							return nil
						}
						// Free pages show no count or overflow, and the
						// next id is the next page.
						var count, overflow string
						if p.Type != "free" {
							count = strconv.Itoa(p.Count)
							if p.OverflowCount > 0 {
								overflow = strconv.Itoa(p.OverflowCount)
							}
						}
						fmt.Fprintf(c.stdout, "%-8d %-10s %-6s %-6s\n", p.ID, p.Type, count, overflow)
						id++
						if p.Type != "free" {
							id += p.OverflowCount
						}
					}
				})
			}
		},
	}
}
