package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"mnistplay/engine"
)

// The report protocol: what the course report's own scripts did (read from
// public copies of its starter framework and minibatch script). An MLP
// 784-300-100-10 on raw pixels 0..255; one "epoch" is one minibatch step on
// B images drawn at random (full batch: one step on all 60,000); the loss is
// that batch's before the update, the accuracies are measured after it on
// all 60,000 training and 10,000 test images; L2 adds 2·lambda·theta to
// every gradient; momentum 0.9, Adam 0.9/0.999.

// protoKey names one configuration of the report's Tasks 1a, 1b and 2a.
type protoKey struct {
	batch int // 0: full batch
	lr    float64
	opt   engine.OptimKind
	l2    float64
}

// protoExp is one experiment of the report and its configurations.
type protoExp struct {
	name string // sweep, gd, optimizers, l2
	keys []protoKey
}

// Task 1a's grid.
var (
	protoBatches = []int{100, 500, 3000, 5000}
	protoLRs     = []float64{1e-3, 1e-4, 1e-5}
)

func protoExperiments() []protoExp {
	var sweep []protoKey
	for _, b := range protoBatches {
		for _, lr := range protoLRs {
			sweep = append(sweep, protoKey{b, lr, engine.SGD, 0})
		}
	}
	sgd300 := protoKey{300, 1e-4, engine.SGD, 0}
	return []protoExp{
		{"sweep", sweep},
		{"gd", []protoKey{sgd300, {0, 1e-4, engine.SGD, 0}}},
		{"optimizers", []protoKey{sgd300, {300, 1e-4, engine.Momentum, 0}, {300, 1e-4, engine.Nesterov, 0}, {300, 1e-4, engine.Adam, 0}}},
		{"l2", []protoKey{{300, 1e-4, engine.SGD, 1}, {300, 1e-4, engine.SGD, 0.1}, {300, 1e-4, engine.SGD, 0.01}}},
	}
}

// Metrics of a cell, as cells.csv names them.
const (
	metricLoss  = "loss"
	metricTrain = "train_acc"
	metricTest  = "test_acc"
)

// reportCell is one number the report prints for a configuration: a loss,
// or an accuracy as a fraction.
type reportCell struct {
	exp    string
	key    protoKey
	metric string
	value  float64
}

// reportCells returns every number of the report's Tables 1-3 and of its
// text for Tasks 1a.6, 1b and 2a, each once (its plain SGD run at batch 300
// is printed once, under GD vs SGD, and repeated for Task 1b).
func reportCells() []reportCell {
	loss := [4][3]float64{{0.5108, 1.7169, 5.4342}, {0.5862, 1.5882, 6.0633}, {0.5155, 1.5194, 5.5005}, {0.4996, 1.6411, 5.7330}}
	train := [4][3]float64{{85, 61.3, 17.5}, {86.3, 60, 13.6}, {85.6, 58.6, 15.9}, {86.2, 61.3, 17.7}}
	test := [4][3]float64{{85.6, 62.5, 17.1}, {86.4, 60.7, 13.1}, {85.9, 59.7, 16.1}, {86.3, 63, 18.3}}
	var cs []reportCell
	add := func(exp string, k protoKey, trainPct, testPct, l float64) {
		cs = append(cs, reportCell{exp, k, metricTrain, trainPct / 100}, reportCell{exp, k, metricTest, testPct / 100})
		if !math.IsNaN(l) {
			cs = append(cs, reportCell{exp, k, metricLoss, l})
		}
	}
	for i, b := range protoBatches {
		for j, lr := range protoLRs {
			add("sweep", protoKey{b, lr, engine.SGD, 0}, train[i][j], test[i][j], loss[i][j])
		}
	}
	add("gd", protoKey{300, 1e-4, engine.SGD, 0}, 60.4, 62, 1.59)
	add("gd", protoKey{0, 1e-4, engine.SGD, 0}, 64.8, 66.2, 1.46)
	add("optimizers", protoKey{300, 1e-4, engine.Momentum, 0}, 60.9, 62.6, math.NaN())
	add("optimizers", protoKey{300, 1e-4, engine.Nesterov, 0}, 58.8, 60.6, math.NaN())
	add("optimizers", protoKey{300, 1e-4, engine.Adam, 0}, 87.95, 88.08, 0.41)
	add("l2", protoKey{300, 1e-4, engine.SGD, 1}, 58.3, 60, 1.8)
	add("l2", protoKey{300, 1e-4, engine.SGD, 0.1}, 61.2, 62.4, 1.7)
	add("l2", protoKey{300, 1e-4, engine.SGD, 0.01}, 60, 61.3, 1.7)
	return cs
}

