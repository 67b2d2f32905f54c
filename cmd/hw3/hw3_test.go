package main

import (
	"bytes"
	"encoding/csv"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mnistplay/engine"
)

// synthData is a learnable stand-in for MNIST: image i of class c has a
// bright 6x6 block at a position given by c, plus seeded noise.
func synthData(n int, seed uint64) engine.Dataset {
	d := engine.Dataset{Images: make([]uint8, n*784), Labels: make([]uint8, n), N: n}
	s := seed*2654435761 + 1
	for i := range n {
		c := i % 10
		d.Labels[i] = uint8(c)
		img := d.Images[i*784 : (i+1)*784]
		for p := range img {
			s = s*6364136223846793005 + 1442695040888963407
			img[p] = uint8(s>>59) * 4 // noise 0..124
		}
		r0, c0 := 2+(c/5)*12, 2+(c%5)*5
		for r := r0; r < r0+6; r++ {
			for k := c0; k < c0+4; k++ {
				img[r*28+k] = 255
			}
		}
	}
	return d
}

// testApp returns an app on synthetic data with its outputs captured.
func testApp() (*app, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	a := newApp(&out, &errb)
	a.load = func(string) (engine.Dataset, engine.Dataset, error) { return synthData(400, 1), synthData(100, 2), nil }
	return a, &out, &errb
}

func TestBadFlags(t *testing.T) {
	for i, c := range []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"train", "-opt", "adagrad"}, `engine: optimizer "adagrad": want sgd, momentum, nesterov or adam`},
		{[]string{"train", "-lr", "-0.1"}, "engine: learning rate -0.1: want a number > 0"},
		{[]string{"train", "-lr", "0"}, "engine: learning rate 0: want a number > 0"},
		{[]string{"train", "-model", "cnn", "-conv1", "14,1,0", "-conv2", "14,1,0"}, "n_out = floor((n_in + 2p - k)/s) + 1"},
		{[]string{"train", "-model", "cnn", "-conv1", "5,x,0"}, `"x" is not an integer`},
		{[]string{"train", "-model", "cnn", "-conv1", "5,1,0,2"}, "want kernel,stride,pad"},
		{[]string{"train", "-model", "cnn", "-pool", "median"}, `unknown kind "median"`},
		{[]string{"train", "-conv1", "3,1,1"}, "-conv1 applies to -model cnn only"},
		{[]string{"train", "-model", "rnn"}, `unknown arch "rnn"`},
		{[]string{"train", "-batch", "-5"}, "engine: batch size -5: want >= 0"},
		{[]string{"train", "-epochs", "0"}, "-epochs 0 must be >= 1"},
		{[]string{"train", "-shuffle", "1.5"}, "engine: shuffle fraction 1.5: want a fraction in [0, 1]"},
		{[]string{"train", "-schedule", "cosine"}, `engine: schedule "cosine": want constant, invt or step`},
		{[]string{"train", "-schedule", "invt"}, "engine: 1/t schedule tau 0: want a number > 0"},
		{[]string{"train", "-momentum", "1.2", "-opt", "momentum"}, "engine: momentum 1.2: want a number in [0, 1)"},
		{[]string{"train", "-l2", "-1"}, "engine: L2 strength -1: want >= 0"},
		{[]string{"train", "-hidden", "100,a"}, `"a" is not an integer`},
		{[]string{"train", "-nosuch"}, "flag provided but not defined: -nosuch"},
		{[]string{"train", "extra"}, `unexpected argument "extra"`},
		{[]string{"sweep", "-lrs", "1e-3,-1e-4"}, "engine: learning rate -0.0001: want a number > 0"},
		{[]string{"sweep", "-batches", "100,-1"}, "engine: batch size -1: want >= 0"},
		{[]string{"sweep", "-lr", "0.1"}, "sweep takes -lrs and -batches"},
		{[]string{"optimizers", "-opts", "sgd,rmsprop"}, `engine: optimizer "rmsprop": want sgd, momentum, nesterov or adam`},
		{[]string{"l2", "-lambdas", "0.1,nan"}, `"nan" is not a finite number`},
		{[]string{"kernels", "-kernels", "5,1,0;30,1,0"}, "n_out = floor"},
		{[]string{"flatness", "-shuffled", "0"}, "-shuffled 0 must be in (0, 1]"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"train", "-protocol", "ancient"}, `-protocol "ancient": want modern or report`},
		{[]string{"train", "-input", "negative"}, `engine: input scale "negative": want standard, unit or raw`},
		{[]string{"train", "-steps-per-epoch", "-1"}, "engine: steps per epoch -1: want >= 0"},
		{[]string{"train", "-eval-every", "-3"}, "engine: evaluation period -3: want >= 0"},
		{[]string{"train", "-l2-form", "l1"}, `engine: L2 form "l1": want decay or norm`},
		{[]string{"train", "-protocol", "report", "-input", "sqrt"}, `engine: input scale "sqrt"`},
		{[]string{"report-protocol", "-seeds", "0"}, "-seeds 0 must be >= 1"},
		{[]string{"report-protocol", "-epochs", "-1"}, "-epochs -1 must be >= 1"},
		{[]string{"report-protocol", "-full-seeds", "-2"}, "-full-seeds -2 must be >= -1"},
		{[]string{"schedules", "-schedule", "invt"}, "schedules takes -schedules"},
		{[]string{"schedules", "-schedules", "constant,cosine"}, `schedule "cosine": want constant, invt or step`},
	} {
		a, _, errb := testApp()
		if code := a.run(c.args); code != 2 {
			t.Errorf("%d: %v: exit %d, want 2 (stderr %q)", i, c.args, code, errb)
		}
		if !strings.Contains(errb.String(), c.want) {
			t.Errorf("%d: %v: stderr %q does not contain %q", i, c.args, errb, c.want)
		}
	}
}

