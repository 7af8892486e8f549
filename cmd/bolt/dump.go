package main

import (
	"bytes"
	"fmt"
	"io"
)

func dumpCommand() *command {
	return &command{
		name:    "dump",
		args:    "<bbolt-file> <pageid> [pageid…]",
		summary: "print a hexadecimal dump of one or more pages",
		help: `Each page (its first physical page only) is printed 16 bytes per line:
the file offset, then 8 groups of 2 bytes. A run of lines equal to the one
before is collapsed into a single "<offset> *" line.`,
		nargs: minArgs(2),
		setup: func(fs *flagSet) func(*cli, []string) error {
			return func(c *cli, args []string) error {
				ids, err := parsePageIDs(args[1:])
				if err != nil {
					return err
				}
				if len(ids) == 0 {
					return usageError{errPageIDRequired.Error()}
				}
				pf, err := openPageFile(args[0], false)
				if err != nil {
					return err
				}
				defer pf.Close()
				for i, id := range ids {
					if i > 0 {
						fmt.Fprintln(c.stdout, pageSeparator)
					}
					buf, err := pf.readRaw(id, 1)
					if err != nil {
						return err
					}
					dumpPage(c.stdout, buf, id*uint64(pf.pageSize))
				}
				return nil
			}
		},
	}
}

// dumpPage prints buf, which starts at file offset addr, like hexdump(1).
func dumpPage(w io.Writer, buf []byte, addr uint64) {
	const lineSize = 16
	var prev []byte
	skipped := false
	for off := 0; off+lineSize <= len(buf); off += lineSize {
		line := buf[off : off+lineSize]
		last := off+lineSize == len(buf)
		if bytes.Equal(line, prev) && !last {
			if !skipped {
				fmt.Fprintf(w, "%07x *\n", addr+uint64(off))
				skipped = true
			}
		} else {
			fmt.Fprintf(w, "%07x %04x %04x %04x %04x %04x %04x %04x %04x\n", addr+uint64(off),
				line[0:2], line[2:4], line[4:6], line[6:8],
				line[8:10], line[10:12], line[12:14], line[14:16])
			skipped = false
		}
		prev = line
	}
	fmt.Fprint(w, "\n")
}