// The agreement rule: a report cell agrees with ours when it lies within our
// seeds' min-max widened by 2 accuracy points or by 10% of the loss.
const (
	agreeAccPoints = 0.02
	agreeLossFrac  = 0.10
)

// agrees applies the agreement rule to the report's value v and our
// seeds' range [lo, hi] of metric.
func agrees(metric string, v, lo, hi float64) bool {
	if metric == metricLoss {
		return v >= lo*(1-agreeLossFrac) && v <= hi*(1+agreeLossFrac)
	}
	return v >= lo-agreeAccPoints && v <= hi+agreeAccPoints
}

// protoConfig is the engine configuration of key under the report protocol.
func protoConfig(k protoKey, seed uint64, epochs, evalEvery int) engine.Config {
	return engine.Config{
		Model:         engine.Spec{Arch: engine.ArchMLP, Hidden: []int{300, 100}},
		Optim:         engine.OptimConfig{Kind: k.opt, L2: float32(k.l2), L2Form: engine.L2SquaredNorm},
		Schedule:      engine.Schedule{Kind: engine.Constant, LR0: float32(k.lr)},
		BatchSize:     k.batch,
		Epochs:        epochs,
		Seed:          seed,
		Input:         engine.InputRaw,
		StepsPerEpoch: 1,
		EvalEvery:     evalEvery,
		EvalTrain:     true,
	}
}

// cost orders configurations by the examples a step trains (full batch
// highest).
func (k protoKey) cost() int {
	if k.batch == 0 {
		return math.MaxInt
	}
	return k.batch
}

func (k protoKey) String() string {
	s := fmt.Sprintf("batch=%s lr=%s %s", batchLabel(k.batch), formatLR(k.lr), k.opt)
	if k.l2 != 0 {
		s += fmt.Sprintf(" l2=%g", k.l2)
	}
	return s
}

// protoRun is one finished run: its key, seed and per-epoch stats.
type protoRun struct {
	key     protoKey
	seed    uint64
	history []engine.EpochStats
}

func (r *protoRun) last() engine.EpochStats { return r.history[len(r.history)-1] }

// spread is our seeds' mean, min and max of one metric.
type spread struct{ mean, lo, hi float64 }

func spreadOf(v []float64) spread {
	s := spread{lo: math.Inf(1), hi: math.Inf(-1)}
	for _, x := range v {
		s.mean += x / float64(len(v))
		s.lo, s.hi = min(s.lo, x), max(s.hi, x)
	}
	return s
}

func metricOf(e engine.EpochStats, metric string) float64 {
	switch metric {
	case metricLoss:
		return e.TrainLoss
	case metricTrain:
		return e.TrainEvalAcc
	}
	return e.ValAcc
}

// protoResults indexes the runs by key.
type protoResults map[protoKey][]*protoRun

func (pr protoResults) spread(k protoKey, metric string) spread {
	var v []float64
	for _, r := range pr[k] {
		v = append(v, metricOf(r.last(), metric))
	}
	return spreadOf(v)
}

