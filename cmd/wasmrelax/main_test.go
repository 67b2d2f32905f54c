package main

import (
	"bytes"
	"errors"
	"testing"
)

// module returns a wasm module with the given code and data section bodies
// (their contents need not be valid: repair only looks at the bytes).
func module(code, data []byte) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	b = append(b, codeSection, byte(len(code)))
	b = append(b, code...)
	b = append(b, 11, byte(len(data)))
	return append(b, data...)
}

func TestRepair(t *testing.T) {
	// local.get 3, local.get 8, local.get 0, f32x4.relaxed_madd as Go writes
	// it, local.set 0; then a plain f32x4.mul with its nop, and the madd
	// pattern without the local.get/local.set around it.
	code := []byte{0x20, 3, 0x20, 8, 0x20, 0, 0xFD, 0x85, 0x01, 0x02, 0x21, 0,
		0xFD, 0xE6, 0x01, 0x01,
		0x42, 0xFD, 0x85, 0x01, 0x02, 0x0B}
	want := []byte{0x20, 3, 0x20, 8, 0x20, 0, 0xFD, 0x85, 0x02, 0x01, 0x21, 0,
		0xFD, 0xE6, 0x01, 0x01,
		0x42, 0xFD, 0x85, 0x01, 0x02, 0x0B}
	data := []byte{0x20, 0, 0xFD, 0x85, 0x01, 0x02, 0x21, 0}
	b := module(code, data)
	n, err := repair(b)
	if err != nil || n != 1 {
		t.Fatalf("repair: %d, %v; want 1, nil", n, err)
	}
	if !bytes.Equal(b, module(want, data)) {
		t.Errorf("repaired module\n%x\nwant\n%x", b, module(want, data))
	}
	// A second pass finds nothing: the repaired bytes no longer match.
	if n, err := repair(b); err != nil || n != 0 {
		t.Errorf("second repair: %d, %v; want 0, nil", n, err)
	}
}

func TestRepairNotWasm(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":      nil,
		"magic":      []byte("\x00ELF\x01\x00\x00\x00"),
		"version":    []byte("\x00asm\x02\x00\x00\x00"),
		"truncated":  []byte("\x00asm\x01\x00\x00\x00\x0a\x10\x00"),
		"bad length": []byte("\x00asm\x01\x00\x00\x00\x0a\xff\xff\xff\xff\xff\xff"),
	} {
		if _, err := repair(b); !errors.Is(err, ErrNotWasm) {
			t.Errorf("%s: %v, want ErrNotWasm", name, err)
		}
	}
}
