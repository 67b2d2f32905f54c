package engine

import (
	"errors"
	"fmt"
	"strings"
)

// PoolKind names a pooling operation.
type PoolKind string

// The pooling kinds of a CNN Spec.
const (
	PoolMax PoolKind = "max"
	PoolAvg PoolKind = "avg"
	PoolMin PoolKind = "min"
)

// ConvSpec is one convolution's square kernel size, stride and zero padding.
type ConvSpec struct {
	Kernel int `json:"kernel"`
	Stride int `json:"stride"`
	Pad    int `json:"pad"`
}

// Spec is a model architecture. It is JSON-serialisable (the page puts it in
// URLs). Arch "mlp" uses Hidden only; arch "cnn" uses Conv1, Conv2, Pool,
// PoolSize and, for the fully connected part, Hidden (empty means [100], the
// report's fc1 width).
type Spec struct {
	Arch     string   `json:"arch"`             // "mlp" or "cnn"
	Hidden   []int    `json:"hidden,omitempty"` // hidden widths, e.g. [100]
	Conv1    ConvSpec `json:"conv1"`            // CNN only
	Conv2    ConvSpec `json:"conv2"`            // CNN only
	Pool     PoolKind `json:"pool"`             // CNN pooling kind; "" means "max"
	PoolSize int      `json:"poolSize"`         // pooling kernel = stride; 0 means 2
	// ReLUFirst puts each CNN ReLU before its pooling (conv, ReLU, pool)
	// instead of after it (conv, pool, ReLU, the report's order). The two
	// are the same network for max pooling, not for min pooling (the
	// report's question 1.6).
	ReLUFirst bool `json:"reluFirst,omitempty"`
}

// Architecture names of a Spec.
const (
	ArchMLP = "mlp"
	ArchCNN = "cnn"
)

// Input and output sizes every model shares: MNIST images and ten classes.
const (
	ImageSize  = 28
	NumClasses = 10
)

// Limits Validate enforces so a spec from a URL or a file cannot ask for an
// absurd amount of memory.
const (
	MaxHiddenLayers = 8
	MaxWidth        = 4096
	MaxParams       = 16 << 20 // 16 Mi parameters, 64 MiB of float32
	maxKernel       = 64
	maxStride       = 64
)

// Channel counts of the report's CNN.
const (
	cnnConv1Channels = 10
	cnnConv2Channels = 20
	cnnDefaultHidden = 100
)

// DefaultCNN returns the report's CNN (Task 3.1): conv(1->10, 5x5) ->
// maxpool 2 -> ReLU -> conv(10->20, 5x5) -> maxpool 2 -> ReLU -> fc 320->100
// -> ReLU -> fc 100->10.
func DefaultCNN() Spec {
	return Spec{
		Arch:     ArchCNN,
		Hidden:   []int{cnnDefaultHidden},
		Conv1:    ConvSpec{Kernel: 5, Stride: 1, Pad: 0},
		Conv2:    ConvSpec{Kernel: 5, Stride: 1, Pad: 0},
		Pool:     PoolMax,
		PoolSize: 2,
	}
}

// DefaultMLP returns the MLP 784-100-10.
func DefaultMLP() Spec {
	return Spec{Arch: ArchMLP, Hidden: []int{100}}
}

// layerKind is what plan tells Build to make.
type layerKind int

const (
	kindLinear layerKind = iota
	kindConv
	kindPool
	kindReLU
	kindFlatten
)

// layerPlan is one layer of a validated spec, before any allocation.
type layerPlan struct {
	kind    layerKind
	name    string
	in, out Shape
	conv    ConvSpec // kindConv
	pool    PoolKind // kindPool
	k, s    int      // kindPool kernel and stride
	params  int
}

// Validate checks the spec and infers every layer's output shape. The error
// names the layer, the sizes and the formula when a shape would be empty,
// and is a *BudgetError when classifying one image would need more than
// MemoryLimit.
func (s Spec) Validate() error {
	_, err := s.plan()
	return err
}

// Layers describes the layers Build makes from s (name, output shape and
// parameter count, as Model.Info) without allocating any, or returns the
// error of Validate's shape checks; when a layer's output would be empty,
// the layers before it come with that error. It does not check the memory
// budget.
func (s Spec) Layers() ([]LayerInfo, error) {
	ls, err := s.layers()
	info := make([]LayerInfo, len(ls))
	for i, p := range ls {
		info[i] = LayerInfo{Name: p.name, In: p.in, Out: p.out, Params: p.params}
	}
	return info, err
}

// outSize is n_out = floor((n_in + 2p - k)/s) + 1, or an error naming the
// layer and showing the formula when it is below 1.
func outSize(layer string, nIn, k, s, p int) (int, error) {
	num := nIn + 2*p - k
	if num < 0 {
		// floor division for a negative numerator
		q := -((-num + s - 1) / s)
		return 0, fmt.Errorf("engine: %s: kernel %d > input %d+2·%d: n_out = floor((n_in + 2p - k)/s) + 1 = floor((%d + %d - %d)/%d) + 1 = %d",
			layer, k, nIn, p, nIn, 2*p, k, s, q+1)
	}
	return num/s + 1, nil
}

