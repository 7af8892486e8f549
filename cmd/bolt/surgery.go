package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/boltkv/bolt/internal/rawpage"
)

func surgeryCommand() *command {
	return &command{
		name:    "surgery",
		args:    "<subcommand>",
		summary: "repair a damaged database, page by page",
		help: `Every surgery copies the database to --output and changes the copy: the
source file is never modified.`,
		subs: []*command{
			surgeryRevertMetaPageCommand(),
			surgeryCopyPageCommand(),
			surgeryClearPageCommand(),
			surgeryClearPageElementsCommand(),
			surgeryFreelistCommand(),
			surgeryMetaCommand(),
		},
	}
}

// outputFlag declares the --output flag every writing surgery takes.
func outputFlag(fs *flagSet) *string {
	out := fs.String("output", "", "the `file` to write the repaired copy to (must not exist)")
	fs.require("output")
	return out
}

// surgery copies src to dst and runs fn on the copy, opened for page
// access; lenient allows a copy with no valid meta page. A failed surgery
// removes the copy.
func surgery(src, dst string, lenient bool, fn func(pf *pageFile) error) (err error) {
	if dst == "" {
		return usagef("output database path wasn't given, specify output database file path with --output option")
	}
	if _, err := checkSourceDBPath(src); err != nil {
		return err
	}
	if err := copyFile(src, dst); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(dst)
		}
	}()
	open := openPageFile
	if lenient {
		open = openPageFileAnyway
	}
	pf, err := open(dst, true)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := pf.Close(); err == nil {
			err = cerr
		}
	}()
	return fn(pf)
}

// outputMode is the mode surgery's output files are created with (before
// the umask), bbolt's: the copy is opened again for writing, so it must be
// writable by its owner whatever the source's mode (a 0444 source is
// common: backups, read-only mounts).
const outputMode = 0o644

// copyFile copies src to dst, which must not exist, creating dst with
// outputMode.
func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("failed to open source file %q: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, outputMode)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("output file %q already exists", dst)
	} else if err != nil {
		return fmt.Errorf("failed to create output file %q: %w", dst, err)
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return fmt.Errorf("failed to copy database file from %q to %q: %w", src, dst, err)
	}
	return out.Sync()
}

func surgeryRevertMetaPageCommand() *command {
	return &command{
		name:    "revert-meta-page",
		args:    "<bbolt-file> --output <dst>",
		summary: "revert the last transaction by overwriting the newer meta page with the older",
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			output := outputFlag(fs)
			return func(c *cli, args []string) error {
				err := surgery(args[0], *output, false, func(pf *pageFile) error {
					active := pf.activeMeta()
					if err := copyPage(pf, 1-active, active); err != nil {
						return fmt.Errorf("revert-meta-page command failed: %w", err)
					}
					return nil
				})
				if err != nil {
					return err
				}
				fmt.Fprintln(c.stdout, "The meta page is reverted.")
				return nil
			}
		},
	}
}

// copyPage copies the logical page from, with its overflow, over page to.
func copyPage(pf *pageFile, from, to uint64) error {
	h, buf, err := pf.readPage(from)
	if err != nil {
		return err
	}
	h.ID = to
	rawpage.EncodeHeader(buf, h)
	return pf.writePage(buf)
}

// warnFreelist tells the user to abandon a persisted free list that the
// surgery may have made wrong.
func (c *cli) warnFreelist(what string) {
	fmt.Fprintf(c.stdout, "WARNING: %s\n", what)
	fmt.Fprintf(c.stdout, "Please consider executing `bolt surgery freelist abandon ...`\n")
}

func surgeryCopyPageCommand() *command {
	return &command{
		name:    "copy-page",
		args:    "<bbolt-file> --output <dst> --from-page <id> --to-page <id>",
		summary: "copy a page, with its overflow pages, over another page",
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			output := outputFlag(fs)
			from := fs.Uint64("from-page", 0, "source page `id`")
			to := fs.Uint64("to-page", 0, "destination page `id`")
			fs.require("from-page", "to-page")
			return func(c *cli, args []string) error {
				if *from == *to {
					return usagef("'--from-page' and '--to-page' have the same value: %d", *from)
				}
				warn := false
				err := surgery(args[0], *output, false, func(pf *pageFile) error {
					if err := copyPage(pf, *from, *to); err != nil {
						return fmt.Errorf("copy-page command failed: %w", err)
					}
					warn = pf.freelistPersisted()
					return nil
				})
				if err != nil {
					return err
				}
				if warn {
					c.warnFreelist("the free list might have changed.")
				}
				fmt.Fprintf(c.stdout, "The page %d was successfully copied to page %d\n", *from, *to)
				return nil
			}
		},
	}
}

