package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// TestLoad measures the server under 200 concurrent downloads of each wasm:
// wall time, the server's CPU time and its memory. It is a measurement, not
// a check of speed (machines differ), so it runs only when
// MNISTPLAY_LOADTEST names a server binary built from this tree
// (make loadtest), on Linux (it reads /proc). It does check that every body
// is the expected coded body, which decodes to the file.
func TestLoad(t *testing.T) {
	bin := os.Getenv("MNISTPLAY_LOADTEST")
	if bin == "" {
		t.Skip("set MNISTPLAY_LOADTEST to a server binary (make loadtest)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads the server's CPU time and memory from /proc")
	}
	const clients = 200
	names := []string{"trainer.wasm", "ui.wasm", "ui-ebiten.wasm"}
	orig := map[string][]byte{}
	want := map[string]map[string][]byte{"zstd": {}, "gzip": {}}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join("web", name))
		if err != nil {
			t.Fatalf("%v (make wasm first)", err)
		}
		orig[name] = b
		z, err := compressZstd(b)
		if err != nil {
			t.Fatal(err)
		}
		g, err := compressGzip(b)
		if err != nil {
			t.Fatal(err)
		}
		// The expected bodies must decode to the file; every response
		// is then compared with them byte for byte.
		dz, err := zstd.NewReader(nil, zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			t.Fatal(err)
		}
		if d, err := dz.DecodeAll(z, nil); err != nil || !bytes.Equal(d, b) {
			t.Fatalf("%s: zstd body does not decode to the file: %v", name, err)
		}
		dz.Close()
		res := &http.Response{Header: http.Header{"Content-Encoding": {"gzip"}}, Body: io.NopCloser(bytes.NewReader(g))}
		if !bytes.Equal(body(t, res), b) {
			t.Fatalf("%s: gzip body does not decode to the file", name)
		}
		want["zstd"][name], want["gzip"][name] = z, g
	}
	runtime.GC()

	srv := startServer(t, bin)
	client := &http.Client{Transport: &http.Transport{
		DisableCompression:  true, // the test asks and checks codings itself
		MaxIdleConnsPerHost: clients,
	}}
	t.Logf("server started: RSS %.0f MB; load average %s", srv.rss()/1e6, loadAvg())
	for _, round := range []struct{ label, enc string }{
		{"zstd, cold (compressed on first request, or by the start-up warm-up)", "zstd"},
		{"zstd, warm", "zstd"},
		{"gzip, cold (compressed on first request)", "gzip"},
		{"gzip, warm", "gzip"},
	} {
		for _, name := range names {
			cpu0, rss0 := srv.cpu(), srv.rss()
			t0 := time.Now()
			errs := make(chan error, clients)
			var wg sync.WaitGroup
			for range clients {
				wg.Go(func() { errs <- download(client, srv.url+name, round.enc, want[round.enc][name]) })
			}
			wg.Wait()
			wall := time.Since(t0)
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("%s %s: %v", round.enc, name, err)
				}
			}
			t.Logf("%-66s %-15s %d x %5.2f MB: wall %5.2fs, server CPU %5.2fs, RSS %4.0f -> %4.0f MB (peak %4.0f MB)",
				round.label, name, clients, float64(len(want[round.enc][name]))/1e6, wall.Seconds(),
				srv.cpu()-cpu0, rss0/1e6, srv.rss()/1e6, srv.hwm()/1e6)
		}
	}
	t.Logf("server log:\n%s", srv.stderr())
}

// download fetches url once with the given Accept-Encoding and compares
// the body with want as it arrives.
func download(client *http.Client, url, enc string, want []byte) error {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept-Encoding", enc)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != enc || res.Header.Get("Content-Length") != strconv.Itoa(len(want)) {
		return fmt.Errorf("status %d, Content-Encoding %q, Content-Length %s; want 200, %s, %d",
			res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("Content-Length"), enc, len(want))
	}
	buf := make([]byte, 64<<10)
	off := 0
	for {
		n, err := res.Body.Read(buf)
		if n > 0 {
			if off+n > len(want) || !bytes.Equal(buf[:n], want[off:off+n]) {
				return fmt.Errorf("body differs from byte %d on", off)
			}
			off += n
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if off != len(want) {
		return fmt.Errorf("body of %d bytes, want %d", off, len(want))
	}
	return nil
}

// loadServer is a server process started by startServer.
type loadServer struct {
	cmd *exec.Cmd
	url string

	mu  sync.Mutex
	log bytes.Buffer
}

var servingLine = regexp.MustCompile(`serving on (http://\S+/)`)

func startServer(t *testing.T, bin string) *loadServer {
	t.Helper()
	s := &loadServer{cmd: exec.Command(bin, "-addr", "127.0.0.1:0")}
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Signal(os.Interrupt)
		s.cmd.Wait()
	})
	go func() {
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			s.mu.Lock()
			s.log.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
		}
	}()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
			s.url = m[1]
			go io.Copy(io.Discard, out)
			return s
		}
	}
	t.Fatalf("the server did not say where it serves; it logged:\n%s", s.stderr())
	return nil
}

func (s *loadServer) stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// cpu returns the server's user and system CPU time in seconds, all
// threads, from /proc/PID/stat (in USER_HZ ticks, 100 a second on Linux).
func (s *loadServer) cpu() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	// Fields after the ")" that ends the command name: utime and stime
	// are the 12th and 13th.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

func (s *loadServer) rss() float64 { return s.status("VmRSS:") }
func (s *loadServer) hwm() float64 { return s.status("VmHWM:") }

// status returns a field of /proc/PID/status in bytes.
func (s *loadServer) status(key string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest) // "123 kB"
			kb, _ := strconv.ParseFloat(f[0], 64)
			return kb * 1024
		}
	}
	return -1
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