func TestHelp(t *testing.T) {
	for i, args := range [][]string{{"-h"}, {"train", "-h"}, {"sweep", "-h"}, {"flatness", "-h"}} {
		a, out, _ := testApp()
		if code := a.run(args); code != 0 {
			t.Errorf("%d: %v: exit %d, want 0", i, args, code)
		}
		if !strings.Contains(out.String(), "Usage") {
			t.Errorf("%d: %v: no usage in %q", i, args, out)
		}
	}
	a, _, errb := testApp()
	if code := a.run(nil); code != 2 || !strings.Contains(errb.String(), "Commands:") {
		t.Errorf("no arguments: exit %d, stderr %q", code, errb)
	}
}

func TestEpochLines(t *testing.T) {
	e := engine.EpochStats{Epoch: 3, TrainLoss: 0.1059234, TrainAcc: 0.96871666, ValLoss: 0.06374, ValAcc: 0.9798}
	got := epochLines(e, 60000, 60000, 10000, "")
	want := "Train Epoch: 3 [60000/60000 (100%)]\tAverage loss: 0.105923, Accuracy: 58123/60000 (97%)\n" +
		"Validation set: Average loss: 0.0637, Accuracy: 9798/10000 (98%)"
	if got != want {
		t.Errorf("epochLines:\n got %q\nwant %q", got, want)
	}
	// The report's own lines parse with the same pattern.
	re := regexp.MustCompile(`^Validation set: Average loss: \d+\.\d{4}, Accuracy: \d+/\d+ \(\d+%\)$`)
	for i, s := range []string{strings.Split(want, "\n")[1], "Validation set: Average loss: 0.3113, Accuracy: 8969/10000 (90%)"} {
		if !re.MatchString(s) {
			t.Errorf("%d: %q does not match the report's format", i, s)
		}
	}
	if got := epochLines(e, 100, 100, 0, ""); strings.Contains(got, "Validation") {
		t.Errorf("no validation set: %q", got)
	}
	if got := epochLines(e, 100, 100, 10, "  "); !strings.Contains(got, "\n  Validation set") {
		t.Errorf("indent: %q", got)
	}
	// One batch of 300 per epoch, the whole training set evaluated after it.
	e = engine.EpochStats{Epoch: 100, TrainLoss: 1.59, TrainAcc: 0.6, TrainEvalLoss: 1.6, TrainEvalAcc: 0.604, ValLoss: 1.5, ValAcc: 0.62}
	want = "Train Epoch: 100 [300/300 (100%)]\tAverage loss: 1.590000, Accuracy: 180/300 (60%)\n" +
		"Training set: Average loss: 1.6000, Accuracy: 36240/60000 (60%)\n" +
		"Validation set: Average loss: 1.5000, Accuracy: 6200/10000 (62%)"
	if got := epochLines(e, 300, 60000, 10000, ""); got != want {
		t.Errorf("one batch per epoch:\n got %q\nwant %q", got, want)
	}
	e.Unevaluated, e.TrainEvalLoss, e.TrainEvalAcc, e.ValLoss, e.ValAcc = true, 0, 0, 0, 0
	if got := epochLines(e, 300, 60000, 10000, ""); strings.Contains(got, "set:") {
		t.Errorf("unevaluated epoch: %q", got)
	}
}

