package mnist

import (
	"errors"
	"fmt"
	"math/bits"
)

// This file holds the coding of a pack's payload: a binary arithmetic coder
// and the context models that give it each bit's probability (doc.go,
// "Coded data"). The encoder and the decoder walk the same models in the
// same order; they share the context functions and the counter update.

// counter is an adaptive estimate of the probability that a bit is 1: the
// probability in the top 22 bits, the number of updates so far (up to a
// model's limit) in the low 10. The n-th update moves it by about
// 1/(n+1.5), rounded to a power of two (a shift), so a fresh context learns
// from its first few bits and an old one averages over its last ~limit.
type counter uint32

const (
	counterHalf = counter(1 << 31) // p = 1/2, no updates yet
	countBits   = 10
	countMask   = 1<<countBits - 1
)

// shiftOf[n] is log2(n+1.5) rounded: the (n+1)-th update's step is
// 2^-shiftOf[n]. It is the least s with 2^s·√2 >= n+1.5, in integers.
var shiftOf = func() (t [countMask + 1]uint8) {
	for n := range t {
		s := uint8(0)
		for 1<<(2*s+3) < (2*n+3)*(2*n+3) {
			s++
		}
		t[n] = s
	}
	return t
}()

// p16 returns the probability of a 1 scaled to 1..65535.
func (c counter) p16() uint32 {
	return max(uint32(c)>>(countBits+6), 1)
}

// update moves c towards bit; limit bounds the update count, so the
// counter's memory.
func (c *counter) update(bit uint32, limit uint32) {
	v := uint32(*c)
	p := int32(v >> countBits)
	n := v & countMask
	p += (int32(bit)<<22 - p) >> shiftOf[n]
	if n < limit {
		n++
	}
	*c = counter(uint32(p)<<countBits | n)
}

// Counter limits of the three models: the mask's contexts are many and
// stationary, the values' contexts sparser.
const (
	labelLimit = 255
	maskLimit  = 1023
	valueLimit = 255
)

// The arithmetic coder keeps an interval [lo, hi] of 32-bit codes; a bit
// splits it in proportion to its probability, and whenever lo and hi agree
// in their top byte that byte is final: it is written (read) and both are
// shifted left. The encoder ends with the four bytes of lo, so the decoder
// reads exactly the bytes the encoder wrote.

type encoder struct {
	lo, hi uint32
	out    []byte
}

func newEncoder() *encoder { return &encoder{hi: 0xffffffff} }

// encode codes bit with the probability of c, then updates c.
func (e *encoder) encode(c *counter, bit uint32, limit uint32) {
	mid := cut(e.lo, e.hi, *c)
	if bit != 0 {
		e.hi = mid
	} else {
		e.lo = mid + 1
	}
	c.update(bit, limit)
	for (e.lo^e.hi)&0xff000000 == 0 {
		e.out = append(e.out, byte(e.hi>>24))
		e.lo <<= 8
		e.hi = e.hi<<8 | 0xff
	}
}

func (e *encoder) finish() []byte {
	return append(e.out, byte(e.lo>>24), byte(e.lo>>16), byte(e.lo>>8), byte(e.lo))
}

// cut returns where a bit with c's probability splits [lo, hi]: a 1 keeps
// [lo, mid], a 0 [mid+1, hi].
func cut(lo, hi uint32, c counter) uint32 {
	return lo + uint32(uint64(hi-lo)*uint64(c.p16())>>16)
}

// decoder mirrors encoder. Past the end of in it reads zeros and keeps
// counting, so pos > len(in) tells that the data ended early. Its hot
// methods (bits, maskRow) keep lo, hi and x in locals and run the rare
// refill out of line: a call per bit costs more than the bit, in wasm most.
type decoder struct {
	lo, hi, x uint32
	in        []byte
	pos       int
}

func newDecoder(in []byte) *decoder {
	d := &decoder{hi: 0xffffffff, in: in}
	for range 4 {
		d.x = d.x<<8 | uint32(d.next())
	}
	return d
}

func (d *decoder) next() byte {
	var b byte
	if d.pos < len(d.in) {
		b = d.in[d.pos]
	}
	d.pos++
	return b
}

