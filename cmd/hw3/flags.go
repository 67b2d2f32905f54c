package main

import (
	"flag"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"

	"mnistplay/engine"
)

// usageError is a bad command line: the command prints it and exits with 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// runFlags are the options of one training run, shared by every subcommand
// (a sweep or comparison varies some of them).
type runFlags struct {
	model    string
	hidden   string
	conv1    string
	conv2    string
	pool     string
	poolSize int

	opt      string
	momentum float64
	lr       float64
	schedule string
	tau      float64
	gamma    float64
	every    int

	batch      int
	l2         float64
	l2Form     string
	input      string
	stepsEpoch int
	evalEvery  int
	evalTrain  bool
	protocol   string
	epochs     int
	subset     int
	evalSubset int
	patience   int
	shuffle    float64
	seed       uint64

	out     string
	data    string
	workers int
	quiet   bool
	memGB   float64 // memory budget of one run; 0: the engine's default

	set map[string]bool // flags given on the command line
}

// defaults a subcommand may change before registering its flags.
func defaultRunFlags() runFlags {
	return runFlags{
		model: "mlp", hidden: "100", conv1: "5,1,0", conv2: "5,1,0", pool: "max", poolSize: 2,
		opt: "sgd", lr: 0.01, schedule: "constant", gamma: float64(engine.DefaultGamma),
		batch: 64, epochs: 10, seed: 1, out: "results/train", data: "assets",
		workers: runtime.NumCPU(),
	}
}

// register adds the run flags to fs, with f's current values as defaults.
func (f *runFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.model, "model", f.model, "architecture: mlp or cnn")
	fs.StringVar(&f.hidden, "hidden", f.hidden, "hidden widths, comma-separated (mlp: e.g. 100 or 300,100; cnn: fc1 width)")
	fs.StringVar(&f.conv1, "conv1", f.conv1, "cnn: first convolution `kernel,stride,pad`")
	fs.StringVar(&f.conv2, "conv2", f.conv2, "cnn: second convolution `kernel,stride,pad`")
	fs.StringVar(&f.pool, "pool", f.pool, "cnn: pooling max, avg or min")
	fs.IntVar(&f.poolSize, "pool-size", f.poolSize, "cnn: pooling kernel = stride")
	fs.StringVar(&f.opt, "opt", f.opt, "optimizer: sgd, momentum, nesterov or adam")
	fs.Float64Var(&f.momentum, "momentum", f.momentum, "momentum for momentum/nesterov, Adam's beta1 is not affected (0: 0.9)")
	fs.Float64Var(&f.lr, "lr", f.lr, "learning rate (initial rate of the schedule)")
	fs.StringVar(&f.schedule, "schedule", f.schedule, "learning-rate schedule: constant, invt (lr/(1+t/tau)) or step (lr·gamma^floor(t/every))")
	fs.Float64Var(&f.tau, "tau", f.tau, "invt schedule: steps until the rate halves")
	fs.Float64Var(&f.gamma, "gamma", f.gamma, "step schedule: factor per period")
	fs.IntVar(&f.every, "every", f.every, "step schedule: period in steps")
	fs.IntVar(&f.batch, "batch", f.batch, "minibatch size (0 = full-batch gradient descent)")
	fs.Float64Var(&f.l2, "l2", f.l2, "L2 strength lambda (adds lambda·w to the weights' gradients; see -l2-form)")
	fs.StringVar(&f.l2Form, "l2-form", f.l2Form, "L2 form: decay (lambda·w on weights, PyTorch) or norm (2·lambda·theta on weights and biases, the report's)")
	fs.StringVar(&f.input, "input", f.input, "input scaling: standard ((v/255-0.1307)/0.3081), unit (v/255) or raw (v, 0..255, the report's)")
	fs.IntVar(&f.stepsEpoch, "steps-per-epoch", f.stepsEpoch, "an epoch is this many batches of exactly -batch images (1: one random batch per epoch, the report's; 0: one pass)")
	fs.IntVar(&f.evalEvery, "eval-every", f.evalEvery, "evaluate every N epochs and at the last (0 or 1: every epoch)")
	fs.BoolVar(&f.evalTrain, "eval-train", f.evalTrain, "also evaluate the whole training set after each evaluated epoch")
	fs.StringVar(&f.protocol, "protocol", f.protocol, "modern (the engine's defaults) or report (MLP 784-300-100-10, raw pixels, one random batch per epoch, L2 form norm, training set evaluated; flags given explicitly win)")
	fs.IntVar(&f.epochs, "epochs", f.epochs, "epochs (passes over the training subset)")
	fs.IntVar(&f.subset, "subset", f.subset, "train on the first N training images (0 = all 60,000)")
	fs.IntVar(&f.evalSubset, "eval-subset", f.evalSubset, "validate on the first N test images (0 = all 10,000)")
	fs.IntVar(&f.patience, "patience", f.patience, "early stopping after N epochs without a lower validation loss, restoring the best weights (0 = off)")
	fs.Float64Var(&f.shuffle, "shuffle", f.shuffle, "fraction of the training labels to shuffle (1 = the report's -s 1)")
	fs.Uint64Var(&f.seed, "seed", f.seed, "seed of the initial weights, batch order and label shuffle")
	fs.StringVar(&f.out, "out", f.out, "output directory (CSV, Markdown, PNG)")
	fs.StringVar(&f.data, "data", f.data, "MNIST: a directory with the data pack (mnist-*.pack) or the IDX files")
	fs.IntVar(&f.workers, "workers", f.workers, "runs trained in parallel (each on one core)")
	fs.Float64Var(&f.memGB, "mem", f.memGB, "memory budget of one run in GB; a model or batch that needs more is refused (0 = the engine's default)")
	fs.BoolVar(&f.quiet, "q", f.quiet, "no per-epoch lines on stdout (they still go to epochs.log in -out)")
}

