package engine

// This file is the contract between the engine's parts (layers and models on
// one side, optimizers and the trainer on the other). Keep it small.

// Shape is the shape of one example's tensor, (C, H, W). A flat vector of
// width n is (n, 1, 1). Batches prepend N: buffers are (N, C, H, W).
type Shape struct{ C, H, W int }

// Size is C·H·W.
func (s Shape) Size() int { return s.C * s.H * s.W }

// Param is one learnable tensor and its gradient.
type Param struct {
	Name  string    // e.g. "conv1.weight"
	Shape []int     // e.g. (OutC, InC, KH, KW) or (Out, In) or (Out)
	W     []float32 // values, len = product of Shape
	G     []float32 // gradient; Backward adds into it (+=); Model.ZeroGrad clears it
	Decay bool      // true for weights, false for biases: L2 applies only where true
}

// Layer is one differentiable stage of a model. Forward and Backward work on
// whole batches in NCHW order; buffers they return are owned by the layer
// and stay valid until the next call of the same method. A layer allocates
// its buffers for the largest batch it has seen and never again in steady
// state. (A Model may run its own, private layers in a faster layout; no
// layer a caller holds ever does.)
type Layer interface {
	Name() string // e.g. "conv1", "pool2", "fc1"
	InShape() Shape
	OutShape() Shape
	// Forward maps x (n, InShape) to y (n, OutShape). train is false for
	// evaluation; layers that keep state for Backward may skip it then.
	Forward(x []float32, n int, train bool) []float32
	// Backward maps dy (n, OutShape) of the last training Forward to
	// dx (n, InShape), adding parameter gradients into Param.G.
	Backward(dy []float32) []float32
	Params() []*Param
}
