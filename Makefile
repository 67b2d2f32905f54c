# The MNIST playground.
#
#   make serve   build the wasm binaries and serve the page on $(ADDR)
#   make test    everything the project checks (vet, unit tests native and
#                wasm, browser tests)
#   make build   one binary, bin/mnistplay, with the page and data embedded
#
# go.mod names the toolchain; this makes `go` fetch it even where the
# machine's go.env says GOTOOLCHAIN=local.
export GOTOOLCHAIN := go1.27.4

GO      ?= go
NODE    ?= node
NPM     ?= npm
ADDR    ?= 127.0.0.1:8080
# The browser the e2e tests drive (scripts/install-chromium.sh installs it).
export CHROMIUM ?= /usr/bin/chromium
# Extra flags for the Go test runs, e.g. GOTESTFLAGS=-count=1.
GOTESTFLAGS ?=

WASM_ENV   := GOOS=js GOARCH=wasm GOEXPERIMENT=simd
WASM_FLAGS := -trimpath -ldflags='-s -w'

# The toolchain's GOROOT, asked once and only when a recipe needs it.
GOROOT_DIR = $(eval GOROOT_DIR := $$(shell GOTOOLCHAIN=$(GOTOOLCHAIN) $(GO) env GOROOT))$(GOROOT_DIR)

# Go sources the wasm binaries can depend on: every non-test .go file except
# the server (root package) and the command-line tools.
WASM_SRC := $(shell find . -name '*.go' ! -name '*_test.go' ! -path './.git/*' \
	! -path './e2e/*' ! -path './cmd/*' ! -path './bin/*' -path './*/*' 2>/dev/null) go.mod go.sum
WASM_OUT := web/trainer.wasm web/trainer-relaxed.wasm web/ui.wasm web/ui-ebiten.wasm web/wasm_exec.js

