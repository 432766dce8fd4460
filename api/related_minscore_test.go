package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
)

// minScoreService records the related request it was asked.
type minScoreService struct {
	fakeService
	got zhsearch.RelatedRequest
}

func (m *minScoreService) Related(ctx context.Context, req zhsearch.RelatedRequest) (*zhsearch.RelatedResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	m.got = req
	return &zhsearch.RelatedResult{ID: req.ID, Related: []zhsearch.RelatedItem{}}, nil
}

// TestRelatedMinScore: min_score reaches the service from the query string
// of a stored article's list and from a draft's JSON, and outside 0–1 or
// not a number it is a 400.
func TestRelatedMinScore(t *testing.T) {
	for _, tt := range []struct {
		name, method, target, body string
		code                       int
		want                       float64
	}{
		{"absent", "GET", "/api/v1/articles/a1/related", "", 200, 0},
		{"query", "GET", "/api/v1/articles/a1/related?min_score=0.35", "", 200, 0.35},
		{"query one", "GET", "/api/v1/articles/a1/related?min_score=1", "", 200, 1},
		{"query above 1", "GET", "/api/v1/articles/a1/related?min_score=1.5", "", 400, 0},
		{"query negative", "GET", "/api/v1/articles/a1/related?min_score=-0.1", "", 400, 0},
		{"query NaN", "GET", "/api/v1/articles/a1/related?min_score=NaN", "", 400, 0},
		{"query not a number", "GET", "/api/v1/articles/a1/related?min_score=high", "", 400, 0},
		{"draft", "POST", "/api/v1/related", `{"title":"花呗风控","min_score":0.4}`, 200, 0.4},
		{"draft above 1", "POST", "/api/v1/related", `{"title":"花呗风控","min_score":2}`, 400, 0},
		{"draft not a number", "POST", "/api/v1/related", `{"title":"花呗风控","min_score":"0.4"}`, 400, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			svc := &minScoreService{}
			h := (&Server{Service: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.method == "POST" {
				req.Header.Set("Content-Type", "application/json")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.code {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.code, w.Body.String())
			}
			if tt.code == http.StatusOK && svc.got.MinScore != tt.want {
				t.Errorf("service got MinScore %v, want %v", svc.got.MinScore, tt.want)
			}
		})
	}
}
