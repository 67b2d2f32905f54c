package kernels

import "math"

// adamScalar is AdamUpdate one element at a time: the scalar build's loop
// and the SIMD build's tail. The float32 conversions keep the compiler from
// fusing a multiply and an add (the Go spec allows it without them).
func adamScalar(w, g, m, v []float32, c AdamCoef) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for j := range w {
		gj := float32(g[j] + float32(c.L2*w[j]))
		mj := float32(m[j] + float32(c.W1*float32(gj-m[j])))
		vj := float32(float32(v[j]*c.B2) + float32(float32(c.W2*gj)*gj))
		m[j], v[j] = mj, vj
		// sqrt in float64 rounded to float32 is float32's correctly
		// rounded sqrt, what f32x4.sqrt and SQRTPS compute.
		denom := float32(float32(math.Sqrt(float64(vj)))/c.SqrtBC2) + c.Eps
		w[j] -= float32(c.Step * float32(mj/denom))
	}
}
