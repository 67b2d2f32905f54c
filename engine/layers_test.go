package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvHandComputed checks Conv2d against outputs worked out by hand.
func TestConvHandComputed(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9} // (1, 1, 3, 3)
	w := []float32{1, 0, 0, -1}               // (1, 1, 2, 2)
	for i, tc := range []struct {
		s, p int
		want []float32
	}{
		// out[y][x] = x[y][x] - x[y+1][x+1] + 0.5
		{1, 0, []float32{-3.5, -3.5, -3.5, -3.5}},
		// padding 1, stride 2: out[y][x] = x[2y-1][2x-1] - x[2y][2x] + 0.5
		{2, 1, []float32{-0.5, -2.5, -6.5, -3.5}},
		// padding 1, stride 1: 4x4 output
		{1, 1, []float32{-0.5, -1.5, -2.5, 0.5, -3.5, -3.5, -3.5, 3.5, -6.5, -3.5, -3.5, 6.5, 0.5, 7.5, 8.5, 9.5}},
	} {
		l := NewConv2d("c", Shape{1, 3, 3}, 1, 2, tc.s, tc.p)
		copy(l.Weight.W, w)
		l.Bias.W[0] = 0.5
		y := l.Forward(x, 1, false)
		if fmt.Sprint(y) != fmt.Sprint(tc.want) {
			t.Errorf("case %d: y = %v, want %v", i, y, tc.want)
		}
	}
}

// naiveConv is a direct float64 convolution, the independent reference.
func naiveConv(x []float32, n int, in Shape, w, b []float32, outC, k, s, p int) ([]float64, Shape) {
	oh := (in.H+2*p-k)/s + 1
	ow := (in.W+2*p-k)/s + 1
	y := make([]float64, n*outC*oh*ow)
	for i := range n {
		for o := range outC {
			for yy := range oh {
				for xx := range ow {
					sum := float64(b[o])
					for c := range in.C {
						for ki := range k {
							for kj := range k {
								iy, ix := yy*s-p+ki, xx*s-p+kj
								if iy < 0 || iy >= in.H || ix < 0 || ix >= in.W {
									continue
								}
								sum += float64(w[((o*in.C+c)*k+ki)*k+kj]) * float64(x[((i*in.C+c)*in.H+iy)*in.W+ix])
							}
						}
					}
					y[((i*outC+o)*oh+yy)*ow+xx] = sum
				}
			}
		}
	}
	return y, Shape{outC, oh, ow}
}

func TestConvMatchesNaive(t *testing.T) {
	for i, tc := range []struct {
		n       int
		in      Shape
		outC    int
		k, s, p int
	}{
		{3, Shape{1, 28, 28}, 10, 5, 1, 0},
		{2, Shape{10, 12, 12}, 20, 5, 1, 0},
		{2, Shape{1, 28, 28}, 10, 3, 3, 1},
		{2, Shape{1, 28, 28}, 10, 14, 1, 3},
		{2, Shape{3, 9, 11}, 4, 4, 2, 3},
		{1, Shape{2, 5, 5}, 3, 2, 4, 1},
	} {
		rng := rand.New(rand.NewPCG(uint64(i), 9))
		l := NewConv2d("c", tc.in, tc.outC, tc.k, tc.s, tc.p)
		initLayer(l, uint64(i))
		x := randSlice(rng, tc.n*tc.in.Size(), 1)
		y := l.Forward(x, tc.n, true)
		want, shape := naiveConv(x, tc.n, tc.in, l.Weight.W, l.Bias.W, tc.outC, tc.k, tc.s, tc.p)
		if shape != l.OutShape() || len(y) != len(want) {
			t.Fatalf("case %d: shape %v len %d, want %v len %d", i, l.OutShape(), len(y), shape, len(want))
		}
		for j := range want {
			if math.Abs(float64(y[j])-want[j]) > 1e-4*(1+math.Abs(want[j])) {
				t.Fatalf("case %d: y[%d] = %v, want %v", i, j, y[j], want[j])
			}
		}
	}
}

