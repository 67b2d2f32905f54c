package engine

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// The memory budget: every model and every training run is checked against
// a limit on the bytes its buffers need, so that a spec from a link, a form
// or a weights file cannot ask for more memory than a browser tab (or a
// machine) has. The estimate counts what the layers really allocate (see
// Conv2d, Pool2d, ReLU, Linear) for the number of examples a Forward sees;
// the datasets themselves are the caller's and are not counted, nor are the
// GEMM kernels' packing buffers (a fixed few hundred KB per concurrent call).

var memoryLimit atomic.Int64

func init() { memoryLimit.Store(DefaultMemoryLimit) }

// MemoryLimit returns the budget in bytes that Spec.Validate, Build,
// UnmarshalModel, Config.Validate and NewTrainer check.
func MemoryLimit() int64 { return memoryLimit.Load() }

// SetMemoryLimit sets the budget in bytes (<= 0: DefaultMemoryLimit) and
// returns the previous one. Programs set it once at start; models and
// trainers made before keep the evaluation batch they chose.
func SetMemoryLimit(bytes int64) (old int64) {
	if bytes <= 0 {
		bytes = DefaultMemoryLimit
	}
	return memoryLimit.Swap(bytes)
}

// BudgetError says that a model or a training run needs more memory than
// the limit. Layer is the layer that needs the most.
type BudgetError struct {
	Layer      string // e.g. "conv2"
	Bytes      int64  // everything the model or run needs
	LayerBytes int64  // the part of Bytes for Layer
	Limit      int64
	Batch      int  // examples per Forward
	Train      bool // a training step (false: classifying Batch images)
	advice     string
}

func (e *BudgetError) Error() string {
	what := fmt.Sprintf("training %d images at a time", e.Batch)
	if !e.Train {
		what = "classifying one image"
		if e.Batch != 1 {
			what = fmt.Sprintf("classifying %d images at a time", e.Batch)
		}
	}
	return fmt.Sprintf("%s: %s needs %s of memory (%s for %s); the limit is %s. %s",
		e.Layer, what, FormatBytes(e.Bytes), FormatBytes(e.LayerBytes), e.Layer, FormatBytes(e.Limit), e.advice)
}

// FormatBytes writes n as a person reads it: "512 KB", "38 MB", "3.9 GB"
// (binary multiples, as operating systems show memory).
func FormatBytes(n int64) string {
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	trim := func(s string) string { return strings.TrimSuffix(s, ".0") }
	switch {
	case n < mb:
		return fmt.Sprintf("%d KB", (n+kb-1)/kb)
	case n < 10*mb:
		return trim(fmt.Sprintf("%.1f", float64(n)/mb)) + " MB"
	case n < gb:
		return fmt.Sprintf("%.0f MB", float64(n)/mb)
	default:
		return trim(fmt.Sprintf("%.1f", float64(n)/gb)) + " GB"
	}
}

// Memory is an estimate of the bytes a model or a training run needs.
type Memory struct {
	Bytes int64   // everything
	Layer []int64 // per layer of the model, its parameters included
	Batch int     // examples per training (or classifying) Forward
	Eval  int     // examples per evaluation Forward that keep Bytes within the limit
}

// Bytes per float32 and int32 element, per int, per label.
const (
	f32Bytes   = 4
	i32Bytes   = 4
	intBytes   = 8
	labelBytes = 1
)

// layerBytes returns the bytes layer p (laid out as lay, the model's first
// layer with parameters if first) allocates for a Forward of nF examples
// and, if nB > 0, a Backward of nB <= nF examples; its parameters count
// perParam bytes each.
func layerBytes(p layerPlan, lay layout, first bool, nF, nB int, perParam int64) int64 {
	f, b := int64(nF), int64(nB)
	in, out := int64(p.in.Size()), int64(p.out.Size())
	elems := int64(0) // float32 and int32 elements
	switch p.kind {
	case kindConv:
		ckk := int64(p.in.C * p.conv.Kernel * p.conv.Kernel)
		pix := int64(p.out.H * p.out.W)
		direct := p.conv.Stride == 1 && p.conv.Pad == 0
		elems += int64(p.out.C) * pix * f // yT
		if !lay.in {
			elems += f * in // xT
		}
		if direct {
			elems += ckk // boff
		} else {
			elems += ckk * pix * f // cols
		}
		if !lay.out {
			elems += f * out // y
		}
		if nB > 0 {
			if !lay.out {
				elems += out // sums
			}
			if !first {
				elems += b * in // dx
				if direct {
					elems += ckk * int64(p.out.W) * b // one output row's dcols
				}
			}
		}
	case kindPool:
		elems += f * out // y, or yT if lay.in
		if lay.in && !lay.out {
			elems += f * out // y besides yT
		}
		if p.pool != PoolAvg {
			elems += f * out // arg
		}
		if nB > 0 {
			elems += b * in // dx
		}
	case kindReLU:
		elems += f * out
		if nB > 0 {
			elems += b * in
		}
	case kindLinear:
		elems += f * out
		if nB > 0 && !first {
			elems += b * in
		}
	}
	return elems*f32Bytes + int64(p.params)*perParam
}

// modelBytes is the bytes of a model of plan whose layers saw Forwards of
// nF examples and Backwards of nB (0: none), its parameters at perParam
// bytes each. per, if not nil, receives each layer's share.
func modelBytes(plan []layerPlan, lay []layout, nF, nB int, perParam int64, per []int64) int64 {
	total := int64(0)
	first := true
	for i, p := range plan {
		isFirst := first && p.params > 0
		if p.params > 0 {
			first = false
		}
		b := layerBytes(p, lay[i], isFirst, nF, nB, perParam)
		if per != nil {
			per[i] = b
		}
		total += b
	}
	return total
}