func setupReportProtocol(a *app, fs *flag.FlagSet) func(context.Context) error {
	out := fs.String("out", "results/report-protocol", "output directory (replaced only when every run has finished)")
	data := fs.String("data", "assets", "MNIST: a directory with the data pack (mnist-*.pack) or the IDX files")
	seeds := fs.Int("seeds", 5, "seeds per configuration (1..N)")
	fullSeeds := fs.Int("full-seeds", -1, "seeds of the full-batch GD run, whose steps cost 60,000 examples each (-1 = -seeds; 0 = not run)")
	epochs := fs.Int("epochs", 100, "epochs, each one step on one random batch (the report's 100)")
	curveEvery := fs.Int("curve-every", 25, "evaluate the first -curve-seeds seeds on the full sets every N epochs (their accuracy curves); the others only after the last epoch")
	curveSeeds := fs.Int("curve-seeds", 1, "seeds evaluated every -curve-every epochs")
	subset := fs.Int("subset", 0, "train on the first N training images (0 = all 60,000; smaller only for a smoke run)")
	evalSubset := fs.Int("eval-subset", 0, "test on the first N test images (0 = all 10,000)")
	workers := fs.Int("workers", defaultRunFlags().workers, "runs trained in parallel (each on one core)")
	quiet := fs.Bool("q", false, "no per-epoch lines on stdout (they still go to epochs.log)")
	return func(ctx context.Context) error {
		switch {
		case *seeds < 1:
			return usagef("-seeds %d must be >= 1", *seeds)
		case *fullSeeds < -1:
			return usagef("-full-seeds %d must be >= -1 (-1 = -seeds, 0 = not run)", *fullSeeds)
		case *epochs < 1:
			return usagef("-epochs %d must be >= 1", *epochs)
		case *curveEvery < 0:
			return usagef("-curve-every %d must be >= 0", *curveEvery)
		case *curveSeeds < 0:
			return usagef("-curve-seeds %d must be >= 0", *curveSeeds)
		case *subset < 0 || *evalSubset < 0:
			return usagef("-subset and -eval-subset must be >= 0")
		case *workers < 1:
			return usagef("-workers %d must be >= 1", *workers)
		}
		exps := protoExperiments()
		var keys []protoKey // each configuration once
		seen := map[protoKey]bool{}
		for _, e := range exps {
			for _, k := range e.keys {
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
		if *fullSeeds == -1 {
			*fullSeeds = *seeds
		}
		// The costliest runs first, so that the last ones to finish are short.
		slices.SortStableFunc(keys, func(x, y protoKey) int { return cmp.Compare(y.cost(), x.cost()) })
		var jobs []job
		var runs []*protoRun
		for _, k := range keys {
			n := *seeds
			if k.batch == 0 {
				n = *fullSeeds
			}
			for s := uint64(1); s <= uint64(n); s++ {
				every := *epochs // the last epoch only
				if s <= uint64(*curveSeeds) && *curveEvery > 0 {
					every = *curveEvery
				}
				cfg := protoConfig(k, s, *epochs, every)
				cfg.Subset, cfg.EvalSubset = *subset, *evalSubset
				if err := cfg.Validate(); err != nil {
					return usageError{err}
				}
				jobs = append(jobs, job{name: fmt.Sprintf("%s seed=%d", k, s), cfg: cfg})
				runs = append(runs, &protoRun{key: k, seed: s})
			}
		}
		train, val, err := a.load(*data)
		if err != nil {
			return err
		}
		if *subset > train.N {
			return usagef("-subset %d: the training set has %d images", *subset, train.N)
		}
		tmp, err := newTempDir(*out)
		if err != nil {
			return err
		}
		a.tmpDirs = append(a.tmpDirs, tmp)
		logf, err := os.Create(filepath.Join(tmp, "epochs.log"))
		if err != nil {
			return err
		}
		start := time.Now()
		res := a.runJobs(ctx, jobs, train, val, *workers, *quiet, logf)
		elapsed := time.Since(start)
		if err := logf.Close(); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := range res {
			if res[i].err != nil {
				return fmt.Errorf("%s was not written: %w", *out, res[i].err)
			}
			runs[i].history = res[i].history
		}
		fmt.Fprintf(a.stdout, "%d runs in %s\n", len(jobs), fmtDuration(elapsed.Seconds()))
		pr := protoResults{}
		for _, r := range runs {
			pr[r.key] = append(pr[r.key], r)
		}
		if err := writeCSVFile(filepath.Join(tmp, "cells.csv"), func(w io.Writer) error { return writeCellsCSV(w, exps, pr) }); err != nil {
			return err
		}
		if err := writeCSVFile(filepath.Join(tmp, "history.csv"), func(w io.Writer) error { return writeProtoHistory(w, exps, pr) }); err != nil {
			return err
		}
		info := protoInfo{args: a.args, seeds: *seeds, fullSeeds: *fullSeeds, epochs: *epochs, curveEvery: *curveEvery, curveSeeds: *curveSeeds,
			trainN: res[0].trainN, valN: res[0].valN, runs: len(jobs), workers: *workers, elapsed: elapsed}
		var md strings.Builder
		agree, total := protoSummary(&md, info, exps, pr)
		if err := os.WriteFile(filepath.Join(tmp, "summary.md"), []byte(md.String()), 0o644); err != nil {
			return err
		}
		if err := protoFigures(tmp, exps, pr, *epochs); err != nil {
			return err
		}
		if err := replaceDir(tmp, *out); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%d of the report's %d cells agree with our seeds' range (widened by 2 points or 10%% of the loss)\nwrote %s\n", agree, total, *out)
		return nil
	}
}

// newTempDir makes an empty directory next to out, so that renaming it to
// out stays on one file system.
func newTempDir(out string) (string, error) {
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
}

// replaceDir puts dir where out is: the old out is moved aside, dir renamed
// to out, then the old one removed. A failure leaves out as it was.
func replaceDir(dir, out string) error {
	old := ""
	if _, err := os.Stat(out); err == nil {
		old = dir + ".old"
		if err := os.Rename(out, old); err != nil {
			return err
		}
	}
	if err := os.Rename(dir, out); err != nil {
		if old != "" {
			os.Rename(old, out)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

func writeCSVFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// cellsHeader is the header of cells.csv, one row per run and experiment.
var cellsHeader = []string{"experiment", "batch", "lr", "optimizer", "l2", "seed", "loss", "train_acc", "test_acc"}

func keyFields(exp string, k protoKey, seed uint64) []string {
	return []string{exp, strconv.Itoa(k.batch), strconv.FormatFloat(k.lr, 'g', -1, 64), string(k.opt),
		strconv.FormatFloat(k.l2, 'g', -1, 64), strconv.FormatUint(seed, 10)}
}

func fmtG(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }

// writeCellsCSV writes each run's last epoch under every experiment that
// lists its configuration.
func writeCellsCSV(w io.Writer, exps []protoExp, pr protoResults) error {
	cw := csv.NewWriter(w)
	cw.Write(cellsHeader)
	for _, e := range exps {
		for _, k := range e.keys {
			for _, r := range pr[k] {
				l := r.last()
				cw.Write(append(keyFields(e.name, k, r.seed), fmtG(l.TrainLoss), fmtG(l.TrainEvalAcc), fmtG(l.ValAcc)))
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeProtoHistory writes every epoch of every run (accuracies empty where
// the epoch was not evaluated).
func writeProtoHistory(w io.Writer, exps []protoExp, pr protoResults) error {
	cw := csv.NewWriter(w)
	cw.Write(append(append(cellsHeader[:6:6], "epoch"), cellsHeader[6:]...))
	for _, e := range exps {
		for _, k := range e.keys {
			for _, r := range pr[k] {
				for _, h := range r.history {
					tr, te := "", ""
					if !h.Unevaluated {
						tr, te = fmtG(h.TrainEvalAcc), fmtG(h.ValAcc)
					}
					cw.Write(append(keyFields(e.name, k, r.seed), strconv.Itoa(h.Epoch), fmtG(h.TrainLoss), tr, te))
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// protoInfo is what summary.md says about how the runs were made.
type protoInfo struct {
	args                        []string
	seeds, fullSeeds, epochs    int
	curveEvery, curveSeeds      int
	trainN, valN, runs, workers int
	elapsed                     time.Duration
}

// fmtMetric formats a value of metric as the report prints it.
func fmtMetric(metric string, v float64) string {
	if metric == metricLoss {
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	return pct1(v)
}

// cellText is "report / our mean (min-max)" with a mark when they agree.
func cellText(c reportCell, s spread) string {
	mark := "no"
	if agrees(c.metric, c.value, s.lo, s.hi) {
		mark = "**yes**"
	}
	return fmt.Sprintf("%s / %s (%s–%s) %s", fmtMetric(c.metric, c.value), fmtMetric(c.metric, s.mean),
		fmtMetric(c.metric, s.lo), fmtMetric(c.metric, s.hi), mark)
}

// protoSummary writes summary.md and returns how many report cells agree.
func protoSummary(w io.Writer, in protoInfo, exps []protoExp, pr protoResults) (agree, total int) {
	fmt.Fprintf(w, "# The report's protocol: Tables 1-3, GD vs SGD, optimizers, L2\n\nCommand: `hw3 %s`\n\n", strings.Join(in.args, " "))
	fmt.Fprintf(w, "MLP 784-300-100-10 (ReLU), weights and biases from U(±1/sqrt(fan_in)); raw pixels 0..255; one epoch = one step on one batch drawn at random (full batch: one step on all %d training images); %d epochs; loss = that batch's cross-entropy before the update; accuracies after the last update on all %d training and %d test images; L2 adds 2·lambda·theta to the gradient of weights and biases; momentum and Nesterov 0.9, Adam 0.9/0.999. Seeds 1..%d for every configuration but full-batch GD, which has %d seed(s).\n\n",
		in.trainN, in.epochs, in.trainN, in.valN, in.seeds, in.fullSeeds)
	fmt.Fprintf(w, "Evaluation on the full sets: after the last epoch for every run; also every %d epochs for the first %d seed(s), for the accuracy curves. %d runs on %d workers in %s.\n\n",
		in.curveEvery, in.curveSeeds, in.runs, in.workers, fmtDuration(in.elapsed.Seconds()))
	cells := reportCells()
	var misses []string
	text := map[reportCell]string{}
	notRun := 0
	for _, c := range cells {
		if len(pr[c.key]) == 0 {
			notRun++
			continue
		}
		s := pr.spread(c.key, c.metric)
		total++
		if agrees(c.metric, c.value, s.lo, s.hi) {
			agree++
		} else {
			misses = append(misses, fmt.Sprintf("%s %s %s: report %s, ours %s–%s", c.exp, c.key, c.metric,
				fmtMetric(c.metric, c.value), fmtMetric(c.metric, s.lo), fmtMetric(c.metric, s.hi)))
		}
		text[c] = cellText(c, s)
	}
	fmt.Fprintf(w, "**%d of the report's %d cells agree**: the report's number lies within our seeds' min–max widened by %.0f points (accuracies) or %.0f%% (losses). Each cell below is report / our mean (min–max), then whether it agrees.",
		agree, total, 100*agreeAccPoints, 100*agreeLossFrac)
	if notRun > 0 {
		fmt.Fprintf(w, " %d more cells have no run (not run).", notRun)
	}
	fmt.Fprintf(w, "\n\n")
	find := func(exp string, k protoKey, metric string) string {
		if len(pr[k]) == 0 {
			for _, c := range cells {
				if c.exp == exp && c.key == k && c.metric == metric {
					return fmtMetric(metric, c.value) + " / not run"
				}
			}
			return "not run"
		}
		for _, c := range cells {
			if c.exp == exp && c.key == k && c.metric == metric {
				return text[c]
			}
		}
		s := pr.spread(k, metric)
		return fmt.Sprintf("(not printed) / %s (%s–%s)", fmtMetric(metric, s.mean), fmtMetric(metric, s.lo), fmtMetric(metric, s.hi))
	}
	for _, t := range []struct{ title, metric string }{{"Table 1: Losses", metricLoss}, {"Table 2: Training Accuracies", metricTrain}, {"Table 3: Testing Accuracies", metricTest}} {
		gridTable(w, t.title, protoBatches, protoLRs, func(i, j int) string {
			return find("sweep", protoKey{protoBatches[i], protoLRs[j], engine.SGD, 0}, t.metric)
		})
	}
	for _, e := range exps[1:] {
		title := map[string]string{"gd": "Task 1a.6: minibatch SGD (batch 300) vs full-batch GD, lr 1e-4",
			"optimizers": "Task 1b: optimizers, batch 300, lr 1e-4 (the SGD row is the GD vs SGD one)",
			"l2":         "Task 2a: L2, SGD, batch 300, lr 1e-4"}[e.name]
		fmt.Fprintf(w, "%s\n\n| run | train accuracy | test accuracy | loss |\n|---|---|---|---|\n", title)
		for _, k := range e.keys {
			exp := e.name
			if e.name == "optimizers" && k.opt == engine.SGD {
				exp = "gd"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", k, find(exp, k, metricTrain), find(exp, k, metricTest), find(exp, k, metricLoss))
		}
		fmt.Fprintln(w)
	}
	if len(misses) > 0 {
		fmt.Fprintf(w, "Cells that do not agree:\n\n")
		for _, m := range misses {
			fmt.Fprintf(w, "- %s\n", m)
		}
		fmt.Fprintln(w)
	}
	return agree, total
}
