package main

// Browser tests: the search page, the article page and the two embeds, as a
// reader meets them, in Debian's chromium driven by chromedp, against a real
// `zhsearch serve` on :0 with a real index built from ./data plus
// testdata/browser/extra.jsonl (more 花呗 articles, for several result pages,
// and articles whose titles and bodies are HTML and script).
//
// Run them alone with
//
//	go test -run TestBrowser -v ./cmd/zhsearch
//
// Without chromium they are skipped, unless ZHSEARCH_REQUIRE_BROWSER is set
// (CI sets it, so CI never skips them silently). ZHSEARCH_CHROMIUM names
// the browser binary; ZHSEARCH_SCREENSHOTS the folder for the screenshots,
// by default a new temporary folder whose path the test logs.

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/zhsearch/zhsearch"
)

// The seed page and the hostile articles of testdata/browser/extra.jsonl.
const (
	seedID      = "000_6fe797c5a744a779"
	seedTitle   = "花呗协商还款对征信的影响"
	hostile1    = "<img src=x onerror=alert(1)>花呗风控"
	hostile2    = "花呗风控<svg onload=alert(5)>怎么解除"
	hostile1ID  = "xss-1"
	hostile2ID  = "xss-2"
	actionLimit = 45 * time.Second // per subtest: a hung page fails instead of hanging
)

// browserEnv is what the browser tests share: a real zhsearch server over
// browserData, a partner site on another origin, one chromium and the
// screenshot folder. Every test opens a tab of its own in it, so none
// depends on the page, the history or the state another test left.
type browserEnv struct {
	base    string           // zhsearch's base URL, http://127.0.0.1:PORT
	partner *httptest.Server // the partner site that embeds widget.js and searchbox.js
	browser context.Context  // chromium; tabs open in it
	shots   string           // the screenshot folder
}

// startBrowserEnv starts the server, the partner site and chromium; all end
// with the test. It skips (or fails, see chromiumPath) without chromium.
func startBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	chrome := chromiumPath(t)
	// The partner site: another origin that embeds widget.js and
	// searchbox.js. It is allowed by --cors-origins as 127.0.0.1:PORT and
	// not allowed as localhost:PORT, which is a different origin.
	partner := httptest.NewServer(partnerPage())
	t.Cleanup(partner.Close)
	base := startServeConfig(t, serveConfig{
		dataDir:     browserData(t),
		indexDir:    filepath.Join(t.TempDir(), "index"),
		addr:        "127.0.0.1:0",
		corsOrigins: []string{partner.URL},
	})
	return &browserEnv{base: base, partner: partner, browser: startBrowser(t, chrome), shots: screenshotDir(t)}
}

// TestBrowser runs the browser tests against one server and one chromium,
// each test in a new tab. After each test, except the one whose point is a
// console error, the tab must have opened no dialog and logged no error.
func TestBrowser(t *testing.T) {
	env := startBrowserEnv(t)
	tests := []struct {
		name string
		run  func(t *testing.T, env *browserEnv, tb *tab)
		// consoleErrors is set for a test that expects the browser to log
		// errors (a refused CORS request).
		consoleErrors bool
	}{
		{"typing suggests titles", browserSuggestions, false},
		{"suggestions mark traditional and pinyin input", browserSuggestionsMarkVariants, false},
		{"enter shows highlighted results", browserEnterShowsResults, false},
		{"enter searches what was typed after a highlight; an IME's letters ask for nothing", browserTypedAfterHighlight, false},
		{"a suggestion longer than a query still finds its article", browserLongSuggestion, false},
		{"results link to the site; bidi controls stay out", browserResultLinks, false},
		{"page 2 and the back button", browserPagesAndHistory, false},
		{"no results explains what to try", browserNoResults, false},
		// The browser logs the API's 400 as a failed resource.
		{"a query too long is explained in Chinese", browserQueryTooLong, true},
		{"article page shows its related list", browserArticleRelated, false},
		{"embeds on another origin", browserEmbedsOnPartner, false},
		{"hostile titles stay text", browserHostileTitles, false},
		{"readable on a phone", browserPhone, false},
		{"embeds on an origin not allowed get no data", browserEmbedsOriginRefused, true},
		// The browser logs the aborted request.
		{"the widget gives up on a server that never answers", browserWidgetGivesUp, true},
		// The browser logs the unknown article's 404.
		{"a failed widget gives its target back", browserWidgetKeepsFallback, true},
		{"the widget and the search box find a target parsed after them", browserWidgetLateTarget, false},
		{"keyboard and screen readers on the search page", browserKeyboardReader, false},
		{"zoomed, narrow and high-contrast windows", browserZoomAndContrast, false},
		{"what a screen reader reads of an article page", browserReadAloud, false},
		{"embeds ignore a named element in currentScript's place", browserEmbedsNotClobbered, false},
		// The page logs the related list it could not load.
		{"a failed widget leaves no empty landmark", browserFailedWidgetNoLandmark, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTab(t, env.browser)
			tt.run(t, env, tb)
			if !tt.consoleErrors {
				tb.check(t)
			}
		})
	}
}

// suggestionsFor opens the search page and types text into the search
// box, until its suggestions show; then is what to do next.
func suggestionsFor(env *browserEnv, text string, then ...chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] {
	return append([]chromedp.Action[chromedp.Void]{
		chromedp.Navigate(env.base + "/"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.Click(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), text),
		chromedp.WaitVisible(chromedp.CSS(`#q-list [role="option"]`)),
	}, then...)
}

