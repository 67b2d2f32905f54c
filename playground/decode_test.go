package playground

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"mnistplay/engine"
)

// FuzzParseConfig feeds the decoder of the page's settings (what a link or
// the form sends) arbitrary bytes: it never panics, every error is a
// sentence without Go's JSON text, and an accepted configuration encodes
// and decodes to itself and fits the memory budget.
func FuzzParseConfig(f *testing.F) {
	for _, cfg := range []engine.Config{DefaultConfig(), mlpConfig()} {
		b, _ := json.Marshal(cfg)
		f.Add(b)
	}
	for _, s := range []string{
		`{"model":{"arch":"cnn","conv1":{"kernel":64,"stride":1,"pad":63},"conv2":{"kernel":64,"stride":1,"pad":63}},"schedule":{"kind":"constant","lr0":0.1},"epochs":1}`,
		`{"model":{"arch":"mlp"},"schedule":{"kind":"constant","lr0":1e39},"epochs":1,"seed":1e300}`,
		`{"model":{"arch":"mlp","hidden":[4096,4096,4096]},"subset":"abc"}`,
		`{"model":{"arch":"cnn","poolSize":64},"optim":{"kind":"adam","beta1":1}}`,
		`[`, `null`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg, err := ParseConfig(raw)
		if err != nil {
			msg := err.Error()
			if msg == "" || strings.Contains(msg, "json:") || strings.Contains(msg, "Go struct") {
				t.Fatalf("message %q", msg)
			}
			return
		}
		b, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseConfig(b)
		if err != nil {
			t.Fatalf("accepted %s, then refused its own encoding %s: %v", raw, b, err)
		}
		if !reflect.DeepEqual(normal(cfg), normal(again)) {
			t.Fatalf("%+v encodes to %s, which decodes to %+v", cfg, b, again)
		}
		if err := cfg.CheckMemory(); err != nil {
			t.Fatalf("accepted %s over the budget: %v", raw, err)
		}
	})
}

// normal makes an empty hidden list and a missing one alike (omitempty).
func normal(c engine.Config) engine.Config {
	if len(c.Model.Hidden) == 0 {
		c.Model.Hidden = nil
	}
	return c
}

// TestUnknownSetting: a key no field takes is named with its path, at any
// depth, while keys in another case (which encoding/json accepts) and the
// page's own protocol key pass.
func TestUnknownSetting(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{`{"model":{"arch":"mlp"},"bogus":1}`, `unknown setting "bogus"`},
		{`{"model":{"arch":"mlp","kernal":3}}`, `unknown setting "model.kernal"`},
		{`{"model":{"arch":"cnn","conv1":{"kernel":5,"strid":1}}}`, `unknown setting "model.conv1.strid"`},
		{`{"model":{"arch":"mlp"},"optim":{"kind":"sgd","lr":1}}`, `unknown setting "optim.lr"`},
	} {
		_, err := ParseConfig([]byte(tc.raw))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.raw, err, tc.want)
		}
	}
	good, _ := json.Marshal(mlpConfig())
	for _, raw := range []string{
		string(good),
		strings.Replace(string(good), `"batchSize"`, `"BATCHSIZE"`, 1),
		strings.Replace(string(good), `{`, `{"protocol":"report",`, 1),
	} {
		if _, err := ParseConfig([]byte(raw)); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
}