// refill drops the top bytes lo and hi agree in and reads as many into x.
func (d *decoder) refill(lo, hi, x uint32) (uint32, uint32, uint32) {
	for (lo^hi)&0xff000000 == 0 {
		lo <<= 8
		hi = hi<<8 | 0xff
		x = x<<8 | uint32(d.next())
	}
	return lo, hi, x
}

// bits decodes n bits down the binary tree of counters tree from node and
// returns the node reached: node<<n | the bits.
func (d *decoder) bits(tree []counter, node uint32, n int, limit uint32) uint32 {
	lo, hi, x := d.lo, d.hi, d.x
	for range n {
		c := &tree[node]
		mid := cut(lo, hi, *c)
		var bit uint32
		if x <= mid {
			bit, hi = 1, mid
		} else {
			lo = mid + 1
		}
		c.update(bit, limit)
		node = node<<1 | bit
		lo, hi, x = d.refill(lo, hi, x)
	}
	d.lo, d.hi, d.x = lo, hi, x
	return node
}

// The hot loops below, maskRow and values, repeat bits' step with the
// refill written out: Go does not inline them into a loop, and in wasm a
// call costs more than the bit.

// maskRow decodes columns left..right of row y of an ink mask given the two
// rows above (words with pixel x at bit x+2) and returns the row.
func (d *decoder) maskRow(mask []counter, y, left, right int, up1, up2 uint32) uint32 {
	lo, hi, x, in, pos := d.lo, d.hi, d.x, d.in, d.pos
	blocks := blockOf[y*Cols+left : y*Cols+right+1 : y*Cols+right+1]
	var row uint32
	for i, b := range blocks {
		i += left
		c := &mask[b+int32(maskContext(row, up1, up2, i))]
		mid := cut(lo, hi, *c)
		var bit uint32
		if x <= mid {
			bit, hi = 1, mid
		} else {
			lo = mid + 1
		}
		c.update(bit, maskLimit)
		row |= bit << (i + 2)
		for (lo^hi)&0xff000000 == 0 {
			lo <<= 8
			hi = hi<<8 | 0xff
			x <<= 8
			if pos < len(in) {
				x |= uint32(in[pos])
			}
			pos++
		}
	}
	d.lo, d.hi, d.x, d.pos = lo, hi, x, pos
	return row
}

// values decodes the ink values of rows top..bottom of an image into img
// (Rows, Cols), given its mask rows (rows[y+2] is row y, pixel x at bit
// x+2) and pad, a zeroed scratch image. It returns false if a value is 0.
func (d *decoder) values(m *models, rows *[Rows + 3]uint32, top, bottom int, pad *[(Rows + 1) * padCols]uint8, img []uint8) bool {
	lo, hi, x, in, pos := d.lo, d.hi, d.x, d.in, d.pos
	ok := true
	for y := top; y <= bottom; y++ {
		row, below := rows[y+2], rows[y+3]
		for w := row >> 2; w != 0; w &= w - 1 {
			col := bits.TrailingZeros32(w)
			p := (y+1)*padCols + col + 1
			hc, lc := valueContexts(pad[:], p, row, below, col)
			high := m.high[hc : hc+highSize : hc+highSize]
			// Phases: the saturated bit (high[0]); then a saturated value's
			// 2 bits (high[1:4]) or an unsaturated value's first highBits
			// (high[highNodes:]) and last bits (m.low[lc:]).
			tree, node, n := high, uint32(0), 1
			var v uint32
			for phase := 0; ; phase++ {
				for range n {
					c := &tree[node]
					mid := cut(lo, hi, *c)
					var bit uint32
					if x <= mid {
						bit, hi = 1, mid
					} else {
						lo = mid + 1
					}
					c.update(bit, valueLimit)
					node = node<<1 | bit
					for (lo^hi)&0xff000000 == 0 {
						lo <<= 8
						hi = hi<<8 | 0xff
						x <<= 8
						if pos < len(in) {
							x |= uint32(in[pos])
						}
						pos++
					}
				}
				if phase == 0 {
					if node == 1 {
						tree, node, n = high, 1, 2
					} else {
						tree, node, n = high[highNodes:], 1, highBits
					}
					continue
				}
				if phase == 1 && n == 2 {
					v = node - 4 + saturated
					break
				}
				if phase == 1 {
					tree, n = m.low[lc:lc+valueNodes:lc+valueNodes], 8-highBits
					continue
				}
				v = node - valueNodes
				break
			}
			ok = ok && v != 0
			pad[p] = uint8(v)
			img[y*Cols+col] = uint8(v)
		}
	}
	d.lo, d.hi, d.x, d.pos = lo, hi, x, pos
	return ok
}

