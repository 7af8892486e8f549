package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// evict writes the file's dirty pages and drops all its pages from the page
// cache. Pages still mapped by a process stay; the children that map the
// file have exited by then.
func evict(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}

// majorFaults is the process's count of page faults that waited for the
// disk.
func majorFaults() int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Majflt
}

// readBytes is read_bytes of /proc/self/io: the bytes this process caused
// to be read from storage, read-ahead included.
func readBytes() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "read_bytes:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// newMemCgroup makes a memory cgroup limited to limit bytes: cgroup v1's
// memory.limit_in_bytes under /sys/fs/cgroup/memory, else cgroup v2's
// memory.max under the first cgroup2 mount with the memory controller. It
// returns the directory to join and a function that removes it.
func newMemCgroup(limit int64) (string, func(), error) {
	name := fmt.Sprintf("headtohead-%d-%d", os.Getpid(), time.Now().UnixNano())
	var errs []error
	if dir, err := makeCgroup("/sys/fs/cgroup/memory", name, "memory.limit_in_bytes", limit); err == nil {
		return dir, func() { removeCgroup(dir) }, nil
	} else {
		errs = append(errs, fmt.Errorf("v1: %w", err))
	}
	for _, root := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		ctl, err := os.ReadFile(filepath.Join(root, "cgroup.subtree_control"))
		if err != nil {
			continue
		}
		if !bytes.Contains(ctl, []byte("memory")) {
			errs = append(errs, fmt.Errorf("v2 at %s: memory controller not enabled for children", root))
			continue
		}
		if dir, err := makeCgroup(root, name, "memory.max", limit); err == nil {
			return dir, func() { removeCgroup(dir) }, nil
		} else {
			errs = append(errs, fmt.Errorf("v2 at %s: %w", root, err))
		}
	}
	return "", nil, errors.Join(errs...)
}

func makeCgroup(root, name, limitFile string, limit int64) (string, error) {
	dir := filepath.Join(root, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, limitFile), []byte(strconv.FormatInt(limit, 10)), 0); err != nil {
		removeCgroup(dir)
		return "", err
	}
	return dir, nil
}

// removeCgroup removes a cgroup whose processes have exited; the kernel may
// take a moment to notice they are gone.
func removeCgroup(dir string) {
	for i := 0; i < 50; i++ {
		if err := os.Remove(dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// joinCgroup moves this process into the cgroup dir.
func joinCgroup(dir string) error {
	return os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0)
}
