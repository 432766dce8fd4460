// Package api is zhsearch's HTTP interface: a gin router serving the search
// box, autocomplete, articles and related articles as JSON, over any
// zhsearch.SearchService. Errors leave as {"error":{"code","message"}} with
// the status from one table, errorStatus.
package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhsearch/zhsearch"
)

// MaxBodyBytes bounds a request body (a draft for related articles).
const MaxBodyBytes = 1 << 20

// NoRouteMessage is the message of the 404 for a path the API does not
// have: `zhsearch reindex --server` tells by it a server without the admin
// API from an unknown job.
const NoRouteMessage = "no such route"

// errorStatus maps every error code to its HTTP status, in one place.
var errorStatus = map[string]int{
	zhsearch.EINVALID:      http.StatusBadRequest,
	zhsearch.ENOTFOUND:     http.StatusNotFound,
	zhsearch.EMETHOD:       http.StatusMethodNotAllowed,
	zhsearch.ECONFLICT:     http.StatusConflict,
	zhsearch.EUNAUTHORIZED: http.StatusUnauthorized,
	zhsearch.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	zhsearch.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	zhsearch.ETIMEOUT:      http.StatusServiceUnavailable,
	zhsearch.EUNAVAILABLE:  http.StatusServiceUnavailable,
	zhsearch.ERATELIMITED:  http.StatusTooManyRequests,
	zhsearch.ECANCELED:     StatusClientClosedRequest,
	zhsearch.EINTERNAL:     http.StatusInternalServerError,
}

// Server holds what the handlers need.
type Server struct {
	Service zhsearch.SearchService
	Logger  *slog.Logger
	// AdminToken guards /api/v1/admin/ (Authorization: Bearer); empty
	// turns the admin API off. Admin, when set, adds reindex jobs and
	// article edits to it (search statistics need only the token).
	Admin      zhsearch.AdminService
	AdminToken string
	// CORSOrigins are the origins whose pages may call the API (see
	// ParseOrigins); none means same-origin only.
	CORSOrigins []string
	// Ops holds metrics, analytics and limits (ops.go).
	Ops Ops
	// Starting marks the server that answers while the index loads, to be
	// replaced by the one that serves it: the setup it logs (the admin
	// API's state) is the next one's to say, once.
	Starting bool

	admit gates // admission control, made by Handler from Ops
	// shedLog samples the access log lines of 503 answers (shedlog.go).
	shedLog *shedSampler
	// pageNotFound answers a browser's request for a page that does not
	// exist with the site's error page (set by webRoutes).
	pageNotFound gin.HandlerFunc
}

// Handler returns the router with every route.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// A path with a stray slash is a route that does not exist: JSON 404,
	// not an HTML redirect a client would follow with another method.
	r.RedirectTrailingSlash = false
	s.admit = newGates(s.Ops)
	s.shedLog = newShedSampler()
	s.useOps(r)
	r.Use(s.recoverJSON, s.cors(), answerHeaders, compressAnswers())
	s.useLimits(r)
	r.NoRoute(func(c *gin.Context) {
		if s.pageNotFound != nil && wantsPage(c) {
			s.pageNotFound(c)
			return
		}
		s.fail(c, zhsearch.Errorf(zhsearch.ENOTFOUND, NoRouteMessage))
	})
	r.NoMethod(func(c *gin.Context) {
		s.fail(c, zhsearch.Errorf(zhsearch.EMETHOD, "method not allowed"))
	})

	// HEAD is GET without the body (net/http drops it), as monitors and
	// link checkers send it.
	get := []string{http.MethodGet, http.MethodHead}
	r.Match(get, "/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.Match(get, "/readyz", s.ready)
	v1 := r.Group("/api/v1", s.wellFormedQuery)
	v1.Match(get, "/search", s.search)
	v1.Match(get, "/suggest", s.suggest)
	v1.Match(get, "/articles/:id", s.article)
	v1.Match(get, "/articles/:id/related", s.related)
	v1.POST("/related", s.relatedDraft)
	s.adminRoutes(r)
	s.webRoutes(r)
	s.opsRoutes(r)
	return r
}

// CachePublicAnswer is the Cache-Control of a search, a completion, an
// article and its related list: the same for every reader, a browser or
// a shared cache may keep it for half a minute (the back button, the
// widget on a page read again), so a live edit may take that long to
// reach a reader who has just loaded the same answer. Every other answer
// of the API, errors and the admin's among them, is not to be stored
// (answerHeaders).
const CachePublicAnswer = "public, max-age=30"