// browserSuggestions: typing in the search box lists matching titles with
// what was typed marked; the arrow keys move through them and Escape closes
// the list, keeping the text.
func browserSuggestions(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	do(t, ctx, suggestionsFor(env, "花呗")...)
	st := combo(t, ctx, "document")
	if st.Expanded != "true" || len(st.Options) == 0 {
		t.Fatalf("after typing 花呗: aria-expanded=%q, %d options", st.Expanded, len(st.Options))
	}
	for _, o := range st.Options {
		if !strings.Contains(o, "花呗") {
			t.Errorf("suggestion %q does not contain 花呗", o)
		}
	}
	if st.Marked == 0 {
		t.Error("no suggestion marks what was typed")
	}
	shot(t, ctx, env.shots, "01-suggestions.png")

	do(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
	if st = combo(t, ctx, "document"); st.Active != st.OptionIDs[0] || st.Selected != st.OptionIDs[0] {
		t.Errorf("ArrowDown: aria-activedescendant=%q selected=%q, want %q", st.Active, st.Selected, st.OptionIDs[0])
	}
	if len(st.OptionIDs) > 1 {
		do(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
		if st = combo(t, ctx, "document"); st.Active != st.OptionIDs[1] {
			t.Errorf("second ArrowDown: active %q, want %q", st.Active, st.OptionIDs[1])
		}
		do(t, ctx, chromedp.KeyEvent(kb.ArrowUp))
		if st = combo(t, ctx, "document"); st.Active != st.OptionIDs[0] {
			t.Errorf("ArrowUp: active %q, want %q", st.Active, st.OptionIDs[0])
		}
	}
	do(t, ctx, chromedp.KeyEvent(kb.Escape))
	st = combo(t, ctx, "document")
	if st.Expanded != "false" || !st.Hidden || st.Active != "" || st.Value != "花呗" {
		t.Errorf("Escape: expanded=%q hidden=%v active=%q value=%q; want the list closed and 花呗 kept",
			st.Expanded, st.Hidden, st.Active, st.Value)
	}
	// Escape right after a keystroke also stops the suggestions still to
	// come for it: the list stays closed.
	do(t, ctx,
		chromedp.SendKeys(chromedp.CSS("#q"), "风"),
		chromedp.WaitVisible(chromedp.CSS(`#q-list [role="option"]`)),
		chromedp.SendKeys(chromedp.CSS("#q"), "控"),
		chromedp.Sleep(30*time.Millisecond), // within the typing pause before suggestions are asked for
		chromedp.KeyEvent(kb.Escape),
		chromedp.Sleep(time.Second))
	if st = combo(t, ctx, "document"); st.Expanded != "false" || !st.Hidden {
		t.Errorf("suggestions for what was typed before Escape opened the list again: expanded=%q hidden=%v", st.Expanded, st.Hidden)
	}
}

// browserResultLinks: a result links to the article's own page on the site
// when its url is an absolute http(s) URL, else to its page here; a bidi
// control in the query does not turn the page's text around, and a
// control character does not stop the search.
func browserResultLinks(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	q := "花呗怎么提前还款"
	do(t, ctx, chromedp.Navigate(env.base+"/?q="+url.QueryEscape(q)))
	waitResults(t, ctx, q, 1)
	links := val(t, ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll('#results .result-title a')].map(a => [a.textContent, a.href]))`))
	if got, want := links[q], "https://www.site.example/2024/huabei-tiqian.html"; got != want {
		t.Errorf("result %q links to %q, want its own page %s", q, got, want)
	}
	for title, href := range links {
		if title != q && !strings.HasPrefix(href, env.base+"/a/") {
			t.Errorf("result %q (no absolute url) links to %q, want its page here", title, href)
		}
	}

	bidi := "\u202e花呗\u2066风控\u2069"
	do(t, ctx, chromedp.Navigate(env.base+"/?q="+url.QueryEscape(bidi)))
	r := waitResults(t, ctx, bidi, 1)
	title := val(t, ctx, chromedp.Evaluate[string](`document.title`))
	for what, s := range map[string]string{"status": r.Status, "search box": r.Value, "title": title} {
		if strings.ContainsAny(s, "\u202e\u2066\u2069") {
			t.Errorf("the %s holds the query's bidi controls: %q", what, s)
		}
	}
	if !strings.Contains(r.Status, "找到") || r.Value != "花呗风控" {
		t.Errorf("status %q, search box %q; want results for 花呗风控", r.Status, r.Value)
	}

	// A shared link holding a control character searches the query with a
	// space for it, as the server's page shows it; the API refuses it raw.
	ctrl := "花呗\u0001风控"
	do(t, ctx, chromedp.Navigate(env.base+"/?q="+url.QueryEscape(ctrl)))
	r = waitResults(t, ctx, ctrl, 1)
	if !strings.Contains(r.Status, "找到") || r.Value != "花呗 风控" {
		t.Errorf("link with U+0001: status %q, search box %q; want results for 花呗 风控", r.Status, r.Value)
	}
}

// browserSuggestionsMarkVariants: what completes the typed text is marked
// when it was typed in traditional characters or as pinyin initials, not
// only as the title writes it (the server's highlight, see Suggestion).
func browserSuggestionsMarkVariants(t *testing.T, env *browserEnv, tb *tab) {
	for _, typed := range []string{"花唄風", "hbfk"} {
		ctx := tb.limit(t)
		do(t, ctx,
			chromedp.Navigate(env.base+"/"),
			chromedp.WaitVisible(chromedp.CSS("#q")),
			chromedp.Click(chromedp.CSS("#q")),
			chromedp.SendKeys(chromedp.CSS("#q"), typed),
			chromedp.WaitVisible(chromedp.CSS(`#q-list [role="option"]`)),
		)
		st := combo(t, ctx, "document")
		if len(st.Options) == 0 || st.Marked < len(st.Options) {
			t.Errorf("typed %s: %d of %d suggestions marked (%q)", typed, st.Marked, len(st.Options), st.Options)
		}
	}
}

