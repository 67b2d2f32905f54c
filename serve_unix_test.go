//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestDirFIFODoesNotHang(t *testing.T) {
	// Opening a FIFO for reading blocks until a writer comes: neither the
	// start-up nor a request may open one that way.
	dir := writeSite(t, map[string]string{"web/index.html": "<p>ok</p>", "assets/pack.zst": "zz"})
	for _, p := range []string{"web/pipe.js", "assets/pipe.pack"} {
		if err := syscall.Mkfifo(filepath.Join(dir, p), 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		web, assets, err := siteFS(dir)
		if err != nil {
			t.Error(err)
			return
		}
		h := newHandler(web, assets)
		for _, p := range []string{"/pipe.js", "/assets/pipe.pack"} {
			if res := do(t, h, "GET", p, nil); res.StatusCode != 404 {
				t.Errorf("GET %s: status %d, want 404", p, res.StatusCode)
			}
		}
		if res := do(t, h, "GET", "/", nil); res.StatusCode != 200 {
			t.Errorf("GET /: status %d", res.StatusCode)
		}
	}()
	// Not a speed limit: a hang never ends, a pass takes milliseconds.
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("start-up or a request hung on a FIFO")
	}
}
