package wire

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"sync"
)

// Encode returns the plain object of an Event or a Command, as the other
// side receives it: a "type" or "cmd" key and one key per field, numbers as
// float64, nested structs as map[string]any, other slices and arrays as
// []any, and []float32 and []uint8 as they are (the JS side makes typed
// arrays of them and transfers their buffers). The map shares those slices
// with m.
//
// It panics if m is neither an Event nor a Command: a programmer's mistake.
func Encode(m any) map[string]any {
	v := reflect.ValueOf(m)
	out := codecOf(v.Type()).encode(v).(map[string]any)
	switch x := m.(type) {
	case Event:
		out[KeyType] = x.Type()
	case Command:
		out[KeyCmd] = x.Cmd()
	default:
		panic(fmt.Sprintf("wire: Encode of %T, neither an Event nor a Command", m))
	}
	return out
}

// Decode returns the Event (an object with a "type" key) or the Command
// (with a "cmd" key) that obj encodes, as a value of its type (e.g.
// StepsEvent, not *StepsEvent). Missing keys, null and undefined leave a
// field's zero value; keys of no field are ignored. An object of no known
// type is an *UnknownError, a field of the wrong kind a *FieldError.
func Decode(obj map[string]any) (any, error) {
	key := KeyType
	t, ok := obj[KeyType]
	if !ok {
		key = KeyCmd
		t = obj[KeyCmd]
	}
	name, _ := t.(string)
	typ, known := registry()[key+":"+name]
	if !known {
		return nil, &UnknownError{Key: key, Name: name}
	}
	dst := reflect.New(typ).Elem()
	if err := codecOf(typ).decode(obj, dst, ""); err != nil {
		err.Message = name
		return nil, err
	}
	return dst.Interface(), nil
}

// DecodeEvent is Decode for an object that must be an Event.
func DecodeEvent(obj map[string]any) (Event, error) {
	if _, ok := obj[KeyType]; !ok {
		return nil, &UnknownError{Key: KeyType}
	}
	m, err := Decode(obj)
	if err != nil {
		return nil, err
	}
	return m.(Event), nil
}

// DecodeCommand is Decode for an object that must be a Command.
func DecodeCommand(obj map[string]any) (Command, error) {
	if _, ok := obj[KeyType]; ok {
		return nil, &UnknownError{Key: KeyCmd}
	}
	m, err := Decode(obj)
	if err != nil {
		return nil, err
	}
	return m.(Command), nil
}

// UnknownError is an object that is no message of the contract: its Key
// ("type" or "cmd") is missing (Name "") or names no type.
type UnknownError struct{ Key, Name string }

func (e *UnknownError) Error() string {
	if e.Name == "" {
		return "wire: a message without a " + e.Key
	}
	return fmt.Sprintf("wire: unknown %s %q", e.Key, e.Name)
}

// FieldError is a message whose field holds the wrong kind of value.
type FieldError struct {
	Message string // the message's type or cmd, e.g. "steps"
	Field   string // the key's path, e.g. "steps[3].loss"
	Want    string // e.g. "a whole number"
	Got     string // e.g. "a string"
	Err     error  // the cause, for a field decoded as JSON (an engine.Spec), else nil
}

func (e *FieldError) Error() string {
	s := fmt.Sprintf("wire: %s: field %s: got %s, want %s", e.Message, e.Field, e.Got, e.Want)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *FieldError) Unwrap() error { return e.Err }

var (
	regOnce sync.Once
	reg     map[string]reflect.Type // "type:steps", "cmd:start", ...
)

func registry() map[string]reflect.Type {
	regOnce.Do(func() {
		reg = map[string]reflect.Type{}
		for _, e := range Events {
			reg[KeyType+":"+e.Type()] = reflect.TypeOf(e)
		}
		for _, c := range Commands {
			reg[KeyCmd+":"+c.Cmd()] = reflect.TypeOf(c)
		}
	})
	return reg
}

// Fields returns the keys of message m's fields in declaration order (the
// generator of protocol.js and docs/protocol.md lists them).
func Fields(m any) []string {
	c := codecOf(reflect.TypeOf(m))
	var out []string
	for _, f := range c.fields {
		out = append(out, f.key)
	}
	return out
}

// codec encodes and decodes one Go type. The codec of a type is built once,
// so Encode's per-message work is a walk over the value without looking
// at tags again.
type codec struct {
	encode func(v reflect.Value) any
	decode func(x any, dst reflect.Value, path string) *FieldError
	fields []field // of a struct with wire tags
}