// browserEnterShowsResults: Enter in the search box shows the first page of
// results with the query highlighted, the count and time, and the query in
// the URL.
func browserEnterShowsResults(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	do(t, ctx, suggestionsFor(env, "花呗",
		chromedp.KeyEvent(kb.Escape), // the list closed, Enter submits what was typed
		chromedp.KeyEvent(kb.Enter),
	)...)
	r := waitResults(t, ctx, "花呗", 1)
	total := apiTotal(t, env.base, "花呗")
	if total <= 10 {
		t.Fatalf("the test corpus has %d results for 花呗; it needs more than one page", total)
	}
	if len(r.Titles) != 10 {
		t.Errorf("%d results on page 1, want 10", len(r.Titles))
	}
	for i, title := range r.Titles {
		if strings.Contains(title, "花呗") && !slices.Contains(r.Marks[i], "花呗") {
			t.Errorf("result %q: marks %q, want 花呗 highlighted", title, r.Marks[i])
		}
	}
	if want := fmt.Sprintf("找到 %d 篇相关文章,用时 ", total); !strings.HasPrefix(r.Status, want) || !strings.Contains(r.Status, "毫秒") {
		t.Errorf("status %q, want it to start with %q and give the time in 毫秒", r.Status, want)
	}
	if r.Search != "?q="+url.QueryEscape("花呗") {
		t.Errorf("URL query %q, want the query kept in the URL", r.Search)
	}
	// One heading for the results, the page's h1, for screen readers: the
	// intro's is hidden once a query runs.
	if h := val(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('h1')].filter(h => !h.closest('[hidden]')).map(h => h.textContent)`)); !slices.Equal(h, []string{"“花呗”的搜索结果"}) {
		t.Errorf("headings h1 shown to assistive technology: %q, want the results' one", h)
	}
	shot(t, ctx, env.shots, "02-results.png")
}

// browserTypedAfterHighlight: a reader who highlights a suggestion, then
// types on and presses Enter before new suggestions come, searches what
// the box says (it searched the highlighted title); while an input method
// composes, its letters (j, ji, jie…) ask for no suggestions (they
// flickered under the IME's candidates), and what it commits does; a page
// restored from the back/forward cache shows the query of its results,
// not text typed and never searched.
func browserTypedAfterHighlight(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	do(t, ctx, suggestionsFor(env, "花呗",
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.SendKeys(chromedp.CSS("#q"), "逾期"),
		chromedp.KeyEvent(kb.Enter),
	)...)
	if r := waitResults(t, ctx, "花呗逾期", 1); r.Value != "花呗逾期" {
		t.Errorf("box %q after searching 花呗逾期", r.Value)
	}

	// The page as the back/forward cache gives it back: what was typed
	// stays in the box, and the browser fires pageshow with persisted set.
	// (chromedp loses the page's context across a real cached restore, so
	// the event is fired here as the browser fires it.)
	do(t, ctx, chromedp.Navigate(env.base+"/?q="+url.QueryEscape("花呗")))
	waitResults(t, ctx, "花呗", 1)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#q"), "没搜的字"))
	shown := val(t, ctx, chromedp.Evaluate[string](`(() => {
		window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
		return document.querySelector('#q').value;
	})()`))
	if shown != "花呗" {
		t.Errorf("a page restored from the back/forward cache shows %q in the box, want its results' query 花呗", shown)
	}
	do(t, ctx, chromedp.Navigate(env.base+"/"), chromedp.WaitVisible(chromedp.CSS("#q")), chromedp.Click(chromedp.CSS("#q")))
	val(t, ctx, chromedp.Evaluate[bool](`(() => {
		window.suggestAsked = [];
		const f = window.fetch;
		window.fetch = function (u) {
			const url = new URL(String(u), location.href);
			if (url.pathname.endsWith('/suggest')) window.suggestAsked.push(url.searchParams.get('q'));
			return f.apply(this, arguments);
		};
		return true;
	})()`))
	for _, letters := range []string{"j", "ji", "jie", "jieb", "jiebe", "jiebei"} {
		n := int64(len(letters))
		if _, err := chromedp.Call(ctx, input.ImeSetComposition, input.ImeSetCompositionParams{Text: letters, SelectionStart: n, SelectionEnd: n}); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, chromedp.Sleep(250*time.Millisecond)) // longer than the pause before suggestions are asked for
	}
	if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: "借呗"}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#q-list [role="option"]`)))
	if asked := val(t, ctx, chromedp.Evaluate[[]string](`window.suggestAsked`)); !slices.Equal(asked, []string{"借呗"}) {
		t.Errorf("suggestions asked for %q while composing 借呗, want only for 借呗", asked)
	}
}

// browserLongSuggestion: a suggested title longer than a query may be
// (the API takes 200 characters; a title may have 512) is searched by its
// start, which finds it, not refused as too long once chosen.
func browserLongSuggestion(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	do(t, ctx, suggestionsFor(env, "超长标题测试",
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.KeyEvent(kb.Enter),
	)...)
	value := val(t, ctx, chromedp.Evaluate[string](`document.querySelector('#q').value`))
	if n := utf8.RuneCountInString(value); n != zhsearch.MaxQueryLen || !strings.HasPrefix(value, "超长标题测试") {
		t.Fatalf("the chosen title in the box: %d characters (%.20q…), want its first %d", n, value, zhsearch.MaxQueryLen)
	}
	r := waitResults(t, ctx, value, 1)
	if len(r.Titles) == 0 || !strings.HasPrefix(r.Titles[0], "超长标题测试") {
		t.Errorf("results %q (status %q), want the long title first", r.Titles, r.Status)
	}
}

// browserPagesAndHistory: page 2 shows other results, the back and forward
// buttons go between the pages, and a shared link to page 2 opens it.
func browserPagesAndHistory(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	do(t, ctx, chromedp.Navigate(env.base+"/?q="+url.QueryEscape("花呗")))
	page1 := waitResults(t, ctx, "花呗", 1).Titles
	if len(page1) == 0 {
		t.Fatal("no first page")
	}
	// Text typed and never searched does not stay in the box when the
	// pager pages through the results shown.
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#q"), "逾期"))
	do(t, ctx, chromedp.Click(chromedp.CSS(`#pager a[data-page="2"]`)))
	r := waitResults(t, ctx, "花呗", 2)
	if r.Current != "2" || !strings.Contains(r.Status, "第 2 页") || r.Value != "花呗" {
		t.Errorf("page 2: current page %q, status %q, box %q (want the query shown, 花呗)", r.Current, r.Status, r.Value)
	}
	// Tabs and the history menu tell the pages apart.
	if title := val(t, ctx, chromedp.Evaluate[string](`document.title`)); title != "花呗 - 第 2 页 - 站内搜索" {
		t.Errorf("page 2's title %q, want 花呗 - 第 2 页 - 站内搜索", title)
	}
	if len(r.Titles) == 0 || slices.Equal(r.Titles, page1) {
		t.Fatalf("page 2 shows %q", r.Titles)
	}
	for _, title := range r.Titles {
		if slices.Contains(page1, title) {
			t.Errorf("%q is on page 1 and page 2", title)
		}
	}
	page2 := r.Titles
	shot(t, ctx, env.shots, "03-page2.png")

	do(t, ctx, chromedp.NavigateToHistoryEntry(historyEntry(t, ctx, -1)))
	if r = waitResults(t, ctx, "花呗", 1); !slices.Equal(r.Titles, page1) || r.Value != "花呗" {
		t.Errorf("back: titles %q (box %q), want page 1 %q", r.Titles, r.Value, page1)
	}
	do(t, ctx, chromedp.NavigateToHistoryEntry(historyEntry(t, ctx, +1)))
	if r = waitResults(t, ctx, "花呗", 2); !slices.Equal(r.Titles, page2) {
		t.Errorf("forward: titles %q, want page 2 %q", r.Titles, page2)
	}
	// A shared link opens the same page.
	do(t, ctx, chromedp.Navigate(env.base+"/?q="+url.QueryEscape("花呗")+"&page=2"))
	if r = waitResults(t, ctx, "花呗", 2); !slices.Equal(r.Titles, page2) || r.Value != "花呗" || r.Current != "2" {
		t.Errorf("opened /?q=花呗&page=2: titles %q, box %q, current %q", r.Titles, r.Value, r.Current)
	}
}

