package mnist

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// Pack format constants; doc.go describes the layout.
const (
	Magic      = "MNSTPACK"
	Version    = 2
	HeaderSize = 72
	crcOffset  = 36 // CRC-32 (IEEE) of the decoded payload
	sumOffset  = 40 // the SHA-256 covers header[:sumOffset] and the coded data

	// NumPieces is the number of files of a pack, see PackFiles.
	NumPieces = 3
	// FirstTrain is how many training images piece 0 carries next to the
	// whole test set.
	FirstTrain = 10000

	maxImages = 1 << 17 // per piece; bounds allocations from header counts
)

// Piece is one decoded pack file. The pack is split so the page can start
// early: piece 0 = the full test set (10k) + the first part of the training
// set; piece 1.. = the rest of the training set.
type Piece struct {
	Index, Count int
	Train, Test  Set
	TrainOffset  int // index of Train's first image in the full training set
}

// PackFiles returns the file names of the pieces of a pack in order.
func PackFiles() []string {
	names := make([]string, NumPieces)
	for i := range names {
		names[i] = fmt.Sprintf("mnist-%d.pack", i)
	}
	return names
}

// payloadLen is the length of the decoded payload of n images: their
// labels, then their pixels.
func payloadLenOf(n int) int { return n * (1 + ImageSize) }

// EncodePiece encodes one pack file holding train (whose first image has
// index trainOffset in the full training set) and test. It returns an error
// if a set is inconsistent or its labels are out of range.
func EncodePiece(index, count int, train Set, trainOffset int, test Set) ([]byte, error) {
	if err := train.check("train"); err != nil {
		return nil, fmt.Errorf("mnist pack: %w", err)
	}
	if err := test.check("test"); err != nil {
		return nil, fmt.Errorf("mnist pack: %w", err)
	}
	if index < 0 || count < 1 || index >= count || count > 0xffff {
		return nil, fmt.Errorf("mnist pack: piece %d of %d", index, count)
	}
	n := train.N + test.N
	if n > maxImages || trainOffset < 0 || trainOffset > 1<<31 {
		return nil, fmt.Errorf("mnist pack: %d images at offset %d is too many", n, trainOffset)
	}
	labels := append(bytes.Clone(train.Labels), test.Labels...)
	images := append(bytes.Clone(train.Images), test.Images...)
	b, work := assemble(index, count, trainOffset, train.N, test.N, labels, images, nil)
	if work > workBudget(len(b)-HeaderSize) {
		return nil, fmt.Errorf("mnist pack: images too uniform: their decoding work %d exceeds the bound %d of their coded size", work, workBudget(len(b)-HeaderSize))
	}
	return b, nil
}

// assemble codes labels and images and prepends the header; ink and work
// are encodePayload's.
func assemble(index, count, trainOffset, nTrain, nTest int, labels, images []uint8, ink func(k, i int) bool) (b []byte, work int) {
	n := nTrain + nTest
	coded, work := encodePayload(labels, images, n, ink)
	h := make([]byte, HeaderSize, HeaderSize+len(coded))
	copy(h, Magic)
	binary.LittleEndian.PutUint16(h[8:], Version)
	binary.LittleEndian.PutUint16(h[10:], uint16(index))
	binary.LittleEndian.PutUint16(h[12:], uint16(count))
	h[14], h[15] = Rows, Cols
	binary.LittleEndian.PutUint32(h[16:], uint32(trainOffset))
	binary.LittleEndian.PutUint32(h[20:], uint32(nTrain))
	binary.LittleEndian.PutUint32(h[24:], uint32(nTest))
	binary.LittleEndian.PutUint32(h[28:], uint32(payloadLenOf(n)))
	binary.LittleEndian.PutUint32(h[32:], uint32(len(coded)))
	crc := crc32.NewIEEE()
	crc.Write(labels[:n])
	crc.Write(images[:n*ImageSize])
	binary.LittleEndian.PutUint32(h[crcOffset:], crc.Sum32())
	b = append(h, coded...)
	resum(b)
	return b, work
}

// resum writes the SHA-256 of b[:sumOffset] and the coded data b[HeaderSize:]
// into b's header.
func resum(b []byte) {
	sum := sha256.New()
	sum.Write(b[:sumOffset])
	sum.Write(b[HeaderSize:])
	sum.Sum(b[sumOffset:sumOffset])
}

// EncodePack splits train and test into NumPieces pieces (piece 0: all of
// test and the first FirstTrain training images; the rest of the training
// set shared evenly by the other pieces) and encodes each.
func EncodePack(train, test Set) ([][]byte, error) {
	first := min(FirstTrain, train.N)
	bounds := []int{0, first}
	rest := train.N - first
	for i := 1; i < NumPieces; i++ {
		bounds = append(bounds, first+rest*i/(NumPieces-1))
	}
	var pieces [][]byte
	for i := range NumPieces {
		t := Set{}
		if i == 0 {
			t = test
		}
		b, err := EncodePiece(i, NumPieces, train.Slice(bounds[i], bounds[i+1]), bounds[i], t)
		if err != nil {
			return nil, err
		}
		pieces = append(pieces, b)
	}
	return pieces, nil
}

// WritePack encodes train and test with EncodePack and writes the pieces
// into dir under the names of PackFiles.
func WritePack(dir string, train, test Set) error {
	pieces, err := EncodePack(train, test)
	if err != nil {
		return err
	}
	for i, name := range PackFiles() {
		if err := os.WriteFile(filepath.Join(dir, name), pieces[i], 0o644); err != nil {
			return fmt.Errorf("mnist pack: %w", err)
		}
	}
	return nil
}