func surgeryClearPageCommand() *command {
	return &command{
		name:    "clear-page",
		args:    "<bbolt-file> --output <dst> --pageId <id>",
		summary: "remove all elements of a branch or leaf page",
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			output := outputFlag(fs)
			pageID := fs.Uint64("pageId", 0, "page `id` (at least 2)")
			fs.require("pageId")
			return func(c *cli, args []string) error {
				if *pageID < 2 {
					return usagef("the pageId must be at least 2, but got %d", *pageID)
				}
				var warn bool
				err := surgery(args[0], *output, false, func(pf *pageFile) (err error) {
					warn, err = clearPageElements(pf, *pageID, 0, -1)
					if err != nil {
						return fmt.Errorf("clear-page command failed: %w", err)
					}
					return nil
				})
				if err != nil {
					return err
				}
				if warn {
					c.warnFreelist("The clearing has abandoned some pages that are not yet referenced from free list.")
				}
				fmt.Fprintf(c.stdout, "The page (%d) was cleared\n", *pageID)
				return nil
			}
		},
	}
}

func surgeryClearPageElementsCommand() *command {
	return &command{
		name:    "clear-page-elements",
		args:    "<bbolt-file> --output <dst> --pageId <id> --from-index <i> --to-index <j>",
		summary: "remove the elements [from-index, to-index) of a branch or leaf page",
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			output := outputFlag(fs)
			pageID := fs.Uint64("pageId", 0, "page `id` (at least 2)")
			from := fs.Int("from-index", 0, "first element `index` to remove, from 0")
			to := fs.Int("to-index", 0, "element `index` to stop at (excluded); -1 means the end of the page")
			fs.require("pageId", "from-index", "to-index")
			return func(c *cli, args []string) error {
				if *pageID < 2 {
					return usagef("the pageId must be at least 2, but got %d", *pageID)
				}
				var warn bool
				err := surgery(args[0], *output, false, func(pf *pageFile) (err error) {
					warn, err = clearPageElements(pf, *pageID, *from, *to)
					if err != nil {
						return fmt.Errorf("clear-page-element command failed: %w", err)
					}
					return nil
				})
				if err != nil {
					return err
				}
				if warn {
					c.warnFreelist("The clearing has abandoned some pages that are not yet referenced from free list.")
				}
				fmt.Fprintf(c.stdout, "All elements in [%d, %d) in page %d were cleared\n", *from, *to, *pageID)
				return nil
			}
		},
	}
}

// clearPageElements removes the elements [start, end) of a branch or leaf
// page (end -1 means the page's end) and rewrites it, packed. It reports
// whether pages may now be neither reachable nor in the persisted free
// list: those of a shrunken overflow, of removed branch children, and of
// removed non-inline buckets.
func clearPageElements(pf *pageFile, id uint64, start, end int) (orphans bool, err error) {
	h, buf, err := pf.readPage(id)
	if err != nil {
		return false, fmt.Errorf("ReadPage failed: %w", err)
	}
	if h.Flags != rawpage.LeafPageFlag && h.Flags != rawpage.BranchPageFlag {
		return false, fmt.Errorf("can't clear elements in %q page", h.Type())
	}
	count := int(h.Count)
	switch {
	case count == 0:
		return false, nil
	case start < 0 || start >= count:
		return false, fmt.Errorf("the start index (%d) is out of range [0, %d)", start, count)
	case (end < 0 || end > count) && end != -1:
		return false, fmt.Errorf("the end index (%d) is out of range [0, %d]", end, count)
	case start > end && end != -1:
		return false, fmt.Errorf("the start index (%d) is bigger than the end index (%d)", start, end)
	case start == end:
		return false, fmt.Errorf("invalid: the start index (%d) is equal to the end index (%d)", start, end)
	}
	if end == -1 {
		end = count
	}

	var encode func(buf []byte, overflow uint32) error
	var size int
	if h.Flags == rawpage.LeafPageFlag {
		elems, err := rawpage.DecodeLeaf(buf)
		if err != nil {
			return false, err
		}
		for _, e := range elems[start:end] {
			if e.Flags&rawpage.BucketLeafFlag != 0 {
				if root, _, err := rawpage.DecodeBucketHeader(e.Value); err != nil || root != 0 {
					orphans = true
				}
			}
		}
		keep := append(elems[:start:start], elems[end:]...)
		size = rawpage.LeafSize(keep)
		encode = func(b []byte, overflow uint32) error { return rawpage.EncodeLeaf(b, id, overflow, keep) }
	} else {
		elems, err := rawpage.DecodeBranch(buf)
		if err != nil {
			return false, err
		}
		keep := append(elems[:start:start], elems[end:]...)
		size = rawpage.BranchSize(keep)
		encode = func(b []byte, overflow uint32) error { return rawpage.EncodeBranch(b, id, overflow, keep) }
		orphans = true
	}

	overflow := uint32((size+pf.pageSize-1)/pf.pageSize - 1)
	out := make([]byte, (int(overflow)+1)*pf.pageSize)
	if err := encode(out, overflow); err != nil {
		return false, err
	}
	if err := pf.writePage(out); err != nil {
		return false, fmt.Errorf("WritePage failed: %w", err)
	}
	if overflow != h.Overflow {
		orphans = true
	}
	return orphans && pf.freelistPersisted(), nil
}
