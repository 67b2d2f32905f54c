package engine

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSpecShapes(t *testing.T) {
	for i, tc := range []struct {
		spec   Spec
		shapes []Shape // outputs of every layer with parameters or pooling
		params int
	}{
		{DefaultCNN(), []Shape{{10, 24, 24}, {10, 12, 12}, {20, 8, 8}, {20, 4, 4}, {100, 1, 1}, {10, 1, 1}}, 260 + 5020 + 32100 + 1010},
		// the report's Task 3.2: 3x3 kernels, stride 3, pad 1 -> fc1 takes 20
		{Spec{Arch: ArchCNN, Conv1: ConvSpec{3, 3, 1}, Conv2: ConvSpec{3, 3, 1}, Pool: PoolMax, PoolSize: 2},
			[]Shape{{10, 10, 10}, {10, 5, 5}, {20, 2, 2}, {20, 1, 1}, {100, 1, 1}, {10, 1, 1}}, 100 + 1820 + 2100 + 1010},
		// and 14x14 kernels, stride 1, pad 3 -> fc1 takes 20
		{Spec{Arch: ArchCNN, Conv1: ConvSpec{14, 1, 3}, Conv2: ConvSpec{14, 1, 3}, Pool: PoolMax, PoolSize: 2},
			[]Shape{{10, 21, 21}, {10, 10, 10}, {20, 3, 3}, {20, 1, 1}, {100, 1, 1}, {10, 1, 1}}, 1970 + 39220 + 2100 + 1010},
		// pool and poolSize default to max and 2, hidden to [100]
		{Spec{Arch: ArchCNN, Conv1: ConvSpec{5, 1, 0}, Conv2: ConvSpec{5, 1, 0}},
			[]Shape{{10, 24, 24}, {10, 12, 12}, {20, 8, 8}, {20, 4, 4}, {100, 1, 1}, {10, 1, 1}}, 38390},
		{Spec{Arch: ArchCNN, Conv1: ConvSpec{5, 1, 2}, Conv2: ConvSpec{3, 2, 1}, Pool: PoolAvg, PoolSize: 3, Hidden: []int{50, 30}},
			[]Shape{{10, 28, 28}, {10, 9, 9}, {20, 5, 5}, {20, 1, 1}, {50, 1, 1}, {30, 1, 1}, {10, 1, 1}}, 260 + 1820 + 1050 + 1530 + 310},
		{DefaultMLP(), []Shape{{100, 1, 1}, {10, 1, 1}}, 78500 + 1010},
		{Spec{Arch: ArchMLP}, []Shape{{10, 1, 1}}, 7850},
		{Spec{Arch: ArchMLP, Hidden: []int{300, 100}}, []Shape{{300, 1, 1}, {100, 1, 1}, {10, 1, 1}}, 235500 + 30100 + 1010},
	} {
		if err := tc.spec.Validate(); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		m, err := Build(tc.spec, 1)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		var got []Shape
		for _, li := range m.Info() {
			if li.Params > 0 || strings.HasPrefix(li.Name, "pool") {
				got = append(got, li.Out)
			}
		}
		if len(got) != len(tc.shapes) {
			t.Fatalf("case %d: shapes %v, want %v", i, got, tc.shapes)
		}
		for j := range got {
			if got[j] != tc.shapes[j] {
				t.Errorf("case %d: layer %d shape %v, want %v", i, j, got[j], tc.shapes[j])
			}
		}
		if m.NumWeights() != tc.params {
			t.Errorf("case %d: %d weights, want %d", i, m.NumWeights(), tc.params)
		}
		if last := m.layers[len(m.layers)-1].OutShape(); last != (Shape{10, 1, 1}) {
			t.Errorf("case %d: output %v", i, last)
		}
	}
}

