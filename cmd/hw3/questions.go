package main

import (
	"context"
	"flag"
	"strings"

	"mnistplay/engine"
)

// cnnPerPool registers the flags of a command that trains the report's CNN
// (lr 0.05, batch 32, 5 epochs on 10,000 images by default) for each
// pooling kind of -pools, writing into out. The returned function checks
// the flags and makes the jobs, jobsOf giving each kind's.
func cnnPerPool(fs *flag.FlagSet, cmd, out string, jobsOf func(pool string, cfg engine.Config) []job) (*runFlags, func() ([]job, error)) {
	f := defaultRunFlags()
	f.model, f.out, f.epochs, f.lr, f.batch, f.subset = "cnn", out, 5, 0.05, 32, 10000
	f.register(fs)
	pools := fs.String("pools", "max,avg,min", "pooling kinds to compare")
	return &f, func() ([]job, error) {
		f.set = visited(fs)
		if f.set["pool"] || f.model != "cnn" {
			return nil, usagef("%s takes -pools (and -model cnn), not -pool", cmd)
		}
		var jobs []job
		for _, p := range strings.Split(*pools, ",") {
			f.pool = strings.TrimSpace(p)
			cfg, err := f.config()
			if err != nil {
				return nil, err
			}
			jobs = append(jobs, jobsOf(f.pool, cfg)...)
		}
		return jobs, nil
	}
}

// ---- pooling and ReLU order (question 1.6) ----------------------------------

// setupPooling trains the report's CNN with max, average and min pooling,
// each with the ReLU after the pooling (the report's order) and before it.
// ReLU is monotone, so it commutes with max and min pooling: for those the
// two orders are one network; for average pooling they differ.
func setupPooling(a *app, fs *flag.FlagSet) func(context.Context) error {
	f, jobs := cnnPerPool(fs, "pooling", "results/pooling", func(pool string, cfg engine.Config) []job {
		first := cfg
		first.Model.ReLUFirst = true
		return []job{{name: pool + " pool, then ReLU", cfg: cfg}, {name: "ReLU, then " + pool + " pool", cfg: first}}
	})
	return func(ctx context.Context) error {
		js, err := jobs()
		if err != nil {
			return err
		}
		return a.compare(ctx, f, "Pooling kind and the ReLU's place (question 1.6)", "pooling", js)
	}
}
