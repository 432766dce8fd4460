package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/zhsearch/zhsearch"
)

// MaxAdminTokenLen bounds the admin token a request may present; a longer
// Authorization header is refused before any comparison.
const MaxAdminTokenLen = 256

// requireAdmin returns middleware that lets a request through only with the
// header "Authorization: Bearer <token>". The comparison takes constant time
// whatever the presented token: both sides are hashed to equal length first,
// so neither the token's content nor its length leaks through timing. An
// empty token disables the routes it guards: every request is refused.
func requireAdmin(token string) gin.HandlerFunc {
	want := sha256.Sum256([]byte(token))
	return func(c *gin.Context) {
		if token == "" {
			adminRefused(c, "the admin API is disabled: no admin token is configured")
			return
		}
		h := c.GetHeader("Authorization")
		if len(h) > len("Bearer ")+MaxAdminTokenLen {
			adminRefused(c, "admin token too long")
			return
		}
		scheme, got, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || got == "" {
			adminRefused(c, "an admin token is required: Authorization: Bearer <token>")
			return
		}
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			adminRefused(c, "invalid admin token")
			return
		}
		c.Next()
	}
}

func adminRefused(c *gin.Context, msg string) {
	c.Header("WWW-Authenticate", `Bearer realm="zhsearch admin"`)
	c.AbortWithStatusJSON(http.StatusUnauthorized, errorBody(zhsearch.EUNAUTHORIZED, msg))
}
