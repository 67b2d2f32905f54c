package main

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// errNotRegular is the error for a name that is not a regular file (a
// FIFO, a device, a directory): those are never served.
var errNotRegular = errors.New("not a regular file")

// encoding is a content coding the server can send.
type encoding int

const (
	encIdentity encoding = iota
	encZstd
	encGzip
)

// encodings holds each coding's name (in Accept-Encoding, Content-Encoding
// and the ETag suffix) and how to make it.
var encodings = [...]struct {
	name     string
	compress func([]byte) ([]byte, error)
}{
	encIdentity: {"identity", nil},
	encZstd:     {"zstd", compressZstd},
	encGzip:     {"gzip", compressGzip},
}

// zstdMaxWindow is the largest window a browser must accept for the zstd
// content coding (RFC 9659); Chromium refuses frames that need more.
const zstdMaxWindow = 8 << 20

// compressing admits one compression at a time: they happen once per file,
// and one at a time needs one zstd encoder and leaves a core to serving.
var compressing = make(chan struct{}, 1)

// zstdEncoder is made on first use and kept: at the best level it holds
// tens of megabytes of tables, which a new encoder per file would allocate
// again each time.
var zstdEncoder = sync.OnceValues(func() (*zstd.Encoder, error) {
	return zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedBestCompression),
		zstd.WithWindowSize(zstdMaxWindow),
		zstd.WithEncoderConcurrency(1))
})

// compressZstd makes a zstd frame of b at the best level.
func compressZstd(b []byte) ([]byte, error) {
	compressing <- struct{}{}
	defer func() { <-compressing }()
	enc, err := zstdEncoder()
	if err != nil {
		return nil, err
	}
	return enc.EncodeAll(b, make([]byte, 0, len(b)/3)), nil
}

// compressGzip makes a gzip body of b at the default level: browsers
// that ask for zstd never get it, and its best level costs many times
// the CPU for a few percent (see README).
func compressGzip(b []byte) ([]byte, error) {
	compressing <- struct{}{}
	defer func() { <-compressing }()
	var buf bytes.Buffer
	buf.Grow(len(b) / 3)
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// compressibleTypes lists the media types worth compressing. The data
// packs (application/octet-stream) are zstd already and are sent as they
// are.
var compressibleTypes = []string{
	"text/html", "text/javascript", "text/css", "application/wasm",
	"application/json", "text/plain", "image/svg+xml",
}

// minCompressSize is the size under which a body is sent as it is: the
// coding's framing would eat most of the gain.
const minCompressSize = 1024

// negotiate picks the coding for an Accept-Encoding header (RFC 9110
// 12.5.3): the one with the highest q-value above 0, zstd on a tie since
// it is the smaller, identity when neither is accepted.
func negotiate(header string) encoding {
	q := [len(encodings)]float64{}
	named := [len(encodings)]bool{}
	star := 0.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		v := 1.0
		for _, p := range strings.Split(params, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					v = f
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "zstd":
			q[encZstd], named[encZstd] = v, true
		case "gzip", "x-gzip":
			q[encGzip], named[encGzip] = v, true
		case "*":
			star = v
		}
	}
	best, bestQ := encIdentity, 0.0
	for _, enc := range []encoding{encZstd, encGzip} {
		v := q[enc]
		if !named[enc] {
			v = star
		}
		if v > bestQ {
			best, bestQ = enc, v
		}
	}
	return best
}

// file is one served file, read whole into memory, with its hash and its
// compressed bodies.
type file struct {
	// As stat'ed before reading: a file under -dir whose size or
	// modification time changes is read again.
	size    int64
	modTime time.Time

	load sync.Once // reads the fields below
	err  error

	data         []byte
	sum          string // hex SHA-256 of data
	etag         string // quoted strong tag of the identity body
	ctype        string
	compressible bool

	codes [len(encodings)]coded
}

// coded is a compressed body, made once on first need.
type coded struct {
	once sync.Once
	data []byte // nil: not smaller enough, send the identity body
	err  error
}

type fileKey struct {
	root string // "web" or "assets"
	name string
}

// fileCache holds every file served, and compresses each once per coding:
// concurrent requests for a body being compressed wait for that one
// compression (sync.Once), none starts its own.
type fileCache struct {
	mu    sync.Mutex
	files map[fileKey]*file

	compressions atomic.Int64 // how many bodies were compressed (for tests)
}

