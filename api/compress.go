package api

import (
	"strconv"
	"strings"

	"github.com/gin-contrib/gzip"
	"github.com/gin-gonic/gin"
)

// compressAnswers gzips what a client says it takes (every browser does):
// a page of hits is mostly JSON keys, snippets' markup and titles said
// twice, and goes to readers on phones. gzip.BestSpeed, as the answers
// are small and made per request: it costs tens of microseconds a page,
// where the search behind it costs a millisecond.
//
// Errors leave as they are (the library leaves 4xx and 5xx alone), and
// so does /metrics, whose handler compresses by itself.
func compressAnswers() gin.HandlerFunc {
	// The library asks again whether to compress: the answer worked out
	// here, once a request.
	gz := gzip.Gzip(gzip.BestSpeed, gzip.WithCustomShouldCompressFn(func(c *gin.Context) bool { return c.GetBool(ctxGzip) }))
	return func(c *gin.Context) {
		compress := shouldCompress(c)
		if !compress && c.Request.URL.Path != "/metrics" {
			// The plain answer varies with Accept-Encoding as much as the
			// gzipped one: a shared cache (answers are public for 30 s)
			// that stored a plain copy without Vary served it to every
			// client. The library says so only when it compresses.
			c.Writer.Header().Add("Vary", "Accept-Encoding")
		}
		if compress {
			c.Set(ctxGzip, true)
			// A range counts the file's bytes, and a gzipped answer would
			// carry other bytes under that Content-Range: whole files go
			// to clients that take gzip (a cache assembling ranges got a
			// broken widget.js).
			c.Request.Header.Del("Range")
			c.Request.Header.Del("If-Range")
		}
		gz(c)
	}
}

// shouldCompress reports whether the client accepts gzip (a q of 0
// refuses it) and the route is not one that compresses by itself or is
// being upgraded to another protocol.
func shouldCompress(c *gin.Context) bool {
	r := c.Request
	if r.URL.Path == "/metrics" || strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade") {
		return false
	}
	return acceptsGzip(r.Header.Values("Accept-Encoding"))
}

// acceptsGzip reads Accept-Encoding (RFC 9110 12.5.3): gzip (or x-gzip)
// with a q above 0, or, when gzip is not named, * with a q above 0.
func acceptsGzip(values []string) bool {
	named, star := -1.0, -1.0
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				named = max(named, qualityOf(params))
			case "*":
				star = max(star, qualityOf(params))
			}
		}
	}
	if named >= 0 {
		return named > 0
	}
	return star > 0
}

// qualityOf returns the q of an Accept-Encoding element's parameters, 1
// when it has none and 0 when it is not a number.
func qualityOf(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return 0
		}
		return q
	}
	return 1
}
