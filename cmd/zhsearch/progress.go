package main

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/zhsearch/zhsearch"
)

// reporter shows how a reindex is going: stages as they start, and the
// articles indexed so far.
type reporter interface {
	stage(stage string)
	progress(done, total int)
	finish()
}

// newReporter returns a progress bar with articles/s and ETA when w is a
// terminal, and plain log lines otherwise (CI logs, pipes, files).
func newReporter(w io.Writer) reporter {
	if isTerminal(w) {
		return &barReporter{w: w}
	}
	return &logReporter{w: w, every: 2 * time.Second}
}

// stageText says what a reindex stage does, for people watching.
func stageText(stage string) string {
	switch stage {
	case zhsearch.StageLoading:
		return "reading the data folder and the edit journal"
	case zhsearch.StageIndexing:
		return "indexing"
	case zhsearch.StageVerifying:
		return "verifying the new generation"
	case zhsearch.StageCatchingUp:
		return "applying edits made during the build"
	case zhsearch.StageSwitching:
		return "switching to the new generation"
	}
	return ""
}

// logReporter writes one line per stage and a progress line at most every
// `every` while indexing.
type logReporter struct {
	w         io.Writer
	every     time.Duration
	lastStage string
	start     time.Time // of the indexing stage
	last      time.Time // last progress line
	now       func() time.Time
}

func (r *logReporter) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

func (r *logReporter) stage(s string) {
	if s == r.lastStage || stageText(s) == "" {
		return
	}
	r.lastStage = s
	if s == zhsearch.StageIndexing {
		r.start = r.clock()
	}
	fmt.Fprintf(r.w, "reindex: %s\n", stageText(s))
}

func (r *logReporter) progress(done, total int) {
	now := r.clock()
	if total <= 0 || done == 0 || (done < total && now.Sub(r.last) < r.every) {
		return
	}
	r.last = now
	line := fmt.Sprintf("reindex: indexed %d/%d articles (%.0f%%)", done, total, 100*float64(done)/float64(total))
	if !r.start.IsZero() { // the indexing stage was seen: a rate means something
		rate := float64(done) / max(now.Sub(r.start).Seconds(), 1e-3)
		line += fmt.Sprintf(", %.0f articles/s", rate)
		if done < total && rate > 0 {
			line += fmt.Sprintf(", ETA %s", time.Duration(float64(total-done)/rate*float64(time.Second)).Round(time.Second))
		}
	}
	fmt.Fprintln(r.w, line)
}

func (r *logReporter) finish() {}

// barReporter draws a progress bar while indexing and a line per other stage.
type barReporter struct {
	w         io.Writer
	bar       *progressbar.ProgressBar
	complete  bool
	lastStage string
}

func (r *barReporter) stage(s string) {
	if s == r.lastStage || stageText(s) == "" {
		return
	}
	r.lastStage = s
	r.closeBar()
	if s != zhsearch.StageIndexing {
		fmt.Fprintf(r.w, "reindex: %s\n", stageText(s))
	}
}

func (r *barReporter) progress(done, total int) {
	if total <= 0 {
		return
	}
	if r.bar == nil {
		r.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(r.w),
			progressbar.OptionSetDescription("reindex: indexing"),
			progressbar.OptionSetItsString("articles"),
			progressbar.OptionShowIts(),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(r.w) }),
		)
	}
	r.bar.Set(done)
	r.complete = done >= total
}

func (r *barReporter) closeBar() {
	if r.bar == nil {
		return
	}
	if r.complete {
		r.bar.Finish()
	} else {
		r.bar.Exit() // a failed build: leave the bar where it stopped
	}
	r.bar = nil
}

func (r *barReporter) finish() { r.closeBar() }
