//go:build js && wasm

package kernels

import (
	"syscall/js"
	"time"
)

// cpuTime returns the CPU time used so far by the Node process, so benchmarks
// can report a rate that does not depend on how loaded the machine is.
func cpuTime() time.Duration {
	u := js.Global().Get("process").Call("cpuUsage")
	return time.Duration(u.Get("user").Float()+u.Get("system").Float()) * time.Microsecond
}
