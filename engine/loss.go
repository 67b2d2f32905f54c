package engine

import (
	"fmt"
	"math"
)

// SoftmaxCrossEntropy is the fused LogSoftmax + negative log-likelihood loss
// of logits (n, classes) against labels (n), averaged over the batch. It
// returns the mean loss and how many rows' argmax (the first on ties) equals
// the label. If dlogits (n, classes) is not nil it receives
// d(meanLoss)/dlogits = (softmax - onehot)/n.
//
// It works in float64 for each row's log-sum-exp. It panics if a label is
// not below classes or a slice is too short.
func SoftmaxCrossEntropy(logits []float32, labels []uint8, n, classes int, dlogits []float32) (meanLoss float64, correct int) {
	if len(logits) < n*classes || len(labels) < n || (dlogits != nil && len(dlogits) < n*classes) {
		panic("engine: SoftmaxCrossEntropy: slice shorter than n·classes")
	}
	if n == 0 {
		return 0, 0
	}
	invN := 1 / float64(n)
	var total float64
	for i := range n {
		row := logits[i*classes : i*classes+classes] // (classes)
		y := int(labels[i])
		if y >= classes {
			panic(fmt.Sprintf("engine: SoftmaxCrossEntropy: label %d of row %d not below %d classes", y, i, classes))
		}
		maxV, arg := row[0], 0
		for j, v := range row {
			if v > maxV {
				maxV, arg = v, j
			}
		}
		if arg == y {
			correct++
		}
		m := float64(maxV)
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(sum)
		total += lse - float64(row[y])
		if dlogits != nil {
			d := dlogits[i*classes : i*classes+classes]
			for j, v := range row {
				p := math.Exp(float64(v) - lse)
				if j == y {
					p -= 1
				}
				d[j] = float32(p * invN)
			}
		}
	}
	return total * invN, correct
}

// Softmax writes softmax(logits) of one row into dst. It panics if dst is
// shorter than logits.
func Softmax(dst, logits []float32) {
	if len(dst) < len(logits) {
		panic("engine: Softmax: dst shorter than logits")
	}
	if len(logits) == 0 {
		return
	}
	m := logits[0]
	for _, v := range logits {
		if v > m {
			m = v
		}
	}
	var sum float64
	for j, v := range logits {
		e := math.Exp(float64(v - m))
		dst[j] = float32(e)
		sum += e
	}
	inv := 1 / sum
	for j := range logits {
		dst[j] = float32(float64(dst[j]) * inv)
	}
}
