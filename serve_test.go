package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/klauspost/compress/zstd"
)

// big returns n bytes of compressible but not trivial content.
func big(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/13)
	}
	return b
}

func testSite() (web, assets fstest.MapFS) {
	web = fstest.MapFS{
		"index.html":       {Data: []byte("<!doctype html><title>t</title>" + strings.Repeat("<p>hello</p>", 200))},
		"app.js":           {Data: []byte(strings.Repeat("console.log('x');\n", 200))},
		"style.css":        {Data: []byte(strings.Repeat("body{margin:0}\n", 200))},
		"trainer.wasm":     {Data: big(64 << 10)},
		"wasm_exec.js":     {Data: []byte(strings.Repeat("// go\n", 300))},
		"sub/inner.js":     {Data: []byte("x")},
		".hidden":          {Data: []byte("secret")},
		"tiny.js":          {Data: []byte("1")},
		"unknown.xyz":      {Data: []byte("<html><script>alert(1)</script>")},
		"assets/shadow.js": {Data: []byte("should never be reachable as /assets/")},
	}
	assets = fstest.MapFS{
		"mnist-train.zst":       {Data: big(32 << 10)},
		"mnist-v1-test.zst":     {Data: big(16 << 10)},
		"mnist.3f9a0c1d.zst":    {Data: big(8 << 10)},
		"mnist-checksums.json":  {Data: []byte(`{"a":1}`)},
		"nested/mnist-more.zst": {Data: big(1 << 10)},
	}
	return web, assets
}