func newFileCache() *fileCache {
	return &fileCache{files: map[fileKey]*file{}}
}

// get returns the file name of fsys (root says which), reading it if it is
// not cached or has changed. Errors that mean "nothing to serve here" are
// those isNotFound accepts.
func (c *fileCache) get(fsys fs.FS, root, name string) (*file, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errNotRegular}
	}
	key := fileKey{root, name}
	c.mu.Lock()
	f := c.files[key]
	if f == nil || f.size != info.Size() || !f.modTime.Equal(info.ModTime()) {
		f = &file{size: info.Size(), modTime: info.ModTime()}
		c.files[key] = f
	}
	c.mu.Unlock()
	f.load.Do(func() { f.err = f.read(fsys, name) })
	if f.err != nil {
		// Try again on the next request rather than keep a failure.
		c.mu.Lock()
		if c.files[key] == f {
			delete(c.files, key)
		}
		c.mu.Unlock()
		return nil, f.err
	}
	return f, nil
}

func (f *file) read(fsys fs.FS, name string) error {
	r, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	st, err := r.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() { // replaced since the Stat in get
		return &fs.PathError{Op: "open", Path: name, Err: errNotRegular}
	}
	var buf bytes.Buffer
	buf.Grow(int(st.Size()) + 1)
	if _, err := buf.ReadFrom(r); err != nil {
		return &fs.PathError{Op: "read", Path: name, Err: err}
	}
	f.data = buf.Bytes()
	sum := sha256.Sum256(f.data)
	f.sum = hex.EncodeToString(sum[:])
	f.etag = `"` + f.sum[:32] + `"`
	f.ctype = contentType(name)
	f.compressible = len(f.data) >= minCompressSize && isCompressible(f.ctype)
	if f.compressible {
		// A body `make build` made from these bytes saves the compression.
		if z, err := fs.ReadFile(fsys, precompressedName(name, f.sum)); err == nil {
			f.codes[encZstd].once.Do(func() { f.codes[encZstd].data = z })
		}
	}
	return nil
}

// isCompressible reports whether bodies of media type ctype are worth
// compressing.
func isCompressible(ctype string) bool {
	return slices.ContainsFunc(compressibleTypes, func(t string) bool {
		return strings.HasPrefix(ctype, t)
	})
}

// contentType returns the Content-Type of a file name.
func contentType(name string) string {
	if ct, ok := contentTypes[strings.ToLower(path.Ext(name))]; ok {
		return ct
	}
	return "application/octet-stream"
}

// coded returns f's body compressed with enc, or nil when the coding does
// not save at least a tenth (the body is then sent as it is).
func (c *fileCache) coded(f *file, enc encoding) ([]byte, error) {
	k := &f.codes[enc]
	k.once.Do(func() {
		c.compressions.Add(1)
		b, err := encodings[enc].compress(f.data)
		if err != nil {
			k.err = err
			return
		}
		if len(b) > len(f.data)-len(f.data)/10 {
			return
		}
		if cap(b) > len(b)+len(b)/8 {
			b = bytes.Clone(b) // do not keep the slack for the server's lifetime
		}
		k.data = b
	})
	return k.data, k.err
}

// prime reads and hashes every regular file of fsys, skipping dot files
// and anything else (FIFOs, devices) without opening it.
func (c *fileCache) prime(fsys fs.FS, root string) {
	fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if name != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			c.get(fsys, root, name)
		}
		return nil
	})
}

// warm compresses every compressible cached file with enc, smallest first.
// It returns how many files it compressed and their sizes before and after.
func (c *fileCache) warm(enc encoding) (n int, in, out int64) {
	c.mu.Lock()
	var files []*file
	for _, f := range c.files {
		files = append(files, f)
	}
	c.mu.Unlock()
	slices.SortFunc(files, func(a, b *file) int { return cmp.Compare(a.size, b.size) })
	for _, f := range files {
		f.load.Do(func() {}) // waits for a read in progress, if any
		if f.err != nil || !f.compressible {
			continue
		}
		b, err := c.coded(f, enc)
		if err != nil {
			continue
		}
		n++
		in += int64(len(f.data))
		if b == nil {
			out += int64(len(f.data))
		} else {
			out += int64(len(b))
		}
	}
	return n, in, out
}
