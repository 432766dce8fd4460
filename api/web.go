package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/api/web"
)

// siteName ends every page title.
const siteName = "站内搜索"

// pageOffset is the site's time zone, China Standard Time (UTC+8), in
// which article dates are shown.
const pageOffset = 8 * 3600

// webRoutes registers the browser side: the search page at /, article
// pages at /a/{id}, the page assets under /static/ and the two embeds,
// /widget.js (related articles) and /searchbox.js (a search box).
func (s *Server) webRoutes(r *gin.Engine) {
	site := web.New()
	s.pageNotFound = func(c *gin.Context) {
		s.render(c, site, http.StatusNotFound, "error.html", page{Title: "找不到页面 - " + siteName, Heading: "找不到这个页面",
			Message: "链接可能有误。可以用上面的搜索框找找看。"})
	}
	get := []string{http.MethodGet, http.MethodHead}
	r.Match(get, "/", func(c *gin.Context) { s.searchPage(c, site) })
	r.Match(get, "/a/:id", func(c *gin.Context) { s.articlePage(c, site) })
	serve := func(urlPath func(c *gin.Context) string) gin.HandlerFunc {
		return func(c *gin.Context) {
			if site.ServeFile(c.Writer, c.Request, urlPath(c)) {
				return
			}
			if wantsPage(c) { // a browser following a broken link, as for any route
				s.pageNotFound(c)
				return
			}
			s.fail(c, zhsearch.Errorf(zhsearch.ENOTFOUND, "no such file"))
		}
	}
	r.Match(get, "/static/*path", serve(func(c *gin.Context) string { return "/static" + c.Param("path") }))
	for _, p := range []string{"/widget.js", "/searchbox.js"} {
		r.Match(get, p, serve(func(*gin.Context) string { return p }))
	}
}

// page is what every page template gets.
type page struct {
	Title string // the document title
	Query string // the search box's value
	// Robots, when set, is the page's <meta name="robots">: a page of
	// search results, or an article page that holds a title alone, is
	// nothing a search engine should list (Google's guidelines on
	// internal search results and thin pages); its links may be followed.
	Robots string
	// Canonical is the article's own page on the site (an absolute
	// http(s) URL): the original, which search engines credit rather than
	// this copy of it.
	Canonical string
	// Description is the article's first words, for a search engine's
	// snippet of the page.
	Description string
	Article     *articleView
	Heading     string // error page
	Message     string // error page
}

// articleView is an article as the article page shows it.
type articleView struct {
	*zhsearch.Article
	Date, DateISO string   // empty when the article has no date
	Paragraphs    []string // the body, one entry per non-blank line
	URL           string   // the article's own page, only when http(s)
}

func (s *Server) searchPage(c *gin.Context, site *web.Assets) {
	q := shownQuery(c.Query("q"))
	if runes := []rune(q); len(runes) > zhsearch.MaxQueryLen {
		// The page says it is too long (search.js, from the API's answer);
		// echoing a link's 60,000 characters three times says nothing more.
		q = string(runes[:zhsearch.MaxQueryLen])
	}
	p := page{Title: siteName, Query: q}
	if q != "" {
		p.Title, p.Robots = q+" - "+siteName, robotsSkip
		if n, err := strconv.Atoi(c.Query("page")); err == nil && n > 1 && n <= zhsearch.MaxResultWindow {
			p.Title = fmt.Sprintf("%s - 第 %d 页 - %s", q, n, siteName) // as search.js titles it
		}
	}
	s.render(c, site, http.StatusOK, "search.html", p)
}

func (s *Server) articlePage(c *gin.Context, site *web.Assets) {
	a, err := s.Service.Article(c.Request.Context(), c.Param("id"))
	if err != nil {
		code, status, _ := s.failure(c, err)
		p := page{Title: "出错了 - " + siteName, Heading: "出错了", Message: "页面暂时无法显示,请稍后再试。"}
		if code == zhsearch.ENOTFOUND {
			p = page{Title: "找不到文章 - " + siteName, Heading: "找不到这篇文章",
				Message: "它可能已被删除,或者链接有误。可以用上面的搜索框找找看。"}
		}
		s.render(c, site, status, "error.html", p)
		return
	}
	v := &articleView{Article: a, URL: httpURL(a.URL), Paragraphs: paragraphs(a.Body)}
	if !a.PublishedAt.IsZero() {
		t := a.PublishedAt.In(time.FixedZone("CST", pageOffset))
		v.Date, v.DateISO = t.Format("2006-01-02 15:04"), t.Format(time.RFC3339)
	}
	p := page{Title: a.Title + " - " + siteName, Article: v, Canonical: v.URL, Description: describe(v.Paragraphs)}
	if len(v.Paragraphs) == 0 && v.URL == "" {
		p.Robots = robotsSkip // a title and nothing else
	}
	s.render(c, site, http.StatusOK, "article.html", p)
}

// robotsSkip keeps a page out of search engines' lists, and lets them
// follow its links to the articles.
const robotsSkip = "noindex, follow"

// descriptionLen is how many characters of an article's body its page
// describes it by: about what a search engine shows of a page in Chinese.
const descriptionLen = 120

// describe returns the start of an article's body, its paragraphs joined,
// cut at descriptionLen characters.
func describe(paragraphs []string) string {
	return zhsearch.CutRunes(strings.Join(paragraphs, " "), descriptionLen)
}

func (s *Server) render(c *gin.Context, site *web.Assets, status int, name string, p page) {
	if err := site.Render(c.Writer, status, name, p); err != nil {
		s.fail(c, err) // an internal error: logged, answered 500
		return
	}
	c.Abort()
}

// paragraphs splits an article body into its non-blank lines.
func paragraphs(body string) []string {
	var out []string
	for line := range strings.SplitSeq(body, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// httpURL returns u when it is an absolute http or https URL, else "".
// html/template would also defuse a javascript: URL; this keeps such a
// link off the page altogether.
func httpURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// shownQuery is the reader's query as the search page shows it (the
// title, the search box): valid UTF-8, without the bidi controls (U+202E
// …) that would turn the page's own text around it, and without control
// characters (U+0001 went into the title and the box raw, where the API
// refuses the query). Search ignores the bidi controls anyway
// (analysis.Normalize); search.js does the same.
func shownQuery(q string) string {
	q = strings.ToValidUTF8(q, "\uFFFD")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\u061c', r == '\u200e', r == '\u200f', r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			return -1
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, q))
}