// browserNoResults: a query nothing matches says so and what to try.
func browserNoResults(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	const q = "量子纠缠"
	do(t, ctx,
		chromedp.Navigate(env.base+"/?q="+url.QueryEscape(q)),
		chromedp.WaitVisible(chromedp.CSS("#empty")),
	)
	text := val(t, ctx, chromedp.Text(chromedp.CSS("#empty")))
	if !strings.Contains(text, "没有找到与“"+q+"”相关的文章") || !strings.Contains(text, "拼音") {
		t.Errorf("empty state says %q", text)
	}
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#results li').length`)); n != 0 {
		t.Errorf("%d results shown", n)
	}
	// A screen reader hears it, as it hears a count of results.
	if status := val(t, ctx, chromedp.Evaluate[string](`document.querySelector('#status').textContent`)); !strings.Contains(status, "没有找到与“"+q+"”") {
		t.Errorf("the live region says %q, want the empty state announced", status)
	}
	shot(t, ctx, env.shots, "04-empty.png")
}

// browserQueryTooLong: a shared link with a query over the API's limit
// (the box's maxlength only stops typing) tells the reader, in Chinese, what
// to do; the API's English message is for developers.
func browserQueryTooLong(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	do(t, ctx,
		chromedp.Navigate(env.base+"/?q="+url.QueryEscape(strings.Repeat("花呗", zhsearch.MaxQueryLen))),
		chromedp.WaitVisible(chromedp.CSS("#status.error")),
	)
	status := val(t, ctx, chromedp.Text(chromedp.CSS("#status")))
	if !strings.Contains(status, "搜索词太长了") || strings.ContainsFunc(status, func(r rune) bool { return r < 0x80 && unicode.IsLetter(r) }) {
		t.Errorf("status %q; want a Chinese explanation without the API's English", status)
	}
}

// browserArticleRelated: a result opens its article page, which links back
// to the results and lists related articles, never the article itself.
func browserArticleRelated(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	searchURL := env.base + "/?q=" + url.QueryEscape(seedTitle)
	do(t, ctx,
		chromedp.Navigate(searchURL),
		chromedp.WaitVisible(chromedp.CSS(`#results a[href="/a/`+seedID+`"]`)),
		chromedp.Click(chromedp.CSS(`#results a[href="/a/`+seedID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("h1.article-title")),
	)
	a := readArticle(t, ctx)
	if a.Title != seedTitle || !strings.Contains(a.Meta, "2024-05-25 13:09") || len(a.Paragraphs) < 5 {
		t.Errorf("article: title %q, meta %q, %d paragraphs", a.Title, a.Meta, len(a.Paragraphs))
	}
	if a.Back != searchURL {
		t.Errorf("back link %q, want the results it came from %q", a.Back, searchURL)
	}
	w := waitWidget(t, ctx)
	if w.Heading != "相关文章" || len(w.Items) == 0 {
		t.Fatalf("widget: heading %q, %d items", w.Heading, len(w.Items))
	}
	for _, it := range w.Items {
		if it.Text == seedTitle || strings.HasSuffix(it.Href, "/a/"+seedID) {
			t.Errorf("the related list holds the article itself: %+v", it)
		}
		// hb-04 has a page of its own on the site (testdata/browser).
		if !strings.HasPrefix(it.Href, env.base+"/a/") && it.Href != "https://www.site.example/2024/huabei-tiqian.html" {
			t.Errorf("related link %q, want a page of %s or the article's own", it.Href, env.base)
		}
	}
	shot(t, ctx, env.shots, "05-article.png")
}

// browserEmbedsOnPartner: on a page of an allowed origin, the widget lists
// related articles as text linking to zhsearch, styles neither leak in nor
// out, and the search-box embed suggests and submits to the search page.
func browserEmbedsOnPartner(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	base := env.base
	do(t, ctx, chromedp.Navigate(env.partner.URL+"/post?zh="+url.QueryEscape(base)+"&id="+hostile2ID))
	w := waitWidget(t, ctx)
	origin := val(t, ctx, chromedp.Evaluate[string](`location.origin`))
	if origin == base {
		t.Fatalf("the partner page is on %s, the same origin as zhsearch", origin)
	}
	found := false
	for _, it := range w.Items {
		if it.Text == hostile1 {
			found = true
			if it.Href != base+"/a/"+hostile1ID {
				t.Errorf("link to %q is %q, want its zhsearch page (its url is a path, not an http(s) URL)", it.Text, it.Href)
			}
		}
	}
	if !found {
		t.Errorf("widget for %s lists %+v, want %q as text", hostile2ID, w.Items, hostile1)
	}
	if w.Elements != 0 {
		t.Errorf("%d img/svg/script/iframe elements in the widget", w.Elements)
	}
	// The host's CSS neither reaches into the widget nor is changed by it.
	if w.LinkColor == "rgb(255, 0, 0)" || strings.Contains(w.BoxFont, "serif") && !strings.Contains(w.BoxFont, "sans") {
		t.Errorf("host styles leak into the widget: link color %s, font %q", w.LinkColor, w.BoxFont)
	}
	if w.ProbeDisplay != "inline" {
		t.Errorf("the host's own <li> has display %q, want the host's inline", w.ProbeDisplay)
	}
	shot(t, ctx, env.shots, "06-partner-widget.png")

	const box = `document.querySelector('zhsearch-searchbox').shadowRoot`
	do(t, ctx,
		chromedp.Click(chromedp.JSPath(box+`.querySelector('input')`)),
		chromedp.SendKeys(chromedp.JSPath(box+`.querySelector('input')`), "花呗"),
	)
	val(t, ctx, chromedp.Poll[bool](box+`.querySelectorAll('[role="option"]').length > 0`, chromedp.WithPollingTimeout(10*time.Second)))
	st := combo(t, ctx, box)
	if st.Expanded != "true" || len(st.Options) == 0 || !strings.Contains(st.Options[0], "花呗") {
		t.Errorf("search box embed: expanded %q, options %q", st.Expanded, st.Options)
	}
	shot(t, ctx, env.shots, "06b-partner-searchbox.png")
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.KeyEvent(kb.Enter))); err != nil {
		t.Fatalf("Enter in the search box embed: %v", err)
	}
	r := waitResults(t, ctx, "花呗", 1)
	if !strings.HasPrefix(r.Href, base+"/?q=") || len(r.Titles) == 0 {
		t.Errorf("Enter in the embed went to %s with %d results", r.Href, len(r.Titles))
	}

	// A relative url (/2024/huabei.html) would resolve against zhsearch's
	// host, a page it does not have: the item links to its zhsearch page.
	do(t, ctx, chromedp.Navigate(env.partner.URL+"/post?zh="+url.QueryEscape(base)+"&id="+hostile1ID))
	rel := waitWidget(t, ctx)
	if i := slices.IndexFunc(rel.Items, func(it widgetItem) bool { return it.Text == hostile2 }); i < 0 {
		t.Errorf("widget for %s lists %+v, want %q", hostile1ID, rel.Items, hostile2)
	} else if href := rel.Items[i].Href; href != base+"/a/"+hostile2ID {
		t.Errorf("link to %q is %q, want its zhsearch page (its url is relative)", hostile2, href)
	}
}

