// Command asmgen writes gemm_amd64.s and stubs_amd64.go, the x86-64
// assembly of the kernels' innermost loops, with avo:
//
//	cd engine/kernels/internal/asmgen && go run . -out ../../gemm_amd64.s -stubs ../../stubs_amd64.go -pkg kernels
//
// (go generate ./engine/kernels runs that.) It is a module of its own so
// that avo is a dependency of this generator only, never of the engine.
//
// Every loop comes in two widths: AVX2 with FMA (8 float32 lanes, YMM
// registers) and AVX-512 (16 lanes, ZMM). Each function ends with
// VZEROUPPER: Go's own floating-point code uses SSE instructions, which
// are slow while the upper halves of the vector registers are dirty.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// isa is one instruction-set width.
type isa struct {
	suffix string // function-name suffix
	lanes  int    // float32 lanes per vector
	mr     int    // rows of the GEMM micro-kernel's tile
	vec    func() VecVirtual
}

// bytes is the size of one vector in bytes.
func (s isa) bytes() int { return 4 * s.lanes }

var isas = []isa{
	{suffix: "AVX2", lanes: 8, mr: tileRows, vec: func() VecVirtual { return YMM() }},
	{suffix: "AVX512", lanes: 16, mr: tileRows, vec: func() VecVirtual { return ZMM() }},
}

// tileRows is the rows of the micro-kernels' tile (kernels_amd64.go's
// asmMR): 6 or 8 rows made the kernel alone faster but, with the engine's
// row counts (10, 20 channels; batch 64), whole GEMMs no faster.
const tileRows = 4

func main() {
	ConstraintExpr("amd64")
	for _, s := range isas {
		microKernel(s, false)
		microKernel(s, true)
		dot2x4(s)
		axpy(s)
	}
	Generate()
}

// microKernel writes the GEMM micro-kernel: np adjacent mr x 2V tiles of C
// (V lanes), tile t = Ap·Bp_t (+ beta·C when load is 1). ap is a packed
// (kc, mr) panel of op(A). With off false, bp holds np packed (kc, 2V)
// panels; with off true, row p of tile t is the 2V values at
// bp[off[p] + t·2V]. kc and np are at least 1.
func microKernel(s isa, off bool) {
	name := "microKernel" + s.suffix
	sig := "func(kc, np int, ap, bp, c *float32, ldc int, beta float32, load int)"
	if off {
		name = "microKernelOff" + s.suffix
		sig = "func(kc, np int, ap *float32, off *int32, bp, c *float32, ldc int, beta float32, load int)"
	}
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	if off {
		Doc(name + " computes np tiles of C from a packed panel of A and rows of B at offsets (see microKernelOff).")
	} else {
		Doc(name + " computes np tiles of C from packed panels (see microKernel).")
	}
	np := Load(Param("np"), GP64())
	bp := Load(Param("bp"), GP64())
	c := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	load := Load(Param("load"), GP64())
	var offp Register
	if off {
		offp = Load(Param("off"), GP64())
	}

	nr := 2 * s.lanes
	acc := make([][2]VecVirtual, s.mr)
	for r := range acc {
		acc[r] = [2]VecVirtual{s.vec(), s.vec()}
	}
	Label(name + "_tile")
	for r := range acc {
		zero(s, acc[r][0])
		zero(s, acc[r][1])
	}
	a := Load(Param("ap"), GP64())
	k := Load(Param("kc"), GP64())
	var o GPVirtual
	if off {
		o = GP64()
		MOVQ(offp, o)
	}
	b0, b1, t := s.vec(), s.vec(), s.vec()
	Label(name + "_k")
	if off {
		idx := GP64()
		MOVLQSX(Mem{Base: o}, idx)
		VMOVUPS(Mem{Base: bp, Index: idx, Scale: 4}, b0)
		VMOVUPS(Mem{Base: bp, Index: idx, Scale: 4, Disp: s.bytes()}, b1)
		ADDQ(U8(4), o)
	} else {
		VMOVUPS(Mem{Base: bp}, b0)
		VMOVUPS(Mem{Base: bp, Disp: s.bytes()}, b1)
		ADDQ(U32(4*nr), bp)
	}
	for r := range acc {
		VBROADCASTSS(Mem{Base: a, Disp: 4 * r}, t)
		VFMADD231PS(b0, t, acc[r][0])
		VFMADD231PS(b1, t, acc[r][1])
	}
	ADDQ(U8(4*s.mr), a)
	DECQ(k)
	JNZ(LabelRef(name + "_k"))

	// Merge the tile into C: C = acc, or C = beta·C + acc.
	row := GP64()
	MOVQ(c, row)
	TESTQ(load, load)
	JZ(LabelRef(name + "_store"))
	beta := b0 // B's registers are free once the loop is done
	VBROADCASTSS(paramAddr("beta"), beta)
	for r := range acc {
		VFMADD231PS(Mem{Base: row}, beta, acc[r][0])
		VFMADD231PS(Mem{Base: row, Disp: s.bytes()}, beta, acc[r][1])
		if r < len(acc)-1 {
			ADDQ(ldc, row)
		}
	}
	MOVQ(c, row)
	Label(name + "_store")
	for r := range acc {
		VMOVUPS(acc[r][0], Mem{Base: row})
		VMOVUPS(acc[r][1], Mem{Base: row, Disp: s.bytes()})
		if r < len(acc)-1 {
			ADDQ(ldc, row)
		}
	}
	ADDQ(U32(4*nr), c)
	if off {
		ADDQ(U32(4*nr), bp)
	}
	DECQ(np)
	JNZ(LabelRef(name + "_tile"))
	VZEROUPPER()
	RET()
}

