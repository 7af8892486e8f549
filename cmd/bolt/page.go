package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/boltkv/bolt/internal/rawpage"
)

// pageSeparator separates pages in the page and dump commands' output.
const pageSeparator = "==============================================="

func pageCommand() *command {
	return &command{
		name:    "page",
		args:    "<bbolt-file> [pageid…]",
		summary: "print one or more pages in human-readable form",
		help: `Page reads the pages straight from the file, so that it works on
damaged files too. A page that cannot be printed is reported and skipped.`,
		nargs: minArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			all := fs.Bool("all", false, "print every page below the high-water mark")
			format := fs.String("format-value", "auto", "output format of leaf values, one of "+formatModes)
			return func(c *cli, args []string) error {
				ids, err := parsePageIDs(args[1:])
				if err != nil {
					return err
				}
				if *all && len(ids) != 0 {
					return usagef("invalid args: either use '--all' or 'pageid...'")
				}
				if !*all && len(ids) == 0 {
					return usageError{errPageIDRequired.Error()}
				}
				if err := checkFormat(*format); err != nil {
					return err
				}
				pf, err := openPageFile(args[0], false)
				if err != nil {
					return err
				}
				defer pf.Close()
				if *all {
					for id := uint64(0); id < pf.hwm; {
						if id > 0 {
							fmt.Fprintln(c.stdout, pageSeparator)
						}
						overflow, err := printPage(c.stdout, pf, id, *format)
						if err != nil {
							fmt.Fprintf(c.stdout, "Printing page %d failed: %s. Continuing...\n", id, err)
							overflow = 0
						}
						id += uint64(overflow) + 1
					}
					return nil
				}
				for i, id := range ids {
					if i > 0 {
						fmt.Fprintln(c.stdout, pageSeparator)
					}
					if _, err := printPage(c.stdout, pf, id, *format); err != nil {
						fmt.Fprintf(c.stdout, "Printing page %d failed: %s. Continuing...\n", id, err)
					}
				}
				return nil
			}
		},
	}
}

// parsePageIDs parses page ids, skipping empty arguments as bbolt does.
func parsePageIDs(args []string) ([]uint64, error) {
	var ids []uint64
	for _, a := range args {
		if a == "" {
			continue
		}
		id, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			return nil, usagef("invalid page id %q", a)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// printPage prints one logical page and returns its overflow count.
func printPage(w io.Writer, pf *pageFile, id uint64, format string) (uint32, error) {
	h, buf, err := pf.readPage(id)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(w, "Page ID:    %d\n", h.ID)
	fmt.Fprintf(w, "Page Type:  %s\n", h.Type())
	fmt.Fprintf(w, "Total Size: %d bytes\n", len(buf))
	fmt.Fprintf(w, "Overflow pages: %d\n", h.Overflow)
	switch h.Flags {
	case rawpage.MetaPageFlag:
		err = printMeta(w, buf)
	case rawpage.LeafPageFlag:
		err = printLeaf(w, buf, format)
	case rawpage.BranchPageFlag:
		err = printBranch(w, buf)
	case rawpage.FreelistPageFlag:
		err = printFreelist(w, buf, h)
	}
	if err != nil {
		return 0, err
	}
	return h.Overflow, nil
}

func printMeta(w io.Writer, buf []byte) error {
	m, err := rawpage.DecodeMeta(buf)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Version:    %d\n", m.Version)
	fmt.Fprintf(w, "Page Size:  %d bytes\n", m.PageSize)
	fmt.Fprintf(w, "Flags:      %08x\n", m.Flags)
	fmt.Fprintf(w, "Root:       <pgid=%d>\n", m.Root)
	fmt.Fprintf(w, "Freelist:   <pgid=%d>\n", m.Freelist)
	fmt.Fprintf(w, "HWM:        <pgid=%d>\n", m.Pgid)
	fmt.Fprintf(w, "Txn ID:     %d\n", m.Txid)
	fmt.Fprintf(w, "Checksum:   %016x\n", m.Checksum)
	fmt.Fprintf(w, "\n")
	return nil
}

func printLeaf(w io.Writer, buf []byte, format string) error {
	elems, err := rawpage.DecodeLeaf(buf)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Item Count: %d\n\n", len(elems))
	for _, e := range elems {
		var v string
		if e.Flags&rawpage.BucketLeafFlag != 0 {
			root, seq, err := rawpage.DecodeBucketHeader(e.Value)
			if err != nil {
				return err
			}
			v = fmt.Sprintf("<pgid=%d,seq=%d>", root, seq)
		} else {
			v = formatBytes(e.Value, format)
		}
		fmt.Fprintf(w, "%s: %s\n", quotedOrHex(e.Key), v)
	}
	fmt.Fprintf(w, "\n")
	return nil
}

func printBranch(w io.Writer, buf []byte) error {
	elems, err := rawpage.DecodeBranch(buf)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Item Count: %d\n\n", len(elems))
	for _, e := range elems {
		fmt.Fprintf(w, "%s: <pgid=%d>\n", quotedOrHex(e.Key), e.Pgid)
	}
	fmt.Fprintf(w, "\n")
	return nil
}

func printFreelist(w io.Writer, buf []byte, h rawpage.Header) error {
	ids, err := rawpage.DecodeFreelist(buf)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Item Count: %d\n", len(ids))
	fmt.Fprintf(w, "Overflow: %d\n\n", h.Overflow)
	for _, id := range ids {
		fmt.Fprintf(w, "%d\n", id)
	}
	fmt.Fprintf(w, "\n")
	return nil
}