func TestSpecDefaultCNNInfo(t *testing.T) {
	m, err := Build(DefaultCNN(), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []LayerInfo{
		{"conv1", Shape{1, 28, 28}, Shape{10, 24, 24}, 260}, {"pool1", Shape{10, 24, 24}, Shape{10, 12, 12}, 0},
		{"relu1", Shape{10, 12, 12}, Shape{10, 12, 12}, 0}, {"conv2", Shape{10, 12, 12}, Shape{20, 8, 8}, 5020},
		{"pool2", Shape{20, 8, 8}, Shape{20, 4, 4}, 0}, {"relu2", Shape{20, 4, 4}, Shape{20, 4, 4}, 0},
		{"flatten", Shape{20, 4, 4}, Shape{320, 1, 1}, 0}, {"fc1", Shape{320, 1, 1}, Shape{100, 1, 1}, 32100},
		{"relu3", Shape{100, 1, 1}, Shape{100, 1, 1}, 0}, {"fc2", Shape{100, 1, 1}, Shape{10, 1, 1}, 1010},
	}
	got := m.Info()
	// Spec.Layers says the same before any allocation.
	pre, err := DefaultCNN().Layers()
	if err != nil || len(pre) != len(got) {
		t.Fatalf("Spec.Layers: %v, %v", pre, err)
	}
	if len(got) != len(want) {
		t.Fatalf("info %v", got)
	}
	for i := range want {
		if got[i] != want[i] || pre[i] != want[i] {
			t.Errorf("layer %d: Info %+v, Spec.Layers %+v, want %+v", i, got[i], pre[i], want[i])
		}
	}
	// An impossible conv2 comes with the layers before it.
	bad := DefaultCNN()
	bad.Conv2 = ConvSpec{Kernel: 14, Stride: 1}
	pre, err = bad.Layers()
	if err == nil || len(pre) != 3 || pre[2].Name != "relu1" {
		t.Errorf("conv2 kernel 14: Spec.Layers %v, %v; want conv1, pool1, relu1 and the error", pre, err)
	}
	if m.NumWeights() != 38390 {
		t.Errorf("%d weights, want 38390", m.NumWeights())
	}
}

func TestSpecErrors(t *testing.T) {
	cnn := func(c1, c2 ConvSpec) Spec {
		return Spec{Arch: ArchCNN, Conv1: c1, Conv2: c2, Pool: PoolMax, PoolSize: 2}
	}
	k5 := ConvSpec{5, 1, 0}
	for i, tc := range []struct {
		spec Spec
		want string // the exact error, or a substring when it starts with "~"
	}{
		{cnn(k5, ConvSpec{14, 1, 0}),
			"engine: conv2: kernel 14 > input 12+2·0: n_out = floor((n_in + 2p - k)/s) + 1 = floor((12 + 0 - 14)/1) + 1 = -1"},
		{cnn(ConvSpec{14, 1, 3}, ConvSpec{14, 1, 0}),
			"engine: conv2: kernel 14 > input 10+2·0: n_out = floor((n_in + 2p - k)/s) + 1 = floor((10 + 0 - 14)/1) + 1 = -3"},
		{cnn(ConvSpec{29, 2, 0}, k5), "~conv1: kernel 29 > input 28+2·0"},
		{cnn(ConvSpec{9, 9, 0}, ConvSpec{1, 1, 0}), "~pool2: kernel 2 > input 1+2·0: n_out = floor((n_in + 2p - k)/s) + 1 = floor((1 + 0 - 2)/2) + 1 = 0"},
		{cnn(ConvSpec{9, 9, 0}, k5), "~conv2: kernel 5 > input 1+2·0"},
		{cnn(ConvSpec{0, 1, 0}, k5), "engine: conv1: kernel 0 not in 1..64"},
		{cnn(ConvSpec{-3, 1, 0}, k5), "~conv1: kernel -3 not in 1..64"},
		{cnn(k5, ConvSpec{5, 0, 0}), "engine: conv2: stride 0 not in 1..64"},
		{cnn(k5, ConvSpec{5, -1, 0}), "~conv2: stride -1"},
		{cnn(k5, ConvSpec{5, 1, -1}), "engine: conv2: padding -1 < 0"},
		{cnn(ConvSpec{3, 1, 3}, k5), "~conv1: padding 3 >= kernel 3"},
		{cnn(ConvSpec{1 << 40, 1, 0}, k5), "~conv1: kernel 1099511627776 not in 1..64"},
		{cnn(ConvSpec{5, 1 << 40, 0}, k5), "~stride 1099511627776 not in"},
		{Spec{Arch: ArchCNN, Conv1: k5, Conv2: k5, Pool: "median"}, `engine: pool: unknown kind "median" (want max, avg or min)`},
		{Spec{Arch: ArchCNN, Conv1: k5, Conv2: k5, PoolSize: -2}, "~pool: size -2"},
		{Spec{Arch: ArchCNN, Conv1: k5, Conv2: k5, PoolSize: 25}, "engine: pool1: kernel 25 > input 24+2·0: n_out = floor((n_in + 2p - k)/s) + 1 = floor((24 + 0 - 25)/25) + 1 = 0"},
		{Spec{Arch: ArchCNN, Conv1: k5, Conv2: ConvSpec{1, 1, 0}, PoolSize: 7}, "~pool2: kernel 7 > input 3+2·0"},
		{Spec{Arch: ArchCNN, Conv1: k5, Conv2: k5, Hidden: []int{0}}, "engine: fc1: width 0 not in 1..4096"},
		{Spec{Arch: ArchMLP, Hidden: []int{100, -5}}, "engine: fc2: width -5 not in 1..4096"},
		{Spec{Arch: ArchMLP, Hidden: []int{1 << 20}}, "~fc1: width 1048576 not in 1..4096"},
		{Spec{Arch: ArchMLP, Hidden: make([]int, 9)}, "engine: 9 hidden layers, at most 8"},
		{Spec{Arch: ArchMLP, Hidden: []int{4096, 4096, 4096}}, "~more than"},
		{Spec{Arch: ArchMLP, Hidden: []int{100}, Pool: PoolMax}, "~apply to arch cnn only"},
		{Spec{Arch: ArchMLP, Conv1: k5}, "~apply to arch cnn only"},
		{Spec{Arch: "rnn"}, `engine: unknown arch "rnn" (want mlp or cnn)`},
		{Spec{}, `engine: unknown arch "" (want mlp or cnn)`},
	} {
		err := tc.spec.Validate()
		if err == nil {
			t.Errorf("case %d: %+v: no error", i, tc.spec)
			continue
		}
		if sub, ok := strings.CutPrefix(tc.want, "~"); ok {
			if !strings.Contains(err.Error(), sub) {
				t.Errorf("case %d: error %q, want it to contain %q", i, err, sub)
			}
		} else if err.Error() != tc.want {
			t.Errorf("case %d: error\n%q, want\n%q", i, err, tc.want)
		}
		if _, err2 := Build(tc.spec, 1); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("case %d: Build error %v, Validate error %v", i, err2, err)
		}
	}
}

