package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// IDX magic numbers: two zero bytes, the type (0x08 = unsigned byte) and the
// number of dimensions.
const (
	idxImagesMagic = 0x00000803
	idxLabelsMagic = 0x00000801
)

// maxIDXBytes bounds what LoadIDX and DecodeIDX will inflate from a gzip
// stream: a little more than the 47 MB of the training images.
const maxIDXBytes = 64 << 20

// LoadIDX reads an MNIST images file and its labels file in the original IDX
// format (http://yann.lecun.com/exdb/mnist/), gzip-compressed or raw, and
// checks them as DecodeIDX does.
func LoadIDX(imagesPath, labelsPath string) (Set, error) {
	images, err := os.ReadFile(imagesPath)
	if err != nil {
		return Set{}, fmt.Errorf("mnist idx: %w", err)
	}
	labels, err := os.ReadFile(labelsPath)
	if err != nil {
		return Set{}, fmt.Errorf("mnist idx: %w", err)
	}
	s, err := DecodeIDX(images, labels)
	if err != nil {
		return Set{}, fmt.Errorf("%w (files %s, %s)", err, imagesPath, labelsPath)
	}
	return s, nil
}

// DecodeIDX decodes an IDX images file (magic 0x803, dimensions N, 28, 28)
// and an IDX labels file (magic 0x801, dimension N), each gzip-compressed or
// raw. It checks the magic numbers, the image size, that both files hold the
// same number of items, that each file's length is exactly its header's
// promise and that every label is in 0..9. Errors start "mnist idx: ".
// The returned Set does not share memory with images or labels.
func DecodeIDX(images, labels []byte) (Set, error) {
	img, err := gunzipMaybe(images, "images")
	if err != nil {
		return Set{}, err
	}
	lab, err := gunzipMaybe(labels, "labels")
	if err != nil {
		return Set{}, err
	}
	if len(img) < 16 {
		return Set{}, fmt.Errorf("mnist idx: images file too short for its header: %d bytes, want at least 16", len(img))
	}
	if m := binary.BigEndian.Uint32(img); m != idxImagesMagic {
		return Set{}, fmt.Errorf("mnist idx: images file has magic %#08x, want %#08x", m, idxImagesMagic)
	}
	n := binary.BigEndian.Uint32(img[4:])
	rows, cols := binary.BigEndian.Uint32(img[8:]), binary.BigEndian.Uint32(img[12:])
	if rows != Rows || cols != Cols {
		return Set{}, fmt.Errorf("mnist idx: images are %dx%d, want %dx%d", rows, cols, Rows, Cols)
	}
	if want := 16 + uint64(n)*ImageSize; uint64(len(img)) != want {
		return Set{}, fmt.Errorf("mnist idx: images file is %d bytes, its header promises %d images (%d bytes)", len(img), n, want)
	}
	if len(lab) < 8 {
		return Set{}, fmt.Errorf("mnist idx: labels file too short for its header: %d bytes, want at least 8", len(lab))
	}
	if m := binary.BigEndian.Uint32(lab); m != idxLabelsMagic {
		return Set{}, fmt.Errorf("mnist idx: labels file has magic %#08x, want %#08x", m, idxLabelsMagic)
	}
	if nl := binary.BigEndian.Uint32(lab[4:]); nl != n {
		return Set{}, fmt.Errorf("mnist idx: %d images but %d labels", n, nl)
	}
	if want := 8 + uint64(n); uint64(len(lab)) != want {
		return Set{}, fmt.Errorf("mnist idx: labels file is %d bytes, its header promises %d labels (%d bytes)", len(lab), n, want)
	}
	s := Set{
		Images: bytes.Clone(img[16:]),
		Labels: bytes.Clone(lab[8:]),
		N:      int(n),
	}
	if i, l := badLabel(s.Labels); i >= 0 {
		return Set{}, fmt.Errorf("mnist idx: label %d of item %d is not in 0..9", l, i)
	}
	return s, nil
}

// gunzipMaybe inflates b if it starts with the gzip magic, else returns b.
func gunzipMaybe(b []byte, what string) ([]byte, error) {
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("mnist idx: %s file: gzip: %w", what, err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxIDXBytes+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("mnist idx: %s file: gzip stream truncated", what)
		}
		return nil, fmt.Errorf("mnist idx: %s file: gzip: %w", what, err)
	}
	if len(out) > maxIDXBytes {
		return nil, fmt.Errorf("mnist idx: %s file inflates to more than %d bytes", what, maxIDXBytes)
	}
	return out, nil
}
