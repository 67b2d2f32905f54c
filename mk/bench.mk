# Side-by-side benchmark (bench/): this engine native, native+simd, wasm in
# Node with and without SIMD, wasm SIMD and wasm relaxed SIMD in headless
# Chromium, against
# ConvNetJS and TensorFlow.js (cpu and wasm backends) in Node, and PyTorch
# CPU natively.
#
#   make bench-quick   one short run of every system (under a minute), one line
#                      per system and measure:
#                      bench system=NAME net=cnn|mlp mode=train|infer examples_per_s=N
#                      and, for this engine's builds, each kernel's rate next
#                      to the build's register-only multiply-add peak:
#                      bench system=NAME kernel=K gflops=N peak_gflops=P of_peak=F
#   make bench         BENCH_REPS interleaved repetitions, medians and ratios
#                      to go-wasm-simd-node; writes bench/results.md, prints it
#
# npm packages come from bench/package-lock.json (npm ci); nothing downloads
# while the benchmark runs.

export GOTOOLCHAIN := go1.27.4
GO    ?= go
NODE  ?= node
NPM   ?= npm
export CHROMIUM ?= /usr/bin/chromium

BENCH_REPS    ?= 5
BENCH_SECONDS ?= 1
# V8 compiles wasm with a baseline compiler first and optimises hot code in
# the background: tfjs-wasm's MLP ran 1,226 ex/s after 0.5 s of warm-up and
# 6,963 after 3 s on this machine. Two seconds lets every system tier up;
# bench-quick's 0.2 s does not, so its numbers are for parsing, not ranking.
BENCH_WARMUP  ?= 2
# A first step slower than this many seconds is itself the measurement
# (only tfjs-cpu's CNN training step is that slow).
BENCH_LONGSTEP ?= 5
# Only some systems, e.g. BENCH_SYSTEMS=go-native-simd,tfjs-wasm
BENCH_SYSTEMS ?=
# true: this engine's systems report their fastest timed step instead of
# the mean (on a machine shared with other work); the other systems are
# left out.
BENCH_FASTEST ?= false
# The system every ratio is to, e.g. torch-cpu with
# BENCH_SYSTEMS=go-native,go-native-simd,torch-cpu
BENCH_REF     ?= go-wasm-simd-node
# The core the native systems (go-native, go-native-simd, torch-cpu) are
# pinned to with taskset; empty: not pinned.
BENCH_PIN_CPU ?= 1
# torch-cpu: Debian's PyTorch, with OpenBLAS (Debian's default reference
# BLAS is several times slower).
BENCH_TORCH_PKGS := python3-torch libopenblas0-pthread
# OpenBLAS kernels for torch-cpu, e.g. SkylakeX or Haswell; empty: OpenBLAS
# detects the CPU (an unknown CPU model gets its generic Prescott kernels;
# OPENBLAS_VERBOSE=2 prints the choice).
BENCH_TORCH_CORETYPE ?=
BENCH_OUT     ?= $(BENCH_DIR)/results.md

BENCH_DIR   := bench
BENCH_BUILD := $(BENCH_DIR)/build
BENCH_GOROOT = $(shell $(GO) env GOROOT)

.PHONY: bench bench-quick bench-build bench-deps bench-chromium bench-torch

# The Go builds are always asked for; go's build cache makes that cheap.
bench-build:
	@mkdir -p $(BENCH_BUILD)
	$(GO) build -trimpath -o $(BENCH_BUILD)/gobench ./bench/gobench
	GOEXPERIMENT=simd $(GO) build -trimpath -o $(BENCH_BUILD)/gobench-simd ./bench/gobench
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o $(BENCH_BUILD)/gobench.wasm ./bench/gobench
	GOOS=js GOARCH=wasm GOEXPERIMENT=simd $(GO) build -trimpath -o $(BENCH_BUILD)/gobench-simd.wasm ./bench/gobench
	GOOS=js GOARCH=wasm GOEXPERIMENT=simd $(GO) build -trimpath -tags relaxedsimd -o $(BENCH_BUILD)/gobench-relaxed.wasm ./bench/gobench
	$(GO) run ./cmd/wasmrelax $(BENCH_BUILD)/gobench-relaxed.wasm

bench-deps: $(BENCH_DIR)/node_modules/.package-lock.json

$(BENCH_DIR)/node_modules/.package-lock.json: $(BENCH_DIR)/package.json $(BENCH_DIR)/package-lock.json
	$(NPM) ci --prefix $(BENCH_DIR) --no-audit --no-fund
	@touch $@

bench-chromium:
	@test -x "$(CHROMIUM)" || sh scripts/install-chromium.sh

# Installs PyTorch when missing and running as root (waiting for another
# apt's lock); otherwise torch-cpu prints examples_per_s=unsupported.
bench-torch:
	@if dpkg -s $(BENCH_TORCH_PKGS) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $(BENCH_TORCH_PKGS); \
	else echo "bench: $(BENCH_TORCH_PKGS) not installed and not root: torch-cpu is skipped (unsupported)" >&2; fi

BENCH_RUN = $(NODE) $(BENCH_DIR)/js/run.js \
	-gobin $(BENCH_BUILD)/gobench -gobinsimd $(BENCH_BUILD)/gobench-simd \
	-wasm $(BENCH_BUILD)/gobench.wasm -wasmsimd $(BENCH_BUILD)/gobench-simd.wasm \
	-wasmrelaxed $(BENCH_BUILD)/gobench-relaxed.wasm \
	-wasmexecjs "$(BENCH_GOROOT)/lib/wasm/wasm_exec.js" \
	-gojswasmexec "$(BENCH_GOROOT)/lib/wasm/go_js_wasm_exec" \
	-systems "$(BENCH_SYSTEMS)" -fastest "$(BENCH_FASTEST)" -pincpu "$(BENCH_PIN_CPU)" \
	-torchcoretype "$(BENCH_TORCH_CORETYPE)" -ref "$(BENCH_REF)"

bench-quick: bench-build bench-deps bench-chromium bench-torch
	@$(BENCH_RUN) -quick true -seconds 0.3 -warmup 0.2 -longstep 1.5

bench: bench-build bench-deps bench-chromium bench-torch
	@$(BENCH_RUN) -reps $(BENCH_REPS) -seconds $(BENCH_SECONDS) -warmup $(BENCH_WARMUP) -longstep $(BENCH_LONGSTEP) -out $(BENCH_OUT)