// browserHostileTitles: titles, bodies, tags and categories written as HTML
// and script show as text in results, suggestions, the article page and
// its related list.
func browserHostileTitles(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	do(t, ctx, chromedp.Navigate(env.base+"/?q="+url.QueryEscape("花呗风控")))
	r := waitResults(t, ctx, "花呗风控", 1)
	for _, h := range []string{hostile1, hostile2} {
		i := slices.Index(r.Titles, h)
		if i < 0 {
			t.Errorf("results %q lack %q as text", r.Titles, h)
		} else if !slices.Contains(r.Marks[i], "花呗风控") {
			t.Errorf("result %q marks %q, want 花呗风控", h, r.Marks[i])
		}
	}
	if r.Elements != 0 {
		t.Errorf("%d img/svg/script/iframe elements among the results", r.Elements)
	}

	do(t, ctx,
		chromedp.Click(chromedp.CSS("#q")),
		chromedp.KeyEvent(kb.End),
		chromedp.SendKeys(chromedp.CSS("#q"), " "),
	)
	val(t, ctx, chromedp.Poll[bool](`[...document.querySelectorAll('#q-list [role="option"]')].some(o => o.textContent.includes('<'))`,
		chromedp.WithPollingTimeout(10*time.Second)))
	st := combo(t, ctx, "document")
	if !slices.Contains(st.Options, hostile1) || !slices.Contains(st.Options, hostile2) || st.Elements != 0 {
		t.Errorf("suggestions %q (%d elements), want both hostile titles as text", st.Options, st.Elements)
	}
	shot(t, ctx, env.shots, "07-hostile-suggestions.png")

	do(t, ctx,
		chromedp.Navigate(env.base+"/a/"+hostile1ID),
		chromedp.WaitVisible(chromedp.CSS("h1.article-title")),
	)
	a := readArticle(t, ctx)
	if a.Title != hostile1 || !strings.Contains(strings.Join(a.Paragraphs, ""), "<script>alert(2)</script>") ||
		!strings.Contains(a.Meta, "<u>风控</u>") || !slices.Contains(a.Tags, "<i>花呗</i>") {
		t.Errorf("article page: title %q, meta %q, tags %q, body %q", a.Title, a.Meta, a.Tags, a.Paragraphs)
	}
	if a.Elements != 0 || a.ScriptLinks != 0 || a.Source != "" {
		t.Errorf("article page: %d injected elements, %d javascript: links, source link %q", a.Elements, a.ScriptLinks, a.Source)
	}
	w := waitWidget(t, ctx)
	if len(w.Items) == 0 || w.Items[0].Text != hostile2 || w.Elements != 0 {
		t.Errorf("widget: %+v (%d elements), want %q first, as text", w.Items, w.Elements, hostile2)
	}
	shot(t, ctx, env.shots, "08-hostile-article.png")
}

// browserPhone: on a phone-sized viewport, results, suggestions and the
// article page fit the width.
func browserPhone(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	shots := env.shots
	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	do(t, ctx, chromedp.Navigate(env.base+"/?q="+url.QueryEscape("花呗")))
	waitResults(t, ctx, "花呗", 1)
	noOverflow(t, ctx, "results")
	// A result's link is a target a finger can hit: 24 px or more tall.
	if low := val(t, ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll('#results .result-title a')].map(a => a.getBoundingClientRect().height).filter(h => h < 24)`)); len(low) > 0 {
		t.Errorf("result links %v px tall on a phone, want 24 or more", low)
	}
	save(t, shots, "09-phone-results.png", val(t, ctx, chromedp.CaptureScreenshot()))

	do(t, ctx,
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`),
		chromedp.Tap(chromedp.CSS("#q")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#q').select()`),
		chromedp.SendKeys(chromedp.CSS("#q"), "征信"),
		chromedp.WaitVisible(chromedp.CSS(`#q-list [role="option"]`)),
	)
	noOverflow(t, ctx, "suggestions")
	save(t, shots, "10-phone-suggestions.png", val(t, ctx, chromedp.CaptureScreenshot()))

	do(t, ctx,
		chromedp.Navigate(env.base+"/a/"+seedID),
		chromedp.WaitVisible(chromedp.CSS("h1.article-title")),
	)
	waitWidget(t, ctx)
	noOverflow(t, ctx, "article")
	save(t, shots, "11-phone-article.png", val(t, ctx, chromedp.CaptureScreenshot()))
	do(t, ctx, chromedp.ScrollIntoView(chromedp.CSS("#related")))
	save(t, shots, "12-phone-related.png", val(t, ctx, chromedp.CaptureScreenshot()))
}

