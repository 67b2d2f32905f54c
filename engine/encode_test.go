package engine

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestMarshalRoundTrip(t *testing.T) {
	specs := []Spec{DefaultCNN(), DefaultMLP(), {Arch: ArchMLP},
		{Arch: ArchCNN, Conv1: ConvSpec{3, 3, 1}, Conv2: ConvSpec{3, 3, 1}, Pool: PoolMin, PoolSize: 2, Hidden: []int{30, 20}}}
	for i, s := range specs {
		m, err := Build(s, uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if want := 12 + 4 + 4*m.NumWeights() + 4; len(b) < want {
			t.Errorf("case %d: %d bytes, want at least %d", i, len(b), want)
		}
		m2, err := UnmarshalModel(b)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !slices.Equal(m.Weights(nil), m2.Weights(nil)) {
			t.Errorf("case %d: weights differ", i)
		}
		if len(m2.Info()) != len(m.Info()) || m2.Spec.Arch != s.Arch || !slices.Equal(m2.Spec.Hidden, s.Hidden) || m2.Spec.Conv1 != s.Conv1 {
			t.Errorf("case %d: spec %+v, want %+v", i, m2.Spec, s)
		}
		b2, _ := m2.MarshalBinary()
		if !slices.Equal(b, b2) {
			t.Errorf("case %d: re-encoding differs", i)
		}
	}
}

// reseal recomputes the trailing CRC so a test reaches the checks behind it.
func reseal(b []byte) []byte {
	b = slices.Clone(b)
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
	return b
}

// encodeRaw builds model bytes from parts, with a valid CRC.
func encodeRaw(version uint16, spec string, weights []float32, count int) []byte {
	b := []byte(modelMagic)
	b = binary.LittleEndian.AppendUint16(b, version)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(spec)))
	b = append(b, spec...)
	b = binary.LittleEndian.AppendUint32(b, uint32(count))
	for _, v := range weights {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func TestUnmarshalBadBytes(t *testing.T) {
	m, _ := Build(Spec{Arch: ArchMLP, Hidden: []int{3}}, 1)
	good, _ := m.MarshalBinary()
	if _, err := UnmarshalModel(good); err != nil {
		t.Fatal(err)
	}
	// every truncation
	for n := range len(good) {
		if _, err := UnmarshalModel(good[:n]); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
	// every flipped byte
	for i := range good {
		b := slices.Clone(good)
		b[i] ^= 0x5a
		if _, err := UnmarshalModel(b); err == nil {
			t.Errorf("byte %d flipped: no error", i)
		}
	}
	// an extra byte
	if _, err := UnmarshalModel(reseal(append(slices.Clone(good), 0))); err == nil {
		t.Error("trailing byte: no error")
	}
	w := m.Weights(nil)
	mlp3 := `{"arch":"mlp","hidden":[3]}`
	nan := slices.Clone(w)
	nan[5] = float32(math.NaN())
	inf := slices.Clone(w)
	inf[len(inf)-1] = float32(math.Inf(-1))
	for i, tc := range []struct {
		b    []byte
		want string
	}{
		{func() []byte { b := slices.Clone(good); copy(b, "MNPX"); return reseal(b) }(), "bad magic"},
		{encodeRaw(2, mlp3, w, len(w)), "version 2"},
		{func() []byte { b := slices.Clone(good); b[6] = 1; return reseal(b) }(), "flags"},
		{func() []byte { b := slices.Clone(good); b[len(b)-1] ^= 1; return b }(), "checksum"},
		{func() []byte { b := slices.Clone(good); binary.LittleEndian.PutUint32(b[8:], 1<<31); return reseal(b) }(), "spec length"},
		{func() []byte {
			b := slices.Clone(good)
			binary.LittleEndian.PutUint32(b[8:], 0xffffffff)
			return reseal(b)
		}(), "spec length"},
		{encodeRaw(1, mlp3, w, 1<<30), "weights, its spec needs"},
		{encodeRaw(1, mlp3, w, 0xffffffff), "weights, its spec needs"},
		{encodeRaw(1, mlp3, w[:len(w)-1], len(w)), "bytes of weights"},
		{encodeRaw(1, `{"arch":"mlp","hidden":[4]}`, w, len(w)), "its spec needs"},
		{encodeRaw(1, `{"arch":"mlp","hidden":[4096,4096,4096,4096]}`, w, len(w)), "more than"},
		{encodeRaw(1, `{"arch":"mlp","hidden":[2000000000]}`, w, len(w)), "width"},
		{encodeRaw(1, `{"arch":"cnn","conv1":{"kernel":14,"stride":1,"pad":0},"conv2":{"kernel":14,"stride":1,"pad":0}}`, w, len(w)), "kernel 14 > input"},
		{encodeRaw(1, `{"arch":"mlp","hidden":[3],"colour":"red"}`, w, len(w)), "unknown field"},
		{encodeRaw(1, `{"arch":"mlp","hidden":[3]} {}`, w, len(w)), "trailing"},
		{encodeRaw(1, `{"arch":"mlp","hidden":[3]`, w, len(w)), "spec"},
		{encodeRaw(1, ``, w, len(w)), "spec"},
		{encodeRaw(1, `[1,2]`, w, len(w)), "spec"},
		{encodeRaw(1, mlp3, nan, len(w)), "NaN"},
		{encodeRaw(1, mlp3, inf, len(w)), "-Inf"},
		{nil, "too short"},
		{[]byte("MNPM"), "too short"},
	} {
		_, err := UnmarshalModel(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("case %d: error %v, want one containing %q", i, err, tc.want)
		}
	}
}

func FuzzUnmarshalModel(f *testing.F) {
	m, _ := Build(Spec{Arch: ArchMLP, Hidden: []int{2}}, 1)
	good, _ := m.MarshalBinary()
	f.Add(good)
	f.Add(good[:20])
	f.Add([]byte("MNPM"))
	f.Add(encodeRaw(1, `{"arch":"cnn","hidden":[1],"conv1":{"kernel":9,"stride":9,"pad":0},"conv2":{"kernel":1,"stride":1,"pad":0},"poolSize":1}`, nil, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		UnmarshalModel(b)
		if len(b) < 4 {
			return
		}
		// with a fixed-up checksum the fuzzer reaches the checks behind it
		m, err := UnmarshalModel(reseal(b))
		if err != nil {
			return
		}
		// anything accepted must be a usable model that encodes back the same
		m.Forward(make([]float32, 784), 1, false)
		b2, err := m.MarshalBinary()
		if err != nil || len(b2) == 0 {
			t.Fatalf("re-encode: %v", err)
		}
		if _, err := UnmarshalModel(b2); err != nil {
			t.Fatalf("decode of re-encoding: %v", err)
		}
	})
}
