package kernels

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs every test and benchmark once per instruction-set level the
// CPU supports (on amd64: the Go loops, AVX2 and AVX-512 assembly), so the
// generated kernels and their fallback meet the same checks.
// KERNELS_ISA=generic|avx2|avx512 runs one level only.
func TestMain(m *testing.M) {
	levels := isaLevels()
	if want := os.Getenv("KERNELS_ISA"); want != "" {
		levels = nil
		for _, l := range isaLevels() {
			if l.String() == want {
				levels = append(levels, l)
			}
		}
		if levels == nil {
			fmt.Fprintf(os.Stderr, "KERNELS_ISA=%s: not supported here (have %v)\n", want, isaLevels())
			os.Exit(2)
		}
	}
	code := 0
	for _, l := range levels {
		isa = l
		fmt.Printf("kernels: level %v\n", l)
		if c := m.Run(); c != 0 {
			code = c
		}
	}
	os.Exit(code)
}
