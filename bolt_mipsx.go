//go:build mips || mipsle

package bolt

// Limits for mips and mipsle. The values are bbolt's, so a file that bbolt can
// open here bolt can open too.
const (
	// archSupported lets Open proceed: the limits below suit this architecture.
	archSupported = true

	// maxMapSize is the largest mapping: 1 GiB, since on mips and mipsle the
	// kernel keeps half the 32-bit address space and code and heap take much of
	// the rest.
	maxMapSize = 0x40000000

	// maxAllocSize bounds one allocation and one pwrite chunk. 256 MiB is about
	// the largest contiguous block a 32-bit address space that also holds the
	// mapping can be relied on to have.
	maxAllocSize = 0xFFFFFFF
)
