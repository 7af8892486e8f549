// Command probe prints the platform it was built for. .ci/platforms.sh
// builds it for linux/386 and runs it to learn whether this host executes
// 32-bit x86 binaries: some kernels are built without IA-32 emulation, and
// there the binary fails with "exec format error".
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("probe: %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
