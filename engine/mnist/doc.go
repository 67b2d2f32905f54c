// Package mnist provides the MNIST data of the project: the compressed,
// verified data pack the page fetches (DecodePiece, LoadPack, Join), its
// encoder (EncodePiece, EncodePack, WritePack, used by cmd/mkpack) and a
// loader for the original IDX files (LoadIDX, DecodeIDX). Every part of the
// project reads MNIST through this package, natively and in the browser.
//
// Images stay uint8 in memory, (N, 28, 28) row-major, 0 = background,
// 255 = ink; convert to float32 per batch.
//
// # Pack files
//
// A pack is NumPieces files, named by PackFiles: piece 0 holds the whole test
// set and the first FirstTrain training images, so the page can start
// training early; the other pieces share the rest of the training set. Each
// file is a 72-byte header followed by one zstd frame (klauspost/compress):
//
//	offset size  field (little-endian)
//	 0      8    magic "MNSTPACK"
//	 8      2    version, 1
//	10      2    piece index
//	12      2    piece count
//	14      1    rows, 28
//	15      1    cols, 28
//	16      4    train offset: index of the piece's first training image
//	20      4    train count
//	24      4    test count
//	28      4    payload length (decompressed)
//	32      4    frame length (compressed), the rest of the file exactly
//	36      4    CRC-32 (IEEE) of the zstd frame
//	40     32    SHA-256 of header bytes 0..39 followed by the payload
//	72      -    zstd frame of the payload
//
// The SHA-256 covers the decompressed payload and the header fields before
// it, so a flipped header byte is reported as a checksum mismatch if no
// earlier check catches it. The CRC-32 catches flips in the compressed frame
// that zstd would decode to the same payload (some bits of a frame do not
// affect its output), so every flipped byte of a pack file is an error.
// Both checksums together cost about a third of the decode time in wasm.
//
// # Payload
//
// With n = train count + test count, training images first:
//
//	n bytes         labels, 0..9
//	n·98 bytes      ink mask: one bit per pixel (pixel != 0), row-major, MSB first
//	625·4 bytes     lengths of the 625 ink-value streams, uint32
//	rest            the ink-value streams, concatenated in context order
//
// Each nonzero pixel's value goes to the stream of its context: its left,
// up-left, up and up-right neighbours (0 outside the image), each quantised
// to 5 levels (0 | 1..83 | 84..167 | 168..251 | 252..255), 5^4 contexts.
// The decoder walks the mask in raster order, so those neighbours are known.
// Splitting zeros from ink and ink by context gives zstd streams whose byte
// statistics are nearly stationary: on the first 10,000 training images at
// zstd's best level, raw bytes took 1.52 MB; PNG-style up/left/MED deltas
// 1.77-1.88 MB (they break LZ matches); a pixel-major transpose 1.87 MB;
// mask + values 1.45 MB; this context split 1.35 MB-equivalent.
//
// # Checks
//
// DecodePiece checks the magic, version, image size, piece numbering, that
// the counts fit the payload length, that the frame length matches the file,
// that zstd decodes to exactly the payload length (never more), the SHA-256,
// labels in 0..9, and that the ink streams hold exactly the values the mask
// asks for, none zero. Join checks that pieces come in order, cover the
// training set contiguously and that only piece 0 holds test images.
package mnist
