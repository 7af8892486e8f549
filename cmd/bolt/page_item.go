package main

import (
	"fmt"
	"strconv"

	"github.com/boltkv/bolt/internal/rawpage"
)

func pageItemCommand() *command {
	return &command{
		name:    "page-item",
		args:    "<bbolt-file> <pageid> <itemid>",
		summary: "print the key and value of one element of a leaf page",
		help:    "The key and the value are printed on a line each.",
		nargs:   exactArgs(3),
		setup: func(fs *flagSet) func(*cli, []string) error {
			keyOnly := fs.Bool("key-only", false, "print only the key")
			valueOnly := fs.Bool("value-only", false, "print only the value")
			format := fs.String("format", "auto", "output format, one of "+formatModes)
			return func(c *cli, args []string) error {
				pageID, err := strconv.ParseUint(args[1], 10, 64)
				if err != nil {
					return usagef("invalid page id %q", args[1])
				}
				itemID, err := strconv.ParseUint(args[2], 10, 64)
				if err != nil {
					return usagef("invalid item id %q", args[2])
				}
				if *keyOnly && *valueOnly {
					return usagef("the --key-only or --value-only flag may be set, but not both")
				}
				if err := checkFormat(*format); err != nil {
					return err
				}
				pf, err := openPageFile(args[0], false)
				if err != nil {
					return err
				}
				defer pf.Close()
				h, buf, err := pf.readPage(pageID)
				if err != nil {
					return err
				}
				if itemID >= uint64(h.Count) {
					return fmt.Errorf("leafPageElement: expected item index less than %d, but got %d", h.Count, itemID)
				}
				if h.Flags != rawpage.LeafPageFlag {
					return fmt.Errorf("leafPageElement: expected page type of 'leaf', but got '%s'", h.Type())
				}
				elems, err := rawpage.DecodeLeaf(buf)
				if err != nil {
					return err
				}
				e := elems[itemID]
				if !*valueOnly {
					fmt.Fprintln(c.stdout, formatBytes(e.Key, *format))
				}
				if !*keyOnly {
					fmt.Fprintln(c.stdout, formatBytes(e.Value, *format))
				}
				return nil
			}
		},
	}
}
