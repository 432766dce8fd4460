package web

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
)

// TestSearchQuery: the links that search a title or a tag (/?q=…) cut it
// to the longest query search takes, on a character, so that following
// one never ends in "too long".
func TestSearchQuery(t *testing.T) {
	long := "花呗逾期" + strings.Repeat("很", 296)
	for _, tt := range []struct{ in, want string }{
		{"花呗风控", "花呗风控"},
		{"  花呗 风控 ", "花呗 风控"},
		{strings.Repeat("长", zhsearch.MaxQueryLen), strings.Repeat("长", zhsearch.MaxQueryLen)},
		{long, "花呗逾期" + strings.Repeat("很", zhsearch.MaxQueryLen-4)},
		{strings.Repeat("长", zhsearch.MaxQueryLen-1) + " 尾巴", strings.Repeat("长", zhsearch.MaxQueryLen-1)},
	} {
		got := searchQuery(tt.in)
		if got != tt.want {
			t.Errorf("searchQuery(%d characters) = %d characters %.12q…, want %d", utf8.RuneCountInString(tt.in),
				utf8.RuneCountInString(got), got, utf8.RuneCountInString(tt.want))
		}
	}
}
