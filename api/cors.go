package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// Answers to a CORS preflight: what a page on an allowed origin may send.
const (
	corsAllowMethods = "GET, POST"
	corsAllowHeaders = "Content-Type, " + HeaderRequestID // a page may trace its requests as a server can
	corsMaxAge       = "600"                              // seconds a browser may cache a preflight answer
	// corsExposeHeaders are the answer headers a page on another origin
	// may read besides the simple ones: when to retry after a 429 or 503,
	// and the request id to quote in a report.
	corsExposeHeaders = "Retry-After, " + HeaderRequestID
)

// ParseOrigins reads a comma-separated list of origins allowed to call the
// API from their pages (--cors-origins). Each is scheme://host[:port] with
// scheme http or https and nothing after the port; "*" alone allows every
// origin. It returns them normalized (lowercase, no default port), or an
// error naming the first bad entry. An empty list allows none: only pages
// served by zhsearch itself call the API.
func ParseOrigins(list string) ([]string, error) {
	var out []string
	for raw := range strings.SplitSeq(list, ",") {
		o := strings.TrimSpace(raw)
		if o == "" {
			continue
		}
		if o == "*" {
			out = append(out, o)
			continue
		}
		norm, err := normalizeOrigin(o)
		if err != nil {
			return nil, fmt.Errorf("origin %q: %v", o, err)
		}
		out = append(out, norm)
	}
	for _, o := range out {
		if o == "*" && len(out) > 1 {
			return nil, fmt.Errorf(`origin "*" allows every origin and cannot be combined with others`)
		}
	}
	return out, nil
}

func normalizeOrigin(o string) (string, error) {
	u, err := url.Parse(o)
	if err != nil {
		return "", fmt.Errorf("not a URL")
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "http" && scheme != "https":
		return "", fmt.Errorf("want http://HOST[:PORT] or https://HOST[:PORT]")
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("no host")
	case u.User != nil:
		return "", fmt.Errorf("an origin has no user name")
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", fmt.Errorf("an origin has no path, query or fragment")
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

// cors returns the middleware that lets pages on s.CORSOrigins call the
// API (/api/, /healthz, /readyz) from the browser: it answers their
// preflight OPTIONS requests and marks their responses readable. Requests
// from other origins get no CORS headers, so browsers keep their pages from
// reading the answers; same-origin pages need none.
func (s *Server) cors() gin.HandlerFunc {
	allowed := make(map[string]bool, len(s.CORSOrigins))
	for _, o := range s.CORSOrigins {
		allowed[o] = true
	}
	all := allowed["*"]
	return func(c *gin.Context) {
		if len(allowed) == 0 || !corsPath(c.Request.URL.Path) {
			c.Next()
			return
		}
		h := c.Writer.Header()
		if !all {
			// Answers differ by Origin, so shared caches must key on it.
			// With *, every origin gets the same answer: a cache keeps
			// one copy, not one for every Origin a client makes up.
			h.Add("Vary", "Origin")
		}
		origin := c.GetHeader("Origin")
		if origin == "" || !(all || allowed[strings.ToLower(origin)]) {
			c.Next()
			return
		}
		if all {
			h.Set("Access-Control-Allow-Origin", "*") // no credentials are ever sent, so * is enough
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		c.Next()
	}
}

// corsPath reports whether a path is part of the API that other origins may
// call.
func corsPath(p string) bool {
	return strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz"
}