// dot2x4 writes the dot-product tile: s[4i+j] += Σ_{q<n} a_i[q]·b_j[q] for
// rows a0, a1 and b0..b3; n is a positive multiple of the vector length.
func dot2x4(s isa) {
	name := "dot2x4" + s.suffix
	TEXT(name, NOSPLIT, "func(n int, a0, a1, b0, b1, b2, b3, s *float32)")
	Pragma("noescape")
	Doc(name + " adds the 8 dot products of rows a0, a1 with rows b0..b3 to s (see dot2x4).")
	n := Load(Param("n"), GP64())
	a := []Register{Load(Param("a0"), GP64()), Load(Param("a1"), GP64())}
	b := []Register{Load(Param("b0"), GP64()), Load(Param("b1"), GP64()), Load(Param("b2"), GP64()), Load(Param("b3"), GP64())}
	acc := make([]VecVirtual, 8)
	for i := range acc {
		acc[i] = s.vec()
		zero(s, acc[i])
	}
	i := GP64()
	XORQ(i, i)
	x0, x1, y := s.vec(), s.vec(), s.vec()
	Label(name + "_loop")
	VMOVUPS(Mem{Base: a[0], Index: i, Scale: 4}, x0)
	VMOVUPS(Mem{Base: a[1], Index: i, Scale: 4}, x1)
	for j := range b {
		VMOVUPS(Mem{Base: b[j], Index: i, Scale: 4}, y)
		VFMADD231PS(y, x0, acc[j])
		VFMADD231PS(y, x1, acc[4+j])
	}
	ADDQ(U8(s.lanes), i)
	CMPQ(i, n)
	JL(LabelRef(name + "_loop"))

	out := Load(Param("s"), GP64())
	for j, v := range acc {
		x := hsum(s, v)
		VADDSS(Mem{Base: out, Disp: 4 * j}, x, x)
		VMOVSS(x, Mem{Base: out, Disp: 4 * j})
	}
	VZEROUPPER()
	RET()
}

// zero clears v (VXORPS on ZMM registers would need AVX512DQ).
func zero(s isa, v VecVirtual) {
	if s.lanes == 16 {
		VPXORD(v, v, v)
		return
	}
	VXORPS(v, v, v)
}

// paramAddr is the stack address of a float32 argument: loaded with
// VBROADCASTSS or VMOVSS rather than Load, which would use the SSE MOVSS.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// hsum sums v's lanes into lane 0 of the returned XMM register (v is
// clobbered).
func hsum(s isa, v VecVirtual) Register {
	y := v.AsY()
	if s.lanes == 16 {
		hi := YMM()
		VEXTRACTF64X4(U8(1), v, hi)
		VADDPS(hi, y, y)
	}
	x := v.AsX()
	hi := XMM()
	VEXTRACTF128(U8(1), y, hi)
	VADDPS(hi, x, x)
	VHADDPS(x, x, x)
	VHADDPS(x, x, x)
	return x
}

// axpy writes y += alpha·x over n values: 4 vectors a step, then single
// vectors, then single values.
func axpy(s isa) {
	name := "axpy" + s.suffix
	TEXT(name, NOSPLIT, "func(alpha float32, x, y *float32, n int)")
	Pragma("noescape")
	Doc(name + " computes y[i] += alpha·x[i] for i < n (see axpy).")
	alpha := s.vec()
	VBROADCASTSS(paramAddr("alpha"), alpha)
	ax := XMM()
	VMOVSS(paramAddr("alpha"), ax)
	x := Load(Param("x"), GP64())
	y := Load(Param("y"), GP64())
	n := Load(Param("n"), GP64())
	const unroll = 4
	v := make([]VecVirtual, unroll)
	for i := range v {
		v[i] = s.vec()
	}
	lbl := func(l string) string { return fmt.Sprintf("%s_%s", name, l) }
	Label(lbl("block"))
	CMPQ(n, U32(unroll*s.lanes))
	JL(LabelRef(lbl("vec")))
	for i := range v {
		VMOVUPS(Mem{Base: y, Disp: i * s.bytes()}, v[i])
		VFMADD231PS(Mem{Base: x, Disp: i * s.bytes()}, alpha, v[i])
		VMOVUPS(v[i], Mem{Base: y, Disp: i * s.bytes()})
	}
	ADDQ(U32(unroll*s.bytes()), x)
	ADDQ(U32(unroll*s.bytes()), y)
	SUBQ(U32(unroll*s.lanes), n)
	JMP(LabelRef(lbl("block")))

	Label(lbl("vec"))
	CMPQ(n, U32(s.lanes))
	JL(LabelRef(lbl("tail")))
	VMOVUPS(Mem{Base: y}, v[0])
	VFMADD231PS(Mem{Base: x}, alpha, v[0])
	VMOVUPS(v[0], Mem{Base: y})
	ADDQ(U32(s.bytes()), x)
	ADDQ(U32(s.bytes()), y)
	SUBQ(U32(s.lanes), n)
	JMP(LabelRef(lbl("vec")))

	Label(lbl("tail"))
	TESTQ(n, n)
	JZ(LabelRef(lbl("done")))
	t := XMM()
	VMOVSS(Mem{Base: y}, t)
	VFMADD231SS(Mem{Base: x}, ax, t)
	VMOVSS(t, Mem{Base: y})
	ADDQ(U8(4), x)
	ADDQ(U8(4), y)
	DECQ(n)
	JMP(LabelRef(lbl("tail")))

	Label(lbl("done"))
	VZEROUPPER()
	RET()
}