func TestSpecJSON(t *testing.T) {
	b, err := json.Marshal(DefaultCNN())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"arch":"cnn","hidden":[100],"conv1":{"kernel":5,"stride":1,"pad":0},"conv2":{"kernel":5,"stride":1,"pad":0},"pool":"max","poolSize":2}`
	if string(b) != want {
		t.Errorf("json %s, want %s", b, want)
	}
	var s Spec
	if err := json.Unmarshal(b, &s); err != nil || s.Arch != "cnn" || s.Conv2 != (ConvSpec{5, 1, 0}) || s.Pool != PoolMax {
		t.Errorf("round trip %+v, %v", s, err)
	}
}

// ReLUFirst moves each CNN ReLU before its pooling. ReLU is monotone, so it
// commutes with max and with min pooling (the two orders are one network),
// not with average pooling.
func TestReLUFirst(t *testing.T) {
	after, before := DefaultCNN(), DefaultCNN()
	before.ReLUFirst = true
	mb, err := Build(before, 3)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range mb.layers[:6] {
		names = append(names, l.Name())
	}
	if got := strings.Join(names, " "); got != "conv1 relu1 pool1 conv2 relu2 pool2" {
		t.Errorf("layers %s", got)
	}
	ma, _ := Build(after, 3)
	x := make([]float32, 2*784)
	for i := range x {
		x[i] = float32(i%29)/10 - 1
	}
	same := func() bool {
		a := append([]float32(nil), ma.Forward(x, 2, false)...)
		b := mb.Forward(x, 2, false)
		for i := range a {
			if d := a[i] - b[i]; d > 1e-5 || d < -1e-5 {
				return false
			}
		}
		return true
	}
	if !same() {
		t.Error("max pooling: the two orders differ")
	}
	after.Pool, before.Pool = PoolMin, PoolMin
	ma, _ = Build(after, 3)
	mb, _ = Build(before, 3)
	if !same() {
		t.Error("min pooling: the two orders differ")
	}
	after.Pool, before.Pool = PoolAvg, PoolAvg
	ma, _ = Build(after, 3)
	mb, _ = Build(before, 3)
	if same() {
		t.Error("average pooling: the two orders give the same logits")
	}
	if err := (Spec{Arch: ArchMLP, ReLUFirst: true}).Validate(); err == nil {
		t.Error("an MLP with reluFirst was accepted")
	}
}
