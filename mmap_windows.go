package bolt

import (
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// mmap maps f read-only. A Windows mapping cannot extend past the end of its
// file, so a writable DB first grows the file to size; the file therefore
// grows in the same steps as the mapping. A read-only DB may not grow the
// file, so it maps the whole file and returns min(size, file size) bytes.
// flags has no Windows equivalent and is ignored.
//
// The view shares pages with the file cache, so data written with WriteFile
// is visible through it at once.
func mmap(f *os.File, size int, flags int, writable bool) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	// hi and lo give the mapping's size; 0, 0 means "the whole file".
	var hi, lo uint32
	length := size
	if writable {
		if fi.Size() < int64(size) {
			if err := f.Truncate(int64(size)); err != nil {
				return nil, err
			}
		}
		hi, lo = uint32(uint64(size)>>32), uint32(size)
	} else if fi.Size() < int64(size) {
		length = int(fi.Size())
	}

	m, err := windows.CreateFileMapping(windows.Handle(f.Fd()), nil, windows.PAGE_READONLY, hi, lo, nil)
	if err != nil {
		return nil, os.NewSyscallError("CreateFileMapping", err)
	}
	// The view keeps the section alive by itself, so the handle can go now.
	defer windows.CloseHandle(m)

	addr, err := windows.MapViewOfFile(m, windows.FILE_MAP_READ, 0, 0, uintptr(length))
	if err != nil {
		return nil, os.NewSyscallError("MapViewOfFile", err)
	}
	return unsafe.Slice((*byte)(unsafe.Add(nil, addr)), length), nil
}

// munmap releases a view made by mmap. b must be the slice mmap returned.
func munmap(b []byte) error {
	if err := windows.UnmapViewOfFile(uintptr(unsafe.Pointer(&b[0]))); err != nil {
		return os.NewSyscallError("UnmapViewOfFile", err)
	}
	return nil
}

// adviseWillNeed does nothing on Windows: read-ahead is Linux's
// (readahead.go).
func adviseWillNeed(b []byte) {}

// pageResident says every page is resident, which keeps read-ahead off.
func pageResident(b []byte) bool { return true }
