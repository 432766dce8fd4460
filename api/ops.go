package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/analytics"
	"github.com/zhsearch/zhsearch/metrics"
)

// Ops holds what a server in production needs beyond its routes:
// instrumentation, search analytics and limits. Its zero value turns all of
// it off except the default body limit.
type Ops struct {
	// Metrics, when set, records every request and serves GET /metrics,
	// unless MetricsElsewhere: then another listener serves them
	// (--metrics-addr), and the public one answers /metrics 404.
	Metrics          *metrics.Metrics
	MetricsElsewhere bool
	// Analytics, when set, records first-page searches and serves
	// GET /api/v1/admin/stats (admin token).
	Analytics *analytics.Recorder
	// Cluster, when set, returns a replica's cluster status (generation,
	// applied seq, lag), shown under "cluster" by GET /api/v1/admin/stats.
	Cluster func() any
	// SearchTimeout bounds the work of each API request through its
	// context; 0 means no bound. A request past it answers 503 timeout.
	SearchTimeout time.Duration
	// MaxBodyBytes bounds a request body (0: MaxBodyBytes).
	MaxBodyBytes int64
	// MaxConcurrent bounds the searches and related lists of stored
	// articles computed at once (answers from the caches do not count);
	// MaxQueued more may wait for a slot within their deadline. Past both,
	// the answer is 503 unavailable with Retry-After, at once. 0: no limit.
	MaxConcurrent, MaxQueued int
	// MaxConcurrentDrafts and MaxQueuedDrafts do the same for POST
	// /api/v1/related (drafts), whose bodies are read only once admitted.
	MaxConcurrentDrafts, MaxQueuedDrafts int
	// MaxPerClient bounds how many of one client's requests run or wait in
	// each of those gates at once; past it the answer is 429 rate_limited,
	// at once, so that one client cannot take every slot and queue place
	// (a flood of long questions held uncached search for everyone). 0: no
	// bound. Clients are told apart as the rate limit tells them (an IPv6
	// client by its /64), behind TrustedProxies by X-Forwarded-For.
	MaxPerClient int
	// RateLimit is the sustained number of API requests per second allowed
	// to one client IP, with bursts of RateBurst; 0 turns rate limiting off.
	RateLimit float64
	RateBurst int
	// RateClients bounds how many client IPs are tracked at once (default
	// 10000); the least recently seen is forgotten first.
	RateClients int
	// TrustedProxies lists the IPs or CIDRs of load balancers whose
	// X-Forwarded-For is believed; empty means the peer address is the
	// client.
	TrustedProxies []string
}

// Gin context keys set by the ops middleware.
const (
	ctxRequestID = "zhsearch.request_id"
	ctxBodyLimit = "zhsearch.body_limit"
	ctxClient    = "zhsearch.client"
	ctxGzip      = "zhsearch.gzip"
	ctxQueued    = "zhsearch.queued"     // time.Duration waited for an admission slot
	ctxErrorCode = "zhsearch.error_code" // the error code of a failed request
)

// HeaderRequestID carries a request's id in and out.
const HeaderRequestID = "X-Request-ID"

// maxRequestIDLen bounds an X-Request-ID accepted from a client.
const maxRequestIDLen = 128

// useOps installs the first middleware of r: request id, access log and
// metrics, so they see every answer, panics and CORS preflights included.
// It must be called before any other middleware and route.
func (s *Server) useOps(r *gin.Engine) {
	// X-Forwarded-For only: gin also believes X-Real-IP by default, which a
	// client can send itself through a proxy that sets only the former.
	r.RemoteIPHeaders = []string{"X-Forwarded-For"}
	if err := r.SetTrustedProxies(s.Ops.TrustedProxies); err != nil {
		s.logger().Error("bad trusted proxies: trusting none", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(s.observe)
}

// useLimits installs the rate limit, body limit and request deadline. It
// comes after CORS, so a browser can read a 429 or 413, and before any
// route.
func (s *Server) useLimits(r *gin.Engine) {
	var lim *clientLimiter
	if s.Ops.RateLimit > 0 {
		lim = newClientLimiter(rate.Limit(s.Ops.RateLimit), s.Ops.RateBurst, s.Ops.RateClients)
	}
	r.Use(s.limits(lim))
}

// opsRoutes adds GET (and HEAD, as the health checks answer it) /metrics.
func (s *Server) opsRoutes(r *gin.Engine) {
	if s.Ops.Metrics != nil && !s.Ops.MetricsElsewhere {
		r.Match([]string{http.MethodGet, http.MethodHead}, "/metrics", gin.WrapH(s.Ops.Metrics.Handler()))
	}
}

// validRequestID accepts 1 to maxRequestIDLen characters of requestIDByte,
// so a client's id is safe to log and echo.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !requestIDByte(id[i]) {
			return false
		}
	}
	return true
}

