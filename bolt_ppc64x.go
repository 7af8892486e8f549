//go:build ppc64 || ppc64le

package bolt

// Limits for ppc64 and ppc64le. The values are bbolt's, so a file that bbolt
// can open here bolt can open too.
const (
	// archSupported lets Open proceed: the limits below suit this architecture.
	archSupported = true

	// maxMapSize is the largest mapping: 256 TiB, since ppc64 and ppc64le give
	// user space at least 48 bits of address.
	maxMapSize = 0xFFFFFFFFFFFF

	// maxAllocSize bounds one allocation and one pwrite chunk. Below 2 GiB a
	// length fits an int32, which every syscall accepts.
	maxAllocSize = 0x7FFFFFFF
)