// largest returns the largest n in [lo, hi] with fits(n), or lo if none;
// fits must be monotone (true up to some n, false after).
func largest(lo, hi int, fits func(n int) bool) int {
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// Every model's weights and their gradients.
const modelPerParam = 2 * f32Bytes

// inferenceMemory is what Build's model needs to classify n images, and the
// evaluation batch (at most chunk) that keeps its buffers within half the
// limit, so that a second model (a trainer's) fits beside it.
func inferenceMemory(plan []layerPlan, n int, limit int64) Memory {
	lay := layouts(plan)
	m := Memory{Layer: make([]int64, len(plan)), Batch: n}
	m.Bytes = modelBytes(plan, lay, n, 0, modelPerParam, m.Layer)
	m.Eval = largest(1, chunk, func(k int) bool { return modelBytes(plan, lay, k, 0, modelPerParam, nil) <= limit/2 })
	return m
}

// checkInference refuses a model of plan that cannot classify one image
// within limit.
func checkInference(plan []layerPlan, limit int64) error {
	m := inferenceMemory(plan, 1, limit)
	if m.Bytes <= limit {
		return nil
	}
	return budgetError(plan, m, limit, false)
}

func budgetError(plan []layerPlan, m Memory, limit int64, train bool) *BudgetError {
	worst := 0
	for i, b := range m.Layer {
		if b > m.Layer[worst] {
			worst = i
		}
	}
	advice := "Use fewer or narrower hidden layers."
	if train {
		advice = "Use fewer or narrower hidden layers, or a smaller batch."
	}
	switch plan[worst].kind {
	case kindConv, kindPool, kindReLU:
		advice = "Use a smaller kernel or padding, or a larger stride."
		if train {
			advice = "Use a smaller kernel, padding or batch, or a larger stride."
		}
	}
	return &BudgetError{Layer: plan[worst].name, Bytes: m.Bytes, LayerBytes: m.Layer[worst],
		Limit: limit, Batch: m.Batch, Train: train, advice: advice}
}

// trainChunk is the number of examples a training Forward of cfg sees at
// most, whatever the size of the training set: the batch (or the subset it
// cannot exceed), in chunks of at most chunk.
func (c Config) trainChunk() int {
	n := chunk
	if c.BatchSize > 0 {
		n = min(n, c.BatchSize)
	}
	if c.Subset > 0 {
		n = min(n, c.Subset)
	}
	return n
}

// optimizerState is the bytes per parameter the optimizer of cfg keeps.
func optimizerState(cfg OptimConfig) int64 {
	c := cfg.withDefaults()
	switch {
	case c.Kind == Adam:
		return 2 * f32Bytes // first and second moments
	case c.Momentum != 0 && (c.Kind == Momentum || c.Kind == Nesterov):
		return f32Bytes // momentum buffer
	}
	return 0
}

// TrainMemory estimates the bytes a Trainer of c needs at most: its model
// with the buffers of a training step (trainChunk examples) and of
// evaluation, the optimizer's state and the trainer's own buffers (the
// weights before a step, the initial ones, the best epoch's, a chunk of
// images, labels and logit gradients). Memory.Eval is the evaluation batch
// that keeps it within MemoryLimit, counting the buffers a larger
// evaluation Forward leaves behind as garbage. The error is the spec's, if it is not
// valid; the estimate is not checked against the limit (CheckMemory is).
func (c Config) TrainMemory() (Memory, error) {
	plan, err := c.Model.layers()
	if err != nil {
		return Memory{}, err
	}
	return trainMemory(plan, c, MemoryLimit()), nil
}

func trainMemory(plan []layerPlan, c Config, limit int64) Memory {
	lay := layouts(plan)
	// Weights and gradients, the optimizer's state, backup, theta0 and the
	// best epoch's weights.
	perParam := modelPerParam + optimizerState(c.Optim) + 3*f32Bytes
	fixed := int64(chunk) * (imagePixels*f32Bytes + labelBytes + NumClasses*f32Bytes + intBytes)
	nT := c.trainChunk()
	m := Memory{Layer: make([]int64, len(plan)), Batch: nT}
	bytes := func(nE int) int64 {
		return fixed + modelBytes(plan, lay, max(nT, nE), nT, perParam, nil)
	}
	// Evaluating more than nT examples grows the Forward buffers: while
	// they grow, the old ones are garbage that still takes memory.
	growth := modelBytes(plan, lay, nT, 0, 0, nil)
	m.Eval = largest(nT, chunk, func(k int) bool { return k == nT || bytes(k)+growth <= limit })
	m.Bytes = fixed + modelBytes(plan, lay, max(nT, m.Eval), nT, perParam, m.Layer)
	return m
}

// CheckMemory returns a *BudgetError if a training run of c needs more than
// MemoryLimit, or the spec's error if it is not valid.
func (c Config) CheckMemory() error {
	_, err := c.checkMemory()
	return err
}

// checkMemory is CheckMemory with the estimate.
func (c Config) checkMemory() (Memory, error) {
	plan, err := c.Model.plan()
	if err != nil {
		return Memory{}, err
	}
	limit := MemoryLimit()
	m := trainMemory(plan, c, limit)
	if m.Bytes > limit {
		return m, budgetError(plan, m, limit, true)
	}
	return m, nil
}
