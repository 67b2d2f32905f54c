package playground

import (
	"os"
	"reflect"
	"regexp"
	"strconv"
	"testing"

	"mnistplay/engine"
)

// TestPageDefaults checks that the page's controls start at DefaultConfig:
// the values in web/index.html, read as the page's readConfig reads them.
func TestPageDefaults(t *testing.T) {
	b, err := os.ReadFile("../web/index.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	value := func(id string) string {
		m := regexp.MustCompile(`<input id="` + id + `"[^>]* value="([^"]*)"`).FindStringSubmatch(html)
		if m == nil {
			t.Fatalf("no input #%s with a value in index.html", id)
		}
		return m[1]
	}
	selected := func(id string) string {
		m := regexp.MustCompile(`(?s)<select id="` + id + `".*?<option value="([^"]*)" selected>`).FindStringSubmatch(html)
		if m == nil {
			t.Fatalf("no selected option in #%s", id)
		}
		return m[1]
	}
	num := func(id string) float64 {
		v, err := strconv.ParseFloat(value(id), 64)
		if err != nil {
			t.Fatalf("#%s: %v", id, err)
		}
		return v
	}
	conv := func(p string) engine.ConvSpec {
		return engine.ConvSpec{Kernel: int(num(p + "-kernel")), Stride: int(num(p + "-stride")), Pad: int(num(p + "-pad"))}
	}
	spec := engine.Spec{Arch: selected("arch"), Hidden: []int{int(num("hidden"))},
		Conv1: conv("conv1"), Conv2: conv("conv2"), Pool: engine.PoolKind(selected("pool"))}
	page := engine.Config{
		Optim:      engine.OptimConfig{Kind: engine.OptimKind(selected("optimizer")), Momentum: float32(num("momentum")), L2: float32(num("l2"))},
		Schedule:   engine.Schedule{Kind: engine.ScheduleKind(selected("schedule")), LR0: float32(num("lr"))},
		BatchSize:  int(num("batch")),
		Epochs:     int(num("epochs")),
		Subset:     int(num("subset")),
		Patience:   int(num("patience")),
		Seed:       uint64(num("seed")),
		EvalSubset: int(num("eval-subset")),
	}
	def := DefaultConfig()
	pageLayers, err1 := spec.Layers()
	defLayers, err2 := def.Model.Layers()
	if err1 != nil || err2 != nil || !reflect.DeepEqual(pageLayers, defLayers) {
		t.Errorf("the page's model %+v is not DefaultConfig's %+v (%v, %v)", spec, def.Model, err1, err2)
	}
	def.Model = engine.Spec{}
	if !reflect.DeepEqual(page, def) {
		t.Errorf("the page's controls start at\n%+v\nDefaultConfig is\n%+v", page, def)
	}
	if p := selected("protocol"); p != "modern" {
		t.Errorf("protocol %q, want modern", p)
	}
	if regexp.MustCompile(`<input id="shuffle" [^>]*checked`).MatchString(html) {
		t.Error("label shuffling starts on; DefaultConfig has it off")
	}
}
