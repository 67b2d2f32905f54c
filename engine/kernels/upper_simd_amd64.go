//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

// clearUpper clears the upper halves of the vector registers (VZEROUPPER).
// Go compiles scalar float32 code to SSE instructions, which run many times
// slower while a 256- or 512-bit instruction has left those halves dirty:
// every loop written with the simd package calls it before scalar code
// follows. The generated assembly ends with VZEROUPPER itself.
func clearUpper() { archsimd.ClearAVXUpperBits() }
