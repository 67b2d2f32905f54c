// Package engine provides a pure-Go float32 training engine for the MLPs and
// the CNN of the course report: layers with their gradients, model builders
// with shape inference, the loss, optimizers, learning-rate schedules and a
// trainer. It has no UI or browser imports and runs unchanged natively and
// as WebAssembly; its hot loops live in package kernels.
//
// # Layout
//
//   - api.go: the shared contract, Shape, Param and the Layer interface.
//   - spec.go: Spec (a JSON-serialisable architecture), DefaultCNN,
//     DefaultMLP, and Validate, the shape inference that turns an impossible
//     kernel/stride/padding into an error showing
//     n_out = floor((n_in + 2p - k)/s) + 1.
//   - linear.go, conv.go, pool.go, layers.go: the layers Linear, Conv2d,
//     Pool2d (max, avg, min), ReLU and Flatten, each with Forward and
//     Backward side by side; layer_ops.go: the convolution's data movement
//     (im2col and col2im over the whole batch, blocked transposes);
//     pool_simd.go and its scalar twin pool_scalar.go: max/min with argmax
//     over a vector of examples.
//   - loss.go: SoftmaxCrossEntropy (fused LogSoftmax + NLL) and Softmax.
//   - init.go: PyTorch's default initialisation from a seeded PCG generator.
//   - budget.go: the memory budget (MemoryLimit: 1 GB in WebAssembly,
//     8 GB natively): the bytes a model's buffers need to classify or to
//     train a chunk of examples, checked by Spec.Validate, Build,
//     UnmarshalModel, Config.Validate (and its CheckMemory) and NewTrainer
//     (a *BudgetError naming the layer).
//   - options.go: OptionError, the protocol options (input scaling, L2
//     form, ReportProtocol) and Config.Validate, the one check of a Config.
//   - outcome.go: DivergedError and NotLearnedError (CheckLearned).
//   - model.go: Build, Model (Forward, Backward, Params, ZeroGrad, Info,
//     Activation); weights.go: flat weight vectors and Interpolate;
//     encode.go: the binary model format (MarshalBinary, UnmarshalModel).
//
// # Conventions
//
// Tensors are float32 slices in NCHW order: a batch buffer is
// (N, C, H, W) and one example is a Shape (C, H, W); a flat vector of width n
// is (n, 1, 1). Every buffer carries a shape comment. Gradients are named
// d... (dy, dx, dW) as in llm.c. Backward adds into Param.G (+=), so
// gradients accumulate across Backward calls until Model.ZeroGrad; that is
// also how a full-batch gradient is computed in chunks, since a Forward's
// memory grows with its batch size. Each layer owns its output and gradient
// buffers, sizes them for the largest batch seen and does not allocate again:
// a training step allocates nothing in steady state. Buffers a layer returns
// stay valid until its next call of the same method, and Backward reads the
// input that was given to the last Forward, so the caller must not change it
// in between.
//
// Conv2d works on the batch transposed to (C, H, W, N), the example index
// innermost, so that im2col and col2im move runs of OW·N contiguous floats
// (one copy or one SIMD axpy each) instead of OW floats per image: in
// WebAssembly, per-call and per-element overheads otherwise dominate. All
// patches of the batch form one (C·K·K, OH·OW·N) matrix and each pass is a
// single GEMM; with stride 1 and no padding, forward and weight gradient read
// the patches in place from the (C, H, W, N) input instead (no im2col), and
// the input gradient makes and folds back the patch gradients one output row
// at a time, a block that stays in cache. When a
// pooling layer follows, Build lets the pair pass the (C, H, W, N) tensor
// between them, and pooling transposes its four times smaller output back to
// NCHW, unless another conv follows (directly or after a ReLU, which is
// elementwise): then pooling, ReLU and conv pass (C, H, W, N) too. These are
// the exceptions to NCHW between layers. They are the model's business:
// a layer from NewConv2d or NewPool2d is NCHW in and out as Layer says,
// Build switches layouts only on the layers it makes and keeps to itself,
// and Model.Activation returns (C, H, W) whatever the layout. The first
// layer with parameters skips its input gradient, which no one needs.
//
// The same Spec and seed give bit-identical initial weights; weights are
// ordered as Params(): each layer's weight then bias, layers in order.
// Weight decay (L2) applies to weights only, never to biases: Param.Decay
// marks which.
//
// # Errors and panics
//
// Anything a user, a URL or a file can get wrong is an error: an invalid
// Spec (the message names the layer, the sizes and the formula), a model or
// a run over the memory budget (*BudgetError), weights of
// the wrong length, malformed model bytes (UnmarshalModel never panics).
// Panics, with messages prefixed "engine:", are for programmer mistakes only
// and each is documented with "It panics if": a slice shorter than its stated
// shape, Backward without a training Forward, a label not below the number of
// classes.
//
// # Training
//
// optim.go holds the optimizers behind one interface, with PyTorch's update
// rules and defaults: SGD; momentum, b = mu·b + g, w -= lr·b; Nesterov,
// w -= lr·(g + mu·b); Adam with bias correction and eps outside the square
// root (beta1 0.9, beta2 0.999, eps 1e-8; momentum defaults to 0.9). L2
// strength lambda adds lambda·w to the gradient of every Param with Decay
// (weights, not biases), the gradient of (lambda/2)·||w||², unless L2Form
// is "norm" (2·lambda·theta on weights and biases, the course framework's
// lambda·||theta||²); reported losses are the cross-entropy alone. schedule.go: constant, 1/t decay
// lr0/(1 + t/tau) (Robbins-Monro) and step decay, t counting steps.
// dataset.go converts uint8 images to float32 per batch, normalised by
// default or scaled as Config.Input says (options.go: the input scalings,
// the L2 forms and the protocol options' one validation, with OptionError);
// batcher.go reshuffles every epoch from a seeded PCG (batch 0 = full
// batch). An epoch is one pass over the training set, or StepsPerEpoch
// batches of exactly BatchSize (1: one random batch per epoch, the course
// report's protocol); EvalEvery and EvalTrain choose when and on what the
// epoch's end is evaluated. trainer.go runs one batch per Step or loops in
// Run; batches larger than 256 are processed in chunks whose gradients
// accumulate, and StepChunk does one chunk at a time (the browser worker
// returns to its event loop between chunks). A NaN or infinite loss,
// gradient or weight stops training with a *DivergedError, keeping the
// weights from before that step, and Resume goes on at a lower rate.
// earlystop.go keeps the best
// weights by validation loss; labels.go shuffles a seeded fraction of the
// training labels into a copy (the caller's data are never written);
// flatness.go evaluates theta(alpha) and restores the weights;
// evaluator.go is Evaluate a batch at a time, for callers that stop
// between batches (engine/landscape). One seed
// fixes the initial weights, the batch order and the label shuffle, so a run
// is bit-for-bit reproducible on one build.
package engine