func TestFormatLR(t *testing.T) {
	for i, c := range []struct {
		v    float64
		want string
	}{
		{1e-3, "1e-3"}, {1e-4, "1e-4"}, {float64(float32(1e-5)), "1e-5"}, {5e-4, "5e-4"},
		{float64(float32(0.05)), "0.05"}, {0.1, "0.1"}, {2.5e-3, "2.5e-3"}, {1, "1"},
	} {
		if got := formatLR(c.v); got != c.want {
			t.Errorf("%d: formatLR(%v) = %q, want %q", i, c.v, got, c.want)
		}
	}
}

func TestFlatWidth(t *testing.T) {
	pt := func(a, l float64) engine.FlatnessPoint { return engine.FlatnessPoint{Alpha: a, Loss: l} }
	wide := []engine.FlatnessPoint{pt(0, 2.3), pt(0.5, 0.6), pt(1, 0.1), pt(1.5, 0.4), pt(2, 1.2)}
	sharp := []engine.FlatnessPoint{pt(0, 2.3), pt(0.5, 2.4), pt(1, 3.0), pt(1.5, 9), pt(2, 30)}
	left := []engine.FlatnessPoint{pt(0, 2.3), pt(0.5, 2.6), pt(1, 2.5), pt(1.5, 3.1), pt(2, 30)}
	for i, c := range []struct {
		pts  []engine.FlatnessPoint
		want float64
	}{{wide, 1.0}, {sharp, 0}, {left, 1}, {nil, 0}, {[]engine.FlatnessPoint{pt(1, 5)}, 0}} {
		if got := flatWidth(c.pts, 0.5); got != c.want {
			t.Errorf("%d: flatWidth = %v, want %v", i, got, c.want)
		}
	}
}

func TestRelFlatWidth(t *testing.T) {
	// Loss 2.3 at alpha 0 falling to 0.3 at 1: the band is 10% of the drop, 0.2.
	pts := []engine.FlatnessPoint{{Alpha: 0, Loss: 2.3}, {Alpha: 0.5, Loss: 0.6}, {Alpha: 0.75, Loss: 0.45}, {Alpha: 1, Loss: 0.3}, {Alpha: 1.25, Loss: 0.4}, {Alpha: 1.5, Loss: 0.9}}
	if got := relFlatWidth(pts, 0.1); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("relFlatWidth = %v, want 0.5 (alpha 0.75..1.25)", got)
	}
	// A net whose loss barely fell: the band shrinks with the drop.
	pts = []engine.FlatnessPoint{{Alpha: 0, Loss: 2.30}, {Alpha: 0.5, Loss: 2.2}, {Alpha: 1, Loss: 2.1}, {Alpha: 1.5, Loss: 2.4}}
	if got := relFlatWidth(pts, 0.1); got != 0 {
		t.Errorf("relFlatWidth = %v, want 0", got)
	}
}

func TestBarLine(t *testing.T) {
	got := barLine(50, 100, 10e9)
	if !strings.Contains(got, " 50% 50/100 steps") || !strings.Contains(got, "ETA 10s") || !strings.HasPrefix(got, "[===============>") {
		t.Errorf("barLine = %q", got)
	}
	if got := barLine(0, 100, 0); !strings.Contains(got, "ETA ?") {
		t.Errorf("barLine at 0 = %q", got)
	}
}

