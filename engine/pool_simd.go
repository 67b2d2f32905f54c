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
