package engine

import (
	"fmt"
	"math"

	"mnistplay/engine/kernels"
)

// OptimKind names an optimizer.
type OptimKind string

// The optimizers. Their update rules are PyTorch's (torch.optim.SGD with
// dampening 0, and torch.optim.Adam with amsgrad off).
const (
	SGD      OptimKind = "sgd"      // w -= lr·g
	Momentum OptimKind = "momentum" // b = mu·b + g; w -= lr·b
	Nesterov OptimKind = "nesterov" // b = mu·b + g; w -= lr·(g + mu·b)
	Adam     OptimKind = "adam"     // Kingma & Ba with bias correction, eps outside the sqrt
)

// Defaults taken by OptimConfig's zero fields.
const (
	DefaultMomentum float32 = 0.9   // for "momentum" and "nesterov" (PyTorch has no default; 0.9 is the customary value)
	DefaultBeta1    float32 = 0.9   // torch.optim.Adam
	DefaultBeta2    float32 = 0.999 // torch.optim.Adam
	DefaultEps      float32 = 1e-8  // torch.optim.Adam
)

// OptimConfig chooses an optimizer and its hyper-parameters. Zero fields take
// the defaults above. L2 is the regularisation strength lambda; with L2Form
// "decay" (the default) the loss gains (lambda/2)·||w||² over the parameters
// whose Decay is true (weights, not biases), so lambda·w is added to their
// gradient before the update, exactly as PyTorch's weight_decay does for SGD
// and Adam; with "norm" it gains lambda·||theta||² over every parameter.
type OptimConfig struct {
	Kind     OptimKind `json:"kind"`
	Momentum float32   `json:"momentum,omitempty"`
	Beta1    float32   `json:"beta1,omitempty"`
	Beta2    float32   `json:"beta2,omitempty"`
	Eps      float32   `json:"eps,omitempty"`
	L2       float32   `json:"l2,omitempty"`
	L2Form   L2Form    `json:"l2Form,omitempty"` // "" or "decay": lambda·w on weights; "norm": 2·lambda·theta on weights and biases
}

// Optimizer updates parameters from their gradients.
type Optimizer interface {
	// Step updates every Param's W from its G with learning rate lr. It does
	// not clear G. The optimizer's state (momentum buffers, Adam moments) is
	// tied to the position of each Param in params: pass the same list each
	// time. It allocates its state on the first Step only.
	Step(params []*Param, lr float32)
	// Reset forgets the state, as if no Step had been taken.
	Reset()
}

// withDefaults returns cfg with its zero fields filled in.
func (cfg OptimConfig) withDefaults() OptimConfig {
	if cfg.Kind == "" {
		cfg.Kind = SGD
	}
	if cfg.Momentum == 0 {
		cfg.Momentum = DefaultMomentum
	}
	if cfg.Beta1 == 0 {
		cfg.Beta1 = DefaultBeta1
	}
	if cfg.Beta2 == 0 {
		cfg.Beta2 = DefaultBeta2
	}
	if cfg.Eps == 0 {
		cfg.Eps = DefaultEps
	}
	return cfg
}

// Validate reports whether cfg (after defaults) names a known optimizer with
// usable hyper-parameters.
func (cfg OptimConfig) Validate() error {
	c := cfg.withDefaults()
	bad := func(v float32) bool { return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) }
	switch c.Kind {
	case SGD, Momentum, Nesterov, Adam:
	default:
		return &OptionError{Option: "optimizer", Value: fmt.Sprintf("%q", string(cfg.Kind)), Want: "sgd, momentum, nesterov or adam"}
	}
	if err := c.L2Form.Validate(); err != nil {
		return err
	}
	if bad(c.L2) || c.L2 < 0 {
		return &OptionError{Option: "L2 strength", Value: cfg.L2, Want: ">= 0"}
	}
	if bad(c.Momentum) || c.Momentum < 0 || c.Momentum >= 1 {
		return &OptionError{Option: "momentum", Value: cfg.Momentum, Want: "a number in [0, 1)"}
	}
	if bad(c.Beta1) || c.Beta1 < 0 || c.Beta1 >= 1 || bad(c.Beta2) || c.Beta2 < 0 || c.Beta2 >= 1 {
		return &OptionError{Option: "Adam betas", Value: fmt.Sprintf("(%v, %v)", c.Beta1, c.Beta2), Want: "numbers in [0, 1)"}
	}
	if bad(c.Eps) || c.Eps < 0 {
		return &OptionError{Option: "Adam eps", Value: cfg.Eps, Want: "> 0"}
	}
	return nil
}

