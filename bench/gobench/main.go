package main

import (
	"flag"
	"fmt"
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
	for {
		step()
		n++
		if el = time.Since(t0).Seconds(); el >= seconds {
			break
		}
	}
	return float64(n*batch) / el
}