func do(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	switch res.Header.Get("Content-Encoding") {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func TestContentTypes(t *testing.T) {
	web, assets := testSite()
	h := newHandler(web, assets)
	for i, tc := range []struct {
		path, ctype string
		want        []byte
	}{
		{"/", "text/html; charset=utf-8", web["index.html"].Data},
		{"/index.html", "text/html; charset=utf-8", web["index.html"].Data},
		{"/app.js", "text/javascript; charset=utf-8", web["app.js"].Data},
		{"/style.css", "text/css; charset=utf-8", web["style.css"].Data},
		{"/trainer.wasm", "application/wasm", web["trainer.wasm"].Data},
		{"/wasm_exec.js", "text/javascript; charset=utf-8", web["wasm_exec.js"].Data},
		{"/sub/inner.js", "text/javascript; charset=utf-8", web["sub/inner.js"].Data},
		{"/unknown.xyz", "application/octet-stream", web["unknown.xyz"].Data},
		{"/assets/mnist-train.zst", "application/octet-stream", assets["mnist-train.zst"].Data},
		{"/assets/mnist-checksums.json", "application/json", assets["mnist-checksums.json"].Data},
		{"/assets/nested/mnist-more.zst", "application/octet-stream", assets["nested/mnist-more.zst"].Data},
	} {
		res := do(t, h, "GET", tc.path, nil)
		if res.StatusCode != 200 {
			t.Errorf("case %d: GET %s: status %d, want 200", i, tc.path, res.StatusCode)
			continue
		}
		if got := res.Header.Get("Content-Type"); got != tc.ctype {
			t.Errorf("case %d: GET %s: Content-Type %q, want %q", i, tc.path, got, tc.ctype)
		}
		if got := body(t, res); !bytes.Equal(got, tc.want) {
			t.Errorf("case %d: GET %s: body differs (%d bytes, want %d)", i, tc.path, len(got), len(tc.want))
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	web, assets := testSite()
	h := newHandler(web, assets)
	for i, tc := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/trainer.wasm"}, {"GET", "/assets/mnist-train.zst"},
		{"GET", "/missing.js"}, {"POST", "/"}, {"HEAD", "/app.js"},
	} {
		res := do(t, h, tc.method, tc.path, nil)
		for k, want := range map[string]string{
			"Content-Security-Policy": contentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			// Cross-origin isolation, for SharedArrayBuffer.
			"Cross-Origin-Opener-Policy":   "same-origin",
			"Cross-Origin-Embedder-Policy": "require-corp",
		} {
			if got := res.Header.Get(k); got != want {
				t.Errorf("case %d: %s %s: %s = %q, want %q", i, tc.method, tc.path, k, got, want)
			}
		}
	}
	// The policy must allow compiling wasm and nothing inline or foreign.
	for _, want := range []string{"'wasm-unsafe-eval'", "default-src 'self'", "object-src 'none'", "worker-src 'self'"} {
		if !strings.Contains(contentSecurityPolicy, want) {
			t.Errorf("CSP lacks %s", want)
		}
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} {
		if strings.Contains(contentSecurityPolicy, bad) {
			t.Errorf("CSP contains %s", bad)
		}
	}
}

func TestMethods(t *testing.T) {
	web, assets := testSite()
	h := newHandler(web, assets)
	for i, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"} {
		res := do(t, h, m, "/index.html", nil)
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("case %d: %s: status %d, want 405", i, m, res.StatusCode)
		}
		if got := res.Header.Get("Allow"); got != "GET, HEAD" {
			t.Errorf("case %d: %s: Allow %q, want \"GET, HEAD\"", i, m, got)
		}
	}
	res := do(t, h, "HEAD", "/trainer.wasm", map[string]string{"Accept-Encoding": "gzip"})
	if res.StatusCode != 200 {
		t.Fatalf("HEAD: status %d", res.StatusCode)
	}
	if b, _ := io.ReadAll(res.Body); len(b) != 0 {
		t.Errorf("HEAD: %d body bytes", len(b))
	}
	if got := res.Header.Get("Content-Type"); got != "application/wasm" {
		t.Errorf("HEAD: Content-Type %q", got)
	}
}

func TestNotFound(t *testing.T) {
	web, assets := testSite()
	h := newHandler(web, assets)
	for i, p := range []string{
		"/missing.js",
		"/sub/", "/sub", // directories: no listing
		"/assets/", "/assets", "/assets/nested/",
		"/.hidden", "/sub/../.hidden",
		"/assets/shadow.js",    // web/assets is not reachable
		"/assets/../../go.mod", // cleaned to /go.mod: not in web
		"/../serve.go",
		"/..%2fserve.go",
		"/assets/..%2f..%2fgo.mod",
		"/sub%5cinner.js",
		"/index.html%00.js",
	} {
		res := do(t, h, "GET", "http://example.com"+p, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("case %d: GET %s: status %d, want 404", i, p, res.StatusCode)
		}
		if b := body(t, res); bytes.Contains(b, []byte("<a href")) || bytes.Contains(b, []byte("secret")) {
			t.Errorf("case %d: GET %s: body leaks %q", i, p, b)
		}
	}
}

func TestNoTraversalWithDir(t *testing.T) {
	// With -dir the file systems are real directories: a file next to them
	// must stay unreachable.
	dir := t.TempDir()
	for _, f := range []struct{ name, data string }{
		{"web/index.html", "<p>ok</p>"},
		{"assets/pack.zst", "zz"},
		{"secret.txt", "secret"},
	} {
		p := filepath.Join(dir, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	web, assets, err := siteFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(web, assets)
	for i, p := range []string{"/../secret.txt", "/assets/../../secret.txt", "/..%2fsecret.txt", "/assets/..%2fsecret.txt", "/secret.txt"} {
		req := httptest.NewRequest("GET", "http://example.com/", nil)
		req.URL.Path = p // bypass the client's cleaning
		req.URL.RawPath = ""
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 404 || strings.Contains(rec.Body.String(), "secret") {
			t.Errorf("case %d: GET %s: status %d body %q, want 404", i, p, rec.Code, rec.Body.String())
		}
	}
	if res := do(t, h, "GET", "/assets/pack.zst", nil); res.StatusCode != 200 || string(body(t, res)) != "zz" {
		t.Errorf("GET /assets/pack.zst from -dir: status %d", res.StatusCode)
	}
	if _, _, err := siteFS(filepath.Join(dir, "nope")); err == nil {
		t.Error("siteFS of a missing directory: no error")
	}
}

func TestETag(t *testing.T) {
	web, assets := testSite()
	h := newHandler(web, assets)
	for i, p := range []string{"/", "/app.js", "/trainer.wasm", "/assets/mnist-train.zst"} {
		for _, enc := range []string{"", "gzip", "zstd", "gzip, deflate, br, zstd"} {
			hdr := map[string]string{}
			if enc != "" {
				hdr["Accept-Encoding"] = enc
			}
			res := do(t, h, "GET", p, hdr)
			etag := res.Header.Get("ETag")
			if res.StatusCode != 200 || etag == "" || !strings.HasPrefix(etag, `"`) {
				t.Errorf("case %d (%q): GET %s: status %d ETag %q", i, enc, p, res.StatusCode, etag)
				continue
			}
			// The same tag on a second request (hash computed once, stable).
			if again := do(t, h, "GET", p, hdr).Header.Get("ETag"); again != etag {
				t.Errorf("case %d (%q): GET %s: ETag changed %q -> %q", i, enc, p, etag, again)
			}
			// A compressed body must not share the identity body's tag.
			if ce := res.Header.Get("Content-Encoding"); ce != "" && !strings.HasSuffix(etag, "-"+ce+`"`) {
				t.Errorf("case %d (%q): GET %s: Content-Encoding %s with ETag %s", i, enc, p, ce, etag)
			}
			hdr["If-None-Match"] = etag
			res = do(t, h, "GET", p, hdr)
			if res.StatusCode != http.StatusNotModified {
				t.Errorf("case %d (%q): GET %s If-None-Match %s: status %d, want 304", i, enc, p, etag, res.StatusCode)
			}
			if b, _ := io.ReadAll(res.Body); len(b) != 0 {
				t.Errorf("case %d (%q): 304 with %d body bytes", i, enc, len(b))
			}
			if res.Header.Get("ETag") == "" || res.Header.Get("Cache-Control") == "" {
				t.Errorf("case %d (%q): 304 without ETag/Cache-Control: %v", i, enc, res.Header)
			}
			hdr["If-None-Match"] = `W/` + etag + `, "other"`
			if res = do(t, h, "GET", p, hdr); res.StatusCode != http.StatusNotModified {
				t.Errorf("case %d (%q): weak If-None-Match in a list: status %d, want 304", i, enc, res.StatusCode)
			}
			hdr["If-None-Match"] = `"0123"`
			if res = do(t, h, "GET", p, hdr); res.StatusCode != 200 {
				t.Errorf("case %d (%q): stale If-None-Match: status %d, want 200", i, enc, res.StatusCode)
			}
		}
	}
	// Different content, different tags.
	a := do(t, h, "GET", "/app.js", nil).Header.Get("ETag")
	b := do(t, h, "GET", "/style.css", nil).Header.Get("ETag")
	if a == b {
		t.Errorf("app.js and style.css share ETag %s", a)
	}
}

func TestETagFollowsChangesWithDir(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "web"), 0o755)
	os.MkdirAll(filepath.Join(dir, "assets"), 0o755)
	p := filepath.Join(dir, "web", "app.js")
	os.WriteFile(p, []byte("one"), 0o644)
	web, assets, err := siteFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(web, assets)
	e1 := do(t, h, "GET", "/app.js", nil).Header.Get("ETag")
	os.WriteFile(p, []byte("two!"), 0o644)
	os.Chtimes(p, time.Now().Add(time.Hour), time.Now().Add(time.Hour))
	res := do(t, h, "GET", "/app.js", map[string]string{"If-None-Match": e1})
	if res.StatusCode != 200 || string(body(t, res)) != "two!" {
		t.Errorf("after a change: status %d, want 200 with the new body", res.StatusCode)
	}
	if e2 := res.Header.Get("ETag"); e2 == e1 {
		t.Errorf("ETag %s unchanged after the file changed", e1)
	}
}

func TestCompression(t *testing.T) {
	web, assets := testSite()
	h := newHandler(web, assets)
	for i, tc := range []struct {
		path, accept, wantEnc string
	}{
		{"/trainer.wasm", "gzip", "gzip"},
		{"/trainer.wasm", "zstd", "zstd"},
		{"/trainer.wasm", "", ""},
		{"/trainer.wasm", "br", ""},
		{"/app.js", "gzip", "gzip"},
		{"/wasm_exec.js", "gzip", "gzip"},
		{"/", "gzip", "gzip"},
		{"/style.css", "gzip", "gzip"},
		{"/tiny.js", "gzip", ""}, // too small to be worth it
		{"/assets/mnist-train.zst", "gzip", ""},
		{"/assets/mnist-train.zst", "gzip, deflate, br, zstd", ""},
		{"/unknown.xyz", "gzip", ""},
	} {
		res := do(t, h, "GET", tc.path, map[string]string{"Accept-Encoding": tc.accept})
		if got := res.Header.Get("Content-Encoding"); got != tc.wantEnc {
			t.Errorf("case %d: GET %s (Accept-Encoding %q): Content-Encoding %q, want %q", i, tc.path, tc.accept, got, tc.wantEnc)
		}
		if tc.wantEnc != "" {
			raw, _ := io.ReadAll(res.Body)
			res.Body = io.NopCloser(bytes.NewReader(raw))
			orig, _ := fs.ReadFile(web, strings.TrimPrefix(tc.path, "/"))
			if tc.path == "/" {
				orig = web["index.html"].Data
			}
			if len(raw) >= len(orig) {
				t.Errorf("case %d: GET %s: compressed %d bytes >= %d", i, tc.path, len(raw), len(orig))
			}
			if got := body(t, res); !bytes.Equal(got, orig) {
				t.Errorf("case %d: GET %s: decompressed body differs", i, tc.path)
			}
			if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("case %d: GET %s: Vary %q", i, tc.path, res.Header.Get("Vary"))
			}
		}
	}
}

