package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
)

func TestBarReporter(t *testing.T) {
	var buf bytes.Buffer
	r := &barReporter{w: &buf}
	r.stage(zhsearch.StageLoading)
	r.stage(zhsearch.StageIndexing)
	for done := 100; done <= 1000; done += 100 {
		r.progress(done, 1000)
		time.Sleep(15 * time.Millisecond)
	}
	r.stage(zhsearch.StageVerifying)
	r.finish()
	out := buf.String()
	for _, want := range []string{"reindex: reading the data folder", "reindex: indexing", "100%", "(1000/1000, ",
		" articles/s)", "reindex: verifying"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output lacks %q:\n%q", want, out)
		}
	}
}

func TestLogReporterETA(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &logReporter{w: &buf, every: 2 * time.Second, now: func() time.Time { return now }}
	r.stage(zhsearch.StageIndexing)
	now = now.Add(10 * time.Second)
	r.progress(1000, 5000)
	now = now.Add(time.Second)
	r.progress(1100, 5000) // within `every` of the last line: quiet
	now = now.Add(-time.Second)
	r.progress(5000, 5000) // the end is always shown
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		"reindex: indexing",
		"reindex: indexed 1000/5000 articles (20%), 100 articles/s, ETA 40s",
		"reindex: indexed 5000/5000 articles (100%), 500 articles/s",
	}
	if len(lines) != len(want) {
		t.Fatalf("lines %q, want %q", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d: %q, want %q", i, lines[i], want[i])
		}
	}
}
