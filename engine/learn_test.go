package engine

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"mnistplay/engine/mnist"
)

// Learning tests on real MNIST, read from the repository's data pack. The
// full-size runs (one epoch on all 60,000 training images) are skipped with
// -short and under js/wasm, where a cheaper run on a subset proves the same
// thing with a lower bar.

var mnistOnce struct {
	sync.Once
	train, test Dataset
	err         error
}

func loadMNIST(t *testing.T) (train, test Dataset) {
	t.Helper()
	mnistOnce.Do(func() {
		tr, te, err := mnist.LoadPack("../assets")
		mnistOnce.train, mnistOnce.test, mnistOnce.err = Dataset(tr), Dataset(te), err
	})
	if mnistOnce.err != nil {
		t.Fatalf("loading MNIST: %v", mnistOnce.err)
	}
	return mnistOnce.train, mnistOnce.test
}

// full reports whether the expensive variants should run.
func full() bool { return !testing.Short() && runtime.GOOS != "js" }

type learnCase struct {
	name          string
	cfg           Config
	trainN, testN int     // subset sizes, 0 = all
	minTestAcc    float64 // after cfg.Epochs
}

func runLearn(t *testing.T, c learnCase) {
	train, test := loadMNIST(t)
	if c.trainN > 0 {
		train = train.Head(c.trainN)
	}
	if c.testN > 0 {
		test = test.Head(c.testN)
	}
	start := time.Now()
	tr, err := NewTrainer(c.cfg, train, test)
	if err != nil {
		t.Fatal(err)
	}
	var last EpochStats
	if err := tr.Run(t.Context(), nil, func(e EpochStats) { last = e }); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d train, %d test, %d epoch(s): train loss %.4f acc %.4f, test loss %.4f acc %.4f in %v",
		c.name, train.N, test.N, last.Epoch, last.TrainLoss, last.TrainAcc, last.ValLoss, last.ValAcc, time.Since(start).Round(time.Millisecond))
	if last.ValAcc < c.minTestAcc {
		t.Errorf("%s: test accuracy %.4f, want >= %.2f", c.name, last.ValAcc, c.minTestAcc)
	}
}

// TestLearnCNN trains the report's CNN with SGD for one epoch: at least 97%
// test accuracy. Momentum 0.9 at lr 0.01, batch 64: plain SGD at the
// report's lr 0.05 gets 96.9% on the first 2,000 test images, too close.
func TestLearnCNN(t *testing.T) {
	cfg := Config{
		Model:     DefaultCNN(),
		Optim:     OptimConfig{Kind: Momentum, Momentum: 0.9},
		Schedule:  Schedule{LR0: 0.01},
		BatchSize: 64,
		Epochs:    1,
		Seed:      1,
	}
	if full() {
		runLearn(t, learnCase{name: "cnn", cfg: cfg, minTestAcc: 0.97})
		return
	}
	runLearn(t, learnCase{name: "cnn-cheap", cfg: cfg, trainN: 6000, testN: 2000, minTestAcc: 0.85})
}

// TestLearnMLP trains the 784-100-10 MLP with SGD for one epoch: over 90%.
func TestLearnMLP(t *testing.T) {
	cfg := Config{
		Model:     DefaultMLP(),
		Optim:     OptimConfig{Kind: SGD},
		Schedule:  Schedule{LR0: 0.1},
		BatchSize: 64,
		Epochs:    1,
		Seed:      1,
	}
	if full() {
		runLearn(t, learnCase{name: "mlp", cfg: cfg, minTestAcc: 0.90})
		return
	}
	cfg.Epochs = 2
	runLearn(t, learnCase{name: "mlp-cheap", cfg: cfg, trainN: 10000, testN: 2000, minTestAcc: 0.88})
}

// TestLearnMemorise shuffles all training labels of a small subset: the
// network memorises them (training accuracy against the shuffled labels
// over 90%) while validation accuracy stays at chance (under 20%).
func TestLearnMemorise(t *testing.T) {
	n, valN := 1000, 2000
	if !full() {
		n, valN = 300, 1000
	}
	train, test := loadMNIST(t)
	start := time.Now()
	tr, err := NewTrainer(Config{
		Model:           Spec{Arch: ArchMLP, Hidden: []int{256}},
		Optim:           OptimConfig{Kind: Adam},
		Schedule:        Schedule{LR0: 0.001},
		BatchSize:       32,
		Epochs:          200,
		Subset:          n,
		Seed:            3,
		ShuffleFraction: 1,
		EvalSubset:      valN,
	}, train, test)
	if err != nil {
		t.Fatal(err)
	}
	var last EpochStats
	for !tr.Done() {
		_, e, err := tr.Step()
		if err != nil {
			t.Fatal(err)
		}
		if e != nil {
			last = *e
			if e.TrainAcc > 0.97 {
				break
			}
		}
	}
	shuffled := tr.TrainSet()
	_, trainAcc := Evaluate(tr.Model(), shuffled, 0)
	_, trueAcc := Evaluate(tr.Model(), train.Head(n), 0)
	t.Logf("memorise %d shuffled labels: %d epochs, train acc %.4f (against true labels %.4f), val acc %.4f in %v",
		n, last.Epoch, trainAcc, trueAcc, last.ValAcc, time.Since(start).Round(time.Millisecond))
	if trainAcc <= 0.9 {
		t.Errorf("training accuracy on shuffled labels %.4f, want > 0.9", trainAcc)
	}
	if last.ValAcc >= 0.2 {
		t.Errorf("validation accuracy %.4f, want < 0.2", last.ValAcc)
	}
}
