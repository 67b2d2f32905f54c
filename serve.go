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
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/zstd"
)

var (
	addrFlag = flag.String("addr", "127.0.0.1:8080", "listen on `host:port` (port 0 picks a free port)")
	dirFlag  = flag.String("dir", "", "serve `DIR`/web at / and DIR/assets at /assets/ from disk instead of the embedded copy")
)

// The embedded site. web/*.wasm and web/wasm_exec.js are build outputs
// (make serve / make build put them there before compiling this package).
//
//go:embed web assets
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

	web, assets, err := siteFS(*dirFlag)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addrFlag)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Handler:           newHandler(web, assets),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      2 * time.Minute, // the pack is ~10 MB; leave slow links time
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Printf("serving on http://%s/\n", ln.Addr())

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
// dir is empty, else dir/web and dir/assets on disk.
func siteFS(dir string) (web, assets fs.FS, err error) {
	if dir == "" {
		web, err = fs.Sub(embedded, "web")
		if err != nil {
			return nil, nil, err
		}
		assets, err = fs.Sub(embedded, "assets")
		return web, assets, err
	}
	for _, sub := range []string{"web", "assets"} {
		p := filepath.Join(dir, sub)
		if st, err := os.Stat(p); err != nil {
			return nil, nil, fmt.Errorf("-dir: %w", err)
		} else if !st.IsDir() {
			return nil, nil, fmt.Errorf("-dir: %s is not a directory", p)
		}
	}
	return os.DirFS(filepath.Join(dir, "web")), os.DirFS(filepath.Join(dir, "assets")), nil
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

// compressible lists the types compressed on the fly. The data packs
// (application/octet-stream) are zstd already and are sent as they are.
var compressible = []string{
	"text/html", "text/javascript", "text/css", "application/wasm",
	"application/json", "text/plain", "image/svg+xml",
}

// versionedName matches asset names that carry a version or a content hash
// (mnist-v1.pack, train.3f9a0c1d.zst), which can be cached for a year.
var versionedName = regexp.MustCompile(`(?i)[._-](v[0-9]+|[0-9a-f]{8,})[._-]`)

const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

// newHandler returns the site's handler: web at /, assets at /assets/.
// It only answers GET and HEAD, serves no directory listings and no dot
// files, sets an ETag (content hash) on every file, and compresses text and
// wasm responses when the client accepts it.
func newHandler(web, assets fs.FS) http.Handler {
	s := &site{web: web, assets: assets, etags: map[etagKey]etagEntry{}}
	s.prime()
	wrap, err := gzhttp.NewWrapper(
		gzhttp.ContentTypes(compressible),
		// zstd's default level: a 9.9 MB ebiten wasm to 24.3% in 0.18 s on
		// one core here, against 25.9% for its fastest level and 26.4% in
		// 0.32 s for gzip's default (which browsers without zstd get).
		gzhttp.ZstdCompressionLevel(int(zstd.SpeedDefault)),
		gzhttp.SuffixETag("-gzip"), // "-gzip" or "-zstd": a coded body is another representation
	)
	if err != nil {
		panic("mnistplay: gzhttp options: " + err.Error())
	}
	return wrap(s)
}

type site struct {
	web, assets fs.FS

	mu    sync.Mutex
	etags map[etagKey]etagEntry
}

type etagKey struct {
	root string // "web" or "assets"
	name string
}

type etagEntry struct {
	size    int64
	modTime time.Time
	etag    string
}

// prime hashes every file once at start so the first request for the 10 MB
// pack does not pay for it. Files that change later (only possible with
// -dir) are hashed again when their size or modification time changes.
func (s *site) prime() {
	for _, root := range []string{"web", "assets"} {
		fsys := s.fsys(root)
		fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if info, err := d.Info(); err == nil {
				s.etag(root, name, info)
			}
			return nil
		})
	}
}

// etag returns the quoted strong entity tag of the file, hashing it when it
// is not cached or has changed.
func (s *site) etag(root, name string, info fs.FileInfo) (string, error) {
	key := etagKey{root, name}
	s.mu.Lock()
	e, ok := s.etags[key]
	s.mu.Unlock()
	if ok && e.size == info.Size() && e.modTime.Equal(info.ModTime()) {
		return e.etag, nil
	}
	f, err := s.fsys(root).Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	e = etagEntry{size: info.Size(), modTime: info.ModTime(), etag: `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`}
	s.mu.Lock()
	s.etags[key] = e
	s.mu.Unlock()
	return e.etag, nil
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
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
	f, err := s.fsys(root).Open(name)
	if err != nil {
		s.openError(w, r, err)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		s.openError(w, r, err)
		return
	}
	if info.IsDir() || !info.Mode().IsRegular() {
		http.NotFound(w, r) // no directory listings
		return
	}
	etag, err := s.etag(root, name, info)
	if err != nil {
		s.openError(w, r, err)
		return
	}

	ct, ok := contentTypes[strings.ToLower(path.Ext(name))]
	if !ok {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", etag)

	if noneMatch(r.Header.Get("If-None-Match"), etag) {
		// Answer here rather than in http.ServeContent: the client may hold
		// the compressed representation, whose tag carries a suffix.
		h.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}

	rs, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			s.openError(w, r, err)
			return
		}
		rs = bytes.NewReader(b)
	}
	http.ServeContent(w, r, name, time.Time{}, rs)
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

func (s *site) openError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) {
		http.NotFound(w, r)
		return
	}
	if errors.Is(err, fs.ErrPermission) {
		http.Error(w, "403 forbidden", http.StatusForbidden)
		return
	}
	log.Printf("%s: %v", r.URL.Path, err)
	http.Error(w, "500 internal server error", http.StatusInternalServerError)
}

// noneMatch reports whether an If-None-Match header matches etag by the weak
// comparison (RFC 9110 13.1.2), also accepting the tags gzhttp gives the
// compressed representations (etag with -gzip or -zstd before the closing
// quote).
func noneMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	bare := strings.Trim(etag, `"`)
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" {
			return true
		}
		tag = strings.TrimPrefix(tag, "W/")
		if len(tag) < 2 || tag[0] != '"' || tag[len(tag)-1] != '"' {
			continue
		}
		switch tag[1 : len(tag)-1] {
		case bare, bare + "-gzip", bare + "-zstd":
			return true
		}
	}
	return false
}
