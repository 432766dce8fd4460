// Package analysis turns Chinese text into index terms. It holds the one
// normalization used at index and query time (NFKC width folding, lower-case
// Latin, traditional → simplified, unified punctuation and whitespace), the
// gse word segmenter loaded with the site's domain dictionary, CJK bigrams,
// pinyin, and the bleve tokenizers and analyzers built from them, registered
// with bleve's registry in init().
package analysis

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/unicode/norm"
)

// t2sTable maps a traditional character to its simplified form. It is built
// once per process from OpenCC's t2s conversion, character by character, so
// normalization is a per-rune table lookup with no phrase context: a search
// engine needs 花唄 and 花呗 to meet, not a publishable conversion.
var t2sTable = sync.OnceValue(buildT2S)

// cjkRanges are the blocks whose characters may have a simplified form.
var cjkRanges = [][2]rune{{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}}

func buildT2S() map[rune]rune {
	cc, err := opencc.New("t2s")
	if err != nil {
		panic("analysis: opencc t2s: " + err.Error()) // embedded data: cannot fail at run time
	}
	var b strings.Builder
	var in []rune
	for _, rg := range cjkRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			in = append(in, r)
			b.WriteRune(r)
			b.WriteByte('\n') // a separator keeps OpenCC from matching phrases
		}
	}
	out, err := cc.Convert(b.String())
	if err != nil {
		panic("analysis: opencc t2s: " + err.Error())
	}
	m := make(map[rune]rune, 4096)
	lines := strings.Split(out, "\n")
	for i, r := range in {
		if i >= len(lines) {
			break
		}
		s, size := utf8.DecodeRuneInString(lines[i])
		if size == len(lines[i]) && s != r && s != utf8.RuneError {
			m[r] = s
		}
	}
	// Follow chains (薴 → 苧 → 苎) to their end, so that normalizing twice
	// changes nothing and all three forms meet.
	for r, s := range m {
		for range 4 {
			t, ok := m[s]
			if !ok || t == r {
				break
			}
			s = t
		}
		m[r] = s
	}
	return m
}

// Normalize returns the normalized form of s: NFKC, lower case, simplified
// Chinese, every run of punctuation, symbols and spaces as one space, trimmed.
func Normalize(s string) string {
	n, _ := NormalizeMap(s, false)
	return n
}

// NormalizeMap normalizes s and, when withOffsets is set, also returns for
// each byte of the result (and one past its end) the byte offset in s it came
// from, so that matches found in normalized text can be marked in the
// original.
func NormalizeMap(s string, withOffsets bool) (string, []int) {
	table := t2sTable()
	var b strings.Builder
	b.Grow(len(s))
	var offs []int
	if withOffsets {
		offs = make([]int, 0, len(s)+1)
	}
	space := true // suppress leading spaces
	var buf [utf8.UTFMax * 4]byte
	for i, r := range s {
		for _, out := range foldRune(r, table, buf[:0]) {
			if isSeparator(out) {
				if space {
					continue
				}
				out, space = ' ', true
			} else {
				space = false
			}
			n := b.Len()
			b.WriteRune(out)
			if withOffsets {
				for k := n; k < b.Len(); k++ {
					offs = append(offs, i)
				}
			}
		}
	}
	res := b.String()
	if strings.HasSuffix(res, " ") {
		res = res[:len(res)-1]
		if withOffsets {
			offs = offs[:len(res)]
		}
	}
	if withOffsets {
		offs = append(offs, len(s))
	}
	return res, offs
}

// foldRune returns the normalized runes of one input rune.
func foldRune(r rune, table map[rune]rune, buf []byte) []rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return []rune{r}
	case r == utf8.RuneError:
		return []rune{' '}
	}
	if s, ok := table[r]; ok {
		return []rune{s}
	}
	if isHan(r) {
		return []rune{r}
	}
	buf = utf8.AppendRune(buf, r)
	if norm.NFKC.IsNormal(buf) {
		return []rune{unicode.ToLower(r)}
	}
	out := []rune(strings.ToLower(norm.NFKC.String(string(buf))))
	for i, c := range out {
		if s, ok := table[c]; ok {
			out[i] = s
		}
	}
	return out
}

// isSeparator reports whether a normalized rune only separates words.
func isSeparator(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r) ||
		r == '\u200b' || r == '\ufeff'
}

// isHan reports whether r is a Chinese character.
func isHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF || unicode.Is(unicode.Han, r)
}

// IsHan reports whether r is a Chinese character.
func IsHan(r rune) bool { return isHan(r) }

// IsLatinQuery reports whether a normalized query is only ASCII letters,
// digits and spaces, with at least one letter: such a query may be pinyin.
func IsLatinQuery(q string) bool {
	letter := false
	for _, r := range q {
		switch {
		case 'a' <= r && r <= 'z':
			letter = true
		case '0' <= r && r <= '9', r == ' ':
		default:
			return false
		}
	}
	return letter
}
