package main

import (
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The profiler answers on --debug-addr only: an operator reads a live
// server's profile there, and the public listener never exposes it.
func TestDebugListener(t *testing.T) {
	debugc := make(chan string, 1)
	base, _ := startServerWith(t, "../../data", func(cfg *serveConfig) {
		cfg.debugAddr, cfg.debugReady = "127.0.0.1:0", func(a string) { debugc <- a }
	})
	debug := "http://" + <-debugc
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(body)
	}
	if st, body := get(debug + "/debug/pprof/heap?debug=1"); st != http.StatusOK || !strings.Contains(body, "heap profile") {
		t.Errorf("heap profile on the debug listener: status %d, body starts %.80q", st, body)
	}
	if st, body := get(debug + "/debug/pprof/goroutine?debug=1"); st != http.StatusOK || !strings.Contains(body, "goroutine profile") {
		t.Errorf("goroutines on the debug listener: status %d, body starts %.80q", st, body)
	}
	// The command line may hold --admin-token.
	if st, body := get(debug + "/debug/pprof/cmdline"); st == http.StatusOK {
		t.Errorf("the debug listener shows the command line: %.80q", body)
	}
	if st, _ := get(base + "/debug/pprof/heap?debug=1"); st != http.StatusNotFound {
		t.Errorf("the public listener answers /debug/pprof/heap with %d, want 404", st)
	}
}

// A server runs twice as many Ps as it has CPUs (schedulerProcs), and
// computes searches and builds by its CPUs; GOMAXPROCS in the
// environment is obeyed as it is, for Go's Ps only: the CPUs stay the
// machine's (GOMAXPROCS=4 on 2 CPUs gave 5 search slots, not 3).
func TestServerProcs(t *testing.T) {
	procs := regexp.MustCompile(`"cpus":(\d+),"gomaxprocs":(\d+)`)
	machine := cpusAvailable() // this process's default is the server's
	for _, tt := range []struct {
		env  string
		want func(cpus, procs int) bool
	}{
		{"GOMAXPROCS=", func(cpus, procs int) bool { return cpus == machine && procs == 2*cpus }}, // empty: Go's default
		{"GOMAXPROCS=1", func(cpus, procs int) bool { return cpus == machine && procs == 1 }},
		{"GOMAXPROCS=7", func(cpus, procs int) bool { return cpus == machine && procs == 7 }},
	} {
		t.Run(tt.env, func(t *testing.T) {
			p := startProcess(t, []string{tt.env}, "serve", "--data", "../../data",
				"--journal", filepath.Join(t.TempDir(), "edits.log"),
				"--index", filepath.Join(t.TempDir(), "index"), "--addr", "127.0.0.1:0")
			p.waitServing(t)
			m := procs.FindStringSubmatch(p.stderr.String())
			if m == nil {
				t.Fatalf("no cpus and gomaxprocs in the configuration logged:\n%s", p.stderr)
			}
			cpus, _ := strconv.Atoi(m[1])
			n, _ := strconv.Atoi(m[2])
			if !tt.want(cpus, n) {
				t.Errorf("%s: cpus %d, gomaxprocs %d", tt.env, cpus, n)
			}
		})
	}
}

// With --metrics-addr, the metrics are served there, and the public
// listener answers /metrics 404: a flood of it there refused Prometheus's
// own scrapes.
func TestMetricsListener(t *testing.T) {
	metricsc := make(chan string, 1)
	base, _ := startServerWith(t, "../../data", func(cfg *serveConfig) {
		cfg.metricsAddr, cfg.metricsReady = "127.0.0.1:0", func(a string) { metricsc <- a }
	})
	private := "http://" + <-metricsc
	for _, tt := range []struct {
		url    string
		status int
		holds  string
	}{
		{base + "/healthz", http.StatusOK, ""},
		{private + "/metrics", http.StatusOK, `zhsearch_http_requests_total{code="200",method="GET",route="/healthz"} 1`},
		{base + "/metrics", http.StatusNotFound, ""},
	} {
		resp, err := http.Get(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.holds) {
			t.Errorf("GET %s: status %d, body starts %.80q; want %d holding %q", tt.url, resp.StatusCode, body, tt.status, tt.holds)
		}
	}
}
