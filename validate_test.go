package zhsearch

import (
	"strings"
	"testing"
)

func TestSearchRequestValidate(t *testing.T) {
	tests := []struct {
		q          string
		page, size int
		wantErr    string // "" for valid
		wantPage   int
		wantSize   int
	}{
		{"花呗", 0, 0, "", 1, 10},
		{"  花呗\t", 3, 5, "", 3, 5},
		{"花呗", 100, 10, "", 100, 10}, // page*size = 1000: the last allowed window
		{"花呗", 101, 10, "page*size", 0, 0},
		{"花呗", 20, 50, "", 20, 50},
		{"花呗", 21, 50, "page*size", 0, 0},
		{"花呗", 1000, 1, "", 1000, 1},
		{"花呗", 1001, 1, "page*size", 0, 0},
		{"花呗", 1_000_000_000, 0, "page*size", 0, 0}, // no overflow on huge pages
		{"花呗", -1, 10, "page must be", 0, 0},
		{"花呗", 1, 51, "size must be", 0, 0},
		{"花呗", 1, -1, "size must be", 0, 0},
		{"", 1, 10, "q is required", 0, 0},
		{" \u3000\t", 1, 10, "q is required", 0, 0},
		{strings.Repeat("花", 200), 1, 10, "", 1, 10},
		{strings.Repeat("花", 201), 1, 10, "at most 200", 0, 0},
		{"\xff", 1, 10, "UTF-8", 0, 0},
		{"\x00", 1, 10, "control characters", 0, 0},
		{"花\x1b[31m呗", 1, 10, "control characters", 0, 0},
		{"花呗\t风控\n征信", 1, 10, "", 1, 10}, // pasted whitespace is text
	}
	for _, tt := range tests {
		r := SearchRequest{Query: tt.q, Page: tt.page, Size: tt.size}
		err := r.Validate()
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%q page %d size %d: %v", tt.q, tt.page, tt.size, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || ErrorCode(err) != EINVALID):
			t.Errorf("%q page %d size %d: error %v, want invalid_argument with %q", tt.q, tt.page, tt.size, err, tt.wantErr)
		case tt.wantErr == "" && (r.Page != tt.wantPage || r.Size != tt.wantSize || r.Query != strings.TrimSpace(tt.q)):
			t.Errorf("%q: normalized to page %d size %d query %q", tt.q, r.Page, r.Size, r.Query)
		}
	}
}