// overrun reports whether the decoder has read past the end of its data.
func (d *decoder) overrun() bool { return d.pos > len(d.in) }

// The models. A label is 4 bits, MSB first, each bit's context the bits
// before it (a binary tree of 16 nodes). An image is its ink mask, then
// its ink values.
//
// The mask starts with a bit "blank image", then the ink's bounding box:
// top row, height-1, left column, width-1, each 5 bits down a tree of its
// own. Only the pixels inside the box are coded: MNIST digits fill about
// 300 of the 784, and every coded bit costs decode time. Mask bit (pixel
// != 0) at (y, x): the 10 neighbours above and to the left (W, WW; NWW, NW,
// N, NE, NEE; NNW, NN, NNE) and the 4x4 block of the image the pixel is in.
// Rows of the mask are kept as words, pixel x at bit x+2, so the neighbours
// are three shifts.
//
// Ink value (1..255) at an ink pixel: first a bit "saturated" (252..255,
// the core of a stroke, a third of the ink), then either 2 bits (v-252) or
// 8 bits (v), MSB first, each bit's context the bits before it and the
// pixel's neighbourhood: whether the right, lower-left, lower and
// lower-right neighbours are ink (known: the whole mask comes first) and the
// values of the left and upper neighbours quantised to 9 levels, of the
// upper-left and upper-right ones to 3. The last 3 bits of an unsaturated
// value, nearly noise, use a coarser neighbourhood (left and upper at 3
// levels, the mask bits): fewer contexts learn faster and the model's
// memory stays small enough for the processor's caches.

const (
	labelNodes = 16
	boxNodes   = 32      // a 5-bit tree per bounding box field
	maskWin    = 1 << 10 // neighbour patterns
	maskBlocks = ((Rows + 3) / 4) * ((Cols + 3) / 4)
	valueCtxs  = 9 * 9 * 3 * 3 * 16
	highBits   = 5
	// The counters of one value context: [0] saturated, [1:4] the tree of
	// a saturated value's 2 bits, [highNodes:2*highNodes] the tree of an
	// unsaturated value's first highBits bits.
	highSize   = 2 * (1 << highBits)
	highNodes  = 1 << highBits
	lowCtxs    = 3 * 3 * 16
	valueNodes = 256
	saturated  = 252
	padCols    = Cols + 2 // value scratch image: a zero border left, right and top
)

// models holds every counter of one piece's coding; it is large (the value
// model's), so each piece allocates it once.
type models struct {
	label [labelNodes]counter
	blank [1]counter
	box   [4][boxNodes]counter
	mask  [maskWin * maskBlocks]counter
	high  [valueCtxs * highSize]counter
	low   [lowCtxs * valueNodes]counter // nodes highNodes.. used
}

func newModels() *models {
	m := new(models)
	m.blank[0] = counterHalf
	for i := range m.label {
		m.label[i] = counterHalf
	}
	for i := range m.box {
		for j := range m.box[i] {
			m.box[i][j] = counterHalf
		}
	}
	for i := range m.mask {
		m.mask[i] = counterHalf
	}
	for i := range m.high {
		m.high[i] = counterHalf
	}
	for i := range m.low {
		m.low[i] = counterHalf
	}
	return m
}

// blockOf[y*Cols+x] is the mask model's offset for pixel (y, x)'s block.
var blockOf = func() (t [ImageSize]int32) {
	for i := range t {
		y, x := i/Cols, i%Cols
		t[i] = int32((y/4*((Cols+3)/4) + x/4) * maskWin)
	}
	return t
}()

