// Package api is zhsearch's HTTP interface: a gin router serving the search
// box, autocomplete, articles and related articles as JSON, over any
// zhsearch.SearchService. Errors leave as {"error":{"code","message"}} with
// the status from one table, errorStatus.
package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/zhsearch/zhsearch"
)

// MaxBodyBytes bounds a request body (a draft for related articles).
const MaxBodyBytes = 1 << 20

// errorStatus maps every error code to its HTTP status, in one place.
var errorStatus = map[string]int{
	zhsearch.EINVALID:      http.StatusBadRequest,
	zhsearch.ENOTFOUND:     http.StatusNotFound,
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
}

// Handler returns the router with every route.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	s.useOps(r)
	r.Use(s.recoverJSON, s.cors())
	s.useLimits(r)
	r.NoRoute(func(c *gin.Context) { s.fail(c, zhsearch.Errorf(zhsearch.ENOTFOUND, "no such route")) })
	r.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorBody("method_not_allowed", "method not allowed"))
	})

	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.ready)
	v1 := r.Group("/api/v1")
	v1.GET("/search", s.search)
	v1.GET("/suggest", s.suggest)
	v1.GET("/articles/:id", s.article)
	v1.GET("/articles/:id/related", s.related)
	v1.POST("/related", s.relatedDraft)
	s.adminRoutes(r)
	s.webRoutes(r)
	s.opsRoutes(r)
	return r
}

func errorBody(code, message string) gin.H {
	return gin.H{"error": gin.H{"code": code, "message": message}}
}

// fail writes err as a JSON error. Internal errors are logged with detail
// and answered with a generic message.
func (s *Server) fail(c *gin.Context, err error) {
	err = asTimeout(c, err)
	code := zhsearch.ErrorCode(err)
	status, ok := errorStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if code == zhsearch.EINTERNAL {
		s.logger().Error("internal error", "request_id", requestID(c), "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
	}
	c.AbortWithStatusJSON(status, errorBody(code, zhsearch.ErrorMessage(err)))
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
			s.logger().Error("panic", "request_id", requestID(c), "path", c.Request.URL.Path, "panic", v, "stack", string(debug.Stack()))
			c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody(zhsearch.EINTERNAL, "internal error"))
		}
	}()
	c.Next()
}

func (s *Server) ready(c *gin.Context) {
	if err := s.Service.Ready(c.Request.Context()); err != nil {
		s.logger().Warn("not ready", "err", err)
		c.JSON(http.StatusServiceUnavailable, errorBody(zhsearch.EUNAVAILABLE, "index not ready"))
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// intParam reads an optional integer query parameter; absent means 0, so
// the request's Validate applies its default.
func intParam(c *gin.Context, name string) (int, error) {
	v, ok := c.GetQuery(name)
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n == 0 {
		return 0, zhsearch.Errorf(zhsearch.EINVALID, "%s must be a positive integer", name)
	}
	return n, nil
}

// scoreParam reads an optional query parameter holding a score (0–1 is
// checked by the request's Validate); absent means 0.
func scoreParam(c *gin.Context, name string) (float64, error) {
	v, ok := c.GetQuery(name)
	if !ok {
		return 0, nil
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 0, zhsearch.Errorf(zhsearch.EINVALID, "%s must be a number between 0 and 1", name)
	}
	return x, nil
}

func (s *Server) search(c *gin.Context) {
	var req zhsearch.SearchRequest
	var err error
	req.Query = c.Query("q")
	if req.Page, err = intParam(c, "page"); err != nil {
		s.fail(c, err)
		return
	}
	if req.Size, err = intParam(c, "size"); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.Service.Search(c.Request.Context(), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.searched(res)
	c.JSON(http.StatusOK, res)
}

func (s *Server) suggest(c *gin.Context) {
	req := zhsearch.SuggestRequest{Query: c.Query("q")}
	var err error
	if req.Size, err = intParam(c, "size"); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.Service.Suggest(c.Request.Context(), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) article(c *gin.Context) {
	a, err := s.Service.Article(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

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
	res, err := s.Service.Related(c.Request.Context(), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// draftRequest is the body of POST /api/v1/related.
type draftRequest struct {
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Tags     []string `json:"tags"`
	Size     int      `json:"size"`
	MinScore float64  `json:"min_score"`
}

func (s *Server) relatedDraft(c *gin.Context) {
	var in draftRequest
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	req := zhsearch.RelatedRequest{
		Draft:    &zhsearch.Article{Title: in.Title, Body: in.Body, Tags: in.Tags},
		Size:     in.Size,
		MinScore: in.MinScore,
	}
	res, err := s.Service.Related(c.Request.Context(), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"related": res.Related})
}

// decodeJSON reads a JSON request body strictly: JSON content type, at most
// MaxBodyBytes, one object, no unknown fields.
func decodeJSON(c *gin.Context, v any) error {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		return zhsearch.Errorf(zhsearch.EUNSUPPORTED, "Content-Type must be application/json")
	}
	limit := bodyLimit(c)
	body := http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return zhsearch.Errorf(zhsearch.ETOOLARGE, "request body is larger than %d bytes", limit)
		}
		return zhsearch.Errorf(zhsearch.EINVALID, "malformed JSON body: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return zhsearch.Errorf(zhsearch.EINVALID, "malformed JSON body: more than one value")
	}
	return nil
}
