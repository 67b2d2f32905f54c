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
// model's limit) in the low 10. Early updates move it by 1/(n+1.5), so a
// fresh context learns from its first few bits; later ones by 1/(limit+1.5).
type counter uint32

const (
	counterHalf = counter(1 << 31) // p = 1/2, no updates yet
	countBits   = 10
	countMask   = 1<<countBits - 1
)

// rate[n] is 2^16/(n+1.5), the step of a counter's (n+1)-th update.
var rate = func() (t [countMask + 1]int64) {
	for n := range t {
		t[n] = int64(2 << 16 / (2*n + 3))
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
	p := int64(*c >> countBits)
	n := uint32(*c) & countMask
	p += (int64(bit)<<22 - p) * rate[n] >> 16
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
	mid := e.lo + uint32(uint64(e.hi-e.lo)*uint64(c.p16())>>16)
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

// decoder mirrors encoder. Past the end of in it reads zeros and keeps
// counting, so pos > len(in) tells that the data ended early.
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

// decode returns the next bit, coded with the probability of c, and
// updates c.
func (d *decoder) decode(c *counter, limit uint32) uint32 {
	mid := d.lo + uint32(uint64(d.hi-d.lo)*uint64(c.p16())>>16)
	var bit uint32
	if d.x <= mid {
		bit = 1
		d.hi = mid
	} else {
		d.lo = mid + 1
	}
	c.update(bit, limit)
	for (d.lo^d.hi)&0xff000000 == 0 {
		d.lo <<= 8
		d.hi = d.hi<<8 | 0xff
		d.x = d.x<<8 | uint32(d.next())
	}
	return bit
}

// overrun reports whether the decoder has read past the end of its data.
func (d *decoder) overrun() bool { return d.pos > len(d.in) }

// The models. A label is 4 bits, MSB first, each bit's context the bits
// before it (a binary tree of 16 nodes). An image is its ink mask, then
// its ink values.
//
// Mask bit (pixel != 0) at (y, x): the 10 neighbours above and to the left
// (W, WW; NWW, NW, N, NE, NEE; NNW, NN, NNE) and the 4x4 block of the image
// the pixel is in. Rows of the mask are kept as words, pixel x at bit x+2,
// so the neighbours are three shifts.
//
// Ink value (1..255) at an ink pixel: 8 bits, MSB first, a binary tree of
// 256 nodes per context. The context is the left and upper neighbours'
// values quantised to 9 levels, the upper-left and upper-right ones to 3
// levels, and whether the right, lower-left, lower and lower-right
// neighbours are ink (known: the whole mask comes first).

const (
	labelNodes = 16
	maskWin    = 1 << 10 // neighbour patterns
	maskBlocks = ((Rows + 3) / 4) * ((Cols + 3) / 4)
	valueCtxs  = 9 * 9 * 3 * 3 * 16
	valueNodes = 256
	padCols    = Cols + 2 // value scratch image: a zero border left, right and top
)

// models holds every counter of one piece's coding; it is large (the value
// model's), so each piece allocates it once.
type models struct {
	label [labelNodes]counter
	mask  [maskWin * maskBlocks]counter
	value [valueCtxs * valueNodes]counter
}

func newModels() *models {
	m := new(models)
	for i := range m.label {
		m.label[i] = counterHalf
	}
	for i := range m.mask {
		m.mask[i] = counterHalf
	}
	for i := range m.value {
		m.value[i] = counterHalf
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

// levels quantise a neighbour's value for the value context: lev9 (times
// its weight in the context index) for the left and upper neighbours, lev3
// for the diagonal ones.
var lev9W, lev9N, lev3NW, lev3NE [256]uint16

func init() {
	for v := 1; v < 256; v++ {
		l9, l3 := 1+v*7/252, 1
		if v >= 252 {
			l9, l3 = 8, 2
		}
		lev9W[v] = uint16(l9 * 9 * 3 * 3 * 16)
		lev9N[v] = uint16(l9 * 3 * 3 * 16)
		lev3NW[v] = uint16(l3 * 3 * 16)
		lev3NE[v] = uint16(l3 * 16)
	}
}

// valueContext is the offset of the value tree of the pixel at p of the
// padded value image pad (rows of padCols) whose mask row is row (pixel x at
// bit x+2) above the mask row below.
func valueContext(pad []uint8, p int, row, below uint32, x int) int {
	m := (row>>(x+3))&1 | (below>>(x+1))&7<<1
	return (int(lev9W[pad[p-1]]+lev9N[pad[p-padCols]]+lev3NW[pad[p-padCols-1]]+lev3NE[pad[p-padCols+1]]) + int(m)) * valueNodes
}

// encodePayload codes n labels and images (n, Rows, Cols). ink(k, i) says
// whether pixel i of image k is in the mask; nil means "is nonzero" (tests
// pass others to build corrupt data).
func encodePayload(labels, images []uint8, n int, ink func(k, i int) bool) []byte {
	m := newModels()
	e := newEncoder()
	for _, l := range labels[:n] {
		node := uint32(1)
		for b := 3; b >= 0; b-- {
			bit := uint32(l>>b) & 1
			e.encode(&m.label[node], bit, labelLimit)
			node = node<<1 | bit
		}
	}
	var rows [Rows + 3]uint32 // two zero rows above, one below
	var pad [(Rows + 1) * padCols]uint8
	for k := range n {
		img := images[k*ImageSize : (k+1)*ImageSize]
		for y := range Rows {
			var cur uint32
			for x := range Cols {
				var bit uint32
				if (ink == nil && img[y*Cols+x] != 0) || (ink != nil && ink(k, y*Cols+x)) {
					bit = 1
				}
				c := blockOf[y*Cols+x] + int32(maskContext(cur, rows[y+1], rows[y], x))
				e.encode(&m.mask[c], bit, maskLimit)
				cur |= bit << (x + 2)
			}
			rows[y+2] = cur
		}
		pad = [len(pad)]uint8{}
		for y := range Rows {
			for w := rows[y+2] >> 2; w != 0; w &= w - 1 {
				x := bits.TrailingZeros32(w)
				p := (y+1)*padCols + x + 1
				v := img[y*Cols+x]
				tree := m.value[valueContext(pad[:], p, rows[y+2], rows[y+3], x):][:valueNodes]
				node := uint32(1)
				for b := 7; b >= 0; b-- {
					bit := uint32(v>>b) & 1
					e.encode(&tree[node], bit, valueLimit)
					node = node<<1 | bit
				}
				pad[p] = v
			}
		}
	}
	return e.finish()
}

var errOverrun = errors.New("coded data ends early")

// decodePayload decodes n labels and images from coded into labels and
// images (n, Rows, Cols), which must be zeroed. It stops at the first error;
// it reads no byte past coded and does work bounded by n.
func decodePayload(labels, images []uint8, n int, coded []byte) error {
	m := newModels()
	d := newDecoder(coded)
	for i := range labels[:n] {
		node := uint32(1)
		for range 4 {
			node = node<<1 | d.decode(&m.label[node], labelLimit)
		}
		if l := node - labelNodes; l > 9 {
			return fmt.Errorf("label %d of image %d is not in 0..9", l, i)
		}
		labels[i] = uint8(node - labelNodes)
	}
	if d.overrun() {
		return errOverrun
	}
	var rows [Rows + 3]uint32
	var pad [(Rows + 1) * padCols]uint8
	for k := range n {
		img := images[k*ImageSize : (k+1)*ImageSize : (k+1)*ImageSize]
		for y := range Rows {
			var cur uint32
			up1, up2 := rows[y+1], rows[y]
			blocks := blockOf[y*Cols : (y+1)*Cols : (y+1)*Cols]
			for x := range Cols {
				c := blocks[x] + int32(maskContext(cur, up1, up2, x))
				cur |= d.decode(&m.mask[c], maskLimit) << (x + 2)
			}
			rows[y+2] = cur
		}
		pad = [len(pad)]uint8{}
		for y := range Rows {
			row, below := rows[y+2], rows[y+3]
			for w := row >> 2; w != 0; w &= w - 1 {
				x := bits.TrailingZeros32(w)
				p := (y+1)*padCols + x + 1
				tree := m.value[valueContext(pad[:], p, row, below, x):][:valueNodes]
				node := uint32(1)
				for range 8 {
					node = node<<1 | d.decode(&tree[node], valueLimit)
				}
				v := uint8(node - valueNodes)
				if v == 0 {
					return fmt.Errorf("image %d: zero value at an ink pixel", k)
				}
				pad[p] = v
				img[y*Cols+x] = v
			}
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
