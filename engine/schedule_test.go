package engine

import (
	"math"
	"testing"
)

func TestScheduleLR(t *testing.T) {
	for i, c := range []struct {
		s    Schedule
		t    int
		want float64
	}{
		{Schedule{Kind: Constant, LR0: 0.1}, 0, 0.1},
		{Schedule{Kind: Constant, LR0: 0.1}, 1e6, 0.1},
		{Schedule{LR0: 0.05}, 7, 0.05},
		{Schedule{Kind: InvT, LR0: 0.1, Tau: 100}, 0, 0.1},
		{Schedule{Kind: InvT, LR0: 0.1, Tau: 100}, 100, 0.05},
		{Schedule{Kind: InvT, LR0: 0.1, Tau: 100}, 300, 0.025},
		{Schedule{Kind: InvT, LR0: 0.1, Tau: 100}, 9900, 0.001},
		{Schedule{Kind: StepDecay, LR0: 1, Gamma: 0.5, Every: 10}, 9, 1},
		{Schedule{Kind: StepDecay, LR0: 1, Gamma: 0.5, Every: 10}, 10, 0.5},
		{Schedule{Kind: StepDecay, LR0: 1, Gamma: 0.5, Every: 10}, 35, 0.125},
		{Schedule{Kind: StepDecay, LR0: 1, Every: 10}, 25, 0.01}, // default gamma 0.1
	} {
		if got := c.s.LR(c.t); math.Abs(float64(got)-c.want) > 1e-7*math.Max(1, c.want) {
			t.Errorf("case %d: %+v LR(%d) = %v, want %v", i, c.s, c.t, got, c.want)
		}
		if err := c.s.Validate(); err != nil {
			t.Errorf("case %d: %v", i, err)
		}
	}
}

// TestScheduleRobbinsMonro checks the 1/t schedule's shape: lr_t·(1+t/tau)
// is constant, so lr_t ~ lr0·tau/t for large t: partial sums of lr_t grow
// like log t without bound while partial sums of lr_t² approach a finite
// limit (below lr0²·(1 + tau)·... the integral bound lr0²·(1 + tau)).
func TestScheduleRobbinsMonro(t *testing.T) {
	s := Schedule{Kind: InvT, LR0: 0.5, Tau: 10}
	var sum, sum2 float64
	checkpoints := map[int]bool{1e3: true, 1e4: true, 1e5: true, 1e6: true}
	var prevSum, prevSum2 float64
	for i := range 1_000_001 {
		lr := float64(s.LR(i))
		if d := lr*(1+float64(i)/10) - 0.5; math.Abs(d) > 1e-6 {
			t.Fatalf("step %d: lr %v does not follow lr0/(1+t/tau)", i, lr)
		}
		sum += lr
		sum2 += lr * lr
		if checkpoints[i] {
			if prevSum > 0 {
				// Each decade adds about lr0·tau·ln 10 = 11.5 to sum lr ...
				if inc := sum - prevSum; inc < 11 || inc > 12 {
					t.Errorf("t=%d: sum lr grew by %v over a decade, want ~11.5", i, inc)
				}
				// ... and less and less to sum lr².
				if inc := sum2 - prevSum2; inc > 0.03 {
					t.Errorf("t=%d: sum lr² grew by %v over a decade", i, inc)
				}
			}
			prevSum, prevSum2 = sum, sum2
		}
	}
	if bound := 0.25 * (1 + 10); sum2 > bound {
		t.Errorf("sum lr² = %v exceeds lr0²·(1+tau) = %v", sum2, bound)
	}
}

func TestScheduleValidate(t *testing.T) {
	for i, s := range []Schedule{
		{Kind: Constant},
		{Kind: Constant, LR0: -1},
		{Kind: Constant, LR0: float32(math.Inf(1))},
		{Kind: InvT, LR0: 0.1},
		{Kind: StepDecay, LR0: 0.1},
		{Kind: StepDecay, LR0: 0.1, Every: 5, Gamma: 2},
		{Kind: "cosine", LR0: 0.1},
	} {
		if err := s.Validate(); err == nil {
			t.Errorf("case %d: %+v accepted", i, s)
		}
	}
}

// TestSchedulePerEpoch checks that a schedule counted in epochs is the same
// as its steps twin for the trainer's epoch length: 300 examples in batches
// of 32 are 10 steps an epoch, and full batch is 1.
func TestSchedulePerEpoch(t *testing.T) {
	s := Schedule{Kind: InvT, LR0: 0.1, Tau: 1, PerEpoch: true}
	if got := s.InSteps(10); got != (Schedule{Kind: InvT, LR0: 0.1, Tau: 10}) {
		t.Errorf("InSteps(10) = %+v", got)
	}
	if got := (Schedule{Kind: StepDecay, LR0: 1, Gamma: 0.5, Every: 2, PerEpoch: true}).InSteps(7); got.Every != 14 || got.PerEpoch {
		t.Errorf("step decay InSteps(7) = %+v", got)
	}
	if got := (Schedule{Kind: InvT, LR0: 0.1, Tau: 5}).InSteps(10); got.Tau != 5 {
		t.Errorf("a schedule in steps changed: %+v", got)
	}
	for _, c := range []struct {
		batch, steps int
	}{{32, 10}, {0, 1}} {
		cfg := testConfig()
		cfg.BatchSize = c.batch
		cfg.Schedule = s
		tr, err := NewTrainer(cfg, synthData(300, 1), synthData(50, 2))
		if err != nil {
			t.Fatal(err)
		}
		want := Schedule{Kind: InvT, LR0: 0.1, Tau: float32(c.steps)}
		for i := 0; i < 2*c.steps+1; i++ {
			st, _, err := tr.Step()
			if err != nil {
				t.Fatal(err)
			}
			if st.LR != want.LR(i) {
				t.Fatalf("batch %d, step %d: lr %v, want %v", c.batch, i, st.LR, want.LR(i))
			}
		}
	}
}
