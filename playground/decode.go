package playground

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// field is how a message names a configuration field and says its range.
type field struct{ name, want string }

// fields maps the JSON path of every engine.Config field (as
// json.UnmarshalTypeError reports it) to its name on the page and its range.
var fields = map[string]field{
	"model":              {"model", "an object"},
	"":                   {"settings", "an object"},
	"model.hidden.#":     {"hidden width", "a whole number in 1..4096"},
	"model.arch":         {"architecture", `"mlp" or "cnn"`},
	"model.hidden":       {"hidden widths", "a list of whole numbers in 1..4096"},
	"model.conv1":        {"conv1", "an object with kernel, stride and pad"},
	"model.conv2":        {"conv2", "an object with kernel, stride and pad"},
	"model.conv1.kernel": {"conv1 kernel", "a whole number in 1..64"},
	"model.conv1.stride": {"conv1 stride", "a whole number in 1..64"},
	"model.conv1.pad":    {"conv1 padding", "a whole number from 0 to the kernel size - 1"},
	"model.conv2.kernel": {"conv2 kernel", "a whole number in 1..64"},
	"model.conv2.stride": {"conv2 stride", "a whole number in 1..64"},
	"model.conv2.pad":    {"conv2 padding", "a whole number from 0 to the kernel size - 1"},
	"model.pool":         {"pooling", `"max", "avg" or "min"`},
	"model.poolSize":     {"pool size", "a whole number in 1..64"},
	"optim":              {"optimizer settings", "an object"},
	"optim.kind":         {"optimizer", `"sgd", "momentum", "nesterov" or "adam"`},
	"optim.momentum":     {"momentum", "a number in [0, 1)"},
	"optim.beta1":        {"beta1", "a number in [0, 1)"},
	"optim.beta2":        {"beta2", "a number in [0, 1)"},
	"optim.eps":          {"Adam eps", "a small number > 0"},
	"optim.l2":           {"L2 lambda", "a number >= 0 (at most 3.4e38)"},
	"schedule":           {"schedule", "an object"},
	"schedule.kind":      {"schedule", `"constant", "invt" or "step"`},
	"schedule.lr0":       {"learning rate", "a number > 0 (at most 3.4e38)"},
	"schedule.tau":       {"schedule tau", "a number > 0 (at most 3.4e38)"},
	"schedule.gamma":     {"schedule gamma", "a number in (0, 1]"},
	"schedule.every":     {"schedule period", "a whole number of steps >= 1"},
	"batchSize":          {"batch size", "a whole number >= 0 (0 = full batch)"},
	"epochs":             {"epochs", "a whole number >= 0 (0 = no limit)"},
	"subset":             {"training examples", fmt.Sprintf("a whole number in 0..%d (0 = all)", maxTrain)},
	"patience":           {"patience", "a whole number >= 0 (0 = off)"},
	"seed":               {"seed", "a whole number in 0..18446744073709551615"},
	"shuffleFraction":    {"shuffle fraction", "a number in [0, 1]"},
	"evalSubset":         {"validation examples", fmt.Sprintf("a whole number in 0..%d (0 = all)", maxTest)},
	"protocol":           {"protocol", `"modern" or "report"`},
}

// decodeError turns an encoding/json error on a configuration into a
// sentence that names the field and its range, instead of Go's text.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		// "model.hidden.0" is an element of model.hidden.
		parts := strings.Split(te.Field, ".")
		for i, p := range parts {
			if p != "" && strings.Trim(p, "0123456789") == "" {
				parts[i] = "#"
			}
		}
		path := strings.Join(parts, ".")
		f, ok := fields[path]
		if !ok {
			f = field{te.Field, "a " + te.Type.String()}
		}
		got := strings.TrimPrefix(te.Value, "number ")
		switch got {
		case "string", "bool", "array", "object":
			got = "a " + got
			if got == "a array" || got == "a object" {
				got = "an" + got[1:]
			}
			return fmt.Errorf("%s: got %s, want %s", f.name, got, f.want)
		case "number":
			return fmt.Errorf("%s: got a number, want %s", f.name, f.want)
		}
		return fmt.Errorf("%s: %s is not %s", f.name, got, f.want)
	case errors.As(err, &se):
		return fmt.Errorf("the settings are not valid JSON (at byte %d)", se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return errors.New("the settings are cut short (incomplete JSON)")
	}
	// No other error comes from decoding into engine.Config (none of its
	// types has its own UnmarshalJSON); its text is Go's, not the page's.
	return errors.New("the settings cannot be read")
}

// unknownSetting returns the path ("model.bogus") of the first key in the
// JSON value v, walked in sorted order, that no field of type t takes, or
// "" when every key is known. encoding/json matches keys to fields without
// regard to case, and so does this.
func unknownSetting(v any, t reflect.Type, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return "" // a type error, which the typed decoding reports
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			ft, ok := jsonField(t, k)
			p := k
			if path != "" {
				p = path + "." + k
			}
			if !ok {
				return p
			}
			if bad := unknownSetting(obj[k], ft, p); bad != "" {
				return bad
			}
		}
	case reflect.Slice, reflect.Array:
		list, _ := v.([]any)
		for i, e := range list {
			if bad := unknownSetting(e, t.Elem(), fmt.Sprintf("%s.%d", path, i)); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// jsonField returns the type of the field of struct type t that JSON key
// k decodes into, looking into embedded structs as encoding/json does.
func jsonField(t reflect.Type, k string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			if ft, ok := jsonField(f.Type, k); ok {
				return ft, true
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		name := tag
		if name == "" {
			name = f.Name
		}
		if strings.EqualFold(name, k) {
			return f.Type, true
		}
	}
	return nil, false
}
