package mnist

import "fmt"

// Rows and Cols are the height and width of one MNIST image in pixels.
const Rows, Cols = 28, 28

// ImageSize is the number of pixels (bytes) in one image, Rows·Cols.
const ImageSize = Rows * Cols

// Set is a slice of MNIST: images as uint8 (N, 28, 28), row-major,
// 0 = background, 255 = ink; labels (N) in 0..9.
type Set struct {
	Images []uint8 // (N, Rows, Cols)
	Labels []uint8 // (N)
	N      int
}

// Slice returns the images and labels from..to-1 of s. The result shares
// memory with s.
//
// It panics if from or to is outside 0 <= from <= to <= s.N.
func (s Set) Slice(from, to int) Set {
	if from < 0 || from > to || to > s.N {
		panic(fmt.Sprintf("mnist: Slice(%d, %d) out of range for a set of %d", from, to, s.N))
	}
	return Set{
		Images: s.Images[from*ImageSize : to*ImageSize : to*ImageSize],
		Labels: s.Labels[from:to:to],
		N:      to - from,
	}
}

// Image returns image i of s, (Rows, Cols). It shares memory with s.
//
// It panics if i is outside 0 <= i < s.N.
func (s Set) Image(i int) []uint8 {
	if i < 0 || i >= s.N {
		panic(fmt.Sprintf("mnist: Image(%d) out of range for a set of %d", i, s.N))
	}
	return s.Images[i*ImageSize : (i+1)*ImageSize : (i+1)*ImageSize]
}

// check reports whether s is internally consistent: lengths agree with N and
// every label is in 0..9. what names the set in the error ("train", "test").
func (s Set) check(what string) error {
	if s.N < 0 {
		return fmt.Errorf("%s set: negative count %d", what, s.N)
	}
	if len(s.Images) != s.N*ImageSize {
		return fmt.Errorf("%s set: %d image bytes for %d images, want %d", what, len(s.Images), s.N, s.N*ImageSize)
	}
	if len(s.Labels) != s.N {
		return fmt.Errorf("%s set: %d labels for %d images", what, len(s.Labels), s.N)
	}
	if i, l := badLabel(s.Labels); i >= 0 {
		return fmt.Errorf("%s set: label %d of image %d is not in 0..9", what, l, i)
	}
	return nil
}

// badLabel returns the index and value of the first label > 9, or -1, 0.
func badLabel(labels []uint8) (int, uint8) {
	for i, l := range labels {
		if l > 9 {
			return i, l
		}
	}
	return -1, 0
}
