//go:build goexperiment.simd

package kernels

import "simd"

func axpyGeneric(alpha float32, x, y []float32) {
	y = y[:len(x)]
	a := simd.BroadcastFloat32s(alpha)
	v := a.Len()
	for len(x) >= 2*v && len(y) >= 2*v {
		y0 := a.MulAdd(simd.LoadFloat32s(x), simd.LoadFloat32s(y))
		y1 := a.MulAdd(simd.LoadFloat32s(x[v:]), simd.LoadFloat32s(y[v:]))
		y0.Store(y)
		y1.Store(y[v:])
		x, y = x[2*v:], y[2*v:]
	}
	for len(x) > 0 {
		xv, n := simd.LoadFloat32sPart(x)
		yv, _ := simd.LoadFloat32sPart(y)
		a.MulAdd(xv, yv).StorePart(y)
		x, y = x[n:], y[n:]
	}
	clearUpper()
}

func scale(alpha float32, x []float32) {
	a := simd.BroadcastFloat32s(alpha)
	v := a.Len()
	for len(x) >= v {
		a.Mul(simd.LoadFloat32s(x)).Store(x)
		x = x[v:]
	}
	if len(x) > 0 {
		xv, _ := simd.LoadFloat32sPart(x)
		a.Mul(xv).StorePart(x)
	}
	clearUpper()
}

func sum(x []float32) float32 {
	var s0, s1, s2, s3 simd.Float32s
	v := s0.Len()
	for len(x) >= 4*v {
		s0 = s0.Add(simd.LoadFloat32s(x))
		s1 = s1.Add(simd.LoadFloat32s(x[v:]))
		s2 = s2.Add(simd.LoadFloat32s(x[2*v:]))
		s3 = s3.Add(simd.LoadFloat32s(x[3*v:]))
		x = x[4*v:]
	}
	for len(x) > 0 {
		xv, n := simd.LoadFloat32sPart(x)
		s0 = s0.Add(xv)
		x = x[n:]
	}
	var lanes [16]float32 // up to 512-bit vectors
	s0.Add(s1).Add(s2.Add(s3)).Store(lanes[:])
	clearUpper()
	var s float32
	for _, l := range lanes[:v] {
		s += l
	}
	return s
}

func addConst(c float32, x []float32) {
	cv := simd.BroadcastFloat32s(c)
	v := cv.Len()
	for len(x) >= 2*v {
		cv.Add(simd.LoadFloat32s(x)).Store(x)
		cv.Add(simd.LoadFloat32s(x[v:])).Store(x[v:])
		x = x[2*v:]
	}
	for len(x) > 0 {
		xv, n := simd.LoadFloat32sPart(x)
		cv.Add(xv).StorePart(x)
		x = x[n:]
	}
	clearUpper()
}

func dot(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1 simd.Float32s
	v := s0.Len()
	for len(x) >= 2*v && len(y) >= 2*v {
		s0 = simd.LoadFloat32s(x).MulAdd(simd.LoadFloat32s(y), s0)
		s1 = simd.LoadFloat32s(x[v:]).MulAdd(simd.LoadFloat32s(y[v:]), s1)
		x, y = x[2*v:], y[2*v:]
	}
	for len(x) > 0 {
		xv, n := simd.LoadFloat32sPart(x)
		yv, _ := simd.LoadFloat32sPart(y)
		s0 = xv.MulAdd(yv, s0)
		x, y = x[n:], y[n:]
	}
	var lanes [16]float32 // up to 512-bit vectors
	s0.Add(s1).Store(lanes[:])
	clearUpper()
	var s float32
	for _, l := range lanes[:v] {
		s += l
	}
	return s
}

func relu(dst, x []float32) {
	dst = dst[:len(x)]
	var zero simd.Float32s
	v := zero.Len()
	for len(x) >= v && len(dst) >= v {
		xv := simd.LoadFloat32s(x)
		xv.Masked(xv.Greater(zero)).Store(dst)
		x, dst = x[v:], dst[v:]
	}
	if len(x) > 0 {
		xv, _ := simd.LoadFloat32sPart(x)
		xv.Masked(xv.Greater(zero)).StorePart(dst)
	}
	clearUpper()
}

func reluBackward(dx, dy, y []float32) {
	dy = dy[:len(y)]
	dx = dx[:len(y)]
	var zero simd.Float32s
	v := zero.Len()
	for len(y) >= v && len(dy) >= v && len(dx) >= v {
		yv := simd.LoadFloat32s(y)
		simd.LoadFloat32s(dy).Masked(yv.Greater(zero)).Store(dx)
		dx, dy, y = dx[v:], dy[v:], y[v:]
	}
	if len(y) > 0 {
		yv, _ := simd.LoadFloat32sPart(y)
		dv, _ := simd.LoadFloat32sPart(dy)
		dv.Masked(yv.Greater(zero)).StorePart(dx)
	}
	clearUpper()
}

func adamUpdate(w, g, m, v []float32, c AdamCoef) {
	l2 := simd.BroadcastFloat32s(c.L2)
	w1, w2 := simd.BroadcastFloat32s(c.W1), simd.BroadcastFloat32s(c.W2)
	b2 := simd.BroadcastFloat32s(c.B2)
	sq, eps := simd.BroadcastFloat32s(c.SqrtBC2), simd.BroadcastFloat32s(c.Eps)
	step := simd.BroadcastFloat32s(c.Step)
	n := l2.Len()
	i := 0
	for ; i+n <= len(w); i += n {
		wv := simd.LoadFloat32s(w[i:])
		gv := simd.LoadFloat32s(g[i:]).Add(l2.Mul(wv))
		mv := simd.LoadFloat32s(m[i:])
		mv = mv.Add(w1.Mul(gv.Sub(mv)))
		vv := simd.LoadFloat32s(v[i:]).Mul(b2).Add(w2.Mul(gv).Mul(gv))
		mv.Store(m[i:])
		vv.Store(v[i:])
		denom := vv.Sqrt().Div(sq).Add(eps)
		wv.Sub(step.Mul(mv.Div(denom))).Store(w[i:])
	}
	clearUpper()
	adamScalar(w[i:], g[i:], m[i:], v[i:], c)
}