// maskContext is the index of the mask counter of pixel x of a row, given
// the row so far (cur) and the two rows above (up1, up2), each a word with
// pixel x at bit x+2.
func maskContext(cur, up1, up2 uint32, x int) uint32 {
	return (cur>>x)&3 | (up1>>x)&31<<2 | (up2>>(x+1))&7<<7
}

// levels quantise a neighbour's value for the value contexts, times its
// weight in the context index: lev9 for the left and upper neighbours,
// lev3 for the diagonal ones; low3 for the low bits' context.
var lev9W, lev9N, lev3NW, lev3NE, low3W, low3N [256]uint16

func init() {
	for v := 1; v < 256; v++ {
		l9, l3 := 1+v*7/saturated, 1
		if v >= saturated {
			l9, l3 = 8, 2
		}
		lev9W[v] = uint16(l9 * 9 * 3 * 3 * 16)
		lev9N[v] = uint16(l9 * 3 * 3 * 16)
		lev3NW[v] = uint16(l3 * 3 * 16)
		lev3NE[v] = uint16(l3 * 16)
		low3W[v] = uint16(l3 * 3 * 16)
		low3N[v] = uint16(l3 * 16)
	}
}

// valueContexts returns the offsets of the high and the low bits' counters
// of the pixel at p of the padded value image pad (rows of padCols), whose
// mask row is row (pixel x at bit x+2) above the mask row below.
func valueContexts(pad []uint8, p int, row, below uint32, x int) (high, low int) {
	m := (row>>(x+3))&1 | (below>>(x+1))&7<<1
	w, n := pad[p-1], pad[p-padCols]
	high = (int(lev9W[w]+lev9N[n]+lev3NW[pad[p-padCols-1]]+lev3NE[pad[p-padCols+1]]) + int(m)) * highSize
	low = (int(low3W[w]+low3N[n]) + int(m)) * valueNodes
	return high, low
}

// box is an image's ink bounding box, rows top..bottom and columns
// left..right, inclusive.
type box struct{ top, bottom, left, right int }

// bits codes the low n bits of v, MSB first, down the binary tree of
// counters tree from node.
func (e *encoder) bits(tree []counter, node uint32, n int, v uint32, limit uint32) {
	for b := n - 1; b >= 0; b-- {
		bit := v >> b & 1
		e.encode(&tree[node], bit, limit)
		node = node<<1 | bit
	}
}

// encodePayload codes n labels and images (n, Rows, Cols). ink(k, i) says
// whether pixel i of image k is in the mask; nil means "is nonzero" (tests
// pass others to build corrupt data).
func encodePayload(labels, images []uint8, n int, ink func(k, i int) bool) (coded []byte, work int) {
	m := newModels()
	e := newEncoder()
	for _, l := range labels[:n] {
		e.bits(m.label[:], 1, 4, uint32(l), labelLimit)
	}
	var rows [Rows + 3]uint32 // two zero rows above, one below
	var pad [(Rows + 1) * padCols]uint8
	for k := range n {
		img := images[k*ImageSize : (k+1)*ImageSize]
		rows = [len(rows)]uint32{}
		b := box{Rows, -1, Cols, -1}
		for i := range ImageSize {
			if (ink == nil && img[i] != 0) || (ink != nil && ink(k, i)) {
				y, x := i/Cols, i%Cols
				rows[y+2] |= 1 << (x + 2)
				b = box{min(b.top, y), max(b.bottom, y), min(b.left, x), max(b.right, x)}
			}
		}
		work += imageWork(b, &rows)
		if b.bottom < 0 {
			e.encode(&m.blank[0], 1, labelLimit)
			continue
		}
		e.encode(&m.blank[0], 0, labelLimit)
		for i, v := range []int{b.top, b.bottom - b.top, b.left, b.right - b.left} {
			e.bits(m.box[i][:], 1, 5, uint32(v), labelLimit)
		}
		for y := b.top; y <= b.bottom; y++ {
			for x := b.left; x <= b.right; x++ {
				c := blockOf[y*Cols+x] + int32(maskContext(rows[y+2], rows[y+1], rows[y], x))
				e.encode(&m.mask[c], rows[y+2]>>(x+2)&1, maskLimit)
			}
		}
		pad = [len(pad)]uint8{}
		for y := b.top; y <= b.bottom; y++ {
			for w := rows[y+2] >> 2; w != 0; w &= w - 1 {
				x := bits.TrailingZeros32(w)
				p := (y+1)*padCols + x + 1
				v := img[y*Cols+x]
				hc, lc := valueContexts(pad[:], p, rows[y+2], rows[y+3], x)
				high := m.high[hc : hc+highSize]
				if v >= saturated {
					e.encode(&high[0], 1, valueLimit)
					e.bits(high, 1, 2, uint32(v-saturated), valueLimit)
				} else {
					e.encode(&high[0], 0, valueLimit)
					e.bits(high[highNodes:], 1, highBits, uint32(v>>(8-highBits)), valueLimit)
					e.bits(m.low[lc:lc+valueNodes], uint32(v>>(8-highBits))|highNodes, 8-highBits, uint32(v), valueLimit)
				}
				pad[p] = v
			}
		}
	}
	return e.finish(), work
}

