package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// browserKeyboardReader: what a reader on the keyboard, or with a screen
// reader, meets on the search page (found by a probe): the live region that
// announces the count is there before the first search; "/" selects the
// query it focuses, so typing replaces it; Escape pressed before the
// suggestions show keeps what was typed.
func browserKeyboardReader(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	do(t, ctx, chromedp.Navigate(env.base+"/"), chromedp.WaitVisible(chromedp.CSS("#q")))
	// A live region inserted together with its text is announced
	// unreliably: an empty one must be rendered, not display:none.
	if shown := val(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('#status[role="status"]')).display`)); shown == "none" {
		t.Error("the status live region is display:none before the first search: its first count goes unannounced")
	}

	q := "花呗"
	do(t, ctx, chromedp.Navigate(env.base+"/?q="+url.QueryEscape(q)))
	waitResults(t, ctx, q, 1)
	// ArrowDown in the box that came with the query opens its
	// suggestions, and a live region says how many came.
	do(t, ctx,
		chromedp.Focus(chromedp.CSS("#q")),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.WaitVisible(chromedp.CSS(`#q-list [role="option"]`)))
	st := combo(t, ctx, "document")
	said := val(t, ctx, chromedp.Evaluate[string](`document.querySelector('.combo [role="status"]').textContent`))
	if want := fmt.Sprintf("%d 条建议", len(st.Options)); !strings.HasPrefix(said, want) {
		t.Errorf("with %d suggestions shown, the live region says %q, want it to start with %q", len(st.Options), said, want)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Escape))
	if said = val(t, ctx, chromedp.Evaluate[string](`document.querySelector('.combo [role="status"]').textContent`)); said != "" {
		t.Errorf("the list closed, the live region still says %q", said)
	}
	// Paging puts the focus on the results' heading, which a screen
	// reader says, not on the whole of <main>.
	do(t, ctx, chromedp.Click(chromedp.CSS(`#pager a[data-page="2"]`)))
	waitResults(t, ctx, q, 2)
	if got := val(t, ctx, chromedp.Evaluate[string](`document.activeElement.tagName + '#' + document.activeElement.id`)); got != "H1#results-heading" {
		t.Errorf("after paging, the focus is on %s, want the results' heading", got)
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	// One keyDown with its text, as a keyboard sends it: the page's
	// preventDefault keeps the "/" out of the box.
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", Text: "/", WindowsVirtualKeyCode: 191}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: "逾期"}); err != nil {
		t.Fatal(err)
	}
	if got := val(t, ctx, chromedp.Evaluate[string](`document.querySelector('#q').value`)); got != "逾期" {
		t.Errorf(`"/" then 逾期 typed on the results of %s: the box holds %q, want 逾期`, q, got)
	}

	// Escape within the pause before suggestions are asked for (or while
	// they are fetched) stops them; the search field's own Escape, which
	// empties it, does not happen.
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('#q').select()`))
	if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: "花呗逾期"}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Escape), chromedp.Sleep(time.Second))
	if st := combo(t, ctx, "document"); st.Value != "花呗逾期" || st.Expanded != "false" {
		t.Errorf("Escape before the suggestions showed: value %q, expanded %q; want 花呗逾期 kept and the list closed", st.Value, st.Expanded)
	}
}

// browserZoomAndContrast: a page zoomed to 200%, a 320 px phone and Windows
// High Contrast (forced colors), as a probe found them: focus moved back
// through the results is never under the top bar; a suggestion's whole
// title shows; the focused box, the option Enter picks and the current
// page stand out when forced colors drop backgrounds and shadows.
func browserZoomAndContrast(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	q := "花呗"
	do(t, ctx, chromedp.EmulateViewport(640, 360, chromedp.EmulateScale(2)))
	do(t, ctx, chromedp.Navigate(env.base+"/?q="+url.QueryEscape(q)))
	waitResults(t, ctx, q, 1)
	// Focus the last result's link, then each one before it, as
	// Shift+Tab does: each must show below the top bar.
	hidden := val(t, ctx, chromedp.Evaluate[[]string](`(() => {
		const links = [...document.querySelectorAll('#results .result-title a')];
		const under = [];
		for (let i = links.length - 1; i >= 0; i--) {
			links[i].focus();
			const bar = document.querySelector('.topbar').getBoundingClientRect();
			const r = links[i].getBoundingClientRect();
			if (r.top < bar.bottom - 1 && bar.bottom > 0) under.push(links[i].textContent + ' at ' + Math.round(r.top) + ' under a bar ending at ' + Math.round(bar.bottom));
		}
		return under;
	})()`))
	for _, h := range hidden {
		t.Errorf("zoomed to 200%%, focus under the top bar: %s", h)
	}

	do(t, ctx, chromedp.EmulateViewport(320, 640))
	do(t, ctx, suggestionsFor(env, "征信")...)
	cut := val(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#q-list [role="option"]')]
		.filter(o => o.scrollWidth > o.clientWidth + 1).map(o => o.textContent)`))
	if len(cut) > 0 {
		t.Errorf("at 320 px, suggestions cut short: %q", cut)
	}

	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "forced-colors", Value: "active"}},
	}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.EmulateViewport(1024, 768))
	do(t, ctx, suggestionsFor(env, "花呗", chromedp.KeyEvent(kb.ArrowDown))...)
	type look struct {
		BoxFocused   string `json:"boxFocused"`
		BoxBlurred   string `json:"boxBlurred"`
		Selected     string `json:"selected"`
		Other        string `json:"other"`
		ForcedColors bool   `json:"forcedColors"`
	}
	got := val(t, ctx, chromedp.Evaluate[look](`(() => {
		// Outlines are what forced colors keep; backgrounds and shadows go.
		const outline = e => { const s = getComputedStyle(e); return s.outlineStyle === 'none' ? 'none' : s.outlineStyle + ' ' + s.outlineWidth; };
		const box = document.querySelector('#q');
		const sel = document.querySelector('#q-list [aria-selected="true"]');
		const other = document.querySelector('#q-list [aria-selected="false"]');
		const r = { forcedColors: matchMedia('(forced-colors: active)').matches, boxFocused: outline(box), selected: outline(sel), other: other ? outline(other) : '' };
		box.blur();
		r.boxBlurred = outline(box);
		return r;
	})()`))
	if !got.ForcedColors {
		t.Fatal("forced colors not emulated")
	}
	if got.BoxFocused == got.BoxBlurred {
		t.Errorf("forced colors: the search box looks the same focused and not (%s)", got.BoxFocused)
	}
	if got.Selected == got.Other {
		t.Errorf("forced colors: the option Enter picks is outlined as the others are (%s)", got.Selected)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
}

