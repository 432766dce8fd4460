package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/zhsearch/zhsearch"
)

// requireAdmin returns middleware that lets a request through only with the
// header "Authorization: Bearer <token>". The comparison takes constant time
// whatever the presented token: both sides are hashed to equal length first,
// so neither the token's content nor its length leaks through timing. A
// refusal is a bare 401: the answer never says what was wrong.
func (s *Server) requireAdmin(token string) gin.HandlerFunc {
	want := sha256.Sum256([]byte(token))
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		scheme, got, _ := strings.Cut(h, " ")
		ok := token != "" && len(h) <= len("Bearer ")+zhsearch.MaxAdminTokenLen &&
			strings.EqualFold(scheme, "Bearer") && got != ""
		if ok {
			sum := sha256.Sum256([]byte(got))
			ok = subtle.ConstantTimeCompare(sum[:], want[:]) == 1
		}
		if !ok {
			s.logger().Warn("admin request refused", "request_id", requestID(c),
				"method", c.Request.Method, "path", logPath(c), "client_ip", c.ClientIP())
			c.Header("WWW-Authenticate", `Bearer realm="zhsearch admin"`)
			c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody(zhsearch.EUNAUTHORIZED, "unauthorized"))
			return
		}
		c.Next()
	}
}

// adminRoutes registers the admin API under /api/v1/admin/, guarded by the
// bearer token s.AdminToken: search statistics always, reindex jobs and
// article edits when s.Admin is set. Without a token the routes do not
// exist (404), and the log says so.
func (s *Server) adminRoutes(r *gin.Engine) {
	if s.AdminToken == "" {
		if !s.Starting {
			s.logger().Info("admin API disabled: set ZHSEARCH_ADMIN_TOKEN to enable /api/v1/admin/")
		}
		return
	}
	if len(s.AdminToken) < zhsearch.MinAdminTokenLen && !s.Starting {
		s.logger().Warn("the admin token is short: use at least 16 random characters", "length", len(s.AdminToken))
	}
	admin := r.Group("/api/v1/admin", s.requireAdmin(s.AdminToken), s.wellFormedQuery)
	admin.GET("/stats", s.adminStats)
	if s.Admin != nil {
		admin.POST("/reindex", s.startReindex)
		admin.GET("/reindex", s.reindexJob)
		admin.GET("/reindex/:job", s.reindexJob)
		admin.PUT("/articles/:id", s.putArticle)
		admin.DELETE("/articles/:id", s.deleteArticle)
	}
	if !s.Starting { // said once, by the server that serves the index
		s.logger().Info("admin API enabled", "prefix", "/api/v1/admin/")
	}
}
