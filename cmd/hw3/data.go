package main

import (
	"fmt"
	"os"
	"path/filepath"

	"mnistplay/engine"
	"mnistplay/engine/mnist"
)

// IDX file names, as distributed by LeCun's site (gzipped or not).
var idxNames = [4]string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}

// loadMNIST reads the training and test sets from dir: the project's data
// pack (mnist-*.pack, as in assets/) or the four IDX files (optionally .gz).
func loadMNIST(dir string) (train, test engine.Dataset, err error) {
	if _, err := os.Stat(filepath.Join(dir, mnist.PackFiles()[0])); err == nil {
		tr, te, err := mnist.LoadPack(dir)
		if err != nil {
			return train, test, err
		}
		return engine.Dataset(tr), engine.Dataset(te), nil
	}
	find := func(name string) string {
		for _, n := range []string{name, name + ".gz"} {
			if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
				return filepath.Join(dir, n)
			}
		}
		return ""
	}
	var p [4]string
	for i, n := range idxNames {
		if p[i] = find(n); p[i] == "" {
			return train, test, fmt.Errorf("no MNIST in %s: want the data pack (%s...) or the IDX files (%s[.gz], ...)", dir, mnist.PackFiles()[0], n)
		}
	}
	tr, err := mnist.LoadIDX(p[0], p[1])
	if err != nil {
		return train, test, err
	}
	te, err := mnist.LoadIDX(p[2], p[3])
	if err != nil {
		return train, test, err
	}
	return engine.Dataset(tr), engine.Dataset(te), nil
}
