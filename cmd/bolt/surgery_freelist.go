package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/boltkv/bolt"
	"github.com/boltkv/bolt/internal/rawpage"
)

// errFreelistExists is rebuild's refusal, in bbolt's words.
var errFreelistExists = errors.New("the file already has freelist, please consider to abandon the freelist to forcibly rebuild it")

func surgeryFreelistCommand() *command {
	return &command{
		name:    "freelist",
		args:    "<subcommand>",
		summary: "drop or rebuild the persisted free list",
		subs: []*command{
			surgeryFreelistAbandonCommand(),
			surgeryFreelistRebuildCommand(),
		},
	}
}

func surgeryFreelistAbandonCommand() *command {
	return &command{
		name:    "abandon",
		args:    "<bbolt-file> --output <dst>",
		summary: "remove the free list from both meta pages",
		help: `The next writable open rebuilds the free list by scanning the whole
database, which takes time on large files.`,
		nargs: exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			output := outputFlag(fs)
			return func(c *cli, args []string) error {
				err := surgery(args[0], *output, false, func(pf *pageFile) error {
					for id := uint64(0); id <= 1; id++ {
						if err := abandonFreelist(pf, id); err != nil {
							return fmt.Errorf("abandon-freelist command failed: clearFreelist on meta page %d failed: %w", id, err)
						}
					}
					return nil
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "The freelist was abandoned in both meta pages.\nIt may cause some delay on next startup because bolt needs to scan the whole db to reconstruct the free list.\n")
				return nil
			}
		},
	}
}

// abandonFreelist sets the freelist of meta page id to the no-freelist
// marker, with a new checksum.
func abandonFreelist(pf *pageFile, id uint64) error {
	_, buf, err := pf.readPage(id)
	if err != nil {
		return fmt.Errorf("ReadPage %d failed: %w", id, err)
	}
	m, err := rawpage.DecodeMeta(buf)
	if err != nil {
		return err
	}
	m.Freelist = rawpage.NoFreelist
	if err := rawpage.EncodeMeta(buf, m); err != nil {
		return err
	}
	if err := pf.writePage(buf); err != nil {
		return fmt.Errorf("WritePage %d failed: %w", id, err)
	}
	return nil
}

func surgeryFreelistRebuildCommand() *command {
	return &command{
		name:    "rebuild",
		args:    "<bbolt-file> --output <dst>",
		summary: "write a free list into a database that has none",
		nargs:   exactArgs(1),
		setup: func(fs *flagSet) func(*cli, []string) error {
			output := outputFlag(fs)
			return func(c *cli, args []string) error {
				if err := rebuildFreelist(args[0], *output); err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "The freelist was successfully rebuilt.\n")
				return nil
			}
		},
	}
}

func rebuildFreelist(src, dst string) (err error) {
	if dst == "" {
		return usagef("output database path wasn't given, specify output database file path with --output option")
	}
	pf, err := openPageFile(src, false)
	if err != nil {
		return err
	}
	persisted := pf.freelistPersisted()
	pf.Close()
	if persisted {
		return errFreelistExists
	}
	if err := copyFile(src, dst); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(dst)
		}
	}()
	// A writable open of a file without a free list writes one.
	db, err := bolt.Open(dst, 0o600, &bolt.Options{NoFreelistSync: false})
	if err != nil {
		return fmt.Errorf("[freelist rebuild] open db file failed: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("[freelist rebuild] close db file failed: %w", err)
	}
	return nil
}
