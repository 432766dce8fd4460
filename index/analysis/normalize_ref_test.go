package analysis

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/gen"
)

// refNormalizeMap is the straightforward definition of normalization that
// normalizeAppend implements without allocating: rune by rune, NFKC, lower
// case, traditional → simplified, separators collapsed to one space.
func refNormalizeMap(s string, table map[rune]rune) (string, []int) {
	var b strings.Builder
	offs := []int{}
	space := true
	for i, r := range s {
		for _, out := range refFoldRune(r, table) {
			if refIsSeparator(out) {
				if space {
					continue
				}
				out, space = ' ', true
			} else {
				space = false
			}
			n := b.Len()
			b.WriteRune(out)
			for k := n; k < b.Len(); k++ {
				offs = append(offs, i)
			}
		}
	}
	res := b.String()
	if strings.HasSuffix(res, " ") {
		res = res[:len(res)-1]
		offs = offs[:len(res)]
	}
	return res, append(offs, len(s))
}

func refFoldRune(r rune, table map[rune]rune) []rune {
	switch {
	case r < utf8.RuneSelf:
		return []rune{unicode.ToLower(r)}
	case r == utf8.RuneError:
		return []rune{' '}
	case unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r):
		return nil // shows nothing, joins or splits no word
	}
	if s, ok := table[r]; ok {
		return []rune{s}
	}
	if c, ok := refUnaccented(r); ok {
		return []rune{c}
	}
	if isHan(r) {
		return []rune{r}
	}
	buf := string(r)
	if norm.NFKC.IsNormalString(buf) {
		return []rune{unicode.ToLower(r)}
	}
	out := []rune(strings.ToLower(norm.NFKC.String(buf)))
	for i, c := range out {
		if s, ok := table[c]; ok {
			out[i] = s
		} else if u, ok := refUnaccented(c); ok {
			out[i] = u
		}
	}
	return out
}

// refUnaccented: a Latin letter with accents is its letter.
func refUnaccented(r rune) (rune, bool) {
	if d := []rune(norm.NFD.String(string(r))); len(d) > 1 && d[0] < utf8.RuneSelf && unicode.In(r, unicode.Latin) {
		return unicode.ToLower(d[0]), true
	}
	return 0, false
}

func refIsSeparator(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r)
}

// TestNormalizeMatchesReference checks the fast normalization against the
// reference on Unicode code points, on generated articles and on
// random mixtures of scripts, punctuation and invalid bytes.
func TestNormalizeMatchesReference(t *testing.T) {
	table := map[rune]rune{}
	for i, s := range t2sTable() {
		if s != 0 {
			table[rune(i)+t2sLo] = s
		}
	}
	if len(table) < 2000 {
		t.Fatalf("t2s table has %d entries, want thousands", len(table))
	}
	check := func(in string) {
		t.Helper()
		got, gotOffs := NormalizeMap(in, true)
		want, wantOffs := refNormalizeMap(in, table)
		if got != want || !reflect.DeepEqual(gotOffs, wantOffs) {
			t.Fatalf("NormalizeMap(%q) = %q %v, want %q %v", in, got, gotOffs, want, wantOffs)
		}
		if n := Normalize(in); n != want {
			t.Fatalf("Normalize(%q) = %q, want %q", in, n, want)
		}
	}
	// Every code point of the basic plane, a sample of the others.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF || r > 0xFFFF && r%61 != 0 {
			continue
		}
		check("a" + string(r) + "b")
	}
	err := gen.Generate(gen.Options{N: 50, Seed: 7}, func(a zhsearch.Article) error {
		check(a.Title)
		check(a.Body)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pieces := []string{"花唄", "風控", "ＩＤ貸", "Ｅ卡", "，", "。", "！", " ", "\u3000", "\t", "ABC", "x", "１２", "㈱", "ﬁ", "\xff", "\xe4\xb8", "Ⅻ", "①", "\u200b", "﹏", "𠀀", "가"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		check(b.String())
	}
}

// TestCharPinyinTable checks the dense pinyin table against go-pinyin for
// every code point of the table's span and a few beyond it.
func TestCharPinyinTable(t *testing.T) {
	for r := rune(t2sLo - 10); r <= t2sHi+10; r++ {
		want := ""
		if isHan(r) {
			want = lookupPinyin(r)
		}
		if got := CharPinyin(r); got != want {
			t.Fatalf("CharPinyin(%U) = %q, want %q", r, got, want)
		}
	}
	if got := CharPinyin('𠀀'); got != lookupPinyin('𠀀') {
		t.Errorf("CharPinyin outside the table = %q", got)
	}
}
