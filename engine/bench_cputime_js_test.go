//go:build js && wasm

package engine

import (
	"syscall/js"
	"time"
)

// benchCPUTime returns the CPU time used so far by the Node process, so
// benchmarks can report a rate that does not depend on the machine's load.
func benchCPUTime() time.Duration {
	u := js.Global().Get("process").Call("cpuUsage")
	return time.Duration(u.Get("user").Float()+u.Get("system").Float()) * time.Microsecond
}
