//go:build !(js && wasm)

package engine

import (
	"syscall"
	"time"
)

// benchCPUTime returns the CPU time used so far by the process, so
// benchmarks can report a rate that does not depend on the machine's load.
func benchCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
