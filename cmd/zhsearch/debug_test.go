package main

import (
	"io"
	"net/http"
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
	if st, _ := get(base + "/debug/pprof/heap?debug=1"); st != http.StatusNotFound {
		t.Errorf("the public listener answers /debug/pprof/heap with %d, want 404", st)
	}
}
