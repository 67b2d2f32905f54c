//go:build !goexperiment.simd

package engine

// maxInto sets d[i], a[i] = v[i], q where v[i] > d[i].
func maxInto(d []float32, a []int32, v []float32, q int32) {
	a = a[:len(d)]
	v = v[:len(d)]
	for i, x := range v {
		if x > d[i] {
			d[i], a[i] = x, q
		}
	}
}

// minInto sets d[i], a[i] = v[i], q where v[i] < d[i].
func minInto(d []float32, a []int32, v []float32, q int32) {
	a = a[:len(d)]
	v = v[:len(d)]
	for i, x := range v {
		if x < d[i] {
			d[i], a[i] = x, q
		}
	}
}

// addWhere adds g[i] to dst[i] where a[i] == q.
func addWhere(dst, g []float32, a []int32, q int32) {
	g = g[:len(dst)]
	a = a[:len(dst)]
	for i, v := range g {
		if a[i] == q {
			dst[i] += v
		}
	}
}

// poolRow2x2 pools one output row of a 2×2 stride-2 max (isMax) or min
// window over (W, N) input rows r0 and r1: d[ox·n+i] is the largest
// (smallest) of r0[2ox], r0[2ox+1], r1[2ox], r1[2ox+1] at example i, the
// first on ties, and a[ox·n+i] its index in the plane, r0 starting at plane
// index q0 and r1 at q0+w.
func poolRow2x2(d []float32, a []int32, r0, r1 []float32, n int, q0, w int32, isMax bool) {
	a = a[:len(d)]
	for ox := 0; ox < len(d)/n; ox++ {
		q := q0 + int32(2*ox)
		v0 := r0[2*ox*n : 2*ox*n+n]
		v1 := r0[(2*ox+1)*n : (2*ox+1)*n+n]
		v2 := r1[2*ox*n : 2*ox*n+n]
		v3 := r1[(2*ox+1)*n : (2*ox+1)*n+n]
		dd := d[ox*n : ox*n+n]
		aa := a[ox*n : ox*n+n]
		for i := range v0 {
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
	for ox := 0; ox < len(g)/n; ox++ {
		q := q0 + int32(2*ox)
		x0 := d0[2*ox*n : 2*ox*n+n]
		x1 := d0[(2*ox+1)*n : (2*ox+1)*n+n]
		x2 := d1[2*ox*n : 2*ox*n+n]
		x3 := d1[(2*ox+1)*n : (2*ox+1)*n+n]
		for i, v := range g[ox*n : ox*n+n] {
			x0[i], x1[i], x2[i], x3[i] = 0, 0, 0, 0
			switch a[ox*n+i] {
			case q:
				x0[i] = v
			case q + 1:
				x1[i] = v
			case q + w:
				x2[i] = v
			default:
				x3[i] = v
			}
		}
	}
}
