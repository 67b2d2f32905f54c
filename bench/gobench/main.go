package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"mnistplay/engine"
)

const (
	batch   = 64
	classes = 10
	pixels  = 28 * 28
)

var measures = []string{"cnn-train", "cnn-infer", "mlp-train"}

func main() {
	system := flag.String("system", "go-native", "system name printed in each result line")
	seconds := flag.Float64("seconds", 2, "timed seconds per measure (at least one step)")
	warmup := flag.Float64("warmup", 0.5, "warm-up seconds per measure (at least one step)")
	longstep := flag.Float64("longstep", 0, "if > 0 and the first warm-up step takes longer, that step is the measurement")
	only := flag.String("only", "", "comma-separated measures to run (default all: "+strings.Join(measures, ",")+"), or kernels (GFLOP/s of the kernels and the peak)")
	replicas := flag.Int("replicas", 1, "train data-parallel on this many replicas (wasm in Web Workers sharing a SharedArrayBuffer, global gradSAB); only rank 0 prints")
	rank := flag.Int("rank", 0, "this replica's rank, 0..replicas-1")
	viaTrainer := flag.Bool("trainer", false, "train through engine.Trainer on one worker, as -replicas does on several: the one-worker side of the workers ratio")
	flag.BoolVar(&fastestStep, "fastest", false, "examples_per_s of the fastest timed step instead of the mean: on a shared machine the steps another process interrupted are the slow ones")
	flag.Parse()

	list := measures
	if *only != "" {
		list = strings.Split(*only, ",")
	}
	for _, m := range list {
		if m == "kernels" {
			runKernels(*system, *warmup, *seconds)
			continue
		}
		if *replicas > 1 || *viaTrainer {
			if len(list) > 1 || !strings.HasSuffix(m, "-train") {
				fmt.Fprintln(os.Stderr, "gobench: -replicas measures one training measure at a time")
				os.Exit(2)
			}
			eps, err := runReplica(m, *rank, *replicas, *warmup, *seconds, *longstep)
			if err != nil {
				fmt.Fprintln(os.Stderr, "gobench:", err)
				os.Exit(2)
			}
			if *rank == 0 {
				fmt.Printf("bench system=%s net=%s mode=train examples_per_s=%.1f\n", *system, strings.TrimSuffix(m, "-train"), eps)
			}
			continue
		}
		eps, err := run(m, *warmup, *seconds, *longstep)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gobench:", err)
			os.Exit(2)
		}
		net, mode, _ := strings.Cut(m, "-")
		fmt.Printf("bench system=%s net=%s mode=%s examples_per_s=%.1f\n", *system, net, mode, eps)
	}
}

// run builds the network of measure m ("cnn-train", ...) and returns its
// examples per second.
func run(m string, warmup, seconds, longstep float64) (float64, error) {
	var spec engine.Spec
	switch m {
	case "cnn-train", "cnn-infer":
		spec = engine.DefaultCNN()
	case "mlp-train":
		spec = engine.DefaultMLP()
	default:
		return 0, fmt.Errorf("unknown measure %q", m)
	}
	model, err := engine.Build(spec, 1)
	if err != nil {
		return 0, err
	}
	opt, err := engine.NewOptimizer(engine.OptimConfig{Kind: engine.SGD})
	if err != nil {
		return 0, err
	}

	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, batch*pixels) // (N, 1, 28, 28)
	for i := range x {
		x[i] = (rng.Float32() - 0.1307) / 0.3081
	}
	y := make([]uint8, batch) // (N)
	for i := range y {
		y[i] = uint8(rng.IntN(classes))
	}
	dlogits := make([]float32, batch*classes) // (N, 10)
	params := model.Params()

	var sink float32
	step := func() {
		model.ZeroGrad()
		logits := model.Forward(x, batch, true)
		engine.SoftmaxCrossEntropy(logits, y, batch, classes, dlogits)
		model.Backward(dlogits)
		opt.Step(params, 0.01)
	}
	if strings.HasSuffix(m, "-infer") {
		step = func() { sink += model.Forward(x, batch, false)[0] }
	}
	eps := measure(step, warmup, seconds, longstep)
	_ = sink
	return eps, nil
}

// runReplica trains measure m ("cnn-train" or "mlp-train") as replica rank
// of a data-parallel run of size replicas: engine.Trainer steps on global
// batches of 64 random examples, each replica computing its share and the
// gradients summed through the exchange. Rank 0 times the steps and then
// cancels the run; the others step until it does. With size 1 it is one
// Trainer alone, the same code path without the exchange.
func runReplica(m string, rank, size int, warmup, seconds, longstep float64) (float64, error) {
	spec := engine.DefaultMLP()
	if m == "cnn-train" {
		spec = engine.DefaultCNN()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 64 * batch
	d := engine.Dataset{Images: make([]uint8, n*pixels), Labels: make([]uint8, n), N: n}
	for i := range d.Images {
		d.Images[i] = uint8(rng.IntN(256))
	}
	for i := range d.Labels {
		d.Labels[i] = uint8(rng.IntN(classes))
	}
	cfg := engine.Config{Model: spec, Optim: engine.OptimConfig{Kind: engine.SGD},
		Schedule: engine.Schedule{Kind: engine.Constant, LR0: 0.01}, BatchSize: batch, Seed: 1}
	tr, err := engine.NewTrainer(cfg, d, engine.Dataset{})
	if err != nil {
		return 0, err
	}
	var red reducer
	if size > 1 {
		if red, err = newReducer(rank, size); err != nil {
			return 0, err
		}
		tr.SetReplica(rank, size, red)
	}
	if rank != 0 {
		for {
			if _, _, err := tr.Step(); err != nil {
				return 0, nil // cancelled by rank 0
			}
		}
	}
	var stepErr error
	eps := measure(func() {
		if _, _, err := tr.Step(); err != nil && stepErr == nil {
			stepErr = err
		}
	}, warmup, seconds, longstep)
	if red != nil {
		red.Abort()
	}
	return eps, stepErr
}

// fastestStep makes measure return the rate of the fastest timed step
// (-fastest).
var fastestStep bool

// measure runs step (one batch) for warmup seconds (at least one step), then
// for seconds (at least one step), and returns examples per second over the
// timed part. If longstep > 0 and the first warm-up step alone took longer
// than longstep seconds, that step is the measurement.
func measure(step func(), warmup, seconds, longstep float64) float64 {
	t0 := time.Now()
	step()
	if first := time.Since(t0).Seconds(); longstep > 0 && first >= longstep {
		return batch / first
	}
	for time.Since(t0).Seconds() < warmup {
		step()
	}
	n := 0
	t0 = time.Now()
	var el float64
	best := math.Inf(1)
	for {
		s0 := time.Now()
		step()
		best = min(best, time.Since(s0).Seconds())
		n++
		if el = time.Since(t0).Seconds(); el >= seconds {
			break
		}
	}
	if fastestStep {
		return batch / best
	}
	return float64(n*batch) / el
}
