package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// A bad --cors-origins (or ZHSEARCH_CORS_ORIGINS) stops serve before it
// opens anything, naming the bad origin.
func TestServeCORSOriginsFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"flag", []string{"serve", "--cors-origins", "https://ok.example,site.example"}, "", `--cors-origins: origin "site.example"`},
		{"env", []string{"serve"}, "https://ok.example/path", `--cors-origins: origin "https://ok.example/path": an origin has no path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("ZHSEARCH_CORS_ORIGINS", tt.env)
			t.Setenv("ZHSEARCH_INDEX", t.TempDir())
			var out bytes.Buffer
			if st := run(context.Background(), tt.args, &out, &out); st != exitUsage || !strings.Contains(out.String(), tt.want) {
				t.Errorf("zhsearch %q: status %d, output %q; want %d and %q", tt.args, st, out.String(), exitUsage, tt.want)
			}
		})
	}
}