// browserEmbedsOriginRefused: on a page of an origin --cors-origins does
// not list, the embeds mount but get no data: the browser refuses the
// API's answers (CORS) and the widget stays away.
func browserEmbedsOriginRefused(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	// localhost:PORT is the partner server under another origin, one
	// that --cors-origins does not list.
	u, _ := url.Parse(env.partner.URL)
	do(t, ctx, chromedp.Navigate("http://localhost:"+u.Port()+"/post?zh="+url.QueryEscape(env.base)+"&id="+seedID))
	val(t, ctx, chromedp.Poll[bool](`document.querySelector('script[data-zhsearch-mounted][src$="/widget.js"]') !== null && document.querySelector('zhsearch-related') === null`,
		chromedp.WithPollingTimeout(10*time.Second)))
	errs := tb.errors(ctx)
	if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, "CORS") }) {
		t.Errorf("console %q, want the browser's CORS refusal", errs)
	}
}

// ---- the page state the tests read ----

// comboState is a search box's ARIA state.
type comboState struct {
	Value     string   `json:"value"`
	Expanded  string   `json:"expanded"`
	Active    string   `json:"active"`
	Hidden    bool     `json:"hidden"`
	Options   []string `json:"options"`
	OptionIDs []string `json:"ids"`
	Selected  string   `json:"selected"`
	Marked    int      `json:"marked"`
	Elements  int      `json:"elements"` // elements a title could have injected
}

// combo reads the combobox under root, a JS expression for a document or
// shadow root.
func combo(t *testing.T, ctx context.Context, root string) comboState {
	t.Helper()
	return val(t, ctx, chromedp.Evaluate[comboState](`(() => {
		const root = `+root+`;
		const input = root.querySelector('[role="combobox"]');
		const list = root.getElementById(input.getAttribute('aria-controls'));
		const opts = [...list.querySelectorAll('[role="option"]')];
		const sel = opts.find(o => o.getAttribute('aria-selected') === 'true');
		return {
			value: input.value,
			expanded: input.getAttribute('aria-expanded'),
			active: input.getAttribute('aria-activedescendant') || '',
			hidden: list.hidden,
			options: opts.map(o => o.textContent),
			ids: opts.map(o => o.id),
			selected: sel ? sel.id : '',
			marked: list.querySelectorAll('[role="option"] mark').length,
			elements: list.querySelectorAll('img, svg, script, iframe').length,
		};
	})()`))
}

// results is the search page's state.
type results struct {
	Href     string     `json:"href"`
	Search   string     `json:"search"`
	Value    string     `json:"value"`
	Status   string     `json:"status"`
	Titles   []string   `json:"titles"`
	Marks    [][]string `json:"marks"` // the <mark> texts of each title
	Current  string     `json:"current"`
	Elements int        `json:"elements"`
}

// waitResults waits for the search page to show page `page` of query q, and
// reads it.
func waitResults(t *testing.T, ctx context.Context, q string, page int) results {
	t.Helper()
	want := "?q=" + url.QueryEscape(q)
	if page > 1 {
		want += fmt.Sprintf("&page=%d", page)
	}
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`location.search === %q && document.querySelector('#results.loading') === null &&
		document.querySelector('#results li, #empty:not([hidden])') !== null &&
		(%d === 1 || document.querySelector('#pager [aria-current="page"]')?.textContent === '%d')`, want, page, page),
		chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("waiting for results of %s: %v (at %s)", want, err, loc)
	}
	return val(t, ctx, chromedp.Evaluate[results](`(() => {
		const titles = [...document.querySelectorAll('#results .result-title')];
		const cur = document.querySelector('#pager [aria-current="page"]');
		return {
			href: location.href,
			search: location.search,
			value: document.querySelector('#q').value,
			status: document.querySelector('#status').textContent,
			titles: titles.map(h => (h.querySelector('a') || h).textContent), // the link: a relaxed hit's heading also says 部分符合 to screen readers
			marks: titles.map(h => [...h.querySelectorAll('mark')].map(m => m.textContent)),
			current: cur ? cur.textContent : '',
			elements: document.querySelectorAll('#results img, #results svg, #results script, #results iframe, #results b, #results i').length,
		};
	})()`))
}

// article is the article page's state.
type article struct {
	Title       string   `json:"title"`
	Meta        string   `json:"meta"`
	Tags        []string `json:"tags"`
	Paragraphs  []string `json:"paragraphs"`
	Back        string   `json:"back"`
	Source      string   `json:"source"`
	Elements    int      `json:"elements"`
	ScriptLinks int      `json:"scriptLinks"`
}

func readArticle(t *testing.T, ctx context.Context) article {
	t.Helper()
	return val(t, ctx, chromedp.Evaluate[article](`(() => {
		const q = s => document.querySelector(s);
		const src = q('.source a');
		return {
			title: q('h1.article-title').textContent,
			meta: q('.article-meta') ? q('.article-meta').textContent : '',
			tags: [...document.querySelectorAll('.tags a')].map(a => a.textContent),
			paragraphs: [...document.querySelectorAll('.article-body p')].map(p => p.textContent),
			back: q('#back').href,
			source: src ? src.href : '',
			elements: document.querySelectorAll('main img, main svg, main iframe, main b, main u, main i, .article script').length,
			scriptLinks: [...document.querySelectorAll('a[href]')].filter(a => !/^https?:$/.test(a.protocol)).length,
		};
	})()`))
}

// widget is the related-articles widget's state, read through its shadow
// root.
type widget struct {
	Heading      string       `json:"heading"`
	Items        []widgetItem `json:"items"`
	Elements     int          `json:"elements"`
	LinkColor    string       `json:"linkColor"`
	BoxFont      string       `json:"boxFont"`
	ProbeDisplay string       `json:"probeDisplay"`
}

// widgetItem is one related article the widget lists.
type widgetItem struct {
	Text string `json:"text"`
	Href string `json:"href"`
}

// waitWidget waits for the widget on the page to list its articles.
func waitWidget(t *testing.T, ctx context.Context) widget {
	t.Helper()
	const root = `document.querySelector('zhsearch-related')?.shadowRoot`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](root+`?.querySelector('li, .msg:not(:empty)') && !`+root+`.querySelector('[aria-busy]')`,
		chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("waiting for the related-articles widget: %v", err)
	}
	return val(t, ctx, chromedp.Evaluate[widget](`(() => {
		const root = `+root+`;
		const a = root.querySelector('a');
		const probe = document.getElementById('probe');
		return {
			heading: root.querySelector('h2').textContent,
			items: [...root.querySelectorAll('li a')].map(a => ({text: a.textContent, href: a.href})),
			elements: root.querySelectorAll('img, svg, script, iframe').length,
			linkColor: a ? getComputedStyle(a).color : '',
			boxFont: getComputedStyle(root.querySelector('.box')).fontFamily,
			probeDisplay: probe ? getComputedStyle(probe).display : '',
		};
	})()`))
}

