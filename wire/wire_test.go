package wire

import (
	"math"
	"strings"
	"testing"
)

func TestClassifyRequestCheck(t *testing.T) {
	ok := ClassifyRequest{Image: make([]float32, ImagePixels)}
	if err := ok.Check(); err != nil {
		t.Fatalf("a blank image: %v", err)
	}
	for name, img := range map[string][]float32{
		"short":    make([]float32, 10),
		"long":     make([]float32, ImagePixels+1),
		"negative": append([]float32{-0.5}, make([]float32, ImagePixels-1)...),
		"nan":      append([]float32{float32(math.NaN())}, make([]float32, ImagePixels-1)...),
		"bright":   append(make([]float32, ImagePixels-1), 2),
	} {
		err := ClassifyRequest{Image: img}.Check()
		if err == nil || !strings.HasPrefix(err.Error(), "classify: ") {
			t.Errorf("%s image: error %v", name, err)
		}
	}
}
