package engine

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// Binary model format, all integers little-endian:
//
//	magic    [4]byte "MNPM"
//	version  uint16  1
//	flags    uint16  0 (reserved)
//	specLen  uint32  length of the JSON spec, at most maxSpecLen
//	spec     [specLen]byte  the Spec as JSON
//	count    uint32  number of weights, must match the spec
//	weights  [count]float32  in Params() order, all finite
//	crc      uint32  CRC-32 (IEEE) of every byte before it
const (
	modelMagic   = "MNPM"
	modelVersion = 1
	maxSpecLen   = 1 << 16
	headerLen    = 4 + 2 + 2 + 4
)

// MarshalBinary encodes the model's spec and weights.
func (m *Model) MarshalBinary() ([]byte, error) {
	spec, err := json.Marshal(m.Spec)
	if err != nil {
		return nil, fmt.Errorf("engine: MarshalBinary: %w", err)
	}
	if len(spec) > maxSpecLen {
		return nil, fmt.Errorf("engine: MarshalBinary: spec of %d bytes, at most %d", len(spec), maxSpecLen)
	}
	n := m.NumWeights()
	b := make([]byte, 0, headerLen+len(spec)+4+4*n+4)
	b = append(b, modelMagic...)
	b = binary.LittleEndian.AppendUint16(b, modelVersion)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(spec)))
	b = append(b, spec...)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	for _, p := range m.params {
		for _, v := range p.W {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return b, nil
}

// UnmarshalModel decodes bytes made by MarshalBinary into a new model. Any
// malformed input (wrong magic or version, truncation, a bad checksum, an
// invalid spec, a weight count that does not match it, non-finite weights)
// gives an error, never a panic.
func UnmarshalModel(b []byte) (*Model, error) {
	if len(b) < headerLen+4+4 {
		return nil, fmt.Errorf("engine: model data of %d bytes is too short", len(b))
	}
	if string(b[:4]) != modelMagic {
		return nil, errors.New("engine: not a model (bad magic)")
	}
	if v := binary.LittleEndian.Uint16(b[4:]); v != modelVersion {
		return nil, fmt.Errorf("engine: model format version %d, want %d", v, modelVersion)
	}
	if f := binary.LittleEndian.Uint16(b[6:]); f != 0 {
		return nil, fmt.Errorf("engine: model flags %#x, want 0", f)
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if got := crc32.ChecksumIEEE(body); got != sum {
		return nil, fmt.Errorf("engine: model checksum %08x, want %08x (corrupt or truncated)", got, sum)
	}
	specLen := uint64(binary.LittleEndian.Uint32(b[8:]))
	rest := body[headerLen:]
	if specLen > maxSpecLen || specLen+4 > uint64(len(rest)) {
		return nil, fmt.Errorf("engine: model spec length %d does not fit %d bytes", specLen, len(rest))
	}
	var spec Spec
	dec := json.NewDecoder(bytes.NewReader(rest[:specLen]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("engine: model spec: %w", err)
	}
	if dec.More() {
		return nil, errors.New("engine: model spec: trailing data")
	}
	plan, err := spec.plan()
	if err != nil {
		return nil, err
	}
	want := 0
	for _, p := range plan {
		want += p.params
	}
	rest = rest[specLen:]
	count := uint64(binary.LittleEndian.Uint32(rest))
	rest = rest[4:]
	if count != uint64(want) {
		return nil, fmt.Errorf("engine: model has %d weights, its spec needs %d", count, want)
	}
	if uint64(len(rest)) != 4*count {
		return nil, fmt.Errorf("engine: model has %d bytes of weights, want %d", len(rest), 4*count)
	}
	m := buildPlan(spec, plan)
	off := 0
	for _, p := range m.params {
		for i := range p.W {
			v := math.Float32frombits(binary.LittleEndian.Uint32(rest[4*off:]))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("engine: model weight %d (%s) is %v", off, p.Name, v)
			}
			p.W[i] = v
			off++
		}
	}
	return m, nil
}