// noOverflow fails when the page is wider than the viewport (a phone would
// scroll sideways).
func noOverflow(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	w := val(t, ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if w[0] > w[1] {
		t.Errorf("%s: page is %dpx wide in a %dpx viewport", what, w[0], w[1])
	}
}

// historyEntry returns the id of the session-history entry delta steps
// from the current one: -1 is what the back button goes to.
func historyEntry(t *testing.T, ctx context.Context, delta int64) int64 {
	t.Helper()
	h := val(t, ctx, chromedp.NavigationEntries())
	i := h.CurrentIndex + delta
	if i < 0 || i >= int64(len(h.Entries)) {
		t.Fatalf("no history entry %+d from %d of %d", delta, h.CurrentIndex, len(h.Entries))
	}
	return h.Entries[i].ID
}

func apiTotal(t *testing.T, base, q string) uint64 {
	t.Helper()
	var sr searchResp
	getJSON(t, base+"/api/v1/search?q="+url.QueryEscape(q), 200, &sr)
	return sr.Total
}

// ---- fixtures: server, data, partner page ----

// startServeConfig runs `zhsearch serve` in-process with cfg and returns
// its base URL.
func startServeConfig(t *testing.T, cfg serveConfig) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	b := startBackground(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil)))
	t.Cleanup(func() {
		cancel()
		b.stopped(t)
	})
	return b.listening(t, logs)
}

// browserData returns a data folder holding the bundled corpus (../../data)
// and testdata/browser/*.jsonl.
func browserData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var srcs []string
	for _, pat := range []string{"../../data/*.txt", "../../data/*.jsonl", "testdata/browser/*.jsonl"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, m...)
	}
	for _, src := range srcs {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		// A page's id is its file name, so names are kept.
		dst := filepath.Join(dir, filepath.Base(src))
		if _, err := os.Stat(dst); err == nil {
			t.Fatalf("%s: a file of that name is already in the test data folder", src)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// partnerPage serves a page of a partner site for ?zh=BASE&id=ARTICLE: its
// own styles (which must not reach into the embeds) and both embeds, loaded
// from zhsearch at BASE.
// browserWidgetGivesUp: a widget whose API never answers removes itself
// after its data-timeout-ms, as after a failure, instead of saying
// 正在加载… for ever.
func browserWidgetGivesUp(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	hang := make(chan struct{})
	// Serves the scripts as zhsearch does; its API never answers.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return
		}
		resp, err := http.Get(env.base + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		io.Copy(w, resp.Body)
	}))
	defer slow.Close()
	defer close(hang) // before Close, which waits for the requests to end
	do(t, ctx, chromedp.Navigate(env.partner.URL+"/post?zh="+url.QueryEscape(slow.URL)+"&id="+seedID+"&timeout=1000"))
	val(t, ctx, chromedp.Poll[bool](`document.querySelector('zhsearch-related') !== null`, chromedp.WithPollingTimeout(10*time.Second)))
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('zhsearch-related') === null`, chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil {
		t.Errorf("the widget still waits for a server that never answers, past its 1 s timeout: %v", err)
	}
}

// browserWidgetKeepsFallback: a widget rendered into a data-target that
// cannot show its list (an unknown article) puts back what the host page
// had there, where it left the element empty; a widget that shows its list
// says it is Chinese, so that a screen reader on an English page reads it
// as such.
func browserWidgetKeepsFallback(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	do(t, ctx, chromedp.Navigate(env.partner.URL+"/post?zh="+url.QueryEscape(env.base)+"&id="+seedID+"&slot=no-such-article"))
	val(t, ctx, chromedp.Poll[bool](`document.querySelectorAll('zhsearch-related').length === 1 &&
		document.querySelector('zhsearch-related').shadowRoot.querySelector('li') !== null`, chromedp.WithPollingTimeout(10*time.Second)))
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#slot zhsearch-related') === null &&
		document.querySelector('#slot a') !== null && document.querySelector('#slot').textContent.trim() === '合作站点自己的推荐'`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil {
		html := val(t, ctx, chromedp.Evaluate[string](`document.querySelector('#slot').outerHTML`))
		t.Errorf("the failed widget's target: %s; want the page's own link back (%v)", html, err)
	}
	if lang := val(t, ctx, chromedp.Evaluate[string](`document.querySelector('zhsearch-related').getAttribute('lang') || ''`)); lang != "zh-CN" {
		t.Errorf("the widget's lang = %q, want zh-CN", lang)
	}
}

// browserWidgetLateTarget: a widget or a search box whose async script
// runs before the page has parsed its data-target (a slow script between
// them keeps the parser waiting) renders into the target once it is there,
// not after the script beside the page's own fallback.
func browserWidgetLateTarget(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	do(t, ctx, chromedp.Navigate(env.partner.URL+"/post?zh="+url.QueryEscape(env.base)+"&id="+seedID+"&late="+seedID))
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#late zhsearch-related') !== null &&
		document.querySelector('#late zhsearch-related').shadowRoot.querySelector('li') !== null`, chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		html := val(t, ctx, chromedp.Evaluate[string](`document.querySelector('#late') ? document.querySelector('#late').outerHTML : '(no #late)'`))
		t.Errorf("the late target: %s; want the related list in it (%v)", html, err)
	}
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('zhsearch-related').length`)); n != 2 {
		t.Errorf("%d widgets on the page, want 2 (the article's and the late target's)", n)
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#latebox zhsearch-searchbox') !== null &&
		document.querySelector('#latebox input[name=q]') === null`, chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		html := val(t, ctx, chromedp.Evaluate[string](`document.querySelector('#latebox') ? document.querySelector('#latebox').outerHTML : '(no #latebox)'`))
		t.Errorf("the late search box target: %s; want the search box in place of the page's form (%v)", html, err)
	}
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('zhsearch-searchbox').length`)); n != 2 {
		t.Errorf("%d search boxes on the page, want 2 (the page's top one and the late target's)", n)
	}
}

