package main

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mnistplay/engine"
)

func TestAgrees(t *testing.T) {
	for _, c := range []struct {
		metric    string
		v, lo, hi float64
		want      bool
	}{
		{metricTest, 0.62, 0.60, 0.61, true},    // 1 point above the max
		{metricTest, 0.635, 0.60, 0.61, false},  // 2.5 points above
		{metricTrain, 0.575, 0.60, 0.61, false}, // 2.5 points below
		{metricTrain, 0.585, 0.60, 0.61, true},
		{metricLoss, 1.65, 1.40, 1.50, true}, // within 10% above the max
		{metricLoss, 1.70, 1.40, 1.50, false},
		{metricLoss, 1.27, 1.40, 1.50, true}, // within 10% below the min
		{metricLoss, 1.25, 1.40, 1.50, false},
	} {
		if got := agrees(c.metric, c.v, c.lo, c.hi); got != c.want {
			t.Errorf("agrees(%s, %v, [%v, %v]) = %v, want %v", c.metric, c.v, c.lo, c.hi, got, c.want)
		}
	}
}

func TestReportCells(t *testing.T) {
	cs := reportCells()
	if len(cs) != 58 {
		t.Fatalf("%d report cells, want 36 (Tables 1-3) + 6 (GD vs SGD) + 7 (optimizers) + 9 (L2) = 58", len(cs))
	}
	keys := map[protoKey]bool{}
	for _, e := range protoExperiments() {
		for _, k := range e.keys {
			keys[k] = true
		}
	}
	for _, c := range cs {
		if !keys[c.key] {
			t.Errorf("report cell %s %s has no run", c.exp, c.key)
		}
		if c.metric != metricLoss && (c.value <= 0 || c.value >= 1) {
			t.Errorf("%s %s %s: accuracy %v is not a fraction", c.exp, c.key, c.metric, c.value)
		}
	}
	// Spot checks against the report's text.
	find := func(exp string, k protoKey, m string) float64 {
		for _, c := range cs {
			if c.exp == exp && c.key == k && c.metric == m {
				return c.value
			}
		}
		t.Fatalf("no cell %s %s %s", exp, k, m)
		return 0
	}
	if v := find("sweep", protoKey{5000, 1e-3, engine.SGD, 0}, metricTest); math.Abs(v-0.863) > 1e-12 {
		t.Errorf("Table 3 batch 5000 lr 1e-3 = %v, want 0.863", v)
	}
	if v := find("sweep", protoKey{500, 1e-5, engine.SGD, 0}, metricLoss); v != 6.0633 {
		t.Errorf("Table 1 batch 500 lr 1e-5 = %v, want 6.0633", v)
	}
	if v := find("optimizers", protoKey{300, 1e-4, engine.Adam, 0}, metricTrain); math.Abs(v-0.8795) > 1e-12 {
		t.Errorf("Adam train = %v, want 0.8795", v)
	}
}