// requestIDByte reports whether b may be in a client's request id: what
// trace ids are written with (letters, digits, - _ . : = + / @), never a
// character that means something in HTML or a header (< > " ' & ; ,), as
// the id is echoed on answers a shared cache may keep and shows in tools
// that render it.
func requestIDByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("-_.:=+/@", b) >= 0
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// requestID returns the id of the request c.
func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// probeRoutes are logged at debug level: load balancers and Prometheus
// call them every few seconds.
func isProbe(route string) bool {
	return route == "/healthz" || route == "/readyz" || route == "/metrics"
}

// observe gives each request an id (the client's X-Request-ID when sane),
// returns it, writes one access log line and records the request's metrics
// under its route template.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader(HeaderRequestID)
	if !validRequestID(id) {
		id = newRequestID()
	}
	c.Set(ctxRequestID, id)
	c.Header(HeaderRequestID, id)
	if m := s.Ops.Metrics; m != nil {
		defer m.RequestStarted()()
	}

	c.Next()

	took := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched" // 404 and 405: never the raw URL, to bound label values
	}
	status := c.Writer.Status()
	if m := s.Ops.Metrics; m != nil {
		m.ObserveRequest(route, c.Request.Method, status, took)
		if code := c.GetString(ctxErrorCode); code != "" {
			m.ObserveError(route, code)
		}
	}
	level := slog.LevelInfo
	switch {
	case status == http.StatusServiceUnavailable:
		// Shed by admission or past its deadline, as designed under load:
		// one ERROR line per shed request would page someone for nothing.
		level = slog.LevelWarn
	case status >= 500:
		level = slog.LevelError
	case isProbe(route) && status < 400:
		level = slog.LevelDebug
	}
	log := s.logger()
	if !log.Enabled(c.Request.Context(), level) {
		return
	}
	skipped := 0
	if status == http.StatusServiceUnavailable && s.shedLog != nil {
		var logged bool
		if logged, skipped = s.shedLog.sample(time.Now()); !logged {
			return
		}
	}
	attrs := []slog.Attr{
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.String("path", logPath(c)),
		slog.Int("status", status),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
		slog.String("client_ip", c.ClientIP()),
	}
	if q := c.Request.URL.RawQuery; q != "" {
		// A question of the longest allowed (zhsearch.MaxQueryLen
		// characters) is about 1,800 bytes escaped: whole, so the query
		// behind a slow request can be found.
		attrs = append(attrs, slog.String("query", clip(q, maxLoggedQuery)))
	}
	if waited, ok := c.Get(ctxQueued); ok {
		attrs = append(attrs, slog.Float64("queued_ms", float64(waited.(time.Duration).Microseconds())/1000))
	}
	if code := c.GetString(ctxErrorCode); code != "" {
		attrs = append(attrs, slog.String("error_code", code))
	}
	if errs := c.Errors.String(); errs != "" {
		attrs = append(attrs, slog.String("errors", clip(errs, 512)))
	}
	if skipped > 0 {
		// 503 answers since the last line of one, counted but not logged.
		attrs = append(attrs, slog.Int("unlogged_503s", skipped))
	}
	log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// maxLoggedQuery bounds the query string an access log line carries.
const maxLoggedQuery = 2048

// logPath is the request's path as log lines give it: clipped, as a path
// of 100,000 characters sent without a token made a 100 KB warning line.
func logPath(c *gin.Context) string { return clip(c.Request.URL.Path, 256) }

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// bodyLimit returns the body limit of the request c.
func bodyLimit(c *gin.Context) int64 {
	if n := c.GetInt64(ctxBodyLimit); n > 0 {
		return n
	}
	return MaxBodyBytes
}

