// Command mnistplay serves the MNIST playground: the page (web/) and the
// MNIST data pack (assets/), both embedded in the binary.
//
// Usage:
//
//	mnistplay [-addr host:port] [-dir DIR]
//
// With -dir it serves DIR/web at / and DIR/assets at /assets/ from disk
// instead of the embedded copy (for development, and for tests that need a
// different pack). An -addr with port 0 picks a free port; the address
// actually listened on is printed as "serving on http://ADDR/".
//
// It refuses to start when the page's WebAssembly has not been built, and
// says how to build it.
package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	addrFlag = flag.String("addr", "127.0.0.1:8080", "listen on `host:port` (port 0 picks a free port)")
	dirFlag  = flag.String("dir", "", "serve `DIR`/web at / and DIR/assets at /assets/ from disk instead of the embedded copy")

	precompressFlag = flag.String("precompress", "", "write the zstd bodies of the files of `DIR` (web/) into DIR/.zst for embedding, and exit")
)

// The embedded site. web/*.wasm and web/wasm_exec.js are build outputs
// (make serve / make build put them there before compiling this package).
//
//go:embed all:web assets
var embedded embed.FS

func main() {
	log.SetFlags(0)
	log.SetPrefix("mnistplay: ")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: mnistplay [-addr host:port] [-dir DIR]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *precompressFlag != "" {
		if err := precompress(*precompressFlag); err != nil {
			log.Fatal(err)
		}
		return
	}

	web, assets, err := siteFS(*dirFlag)
	if err != nil {
		log.Fatal(err)
	}
	if err := checkBuilt(web, *dirFlag); err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addrFlag)
	if err != nil {
		log.Fatal(err)
	}
	s := newHandler(web, assets)
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      2 * time.Minute, // the pack is ~10 MB; leave slow links time
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Printf("serving on http://%s/\n", ln.Addr())
	go s.warm()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		log.Fatal(err)
	case <-ctx.Done():
	}
	stop() // a second signal kills the process the default way
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Printf("shutdown: %v", err)
		srv.Close()
	}
}

// siteFS returns the file systems for / and /assets/: the embedded ones when
// dir is empty, else dir/web and dir/assets on disk, each confined to its
// folder (see rootFS).
func siteFS(dir string) (web, assets fs.FS, err error) {
	if dir == "" {
		web, err = fs.Sub(embedded, "web")
		if err != nil {
			return nil, nil, err
		}
		assets, err = fs.Sub(embedded, "assets")
		return web, assets, err
	}
	var roots [2]fs.FS
	for i, sub := range []string{"web", "assets"} {
		p := filepath.Join(dir, sub)
		if st, err := os.Stat(p); err != nil {
			return nil, nil, fmt.Errorf("-dir: %w", err)
		} else if !st.IsDir() {
			return nil, nil, fmt.Errorf("-dir: %s is not a directory", p)
		}
		r, err := os.OpenRoot(p)
		if err != nil {
			return nil, nil, fmt.Errorf("-dir: %w", err)
		}
		roots[i] = rootFS{r}
	}
	return roots[0], roots[1], nil
}

// rootFS is a folder on disk seen through an os.Root: no name, ".." or
// symlink leads outside it. Files are opened without blocking, so a FIFO
// (or a device) in the folder cannot hang the server; such files are then
// refused as not regular.
type rootFS struct{ root *os.Root }