var (
	errOverrun = errors.New("coded data ends early")
	errWork    = errors.New("coded data too short for the work it asks for")
)

// An adaptive model can make a long run of likely bits cost almost nothing,
// so a few crafted bytes could ask for a billion decoded bits. The decoder
// bounds its work by the coded length: an image's work is an upper bound of
// its decoded bits (1 for a blank image, else its box's area plus 9 per ink
// pixel), and a piece's work may not exceed workBase + workPerByte per coded
// byte. MNIST needs under a quarter of that; the encoder refuses data that
// would exceed it.
const (
	workBase    = 1 << 20
	workPerByte = 64
)

func imageWork(b box, rows *[Rows + 3]uint32) int {
	if b.bottom < 0 {
		return 1
	}
	ink := 0
	for _, r := range rows {
		ink += bits.OnesCount32(r)
	}
	return (b.bottom-b.top+1)*(b.right-b.left+1) + 9*ink
}

func workBudget(codedLen int) int { return workBase + workPerByte*codedLen }

// decodePayload decodes n labels and images from coded into labels and
// images (n, Rows, Cols), which must be zeroed. It stops at the first error;
// it reads no byte past coded and does work bounded by n.
func decodePayload(labels, images []uint8, n int, coded []byte) error {
	m := newModels()
	d := newDecoder(coded)
	for i := range labels[:n] {
		l := d.bits(m.label[:], 1, 4, labelLimit) - labelNodes
		if l > 9 {
			return fmt.Errorf("label %d of image %d is not in 0..9", l, i)
		}
		labels[i] = uint8(l)
	}
	if d.overrun() {
		return errOverrun
	}
	var rows [Rows + 3]uint32
	var pad [(Rows + 1) * padCols]uint8
	work, budget := 0, workBudget(len(coded))
	for k := range n {
		if d.bits(m.blank[:], 0, 1, labelLimit) == 1 {
			if work++; work > budget {
				return errWork
			}
			continue
		}
		var f [4]int
		for i := range f {
			f[i] = int(d.bits(m.box[i][:], 1, 5, labelLimit) - boxNodes)
		}
		b := box{f[0], f[0] + f[1], f[2], f[2] + f[3]}
		if b.bottom >= Rows || b.right >= Cols {
			return fmt.Errorf("image %d: ink box rows %d..%d, columns %d..%d is outside the image", k, b.top, b.bottom, b.left, b.right)
		}
		img := images[k*ImageSize : (k+1)*ImageSize : (k+1)*ImageSize]
		rows = [len(rows)]uint32{}
		for y := b.top; y <= b.bottom; y++ {
			rows[y+2] = d.maskRow(m.mask[:], y, b.left, b.right, rows[y+1], rows[y])
		}
		if work += imageWork(b, &rows); work > budget {
			return errWork
		}
		pad = [len(pad)]uint8{}
		if !d.values(m, &rows, b.top, b.bottom, &pad, img) {
			return fmt.Errorf("image %d: zero value at an ink pixel", k)
		}
		if d.overrun() {
			return errOverrun
		}
	}
	if d.pos != len(coded) {
		return fmt.Errorf("%d bytes of coded data left over", len(coded)-d.pos)
	}
	return nil
}