// browserFailedWidgetNoLandmark: when the related list fails, the article
// page offers no empty "相关文章" landmark; when it works, its list is a
// landmark named by its heading.
func browserFailedWidgetNoLandmark(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	do(t, ctx, chromedp.Navigate(env.base+"/a/"+seedID), chromedp.WaitVisible(chromedp.CSS("h1.article-title")))
	waitWidget(t, ctx)
	if name := val(t, ctx, chromedp.Evaluate[string](`(() => {
		const box = document.querySelector('zhsearch-related').shadowRoot.querySelector('section');
		const h = box.getRootNode().getElementById(box.getAttribute('aria-labelledby') || '');
		return h ? h.textContent : '';
	})()`)); name == "" {
		t.Error("the related list's section is not named by its heading")
	}

	// The API refuses the article's related list: the widget removes itself.
	blockRelated(t, ctx)
	do(t, ctx, chromedp.Navigate(env.base+"/a/"+seedID), chromedp.WaitVisible(chromedp.CSS("h1.article-title")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('zhsearch-related') === null`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the widget stayed on the page with its list refused: %v", err)
	}
	regions := val(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('section[aria-label], section[aria-labelledby], [role="region"]')]
		.filter(s => s.textContent.trim() === '').map(s => s.getAttribute('aria-label') || s.outerHTML.slice(0, 80))`))
	if len(regions) > 0 {
		t.Errorf("the failed widget left empty landmarks: %q", regions)
	}
}