func TestCacheControl(t *testing.T) {
	web, assets := testSite()
	h := newHandler(web, assets)
	for i, tc := range []struct{ path, want string }{
		{"/", cacheRevalidate},
		{"/app.js", cacheRevalidate},
		{"/trainer.wasm", cacheRevalidate},
		{"/assets/mnist-train.zst", cacheRevalidate}, // no version in the name
		{"/assets/mnist-v1-test.zst", cacheImmutable},
		{"/assets/mnist.3f9a0c1d.zst", cacheImmutable},
	} {
		if got := do(t, h, "GET", tc.path, nil).Header.Get("Cache-Control"); got != tc.want {
			t.Errorf("case %d: GET %s: Cache-Control %q, want %q", i, tc.path, got, tc.want)
		}
	}
}

func TestRange(t *testing.T) {
	// Ranges work on the packs (resumable downloads) and are served
	// uncompressed.
	web, assets := testSite()
	h := newHandler(web, assets)
	res := do(t, h, "GET", "/assets/mnist-train.zst", map[string]string{"Range": "bytes=10-19", "Accept-Encoding": "gzip"})
	if res.StatusCode != http.StatusPartialContent {
		t.Fatalf("status %d, want 206", res.StatusCode)
	}
	if got, want := body(t, res), assets["mnist-train.zst"].Data[10:20]; !bytes.Equal(got, want) {
		t.Errorf("range body %v, want %v", got, want)
	}
}