type field struct {
	key   string
	index int
	c     *codec
}

var codecs sync.Map // reflect.Type -> *codec

var (
	rawType     = reflect.TypeOf(json.RawMessage(nil))
	float32Type = reflect.TypeOf([]float32(nil))
	bytesType   = reflect.TypeOf([]uint8(nil))
)

func codecOf(t reflect.Type) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	c := newCodec(t)
	codecs.Store(t, c)
	return c
}

func newCodec(t reflect.Type) *codec {
	switch {
	case t == rawType:
		return &codec{encode: encodeRaw, decode: decodeRaw}
	case t == float32Type:
		return &codec{encode: func(v reflect.Value) any { return v.Interface() }, decode: decodeFloat32s}
	case t == bytesType:
		return &codec{encode: func(v reflect.Value) any { return v.Interface() }, decode: decodeBytes}
	}
	switch t.Kind() {
	case reflect.Bool:
		return &codec{
			encode: func(v reflect.Value) any { return v.Bool() },
			decode: func(x any, dst reflect.Value, path string) *FieldError {
				b, ok := x.(bool)
				if !ok {
					return wrong(path, "a boolean", x)
				}
				dst.SetBool(b)
				return nil
			},
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return &codec{
			encode: func(v reflect.Value) any { return float64(v.Int()) },
			decode: func(x any, dst reflect.Value, path string) *FieldError {
				f, ok := number(x)
				// Beyond 2^53 a JS number is no longer a whole number exactly.
				if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 || dst.OverflowInt(int64(f)) {
					return wrong(path, "a whole number", x)
				}
				dst.SetInt(int64(f))
				return nil
			},
		}
	case reflect.Float64, reflect.Float32:
		return &codec{
			encode: func(v reflect.Value) any { return v.Float() },
			decode: func(x any, dst reflect.Value, path string) *FieldError {
				f, ok := number(x)
				if !ok {
					return wrong(path, "a number", x)
				}
				dst.SetFloat(f)
				return nil
			},
		}
	case reflect.String:
		return &codec{
			encode: func(v reflect.Value) any { return v.String() },
			decode: func(x any, dst reflect.Value, path string) *FieldError {
				s, ok := x.(string)
				if !ok {
					return wrong(path, "a string", x)
				}
				dst.SetString(s)
				return nil
			},
		}
	case reflect.Slice, reflect.Array:
		return listCodec(t)
	case reflect.Struct:
		if hasWireTags(t) {
			return structCodec(t)
		}
		return jsonCodec(t)
	}
	panic("wire: no encoding for " + t.String())
}

// hasWireTags reports whether t is a message or row of this package (every
// field tagged, or no fields), rather than a type encoded as its JSON
// (engine.Spec).
func hasWireTags(t reflect.Type) bool {
	if t.NumField() == 0 {
		return true
	}
	for i := range t.NumField() {
		if _, ok := t.Field(i).Tag.Lookup("wire"); ok {
			return true
		}
	}
	return false
}

func structCodec(t reflect.Type) *codec {
	c := &codec{}
	for i := range t.NumField() {
		f := t.Field(i)
		key := f.Tag.Get("wire")
		if key == "" {
			panic(fmt.Sprintf("wire: field %s.%s has no wire tag", t, f.Name))
		}
		c.fields = append(c.fields, field{key: key, index: i, c: codecOf(f.Type)})
	}
	c.encode = func(v reflect.Value) any {
		m := make(map[string]any, len(c.fields)+1)
		for _, f := range c.fields {
			m[f.key] = f.c.encode(v.Field(f.index))
		}
		return m
	}
	c.decode = func(x any, dst reflect.Value, path string) *FieldError {
		m, ok := x.(map[string]any)
		if !ok {
			return wrong(path, "an object", x)
		}
		for _, f := range c.fields {
			e, ok := m[f.key]
			if !ok || e == nil {
				continue
			}
			p := f.key
			if path != "" {
				p = path + "." + f.key
			}
			if err := f.c.decode(e, dst.Field(f.index), p); err != nil {
				return err
			}
		}
		return nil
	}
	return c
}

func listCodec(t reflect.Type) *codec {
	elem := codecOf(t.Elem())
	isArray := t.Kind() == reflect.Array
	return &codec{
		encode: func(v reflect.Value) any {
			out := make([]any, v.Len())
			for i := range out {
				out[i] = elem.encode(v.Index(i))
			}
			return out
		},
		decode: func(x any, dst reflect.Value, path string) *FieldError {
			a, ok := x.([]any)
			want := "an array"
			if isArray {
				want = fmt.Sprintf("an array of %d", t.Len())
			}
			if !ok || (isArray && len(a) != t.Len()) {
				return wrong(path, want, x)
			}
			if !isArray {
				dst.Set(reflect.MakeSlice(t, len(a), len(a)))
			}
			for i, e := range a {
				if e == nil {
					continue
				}
				if err := elem.decode(e, dst.Index(i), path+"["+strconv.Itoa(i)+"]"); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// jsonCodec encodes a type of another package (engine.Spec) as its JSON
// object: a small value, sent with arch and weights events.
func jsonCodec(t reflect.Type) *codec {
	return &codec{
		encode: func(v reflect.Value) any {
			b, err := json.Marshal(v.Interface())
			if err != nil {
				panic("wire: " + err.Error())
			}
			var out any
			if err := json.Unmarshal(b, &out); err != nil {
				panic("wire: " + err.Error())
			}
			return out
		},
		decode: func(x any, dst reflect.Value, path string) *FieldError {
			want := "an object (a JSON " + t.String() + ")"
			b, err := json.Marshal(x)
			if err != nil {
				return &FieldError{Field: path, Want: want, Got: describe(x), Err: err}
			}
			p := reflect.New(t)
			if err := json.Unmarshal(b, p.Interface()); err != nil {
				return &FieldError{Field: path, Want: want, Got: describe(x), Err: err}
			}
			dst.Set(p.Elem())
			return nil
		},
	}
}

func encodeRaw(v reflect.Value) any {
	raw := v.Bytes()
	if len(raw) == 0 {
		return nil
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		panic("wire: a json.RawMessage that is not JSON: " + err.Error())
	}
	return out
}

// decodeRaw keeps a JSON field (a configuration) as its JSON text, for the
// receiver to check with its own messages.
func decodeRaw(x any, dst reflect.Value, path string) *FieldError {
	b, err := json.Marshal(x)
	if err != nil {
		return &FieldError{Field: path, Want: "a JSON value", Got: describe(x), Err: err}
	}
	dst.SetBytes(b)
	return nil
}

// decodeFloat32s takes a Float32Array's []float32, or an array of numbers
// (a record saved by an older page).
func decodeFloat32s(x any, dst reflect.Value, path string) *FieldError {
	switch a := x.(type) {
	case []float32:
		dst.Set(reflect.ValueOf(a))
		return nil
	case []any:
		out := make([]float32, len(a))
		for i, e := range a {
			f, ok := number(e)
			if !ok {
				return wrong(path+"["+strconv.Itoa(i)+"]", "a number", e)
			}
			out[i] = float32(f)
		}
		dst.Set(reflect.ValueOf(out))
		return nil
	}
	return wrong(path, "a Float32Array", x)
}

// decodeBytes takes a Uint8Array's []uint8, or an array of numbers in 0..255.
func decodeBytes(x any, dst reflect.Value, path string) *FieldError {
	switch a := x.(type) {
	case []uint8:
		dst.Set(reflect.ValueOf(a))
		return nil
	case []any:
		out := make([]uint8, len(a))
		for i, e := range a {
			f, ok := number(e)
			if !ok || f != math.Trunc(f) || f < 0 || f > 255 {
				return wrong(path+"["+strconv.Itoa(i)+"]", "a whole number in 0..255", e)
			}
			out[i] = uint8(f)
		}
		dst.Set(reflect.ValueOf(out))
		return nil
	}
	return wrong(path, "a Uint8Array", x)
}

func number(x any) (float64, bool) {
	switch n := x.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	}
	return 0, false
}

func wrong(path, want string, got any) *FieldError {
	return &FieldError{Field: path, Want: want, Got: describe(got)}
}

// describe names the kind of a decoded value, for a FieldError.
func describe(x any) string {
	switch v := x.(type) {
	case bool:
		return "a boolean"
	case float64, int:
		return fmt.Sprintf("the number %v", v)
	case string:
		return "a string"
	case []any:
		return fmt.Sprintf("an array of %d", len(v))
	case map[string]any:
		return "an object"
	case []float32:
		return "a Float32Array"
	case []uint8:
		return "a Uint8Array"
	}
	return fmt.Sprintf("a %T", x)
}