// partnerPage is another site's article page embedding widget.js and
// searchbox.js. Its first search box and widget load in CORS mode
// (crossorigin), as a page that checks their integrity (SRI) loads them.
func partnerPage() http.HandlerFunc {
	tmpl := template.Must(template.New("partner").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>合作站点</title>
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font-family: serif; font-size: 21px; color: #552200; margin: 24px auto; max-width: 720px; background: #fdf6e3; }
a { color: rgb(255, 0, 0) !important; font-size: 30px; }
li { display: inline; }
h2 { color: green; text-transform: uppercase; }
</style></head>
<body>
<h1>合作站点的一篇文章</h1>
{{if .Clobber}}<img name="currentScript" src="{{.Clobber}}/widget.js" data-article-id="{{.ID}}" alt="">{{end}}
<ul><li id="probe">合作站点自己的列表</li></ul>
<script src="{{.Base}}/searchbox.js" data-placeholder="搜索本站文章" crossorigin="anonymous" async></script>
<p>正文……这段文字属于合作站点,样式也是合作站点自己的。</p>
<script src="{{.Base}}/widget.js" crossorigin="anonymous" data-article-id="{{.ID}}" data-size="5"{{if .Timeout}} data-timeout-ms="{{.Timeout}}"{{end}} async></script>
{{if .Slot}}<div id="slot"><a href="/own">合作站点自己的推荐</a></div>
<script src="{{.Base}}/widget.js" data-article-id="{{.Slot}}" data-target="#slot" async></script>{{end}}
{{if .Late}}<script src="{{.Base}}/widget.js" data-article-id="{{.Late}}" data-target="#late" async></script>
<script src="{{.Base}}/searchbox.js" data-target="#latebox" async></script>
<script src="/slow.js"></script>
<div id="late"><a href="/own">合作站点自己的推荐</a></div>
<form id="latebox" action="/own"><input name="q" placeholder="合作站点自己的搜索框"></form>{{end}}
<p>文章结束。</p>
</body></html>`))
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// A host page that requires Trusted Types refuses strings as
		// HTML: the embeds must work there too.
		w.Header().Set("Content-Security-Policy", "require-trusted-types-for 'script'")
		q := r.URL.Query()
		data := struct{ Base, ID, Timeout, Slot, Late, Clobber string }{q.Get("zh"), q.Get("id"), q.Get("timeout"), q.Get("slot"), q.Get("late"), q.Get("clobber")}
		if r.URL.Path == "/slow.js" {
			// A script that keeps the parser waiting, as a slow network or
			// a long page does: an async widget.js before it runs first,
			// before the page has parsed what comes after.
			time.Sleep(1500 * time.Millisecond)
			w.Header().Set("Content-Type", "text/javascript")
			io.WriteString(w, "/* slow */\n")
			return
		}
		if err := tmpl.Execute(w, data); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}
}

// ---- the browser ----

// chromiumPath finds the browser, or skips the test when there is none and
// ZHSEARCH_REQUIRE_BROWSER is unset.
func chromiumPath(t *testing.T) string {
	t.Helper()
	names := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	if p := os.Getenv("ZHSEARCH_CHROMIUM"); p != "" {
		names = []string{p}
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("browser tests need chromium (%s) and found none: install it with "+
		"`apt-get install chromium` (./scripts/install-browser) or name it in ZHSEARCH_CHROMIUM", strings.Join(names, ", "))
	if os.Getenv("ZHSEARCH_REQUIRE_BROWSER") != "" {
		t.Fatal(msg + "; ZHSEARCH_REQUIRE_BROWSER is set, so this fails")
	}
	t.Skip(msg + "; set ZHSEARCH_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// startBrowser starts a headless chromium with a fresh profile and returns
// a context for it; the browser ends with the test.
func startBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() }) // before the profile folder is removed
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// tab is one browser tab with everything it logged: dialogs it opened and
// errors and exceptions on its console.
type tab struct {
	ctx context.Context
	mu  sync.Mutex
	bad []string // dialogs and console errors, with the page they came from
}

// newTab opens a tab in browser and starts recording.
func newTab(t *testing.T, browser context.Context) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	tb := &tab{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		// Runs in the tab's event loop: record, and run no command here.
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			tb.record("dialog %s %q on %s", ev.Type, ev.Message, ev.URL)
			go func() { // an open dialog blocks the page
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}()
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				tb.record("console.%s %s", ev.Type, consoleArgs(ev.Args))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				text += " " + d.Exception.Description
			}
			tb.record("exception %s at %s:%d", text, d.URL, d.LineNumber+1)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				tb.record("browser log (%s) %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func (tb *tab) record(format string, args ...any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.bad = append(tb.bad, fmt.Sprintf(format, args...))
}

// errors returns what the tab recorded so far. A round trip to the page
// first makes sure every event sent before it has been seen.
func (tb *tab) errors(ctx context.Context) []string {
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[int](`1`))
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return slices.Clone(tb.bad)
}

// check fails the test for every dialog and console error so far.
func (tb *tab) check(t *testing.T) {
	t.Helper()
	for _, e := range tb.errors(tb.ctx) {
		t.Errorf("in the browser: %s", e)
	}
}

// limit returns the tab's context with a deadline for one subtest.
func (tb *tab) limit(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(tb.ctx, actionLimit)
	t.Cleanup(cancel)
	return ctx
}

func consoleArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		case a.Description != "":
			parts = append(parts, a.Description)
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// ---- small helpers ----

// do runs actions in the tab, failing the test on an error.
func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(context.WithoutCancel(ctx), chromedp.Location())
		t.Fatalf("browser: %v (page %s)", err, loc)
	}
}

// val runs one action that returns a value, failing the test on an error.
func val[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		var ex *chromedp.ExceptionError
		if errors.As(err, &ex) {
			t.Fatalf("in the page: %v", ex)
		}
		t.Fatalf("browser: %v", err)
	}
	return v
}

// screenshotDir is where the screenshots go: $ZHSEARCH_SCREENSHOTS or a
// new temporary folder that outlives the test, so they can be looked at.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ZHSEARCH_SCREENSHOTS")
	var err error
	if dir != "" {
		err = os.MkdirAll(dir, 0o755)
	} else {
		dir, err = os.MkdirTemp("", "zhsearch-screenshots-")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s", dir)
	return dir
}

// shot saves a full-page PNG screenshot.
func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	save(t, dir, name, val(t, ctx, chromedp.FullScreenshot(100)))
}

func save(t *testing.T, dir, name string, png []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
