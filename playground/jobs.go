package playground

import (
	"fmt"
	"math"
	"sort"

	"mnistplay/engine"
	"mnistplay/engine/mnist"
	"mnistplay/wire"
)

// flatnessJob evaluates the validation loss and error along
// theta(alpha) = (1-alpha)·theta0 + alpha·theta1, one alpha per slice, on a
// scratch model so training is not disturbed.
type flatnessJob struct {
	m              *engine.Model
	theta0, theta1 []float32 // (NumWeights)
	buf            []float32 // (NumWeights)
	alphas         []float64
	val            engine.Dataset
	input          engine.InputScale // the run's pixel scaling
	i              int
}

func (s *Session) flatness(alphas []float64, evalSubset int) {
	if len(alphas) == 0 {
		alphas = pageAlphas
	}
	if len(alphas) > maxAlphas {
		s.emit(wire.ErrorEvent{Message: fmt.Sprintf("flatness: %d alphas, want 1..%d", len(alphas), maxAlphas), Kind: wire.KindConfig})
		return
	}
	for _, a := range alphas {
		if math.IsNaN(a) || math.IsInf(a, 0) || math.Abs(a) > 100 {
			s.emit(wire.ErrorEvent{Message: fmt.Sprintf("flatness: alpha %v is not a number in -100..100", a), Kind: wire.KindConfig})
			return
		}
	}
	if s.tr == nil {
		s.emit(wire.ErrorEvent{Message: "flatness: no run yet; train a model first", Kind: wire.KindConfig})
		return
	}
	evalSubset = s.evalImages(evalSubset)
	val := dataset(s.test)
	if evalSubset < val.N {
		val = val.Head(evalSubset)
	}
	m, err := engine.Build(s.tr.Model().Spec, 0)
	if err != nil {
		panic("playground: rebuilding the trained spec: " + err.Error())
	}
	s.setJob(&flatnessJob{
		m:      m,
		theta0: s.theta0,
		theta1: s.tr.Model().Weights(nil),
		buf:    make([]float32, m.NumWeights()),
		alphas: append([]float64(nil), alphas...),
		val:    val,
		input:  s.cfg.Input,
	})
}

func (j *flatnessJob) advance(s *Session) bool {
	a := j.alphas[j.i]
	engine.Interpolate(j.buf, j.theta0, j.theta1, float32(a))
	if err := j.m.SetWeights(j.buf); err != nil {
		panic("playground: " + err.Error())
	}
	loss, acc := engine.EvaluateInput(j.m, j.val, j.input, evalBatch)
	s.emit(wire.FlatnessEvent{Alpha: a, Loss: loss, Error: 1 - acc, Index: j.i, Count: len(j.alphas)})
	j.i++
	return j.i == len(j.alphas)
}

// confusionJob classifies the validation set with a copy of the current
// weights, confChunk images per slice.
type confusionJob struct {
	m     *engine.Model
	val   mnist.Set
	next  int
	ev    wire.ConfusionEvent
	x     []float32 // (evalBatch, 1, 28, 28)
	y     []uint8   // (evalBatch)
	idx   []int     // (evalBatch)
	probs []float32 // (10)
	wrong []wire.Confused
	hits  int
	input engine.InputScale // the run's pixel scaling
}

func (s *Session) confusion() {
	if s.tr == nil || s.test.N == 0 {
		s.emit(wire.ErrorEvent{Message: "confusion matrix: no run or no test data yet", Kind: wire.KindConfig})
		return
	}
	m, err := engine.Build(s.tr.Model().Spec, 0)
	if err != nil {
		panic("playground: rebuilding the trained spec: " + err.Error())
	}
	if err := m.SetWeights(s.tr.Model().Weights(nil)); err != nil {
		panic("playground: " + err.Error())
	}
	s.setJob(&confusionJob{
		m:     m,
		val:   s.test,
		x:     make([]float32, evalBatch*mnist.ImageSize),
		y:     make([]uint8, evalBatch),
		idx:   make([]int, evalBatch),
		probs: make([]float32, engine.NumClasses),
		input: s.cfg.Input,
	})
}