// answerHeaders sets what every answer carries unless its handler says
// otherwise: no caching (errors, the admin API, drafts' lists, health and
// metrics change from one request to the next), and no content sniffing
// (an answer is the type it says it is). Pages and assets set their own
// (web.Assets).
func answerHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if r := c.Request; len(r.TransferEncoding) > 0 || r.ProtoAtLeast(1, 0) && !r.ProtoAtLeast(1, 1) {
		// A chunked body, which may have come with a Content-Length that
		// Go dropped (RFC 9112 6.1: close after it), or HTTP/1.0, whose
		// Transfer-Encoding Go ignores and whose keep-alive is the
		// client's own extension: the connection ends with this answer,
		// so nothing left of the request is read as the next one.
		h.Set("Connection", "close")
	}
}

// wantsPage reports whether a request for a missing route comes from a
// browser following a link: GET or HEAD, outside the API, HTML accepted.
func wantsPage(c *gin.Context) bool {
	m, path := c.Request.Method, c.Request.URL.Path
	return (m == http.MethodGet || m == http.MethodHead) && path != "/api" && !strings.HasPrefix(path, "/api/") &&
		strings.Contains(c.GetHeader("Accept"), "text/html")
}

// wellFormedQuery refuses a query string that does not decode (q=a%zz):
// Go would drop the pair and the request would be answered as though q
// were missing.
func (s *Server) wellFormedQuery(c *gin.Context) {
	if _, err := url.ParseQuery(c.Request.URL.RawQuery); err != nil {
		s.fail(c, zhsearch.Errorf(zhsearch.EINVALID, "the query string is malformed: %v", err))
		c.Abort()
	}
}

func errorBody(code, message string) gin.H {
	return gin.H{"error": gin.H{"code": code, "message": message}}
}

// fail writes err as a JSON error. Internal errors are logged with detail
// and answered with a generic message.
func (s *Server) fail(c *gin.Context, err error) {
	code, status, err := s.failure(c, err)
	if code == zhsearch.EUNAVAILABLE && c.Writer.Header().Get("Retry-After") == "" {
		c.Header("Retry-After", retryAfterBusy)
	}
	c.AbortWithStatusJSON(status, errorBody(code, zhsearch.ErrorMessage(err)))
}

// failure maps err to its code and status (errorStatus; a request past its
// deadline is a timeout, returned as such) and logs an internal error with
// its detail: the one mapping of the JSON API and the pages.
func (s *Server) failure(c *gin.Context, err error) (code string, status int, mapped error) {
	err = asTimeout(c, err)
	code = zhsearch.ErrorCode(err)
	c.Set(ctxErrorCode, code)
	status, ok := errorStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if code == zhsearch.EINTERNAL {
		s.logger().Error("internal error", "request_id", requestID(c), "method", c.Request.Method, "path", logPath(c), "err", err)
	}
	return code, status, err
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// recoverJSON turns a handler panic into a logged stack and a 500 JSON.
func (s *Server) recoverJSON(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger().Error("panic", "request_id", requestID(c), "path", logPath(c), "panic", v, "stack", string(debug.Stack()))
			c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody(zhsearch.EINTERNAL, "internal error"))
		}
	}()
	c.Next()
}

