package zhsearch

import (
	"strings"
	"testing"
)

func TestCheckAdminToken(t *testing.T) {
	tests := []struct {
		token string
		want  []string // the problems reported, in order
	}{
		{strings.Repeat("a", MinAdminTokenLen), nil},
		{strings.Repeat("~", MaxAdminTokenLen), nil},
		{"short", []string{"has 5 characters: want 16 to 256"}},
		{strings.Repeat("a", MaxAdminTokenLen+1), []string{"has 257 characters: want 16 to 256"}},
		{"with a space in the token", []string{"must be printable ASCII without spaces"}},
		{"令牌令牌令牌", []string{"must be printable ASCII without spaces"}},
		{"bad\ttok", []string{"has 7 characters: want 16 to 256", "must be printable ASCII without spaces"}},
	}
	for _, tt := range tests {
		err := CheckAdminToken(tt.token)
		var got []string
		if err != nil {
			got = strings.Split(err.Error(), "\n")
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("CheckAdminToken(%q) = %q, want %q", tt.token, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"花呗风控", 2, "花呗…"},
		{"花呗", 2, "花呗"},
	}
	for _, tt := range tests {
		if got := Truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