# Fragments from mk/ (mk/pack.mk, mk/bench.mk, ...). A fragment that makes
# files the server must embed (the MNIST pack) adds them to PACK_FILES with a
# rule that builds them.
PACK_FILES ?=
-include $(wildcard mk/*.mk)

SITE_FILES = $(shell find web assets -type f ! -name '.*' ! -path 'web/.zst/*' 2>/dev/null)

.DEFAULT_GOAL := help
.PHONY: help serve build wasm test test-go vet test-native test-simd test-wasm e2e e2e-deps chromium measure clean

help:
	@echo "make serve   build the wasm and serve the playground on http://$(ADDR)/"
	@echo "make test    vet, unit tests (native, native+simd, wasm under Node), browser tests"
	@echo "make build   bin/mnistplay: one binary with everything embedded"
	@echo "make e2e     only the browser tests"
	@echo "make measure page speed in headless Chromium at 1280x800, both presenters at devicePixelRatio 1 and 2 (bytes, first step, fps, examples/s)"

# ---- wasm ---------------------------------------------------------------

wasm: $(WASM_OUT)

web/trainer.wasm: $(WASM_SRC)
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ ./wasm/trainer

# The trainer with relaxed SIMD kernels (f32x4.relaxed_madd), which
# web/worker.js loads instead of trainer.wasm where the browser validates
# relaxed SIMD. Go's assembler misencodes the relaxed opcodes: wasmrelax
# repairs them after linking (cmd/wasmrelax).
web/trainer-relaxed.wasm: $(WASM_SRC) bin/wasmrelax
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -tags relaxedsimd -o bin/trainer-relaxed.wasm.tmp ./wasm/trainer
	bin/wasmrelax bin/trainer-relaxed.wasm.tmp && mv bin/trainer-relaxed.wasm.tmp $@

bin/wasmrelax: $(wildcard cmd/wasmrelax/*.go) go.mod
	@mkdir -p bin
	$(GO) build -o $@ ./cmd/wasmrelax

web/ui.wasm: $(WASM_SRC)
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ ./wasm/ui

# The same canvas drawn on the GPU with ebiten (WebGL): the default where
# WebGL is hardware-accelerated (web/ui.js chooses); ?ui=canvas|ebiten
# overrides.
web/ui-ebiten.wasm: $(WASM_SRC)
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -tags uiebiten -o $@ ./wasm/ui

# wasm_exec.js must come from the same Go as the compiler.
web/wasm_exec.js: go.mod Makefile
	cp "$(GOROOT_DIR)/lib/wasm/wasm_exec.js" $@

# ---- server -------------------------------------------------------------

# The zstd bodies of the wasm and scripts, made once here and embedded, so
# a fresh server does not compress them on the first request
# (precompress.go).
PRECOMPRESSED := web/.zst/stamp
$(PRECOMPRESSED): $(WASM_OUT) $(SITE_FILES) precompress.go cache.go
	$(GO) run . -precompress web
	@touch $@

serve: $(WASM_OUT) $(PACK_FILES) $(PRECOMPRESSED)
	$(GO) run . -addr $(ADDR)

build: bin/mnistplay

bin/mnistplay: $(WASM_OUT) $(PACK_FILES) $(PRECOMPRESSED) $(wildcard *.go) go.mod go.sum $(SITE_FILES)
	@mkdir -p bin
	CGO_ENABLED=0 $(GO) build -trimpath -o $@ .

# ---- tests --------------------------------------------------------------

# $(call timed,label,command): run command, print how long it took.
timed = @t0=$$(date +%s); echo "==> $(1)"; $(2); rc=$$?; \
	echo "<== $(1): $$(( $$(date +%s) - t0 ))s$$( [ $$rc = 0 ] || echo ' FAILED')"; exit $$rc

test:
	@t0=$$(date +%s); \
	$(MAKE) --no-print-directory test-go && $(MAKE) --no-print-directory e2e; rc=$$?; \
	echo "make test: $$(( $$(date +%s) - t0 ))s in all$$( [ $$rc = 0 ] || echo ', FAILED')"; exit $$rc

test-go: vet test-native test-simd test-wasm

# The server embeds web/ and assets/; the placeholder page keeps this
# compiling before the wasm is built, the pack (if generated) must exist.
vet: $(PACK_FILES)
	$(call timed,go vet (native and js/wasm),$(GO) vet ./... && $(WASM_ENV) $(GO) vet ./wasm/... ./engine/... ./wire/... && $(WASM_ENV) $(GO) vet -tags relaxedsimd ./engine/kernels)

test-native: $(PACK_FILES)
	$(call timed,go test native,$(GO) test $(GOTESTFLAGS) ./...)

test-simd: $(PACK_FILES)
	$(call timed,go test native GOEXPERIMENT=simd,GOEXPERIMENT=simd $(GO) test $(GOTESTFLAGS) ./...)

test-wasm:
	$(call timed,go test engine and wire as wasm under Node,$(WASM_ENV) $(GO) test -short $(GOTESTFLAGS) -exec="$(GOROOT_DIR)/lib/wasm/go_js_wasm_exec" ./engine/... ./wire/...)
	$(call timed,go test engine as wasm with relaxed SIMD under Node,$(WASM_ENV) $(GO) test -short -tags relaxedsimd $(GOTESTFLAGS) -exec="$(CURDIR)/scripts/relaxed_wasm_exec.sh" ./engine/...)

E2E_TESTS := $(wildcard e2e/*.test.mjs)

e2e: bin/mnistplay e2e-deps chromium
	$(call timed,browser tests,cd e2e && $(NODE) --test --test-concurrency=1 --test-timeout=600000 $(notdir $(E2E_TESTS)))

e2e-deps: e2e/node_modules/.package-lock.json

e2e/node_modules/.package-lock.json: e2e/package.json e2e/package-lock.json
	cd e2e && $(NPM) ci --no-audit --no-fund
	@touch $@

chromium:
	@sh scripts/install-chromium.sh

measure: bin/mnistplay e2e-deps chromium
	@mkdir -p test-output
	$(NODE) scripts/measure-page.mjs --json test-output/measure-page.json

clean:
	rm -rf bin test-output e2e/node_modules web/*.wasm web/wasm_exec.js web/.zst