// DecodePiece decodes one pack file, with the checks doc.go lists ("Checks").
// Every failure is an error starting "mnist pack: "; DecodePiece does not
// panic on any input. The returned sets do not share memory with b.
func DecodePiece(b []byte) (*Piece, error) {
	p, err := decodePiece(b)
	if err != nil {
		return nil, fmt.Errorf("mnist pack: %w", err)
	}
	return p, nil
}

func decodePiece(b []byte) (*Piece, error) {
	if len(b) < HeaderSize {
		if len(b) >= len(Magic) && string(b[:len(Magic)]) != Magic {
			return nil, errors.New("bad magic: not an MNIST pack")
		}
		return nil, fmt.Errorf("truncated: %d bytes, the header alone is %d", len(b), HeaderSize)
	}
	if string(b[:len(Magic)]) != Magic {
		return nil, fmt.Errorf("bad magic %q, want %q", b[:len(Magic)], Magic)
	}
	le := binary.LittleEndian
	if v := le.Uint16(b[8:]); v != Version {
		return nil, fmt.Errorf("unsupported version %d, want %d", v, Version)
	}
	index, count := int(le.Uint16(b[10:])), int(le.Uint16(b[12:]))
	if count < 1 || index >= count {
		return nil, fmt.Errorf("bad piece number %d of %d", index, count)
	}
	if b[14] != Rows || b[15] != Cols {
		return nil, fmt.Errorf("images are %dx%d, want %dx%d", b[14], b[15], Rows, Cols)
	}
	trainOffset := int(le.Uint32(b[16:]))
	nTrain, nTest := int(le.Uint32(b[20:])), int(le.Uint32(b[24:]))
	payloadLen, codedLen := int(le.Uint32(b[28:])), int(le.Uint32(b[32:]))
	n := nTrain + nTest
	if nTrain > maxImages || nTest > maxImages || n > maxImages || trainOffset > 1<<31 {
		return nil, fmt.Errorf("counts too large: %d train, %d test at offset %d", nTrain, nTest, trainOffset)
	}
	if payloadLen != payloadLenOf(n) {
		return nil, fmt.Errorf("payload of %d bytes does not hold %d images (%d bytes)", payloadLen, n, payloadLenOf(n))
	}
	if got := len(b) - HeaderSize; got != codedLen {
		if got < codedLen {
			return nil, fmt.Errorf("truncated: %d bytes of coded data, header says %d", got, codedLen)
		}
		return nil, fmt.Errorf("%d bytes of coded data, header says %d", got, codedLen)
	}
	sum := sha256.New()
	sum.Write(b[:sumOffset])
	sum.Write(b[HeaderSize:])
	if got, want := sum.Sum(nil), b[sumOffset:HeaderSize]; !bytes.Equal(got, want) {
		return nil, fmt.Errorf("checksum mismatch: SHA-256 %x, header says %x", got, want)
	}
	labels := make([]uint8, n)
	images := make([]uint8, n*ImageSize) // (n, Rows, Cols)
	if err := decodePayload(labels, images, n, b[HeaderSize:]); err != nil {
		return nil, err
	}
	crc := crc32.NewIEEE()
	crc.Write(labels)
	crc.Write(images)
	if got, want := crc.Sum32(), le.Uint32(b[crcOffset:]); got != want {
		return nil, fmt.Errorf("decoded data checksum mismatch: CRC-32 %08x, header says %08x", got, want)
	}
	all := Set{Images: images, Labels: labels, N: n}
	return &Piece{
		Index:       index,
		Count:       count,
		Train:       all.Slice(0, nTrain),
		Test:        all.Slice(nTrain, n),
		TrainOffset: trainOffset,
	}, nil
}

// Join checks that pieces are a whole pack in order (indices 0..Count-1,
// training sets contiguous from offset 0, a test set only in piece 0) and
// joins them.
func Join(pieces []*Piece) (train, test Set, err error) {
	if len(pieces) == 0 {
		return Set{}, Set{}, errors.New("mnist pack: no pieces")
	}
	nTrain := 0
	for i, p := range pieces {
		switch {
		case p.Index != i || p.Count != len(pieces):
			return Set{}, Set{}, fmt.Errorf("mnist pack: piece %d of %d where piece %d of %d belongs", p.Index, p.Count, i, len(pieces))
		case p.TrainOffset != nTrain:
			return Set{}, Set{}, fmt.Errorf("mnist pack: piece %d starts at training image %d, want %d", i, p.TrainOffset, nTrain)
		case i > 0 && p.Test.N != 0:
			return Set{}, Set{}, fmt.Errorf("mnist pack: piece %d holds %d test images, only piece 0 may", i, p.Test.N)
		}
		nTrain += p.Train.N
	}
	train = Set{Images: make([]uint8, 0, nTrain*ImageSize), Labels: make([]uint8, 0, nTrain), N: nTrain}
	for _, p := range pieces {
		train.Images = append(train.Images, p.Train.Images...)
		train.Labels = append(train.Labels, p.Train.Labels...)
	}
	return train, pieces[0].Test, nil
}

// LoadPack reads, decodes and joins the pieces named by PackFiles in dir.
func LoadPack(dir string) (train, test Set, err error) {
	var pieces []*Piece
	for _, name := range PackFiles() {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return Set{}, Set{}, fmt.Errorf("mnist pack: %w", err)
		}
		p, err := DecodePiece(b)
		if err != nil {
			return Set{}, Set{}, fmt.Errorf("%w (file %s)", err, name)
		}
		pieces = append(pieces, p)
	}
	return Join(pieces)
}
