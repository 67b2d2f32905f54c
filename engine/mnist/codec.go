package mnist

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// This file holds the image transform of the pack payload: an ink mask plus
// the ink values split into context streams (see doc.go, "Payload").

const (
	maskBytes = ImageSize / 8 // one bit per pixel, 98 bytes per image
	nLevels   = 5             // quantisation levels of a neighbour
	nContexts = nLevels * nLevels * nLevels * nLevels
	padCols   = Cols + 2 // scratch image with a zero border left, right and top
)

// level quantises a neighbour pixel: 0 -> 0, 1..83 -> 1, 84..167 -> 2,
// 168..251 -> 3, 252..255 -> 4.
var level = func() (t [256]uint8) {
	for v := 1; v < 256; v++ {
		if v >= 252 {
			t[v] = nLevels - 1
		} else {
			t[v] = uint8(1 + v*(nLevels-2)/252)
		}
	}
	return t
}()

// context returns the context of the pixel at p in a padded scratch image
// (rows of padCols, one zero row on top, one zero column left and right):
// its left, up-left, up and up-right neighbours, quantised.
func context(pad []uint8, p int) int {
	return ((int(level[pad[p-1]])*nLevels+int(level[pad[p-padCols]]))*nLevels+
		int(level[pad[p-padCols-1]]))*nLevels + int(level[pad[p-padCols+1]])
}

// padIndex maps pixel i of an image to its place in the padded scratch image.
func padIndex(i int) int {
	return (i/Cols+1)*padCols + i%Cols + 1
}

// encodeImages returns the mask and the context streams' lengths and
// concatenated values of images (n, Rows, Cols).
func encodeImages(images []uint8, n int) (mask []byte, lens []uint32, vals []byte) {
	mask = make([]byte, n*maskBytes)
	streams := make([][]byte, nContexts)
	pad := make([]uint8, (Rows+1)*padCols)
	for k := 0; k < n; k++ {
		img := images[k*ImageSize : (k+1)*ImageSize]
		for y := 0; y < Rows; y++ {
			copy(pad[(y+1)*padCols+1:], img[y*Cols:(y+1)*Cols])
		}
		m := mask[k*maskBytes : (k+1)*maskBytes]
		for i, v := range img {
			if v == 0 {
				continue
			}
			m[i>>3] |= 0x80 >> (i & 7)
			c := context(pad, padIndex(i))
			streams[c] = append(streams[c], v)
		}
	}
	lens = make([]uint32, nContexts)
	for c, s := range streams {
		lens[c] = uint32(len(s))
		vals = append(vals, s...)
	}
	return mask, lens, vals
}

// decodeImages inverts encodeImages into images (n, Rows, Cols), which must
// be zeroed. lensBytes holds nContexts little-endian uint32 stream lengths.
func decodeImages(images []uint8, n int, mask, lensBytes, vals []byte) error {
	var cur, end [nContexts]int
	off := 0
	for c := range nContexts {
		l := int(binary.LittleEndian.Uint32(lensBytes[4*c:]))
		if l > len(vals)-off {
			return fmt.Errorf("ink stream %d of %d values overruns the %d values", c, l, len(vals))
		}
		cur[c], end[c] = off, off+l
		off += l
	}
	if off != len(vals) {
		return fmt.Errorf("ink streams hold %d values, payload has %d", off, len(vals))
	}
	var pad [(Rows + 1) * padCols]uint8
	for k := 0; k < n; k++ {
		img := images[k*ImageSize : (k+1)*ImageSize : (k+1)*ImageSize]
		m := mask[k*maskBytes : (k+1)*maskBytes : (k+1)*maskBytes]
		pad = [len(pad)]uint8{}
		for bi, b := range m {
			for b != 0 {
				z := bits.LeadingZeros8(b)
				b &^= 0x80 >> z
				i := bi*8 + z
				p := padIndex(i)
				c := context(pad[:], p)
				if cur[c] == end[c] {
					return fmt.Errorf("image %d: ink stream %d ends early", k, c)
				}
				v := vals[cur[c]]
				cur[c]++
				if v == 0 {
					return fmt.Errorf("image %d: zero value at an ink pixel", k)
				}
				pad[p] = v
				img[i] = v
			}
		}
	}
	for c := range nContexts {
		if cur[c] != end[c] {
			return fmt.Errorf("ink stream %d has %d values left over", c, end[c]-cur[c])
		}
	}
	return nil
}
