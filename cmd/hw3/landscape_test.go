package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestLandscapeBadFlags(t *testing.T) {
	for i, c := range []struct {
		args []string
		want string
	}{
		{[]string{"landscape", "-grid", "100"}, "-grid 100: want 2..64 points per axis"},
		{[]string{"landscape", "-grid", "0"}, "-grid 0: want 2..64"},
		{[]string{"landscape", "-planes", "pca,hessian"}, `"hessian" is neither pca nor random`},
		{[]string{"landscape", "-span", "0"}, "-span > 0"},
		{[]string{"landscape", "-shuffled", "2"}, "-shuffled 2 must be in (0, 1]"},
		{[]string{"landscape", "-shuffle", "1"}, "not -shuffle"},
		{[]string{"sharpness", "-lanczos", "0"}, "1 <= -top <= -lanczos <= 200"},
		{[]string{"sharpness", "-top", "5", "-lanczos", "3"}, "1 <= -top <= -lanczos"},
		{[]string{"sharpness", "-eps", "-1"}, "-eps > 0"},
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

// landscape trains the two runs and caches them; sharpness reuses them.
// Every file is written, the grid's centre is the final weights' loss and
// the top eigenvalues are positive.
func TestLandscapeAndSharpness(t *testing.T) {
	dir := t.TempDir()
	runs, out := filepath.Join(dir, "runs"), filepath.Join(dir, "ls")
	common := []string{"-q", "-model", "mlp", "-hidden", "16", "-lr", "0.1", "-epochs", "3", "-subset", "300", "-eval-subset", "100", "-runs", runs}
	a, stdout, errb := testApp()
	if code := a.run(append([]string{"landscape", "-grid", "5", "-grid-train", "200", "-grid-val", "100", "-out", out}, common...)); code != 0 {
		t.Fatalf("landscape: exit %d: %s", code, errb)
	}
	for _, f := range []string{"summary.md", "landscape.csv", "path.csv", "true-pca.png", "true-random.png", "shuffled-pca.png", "shuffled-random.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	rows := readCSV(t, filepath.Join(out, "landscape.csv"))
	if len(rows) != 1+2*2*25 {
		t.Errorf("landscape.csv has %d rows, want a header and 2 runs x 2 planes x 25", len(rows))
	}
	// The centre of the random plane's grid is theta_final: its training
	// loss is the one in the summary table.
	md, _ := os.ReadFile(filepath.Join(out, "summary.md"))
	for _, r := range rows[1:] {
		if r[0] == "true labels" && r[1] == "random" && r[2] == "0" && r[3] == "0" {
			v, _ := strconv.ParseFloat(r[4], 64)
			if want := "| true labels | random |  | " + strconv.FormatFloat(v, 'f', 4, 64) + " |"; !strings.Contains(string(md), want) {
				t.Errorf("summary.md does not contain %q:\n%s", want, md)
			}
		}
	}
	if path := readCSV(t, filepath.Join(out, "path.csv")); len(path) != 1+2*4 {
		t.Errorf("path.csv has %d rows, want a header and 2 runs x (theta0 + 3 epochs)", len(path))
	}
	if !strings.Contains(stdout.String(), "points in") {
		t.Errorf("no progress in stdout: %s", stdout)
	}

	out = filepath.Join(dir, "sh")
	a, stdout, errb = testApp()
	if code := a.run(append([]string{"sharpness", "-lanczos", "6", "-hutchinson", "3", "-sharp-subset", "200", "-out", out}, common...)); code != 0 {
		t.Fatalf("sharpness: exit %d: %s", code, errb)
	}
	if !strings.Contains(stdout.String(), "reusing the run") {
		t.Errorf("sharpness did not reuse the cached runs: %s", stdout)
	}
	for _, f := range []string{"summary.md", "ritz.csv", "slice.csv", "sharpness.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	ritz := readCSV(t, filepath.Join(out, "ritz.csv"))
	for _, r := range ritz[1:] {
		if r[1] == "6" && r[2] == "1" {
			if v, _ := strconv.ParseFloat(r[3], 64); !(v > 0) {
				t.Errorf("%s: top eigenvalue %v, want > 0 at a trained minimum", r[0], v)
			}
		}
	}
	// Another configuration is not taken from the cache.
	a, stdout, errb = testApp()
	if code := a.run([]string{"sharpness", "-q", "-model", "mlp", "-hidden", "16", "-lr", "0.1", "-epochs", "2", "-subset", "300", "-eval-subset", "100", "-runs", runs,
		"-lanczos", "3", "-hutchinson", "0", "-sharp-subset", "100", "-out", out}); code != 0 {
		t.Fatalf("sharpness: exit %d: %s", code, errb)
	}
	if strings.Contains(stdout.String(), "reusing") {
		t.Errorf("a run of 2 epochs reused the cached 3-epoch run: %s", stdout)
	}
}