// blockRelated makes the tab's related-list requests fail from its next
// page on, as a network that drops them would: the widget's fetch is
// refused before it leaves the page.
func blockRelated(t *testing.T, ctx context.Context) {
	t.Helper()
	const refuse = `(() => {
		const f = window.fetch;
		window.fetch = (u, o) => String(u && u.url || u).includes('/related') ? Promise.reject(new TypeError('blocked by the test')) : f(u, o);
	})();`
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: refuse}); err != nil {
		t.Fatal(err)
	}
}

// browserReadAloud: what a screen reader reads: a result's date and site
// without the dot that only separates them on screen, and the article
// page's back link by its words, not an arrow.
func browserReadAloud(t *testing.T, env *browserEnv, tb *tab) {
	ctx := tb.limit(t)
	q := "花呗怎么提前还款" // its article has a date and a site of its own
	do(t, ctx, chromedp.Navigate(env.base+"/?q="+url.QueryEscape(q)))
	waitResults(t, ctx, q, 1)
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#results .result-meta > * + *').length`)); n == 0 {
		t.Fatalf("no result of %s shows a date and a site: nothing to separate", q)
	}
	if dots := axNames(t, ctx, func(role, name string) bool { return role == "StaticText" && strings.TrimSpace(name) == "·" }); len(dots) > 0 {
		t.Errorf("%d separator dots read aloud", len(dots))
	}
	do(t, ctx, chromedp.Navigate(env.base+"/a/"+seedID), chromedp.WaitVisible(chromedp.CSS("h1.article-title")))
	back := axNames(t, ctx, func(role, name string) bool { return role == "link" && strings.Contains(name, "返回搜索") })
	if len(back) != 1 || back[0] != "返回搜索" {
		t.Errorf("the back link reads %q, want 返回搜索", back)
	}
}

// axNames returns the names of the page's accessibility tree nodes, as a
// screen reader gets them, that keep(role, name) keeps.
func axNames(t *testing.T, ctx context.Context, keep func(role, name string) bool) []string {
	t.Helper()
	tree, err := chromedp.Call(ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range tree.Nodes {
		if n.Ignored || n.Name == nil || n.Role == nil {
			continue
		}
		var name, role string
		_ = json.Unmarshal(n.Name.Value, &name)
		_ = json.Unmarshal(n.Role.Value, &role)
		if keep(role, name) {
			names = append(names, name)
		}
	}
	return names
}

// browserEmbedsNotClobbered: a visitor who may post HTML on a partner's
// page (<img name="currentScript" src="https://theirs/widget.js">) takes
// document.currentScript's place; the embeds then stay away rather than
// take their API from the visitor's server (security probe).
func browserEmbedsNotClobbered(t *testing.T, env *browserEnv, tb *tab) {
	var asked atomic.Int64
	theirs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/api/") {
			asked.Add(1)
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"related":[{"id":"x","title":"访客的链接","url":"https://theirs.example/"}],"suggestions":[]}`)
	}))
	defer theirs.Close()
	ctx := tb.limit(t)
	do(t, ctx,
		chromedp.Navigate(env.partner.URL+"/post?zh="+url.QueryEscape(env.base)+"&id="+seedID+"&clobber="+url.QueryEscape(theirs.URL)),
		chromedp.WaitVisible(chromedp.CSS("h1")),
		chromedp.Sleep(2*time.Second))
	if n := asked.Load(); n > 0 {
		t.Errorf("the embeds asked the visitor's server %d times", n)
	}
	if got := val(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('zhsearch-related')].map(e => e.shadowRoot ? e.shadowRoot.textContent : '').join('|')`)); strings.Contains(got, "访客的链接") {
		t.Errorf("the widget shows the visitor's links: %q", got)
	}
}
