//go:build goexperiment.simd

package engine

import "simd"

// maxInto sets d[i], a[i] = v[i], q where v[i] > d[i].
func maxInto(d []float32, a []int32, v []float32, q int32) {
	a = a[:len(d)]
	v = v[:len(d)]
	qv := simd.BroadcastInt32s(q)
	l := qv.Len()
	i := 0
	for ; i+l <= len(d); i += l {
		dv := simd.LoadFloat32s(d[i:])
		vv := simd.LoadFloat32s(v[i:])
		gt := vv.Greater(dv)
		vv.IfElse(gt, dv).Store(d[i:])
		qv.IfElse(gt, simd.LoadInt32s(a[i:])).Store(a[i:])
	}
	for ; i < len(d); i++ {
		if v[i] > d[i] {
			d[i], a[i] = v[i], q
		}
	}
}

// minInto sets d[i], a[i] = v[i], q where v[i] < d[i].
func minInto(d []float32, a []int32, v []float32, q int32) {
	a = a[:len(d)]
	v = v[:len(d)]
	qv := simd.BroadcastInt32s(q)
	l := qv.Len()
	i := 0
	for ; i+l <= len(d); i += l {
		dv := simd.LoadFloat32s(d[i:])
		vv := simd.LoadFloat32s(v[i:])
		lt := vv.Less(dv)
		vv.IfElse(lt, dv).Store(d[i:])
		qv.IfElse(lt, simd.LoadInt32s(a[i:])).Store(a[i:])
	}
	for ; i < len(d); i++ {
		if v[i] < d[i] {
			d[i], a[i] = v[i], q
		}
	}
}

// addWhere adds g[i] to dst[i] where a[i] == q.
func addWhere(dst, g []float32, a []int32, q int32) {
	g = g[:len(dst)]
	a = a[:len(dst)]
	qv := simd.BroadcastInt32s(q)
	l := qv.Len()
	i := 0
	for ; i+l <= len(dst); i += l {
		eq := simd.LoadInt32s(a[i:]).Equal(qv)
		simd.LoadFloat32s(dst[i:]).Add(simd.LoadFloat32s(g[i:]).Masked(eq)).Store(dst[i:])
	}
	for ; i < len(dst); i++ {
		if a[i] == q {
			dst[i] += g[i]
		}
	}
}

// poolRow2x2 pools one output row of a 2×2 stride-2 max (isMax) or min
// window over (W, N) input rows r0 and r1: d[ox·n+i] is the largest
// (smallest) of r0[2ox], r0[2ox+1], r1[2ox], r1[2ox+1] at example i, the
// first on ties, and a[ox·n+i] its index in the plane, r0 starting at plane
// index q0 and r1 at q0+w. One call per output row keeps calls few.
func poolRow2x2(d []float32, a []int32, r0, r1 []float32, n int, q0, w int32, isMax bool) {
	a = a[:len(d)]
	var zero simd.Float32s
	v := zero.Len()
	nv := n / v * v
	for ox := 0; ox < len(d)/n; ox++ {
		q := q0 + int32(2*ox)
		v0 := r0[2*ox*n : 2*ox*n+n]
		v1 := r0[(2*ox+1)*n : (2*ox+1)*n+n]
		v2 := r1[2*ox*n : 2*ox*n+n]
		v3 := r1[(2*ox+1)*n : (2*ox+1)*n+n]
		dd := d[ox*n : ox*n+n]
		aa := a[ox*n : ox*n+n]
		q0v, q1v := simd.BroadcastInt32s(q), simd.BroadcastInt32s(q+1)
		q2v, q3v := simd.BroadcastInt32s(q+w), simd.BroadcastInt32s(q+w+1)
		for i := 0; i < nv; i += v {
			best := simd.LoadFloat32s(v0[i:])
			x1 := simd.LoadFloat32s(v1[i:])
			x2 := simd.LoadFloat32s(v2[i:])
			x3 := simd.LoadFloat32s(v3[i:])
			var m1, m2, m3 simd.Mask32s
			if isMax {
				m1 = x1.Greater(best)
				best = x1.IfElse(m1, best)
				m2 = x2.Greater(best)
				best = x2.IfElse(m2, best)
				m3 = x3.Greater(best)
				best = x3.IfElse(m3, best)
			} else {
				m1 = x1.Less(best)
				best = x1.IfElse(m1, best)
				m2 = x2.Less(best)
				best = x2.IfElse(m2, best)
				m3 = x3.Less(best)
				best = x3.IfElse(m3, best)
			}
			best.Store(dd[i:])
			q3v.IfElse(m3, q2v.IfElse(m2, q1v.IfElse(m1, q0v))).Store(aa[i:])
		}
		for i := nv; i < n; i++ {
			dd[i], aa[i] = best2x2(v0[i], v1[i], v2[i], v3[i], q, w, isMax)
		}
	}
}

// unpoolRow2x2 is poolRow2x2's adjoint: it routes g[ox·n+i] to the one of
// the four (W, N) input positions that a[ox·n+i] names, storing (not adding:
// 2×2 stride-2 windows do not overlap) into d0 (row q0) or d1 (row q0+w)
// and zero into the other three.
func unpoolRow2x2(d0, d1, g []float32, a []int32, n int, q0, w int32) {
	a = a[:len(g)]
	var zero simd.Float32s
	v := zero.Len()
	nv := n / v * v
	for ox := 0; ox < len(g)/n; ox++ {
		q := q0 + int32(2*ox)
		x0 := d0[2*ox*n : 2*ox*n+n]
		x1 := d0[(2*ox+1)*n : (2*ox+1)*n+n]
		x2 := d1[2*ox*n : 2*ox*n+n]
		x3 := d1[(2*ox+1)*n : (2*ox+1)*n+n]
		gg := g[ox*n : ox*n+n]
		aa := a[ox*n : ox*n+n]
		q0v, q1v := simd.BroadcastInt32s(q), simd.BroadcastInt32s(q+1)
		q2v, q3v := simd.BroadcastInt32s(q+w), simd.BroadcastInt32s(q+w+1)
		for i := 0; i < nv; i += v {
			gv := simd.LoadFloat32s(gg[i:])
			av := simd.LoadInt32s(aa[i:])
			gv.Masked(av.Equal(q0v)).Store(x0[i:])
			gv.Masked(av.Equal(q1v)).Store(x1[i:])
			gv.Masked(av.Equal(q2v)).Store(x2[i:])
			gv.Masked(av.Equal(q3v)).Store(x3[i:])
		}
		for i := nv; i < n; i++ {
			x0[i], x1[i], x2[i], x3[i] = 0, 0, 0, 0
			switch aa[i] {
			case q:
				x0[i] = gg[i]
			case q + 1:
				x1[i] = gg[i]
			case q + w:
				x2[i] = gg[i]
			default:
				x3[i] = gg[i]
			}
		}
	}
}
