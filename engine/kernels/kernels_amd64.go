package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// isaLevel is the instruction set the amd64 kernels run with.
type isaLevel int

const (
	isaGeneric isaLevel = iota // the Go loops of the build (scalar or simd package)
	isaAVX2                    // generated assembly, 8 lanes, AVX2 and FMA
	isaAVX512                  // generated assembly, 16 lanes, AVX-512F
)

var isaNames = [...]string{isaGeneric: "generic", isaAVX2: "avx2", isaAVX512: "avx512"}

func (l isaLevel) String() string { return isaNames[l] }

// isa is chosen once from the CPU; tests set it to run every level.
var isa = bestISA()

// bestISA is the widest level this CPU (and OS, which must save the
// registers) supports.
func bestISA() isaLevel {
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return isaAVX512
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return isaAVX2
	}
	return isaGeneric
}

// isaLevels lists the levels this CPU can run, for tests.
func isaLevels() []isaLevel {
	var ls []isaLevel
	for l := isaGeneric; l <= bestISA(); l++ {
		ls = append(ls, l)
	}
	return ls
}

// asmMR is the rows of the assembly micro-kernels' tile (tileRows in
// internal/asmgen).
const asmMR = 4

// asmLanes is the vector length of the assembly kernels at level isa.
func asmLanes() int {
	if isa == isaAVX512 {
		return 16
	}
	return 8
}

// tileSize returns the micro-kernel's tile: mr rows by nr columns of C.
func tileSize() (mr, nr int) {
	if isa == isaGeneric {
		return tileSizeGeneric()
	}
	return asmMR, 2 * asmLanes()
}

// dotMinK is the smallest k for which Gemm(false, true, ...) takes the
// dot-product path (see dotMinKGeneric).
func dotMinK() int {
	if isa == isaGeneric {
		return dotMinKGeneric
	}
	return 256
}

// packPanel copies kc rows of nr values, row stride ldb, from b to d (kc, nr).
func packPanel(d, b []float32, ldb, kc, nr int) {
	if isa == isaGeneric {
		packPanelGeneric(d, b, ldb, kc, nr)
		return
	}
	for p := 0; p < kc; p++ {
		copy(d[p*nr:p*nr+nr], b[p*ldb:p*ldb+nr])
	}
}

// loadC is the assembly kernels' merge flag: 0 overwrites C, 1 computes
// beta·C + A·B.
func loadC(beta float32) int {
	if beta == 0 {
		return 0
	}
	return 1
}

// microKernel computes np adjacent 4 x nr tiles of C (nr from tileSize):
// tile t is C[:, t·nr : (t+1)·nr] = Ap·Bp_t + beta·C, where ap is a packed
// (kc, 4) panel of op(A) and bp holds np packed (kc, nr) panels of op(B);
// beta 0 overwrites C. The assembly's extents are checked here.
func microKernel(kc, np int, ap, bp []float32, c []float32, ldc int, beta float32) {
	if isa == isaGeneric {
		microKernelGeneric(kc, np, ap, bp, c, ldc, beta)
		return
	}
	if kc <= 0 || np <= 0 {
		if kc <= 0 && np > 0 {
			panic("kernels: microKernel: kc < 1")
		}
		return
	}
	mr, nr := asmMR, 2*asmLanes()
	if len(ap) < kc*mr || len(bp) < np*kc*nr || len(c) < (mr-1)*ldc+np*nr {
		panic("kernels: microKernel: packed panels or C too short")
	}
	if isa == isaAVX512 {
		microKernelAVX512(kc, np, unsafe.SliceData(ap), unsafe.SliceData(bp), unsafe.SliceData(c), ldc, beta, loadC(beta))
		return
	}
	microKernelAVX2(kc, np, unsafe.SliceData(ap), unsafe.SliceData(bp), unsafe.SliceData(c), ldc, beta, loadC(beta))
}

// microKernelOff is microKernel with B unpacked: row p of tile t is the nr
// values at bp[off[p] + t·nr]. Only GemmRowOffsets calls it, after checking
// that every row of every tile lies inside bp; the checks here cover A, off
// and C.
func microKernelOff(kc, np int, ap []float32, off []int32, bp []float32, c []float32, ldc int, beta float32) {
	if isa == isaGeneric {
		microKernelOffGeneric(kc, np, ap, off, bp, c, ldc, beta)
		return
	}
	if kc <= 0 || np <= 0 {
		return
	}
	mr, nr := asmMR, 2*asmLanes()
	if len(ap) < kc*mr || len(off) < kc || len(c) < (mr-1)*ldc+np*nr {
		panic("kernels: microKernelOff: packed panel, offsets or C too short")
	}
	if isa == isaAVX512 {
		microKernelOffAVX512(kc, np, unsafe.SliceData(ap), unsafe.SliceData(off), unsafe.SliceData(bp), unsafe.SliceData(c), ldc, beta, loadC(beta))
		return
	}
	microKernelOffAVX2(kc, np, unsafe.SliceData(ap), unsafe.SliceData(off), unsafe.SliceData(bp), unsafe.SliceData(c), ldc, beta, loadC(beta))
}

// dot2x4Native adds to t the dot products of rows a0, a1 with rows b0..b3,
// all len(a0) long (see dot2x4): the whole vectors in assembly, the last
// few values here. It returns false, doing nothing, at level isaGeneric.
func dot2x4Native(a0, a1, b0, b1, b2, b3 []float32, t *[8]float32) bool {
	if isa == isaGeneric {
		return false
	}
	n := len(a0)
	a1, b0, b1, b2, b3 = a1[:n], b0[:n], b1[:n], b2[:n], b3[:n]
	v := asmLanes()
	nv := n / v * v
	if nv > 0 {
		if isa == isaAVX512 {
			dot2x4AVX512(nv, &a0[0], &a1[0], &b0[0], &b1[0], &b2[0], &b3[0], &t[0])
		} else {
			dot2x4AVX2(nv, &a0[0], &a1[0], &b0[0], &b1[0], &b2[0], &b3[0], &t[0])
		}
	}
	for q := nv; q < n; q++ {
		x0, x1 := a0[q], a1[q]
		y0, y1, y2, y3 := b0[q], b1[q], b2[q], b3[q]
		t[0] += x0 * y0
		t[1] += x0 * y1
		t[2] += x0 * y2
		t[3] += x0 * y3
		t[4] += x1 * y0
		t[5] += x1 * y1
		t[6] += x1 * y2
		t[7] += x1 * y3
	}
	return true
}

// axpy computes y += alpha·x; len(y) >= len(x).
func axpy(alpha float32, x, y []float32) {
	if isa == isaGeneric {
		axpyGeneric(alpha, x, y)
		return
	}
	y = y[:len(x)]
	if len(x) == 0 {
		return
	}
	if isa == isaAVX512 {
		axpyAVX512(alpha, &x[0], &y[0], len(x))
		return
	}
	axpyAVX2(alpha, &x[0], &y[0], len(x))
}