// limits returns the middleware that applies, to API routes only, the
// per-client rate limit, the body limit (a declared oversized body is
// refused before a byte of it is read) and the request deadline.
func (s *Server) limits(lim *clientLimiter) gin.HandlerFunc {
	maxBody := s.Ops.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = MaxBodyBytes
	}
	return func(c *gin.Context) {
		path := c.Request.URL.Path
		if !strings.HasPrefix(path, "/api/") {
			c.Next()
			return
		}
		if lim != nil {
			if ok, wait := lim.allow(clientOf(c), time.Now()); !ok {
				if m := s.Ops.Metrics; m != nil {
					m.ObserveRateLimited()
				}
				c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
				s.fail(c, zhsearch.Errorf(zhsearch.ERATELIMITED, "too many requests: retry after %s", wait.Round(time.Millisecond)))
				return
			}
		}
		c.Set(ctxBodyLimit, maxBody)
		if c.Request.ContentLength > maxBody {
			c.Header("Connection", "close")
			s.fail(c, zhsearch.Errorf(zhsearch.ETOOLARGE, "request body is larger than %d bytes", maxBody))
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBody)
		}
		if s.Ops.SearchTimeout > 0 && !strings.HasPrefix(path, "/api/v1/admin/") {
			ctx, cancel := context.WithTimeout(c.Request.Context(), s.Ops.SearchTimeout)
			defer cancel()
			c.Request = c.Request.WithContext(ctx)
		}
		c.Next()
	}
}

// StatusClientClosedRequest is the status (nginx's 499) recorded for a
// request whose client went away before the answer: no one reads it, and
// it must not count as a server error.
const StatusClientClosedRequest = 499

// asTimeout tells apart the ways a request's context ends: its deadline
// passed (503 timeout, not 500), or its client went away (499 cancelled,
// not a server error at all).
func asTimeout(c *gin.Context, err error) error {
	if code := zhsearch.ErrorCode(err); code != zhsearch.EINTERNAL && code != zhsearch.ETIMEOUT || err == errBodyTimeout {
		return err
	}
	ctx := c.Request.Context()
	ctxErr := ctx.Err()
	if dl, ok := ctx.Deadline(); ok && ctxErr != nil && !time.Now().Before(dl) {
		ctxErr = context.DeadlineExceeded // past the deadline, however the context ended
	}
	switch {
	case errors.Is(ctxErr, context.Canceled):
		return zhsearch.Errorf(zhsearch.ECANCELED, "the client closed the request")
	case ctxErr != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return zhsearch.Errorf(zhsearch.ETIMEOUT, "the request took longer than allowed")
	}
	return err
}

// searched records an answered search for metrics and analytics. Only first
// pages count, so a reader paging through results is one search.
func (s *Server) searched(c *gin.Context, res *zhsearch.SearchResult) {
	if res == nil || res.Page != 1 || c.Request.Method == http.MethodHead {
		return // a monitor or link checker's HEAD is no reader's search
	}
	zero := res.Total == 0
	if m := s.Ops.Metrics; m != nil {
		m.ObserveSearch(zero)
	}
	if a := s.Ops.Analytics; a != nil {
		a.Record(clientOf(c), res.Query, zero)
	}
}

// Bounds of GET /api/v1/admin/stats?n=.
const (
	defaultStatsN = 20
	maxStatsN     = 100
)

// adminStats answers GET /api/v1/admin/stats?n=20: the top queries and top
// zero-result queries of the recent window.
func (s *Server) adminStats(c *gin.Context) {
	if s.Ops.Analytics == nil {
		s.fail(c, zhsearch.Errorf(zhsearch.ENOTFOUND, "search analytics are not enabled"))
		return
	}
	n, err := intParam(c, "n")
	if err != nil {
		s.fail(c, err)
		return
	}
	if n == 0 {
		n = defaultStatsN
	}
	if n < 1 || n > maxStatsN {
		s.fail(c, zhsearch.Errorf(zhsearch.EINVALID, "n must be between 1 and %d", maxStatsN))
		return
	}
	report := s.Ops.Analytics.Report(n)
	if s.Ops.Cluster == nil {
		c.JSON(http.StatusOK, report)
		return
	}
	// The report's fields and the replica's status beside them.
	var out map[string]any
	b, err := json.Marshal(report)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	out["cluster"] = s.Ops.Cluster()
	c.JSON(http.StatusOK, out)
}
