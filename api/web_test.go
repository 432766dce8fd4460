package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/api/web"
)

// webFake is a SearchService holding a few articles in memory.
type webFake struct {
	articles map[string]*zhsearch.Article
}

func newWebFake() *webFake {
	return &webFake{articles: map[string]*zhsearch.Article{
		"plain": {ID: "plain", Title: "花呗协商还款对征信的影响", Body: "第一段。\n\n  第二段。  \n",
			PublishedAt: time.Date(2024, 5, 25, 5, 9, 59, 0, time.UTC), URL: "https://site.example/p/1",
			Related: []string{"征信花了怎么办"}},
		"hostile": {ID: "hostile", Title: "<img src=x onerror=alert(1)>花呗风控", Body: "<script>alert(2)</script>正文",
			URL: "javascript:alert(3)", Category: "<u>风控</u>", Tags: []string{"<i>花呗</i>"},
			Related: []string{`"><svg onload=alert(4)>`}},
		"title-only": {ID: "title-only", Title: "网贷逾期怎么办", TitleOnly: true},
		"long":       {ID: "long", Title: "征信", Body: strings.Repeat("征信", 100)},
		"broken":     {ID: "broken", Title: "x"},
	}}
}

func (f *webFake) Search(_ context.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return &zhsearch.SearchResult{Query: req.Query, Page: req.Page, Size: req.Size, Hits: []zhsearch.Hit{}}, nil
}

func (f *webFake) Suggest(_ context.Context, req zhsearch.SuggestRequest) (*zhsearch.SuggestResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return &zhsearch.SuggestResult{Query: req.Query, Suggestions: []zhsearch.Suggestion{}}, nil
}

func (f *webFake) Related(context.Context, zhsearch.RelatedRequest) (*zhsearch.RelatedResult, error) {
	return &zhsearch.RelatedResult{Related: []zhsearch.RelatedItem{}}, nil
}

func (f *webFake) Article(_ context.Context, id string) (*zhsearch.Article, error) {
	if id == "broken" {
		return nil, errors.New("disk on fire at /var/index/secret")
	}
	if a, ok := f.articles[id]; ok {
		return a, nil
	}
	return nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "article not found")
}

func (f *webFake) Ready(context.Context) error { return nil }

func webGet(t *testing.T, h http.Handler, method, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(body)
}

