package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"mnistplay/engine"
)

// ---- schedules (question 1.2) ---------------------------------------------

// setupSchedules compares, with plain SGD, a constant learning rate too
// large to settle, the 1/t schedule from that same rate (lr0/(1 + t/tau),
// which meets the Robbins-Monro conditions), and a constant rate small
// enough, as question 1.2 discusses.
func setupSchedules(a *app, fs *flag.FlagSet) func(context.Context) error {
	f := defaultRunFlags()
	f.out, f.epochs, f.subset = "results/schedules", 10, 10000
	f.register(fs)
	large := fs.Float64("large", 1, "the constant rate that is too large (also the 1/t schedule's lr0)")
	small := fs.Float64("small", 0.05, "a constant rate that is small enough")
	return func(ctx context.Context) error {
		f.set = visited(fs)
		if f.set["lr"] || f.set["schedule"] || f.set["tau"] {
			return usagef("schedules takes -large and -small, not -lr, -schedule or -tau")
		}
		n := f.subset
		if n == 0 {
			n = 60000
		}
		var jobs []job
		for _, v := range []struct {
			name, kind string
			lr         float64
		}{
			{fmt.Sprintf("constant %g", *large), "constant", *large},
			{fmt.Sprintf("1/t from %g", *large), "invt", *large},
			{fmt.Sprintf("constant %g", *small), "constant", *small},
		} {
			f.schedule, f.lr, f.tau = v.kind, v.lr, 0
			if v.kind == "invt" && f.batch > 0 {
				f.tau = float64((n + f.batch - 1) / f.batch) // the rate halves after one epoch
			}
			cfg, err := f.config()
			if err != nil {
				return err
			}
			jobs = append(jobs, job{name: v.name, cfg: cfg})
		}
		return a.compare(ctx, &f, "Learning-rate schedules (question 1.2)", "schedules", jobs)
	}
}

// ---- early stopping (question 1.4) -----------------------------------------

// setupEarlyStop trains a network that overfits a small training set twice,
// without and with early stopping (patience on the validation loss, the
// best weights restored), and evaluates the weights each run ends with.
func setupEarlyStop(a *app, fs *flag.FlagSet) func(context.Context) error {
	f := defaultRunFlags()
	f.out, f.hidden, f.opt, f.lr, f.batch, f.epochs, f.subset, f.evalSubset = "results/early-stopping", "256", "adam", 0.002, 50, 60, 500, 2000
	f.register(fs)
	patience := fs.Int("patience-on", 5, "the early-stopping run's patience (epochs)")
	return func(ctx context.Context) error {
		f.set = visited(fs)
		if f.set["patience"] {
			return usagef("early-stopping takes -patience-on, not -patience")
		}
		var jobs []job
		for _, p := range []int{0, *patience} {
			f.patience = p
			cfg, err := f.config()
			if err != nil {
				return err
			}
			name := "no early stopping"
			if p > 0 {
				name = fmt.Sprintf("patience %d", p)
			}
			jobs = append(jobs, job{name: name, cfg: cfg})
		}
		s, err := a.runSession(ctx, &f, "Early stopping on an overfitting run (question 1.4)", jobs)
		if err != nil {
			return err
		}
		summaryTable(&s.md, "Last epoch of each run", s.res)
		finalWeightsTable(&s.md, s)
		fmt.Fprintln(a.stdout)
		finalWeightsTable(a.stdout, s)
		if err := comparisonFigures(f.out, "early stopping", s.res); err != nil {
			return err
		}
		return s.finish()
	}
}

// finalWeightsTable evaluates the weights each run ended with (for early
// stopping: the best epoch's, restored) on the validation set.
func finalWeightsTable(w io.Writer, s *session) {
	fmt.Fprintf(w, "The weights each run ends with, on the run's validation images\n\n| Run | Epochs trained | Val loss | Val acc |\n|---|---:|---:|---:|\n")
	for i := range s.res {
		r := &s.res[i]
		loss, acc := engine.EvaluateInput(r.trainer.Model(), r.trainer.ValSet(), r.job.cfg.Input, 0)
		fmt.Fprintf(w, "| %s | %d | %.4f | %s |\n", strings.TrimSpace(r.job.name), r.last().Epoch, loss, pct1(acc))
	}
	fmt.Fprintln(w)
}

// ---- pooling and ReLU order (question 1.6) ----------------------------------

// setupPooling trains the report's CNN with max, average and min pooling,
// each with the ReLU after the pooling (the report's order) and before it.
// ReLU is monotone, so it commutes with max and min pooling: for those the
// two orders are one network and train identically; for average pooling
// they differ.
func setupPooling(a *app, fs *flag.FlagSet) func(context.Context) error {
	f := defaultRunFlags()
	f.model, f.out, f.epochs, f.lr, f.batch, f.subset = "cnn", "results/pooling", 5, 0.05, 32, 10000
	f.register(fs)
	pools := fs.String("pools", "max,avg,min", "pooling kinds, each trained with the ReLU after and before the pooling")
	return func(ctx context.Context) error {
		f.set = visited(fs)
		if f.set["pool"] || f.model != "cnn" {
			return usagef("pooling takes -pools (and -model cnn), not -pool")
		}
		var jobs []job
		for _, p := range strings.Split(*pools, ",") {
			f.pool = strings.TrimSpace(p)
			cfg, err := f.config()
			if err != nil {
				return err
			}
			jobs = append(jobs, job{name: f.pool + " pool, then ReLU", cfg: cfg})
			cfg.Model.ReLUFirst = true
			jobs = append(jobs, job{name: "ReLU, then " + f.pool + " pool", cfg: cfg})
		}
		return a.compare(ctx, &f, "Pooling kind and the ReLU's place (question 1.6)", "pooling", jobs)
	}
}
