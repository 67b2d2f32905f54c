#!/bin/sh
# go test -exec for the relaxed SIMD wasm build (tag relaxedsimd): repairs
# the relaxed instructions Go's assembler misencodes (cmd/wasmrelax), then
# runs the test binary like GOROOT/lib/wasm/go_js_wasm_exec, with relaxed
# SIMD enabled in Node (experimental in Node 20).
#
#   GOOS=js GOARCH=wasm GOEXPERIMENT=simd go test -tags relaxedsimd \
#     -exec="$PWD/scripts/relaxed_wasm_exec.sh" ./engine/...
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
wasmrelax="$root/bin/wasmrelax"
if [ ! -x "$wasmrelax" ] || [ -n "$(find "$root/cmd/wasmrelax" -newer "$wasmrelax" -name '*.go')" ]; then
	mkdir -p "$root/bin"
	(cd "$root" && GOOS= GOARCH= GOEXPERIMENT= go build -o "$wasmrelax" ./cmd/wasmrelax)
fi
"$wasmrelax" "$1" 2>/dev/null
goroot=$(GOOS= GOARCH= go env GOROOT)
flag=
if node --v8-options | grep -q -- '--experimental-wasm-relaxed-simd'; then
	flag=--experimental-wasm-relaxed-simd
fi
exec node --stack-size=8192 $flag "$goroot/lib/wasm/wasm_exec_node.js" "$@"
