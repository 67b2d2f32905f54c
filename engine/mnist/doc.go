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
// file is a 72-byte header followed by the coded data:
//
//	offset size  field (little-endian)
//	 0      8    magic "MNSTPACK"
//	 8      2    version, 2
//	10      2    piece index
//	12      2    piece count
//	14      1    rows, 28
//	15      1    cols, 28
//	16      4    train offset: index of the piece's first training image
//	20      4    train count
//	24      4    test count
//	28      4    payload length: n·785 for n = train count + test count
//	32      4    coded length, the rest of the file exactly
//	36      4    CRC-32 (IEEE) of the decoded payload
//	40     32    SHA-256 of header bytes 0..39 followed by the coded data
//	72      -    coded data
//
// The payload is the n labels (training images first), then the n images
// (n, 28, 28) row-major. The SHA-256 covers every byte of the file but
// itself and is checked before decoding; the CRC-32 of the decoded payload
// then proves that this decoder rebuilt what the encoder was given (the
// SHA-256 of the decoded payload would cost several times the coded data's
// in wasm; a CRC-32 costs little).
//
// # Coded data
//
// One adaptive binary arithmetic code (codec.go): every bit of the payload,
// as the models below binarise it, is coded with a probability from a
// counter chosen by the bit's context; the counter then learns the bit. The
// coder keeps 32-bit bounds and writes a byte whenever the bounds agree in
// their top byte; it ends with the four bytes of the lower bound, so the
// decoder consumes exactly the coded data.
//
//   - Labels: 4 bits each, MSB first, down one tree of 16 counters.
//   - Then per image: a bit "blank"; the ink's bounding box as four 5-bit
//     fields (top, height-1, left, width-1), each down a tree of its own;
//     the ink mask inside the box, raster order, a bit per pixel whose
//     context is its 10 nearest neighbours above and to the left (W, WW,
//     NWW, NW, N, NE, NEE, NNW, NN, NNE) and its 4x4 block of the image;
//     then the value of each ink pixel in raster order: a bit "saturated"
//     (252..255), then 2 bits (v-252) or 8 bits (v), MSB first, whose
//     context is the bits before them, the ink mask of the right,
//     lower-left, lower and lower-right neighbours and the values of the
//     left and upper neighbours (9 levels) and upper-left and upper-right
//     ones (3 levels); an unsaturated value's last 3 bits use a coarser
//     context (left and upper at 3 levels, the mask bits).
//
// Why: MNIST is four fifths background, and the background is predictable
// from the ink next to it: coding only inside the box, with neighbour
// contexts, makes the mask cheap. Ink values cluster by stroke position: a
// pixel inside a stroke (ink all around) is saturated, a pixel on its edge
// takes values like its neighbours'. Decoding all the mask first lets a
// value's context look right and down as well as left and up. Counters learn
// fast at first (a step of about 1/(n+1.5) at their n-th bit, a shift) and
// then slowly, so rare contexts and common ones both fit. The box and the
// saturated bit exist for decode time as much as for size: each coded bit
// costs the decoder about the same, likely or not. Mixing the predictions of
// several models compressed the values a little further in trials, but every
// model adds its own counter lookups to every bit, and the page waits for
// piece 0 before its first training step. README gives the sizes and times.
//
// # Checks
//
// DecodePiece checks the magic, version, image size, piece numbering, that
// the payload length is that of the counts, that the coded length matches
// the file, the SHA-256, labels in 0..9, each bounding box inside the
// image, ink values nonzero, that the coded data neither ends early nor
// leaves bytes over, and the CRC-32 of the decoded payload. An adaptive code
// can make long runs of likely bits nearly free, so a few crafted bytes
// could ask for billions of decoded bits: DecodePiece stops when an upper
// bound of the bits decoded exceeds a fixed base plus a multiple of the
// coded length, a bound real data stays far below (EncodePiece refuses data
// that would exceed it). Counts are bounded before anything is allocated
// from them. Join checks that pieces come in order, cover the training set
// contiguously and that only piece 0 holds test images.
package mnist
