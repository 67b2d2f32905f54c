package plot

import (
	"math"
	"strconv"
)

// Tick is one labelled position on an axis.
type Tick struct {
	Value float64
	Label string
}

// niceNum rounds x to 1, 2, 5 or 10 times a power of ten (Heckbert); round
// picks the nearest, otherwise the next larger.
func niceNum(x float64, round bool) float64 {
	e := math.Floor(math.Log10(x))
	p := math.Pow(10, e)
	f := x / p
	var n float64
	switch {
	case round && f < 1.5, !round && f <= 1:
		n = 1
	case round && f < 3, !round && f <= 2:
		n = 2
	case round && f < 7, !round && f <= 5:
		n = 5
	default:
		n = 10
	}
	return n * p
}

// LinearTicks returns about n nicely spaced ticks covering [lo, hi] and the
// range widened to the outer ticks. lo and hi must be finite with lo < hi;
// otherwise a unit range around lo is used.
func LinearTicks(lo, hi float64, n int) (ticks []Tick, nlo, nhi float64) {
	return appendLinearTicks(nil, lo, hi, n)
}

func appendLinearTicks(ticks []Tick, lo, hi float64, n int) ([]Tick, float64, float64) {
	lo, hi = sanitizeRange(lo, hi)
	n = max(n, 2)
	step := niceNum((hi-lo)/float64(n-1), true)
	nlo := math.Floor(lo/step+1e-9) * step
	nhi := math.Ceil(hi/step-1e-9) * step
	dec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	for i := 0; ; i++ {
		v := nlo + float64(i)*step
		if v > nhi+step*1e-6 || i > 100 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, Tick{v, strconv.FormatFloat(v, 'f', dec, 64)})
	}
	return ticks, nlo, nhi
}

// appendLogTicks appends to ticks the ticks at the powers of ten covering
// [lo, hi] (and at 2 and 5 times them when the range spans at most two
// decades), and returns them with the range widened to whole decades. lo
// and hi must be positive and finite.
func appendLogTicks(ticks []Tick, lo, hi float64) ([]Tick, float64, float64) {
	if !(lo > 0) || !finite(lo) {
		lo = 1
	}
	if !(hi > lo) || !finite(hi) {
		hi = lo * 10
	}
	a := math.Floor(math.Log10(lo) + 1e-9)
	b := math.Ceil(math.Log10(hi) - 1e-9)
	if b <= a {
		b = a + 1
	}
	sub := b-a <= 2
	for e := a; e <= b; e++ {
		for _, m := range [3]float64{1, 2, 5} {
			if m != 1 && (!sub || e == b) {
				continue
			}
			v := m * math.Pow(10, e)
			ticks = append(ticks, Tick{v, formatLog(v)})
		}
	}
	return ticks, math.Pow(10, a), math.Pow(10, b)
}

func formatLog(v float64) string {
	e := math.Floor(math.Log10(v) + 1e-9)
	if e >= -3 && e <= 4 {
		return strconv.FormatFloat(v, 'f', max(0, int(-e)), 64)
	}
	return strconv.FormatFloat(v, 'g', 1, 64)
}

// sanitizeRange makes [lo, hi] finite and non-empty.
func sanitizeRange(lo, hi float64) (float64, float64) {
	if !finite(lo) {
		lo = 0
	}
	if !finite(hi) {
		hi = lo + 1
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		d := math.Abs(lo) * 0.1
		if d == 0 {
			d = 0.5
		}
		lo, hi = lo-d, hi+d
	}
	return lo, hi
}
