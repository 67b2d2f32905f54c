package main

import (
	"context"
	"flag"
	"strings"
)

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