func (j *confusionJob) advance(s *Session) bool {
	d := dataset(j.val)
	end := min(j.next+confChunk, j.val.N)
	batch := min(evalBatch, j.m.EvalBatch()) // the model's buffers stay within the memory budget
	for lo := j.next; lo < end; lo += batch {
		k := min(batch, end-lo)
		idx := j.idx[:k]
		for i := range idx {
			idx[i] = lo + i
		}
		d.BatchScaled(j.input, idx, j.x, j.y)
		logits := j.m.Forward(j.x[:k*mnist.ImageSize], k, false)
		for i := 0; i < k; i++ {
			engine.Softmax(j.probs, logits[i*engine.NumClasses:(i+1)*engine.NumClasses])
			pred := 0
			for c := 1; c < engine.NumClasses; c++ {
				if j.probs[c] > j.probs[pred] {
					pred = c
				}
			}
			label := int(j.y[i])
			j.ev.Matrix[label*engine.NumClasses+pred]++
			if pred == label {
				j.hits++
				continue
			}
			p := float64(j.probs[pred])
			if len(j.wrong) < worstImages || p > j.wrong[len(j.wrong)-1].Prob {
				n := lo + i
				img := append([]uint8(nil), j.val.Image(n)...)
				j.wrong = append(j.wrong, wire.Confused{Image: img, Label: label, Pred: pred, Prob: p})
				sort.SliceStable(j.wrong, func(a, b int) bool { return j.wrong[a].Prob > j.wrong[b].Prob })
				if len(j.wrong) > worstImages {
					j.wrong = j.wrong[:worstImages]
				}
			}
		}
	}
	j.next = end
	if j.next < j.val.N {
		return false
	}
	j.ev.Worst = j.wrong
	j.ev.N = j.val.N
	j.ev.Acc = float64(j.hits) / float64(max(j.val.N, 1))
	s.emit(j.ev)
	return true
}

// robustnessJob evaluates a copy of the current weights on the first test
// images moved by each of engine.RobustnessMoves, one move per slice.
type robustnessJob struct {
	m     *engine.Model
	val   engine.Dataset
	input engine.InputScale
	moves []engine.Move
	i     int
}

// robustness starts a robustness job on the first n test images (0: the
// run's validation examples, or defaultEval).
func (s *Session) robustness(n int) {
	if s.tr == nil || s.test.N == 0 {
		s.emit(wire.ErrorEvent{Message: "robustness: no run yet; train a model first", Kind: wire.KindConfig})
		return
	}
	n = s.evalImages(n)
	m, err := engine.Build(s.tr.Model().Spec, 0)
	if err != nil {
		panic("playground: rebuilding the trained spec: " + err.Error())
	}
	if err := m.SetWeights(s.tr.Model().Weights(nil)); err != nil {
		panic("playground: " + err.Error())
	}
	s.setJob(&robustnessJob{m: m, val: dataset(s.test).Head(min(n, s.test.N)), input: s.cfg.Input, moves: engine.RobustnessMoves()})
}

func (j *robustnessJob) advance(s *Session) bool {
	mv := j.moves[j.i]
	_, acc := engine.EvaluateInput(j.m, j.val.Moved(mv), j.input, evalBatch)
	s.emit(wire.RobustnessEvent{Angle: mv.Angle, DX: mv.DX, DY: mv.DY, Acc: acc, N: j.val.N, Index: j.i, Count: len(j.moves)})
	j.i++
	return j.i == len(j.moves)
}

// evalImages is how many validation images a job evaluates when asked for
// n: n, else the run's validation subset, else defaultEval.
func (s *Session) evalImages(n int) int {
	if n <= 0 {
		n = s.cfg.EvalSubset
	}
	if n <= 0 {
		n = defaultEval
	}
	return n
}
