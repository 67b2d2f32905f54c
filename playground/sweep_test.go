package playground

import (
	"encoding/json"
	"strings"
	"testing"

	"mnistplay/engine"
	"mnistplay/wire"
)

// TestSweepGridReport: the report's Task 1a preset makes the 4 x 3 grid,
// batch-major, each run an MLP trained by plain SGD at a constant rate
// under the report's protocol with only the last epoch evaluated, on the
// training set too; the page's other settings pass through.
func TestSweepGridReport(t *testing.T) {
	base := `{"model":{"arch":"cnn"},"optim":{"kind":"adam","l2":0.01},"schedule":{"kind":"invt","lr0":0.5,"tau":1},` +
		`"batchSize":64,"epochs":3,"patience":4,"seed":9,"shuffleFraction":0.5,"evalSubset":0,"protocol":"report"}`
	ev, err := SweepGrid(wire.SweepCmd{ID: 4, Base: json.RawMessage(base),
		Batches: "100, 500, 3000, 5000", LRs: "1e-3, 1e-4; 1e-5", Epochs: "100", Subset: "0", Hidden: "300 100"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != 4 || len(ev.Runs) != 12 || len(ev.Batches) != 4 || len(ev.LRs) != 3 {
		t.Fatalf("id %d, %d runs of %v x %v", ev.ID, len(ev.Runs), ev.Batches, ev.LRs)
	}
	for i, r := range ev.Runs {
		if r.Batch != ev.Batches[i/3] || r.LR != ev.LRs[i%3] {
			t.Errorf("run %d is batch %d lr %v, want batch-major order", i, r.Batch, r.LR)
		}
		var pc pageConfig
		if err := json.Unmarshal(r.Config, &pc); err != nil {
			t.Fatal(err)
		}
		c := pc.Config
		if c.Model.Arch != engine.ArchMLP || len(c.Model.Hidden) != 2 || c.Model.Hidden[0] != 300 ||
			c.Optim != (engine.OptimConfig{Kind: engine.SGD}) || c.Schedule != (engine.Schedule{Kind: engine.Constant, LR0: float32(r.LR)}) ||
			c.BatchSize != r.Batch || c.Epochs != 100 || c.Patience != 0 || c.ShuffleFraction != 0 ||
			pc.Protocol != "report" || c.EvalEvery != 100 || !c.EvalTrain || c.Seed != 9 {
			t.Errorf("run %d: %s", i, r.Config)
		}
		if _, err := ParseConfig(r.Config); err != nil {
			t.Errorf("run %d refused: %v", i, err)
		}
	}
}

// TestSweepGridRefuses: each bad field is named with what it wants, and a
// run the engine refuses is named by its cell.
func TestSweepGridRefuses(t *testing.T) {
	good := wire.SweepCmd{Base: json.RawMessage(`{"model":{"arch":"mlp"},"schedule":{"kind":"constant","lr0":0.1},"batchSize":64,"epochs":1,"seed":1}`),
		Batches: "50", LRs: "0.1", Epochs: "1", Subset: "1000", Hidden: "32"}
	for _, tc := range []struct {
		edit func(*wire.SweepCmd)
		want string
	}{
		{func(c *wire.SweepCmd) { c.Batches = " , " }, "Sweep batch sizes: give at least one value"},
		{func(c *wire.SweepCmd) { c.Batches = "1 2 3 4 5 6 7 8 9" }, "Sweep batch sizes: at most 8 values"},
		{func(c *wire.SweepCmd) { c.Batches = "50, 1.5" }, `Sweep batch sizes: "1.5" is not a whole number ≥ 0`},
		{func(c *wire.SweepCmd) { c.Batches = "-1" }, `"-1" is not a whole number ≥ 0`},
		{func(c *wire.SweepCmd) { c.LRs = "0" }, `Sweep learning rates: "0" is not a number > 0`},
		{func(c *wire.SweepCmd) { c.LRs = "1e400" }, `"1e400" is not a number > 0`},
		{func(c *wire.SweepCmd) { c.LRs = "abc" }, `"abc" is not a number > 0`},
		{func(c *wire.SweepCmd) { c.Epochs = "0" }, `Sweep epochs: "0" is not a whole number ≥ 1`},
		{func(c *wire.SweepCmd) { c.Hidden = "32 0" }, `Sweep hidden widths: "0" is not a whole number ≥ 1`},
		{func(c *wire.SweepCmd) { c.Subset = "NaN" }, `Sweep training examples: "NaN"`},
		{func(c *wire.SweepCmd) { c.Subset = "70000" }, "sweep run batch 50, learning rate 0.1: training examples 70000"},
		{func(c *wire.SweepCmd) { c.Hidden = "5000" }, "sweep run batch 50, learning rate 0.1:"},
		{func(c *wire.SweepCmd) { c.Base = json.RawMessage(`{"bogus":1}`) }, `unknown setting "bogus"`},
		{func(c *wire.SweepCmd) { c.Base = json.RawMessage(`[`) }, "the settings the sweep starts from:"},
	} {
		c := good
		tc.edit(&c)
		ev, err := SweepGrid(c)
		if err == nil || !strings.Contains(err.Error(), tc.want) || len(ev.Runs) != 0 {
			t.Errorf("%+v: got %v (%d runs), want %q", c, err, len(ev.Runs), tc.want)
		}
	}
	if ev, err := SweepGrid(good); err != nil || len(ev.Runs) != 1 {
		t.Errorf("the good sweep: %v, %d runs", err, len(ev.Runs))
	}
}

// FuzzSweepList: any text gives numbers that keep the rule, or a sentence
// naming the field; never a panic or Go's own text.
func FuzzSweepList(f *testing.F) {
	for _, s := range []string{"100, 500 3000", "1e-3;1e-4", "", "0x10", "1e400", " 7 ", "-0", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range []valueRule{{whole: true, min: 1}, {positive: true}} {
			vs, err := parseSweepList(s, "List", r)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "List: ") || strings.Contains(err.Error(), "strconv") {
					t.Fatalf("%q: %v", s, err)
				}
				continue
			}
			for _, v := range vs {
				if r.positive && !(v > 0) || r.whole && (v < 1 || v != float64(int(v))) {
					t.Fatalf("%q: %v breaks %v", s, v, r)
				}
			}
		}
	})
}