func quietServer() http.Handler {
	return (&Server{Service: newWebFake(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
}

func TestPages(t *testing.T) {
	h := quietServer()
	tests := []struct {
		name, path string
		status     int
		want       []string // substrings of the body
		notWant    []string
	}{
		{"search page", "/", 200,
			[]string{`<html lang="zh-CN">`, `<input id="q" name="q" type="search" value=""`, `role="combobox"`, `role="listbox"`,
				`<title>站内搜索</title>`, `/static/app.css?v=`, `/static/search.js?v=`}, []string{`name="robots"`}},
		// Internal search results are no page for a search engine's list.
		{"search results are not indexed", "/?q=花呗", 200,
			[]string{`<meta name="robots" content="noindex, follow">`}, []string{`rel="canonical"`}},
		{"search page keeps the query", "/?q=" + "%3Cscript%3E花呗", 200,
			[]string{`value="&lt;script&gt;花呗"`, `<title>&lt;script&gt;花呗 - 站内搜索</title>`}, []string{"<script>花呗"}},
		// A later page is named in the title, as search.js names it; a
		// page number that is not one is not.
		{"search page names a later page", "/?q=花呗&page=3", 200,
			[]string{`<title>花呗 - 第 3 页 - 站内搜索</title>`}, nil},
		{"search page title without a page number that is none", "/?q=花呗&page=x3", 200,
			[]string{`<title>花呗 - 站内搜索</title>`}, nil},
		// A bidi override would turn the page's own text around the query.
		{"search page shows the query without bidi controls", "/?q=%E2%80%AE%E8%8A%B1%E5%91%97%E2%81%A6x%E2%81%A9", 200,
			[]string{`value="花呗x"`, `<title>花呗x - 站内搜索</title>`}, []string{"\u202e", "\u2066", "\u2069"}},
		// The API refuses a control character; the page showed it raw.
		{"search page shows the query without control characters", "/?q=%01%E8%8A%B1%E5%91%97%07x", 200,
			[]string{`value="花呗 x"`, `<title>花呗 x - 站内搜索</title>`}, []string{"\x01", "\x07"}},
		// A query too long for the API is shown cut to its length.
		{"search page cuts a query too long", "/?q=" + strings.Repeat("a", 60000), 200,
			[]string{`value="` + strings.Repeat("a", 200) + `"`}, []string{strings.Repeat("a", 201)}},
		{"search page shows invalid UTF-8 as U+FFFD", "/?q=%E8%8A%B1%FF", 200,
			[]string{"value=\"花\uFFFD\""}, []string{"\xff"}},
		{"article", "/a/plain", 200,
			[]string{`<h1 class="article-title">花呗协商还款对征信的影响</h1>`, `<time datetime="2024-05-25T13:09:59&#43;08:00">发布时间 2024-05-25 13:09</time>`,
				"<p>第一段。</p>", "<p>第二段。</p>", `href="https://site.example/p/1"`, `data-article-id="plain"`, `src="/widget.js"`,
				`href="/?q=%e5%be%81%e4%bf%a1%e8%8a%b1%e4%ba%86%e6%80%8e%e4%b9%88%e5%8a%9e"`,
				// The site's own page is the original; search engines credit it.
				`<link rel="canonical" href="https://site.example/p/1">`, `<meta name="description" content="第一段。 第二段。">`},
			[]string{`name="robots"`}},
		{"a long body is described by its start", "/a/long", 200,
			[]string{`<meta name="description" content="` + strings.Repeat("征信", 60) + `">`}, nil},
		{"hostile article is text", "/a/hostile", 200,
			[]string{"&lt;img src=x onerror=alert(1)&gt;花呗风控", "&lt;script&gt;alert(2)&lt;/script&gt;正文", "&lt;u&gt;风控&lt;/u&gt;",
				"&lt;i&gt;花呗&lt;/i&gt;", "&#34;&gt;&lt;svg onload=alert(4)&gt;"},
			[]string{"<img", "<script>alert", "javascript:", "<svg", "<u>", "<i>", "阅读原文"}},
		{"title-only article", "/a/title-only", 200, []string{"本站只收录了这篇文章的标题", `<meta name="robots" content="noindex, follow">`},
			[]string{"发布时间", `rel="canonical"`, `name="description"`}},
		{"unknown article", "/a/nope", 404, []string{"找不到这篇文章", `<input id="q"`}, nil},
		{"bad id", "/a/..%00", 404, []string{"找不到这篇文章"}, nil},
		{"internal error is not leaked", "/a/broken", 500, []string{"出错了"}, []string{"disk on fire", "/var/index"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := webGet(t, h, "GET", tt.path)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d; body %.300s", res.StatusCode, tt.status, body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("body holds %q", w)
				}
			}
		})
	}
}

// TestMissingPage: a browser following a broken link gets the site's error
// page; API clients and requests that do not take HTML get JSON.
func TestMissingPage(t *testing.T) {
	h := quietServer()
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	tests := []struct {
		method, path, accept string
		html                 bool
	}{
		{"GET", "/nope", browser, true},
		{"GET", "/a/", browser, true},
		{"HEAD", "/nope", browser, true},
		{"GET", "/static/nope.css", browser, true},
		{"GET", "/static/nope.css", "text/css,*/*;q=0.1", false}, // a stylesheet link
		{"GET", "/nope", "", false},
		{"GET", "/api/v1/nope", browser, false},
		{"POST", "/nope", browser, false},
	}
	for _, tt := range tests {
		res, body := webGet(t, h, tt.method, tt.path, "Accept", tt.accept)
		ct := res.Header.Get("Content-Type")
		if tt.html && (res.StatusCode != 404 || ct != "text/html; charset=utf-8" || tt.method == "GET" && !strings.Contains(body, "找不到这个页面")) {
			t.Errorf("%s %s: %d %q, want the HTML error page, 404", tt.method, tt.path, res.StatusCode, ct)
		}
		if !tt.html && (res.StatusCode < 400 || !strings.HasPrefix(ct, "application/json")) {
			t.Errorf("%s %s: %d %q, want a JSON error", tt.method, tt.path, res.StatusCode, ct)
		}
	}
}

// Every asset a page references is served.
func TestPageAssetsExist(t *testing.T) {
	h := quietServer()
	for _, page := range []string{"/", "/a/plain", "/a/nope"} {
		_, body := webGet(t, h, "GET", page)
		refs := regexp.MustCompile(`(?:src|href)="(/(?:static/|widget\.js|searchbox\.js)[^"]*)"`).FindAllStringSubmatch(body, -1)
		if len(refs) < 3 {
			t.Errorf("%s references %d assets", page, len(refs))
		}
		for _, m := range refs {
			if res, _ := webGet(t, h, "GET", strings.ReplaceAll(m[1], "&amp;", "&")); res.StatusCode != 200 {
				t.Errorf("%s references %s: status %d", page, m[1], res.StatusCode)
			}
		}
	}
}

func TestAssets(t *testing.T) {
	h := quietServer()
	type got struct {
		status               int
		contentType, caching string
		corp, allowOrigin    string
	}
	tests := []struct {
		path string
		want got
		body string // a substring
	}{
		{"/static/app.css", got{200, "text/css; charset=utf-8", web.CacheRevalidate, "", ""}, `"PingFang SC"`},
		{"/static/search.js", got{200, "text/javascript; charset=utf-8", web.CacheRevalidate, "", ""}, "history.pushState"},
		{"/static/favicon.svg", got{200, "image/svg+xml", web.CacheRevalidate, "", ""}, "<svg"},
		// The embeds load on other sites' pages, in CORS mode too (a
		// script tag with crossorigin, as subresource integrity needs).
		{"/widget.js", got{200, "text/javascript; charset=utf-8", web.CacheEmbed, "cross-origin", "*"}, "attachShadow"},
		{"/searchbox.js", got{200, "text/javascript; charset=utf-8", web.CacheEmbed, "cross-origin", "*"}, "function zhsearchCombobox"},
		{"/static/nope.js", got{404, "application/json; charset=utf-8", "no-store", "", ""}, `"not_found"`},
		{"/static/../api.go", got{404, "application/json; charset=utf-8", "no-store", "", ""}, `"not_found"`},
	}
	for _, tt := range tests {
		res, body := webGet(t, h, "GET", tt.path)
		g := got{res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"), res.Header.Get("Cross-Origin-Resource-Policy"), res.Header.Get("Access-Control-Allow-Origin")}
		if g != tt.want || !strings.Contains(body, tt.body) {
			t.Errorf("GET %s: %+v, want %+v and a body with %q", tt.path, g, tt.want, tt.body)
		}
	}

	// The embed is one closure: nothing but the IIFE at the top level.
	_, box := webGet(t, h, "GET", "/searchbox.js")
	if !strings.HasPrefix(box, "/*! zhsearch search box embed */\n(function () {\n") || !strings.HasSuffix(box, "\n})();\n") {
		t.Errorf("searchbox.js is not wrapped in a closure: %.80q … %q", box, box[max(0, len(box)-20):])
	}

	// Revalidation and content-hashed URLs.
	res, _ := webGet(t, h, "GET", "/static/app.css")
	etag := res.Header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) {
		t.Fatalf("ETag %q, want a weak one: the file leaves gzipped or not", etag)
	}
	if res, _ = webGet(t, h, "GET", "/static/app.css", "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", res.StatusCode)
	}
	if res, _ = webGet(t, h, "GET", "/static/app.css", "If-None-Match", etag, "Accept-Encoding", "gzip"); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match, gzip accepted: status %d, want 304", res.StatusCode)
	}
	if res, _ = webGet(t, h, "GET", "/static/app.css?v="+strings.Trim(strings.TrimPrefix(etag, "W/"), `"`)); res.Header.Get("Cache-Control") != web.CacheImmutable {
		t.Errorf("hashed URL: Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	if res, _ = webGet(t, h, "GET", "/static/app.css?v=stale"); res.Header.Get("Cache-Control") != web.CacheRevalidate {
		t.Errorf("stale hash: Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	// Ranges: one, of the plain file; none of a gzipped one, whose bytes
	// are not the file's; many, never (an answer many times the file).
	if res, body := webGet(t, h, "GET", "/static/app.css", "Range", "bytes=0-9"); res.StatusCode != http.StatusPartialContent || len(body) != 10 {
		t.Errorf("one range: status %d, %d bytes; want 206 with 10", res.StatusCode, len(body))
	}
	if res, _ := webGet(t, h, "GET", "/static/app.css", "Range", "bytes=0-9", "Accept-Encoding", "gzip"); res.StatusCode != http.StatusOK || res.Header.Get("Content-Range") != "" {
		t.Errorf("a range with gzip accepted: status %d, Content-Range %q; want the whole file, 200", res.StatusCode, res.Header.Get("Content-Range"))
	}
	if res, body := webGet(t, h, "GET", "/static/app.css", "Range", "bytes=0-0,2-2,4-4,6-6"); res.StatusCode != http.StatusOK || strings.Contains(res.Header.Get("Content-Type"), "multipart") {
		t.Errorf("many ranges: status %d, Content-Type %q, %d bytes; want the whole file, 200", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
	if res, body := webGet(t, h, "HEAD", "/widget.js"); res.StatusCode != 200 || body != "" {
		t.Errorf("HEAD /widget.js: %d with %d bytes", res.StatusCode, len(body))
	}
}

func TestParagraphs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"一段", []string{"一段"}},
		{"第一段\n\n  第二段  \r\n\n\n第三段\n", []string{"第一段", "第二段", "第三段"}},
	}
	for _, tt := range tests {
		if got := paragraphs(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("paragraphs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHTTPURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://site.example/p/1?x=1", "https://site.example/p/1?x=1"},
		{" http://site.example ", "http://site.example"},
		{"javascript:alert(1)", ""},
		{"JavaScript:alert(1)", ""},
		{"data:text/html,<script>", ""},
		{"//site.example/p", ""},
		{"/p/1", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := httpURL(tt.in); got != tt.want {
			t.Errorf("httpURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
