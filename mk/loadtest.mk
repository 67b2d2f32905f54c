# loadtest: 200 concurrent downloads of each wasm (zstd then gzip, cold then
# warm) from bin/mnistplay; prints wall time, the server's CPU time and its
# memory (Linux). A measurement, so not part of `make test`; every body is
# checked against the file all the same.
.PHONY: loadtest
loadtest: bin/mnistplay
	MNISTPLAY_LOADTEST=$(CURDIR)/bin/mnistplay $(GO) test -run '^TestLoad$$' -count=1 -v .