// mdTables returns the Markdown tables of s: each a list of rows of cells.
func mdTables(s string) [][][]string {
	var tables [][][]string
	var cur [][]string
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "|") {
			if cur != nil {
				tables = append(tables, cur)
				cur = nil
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		cur = append(cur, cells)
	}
	if cur != nil {
		tables = append(tables, cur)
	}
	return tables
}

func checkPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("%s: %dx%d, want %dx%d", path, b.Dx(), b.Dy(), w, h)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func TestTinySweep(t *testing.T) {
	dir := t.TempDir()
	a, out, errb := testApp()
	code := a.run([]string{"sweep", "-batches", "50,0", "-lrs", "0.1,1e-3,1e-5", "-epochs", "2", "-subset", "200", "-out", dir})
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errb)
	}
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	tables := mdTables(string(md))
	if len(tables) != 4 {
		t.Fatalf("summary.md has %d tables, want 3 grids and the run list:\n%s", len(tables), md)
	}
	for k, tb := range tables[:3] {
		if len(tb) != 2+2 {
			t.Errorf("table %d: %d rows, want header, rule and 2 batch sizes", k, len(tb))
		}
		for r, row := range tb {
			if len(row) != 4 {
				t.Errorf("table %d row %d: %d cells, want 4: %q", k, r, len(row), row)
			}
		}
		if h := tb[0]; h[1] != "0.1" || h[2] != "1e-3" || h[3] != "1e-5" {
			t.Errorf("table %d header %q", k, h)
		}
		if tb[2][0] != "50" || tb[3][0] != "full (GD)" {
			t.Errorf("table %d row labels %q, %q", k, tb[2][0], tb[3][0])
		}
		for _, row := range tb[2:] {
			for _, c := range row[1:] {
				if ok, _ := regexp.MatchString(`^\d+\.\d+%?$`, c); !ok {
					t.Errorf("table %d: cell %q is not a number", k, c)
				}
			}
		}
	}
	// The sweep learns: lr 0.1 with batch 50 beats lr 1e-5 on the synthetic data.
	if acc := tables[2][2][1]; acc <= tables[2][2][3] && len(acc) <= len(tables[2][2][3]) {
		t.Errorf("test accuracy with lr 0.1 (%s) not above lr 1e-5 (%s)", acc, tables[2][2][3])
	}
	if !strings.Contains(out.String(), "Table 3: Testing Accuracies") {
		t.Errorf("stdout lacks the tables:\n%s", out)
	}
	rows := readCSV(t, filepath.Join(dir, "history.csv"))
	if len(rows) != 1+6*2 {
		t.Errorf("history.csv: %d rows, want header + 6 runs x 2 epochs", len(rows))
	}
	for i, r := range rows {
		if len(r) != len(historyHeader) {
			t.Errorf("history.csv row %d: %d fields", i, len(r))
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "epochs.log"))
	if n := strings.Count(string(log), "Validation set: Average loss: "); n != 12 {
		t.Errorf("epochs.log has %d validation lines, want 12", n)
	}
	checkPNG(t, filepath.Join(dir, "sweep-tables.png"), 3*panelW, panelH)
	checkPNG(t, filepath.Join(dir, "loss.png"), 2*panelW, panelH)
	checkPNG(t, filepath.Join(dir, "accuracy.png"), 2*panelW, panelH)
}

