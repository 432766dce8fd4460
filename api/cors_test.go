package api

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestParseOrigins(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{" , ", nil, ""},
		{"https://site.example", []string{"https://site.example"}, ""},
		{"HTTPS://Site.Example:443/", []string{"https://site.example"}, ""},
		{"http://site.example:80", []string{"http://site.example"}, ""},
		{"http://127.0.0.1:8080, https://b.example", []string{"http://127.0.0.1:8080", "https://b.example"}, ""},
		{"http://[::1]:3000", []string{"http://[::1]:3000"}, ""},
		{"*", []string{"*"}, ""},
		{"site.example", nil, `origin "site.example": want http://HOST[:PORT]`},
		{"ftp://site.example", nil, "want http://HOST[:PORT]"},
		{"https://", nil, "no host"},
		{"https://site.example/path", nil, "no path, query or fragment"},
		{"https://site.example?x=1", nil, "no path, query or fragment"},
		{"https://user@site.example", nil, "no user name"},
		{"null", nil, `origin "null"`},
		{"*, https://site.example", nil, "cannot be combined"},
	}
	for _, tt := range tests {
		got, err := ParseOrigins(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseOrigins(%q) error %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseOrigins(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCORS(t *testing.T) {
	const site, other = "https://site.example", "https://other.example"
	type want struct {
		status             int
		allowOrigin        string
		varyOrigin         bool
		allowMethods       string
		allowHeadersNonNil bool
	}
	tests := []struct {
		name    string
		origins []string
		method  string
		path    string
		header  map[string]string
		want    want
	}{
		{"allowed origin reads the API", []string{site}, "GET", "/api/v1/suggest?q=a",
			map[string]string{"Origin": site}, want{status: 200, allowOrigin: site, varyOrigin: true}},
		{"origin is compared case-insensitively", []string{site}, "GET", "/api/v1/suggest?q=a",
			map[string]string{"Origin": "https://SITE.example"}, want{status: 200, allowOrigin: "https://SITE.example", varyOrigin: true}},
		{"other origin gets no CORS headers", []string{site}, "GET", "/api/v1/suggest?q=a",
			map[string]string{"Origin": other}, want{status: 200, varyOrigin: true}},
		{"no Origin: same-origin or not a browser", []string{site}, "GET", "/api/v1/suggest?q=a",
			nil, want{status: 200, varyOrigin: true}},
		{"errors are readable too", []string{site}, "GET", "/api/v1/search",
			map[string]string{"Origin": site}, want{status: 400, allowOrigin: site, varyOrigin: true}},
		{"health checks", []string{site}, "GET", "/readyz",
			map[string]string{"Origin": site}, want{status: 200, allowOrigin: site, varyOrigin: true}},
		{"preflight from allowed origin", []string{site}, "OPTIONS", "/api/v1/related",
			map[string]string{"Origin": site, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
			want{status: 204, allowOrigin: site, varyOrigin: true, allowMethods: corsAllowMethods, allowHeadersNonNil: true}},
		{"preflight from other origin", []string{site}, "OPTIONS", "/api/v1/related",
			map[string]string{"Origin": other, "Access-Control-Request-Method": "POST"}, want{status: 405, varyOrigin: true}},
		{"pages are not part of the API", []string{site}, "GET", "/",
			map[string]string{"Origin": site}, want{status: 200}},
		// The same answer for every origin: one copy in a shared cache.
		{"wildcard allows any origin", []string{"*"}, "GET", "/api/v1/suggest?q=a",
			map[string]string{"Origin": other}, want{status: 200, allowOrigin: "*", varyOrigin: false}},
		{"default: same origin only", nil, "GET", "/api/v1/suggest?q=a",
			map[string]string{"Origin": site}, want{status: 200}},
		{"default: no preflight answer", nil, "OPTIONS", "/api/v1/related",
			map[string]string{"Origin": site, "Access-Control-Request-Method": "POST"}, want{status: 405}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := (&Server{Service: newWebFake(), CORSOrigins: tt.origins}).Handler()
			req := httptest.NewRequest(tt.method, tt.path, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			got := want{
				status:             res.StatusCode,
				allowOrigin:        res.Header.Get("Access-Control-Allow-Origin"),
				varyOrigin:         hasToken(res.Header.Values("Vary"), "Origin"),
				allowMethods:       res.Header.Get("Access-Control-Allow-Methods"),
				allowHeadersNonNil: res.Header.Get("Access-Control-Allow-Headers") != "",
			}
			if got != tt.want {
				t.Errorf("%s %s: got %+v, want %+v", tt.method, tt.path, got, tt.want)
			}
		})
	}
}

func hasToken(values []string, token string) bool {
	for _, v := range values {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), token) {
				return true
			}
		}
	}
	return false
}

// A preflight answer lets the browser send what the API needs: a JSON POST.
func TestCORSPreflightAllowsJSONPost(t *testing.T) {
	h := (&Server{Service: newWebFake(), CORSOrigins: []string{"https://site.example"}}).Handler()
	req := httptest.NewRequest(http.MethodOptions, "/api/v1/related", nil)
	req.Header.Set("Origin", "https://site.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type, x-request-id")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !hasToken(rec.Header().Values("Access-Control-Allow-Methods"), "POST") ||
		!hasToken(rec.Header().Values("Access-Control-Allow-Headers"), "content-type") ||
		!hasToken(rec.Header().Values("Access-Control-Allow-Headers"), "x-request-id") ||
		rec.Header().Get("Access-Control-Max-Age") == "" {
		t.Errorf("preflight headers %v", rec.Header())
	}
}

// An answer to an allowed origin lets its page read Retry-After (a 429 or
// 503 says when to come back) and X-Request-ID, not only the simple
// headers.
func TestCORSExposesRetryAfterAndRequestID(t *testing.T) {
	h := (&Server{Service: newWebFake(), CORSOrigins: []string{"https://site.example"}}).Handler()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/search?q=花呗", nil)
	req.Header.Set("Origin", "https://site.example")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, name := range []string{"retry-after", "x-request-id"} {
		if !hasToken(rec.Header().Values("Access-Control-Expose-Headers"), name) {
			t.Errorf("Access-Control-Expose-Headers %q lacks %s", rec.Header().Values("Access-Control-Expose-Headers"), name)
		}
	}
}
