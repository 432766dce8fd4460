package analysis

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalize checks the invariants of query and text normalization:
// valid UTF-8 out whatever comes in, idempotence, single inner spaces and
// no outer ones, and offsets that map each output byte back into the input
// in order, ending at the input's end.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"花唄風控", "ＩＤ贷 京东Ｅ卡", "  a\u3000b\t\nc ", "\xff\xfe", "ﬁ①㍿"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Normalize(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Normalize(%q) = %q: not UTF-8", s, out)
		}
		if again := Normalize(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
		if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
			t.Fatalf("Normalize(%q) = %q: stray spaces", s, out)
		}
		mapped, offs := NormalizeMap(s, true)
		if mapped != out {
			t.Fatalf("NormalizeMap(%q) = %q, Normalize = %q", s, mapped, out)
		}
		if len(offs) != len(out)+1 || offs[len(out)] != len(s) {
			t.Fatalf("%d offsets for %d bytes, last %v, input %d bytes", len(offs), len(out), offs[len(offs)-1], len(s))
		}
		for i := range out {
			if offs[i] < 0 || offs[i] >= len(s) || i > 0 && offs[i] < offs[i-1] {
				t.Fatalf("offset %d of %q is %d (previous %d), input has %d bytes", i, out, offs[i], offs[max(i-1, 0)], len(s))
			}
			if utf8.ValidString(s) && !utf8.RuneStart(s[offs[i]]) {
				t.Fatalf("offset %d points into a character", offs[i])
			}
		}
		if _, none := NormalizeMap(s, false); none != nil {
			t.Fatal("offsets returned without being asked for")
		}
	})
}

// TestT2STableClosed checks that no simplified form is itself mapped on:
// otherwise Normalize would not be idempotent (the fuzzer found 薴 → 苧 → 苎).
func TestT2STableClosed(t *testing.T) {
	table := t2sTable()
	for i, s := range table {
		if s == 0 {
			continue
		}
		if u, ok := table.lookup(s); ok {
			t.Errorf("%c → %c → %c", rune(i)+t2sLo, s, u)
		}
	}
	if got := Normalize("薴苧苎"); got != "苎苎苎" {
		t.Errorf("Normalize(薴苧苎) = %q", got)
	}
}
