# fuzz-config: fuzz the decoder of the page's settings (links, the form) for
# a minute; crashers land in playground/testdata/fuzz and become regression
# cases. The short minimize time keeps the fuzzer making progress.
.PHONY: fuzz-config
fuzz-config:
	export GOTOOLCHAIN=go1.27.4 && go test -run x -fuzz FuzzParseConfig -fuzztime 60s -fuzzminimizetime 200x ./playground