func TestEmbeddedSite(t *testing.T) {
	// The binary's own copy has at least the page.
	web, assets, err := siteFS("")
	if err != nil {
		t.Fatal(err)
	}
	res := do(t, newHandler(web, assets), "GET", "/", nil)
	if res.StatusCode != 200 || !bytes.Contains(body(t, res), []byte("<html")) {
		t.Errorf("embedded /: status %d", res.StatusCode)
	}
}

func TestNegotiate(t *testing.T) {
	for i, tc := range []struct {
		header string
		want   encoding
	}{
		{"", encIdentity},
		{"identity", encIdentity},
		{"br", encIdentity},
		{"gzip", encGzip},
		{"x-gzip", encGzip},
		{"zstd", encZstd},
		{"gzip, deflate, br, zstd", encZstd}, // Chromium's header
		{"gzip, deflate, br", encGzip},
		{"zstd;q=0, gzip", encGzip},
		{"zstd;q=0.5, gzip;q=0.8", encGzip},
		{"ZSTD ; Q=1", encZstd},
		{"gzip;q=0", encIdentity},
		{"*", encZstd},
		{"*;q=0", encIdentity},
		{"*, zstd;q=0", encGzip},
		{"gzip;q=abc", encGzip}, // unreadable q: the default, 1
	} {
		if got := negotiate(tc.header); got != tc.want {
			t.Errorf("case %d: negotiate(%q) = %s, want %s", i, tc.header, encodings[got].name, encodings[tc.want].name)
		}
	}
}

