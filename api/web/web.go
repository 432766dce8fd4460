// Package web is zhsearch's browser side: the search page and the article
// page (html/template, auto-escaped), their stylesheet and scripts, and the
// two embeds a site puts on its own pages: widget.js (the related-articles
// list) and searchbox.js (a search box with autocomplete). Everything is
// plain HTML, CSS and JavaScript embedded in the binary with go:embed; there
// is no build step.
//
// The package knows nothing about gin or the index: the api package routes
// requests to Assets.ServeFile and Assets.Render.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/zhsearch/zhsearch"
)

//go:embed static templates embed
var files embed.FS

// ContentSecurityPolicy is sent with every HTML page: scripts, styles and
// API calls come from the page's own origin only, and nothing inline runs.
// It backs up, and never replaces, inserting documents as text.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Cache-Control values: embeds are referenced by fixed URLs from other
// sites, so they are cached briefly; /static/ files requested with their
// content hash (?v=, as pages link them) are immutable; anything else,
// pages included, is revalidated with its ETag.
const (
	CacheEmbed      = "public, max-age=300"
	CacheImmutable  = "public, max-age=31536000, immutable"
	CacheRevalidate = "no-cache"
)

// Assets holds the embedded files and the parsed page templates.
type Assets struct {
	files map[string]*file // by URL path, e.g. "/static/app.css", "/widget.js"
	pages *template.Template
}

// file is one servable asset.
type file struct {
	name  string // decides the Content-Type
	data  []byte
	etag  string // quoted
	embed bool   // loaded by other sites' pages
}

// New loads the embedded files and parses the templates. It panics only if
// the embedded files themselves are malformed, which every test catches.
func New() *Assets {
	a := &Assets{files: map[string]*file{}}
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		a.add("/"+p, data, false)
		return nil
	})
	if err != nil {
		panic(fmt.Sprintf("web: embedded static files: %v", err))
	}
	widget := mustRead("embed/widget.js")
	a.add("/widget.js", widget, true)
	// searchbox.js is the shared combobox and the embed's own code in one
	// closure, so nothing leaks into the host page's globals.
	var box bytes.Buffer
	box.WriteString("/*! zhsearch search box embed */\n(function () {\n")
	box.Write(mustRead("static/combobox.js"))
	box.WriteString("\n")
	box.Write(mustRead("embed/searchbox.js"))
	box.WriteString("\n})();\n")
	a.add("/searchbox.js", box.Bytes(), true)

	funcs := template.FuncMap{"asset": a.assetURL, "query": searchQuery}
	a.pages = template.Must(template.New("").Funcs(funcs).ParseFS(files, "templates/*.html"))
	return a
}

// searchQuery is the template function "query": text cut to the longest
// query search takes (zhsearch.MaxQueryLen characters), for the links that
// search a title or a tag (/?q=…). An article's title may be longer
// (up to 512 characters), and its whole title as the query was refused
// as too long where the reader had only followed the page's link; its
// first 200 characters still find it.
func searchQuery(text string) string {
	text = strings.TrimSpace(text)
	if r := []rune(text); len(r) > zhsearch.MaxQueryLen {
		text = strings.TrimSpace(string(r[:zhsearch.MaxQueryLen]))
	}
	return text
}

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("web: %v", err))
	}
	return b
}

func (a *Assets) add(urlPath string, data []byte, embed bool) {
	sum := sha256.Sum256(data)
	a.files[urlPath] = &file{name: path.Base(urlPath), data: data, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, embed: embed}
}

// assetURL is the template function "asset": the URL of a /static/ file
// with its content hash, so pages can let browsers cache it for good.
func (a *Assets) assetURL(urlPath string) (string, error) {
	f, ok := a.files[urlPath]
	if !ok {
		return "", fmt.Errorf("web: no asset %s", urlPath)
	}
	return urlPath + "?v=" + strings.Trim(f.etag, `"`), nil
}

// ServeFile answers GET or HEAD for the asset at urlPath ("/static/app.css",
// "/widget.js", "/searchbox.js") and reports whether there is one. It sets
// a weak ETag, so a revalidation is answered 304.
func (a *Assets) ServeFile(w http.ResponseWriter, r *http.Request, urlPath string) bool {
	f, ok := a.files[urlPath]
	if !ok {
		return false
	}
	h := w.Header()
	// Weak: the same file leaves gzipped or not (compressAnswers), two
	// representations that a strong validator would have to tell apart.
	// A revalidation compares weakly, so it is still answered 304.
	h.Set("ETag", "W/"+f.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	switch {
	case f.embed:
		h.Set("Cache-Control", CacheEmbed)
		// Host pages that require CORP for subresources may still load it,
		// and so may those that load it in CORS mode (a script tag with
		// crossorigin, as subresource integrity needs): the embeds are
		// public code, the same for every origin, sent without cookies.
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		h.Set("Access-Control-Allow-Origin", "*")
	case r.URL.Query().Get("v") == strings.Trim(f.etag, `"`):
		h.Set("Cache-Control", CacheImmutable)
	default:
		h.Set("Cache-Control", CacheRevalidate)
	}
	if strings.Contains(r.Header.Get("Range"), ",") {
		// One range at most: thousands of one-byte ranges made an answer
		// 15 times the size of the file (security probe).
		r.Header.Del("Range")
	}
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.data))
	return true
}

// Render executes the page template name ("search.html", "article.html",
// "error.html") with data and writes it with status and the page security
// headers. The page is rendered in full before anything is written, so a
// template error leaves the response untouched and is returned; a failed
// write means the client has gone and is not reported.
func (a *Assets) Render(w http.ResponseWriter, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := a.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cache-Control", CacheRevalidate)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}
