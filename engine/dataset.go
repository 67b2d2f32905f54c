package engine

import "fmt"

// imagePixels is the number of pixels of one MNIST image, 28·28.
const imagePixels = ImageSize * ImageSize

// MNIST normalisation (the mean and standard deviation of the training
// pixels scaled to [0, 1]), as torchvision's MNIST examples use.
const (
	PixelMean = 0.1307
	PixelStd  = 0.3081
)

// pixelTable maps a uint8 pixel to its normalised float32 value.
var pixelTable = func() (t [256]float32) {
	for v := range t {
		t[v] = float32((float64(v)/255 - PixelMean) / PixelStd)
	}
	return t
}()

// Dataset is a set of MNIST examples: the same fields as mnist.Set, so
// engine.Dataset(set) converts one. Images stay uint8 in memory and are
// converted per batch.
type Dataset struct {
	Images []uint8 // (N, 28, 28)
	Labels []uint8 // (N)
	N      int
}

// Check reports whether d's slices match N and every label is a class.
func (d Dataset) Check() error {
	if d.N < 0 || len(d.Images) < d.N*imagePixels || len(d.Labels) < d.N {
		return fmt.Errorf("engine: dataset of %d examples has %d image bytes and %d labels", d.N, len(d.Images), len(d.Labels))
	}
	for i, l := range d.Labels[:d.N] {
		if l >= NumClasses {
			return fmt.Errorf("engine: label %d of example %d is not a digit", l, i)
		}
	}
	return nil
}

// Head returns the first n examples of d, sharing its memory.
//
// It panics if n is outside 0..d.N.
func (d Dataset) Head(n int) Dataset {
	if n < 0 || n > d.N {
		panic(fmt.Sprintf("engine: Head(%d) of a dataset of %d", n, d.N))
	}
	return Dataset{Images: d.Images[:n*imagePixels], Labels: d.Labels[:n], N: n}
}

// Batch converts the examples idx of d into x, normalised as
// (v/255 - PixelMean)/PixelStd, and copies their labels into y.
//
// It panics if x is shorter than len(idx)·784, y shorter than len(idx), or an
// index is outside 0..d.N-1.
func (d Dataset) Batch(idx []int, x []float32 /* (len(idx), 1, 28, 28) */, y []uint8 /* (len(idx)) */) {
	d.batch(&pixelTable, idx, x, y)
}

// BatchScaled is Batch with the pixels scaled by s.
//
// It panics as Batch does, or if s is not a known scaling.
func (d Dataset) BatchScaled(s InputScale, idx []int, x []float32 /* (len(idx), 1, 28, 28) */, y []uint8 /* (len(idx)) */) {
	d.batch(s.table(), idx, x, y)
}

// batch's unrolled loop takes 8 pixels at a time.
var _ [0]struct{} = [imagePixels % 8]struct{}{}

func (d Dataset) batch(tab *[256]float32, idx []int, x []float32 /* (len(idx), 1, 28, 28) */, y []uint8 /* (len(idx)) */) {
	if len(x) < len(idx)*imagePixels || len(y) < len(idx) {
		panic("engine: Batch buffers too short")
	}
	for b, i := range idx {
		if uint(i) >= uint(d.N) {
			panic(fmt.Sprintf("engine: Batch index %d outside a dataset of %d", i, d.N))
		}
		// Array pointers: the loop below runs without bounds checks.
		src := (*[imagePixels]uint8)(d.Images[i*imagePixels:])
		dst := (*[imagePixels]float32)(x[b*imagePixels:])
		for p := 0; p < imagePixels; p += 8 { // unrolled: wasm engines do not unroll loops
			dst[p], dst[p+1], dst[p+2], dst[p+3] = tab[src[p]], tab[src[p+1]], tab[src[p+2]], tab[src[p+3]]
			dst[p+4], dst[p+5], dst[p+6], dst[p+7] = tab[src[p+4]], tab[src[p+5]], tab[src[p+6]], tab[src[p+7]]
		}
		y[b] = d.Labels[i]
	}
}
