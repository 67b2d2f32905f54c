//go:build !(js && wasm)

package kernels

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time used so far by the process, so benchmarks can
// report a rate that does not depend on how loaded the machine is.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
