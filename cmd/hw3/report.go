package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"mnistplay/engine"
)

// epochLines formats a finished epoch in the style of the report (and of
// PyTorch's MNIST example it came from):
//
//	Train Epoch: 3 [60000/60000 (100%)]	Average loss: 0.105923, Accuracy: 58123/60000 (97%)
//	Validation set: Average loss: 0.0637, Accuracy: 9798/10000 (98%)
//
// epochN is the number of examples trained in the epoch, trainN the size of
// the training set (they differ when an epoch is a fixed number of batches).
// indent starts the later lines (to align them under a job prefix). Without
// a validation set, or in an epoch not evaluated, the validation line is left
// out; a "Training set:" line is added when the whole training set was
// evaluated (Config.EvalTrain).
func epochLines(e engine.EpochStats, epochN, trainN, valN int, indent string) string {
	tc := int(math.Round(e.TrainAcc * float64(epochN)))
	s := fmt.Sprintf("Train Epoch: %d [%d/%d (100%%)]\tAverage loss: %.6f, Accuracy: %d/%d (%s%%)",
		e.Epoch, epochN, epochN, e.TrainLoss, tc, epochN, pct0(tc, epochN))
	if !e.Unevaluated && (e.TrainEvalLoss != 0 || e.TrainEvalAcc != 0) {
		c := int(math.Round(e.TrainEvalAcc * float64(trainN)))
		s += fmt.Sprintf("\n%sTraining set: Average loss: %.4f, Accuracy: %d/%d (%s%%)",
			indent, e.TrainEvalLoss, c, trainN, pct0(c, trainN))
	}
	if valN > 0 && !e.Unevaluated {
		vc := int(math.Round(e.ValAcc * float64(valN)))
		s += fmt.Sprintf("\n%sValidation set: Average loss: %.4f, Accuracy: %d/%d (%s%%)",
			indent, e.ValLoss, vc, valN, pct0(vc, valN))
	}
	return s
}

// pct0 is 100·num/den rounded to an integer, as Python's "{:.0f}".
func pct0(num, den int) string {
	if den == 0 {
		return "0"
	}
	return strconv.FormatFloat(100*float64(num)/float64(den), 'f', 0, 64)
}

// formatLR writes a rate as the report does: 1e-3, 5e-4, 0.05.
func formatLR(v float64) string {
	// Rates arrive through float32: 0.05 is 0.05000000074505806.
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 7, 64), 64)
	if v <= 0 || v >= 0.01 {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	e := math.Floor(math.Log10(v))
	m := v / math.Pow(10, e)
	if math.Abs(m-math.Round(m)) < 1e-9 {
		return fmt.Sprintf("%ge%d", math.Round(m), int(e))
	}
	return fmt.Sprintf("%ge%d", math.Round(m*1000)/1000, int(e))
}