// NewOptimizer returns the optimizer cfg describes, or an error if cfg is
// not valid.
func NewOptimizer(cfg OptimConfig) (Optimizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := cfg.withDefaults()
	switch c.Kind {
	case SGD:
		return &sgd{l2: c.L2, form: c.L2Form}, nil
	case Momentum:
		return &sgd{l2: c.L2, form: c.L2Form, mu: c.Momentum}, nil
	case Nesterov:
		return &sgd{l2: c.L2, form: c.L2Form, mu: c.Momentum, nesterov: true}, nil
	default:
		return &adam{l2: c.L2, form: c.L2Form, beta1: c.Beta1, beta2: c.Beta2, eps: c.Eps}, nil
	}
}

// sgd is torch.optim.SGD with dampening 0, following its documented
// algorithm: g = grad + lambda·w; if mu != 0 { b = mu·b + g (b = g at the
// first step, which equals mu·0 + g); g = nesterov ? g + mu·b : b };
// w -= lr·g.
type sgd struct {
	l2, mu   float32
	form     L2Form
	nesterov bool
	buf      [][]float32 // momentum buffer per param, same shape as W
}

func (o *sgd) Reset() {
	for _, b := range o.buf {
		clear(b)
	}
}

func (o *sgd) Step(params []*Param, lr float32) {
	if o.mu != 0 {
		o.buf = ensureState(o.buf, params)
	}
	for i, p := range params {
		l2 := o.form.coef(o.l2, p)
		w, g := p.W, p.G[:len(p.W)]
		if o.mu == 0 && l2 == 0 {
			kernels.Axpy(-lr, g, w) // the vector loop: this is most of a small model's step
			continue
		}
		if o.mu == 0 {
			for j := range w {
				w[j] -= lr * (g[j] + l2*w[j])
			}
			continue
		}
		b, mu := o.buf[i][:len(w)], o.mu
		if o.nesterov {
			for j := range w {
				gj := g[j] + l2*w[j]
				bj := mu*b[j] + gj
				b[j] = bj
				w[j] -= lr * (gj + mu*bj)
			}
		} else if l2 == 0 {
			// b = mu·b + g; w -= lr·b
			kernels.Scale(mu, b)
			kernels.Axpy(1, g, b)
			kernels.Axpy(-lr, b, w)
		} else {
			for j := range w {
				bj := mu*b[j] + g[j] + l2*w[j]
				b[j] = bj
				w[j] -= lr * bj
			}
		}
	}
}

// adam is torch.optim.Adam (amsgrad off, weight_decay as L2 on the
// gradient): t += 1; g = grad + lambda·w; m = b1·m + (1-b1)·g;
// v = b2·v + (1-b2)·g²; w -= lr/(1-b1^t) · m / (sqrt(v)/sqrt(1-b2^t) + eps).
type adam struct {
	l2, beta1, beta2, eps float32
	form                  L2Form
	t                     int
	m, v                  [][]float32 // first and second moments per param
}

func (o *adam) Reset() {
	o.t = 0
	for i := range o.m {
		clear(o.m[i])
		clear(o.v[i])
	}
}

func (o *adam) Step(params []*Param, lr float32) {
	o.m = ensureState(o.m, params)
	o.v = ensureState(o.v, params)
	o.t++
	// Bias corrections in float64, as PyTorch computes them in Python floats.
	bc1 := 1 - math.Pow(float64(o.beta1), float64(o.t))
	bc2 := 1 - math.Pow(float64(o.beta2), float64(o.t))
	stepSize := float32(float64(lr) / bc1)
	sqrtBC2 := float32(math.Sqrt(bc2))
	c := kernels.AdamCoef{
		W1: float32(1 - float64(o.beta1)), // m.lerp_(grad, 1-beta1)
		W2: float32(1 - float64(o.beta2)), // v.mul_(beta2).addcmul_(grad, grad, 1-beta2)
		B2: o.beta2, SqrtBC2: sqrtBC2, Eps: o.eps, Step: stepSize,
	}
	for i, p := range params {
		c.L2 = o.form.coef(o.l2, p)
		kernels.AdamUpdate(p.W, p.G, o.m[i], o.v[i], c)
	}
}

// ensureState returns per-param state buffers matching params, allocating
// only when the list or a size changed (the first Step, in practice).
func ensureState(st [][]float32, params []*Param) [][]float32 {
	ok := len(st) == len(params)
	for i := 0; ok && i < len(params); i++ {
		ok = len(st[i]) == len(params[i].W)
	}
	if ok {
		return st
	}
	st = make([][]float32, len(params))
	for i, p := range params {
		st[i] = make([]float32, len(p.W))
	}
	return st
}
