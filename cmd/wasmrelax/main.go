package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: wasmrelax FILE.wasm")
		os.Exit(2)
	}
	n, err := repairFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmrelax:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "wasmrelax: %s: %d relaxed instructions repaired\n", os.Args[1], n)
}

// repairFile repairs the module in file name in place and returns how many
// instructions it repaired.
func repairFile(name string) (int, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, err
	}
	n, err := repair(b)
	if err != nil {
		return 0, &os.PathError{Op: "repair", Path: name, Err: err}
	}
	if n == 0 {
		return 0, nil
	}
	st, err := os.Stat(name)
	if err != nil {
		return 0, err
	}
	return n, os.WriteFile(name, b, st.Mode().Perm())
}

// ErrNotWasm is wrapped by repair's error for bytes that are not a wasm
// module (bad magic, version or section lengths).
var ErrNotWasm = errors.New("not a WebAssembly module")

// Relaxed SIMD opcodes as Go 1.27 writes them: FD, the low byte with its
// continuation bit, a stray 01, then 02 (see the package comment).
const (
	simdPrefix   = 0xFD
	codeSection  = 10
	relaxedFirst = 0x80 // 0x100 - 0x80 is the first relaxed opcode's low byte
	relaxedLast  = 0x93 // i32x4.relaxed_dot_i8x16_i7x16_add_s, 0x113
)

// repair rewrites, in b's code section, every FD XX 01 02 with XX a relaxed
// opcode's low byte to FD XX 02 01 and returns how many it rewrote. Only
// the instructions as the kernels use them are rewritten: after a
// local.get of a local below 128 and before a local.set, which keeps the
// bytes of a constant that happen to look like one out.
func repair(b []byte) (int, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" || b[4] != 1 || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return 0, fmt.Errorf("%w: bad header", ErrNotWasm)
	}
	n := 0
	for p := 8; p < len(b); {
		id := b[p]
		size, w := uleb(b[p+1:])
		if w == 0 || size > uint64(len(b)-(p+1+w)) {
			return 0, fmt.Errorf("%w: section at byte %d runs past the end", ErrNotWasm, p)
		}
		start, end := p+1+w, p+1+w+int(size)
		if id == codeSection {
			n += repairCode(b[start:end])
		}
		p = end
	}
	return n, nil
}

func repairCode(c []byte) int {
	n := 0
	const localGet, localSet = 0x20, 0x21
	for i := 2; i+4 < len(c); i++ {
		if c[i] == simdPrefix && c[i+1] >= relaxedFirst && c[i+1] <= relaxedLast && c[i+2] == 0x01 && c[i+3] == 0x02 &&
			c[i-2] == localGet && c[i-1] < 0x80 && c[i+4] == localSet {
			c[i+2], c[i+3] = 0x02, 0x01
			n++
			i += 3
		}
	}
	return n
}

// uleb decodes an unsigned LEB128 at the start of b and returns it and its
// length in bytes (0 when b ends inside it or it exceeds 32 bits).
func uleb(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 5; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}
