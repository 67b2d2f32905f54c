package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// precompressedDir holds, inside web/, the zstd bodies `make build` makes
// before embedding: a fresh server then sends its wasm at once instead of
// compressing it at the best level on the first request. A body is named
// after the hash of the file it was made from, so a stale one is never
// used; the dot keeps the folder from being served.
const precompressedDir = ".zst"

// precompressedName is the name in precompressedDir of the zstd body of
// the file name whose hex SHA-256 is sum.
func precompressedName(name, sum string) string {
	return path.Join(precompressedDir, name+"."+sum[:16]+".zst")
}

// precompress writes dir/.zst/ with the zstd body of every file of dir the
// server would compress, and removes bodies of files that changed.
func precompress(dir string) error {
	keep := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if len(data) < minCompressSize || !isCompressible(contentType(p)) {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		out := filepath.Join(dir, filepath.FromSlash(precompressedName(filepath.ToSlash(rel), hex.EncodeToString(sum[:]))))
		keep[out] = true
		if _, err := os.Stat(out); err == nil {
			return nil // made from the same bytes before
		}
		z, err := compressZstd(data)
		if err != nil {
			return fmt.Errorf("precompress %s: %w", p, err)
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, z, 0o644)
	})
	if err != nil {
		return err
	}
	return filepath.WalkDir(filepath.Join(dir, precompressedDir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || keep[p] {
			return nil
		}
		return os.Remove(p)
	})
}
