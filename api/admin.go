package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/zhsearch/zhsearch"
)

// MaxArticleBytes bounds the body of an article upsert: the bound of one
// line of an input *.jsonl file.
const MaxArticleBytes = 16 << 20

// maxTokenBytes bounds the bearer token a request may present; longer ones
// are refused before any comparison.
const maxTokenBytes = 512

// minTokenBytes is the shortest admin token served without a warning.
const minTokenBytes = 16

// adminRoutes registers the admin API under /api/v1/admin/, guarded by the
// bearer token s.AdminToken. Without a token (or an AdminService) the
// routes do not exist, and the log says so.
func (s *Server) adminRoutes(r *gin.Engine) {
	if s.AdminToken == "" || s.Admin == nil {
		s.logger().Info("admin API disabled: set ZHSEARCH_ADMIN_TOKEN to enable /api/v1/admin/")
		return
	}
	if len(s.AdminToken) < minTokenBytes {
		s.logger().Warn("the admin token is short: use at least 16 random characters", "length", len(s.AdminToken))
	}
	want := sha256.Sum256([]byte(s.AdminToken))
	admin := r.Group("/api/v1/admin", s.requireToken(want))
	admin.POST("/reindex", s.startReindex)
	admin.GET("/reindex", s.reindexJob)
	admin.GET("/reindex/:job", s.reindexJob)
	admin.PUT("/articles/:id", s.putArticle)
	admin.DELETE("/articles/:id", s.deleteArticle)
	s.logger().Info("admin API enabled", "prefix", "/api/v1/admin/")
}

// requireToken answers 401, with no detail, unless the request carries
// "Authorization: Bearer <token>" with the admin token. Both sides are
// hashed first so the comparison is constant-time whatever their lengths.
func (s *Server) requireToken(want [sha256.Size]byte) gin.HandlerFunc {
	return func(c *gin.Context) {
		scheme, token, _ := strings.Cut(c.GetHeader("Authorization"), " ")
		ok := strings.EqualFold(scheme, "Bearer") && token != "" && len(token) <= maxTokenBytes
		if ok {
			got := sha256.Sum256([]byte(token))
			ok = subtle.ConstantTimeCompare(got[:], want[:]) == 1
		}
		if !ok {
			s.logger().Warn("admin request refused", "method", c.Request.Method, "path", c.Request.URL.Path,
				"remote", c.ClientIP())
			c.Header("WWW-Authenticate", `Bearer realm="zhsearch-admin"`)
			c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody(zhsearch.EUNAUTHORIZED, "unauthorized"))
			return
		}
		c.Next()
	}
}

func (s *Server) startReindex(c *gin.Context) {
	job, err := s.Admin.StartReindex(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/admin/reindex/"+job.ID)
	c.JSON(http.StatusAccepted, job)
}

func (s *Server) reindexJob(c *gin.Context) {
	job, err := s.Admin.ReindexJob(c.Request.Context(), c.Param("job"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, job)
}

func (s *Server) putArticle(c *gin.Context) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		s.fail(c, zhsearch.Errorf(zhsearch.EUNSUPPORTED, "Content-Type must be application/json"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxArticleBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fail(c, zhsearch.Errorf(zhsearch.ETOOLARGE, "request body is larger than %d bytes", MaxArticleBytes))
			return
		}
		s.fail(c, zhsearch.Errorf(zhsearch.EINVALID, "could not read the request body"))
		return
	}
	res, err := s.Admin.PutArticle(c.Request.Context(), c.Param("id"), body)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	c.JSON(status, res)
}

func (s *Server) deleteArticle(c *gin.Context) {
	res, err := s.Admin.DeleteArticle(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
