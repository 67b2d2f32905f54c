package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
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