func (r rootFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := r.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (r rootFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	return r.root.Stat(name)
}

func (r rootFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(r.root.FS(), name)
}

// builtFiles are the build outputs the page cannot work without (the
// Makefile's WASM_OUT).
var builtFiles = []string{"trainer.wasm", "ui.wasm", "ui-ebiten.wasm", "wasm_exec.js"}

// errNotBuilt reports build outputs missing from the site; read it with
// errors.As.
type errNotBuilt struct {
	Missing []string // names in web/
	Dir     string   // the -dir folder, "" for the embedded site
}

func (e *errNotBuilt) Error() string {
	if e.Dir == "" {
		return fmt.Sprintf("web/%s not built, so the page cannot start: run `make serve` "+
			"(builds the wasm, then serves), or `make wasm` before `go run .`", strings.Join(e.Missing, ", web/"))
	}
	return fmt.Sprintf("-dir: %s/web lacks %s, so the page cannot start: run `make wasm` and copy web/ there",
		e.Dir, strings.Join(e.Missing, ", "))
}

// checkBuilt returns an *errNotBuilt when web lacks a build output.
func checkBuilt(web fs.FS, dir string) error {
	var missing []string
	for _, name := range builtFiles {
		if st, err := fs.Stat(web, name); err != nil || !st.Mode().IsRegular() {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return &errNotBuilt{Missing: missing, Dir: dir}
	}
	return nil
}

// contentSecurityPolicy allows what the page needs: its own scripts, Web
// Workers and iframe, compiling WebAssembly ('wasm-unsafe-eval'), and images
// from data:/blob: URLs (downloaded PNGs). No inline scripts, no eval, no
// other origins.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-src 'self'; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'self'"

// contentTypes maps file extensions to the Content-Type served. Anything else
// is application/octet-stream (never sniffed: see X-Content-Type-Options).
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".wasm": "application/wasm",
	".json": "application/json",
	".txt":  "text/plain; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
}

// versionedName matches asset names that carry a version or a content hash
// (mnist-v1.pack, train.3f9a0c1d.zst), which can be cached for a year.
var versionedName = regexp.MustCompile(`(?i)[._-](v[0-9]+|[0-9a-f]{8,})[._-]`)

// hashedName matches a content-addressed alias of an asset: NAME.HASH.EXT
// for the file NAME.EXT whose SHA-256 starts with HASH (16 to 64 lowercase
// hex digits), e.g. mnist-0.62782b15b49eaa37.pack. assets/SHA256SUMS lists
// the hashes, so a page can ask for a piece by content and cache it forever.
var hashedName = regexp.MustCompile(`^(.+)\.([0-9a-f]{16,64})(\.[A-Za-z0-9]+)$`)

const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

// site is the handler: web at /, assets at /assets/. It only answers GET
// and HEAD, serves no directory listings, no dot files and nothing but
// regular files, sets an ETag (content hash) on every file, and sends text
// and wasm compressed once (see fileCache).
type site struct {
	web, assets fs.FS
	cache       *fileCache

	loggedMu sync.Mutex
	logged   map[string]bool // unexpected errors already logged, by path
}

// newHandler returns the site's handler. It reads and hashes every file
// once, so the first request for the 10 MB pack does not pay for it.
func newHandler(web, assets fs.FS) *site {
	s := &site{web: web, assets: assets, cache: newFileCache(), logged: map[string]bool{}}
	s.cache.prime(s.fsys("web"), "web")
	s.cache.prime(s.fsys("assets"), "assets")
	return s
}

// warm compresses every compressible file with zstd (the coding browsers
// ask for) in the background, smallest first, so that the first page load
// rarely waits for it; it logs how long that took.
func (s *site) warm() {
	t0 := time.Now()
	n, in, out := s.cache.warm(encZstd)
	log.Printf("compressed %d files (%.1f MB to %.1f MB, zstd best) in %.2fs after start",
		n, float64(in)/1e6, float64(out)/1e6, time.Since(t0).Seconds())
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// COOP and COEP make the page cross-origin isolated, which it needs for
	// the SharedArrayBuffer of data-parallel training (web/pool.js); every
	// file is same-origin and marked so (CORP), the iframe included.
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Embedder-Policy", "require-corp")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}

	root, name, cacheControl, ok := s.resolve(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	f, err := s.cache.get(s.fsys(root), root, name)
	if err != nil && isNotFound(err) && root == "assets" {
		// Not a file of that name: perhaps a content-addressed alias.
		if m := hashedName.FindStringSubmatch(path.Base(name)); m != nil {
			plain := path.Join(path.Dir(name), m[1]+m[3])
			if g, gerr := s.cache.get(s.fsys(root), root, plain); gerr == nil && strings.HasPrefix(g.sum, m[2]) {
				f, err, cacheControl = g, nil, cacheImmutable
			}
		}
	}
	if err != nil {
		s.fileError(w, r, err)
		return
	}

	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", cacheControl)
	body, etag := f.data, f.etag
	if f.compressible {
		h.Add("Vary", "Accept-Encoding")
		// A range is of the identity body: ranges of a compressed body
		// are of no use to a browser.
		if enc := negotiate(r.Header.Get("Accept-Encoding")); enc != encIdentity && r.Header.Get("Range") == "" {
			if b, err := s.cache.coded(f, enc); err != nil {
				s.logOnce(r.URL.Path, err)
			} else if b != nil {
				body, etag = b, f.etag[:len(f.etag)-1]+"-"+encodings[enc].name+`"`
				h.Set("Content-Encoding", encodings[enc].name)
				// ServeContent leaves Content-Length to us when the body is coded.
				h.Set("Content-Length", strconv.Itoa(len(b)))
			}
		}
	}
	h.Set("ETag", etag)
	// ServeContent answers If-None-Match (weak comparison, RFC 9110 13.1.2)
	// with a 304 that keeps this ETag, HEAD with the headers alone, and
	// ranges.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// fsys returns the file system of root "web" or "assets".
func (s *site) fsys(root string) fs.FS {
	if root == "assets" {
		return s.assets
	}
	return s.web
}

// resolve maps a URL path to a file system ("web" or "assets"), a file name
// in it and its Cache-Control value. ok is false for names that must not be
// served: dot files and anything fs.ValidPath rejects.
func (s *site) resolve(urlPath string) (root, name, cacheControl string, ok bool) {
	if !strings.HasPrefix(urlPath, "/") || strings.ContainsAny(urlPath, "\\\x00") {
		return "", "", "", false
	}
	p := path.Clean(urlPath)
	root, cacheControl = "web", cacheRevalidate
	switch {
	case p == "/":
		p = "/index.html"
	case p == "/assets":
		return "", "", "", false
	case strings.HasPrefix(p, "/assets/"):
		root, p = "assets", strings.TrimPrefix(p, "/assets")
		if versionedName.MatchString(path.Base(p)) {
			cacheControl = cacheImmutable
		}
	}
	name = strings.TrimPrefix(p, "/")
	if !fs.ValidPath(name) {
		return "", "", "", false
	}
	for _, elem := range strings.Split(name, "/") {
		if strings.HasPrefix(elem, ".") {
			return "", "", "", false
		}
	}
	return root, name, cacheControl, true
}

// isNotFound reports whether err means that no servable file has the name:
// absent, a path through a file (/index.html/x), a symlink loop or one
// leading out of the folder, a directory, a FIFO.
func isNotFound(err error) bool {
	if errors.Is(err, fs.ErrPermission) {
		return false
	}
	var pe *fs.PathError
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) || errors.Is(err, errNotRegular) ||
		errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.ENAMETOOLONG) ||
		(errPathEscapes != nil && errors.As(err, &pe) && errors.Is(pe.Err, errPathEscapes))
}

// errPathEscapes is os.Root's error for a name that leads out of the root
// (through "..", or a symlink), which the os package does not export: taken
// once from a name that escapes, so no error text is compared.
var errPathEscapes = func() error {
	r, err := os.OpenRoot(os.TempDir())
	if err != nil {
		return nil
	}
	defer r.Close()
	_, err = r.Open("../escape")
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return nil
}()

func (s *site) fileError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case isNotFound(err):
		http.NotFound(w, r)
	case errors.Is(err, fs.ErrPermission):
		http.Error(w, "403 forbidden", http.StatusForbidden)
	default:
		s.logOnce(r.URL.Path, err)
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
	}
}

// logOnce logs an unexpected error once per URL path, so that a broken file
// asked for in a loop does not flood the log.
func (s *site) logOnce(urlPath string, err error) {
	s.loggedMu.Lock()
	seen := s.logged[urlPath]
	if !seen && len(s.logged) < 1000 {
		s.logged[urlPath] = true
	}
	s.loggedMu.Unlock()
	if !seen {
		log.Printf("%s: %v", urlPath, err)
	}
}