func TestTinyTrainAndFlatness(t *testing.T) {
	dir := t.TempDir()
	a, _, errb := testApp()
	if code := a.run([]string{"train", "-model", "cnn", "-conv1", "3,3,1", "-conv2", "3,1,1", "-pool", "avg", "-opt", "adam", "-lr", "1e-3",
		"-schedule", "step", "-every", "5", "-gamma", "0.5", "-batch", "32", "-epochs", "2", "-subset", "100", "-patience", "3", "-out", dir}); code != 0 {
		t.Fatalf("train: exit %d, stderr %s", code, errb)
	}
	checkPNG(t, filepath.Join(dir, "accuracy.png"), panelW, panelH)
	if rows := readCSV(t, filepath.Join(dir, "history.csv")); len(rows) != 3 {
		t.Errorf("train history.csv: %d rows, want 3", len(rows))
	}
	dir = t.TempDir()
	a, out, errb := testApp()
	if code := a.run([]string{"flatness", "-model", "mlp", "-lr", "0.1", "-epochs", "2", "-subset", "200", "-alpha-step", "0.5", "-out", dir}); code != 0 {
		t.Fatalf("flatness: exit %d, stderr %s", code, errb)
	}
	rows := readCSV(t, filepath.Join(dir, "flatness.csv"))
	if len(rows) != 1+2*5 { // alphas -0.5, 0, 0.5, 1, 1.5
		t.Fatalf("flatness.csv: %d rows, want 11", len(rows))
	}
	if rows[1][1] != "-0.500" || rows[5][1] != "1.500" {
		t.Errorf("alphas %q..%q", rows[1][1], rows[5][1])
	}
	checkPNG(t, filepath.Join(dir, "flatness.png"), 2*panelW, panelH)
	checkPNG(t, filepath.Join(dir, "shuffled-accuracy.png"), panelW, panelH)
	if !strings.Contains(out.String(), "Width around alpha = 1") {
		t.Errorf("stdout lacks the flatness table:\n%s", out)
	}
}

func decodePNG(r io.Reader) (int, error) {
	img, err := png.Decode(r)
	if err != nil {
		return 0, err
	}
	return img.Bounds().Dx(), nil
}

// The robustness tables have each move once, in order, the unmoved
// accuracy in every curve.
func TestRobustnessCurves(t *testing.T) {
	moves := engine.RobustnessMoves()
	rot, dx, dy := robustnessCurves(moves)
	if len(rot) != 19 || len(dx) != 8 || len(dy) != 8 {
		t.Fatalf("%d rotations, %d and %d shifts; want 19, 8, 8", len(rot), len(dx), len(dy))
	}
	for i := 1; i < len(rot); i++ {
		if rot[i][0] <= rot[i-1][0] {
			t.Fatalf("rotations out of order at %d: %v", i, rot)
		}
	}
	z := withZero(dx, rot)
	if len(z) != 9 || z[4][0] != 0 || moves[int(z[4][1])] != (engine.Move{}) {
		t.Errorf("shift curve with the unmoved point: %v", z)
	}
}

// The question commands run end to end on synthetic data and write their
// tables, CSV and figures; their flags are checked.
func TestTinyQuestions(t *testing.T) {
	for _, c := range []struct {
		args  []string
		files []string
		text  string // in stdout
	}{
		{[]string{"robustness", "-epochs", "1", "-subset", "100", "-pools", "max,min"}, []string{"robustness.csv", "robustness.png"}, "Shifted down by"},
		{[]string{"pooling", "-epochs", "1", "-subset", "100", "-pools", "min,avg"}, []string{"history.csv", "accuracy.png"}, "ReLU, then min pool"},
	} {
		dir := t.TempDir()
		a, out, errb := testApp()
		if code := a.run(append(c.args, "-out", dir, "-q")); code != 0 {
			t.Fatalf("%v: exit %d, stderr %s", c.args, code, errb)
		}
		for _, f := range c.files {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("%v: %v", c.args, err)
			}
		}
		if !strings.Contains(out.String(), c.text) {
			t.Errorf("%v: stdout lacks %q:\n%s", c.args, c.text, out)
		}
		if c.args[0] == "robustness" {
			if rows := readCSV(t, filepath.Join(dir, "robustness.csv")); len(rows) != 1+2*len(engine.RobustnessMoves()) {
				t.Errorf("robustness.csv: %d rows", len(rows))
			}
			checkPNG(t, filepath.Join(dir, "robustness.png"), 3*panelW, panelH)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"robustness", "-pool", "max"}, "robustness takes -pools"},
		{[]string{"pooling", "-pool", "max"}, "pooling takes -pools"},
	} {
		a, _, errb := testApp()
		if code := a.run(c.args); code != 2 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q", c.args, code, errb)
		}
	}
}
