package main

import (
	"path/filepath"
	"testing"
)

func TestRotateAndShift(t *testing.T) {
	src := make([]uint8, 784)
	for i := range src {
		src[i] = uint8(i * 7)
	}
	dst := make([]uint8, 784)
	rotateImage(dst, src, 0)
	for i := range src {
		if dst[i] != src[i] {
			t.Fatalf("rotation by 0 changed pixel %d: %d -> %d", i, src[i], dst[i])
		}
	}
	// A pixel right of and above the centre (13.5, 13.5) turns a quarter
	// anticlockwise on screen: (20, 10) goes to (10, 7).
	clear(src)
	src[10*28+20] = 200
	rotateImage(dst, src, 90)
	if dst[7*28+10] != 200 {
		t.Errorf("rotation by 90: pixel (10, 7) = %d, want 200", dst[7*28+10])
	}
	sum := 0
	for _, v := range dst {
		sum += int(v)
	}
	if sum != 200 {
		t.Errorf("rotation by 90 spread the pixel: sum %d, want 200", sum)
	}
	shiftImage(dst, src, -3, 2)
	if dst[12*28+17] != 200 || dst[10*28+20] != 0 {
		t.Errorf("shift (-3, 2): pixel (17, 12) = %d, (20, 10) = %d; want 200, 0", dst[12*28+17], dst[10*28+20])
	}
	shiftImage(dst, src, 10, 0) // off the right edge
	for i, v := range dst {
		if v != 0 {
			t.Fatalf("shift off the image left pixel %d = %d", i, v)
		}
	}
}

func TestTinyRobustness(t *testing.T) {
	dir := t.TempDir()
	a, _, errb := testApp()
	if code := a.run([]string{"robustness", "-q", "-epochs", "1", "-subset", "100", "-lr", "0.05", "-angles", "-30,0,30", "-shifts", "-2,0,2", "-out", dir}); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errb)
	}
	rows := readCSV(t, filepath.Join(dir, "robustness.csv"))
	if len(rows) != 1+3*6 {
		t.Errorf("robustness.csv: %d rows, want 1 + 3 pools x 6 transforms", len(rows))
	}
	checkPNG(t, filepath.Join(dir, "robustness.png"), 2*panelW, panelH)
	a, _, errb = testApp()
	if code := a.run([]string{"robustness", "-pool", "max"}); code != 2 {
		t.Errorf("-pool: exit %d, want 2 (%s)", code, errb)
	}
}