// parseConv parses "kernel,stride,pad" (stride and pad optional: 1 and 0).
func parseConv(name, s string) (engine.ConvSpec, error) {
	parts := strings.Split(s, ",")
	if len(parts) > 3 || strings.TrimSpace(s) == "" {
		return engine.ConvSpec{}, usagef("-%s %q: want kernel,stride,pad (e.g. 5,1,0)", name, s)
	}
	v := []int{0, 1, 0}
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return engine.ConvSpec{}, usagef("-%s %q: %q is not an integer (want kernel,stride,pad)", name, s, p)
		}
		v[i] = n
	}
	return engine.ConvSpec{Kernel: v[0], Stride: v[1], Pad: v[2]}, nil
}

// parseInts parses a comma-separated list of integers.
func parseInts(name, s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, usagef("-%s %q: %q is not an integer", name, s, p)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, usagef("-%s: empty list", name)
	}
	return out, nil
}

// parseFloats parses a comma-separated list of finite numbers.
func parseFloats(name, s string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, usagef("-%s %q: %q is not a finite number", name, s, p)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, usagef("-%s: empty list", name)
	}
	return out, nil
}

// config turns the flags into an engine configuration and validates it with
// the engine's own checks, so the messages are the engine's (an impossible
// shape shows n_out = floor((n_in + 2p - k)/s) + 1). Errors are usageErrors.
func (f *runFlags) config() (engine.Config, error) {
	var cfg engine.Config
	if !(f.memGB >= 0 && f.memGB < 1<<20) {
		return cfg, usagef("-mem %v: want a number of GB >= 0", f.memGB)
	}
	engine.SetMemoryLimit(int64(f.memGB * (1 << 30)))
	if err := f.applyProtocol(); err != nil {
		return cfg, err
	}
	spec := engine.Spec{Arch: f.model}
	hidden, err := parseInts("hidden", f.hidden)
	if err != nil {
		return cfg, err
	}
	spec.Hidden = hidden
	switch f.model {
	case engine.ArchCNN:
		if spec.Conv1, err = parseConv("conv1", f.conv1); err != nil {
			return cfg, err
		}
		if spec.Conv2, err = parseConv("conv2", f.conv2); err != nil {
			return cfg, err
		}
		spec.Pool = engine.PoolKind(f.pool)
		spec.PoolSize = f.poolSize
	case engine.ArchMLP:
		for _, n := range []string{"conv1", "conv2", "pool", "pool-size"} {
			if f.set[n] {
				return cfg, usagef("-%s applies to -model cnn only", n)
			}
		}
	}
	cfg.Model = spec
	cfg.Optim = engine.OptimConfig{Kind: engine.OptimKind(f.opt), Momentum: float32(f.momentum), L2: float32(f.l2), L2Form: engine.L2Form(f.l2Form)}
	cfg.Schedule = engine.Schedule{Kind: engine.ScheduleKind(f.schedule), LR0: float32(f.lr), Tau: float32(f.tau), Gamma: float32(f.gamma), Every: f.every}
	cfg.BatchSize = f.batch
	cfg.Epochs = f.epochs
	cfg.Subset = f.subset
	cfg.EvalSubset = f.evalSubset
	cfg.Patience = f.patience
	cfg.ShuffleFraction = float32(f.shuffle)
	cfg.Seed = f.seed
	cfg.Input = engine.InputScale(f.input)
	cfg.StepsPerEpoch = f.stepsEpoch
	cfg.EvalEvery = f.evalEvery
	cfg.EvalTrain = f.evalTrain
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{err}
	}
	switch {
	case f.epochs < 1: // the engine's 0 (no limit) would never write the results
		return cfg, usagef("-epochs %d must be >= 1", f.epochs)
	case f.workers < 1:
		return cfg, usagef("-workers %d must be >= 1", f.workers)
	}
	return cfg, nil
}

// The protocols of -protocol.
const (
	protocolModern = "modern"
	protocolReport = "report"
)

// applyProtocol sets the report protocol's values of the flags not given on
// the command line. It runs once per config call and is idempotent.
func (f *runFlags) applyProtocol() error {
	switch f.protocol {
	case "", protocolModern:
		return nil
	case protocolReport:
	default:
		return usagef("-protocol %q: want modern or report", f.protocol)
	}
	def := func(name string, set func()) {
		if !f.set[name] {
			set()
		}
	}
	rp := engine.Config{}.ReportProtocol()
	def("hidden", func() { f.hidden = "300,100" })
	def("input", func() { f.input = string(rp.Input) })
	def("steps-per-epoch", func() { f.stepsEpoch = rp.StepsPerEpoch })
	def("l2-form", func() { f.l2Form = string(rp.Optim.L2Form) })
	def("eval-train", func() { f.evalTrain = true })
	return nil
}
