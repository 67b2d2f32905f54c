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
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Pack format constants; doc.go describes the layout.
const (
	Magic      = "MNSTPACK"
	Version    = 1
	HeaderSize = 72
	crcOffset  = 36 // CRC-32 (IEEE) of the compressed frame
	sumOffset  = 40 // the SHA-256 covers header[:sumOffset] and the payload

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

// payloadSize is the decompressed payload length for n images with ink
// values in total, not counting the values.
func payloadFixed(n int) int { return n + n*maskBytes + 4*nContexts }

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
	images := append(bytes.Clone(train.Images), test.Images...)
	mask, lens, vals := encodeImages(images, n)
	payload := make([]byte, 0, payloadFixed(n)+len(vals))
	payload = append(payload, train.Labels...)
	payload = append(payload, test.Labels...)
	payload = append(payload, mask...)
	for _, l := range lens {
		payload = binary.LittleEndian.AppendUint32(payload, l)
	}
	payload = append(payload, vals...)
	return assemble(index, count, trainOffset, train.N, test.N, payload)
}

// assemble compresses payload and prepends the header.
func assemble(index, count, trainOffset, nTrain, nTest int, payload []byte) ([]byte, error) {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedBestCompression),
		zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(false), // the header's SHA-256 covers the payload
		zstd.WithWindowSize(8<<20))
	if err != nil {
		return nil, fmt.Errorf("mnist pack: zstd: %w", err)
	}
	defer enc.Close()
	frame := enc.EncodeAll(payload, nil)

	h := make([]byte, HeaderSize, HeaderSize+len(frame))
	copy(h, Magic)
	binary.LittleEndian.PutUint16(h[8:], Version)
	binary.LittleEndian.PutUint16(h[10:], uint16(index))
	binary.LittleEndian.PutUint16(h[12:], uint16(count))
	h[14], h[15] = Rows, Cols
	binary.LittleEndian.PutUint32(h[16:], uint32(trainOffset))
	binary.LittleEndian.PutUint32(h[20:], uint32(nTrain))
	binary.LittleEndian.PutUint32(h[24:], uint32(nTest))
	binary.LittleEndian.PutUint32(h[28:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(h[32:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(h[crcOffset:], crc32.ChecksumIEEE(frame))
	resum(h, payload)
	return append(h, frame...), nil
}

// resum writes the SHA-256 of h[:sumOffset] and payload into h.
func resum(h, payload []byte) {
	sum := sha256.New()
	sum.Write(h[:sumOffset])
	sum.Write(payload)
	sum.Sum(h[sumOffset:sumOffset])
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

var (
	decoderOnce sync.Once
	decoder     *zstd.Decoder
	decoderErr  error
)

// zstdDecoder returns the package's decoder: one goroutine (wasm has one
// thread), low memory, output limited to the capacity DecodeAll is given.
func zstdDecoder() (*zstd.Decoder, error) {
	decoderOnce.Do(func() {
		decoder, decoderErr = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true),
			zstd.WithDecodeAllCapLimit(true),
			zstd.WithDecoderMaxWindow(64<<20))
	})
	return decoder, decoderErr
}

// DecodePiece decodes one pack file. It checks the magic, the version, the
// image size, the piece numbering, the counts against the payload and frame
// lengths, the SHA-256, the ink streams and that every label is in 0..9.
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
	payloadLen, frameLen := int(le.Uint32(b[28:])), int(le.Uint32(b[32:]))
	n := nTrain + nTest
	if nTrain > maxImages || nTest > maxImages || n > maxImages || trainOffset > 1<<31 {
		return nil, fmt.Errorf("counts too large: %d train, %d test at offset %d", nTrain, nTest, trainOffset)
	}
	if fixed := payloadFixed(n); payloadLen < fixed || payloadLen > fixed+n*ImageSize {
		return nil, fmt.Errorf("payload of %d bytes cannot hold %d images (%d..%d bytes)", payloadLen, n, fixed, fixed+n*ImageSize)
	}
	if got := len(b) - HeaderSize; got != frameLen {
		if got < frameLen {
			return nil, fmt.Errorf("truncated: %d bytes of compressed data, header says %d", got, frameLen)
		}
		return nil, fmt.Errorf("%d bytes of compressed data, header says %d", got, frameLen)
	}
	if got, want := crc32.ChecksumIEEE(b[HeaderSize:]), le.Uint32(b[crcOffset:]); got != want {
		return nil, fmt.Errorf("frame checksum mismatch: CRC-32 %08x, header says %08x", got, want)
	}
	// Allocate for the payload only when the frame itself declares that size.
	var fh zstd.Header
	if err := fh.Decode(b[HeaderSize:]); err != nil {
		return nil, fmt.Errorf("zstd frame header: %w", err)
	}
	if !fh.HasFCS || fh.FrameContentSize != uint64(payloadLen) {
		return nil, fmt.Errorf("zstd frame declares %d bytes (known: %v), header says %d", fh.FrameContentSize, fh.HasFCS, payloadLen)
	}
	dec, err := zstdDecoder()
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	payload, err := dec.DecodeAll(b[HeaderSize:], make([]byte, 0, payloadLen))
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	if len(payload) != payloadLen {
		return nil, fmt.Errorf("payload is %d bytes, header says %d", len(payload), payloadLen)
	}
	sum := sha256.New()
	sum.Write(b[:sumOffset])
	sum.Write(payload)
	if got, want := sum.Sum(nil), b[sumOffset:HeaderSize]; !bytes.Equal(got, want) {
		return nil, fmt.Errorf("checksum mismatch: SHA-256 %x, header says %x", got, want)
	}
	labels := payload[:n]
	if i, l := badLabel(labels); i >= 0 {
		return nil, fmt.Errorf("label %d of image %d is not in 0..9", l, i)
	}
	mask := payload[n : n+n*maskBytes]
	lens := payload[n+n*maskBytes : payloadFixed(n)]
	images := make([]uint8, n*ImageSize) // (n, Rows, Cols)
	if err := decodeImages(images, n, mask, lens, payload[payloadFixed(n):]); err != nil {
		return nil, err
	}
	lab := bytes.Clone(labels)
	all := Set{Images: images, Labels: lab, N: n}
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
