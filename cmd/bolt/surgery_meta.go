package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/boltkv/bolt/internal/rawpage"
)

func surgeryMetaCommand() *command {
	return &command{
		name:    "meta",
		args:    "<subcommand>",
		summary: "validate or rewrite the meta pages",
		subs: []*command{
			surgeryMetaValidateCommand(),
			surgeryMetaUpdateCommand(),
		},
	}
}

func surgeryMetaValidateCommand() *command {
	return &command{
		name:    "validate",
		args:    "<bbolt-file>",
		summary: "check the magic, version and checksum of both meta pages",
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			return func(c *cli, args []string) error {
				pf, err := openPageFileAnyway(args[0], false)
				if err != nil {
					return err
				}
				defer pf.Close()
				for i, err := range pf.metaErrs {
					if err != nil {
						fmt.Fprintf(c.stdout, "WARNING: The meta page %d isn't valid: %v!\n", i, err)
					} else {
						fmt.Fprintf(c.stdout, "The meta page %d is valid!\n", i)
					}
				}
				return nil
			}
		},
	}
}

// metaFields are the fields "meta update" may set.
var metaFields = map[string]func(m *rawpage.Meta, v uint64){
	"pageSize": func(m *rawpage.Meta, v uint64) { m.PageSize = uint32(v) },
	"root":     func(m *rawpage.Meta, v uint64) { m.Root, m.Sequence = v, 0 },
	"freelist": func(m *rawpage.Meta, v uint64) { m.Freelist = v },
	"pgid":     func(m *rawpage.Meta, v uint64) { m.Pgid = v },
}

func surgeryMetaUpdateCommand() *command {
	return &command{
		name:    "update",
		args:    "<bbolt-file> --output <dst> --meta-page 0|1 --fields k:v,…",
		summary: "rewrite fields of a meta page",
		help: `The fields that may be set are pageSize, root, freelist and pgid, given as
comma-separated name:value pairs (--fields may be repeated). Setting root
resets the root bucket's sequence to 0. The magic, version and flags are
forced to their proper values and the checksum is recomputed.`,
		nargs: exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			output := outputFlag(fs)
			var fields stringList
			fs.Var(&fields, "fields", "comma-separated `name:value` pairs to set")
			metaPage := fs.Uint64("meta-page", 0, "the meta page to rewrite, 0 or 1")
			return func(c *cli, args []string) error {
				if *metaPage > 1 {
					return usagef("invalid meta page id: %d", *metaPage)
				}
				values := map[string]uint64{}
				for _, f := range fields {
					k, v, ok := strings.Cut(f, ":")
					if !ok || strings.Contains(v, ":") {
						return usagef("invalid key-value pair: %s", f)
					}
					if metaFields[k] == nil {
						return usagef("field %q isn't allowed to be updated", k)
					}
					n, err := strconv.ParseUint(v, 10, 64)
					if err != nil {
						return usagef("invalid value %q for field %q", v, k)
					}
					values[k] = n
				}
				var changed, mismatch bool
				var m rawpage.Meta
				var pageSize uint32
				err := surgery(args[0], *output, true, func(pf *pageFile) error {
					var err error
					changed, m, err = updateMeta(pf, *metaPage, values)
					if err != nil {
						return fmt.Errorf("[meta update] %w", err)
					}
					mismatch = *metaPage == 1 && pf.metas[0].PageSize != m.PageSize
					pageSize = pf.metas[0].PageSize
					return nil
				})
				if err != nil {
					return err
				}
				if mismatch {
					fmt.Fprintf(c.stdout, "WARNING: The page size (%d) in the first meta page doesn't match the second meta page (%d)\n", pageSize, m.PageSize)
				}
				if changed {
					fmt.Fprintf(c.stdout, "The meta page %d has been updated!\n", *metaPage)
				} else {
					fmt.Fprintln(c.stdout, "Nothing changed!")
				}
				return nil
			}
		},
	}
}

// updateMeta sets fields of meta page id, forces the magic, version and
// flags, and writes it back with a new checksum if anything changed.
func updateMeta(pf *pageFile, id uint64, values map[string]uint64) (bool, rawpage.Meta, error) {
	off := int64(id) * int64(pf.pageSize)
	buf := make([]byte, rawpage.HeaderSize+rawpage.MetaSize)
	n, err := pf.f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, rawpage.Meta{}, fmt.Errorf("read meta page %d failed: %w", id, err)
	}
	buf = buf[:n]
	before, err := rawpage.DecodeMeta(buf)
	if err != nil {
		return false, before, fmt.Errorf("read meta page %d failed: %w", id, err)
	}
	m := before
	for k, v := range values {
		metaFields[k](&m, v)
	}
	m.Magic, m.Version, m.Flags = rawpage.Magic, rawpage.Version, uint32(rawpage.MetaPageFlag)
	m.Checksum = m.Sum()
	if len(values) == 0 && m == before {
		return false, m, nil
	}
	if err := rawpage.EncodeMeta(buf, m); err != nil {
		return false, m, err
	}
	if _, err := pf.f.WriteAt(buf, off); err != nil {
		return false, m, fmt.Errorf("write meta page %d failed: %w", id, err)
	}
	return true, m, nil
}
