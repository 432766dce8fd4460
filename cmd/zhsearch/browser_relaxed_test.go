package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRelaxedResults checks what the search page tells a reader
// whose question has no exact match: that none exists, or where the exact
// matches end and the closest ones begin (the API's relaxed hits).
func TestBrowserRelaxedResults(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServeConfig(t, serveConfig{
		dataDir:  browserData(t),
		indexDir: filepath.Join(t.TempDir(), "index"),
		addr:     "127.0.0.1:0",
	})
	tab := newTab(t, startBrowser(t, chrome))

	t.Run("no exact match", func(t *testing.T) {
		q, _, relaxed := pickQuestion(t, base, func(strict, relaxed int) bool { return strict == 0 && relaxed > 0 })
		ctx := tab.limit(t)
		do(t, ctx, chromedp.Navigate(base+"/?q="+url.QueryEscape(q)))
		r := waitResults(t, ctx, q, 1)
		if !strings.Contains(r.Status, "没有完全符合") || !strings.Contains(r.Status, q) {
			t.Errorf("status %q does not say that nothing matches %q exactly", r.Status, q)
		}
		if len(r.Titles) != relaxed {
			t.Errorf("%d results shown, the API has %d", len(r.Titles), relaxed)
		}
		if n := countNotes(t, ctx); n != 0 {
			t.Errorf("%d in-list notes; with no exact match the status says it all", n)
		}
		tab.check(t)
	})

	t.Run("a later page of the closest", func(t *testing.T) {
		var q string
		for _, c := range questions {
			if strict, _ := apiRelaxed(t, base, c); strict == 0 && apiTotal(t, base, c) > 10 {
				q = c
				break
			}
		}
		if q == "" {
			t.Fatalf("none of %q has no exact match and a second page on this corpus", questions)
		}
		ctx := tab.limit(t)
		do(t, ctx, chromedp.Navigate(base+"/?q="+url.QueryEscape(q)+"&page=2"))
		r := waitResults(t, ctx, q, 2)
		if strings.Contains(r.Status, "找到") || !strings.Contains(r.Status, "只部分符合") {
			t.Errorf("page 2 of the closest results to %q: status %q; want it to say they only partly match", q, r.Status)
		}
		if n := countNotes(t, ctx); n != 0 {
			t.Errorf("%d in-list notes; the status says it all", n)
		}
		tab.check(t)
	})

	t.Run("exact matches then the closest", func(t *testing.T) {
		q, strict, _ := pickQuestion(t, base, func(strict, relaxed int) bool { return strict > 0 && relaxed > 0 })
		ctx := tab.limit(t)
		do(t, ctx, chromedp.Navigate(base+"/?q="+url.QueryEscape(q)))
		r := waitResults(t, ctx, q, 1)
		if strings.Contains(r.Status, "没有完全符合") {
			t.Errorf("status %q says nothing matches, but %d results do", r.Status, strict)
		}
		// The note sits in the first relaxed result, after the strict ones.
		at := val(t, ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('#results > li')].findIndex(li => li.querySelector('.relaxed-note'))`))
		if at != strict {
			t.Errorf("the note is in result %d, want %d (after the %d exact matches)", at, strict, strict)
		}
		if n := countNotes(t, ctx); n != 1 {
			t.Errorf("%d notes, want 1", n)
		}
		// A reader who jumps from heading to heading never meets the note:
		// the status says where the exact matches end, and each closest
		// result's heading says it only partly matches.
		if want := fmt.Sprintf("本页前 %d 篇符合你的搜索", strict); !strings.Contains(r.Status, want) {
			t.Errorf("status %q does not say %q", r.Status, want)
		}
		said := val(t, ctx, chromedp.Evaluate[[]bool](`[...document.querySelectorAll('#results .result-title')].map(h => [...h.querySelectorAll('.visually-hidden')].some(s => s.textContent.includes('部分符合')))`))
		for i, partly := range said {
			if partly != (i >= strict) {
				t.Errorf("result %d's heading says 部分符合: %v, want %v (%d exact matches)", i+1, partly, i >= strict, strict)
			}
		}
		tab.check(t)
	})
}

// questions are readers' questions over the browser test corpus (the
// seed page's titles and testdata/browser); pickQuestion takes the first
// whose first page the API answers as the test needs.
var questions = []string{
	"信用卡年费不交会有啥后果",
	"支付宝借呗要怎样提前还款才不扣利息",
	"花呗逾期了会不会影响房贷审批",
	"网贷还不上了会不会被起诉啊",
	"租机买断划算不",
	"京东e卡过期了咋整",
	"花呗的钱能不能转到银行卡上",
	"租的手机摔坏了要赔多少钱",
	// Its 量子 and 纠缠 are words of no article: the site's subject alone
	// answers it, a page and more of the closest.
	"花呗的量子纠缠效应怎么破",
}

func pickQuestion(t *testing.T, base string, fits func(strict, relaxed int) bool) (q string, strict, relaxed int) {
	t.Helper()
	for _, q := range questions {
		if strict, relaxed := apiRelaxed(t, base, q); fits(strict, relaxed) {
			return q, strict, relaxed
		}
	}
	t.Fatalf("none of %q fits the test on this corpus", questions)
	return "", 0, 0
}

func countNotes(t *testing.T, ctx context.Context) int {
	t.Helper()
	return val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#results .relaxed-note').length`))
}

// apiRelaxed returns how many hits of page 1 of q are strict and how many
// relaxed, as the API answers.
func apiRelaxed(t *testing.T, base, q string) (strict, relaxed int) {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/search?q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Relaxed bool `json:"relaxed"`
		Hits    []struct {
			Relaxed bool `json:"relaxed"`
		} `json:"hits"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	for _, h := range body.Hits {
		if h.Relaxed {
			relaxed++
		} else {
			strict++
		}
	}
	if body.Relaxed != (relaxed > 0) {
		t.Errorf("answer relaxed=%v with %d relaxed hits", body.Relaxed, relaxed)
	}
	return strict, relaxed
}