// rawBody returns a response body as sent, without decoding it.
func rawBody(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCompressedOnceAtBestLevel(t *testing.T) {
	// Many concurrent first requests: each body is compressed exactly once
	// per coding, every response carries the same bytes, and the zstd ones
	// are the best level's (a per-request or default-level compressor gives
	// others).
	web, assets := testSite()
	s := newHandler(web, assets)
	orig := web["trainer.wasm"].Data
	wantZstd, err := compressZstd(orig)
	if err != nil {
		t.Fatal(err)
	}
	wantGzip, err := compressGzip(orig)
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	var wg sync.WaitGroup
	results := make([]*http.Response, 2*n)
	for i := range results {
		accept := "gzip, deflate, br, zstd"
		if i%2 == 1 {
			accept = "gzip"
		}
		wg.Go(func() {
			req := httptest.NewRequest("GET", "/trainer.wasm", nil)
			req.Header.Set("Accept-Encoding", accept)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			results[i] = rec.Result()
		})
	}
	wg.Wait()
	if got := s.cache.compressions.Load(); got != 2 {
		t.Errorf("%d compressions for %d requests in two codings, want 2", got, 2*n)
	}
	for i, res := range results {
		enc, want := "zstd", wantZstd
		if i%2 == 1 {
			enc, want = "gzip", wantGzip
		}
		if ce := res.Header.Get("Content-Encoding"); ce != enc {
			t.Fatalf("request %d: Content-Encoding %q, want %q", i, ce, enc)
		}
		raw := rawBody(t, res)
		if !bytes.Equal(raw, want) {
			t.Fatalf("request %d: %s body of %d bytes differs from compressZstd's / compressGzip's %d bytes", i, enc, len(raw), len(want))
		}
		if cl := res.Header.Get("Content-Length"); cl != strconv.Itoa(len(raw)) {
			t.Errorf("request %d: Content-Length %s for %d bytes", i, cl, len(raw))
		}
		res.Body = io.NopCloser(bytes.NewReader(raw))
		if !bytes.Equal(body(t, res), orig) {
			t.Fatalf("request %d: %s body does not decode to the file", i, enc)
		}
	}
	// Later requests reuse the bodies.
	do(t, s, "GET", "/trainer.wasm", map[string]string{"Accept-Encoding": "zstd"})
	if got := s.cache.compressions.Load(); got != 2 {
		t.Errorf("%d compressions after one more request, want 2", got)
	}
}

func TestHeadMatchesGet(t *testing.T) {
	web, assets := testSite()
	h := newHandler(web, assets)
	for i, p := range []string{"/", "/app.js", "/trainer.wasm", "/tiny.js", "/assets/mnist-train.zst", "/assets/mnist-checksums.json"} {
		for _, enc := range []string{"", "gzip", "zstd", "gzip, deflate, br, zstd"} {
			hdr := map[string]string{"Accept-Encoding": enc}
			get := do(t, h, "GET", p, hdr)
			raw := rawBody(t, get)
			head := do(t, h, "HEAD", p, hdr)
			if b := rawBody(t, head); len(b) != 0 {
				t.Errorf("case %d (%q): HEAD %s: %d body bytes", i, enc, p, len(b))
			}
			if head.StatusCode != 200 || get.StatusCode != 200 {
				t.Errorf("case %d (%q): %s: HEAD %d, GET %d", i, enc, p, head.StatusCode, get.StatusCode)
			}
			if cl := get.Header.Get("Content-Length"); cl != strconv.Itoa(len(raw)) {
				t.Errorf("case %d (%q): GET %s: Content-Length %q for %d bytes", i, enc, p, cl, len(raw))
			}
			for _, k := range []string{"Content-Length", "Content-Encoding", "Content-Type", "ETag", "Vary", "Cache-Control"} {
				if g, hd := get.Header.Values(k), head.Header.Values(k); !slices.Equal(g, hd) {
					t.Errorf("case %d (%q): %s: %s is %q for GET, %q for HEAD", i, enc, p, k, g, hd)
				}
			}
		}
	}
}

func TestNotModifiedKeepsCodingTag(t *testing.T) {
	web, assets := testSite()
	h := newHandler(web, assets)
	for i, tc := range []struct{ path, accept, suffix string }{
		{"/trainer.wasm", "gzip, deflate, br, zstd", "-zstd"},
		{"/trainer.wasm", "gzip", "-gzip"},
		{"/trainer.wasm", "", ""},
		{"/app.js", "zstd", "-zstd"},
		{"/assets/mnist-train.zst", "zstd", ""},
	} {
		hdr := map[string]string{"Accept-Encoding": tc.accept}
		ok := do(t, h, "GET", tc.path, hdr)
		etag := ok.Header.Get("ETag")
		if !strings.HasSuffix(etag, tc.suffix+`"`) {
			t.Errorf("case %d: 200 ETag %s, want the suffix %q", i, etag, tc.suffix)
		}
		hdr["If-None-Match"] = etag
		nm := do(t, h, "GET", tc.path, hdr)
		if nm.StatusCode != http.StatusNotModified {
			t.Fatalf("case %d: status %d, want 304", i, nm.StatusCode)
		}
		if got := nm.Header.Get("ETag"); got != etag {
			t.Errorf("case %d: 304 ETag %s, 200 ETag %s", i, got, etag)
		}
		if got, want := nm.Header.Get("Vary"), ok.Header.Get("Vary"); got != want {
			t.Errorf("case %d: 304 Vary %q, 200 Vary %q", i, got, want)
		}
		if ce := nm.Header.Get("Content-Encoding"); ce != "" {
			t.Errorf("case %d: 304 with Content-Encoding %q", i, ce)
		}
	}
	// The tag of another coding is another representation: a full answer.
	zstdTag := do(t, h, "GET", "/trainer.wasm", map[string]string{"Accept-Encoding": "zstd"}).Header.Get("ETag")
	res := do(t, h, "GET", "/trainer.wasm", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": zstdTag})
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip request with the zstd tag: status %d, Content-Encoding %q; want 200 gzip", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
}

func TestIncompressibleSentAsIs(t *testing.T) {
	// A body compression does not shrink by a tenth goes out as it is.
	web, assets := testSite()
	noise := make([]byte, 64<<10)
	rand.NewChaCha8([32]byte{1}).Read(noise)
	web["noise.wasm"] = &fstest.MapFile{Data: noise}
	h := newHandler(web, assets)
	for _, enc := range []string{"zstd", "gzip"} {
		res := do(t, h, "GET", "/noise.wasm", map[string]string{"Accept-Encoding": enc})
		if ce := res.Header.Get("Content-Encoding"); ce != "" {
			t.Errorf("%s: Content-Encoding %q for incompressible bytes", enc, ce)
		}
		if etag := res.Header.Get("ETag"); strings.Contains(etag, "-") {
			t.Errorf("%s: ETag %s of a coded body on an identity body", enc, etag)
		}
		if !bytes.Equal(rawBody(t, res), noise) {
			t.Errorf("%s: body differs", enc)
		}
	}
}

func TestZstdWindowFitsBrowsers(t *testing.T) {
	// Browsers refuse zstd frames whose window exceeds 8 MB (RFC 9659); a
	// body larger than that (ui-ebiten.wasm is) must still fit.
	if testing.Short() {
		t.Skip("compresses 9 MB")
	}
	b := big(9 << 20)
	z, err := compressZstd(b)
	if err != nil {
		t.Fatal(err)
	}
	var hdr zstd.Header
	if err := hdr.Decode(z); err != nil {
		t.Fatal(err)
	}
	if hdr.WindowSize > zstdMaxWindow {
		t.Errorf("window %d bytes, want at most %d", hdr.WindowSize, zstdMaxWindow)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderMaxWindow(zstdMaxWindow))
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	if got, err := dec.DecodeAll(z, nil); err != nil || !bytes.Equal(got, b) {
		t.Errorf("decode with an 8 MB window limit: %v", err)
	}
}

func TestHashedAlias(t *testing.T) {
	web, assets := testSite()
	h := newHandler(web, assets)
	data := assets["mnist-train.zst"].Data
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	for i, tc := range []struct {
		path   string
		status int
		cache  string
	}{
		{"/assets/mnist-train.zst", 200, cacheRevalidate},
		{"/assets/mnist-train." + hexSum[:16] + ".zst", 200, cacheImmutable},
		{"/assets/mnist-train." + hexSum + ".zst", 200, cacheImmutable},
		{"/assets/mnist-train." + hexSum[:15] + ".zst", 404, ""},                  // too short to name content
		{"/assets/mnist-train.0123456789abcdef.zst", 404, ""},                     // another content
		{"/assets/mnist-train." + strings.ToUpper(hexSum[:16]) + ".zst", 404, ""}, // one spelling only
		{"/assets/nope." + hexSum[:16] + ".zst", 404, ""},
		{"/mnist-train." + hexSum[:16] + ".zst", 404, ""}, // assets only
	} {
		res := do(t, h, "GET", tc.path, nil)
		if res.StatusCode != tc.status {
			t.Errorf("case %d: GET %s: status %d, want %d", i, tc.path, res.StatusCode, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		if got := res.Header.Get("Cache-Control"); got != tc.cache {
			t.Errorf("case %d: GET %s: Cache-Control %q, want %q", i, tc.path, got, tc.cache)
		}
		if !bytes.Equal(body(t, res), data) {
			t.Errorf("case %d: GET %s: body differs", i, tc.path)
		}
	}
}

// writeSite makes dir/web and dir/assets with the given files (name ->
// content, relative to dir).
func writeSite(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"web", "assets"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDirSymlinksStayInside(t *testing.T) {
	dir := writeSite(t, map[string]string{
		"web/index.html":  "<p>ok</p>",
		"assets/pack.zst": "zz",
		"secret.txt":      "secret",
	})
	for _, l := range []struct{ target, name string }{
		{"../secret.txt", "web/rel.txt"},
		{filepath.Join(dir, "secret.txt"), "web/abs.txt"},
		{"..", "web/up"},
		{"../web/index.html", "assets/index.html"}, // out of assets, into web
		{"index.html", "web/inside.html"},          // inside: fine
	} {
		if err := os.Symlink(l.target, filepath.Join(dir, l.name)); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
	web, assets, err := siteFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(web, assets)
	for i, p := range []string{"/rel.txt", "/abs.txt", "/up/secret.txt", "/up/web/index.html", "/assets/index.html"} {
		res := do(t, h, "GET", p, nil)
		if b := rawBody(t, res); res.StatusCode != 404 || bytes.Contains(b, []byte("secret")) {
			t.Errorf("case %d: GET %s: status %d body %q, want 404", i, p, res.StatusCode, b)
		}
	}
	if res := do(t, h, "GET", "/inside.html", nil); res.StatusCode != 200 || string(body(t, res)) != "<p>ok</p>" {
		t.Errorf("GET /inside.html (a symlink inside web): status %d, want 200", res.StatusCode)
	}
}

// captureLog collects what the server logs during a test.
func captureLog(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	log.SetOutput(&buf)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	return &buf
}

func TestPathThroughFileIsNotFound(t *testing.T) {
	// /index.html/x names a file inside a file: 404, quietly, every time.
	dir := writeSite(t, map[string]string{"web/index.html": "<p>ok</p>", "assets/pack.zst": "zz"})
	web, assets, err := siteFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	mweb, massets := testSite()
	logs := captureLog(t)
	for _, h := range []http.Handler{newHandler(web, assets), newHandler(mweb, massets)} {
		for i, p := range []string{"/index.html/x", "/index.html/x/y", "/assets/pack.zst/x"} {
			for range 3 {
				if res := do(t, h, "GET", p, nil); res.StatusCode != 404 {
					t.Errorf("case %d: GET %s: status %d, want 404", i, p, res.StatusCode)
				}
			}
		}
	}
	if logs.Len() != 0 {
		t.Errorf("logged:\n%s", logs)
	}
}

func TestCheckBuilt(t *testing.T) {
	web, _ := testSite()
	err := checkBuilt(web, "")
	var nb *errNotBuilt
	if !errors.As(err, &nb) {
		t.Fatalf("checkBuilt without ui.wasm: %v, want an *errNotBuilt", err)
	}
	if !slices.Equal(nb.Missing, []string{"ui.wasm", "ui-ebiten.wasm"}) {
		t.Errorf("missing %q, want ui.wasm and ui-ebiten.wasm", nb.Missing)
	}
	if !strings.Contains(err.Error(), "make serve") || !strings.Contains(err.Error(), "make wasm") {
		t.Errorf("message does not say how to build: %s", err)
	}
	web["ui.wasm"] = &fstest.MapFile{Data: []byte("\x00asm")}
	web["ui-ebiten.wasm"] = &fstest.MapFile{Data: []byte("\x00asm")}
	if err := checkBuilt(web, ""); err != nil {
		t.Errorf("checkBuilt with every output: %v", err)
	}
	web["ui.wasm"] = &fstest.MapFile{Mode: fs.ModeDir}
	if err := checkBuilt(web, "/x"); !errors.As(err, &nb) || !strings.Contains(err.Error(), "/x/web") {
		t.Errorf("checkBuilt with a directory for ui.wasm under -dir: %v", err)
	}
}

// Bodies made by -precompress are sent without compressing again, decode
// to the file, are not served themselves, and are dropped once their file
// changes.
func TestPrecompressed(t *testing.T) {
	wasm := strings.Repeat("precompressed wasm body ", 4000)
	dir := writeSite(t, map[string]string{"web/trainer.wasm": wasm, "web/tiny.js": "x"})
	webDir := filepath.Join(dir, "web")
	if err := precompress(webDir); err != nil {
		t.Fatal(err)
	}
	zsts, _ := filepath.Glob(filepath.Join(webDir, precompressedDir, "*"))
	if len(zsts) != 1 || !strings.HasPrefix(filepath.Base(zsts[0]), "trainer.wasm.") {
		t.Fatalf("precompressed files %v, want one for trainer.wasm", zsts)
	}
	web, assets, err := siteFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := newHandler(web, assets)
	res := do(t, s, "GET", "/trainer.wasm", map[string]string{"Accept-Encoding": "zstd"})
	want, _ := os.ReadFile(zsts[0])
	raw := rawBody(t, res)
	if res.Header.Get("Content-Encoding") != "zstd" || !bytes.Equal(raw, want) {
		t.Fatalf("Content-Encoding %q, %d bytes; want the %d precompressed ones", res.Header.Get("Content-Encoding"), len(raw), len(want))
	}
	res.Body = io.NopCloser(bytes.NewReader(raw))
	if string(body(t, res)) != wasm {
		t.Fatal("the precompressed body does not decode to the file")
	}
	if n := s.cache.compressions.Load(); n != 0 {
		t.Errorf("%d compressions with a precompressed body", n)
	}
	if res := do(t, s, "GET", "/"+precompressedDir+"/"+filepath.Base(zsts[0]), nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("the precompressed folder is served: %d", res.StatusCode)
	}
	// The file changes: its old body goes, a new one comes.
	if err := os.WriteFile(filepath.Join(webDir, "trainer.wasm"), []byte(wasm+"v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := precompress(webDir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(zsts[0]); !os.IsNotExist(err) {
		t.Errorf("stale body kept: %v", err)
	}
}