func checkConv(layer string, c ConvSpec) error {
	var bad []string
	if c.Kernel < 1 || c.Kernel > maxKernel {
		bad = append(bad, fmt.Sprintf("kernel %d not in 1..%d", c.Kernel, maxKernel))
	}
	if c.Stride < 1 || c.Stride > maxStride {
		bad = append(bad, fmt.Sprintf("stride %d not in 1..%d", c.Stride, maxStride))
	}
	if c.Pad < 0 {
		bad = append(bad, fmt.Sprintf("padding %d < 0", c.Pad))
	} else if c.Kernel >= 1 && c.Pad >= c.Kernel {
		bad = append(bad, fmt.Sprintf("padding %d >= kernel %d (border outputs would see only zeros)", c.Pad, c.Kernel))
	}
	if len(bad) > 0 {
		return fmt.Errorf("engine: %s: %s", layer, strings.Join(bad, ", "))
	}
	return nil
}

// plan is layers, refused if the model cannot classify one image within
// MemoryLimit (a *BudgetError).
func (s Spec) plan() ([]layerPlan, error) {
	ls, err := s.layers()
	if err != nil {
		return nil, err
	}
	if err := checkInference(ls, MemoryLimit()); err != nil {
		return nil, err
	}
	return ls, nil
}

// layers checks the spec's numbers and infers every layer's shape. When a
// shape is empty it returns the layers before that one with the error.
func (s Spec) layers() ([]layerPlan, error) {
	var ls []layerPlan
	in := Shape{1, ImageSize, ImageSize}
	total := 0
	relus := 0
	reluName := func() string { relus++; return fmt.Sprintf("relu%d", relus) }
	add := func(p layerPlan) {
		ls = append(ls, p)
		total += p.params
		in = p.out
	}
	hidden := s.Hidden
	if len(hidden) > MaxHiddenLayers {
		return nil, fmt.Errorf("engine: %d hidden layers, at most %d", len(hidden), MaxHiddenLayers)
	}
	for i, w := range hidden {
		if w < 1 || w > MaxWidth {
			return nil, fmt.Errorf("engine: fc%d: width %d not in 1..%d", i+1, w, MaxWidth)
		}
	}
	switch s.Arch {
	case ArchMLP:
		if s.Pool != "" || s.PoolSize != 0 || s.Conv1 != (ConvSpec{}) || s.Conv2 != (ConvSpec{}) || s.ReLUFirst {
			return nil, errors.New("engine: mlp: conv1, conv2, pool, poolSize and reluFirst apply to arch cnn only")
		}
		add(layerPlan{kind: kindFlatten, name: "flatten", in: in, out: Shape{in.Size(), 1, 1}})
	case ArchCNN:
		pool := s.Pool
		if pool == "" {
			pool = PoolMax
		}
		if pool != PoolMax && pool != PoolAvg && pool != PoolMin {
			return nil, fmt.Errorf("engine: pool: unknown kind %q (want max, avg or min)", s.Pool)
		}
		ps := s.PoolSize
		if ps == 0 {
			ps = 2
		}
		if ps < 1 || ps > maxKernel {
			return nil, fmt.Errorf("engine: pool: size %d not in 1..%d", s.PoolSize, maxKernel)
		}
		if len(hidden) == 0 {
			hidden = []int{cnnDefaultHidden}
		}
		for i, c := range []ConvSpec{s.Conv1, s.Conv2} {
			cname := fmt.Sprintf("conv%d", i+1)
			pname := fmt.Sprintf("pool%d", i+1)
			if err := checkConv(cname, c); err != nil {
				return nil, err
			}
			outC := cnnConv1Channels
			if i == 1 {
				outC = cnnConv2Channels
			}
			oh, err := outSize(cname, in.H, c.Kernel, c.Stride, c.Pad)
			if err != nil {
				return ls, err
			}
			add(layerPlan{kind: kindConv, name: cname, in: in, out: Shape{outC, oh, oh}, conv: c,
				params: outC*in.C*c.Kernel*c.Kernel + outC})
			if s.ReLUFirst {
				add(layerPlan{kind: kindReLU, name: reluName(), in: in, out: in})
			}
			ph, err := outSize(pname, in.H, ps, ps, 0)
			if err != nil {
				return ls, err
			}
			add(layerPlan{kind: kindPool, name: pname, in: in, out: Shape{in.C, ph, ph}, pool: pool, k: ps, s: ps})
			if !s.ReLUFirst {
				add(layerPlan{kind: kindReLU, name: reluName(), in: in, out: in})
			}
		}
		add(layerPlan{kind: kindFlatten, name: "flatten", in: in, out: Shape{in.Size(), 1, 1}})
	default:
		return nil, fmt.Errorf("engine: unknown arch %q (want mlp or cnn)", s.Arch)
	}
	widths := append(append([]int(nil), hidden...), NumClasses)
	for i, w := range widths {
		nIn := in.Size()
		add(layerPlan{kind: kindLinear, name: fmt.Sprintf("fc%d", i+1), in: in, out: Shape{w, 1, 1}, params: w*nIn + w})
		if total > MaxParams {
			return nil, fmt.Errorf("engine: more than %d parameters", MaxParams)
		}
		if i < len(widths)-1 {
			add(layerPlan{kind: kindReLU, name: reluName(), in: in, out: in})
		}
	}
	return ls, nil
}
