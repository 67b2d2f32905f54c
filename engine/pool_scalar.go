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
