//go:build !386 && !amd64 && !arm && !arm64 && !loong64 && !mips && !mipsle && !mips64 && !mips64le && !ppc && !ppc64 && !ppc64le && !riscv64 && !s390x

package bolt

// Limits for every architecture that has no file of its own. Nobody has
// checked bolt there, so Open refuses to run; the values are only the
// conservative 32-bit ones, so that the package still compiles.
const (
	// archSupported stops Open with a "not supported on GOOS/GOARCH" error.
	archSupported = false

	// maxMapSize is the largest mapping, kept to what any 32-bit address
	// space can hold.
	maxMapSize = 0x7FFFFFFF

	// maxAllocSize bounds one allocation and one pwrite chunk.
	maxAllocSize = 0xFFFFFFF
)
