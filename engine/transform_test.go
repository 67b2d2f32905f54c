package engine

import (
	"testing"
)

// blob is a 28x28 image with one bright pixel at (x, y).
func blob(x, y int) []uint8 {
	img := make([]uint8, imagePixels)
	img[y*ImageSize+x] = 200
	return img
}

func brightest(img []uint8) (x, y int) {
	best := -1
	for i, v := range img {
		if int(v) > best {
			best, x, y = int(v), i%ImageSize, i/ImageSize
		}
	}
	return x, y
}

func TestMoveImage(t *testing.T) {
	dst := make([]uint8, imagePixels)
	src := blob(10, 5)
	MoveImage(dst, src, Move{})
	if string(dst) != string(src) {
		t.Error("the identity move changed the image")
	}
	MoveImage(dst, src, Move{DX: 3, DY: -2})
	if x, y := brightest(dst); x != 13 || y != 3 || dst[3*ImageSize+13] != 200 {
		t.Errorf("shift (3, -2) of (10, 5): brightest at (%d, %d) = %d", x, y, dst[3*ImageSize+13])
	}
	// A quarter turn counter-clockwise as seen: the point right of the
	// centre goes above it. The centre is (13.5, 13.5); (20, 13) is 6.5
	// right and 0.5 up of it, so it goes to 0.5 left and 6.5 up: (13, 7).
	MoveImage(dst, blob(20, 13), Move{Angle: 90})
	if x, y := brightest(dst); x != 13 || y != 7 {
		t.Errorf("a quarter turn of (20, 13): brightest at (%d, %d), want (13, 7)", x, y)
	}
	// Ink moved out of the frame is gone; nothing comes in.
	MoveImage(dst, blob(27, 27), Move{DX: 1})
	for i, v := range dst {
		if v != 0 {
			t.Fatalf("pixel %d is %d after moving the only ink out", i, v)
		}
	}
	// Half a pixel: the ink spreads over two pixels, keeping its total.
	MoveImage(dst, blob(10, 10), Move{DX: 0.5})
	if a, b := dst[10*ImageSize+10], dst[10*ImageSize+11]; a != 100 || b != 100 {
		t.Errorf("half-pixel shift: %d and %d, want 100 and 100", a, b)
	}
}

func TestMovedKeepsTheSet(t *testing.T) {
	d := Dataset{Images: append(blob(3, 4), blob(5, 6)...), Labels: []uint8{1, 2}, N: 2}
	m := d.Moved(Move{DY: 1})
	if m.N != 2 || m.Labels[1] != 2 || m.Images[5*ImageSize+3] != 200 || m.Images[imagePixels+7*ImageSize+5] != 200 {
		t.Error("Moved did not move each image by one row")
	}
	if d.Images[4*ImageSize+3] != 200 {
		t.Error("Moved wrote into the original images")
	}
	if n := len(RobustnessMoves()); n != 19+9+9 {
		t.Errorf("%d moves, want 37", n)
	}
}