func TestPoolHandComputed(t *testing.T) {
	x := []float32{ // (1, 1, 4, 5)
		1, 5, 2, 0, 9,
		3, 4, 8, -1, 9,
		-2, 0, 6, 6, 9,
		7, 1, 6, 5, 9,
	}
	for i, tc := range []struct {
		kind PoolKind
		k, s int
		want []float32
		dx   []float32 // for dy = 1, 2, 3, ...
	}{
		{PoolMax, 2, 2, []float32{5, 8, 7, 6},
			[]float32{0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 4, 0, 0, 3, 0, 0, 0, 0}}, // ties: the first 6
		{PoolMin, 2, 2, []float32{1, -1, -2, 5},
			[]float32{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0}},
		{PoolAvg, 2, 2, []float32{13.0 / 4, 9.0 / 4, 6.0 / 4, 23.0 / 4},
			[]float32{.25, .25, .5, .5, 0, .25, .25, .5, .5, 0, .75, .75, 1, 1, 0, .75, .75, 1, 1, 0}},
		// overlapping 3x3 windows, stride 2 on 4x5: a 1x2 output
		{PoolMax, 3, 2, []float32{8, 9}, []float32{0, 0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{PoolMin, 3, 1, []float32{-2, -1, -1, -2, -1, -1}, nil},
	} {
		l := NewPool2d("p", tc.kind, Shape{1, 4, 5}, tc.k, tc.s)
		y := l.Forward(x, 1, true)
		if fmt.Sprint(y) != fmt.Sprint(tc.want) {
			t.Errorf("case %d: y = %v, want %v", i, y, tc.want)
		}
		if tc.dx == nil {
			continue
		}
		dy := make([]float32, len(y))
		for j := range dy {
			dy[j] = float32(j + 1)
		}
		if dx := l.Backward(dy); fmt.Sprint(dx) != fmt.Sprint(tc.dx) {
			t.Errorf("case %d: dx = %v, want %v", i, dx, tc.dx)
		}
	}
}

func TestLinearHandComputed(t *testing.T) {
	l := NewLinear("fc", 3, 2)
	copy(l.Weight.W, []float32{1, 2, 3, -1, 0, 1})
	copy(l.Bias.W, []float32{0.5, -0.5})
	x := []float32{1, 1, 1, 2, 0, -1} // (2, 3)
	if y := l.Forward(x, 2, true); fmt.Sprint(y) != fmt.Sprint([]float32{6.5, -0.5, -0.5, -3.5}) {
		t.Errorf("y = %v", y)
	}
	dx := l.Backward([]float32{1, 0, 0, 1})
	if fmt.Sprint(dx) != fmt.Sprint([]float32{1, 2, 3, -1, 0, 1}) {
		t.Errorf("dx = %v", dx)
	}
	if fmt.Sprint(l.Weight.G) != fmt.Sprint([]float32{1, 1, 1, 2, 0, -1}) || fmt.Sprint(l.Bias.G) != fmt.Sprint([]float32{1, 1}) {
		t.Errorf("dW = %v, db = %v", l.Weight.G, l.Bias.G)
	}
	// gradients accumulate
	l.Backward([]float32{1, 0, 0, 1})
	if fmt.Sprint(l.Bias.G) != fmt.Sprint([]float32{2, 2}) {
		t.Errorf("db after two Backward = %v, want accumulation", l.Bias.G)
	}
}

func TestSoftmaxCrossEntropyValues(t *testing.T) {
	logits := []float32{ // (3, 4)
		0, 0, 0, 0,
		10, 0, 0, 0,
		1, 2, 3, 3,
	}
	labels := []uint8{2, 0, 3}
	d := make([]float32, 12)
	loss, correct := SoftmaxCrossEntropy(logits, labels, 3, 4, d)
	l0 := math.Log(4)
	l1 := math.Log(1 + 3*math.Exp(-10))
	l2 := math.Log(math.Exp(1)+math.Exp(2)+2*math.Exp(3)) - 3
	if want := (l0 + l1 + l2) / 3; math.Abs(loss-want) > 1e-12 {
		t.Errorf("loss %v, want %v", loss, want)
	}
	if correct != 1 { // row 1 only: row 0 ties pick class 0, row 2 ties pick class 2
		t.Errorf("correct %d, want 1", correct)
	}
	if math.Abs(float64(d[0])-0.25/3) > 1e-7 || math.Abs(float64(d[2])-(0.25-1)/3) > 1e-7 {
		t.Errorf("dlogits row 0 = %v", d[:4])
	}
	var sum float64
	for _, v := range d {
		sum += float64(v)
	}
	if math.Abs(sum) > 1e-6 {
		t.Errorf("dlogits sum %v, want 0", sum)
	}
	// huge logits stay finite
	big := []float32{1e30, -1e30, 0}
	if l, _ := SoftmaxCrossEntropy(big, []uint8{1}, 1, 3, nil); math.IsNaN(l) || math.IsInf(l, 0) || l < 1e29 {
		t.Errorf("loss of huge logits %v", l)
	}
	p := make([]float32, 3)
	Softmax(p, []float32{1000, 1000, -1000})
	if p[0] != 0.5 || p[1] != 0.5 || p[2] != 0 {
		t.Errorf("softmax %v", p)
	}
}

func TestPanics(t *testing.T) {
	m, _ := Build(DefaultMLP(), 1)
	for i, f := range []func(){
		func() { SoftmaxCrossEntropy(make([]float32, 10), []uint8{10}, 1, 10, nil) },
		func() { SoftmaxCrossEntropy(make([]float32, 9), []uint8{1}, 1, 10, nil) },
		func() { m.Forward(make([]float32, 783), 1, true) },
		func() { m.Forward(nil, 0, true) },
		func() { m.Forward(make([]float32, 784), 1, false); m.Backward(make([]float32, 10)) },
		func() { m.Forward(make([]float32, 784*2), 2, true); m.Backward(make([]float32, 10)) },
		func() { Interpolate(make([]float32, 2), make([]float32, 2), make([]float32, 3), 0.5) },
		func() { NewConv2d("c", Shape{1, 4, 4}, 2, 5, 1, 0) },
		func() { NewPool2d("p", "sum", Shape{1, 4, 4}, 2, 2) },
		func() { NewLinear("fc", 0, 3) },
	} {
		func() {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || len(s) < 7 || s[:7] != "engine:" {
					t.Errorf("case %d: recovered %v, want a panic prefixed engine:", i, r)
				}
			}()
			f()
		}()
	}
}

func TestTranspose(t *testing.T) {
	for i, sz := range [][2]int{{1, 1}, {64, 5760}, {5, 7}, {33, 65}, {3, 100}, {100, 3}, {4, 4}} {
		rows, cols := sz[0], sz[1]
		src := randSlice(rand.New(rand.NewPCG(uint64(i), 1)), rows*cols, 1)
		dst := make([]float32, len(src))
		transpose(dst, src, rows, cols)
		for r := range rows {
			for c := range cols {
				if dst[c*rows+r] != src[r*cols+c] {
					t.Fatalf("case %d (%dx%d): dst[%d][%d] = %v, want %v", i, rows, cols, c, r, dst[c*rows+r], src[r*cols+c])
				}
			}
		}
	}
}

// TestConvDirectAgainstNaive compares the stride-1 unpadded convolution
// (which skips im2col) with a plain six-loop convolution, output and
// weight gradient, on the report's sizes and odd ones.
func TestConvDirectAgainstNaive(t *testing.T) {
	for i, tc := range []struct {
		n       int
		in      Shape
		outC, k int
	}{
		{64, Shape{1, 28, 28}, 10, 5},
		{7, Shape{10, 12, 12}, 20, 5},
		{3, Shape{3, 9, 7}, 5, 3},
		{1, Shape{2, 6, 6}, 7, 6},
	} {
		rng := rand.New(rand.NewPCG(uint64(i), 21))
		l := NewConv2d("conv", tc.in, tc.outC, tc.k, 1, 0)
		initLayer(l, uint64(i))
		x := randSlice(rng, tc.n*tc.in.Size(), 1)  // (n, C, H, W)
		y := l.Forward(x, tc.n, true)              // (n, OutC, OH, OW)
		dy := randSlice(rng, tc.n*l.out.Size(), 1) // (n, OutC, OH, OW)
		l.Backward(dy)
		oh, ow := l.out.H, l.out.W
		dW := make([]float64, len(l.Weight.G)) // (OutC, C, K, K)
		for b := range tc.n {
			for o := range tc.outC {
				for oy := range oh {
					for ox := range ow {
						want := float64(l.Bias.W[o])
						g := float64(dy[((b*tc.outC+o)*oh+oy)*ow+ox])
						for c := range tc.in.C {
							for ky := range tc.k {
								for kx := range tc.k {
									wi := ((o*tc.in.C+c)*tc.k+ky)*tc.k + kx
									xv := float64(x[((b*tc.in.C+c)*tc.in.H+oy+ky)*tc.in.W+ox+kx])
									want += float64(l.Weight.W[wi]) * xv
									dW[wi] += g * xv
								}
							}
						}
						got := float64(y[((b*tc.outC+o)*oh+oy)*ow+ox])
						if math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
							t.Fatalf("case %d: y[%d,%d,%d,%d] = %v, want %v", i, b, o, oy, ox, got, want)
						}
					}
				}
			}
		}
		for j, want := range dW {
			if got := float64(l.Weight.G[j]); math.Abs(got-want) > 1e-3*(1+math.Abs(want)) {
				t.Fatalf("case %d: dW[%d] = %v, want %v", i, j, got, want)
			}
		}
	}
}