func (s *Server) ready(c *gin.Context) {
	if err := s.Service.Ready(c.Request.Context()); err != nil {
		s.logger().Warn("not ready", "err", err)
		c.Header("Retry-After", retryAfterBusy)
		c.JSON(http.StatusServiceUnavailable, errorBody(zhsearch.EUNAVAILABLE, "index not ready"))
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// oneParam reads a query parameter given at most once: page=1&page=2
// read as page 1, silently, a client's mistake answered with the wrong
// page (POST /api/v1/related refuses a key repeated in its body too).
func oneParam(c *gin.Context, name string) (string, bool, error) {
	vs, ok := c.GetQueryArray(name)
	if len(vs) > 1 {
		return "", false, zhsearch.Errorf(zhsearch.EINVALID, "%s is given %d times: give it once", name, len(vs))
	}
	if !ok {
		return "", false, nil
	}
	return vs[0], true, nil
}

// intParam reads an optional integer query parameter; absent means 0, so
// the request's Validate applies its default.
func intParam(c *gin.Context, name string) (int, error) {
	v, ok, err := oneParam(c, name)
	if err != nil || !ok {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(strings.TrimSpace(v), "-") {
		// A positive integer, too large for any count: the request's
		// Validate says what the bound is.
		return math.MaxInt, nil
	}
	if err != nil || n < 1 {
		return 0, notPositive(name)
	}
	return n, nil
}

// notPositive is the error for a count parameter below 1, in the query
// string or a JSON body alike.
func notPositive(name string) error {
	return zhsearch.Errorf(zhsearch.EINVALID, "%s must be a positive integer", name)
}

// scoreParam reads an optional query parameter holding a score (0–1 is
// checked by the request's Validate); absent means 0.
func scoreParam(c *gin.Context, name string) (float64, error) {
	v, ok, err := oneParam(c, name)
	if err != nil || !ok {
		return 0, err
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 0, zhsearch.Errorf(zhsearch.EINVALID, "%s must be a number between 0 and 1", name)
	}
	return x, nil
}

// search answers GET /api/v1/search: from the result cache when it holds
// the page, else through admission control (Ops.MaxConcurrent).
func (s *Server) search(c *gin.Context) {
	var req zhsearch.SearchRequest
	var err error
	if req.Query, _, err = oneParam(c, "q"); err != nil {
		s.fail(c, err)
		return
	}
	if req.Page, err = intParam(c, "page"); err != nil {
		s.fail(c, err)
		return
	}
	if req.Size, err = intParam(c, "size"); err != nil {
		s.fail(c, err)
		return
	}
	if err := req.Validate(); err != nil {
		s.fail(c, err)
		return
	}
	res, ok := s.cachedSearch(c, req)
	if !ok {
		res, err = admitted(s, c, s.admit.work, func(ctx context.Context) (*zhsearch.SearchResult, error) {
			return s.Service.Search(ctx, req)
		})
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.searched(c, res)
	c.Header("Cache-Control", CachePublicAnswer)
	c.JSON(http.StatusOK, res)
}

// cachedSearch asks the service's cache, if it has one.
func (s *Server) cachedSearch(c *gin.Context, req zhsearch.SearchRequest) (*zhsearch.SearchResult, bool) {
	if cs, ok := s.Service.(zhsearch.CacheService); ok {
		return cs.CachedSearch(c.Request.Context(), req)
	}
	return nil, false
}

func (s *Server) suggest(c *gin.Context) {
	var req zhsearch.SuggestRequest
	var err error
	if req.Query, _, err = oneParam(c, "q"); err != nil {
		s.fail(c, err)
		return
	}
	if req.Size, err = intParam(c, "size"); err != nil {
		s.fail(c, err)
		return
	}
	release, err := s.enter(c, s.admit.suggest)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.Service.Suggest(c.Request.Context(), req)
	release()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", CachePublicAnswer)
	c.JSON(http.StatusOK, res)
}

func (s *Server) article(c *gin.Context) {
	a, err := s.Service.Article(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", CachePublicAnswer)
	c.JSON(http.StatusOK, newArticleAnswer(a))
}

// articleAnswer is an article as GET /api/v1/articles/{id} gives it: its
// url and published_at always present, "" and null when it has none, as
// in search hits and related items (the data format leaves them out).
type articleAnswer struct {
	*zhsearch.Article
	URL         string     `json:"url"`
	PublishedAt *time.Time `json:"published_at"`
}

func newArticleAnswer(a *zhsearch.Article) articleAnswer {
	out := articleAnswer{Article: a, URL: zhsearch.LinkURL(a.URL)}
	if !a.PublishedAt.IsZero() {
		out.PublishedAt = &a.PublishedAt
	}
	return out
}

// related answers GET /api/v1/articles/{id}/related: from the cache when
// it holds the list, else through admission control (Ops.MaxConcurrent).
func (s *Server) related(c *gin.Context) {
	req := zhsearch.RelatedRequest{ID: c.Param("id")}
	var err error
	if req.Size, err = intParam(c, "size"); err != nil {
		s.fail(c, err)
		return
	}
	if req.MinScore, err = scoreParam(c, "min_score"); err != nil {
		s.fail(c, err)
		return
	}
	if err := req.Validate(); err != nil {
		s.fail(c, err)
		return
	}
	res, ok := s.cachedRelated(c, req)
	if !ok {
		res, err = admitted(s, c, s.admit.work, func(ctx context.Context) (*zhsearch.RelatedResult, error) {
			return s.Service.Related(ctx, req)
		})
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", CachePublicAnswer)
	c.JSON(http.StatusOK, res)
}

// cachedRelated asks the service's cache, if it has one.
func (s *Server) cachedRelated(c *gin.Context, req zhsearch.RelatedRequest) (*zhsearch.RelatedResult, bool) {
	if cs, ok := s.Service.(zhsearch.CacheService); ok {
		return cs.CachedRelated(c.Request.Context(), req)
	}
	return nil, false
}

// draftRequest is the body of POST /api/v1/related.
type draftRequest struct {
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Tags     []string `json:"tags"`
	Size     *int     `json:"size"` // nil: absent, the default
	MinScore float64  `json:"min_score"`
}

// relatedDraft answers POST /api/v1/related. The draft is admitted
// (Ops.MaxConcurrentDrafts) before its body is read, so waiting and
// refused drafts hold no memory, and the body must arrive within the
// request's deadline.
func (s *Server) relatedDraft(c *gin.Context) {
	if err := requireJSON(c); err != nil {
		s.fail(c, err)
		return
	}
	if q := c.Request.URL.Query(); len(q) > 0 {
		// ?size=3 was passed over and five items came back: a draft's
		// parameters are fields of its JSON body.
		name := slices.Min(slices.Collect(maps.Keys(q)))
		s.fail(c, zhsearch.Errorf(zhsearch.EINVALID, "%.40q: POST /api/v1/related takes no URL parameters (a draft's size and min_score are fields of its JSON body)", name))
		return
	}
	release, err := s.enter(c, s.admit.drafts)
	if err != nil {
		s.fail(c, err)
		return
	}
	req, err := s.readDraft(c)
	if err != nil {
		release()
		s.fail(c, err)
		return
	}
	res, err := detached(s, c, release, func(ctx context.Context) (*zhsearch.RelatedResult, error) {
		return s.Service.Related(ctx, req)
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"related": res.Related})
}

// readDraft reads and validates the draft of POST /api/v1/related.
func (s *Server) readDraft(c *gin.Context) (zhsearch.RelatedRequest, error) {
	restore := limitBodyRead(c)
	var in draftRequest
	if err := decodeJSON(c, &in); err != nil {
		// The deadline stays: net/http drains what is left of the body
		// (up to 256 KB) before it closes the connection, and a client
		// that stopped sending would hold it open for ever.
		return zhsearch.RelatedRequest{}, err
	}
	restore()
	req := zhsearch.RelatedRequest{
		Draft:    &zhsearch.Article{Title: in.Title, Body: in.Body, Tags: in.Tags},
		MinScore: in.MinScore,
	}
	if in.Size != nil {
		// As ?size= of the other routes: 0 is asked for, not the default.
		if *in.Size < 1 {
			return req, notPositive("size")
		}
		req.Size = *in.Size
	}
	return req, req.Validate()
}

// requireJSON checks that the request body is declared as JSON, sent as
// it is: a compressed body (Content-Encoding: gzip) was read as its bytes
// and refused as text that is not UTF-8, and one that claimed a coding it
// did not use was accepted.
func requireJSON(c *gin.Context) error {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return zhsearch.Errorf(zhsearch.EUNSUPPORTED, "Content-Type must be application/json")
	}
	for _, coding := range c.Request.Header.Values("Content-Encoding") {
		for _, v := range strings.Split(coding, ",") {
			if v = strings.TrimSpace(v); v != "" && !strings.EqualFold(v, "identity") {
				return zhsearch.Errorf(zhsearch.EUNSUPPORTED, "Content-Encoding %s is not supported: send the body uncompressed", zhsearch.Truncate(v, 40))
			}
		}
	}
	return nil
}

// decodeJSON reads a JSON request body strictly: JSON content type, at most
// the body limit, valid UTF-8 (encoding/json would silently turn invalid
// bytes into U+FFFD), one object, no unknown fields.
func decodeJSON(c *gin.Context, v any) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	data, err := readBody(c)
	if err != nil {
		return err
	}
	if !utf8.Valid(data) {
		return zhsearch.Errorf(zhsearch.EINVALID, "request body is not valid UTF-8")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return zhsearch.Errorf(zhsearch.EINVALID, "the request body is empty: want a JSON object")
	}
	if problem := zhsearch.DecodeStrictJSON(data, v); problem != "" {
		return zhsearch.Errorf(zhsearch.EINVALID, "malformed JSON body: %s", problem)
	}
	return nil
}

// errBodyTimeout is a request body that did not arrive before a read
// deadline (the request's, or the server's --read-timeout): the client was
// too slow, not gone, though net/http cancels the request's context when
// its connection's read fails (asTimeout keeps it a timeout).
var errBodyTimeout = zhsearch.Errorf(zhsearch.ETIMEOUT, "the request body did not arrive in time")

// readBody reads the whole request body, at most the body limit, without
// a leading UTF-8 byte order mark: Windows tools write one, a data file may
// start with one, and as JSON it read "invalid character 'ï'".
func readBody(c *gin.Context) ([]byte, error) {
	limit := bodyLimit(c)
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return bytes.TrimPrefix(data, []byte("\ufeff")), nil
	case errors.As(err, &tooBig):
		return nil, zhsearch.Errorf(zhsearch.ETOOLARGE, "request body is larger than %d bytes", limit)
	case isReadTimeout(err):
		return nil, errBodyTimeout
	case c.Request.Context().Err() != nil:
		// The connection went away (the client left, or a shutdown cut it):
		// not the client's bad input, and not counted as such.
		return nil, zhsearch.Errorf(zhsearch.ECANCELED, "the connection closed before the request body arrived")
	}
	return nil, zhsearch.Errorf(zhsearch.EINVALID, "could not read the request body")
}
