package engine

import (
	"math"
	"testing"
)

func TestDatasetBatch(t *testing.T) {
	d := Dataset{Images: make([]uint8, 3*imagePixels), Labels: []uint8{4, 7, 1}, N: 3}
	for p := range imagePixels {
		d.Images[p] = 0
		d.Images[imagePixels+p] = 255
		d.Images[2*imagePixels+p] = uint8(p % 256)
	}
	x := make([]float32, 2*imagePixels)
	y := make([]uint8, 2)
	d.Batch([]int{2, 1}, x, y)
	if y[0] != 1 || y[1] != 7 {
		t.Errorf("labels %v, want [1 7]", y)
	}
	for i, c := range []struct {
		at   int
		want float64
	}{
		{0, -0.1307 / 0.3081},                // example 2, pixel 0 = 0
		{200, (200.0/255 - 0.1307) / 0.3081}, // example 2, pixel 200
		{imagePixels, (1 - 0.1307) / 0.3081}, // example 1, 255
		{imagePixels - 1, (float64((imagePixels-1)%256)/255 - 0.1307) / 0.3081},
	} {
		if got := float64(x[c.at]); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("case %d: x[%d] = %v, want %v", i, c.at, got, c.want)
		}
	}
	if h := d.Head(2); h.N != 2 || len(h.Labels) != 2 || len(h.Images) != 2*imagePixels || h.Labels[1] != 7 {
		t.Errorf("Head(2) = %d examples", h.N)
	}
	if err := d.Check(); err != nil {
		t.Error(err)
	}
	for i, bad := range []Dataset{
		{Images: d.Images, Labels: d.Labels, N: 4},
		{Images: d.Images[:10], Labels: d.Labels, N: 3},
		{Images: d.Images, Labels: []uint8{1, 2, 10}, N: 3},
	} {
		if bad.Check() == nil {
			t.Errorf("bad case %d accepted", i)
		}
	}
	if n := testing.AllocsPerRun(100, func() { d.Batch([]int{0, 2}, x, y) }); n != 0 {
		t.Errorf("%v allocations per Batch", n)
	}
}

func BenchmarkBatch(b *testing.B) {
	d := synthData(4096, 1)
	idx := make([]int, 256)
	for i := range idx {
		idx[i] = (i * 37) % d.N
	}
	x := make([]float32, len(idx)*imagePixels)
	y := make([]uint8, len(idx))
	b.SetBytes(int64(len(idx) * imagePixels))
	for b.Loop() {
		d.Batch(idx, x, y)
	}
}