func TestReportProtocolTiny(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report-protocol")
	a, out, errb := testApp()
	if code := a.run([]string{"report-protocol", "-q", "-seeds", "2", "-full-seeds", "1", "-epochs", "3", "-curve-every", "2", "-out", dir}); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errb)
	}
	rows := readCSV(t, filepath.Join(dir, "cells.csv"))
	if !slices.Equal(rows[0], []string{"experiment", "batch", "lr", "optimizer", "l2", "seed", "loss", "train_acc", "test_acc"}) {
		t.Errorf("cells.csv header %q", rows[0])
	}
	// 12 sweep + 2 gd + 4 optimizers + 3 l2 configurations, 2 seeds each
	// but full-batch GD with 1.
	if len(rows) != 1+20*2+1 {
		t.Errorf("cells.csv: %d rows, want 1 + 41", len(rows))
	}
	count := map[string]int{}
	for _, r := range rows[1:] {
		count[r[0]]++
		for _, f := range r[6:] {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || v < 0 || (f != r[6] && v > 1) {
				t.Errorf("row %q: %q is not a loss or a fraction", r, f)
			}
		}
		if r[1] == "0" && r[0] != "gd" {
			t.Errorf("full batch outside gd: %q", r)
		}
	}
	if count["sweep"] != 24 || count["gd"] != 3 || count["optimizers"] != 8 || count["l2"] != 6 {
		t.Errorf("rows per experiment %v", count)
	}
	// Seed 1 is evaluated at epochs 2 and 3, seed 2 at epoch 3 only.
	hist := readCSV(t, filepath.Join(dir, "history.csv"))
	evaluated := map[string]int{}
	for _, r := range hist[1:] {
		if r[9] != "" {
			evaluated[r[5]+"/"+r[6]]++
		}
	}
	if evaluated["1/1"] != 0 || evaluated["1/2"] != 21 || evaluated["1/3"] != 21 || evaluated["2/2"] != 0 || evaluated["2/3"] != 20 {
		t.Errorf("evaluated runs by seed/epoch %v", evaluated)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "summary.md"))
	for _, want := range []string{"of the report's 58 cells agree", "Table 3: Testing Accuracies", "| 5000 | 86.3% / ", "Task 2a: L2"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
	if !strings.Contains(out.String(), "of the report's 58 cells agree") {
		t.Errorf("stdout lacks the count:\n%s", out)
	}
	for _, f := range []string{"sweep-loss.png", "sweep-accuracy.png"} {
		checkPNG(t, filepath.Join(dir, f), 3*panelW, panelH)
	}
	for _, f := range []string{"gd.png", "optimizers.png", "l2.png", "cells.png"} {
		checkPNG(t, filepath.Join(dir, f), 2*panelW, panelH)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".report-protocol.tmp-*")); len(left) != 0 {
		t.Errorf("temporary directories left: %v", left)
	}
}

// TestReportProtocolKeepsOldResults checks that a run that fails leaves the
// output directory as it was, and that a successful one replaces it whole.
func TestReportProtocolKeepsOldResults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report-protocol")
	os.MkdirAll(dir, 0o755)
	old := filepath.Join(dir, "cells.csv")
	os.WriteFile(old, []byte("old\n"), 0o644)
	a, _, errb := testApp()
	a.load = func(string) (engine.Dataset, engine.Dataset, error) {
		return engine.Dataset{}, engine.Dataset{}, errors.New("no data")
	}
	if code := a.run([]string{"report-protocol", "-q", "-seeds", "1", "-epochs", "1", "-out", dir}); code != 1 {
		t.Errorf("exit %d, want 1 (stderr %s)", code, errb)
	}
	if b, _ := os.ReadFile(old); string(b) != "old\n" {
		t.Errorf("failed run changed %s: %q", old, b)
	}
	// The same for a training command that fails once its output directory
	// is being written (an interrupted run: the context is cancelled).
	a, _, _ = testApp()
	load := a.load
	a.load = func(d string) (engine.Dataset, engine.Dataset, error) {
		tr, te, err := load(d)
		tr.Labels[0] = 10 // not a digit: NewTrainer refuses the set
		return tr, te, err
	}
	if code := a.run([]string{"sweep", "-q", "-batches", "50", "-lrs", "0.1", "-epochs", "1", "-out", dir}); code == 0 {
		t.Error("sweep on a bad training set succeeded")
	}
	if b, _ := os.ReadFile(old); string(b) != "old\n" {
		t.Errorf("failed sweep changed %s: %q", old, b)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".report-protocol.tmp-*")); len(left) != 0 {
		t.Errorf("temporary directories left: %v", left)
	}

	tmp := filepath.Join(t.TempDir(), "new")
	os.MkdirAll(tmp, 0o755)
	os.WriteFile(filepath.Join(tmp, "summary.md"), []byte("new\n"), 0o644)
	if err := replaceDir(tmp, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("old file survived the replacement: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "summary.md")); string(b) != "new\n" {
		t.Errorf("replaced directory holds %q", b)
	}
}

func TestProtocolPreset(t *testing.T) {
	f := defaultRunFlags()
	f.protocol, f.set = protocolReport, map[string]bool{"l2-form": true}
	f.l2Form = "decay"
	cfg, err := f.config()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Model.Hidden, []int{300, 100}) || cfg.Input != engine.InputRaw || cfg.StepsPerEpoch != 1 || !cfg.EvalTrain || cfg.Optim.L2Form != engine.L2WeightDecay {
		t.Errorf("report preset with -l2-form decay: %+v", cfg)
	}
}
