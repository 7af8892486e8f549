//go:build mips64 || mips64le

package bolt

// Limits for mips64 and mips64le. The values are bbolt's, so a file that bbolt
// can open here bolt can open too.
const (
	// archSupported lets Open proceed: the limits below suit this architecture.
	archSupported = true

	// maxMapSize is the largest mapping: 512 GiB, since Linux on mips64 and
	// mips64le commonly gives user space only 40 bits of address.
	maxMapSize = 0x8000000000

	// maxAllocSize bounds one allocation and one pwrite chunk. Below 2 GiB a
	// length fits an int32, which every syscall accepts.
	maxAllocSize = 0x7FFFFFFF
)
