package engine

import (
	"fmt"
	"math"
)

// Move is a rigid motion of an image: a rotation by Angle degrees
// (counter-clockwise as seen) about the image's centre, then a shift by DX
// pixels right and DY pixels down. The course report's question 1.5 asks
// how a trained network's accuracy falls as test images are rotated or
// shifted.
type Move struct{ Angle, DX, DY float64 }

// MoveImage writes src (28, 28) moved by mv into dst (28, 28): each pixel of
// dst takes the bilinear interpolation of src at the point that mv maps
// onto it; points outside src are blank (0). It panics if a slice is
// shorter than 784.
func MoveImage(dst, src []uint8, mv Move) {
	const n = ImageSize
	if len(dst) < imagePixels || len(src) < imagePixels {
		panic(fmt.Sprintf("engine: MoveImage of %d into %d values", len(src), len(dst)))
	}
	sin, cos := math.Sincos(mv.Angle * math.Pi / 180)
	const c = (n - 1) / 2.0
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= n || y >= n {
			return 0
		}
		return float64(src[y*n+x])
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			// Undo the shift, then the rotation (image y points down, so a
			// counter-clockwise turn as seen is clockwise in these axes).
			u, v := float64(x)-mv.DX-c, float64(y)-mv.DY-c
			sx := cos*u - sin*v + c
			sy := sin*u + cos*v + c
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			p := (1-fx)*(1-fy)*at(x0, y0) + fx*(1-fy)*at(x0+1, y0) + (1-fx)*fy*at(x0, y0+1) + fx*fy*at(x0+1, y0+1)
			dst[y*n+x] = uint8(math.Min(255, math.Round(p)))
		}
	}
}

// Moved returns d with every image moved by mv, in new memory (the labels
// are shared).
func (d Dataset) Moved(mv Move) Dataset {
	out := Dataset{Images: make([]uint8, d.N*imagePixels), Labels: d.Labels[:d.N], N: d.N}
	for i := 0; i < d.N; i++ {
		MoveImage(out.Images[i*imagePixels:(i+1)*imagePixels], d.Images[i*imagePixels:(i+1)*imagePixels], mv)
	}
	return out
}

// RobustnessMoves are question 1.5's test conditions: rotations from -45 to
// 45 degrees in steps of 5 (no shift), then shifts from -4 to 4 pixels to
// the right, then down (no rotation).
func RobustnessMoves() []Move {
	var mv []Move
	for a := -45; a <= 45; a += 5 {
		mv = append(mv, Move{Angle: float64(a)})
	}
	for d := -4; d <= 4; d++ {
		mv = append(mv, Move{DX: float64(d)})
	}
	for d := -4; d <= 4; d++ {
		mv = append(mv, Move{DY: float64(d)})
	}
	return mv
}
