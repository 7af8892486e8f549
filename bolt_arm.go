package bolt

// Limits for arm. The values are bbolt's, so a file that bbolt can open here
// bolt can open too.
const (
	// archSupported lets Open proceed: the limits below suit this architecture.
	archSupported = true

	// maxMapSize is the largest mapping: 2 GiB, all a 32-bit process on arm can
	// hope to find, and still within a signed int.
	maxMapSize = 0x7FFFFFFF

	// maxAllocSize bounds one allocation and one pwrite chunk. 256 MiB is about
	// the largest contiguous block a 32-bit address space that also holds the
	// mapping can be relied on to have.
	maxAllocSize = 0xFFFFFFF
)
