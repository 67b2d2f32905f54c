package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesUpToDate fails when web/protocol.js or the message
// reference of docs/protocol.md is not what the wire package generates:
// run `go generate ./wire`.
func TestGeneratedFilesUpToDate(t *testing.T) {
	root := filepath.Join("..", "..")
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Errorf("%v; run go generate ./wire", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./wire", name)
		}
	}
}

func TestSpliceDoc(t *testing.T) {
	doc := []byte("intro\n" + beginMark + "\nold\n" + endMark + "\noutro\n")
	got, err := spliceDoc(doc, []byte("new\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "intro\n" + beginMark + "\nnew\n" + endMark + "\noutro\n"; string(got) != want {
		t.Errorf("spliced\n%s\nwant\n%s", got, want)
	}
	if _, err := spliceDoc([]byte(endMark+beginMark), nil); err == nil {
		t.Errorf("markers out of order accepted")
	}
}