// gridTable writes a Markdown table shaped like the report's Tables 1-3:
// rows batch sizes, columns learning rates, cell(i, j) the text of row i,
// column j.
func gridTable(w io.Writer, title string, batches []int, lrs []float64, cell func(i, j int) string) {
	fmt.Fprintf(w, "%s\n\n| Batch size \\ Learning rate |", title)
	for _, lr := range lrs {
		fmt.Fprintf(w, " %s |", formatLR(lr))
	}
	fmt.Fprintf(w, "\n|---:|%s\n", strings.Repeat("---:|", len(lrs)))
	for i, b := range batches {
		fmt.Fprintf(w, "| %s |", batchLabel(b))
		for j := range lrs {
			fmt.Fprintf(w, " %s |", cell(i, j))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

func batchLabel(b int) string {
	if b == 0 {
		return "full (GD)"
	}
	return strconv.Itoa(b)
}

// pct1 formats an accuracy as the report's tables do, e.g. 85.6%.
func pct1(acc float64) string { return strconv.FormatFloat(100*acc, 'f', 1, 64) + "%" }

// sweepTables writes Tables 1-3 (loss, training accuracy, test accuracy) of
// the last epoch of each run; res is row-major (batch, lr).
func sweepTables(w io.Writer, batches []int, lrs []float64, res []result) {
	at := func(i, j int) *result { return &res[i*len(lrs)+j] }
	cell := func(i, j int, f func(e engine.EpochStats) string) string {
		r := at(i, j)
		if len(r.history) == 0 {
			return "failed"
		}
		s := f(r.last())
		if r.err != nil {
			s += " (diverged)"
		}
		return s
	}
	gridTable(w, "Table 1: Losses (training cross-entropy, last epoch)", batches, lrs, func(i, j int) string {
		return cell(i, j, func(e engine.EpochStats) string { return strconv.FormatFloat(e.TrainLoss, 'f', 4, 64) })
	})
	gridTable(w, "Table 2: Training Accuracies (last epoch)", batches, lrs, func(i, j int) string {
		return cell(i, j, func(e engine.EpochStats) string { return pct1(e.TrainAcc) })
	})
	gridTable(w, "Table 3: Testing Accuracies (last epoch)", batches, lrs, func(i, j int) string {
		return cell(i, j, func(e engine.EpochStats) string { return pct1(e.ValAcc) })
	})
}

// summaryTable writes one row per run: the last epoch's numbers, the best
// validation accuracy and the time taken.
func summaryTable(w io.Writer, title string, res []result) {
	fmt.Fprintf(w, "%s\n\n| Run | Epochs | Train loss | Train acc | Val loss | Val acc | Best val acc (epoch) | Time |\n|---|---:|---:|---:|---:|---:|---:|---:|\n", title)
	for i := range res {
		r := &res[i]
		if len(r.history) == 0 {
			fmt.Fprintf(w, "| %s | 0 | failed | | | | | |\n", r.job.name)
			continue
		}
		e := r.last()
		best, bestEp := 0.0, 0
		for _, h := range r.history {
			if h.ValAcc > best {
				best, bestEp = h.ValAcc, h.Epoch
			}
		}
		name := r.job.name
		if r.err != nil {
			name += " (stopped: diverged)"
		}
		fmt.Fprintf(w, "| %s | %d | %.4f | %s | %.4f | %s | %s (%d) | %s |\n", name, e.Epoch, e.TrainLoss, pct1(e.TrainAcc),
			e.ValLoss, pct1(e.ValAcc), pct1(best), bestEp, fmtDuration(r.elapsed.Seconds()))
	}
	fmt.Fprintln(w)
}

func fmtDuration(s float64) string {
	if s < 60 {
		return strconv.FormatFloat(s, 'f', 1, 64) + " s"
	}
	return fmt.Sprintf("%dm%02ds", int(s)/60, int(s)%60)
}

// historyHeader is the header of history.csv.
var historyHeader = []string{"run", "model", "optimizer", "lr", "batch", "l2", "shuffle", "epoch", "train_loss", "train_acc", "val_loss", "val_acc", "best"}

// writeHistoryCSV writes every epoch of every run, one row each.
func writeHistoryCSV(w io.Writer, res []result) error {
	cw := csv.NewWriter(w)
	cw.Write(historyHeader)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	f32 := func(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }
	for i := range res {
		r := &res[i]
		c := r.job.cfg
		for _, e := range r.history {
			cw.Write([]string{r.job.name, modelName(c.Model), string(c.Optim.Kind), f32(c.Schedule.LR0),
				strconv.Itoa(c.BatchSize), f32(c.Optim.L2), f32(c.ShuffleFraction),
				strconv.Itoa(e.Epoch), f(e.TrainLoss), f(e.TrainAcc), f(e.ValLoss), f(e.ValAcc), strconv.FormatBool(e.Best)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// flatnessHeader is the header of flatness.csv: validation loss and error,
// loss and error on the run's own training labels, and the distance
// alpha·||theta_final - theta0|| from theta0.
var flatnessHeader = []string{"run", "alpha", "val_loss", "val_error", "train_loss", "train_error", "distance"}

// writeFlatnessCSV writes the alpha sweep of each run.
func writeFlatnessCSV(w io.Writer, names []string, curves, trainCurves [][]engine.FlatnessPoint, dists []float64) error {
	cw := csv.NewWriter(w)
	cw.Write(flatnessHeader)
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	for i, pts := range curves {
		for k, p := range pts {
			tp := trainCurves[i][k]
			cw.Write([]string{names[i], strconv.FormatFloat(p.Alpha, 'f', 3, 64), g(p.Loss), g(p.Error),
				g(tp.Loss), g(tp.Error), g(p.Alpha * dists[i])})
		}
	}
	cw.Flush()
	return cw.Error()
}

// modelName describes a spec briefly: mlp 784-100-10, cnn 5/1/0,5/1/0 max.
func modelName(s engine.Spec) string {
	var b strings.Builder
	if s.Arch == engine.ArchMLP {
		b.WriteString("mlp 784")
		for _, h := range s.Hidden {
			fmt.Fprintf(&b, "-%d", h)
		}
		b.WriteString("-10")
		return b.String()
	}
	pool := s.Pool
	if pool == "" {
		pool = engine.PoolMax
	}
	fmt.Fprintf(&b, "cnn k%d s%d p%d / k%d s%d p%d %s", s.Conv1.Kernel, s.Conv1.Stride, s.Conv1.Pad,
		s.Conv2.Kernel, s.Conv2.Stride, s.Conv2.Pad, pool)
	return b.String()
}
