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

	"golang.org/x/text/unicode/norm"
)

// t2sTable maps a traditional character to its simplified form. It is
// OpenCC's t2s conversion character by character (tables.go, generated
// from OpenCC by TestTables), so normalization is a per-rune table lookup
// with no phrase context: a search engine needs 花唄 and 花呗 to meet, not a
// publishable conversion.
var t2sTable = sync.OnceValue(func() t2s {
	table := make(t2s, t2sHi-t2sLo+1)
	for rest := t2sPairs; rest != ""; {
		from, n := utf8.DecodeRuneInString(rest)
		to, m := utf8.DecodeRuneInString(rest[n:])
		table[from-t2sLo] = to
		rest = rest[n+m:]
	}
	return table
})

// cjkRanges are the blocks whose characters may have a simplified form.
var cjkRanges = [][2]rune{{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}}

// t2sLo and t2sHi bound cjkRanges: the t2s table is one dense array over
// them, so a lookup is an index, not a hash.
const (
	t2sLo = 0x3400
	t2sHi = 0xFAFF
)

// t2s is the dense traditional → simplified table: t2s[r-t2sLo] is r's
// simplified form, or 0 when r has none.
type t2s []rune

// lookup returns r's simplified form and whether it has one.
func (t t2s) lookup(r rune) (rune, bool) {
	if r < t2sLo || r > t2sHi {
		return 0, false
	}
	s := t[r-t2sLo]
	return s, s != 0
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
	b, offs := normalizeAppend(make([]byte, 0, len(s)), s, withOffsets)
	return string(b), offs
}

// normalizeAppend appends the normalized form of s to dst; see NormalizeMap.
// It is the one implementation of normalization, written to allocate nothing
// but dst and the offsets for the common runes (ASCII, Chinese characters).
func normalizeAppend(dst []byte, s string, withOffsets bool) ([]byte, []int) {
	table := t2sTable()
	base := len(dst)
	var offs []int
	if withOffsets {
		offs = make([]int, 0, len(s)+1)
	}
	space := true // suppress leading spaces
	var folded [8]rune
	for i, r := range s {
		for _, out := range foldRune(r, table, folded[:0]) {
			if isSeparator(out) {
				if space {
					continue
				}
				out, space = ' ', true
			} else {
				space = false
			}
			n := len(dst)
			dst = utf8.AppendRune(dst, out)
			if withOffsets {
				for k := n; k < len(dst); k++ {
					offs = append(offs, i)
				}
			}
		}
	}
	if len(dst) > base && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
		if withOffsets {
			offs = offs[:len(dst)-base]
		}
	}
	if withOffsets {
		offs = append(offs, len(s))
	}
	return dst, offs
}

// foldRune appends the normalized runes of one input rune to dst.
func foldRune(r rune, table t2s, dst []rune) []rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, r)
	case r == utf8.RuneError:
		return append(dst, ' ')
	}
	if s, ok := table.lookup(r); ok {
		return append(dst, s)
	}
	if isHan(r) {
		return append(dst, r)
	}
	if invisible(r) { // after the common runes: a range-table search per rune
		return dst
	}
	if base, ok := unaccented(r); ok {
		return append(dst, base)
	}
	var buf [utf8.UTFMax]byte
	enc := utf8.AppendRune(buf[:0], r)
	if norm.NFKC.IsNormal(enc) {
		return append(dst, unicode.ToLower(r))
	}
	for _, c := range strings.ToLower(norm.NFKC.String(string(enc))) {
		if s, ok := table.lookup(c); ok {
			c = s
		} else if base, ok := unaccented(c); ok {
			c = base // Å, the angstrom sign, is Å
		}
		dst = append(dst, c)
	}
	return dst
}

// Foldable reports whether normalizing s changes a character that is not a
// separator (an upper-case letter, a traditional or full-width character;
// invalid UTF-8 becomes a separator). Where it does not, a word found in
// Normalize(s) is found in s as written, at the same characters:
// separators only ever become spaces, which no word holds.
func Foldable(s string) bool {
	table := t2sTable()
	var folded [8]rune
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				return true
			}
			continue
		}
		out := foldRune(r, table, folded[:0])
		if len(out) == 1 && out[0] == r {
			continue
		}
		for _, o := range out {
			if !isSeparator(o) {
				return true
			}
		}
	}
	return false
}

// isSeparator reports whether a normalized rune only separates words.
func isSeparator(r rune) bool {
	if r < utf8.RuneSelf {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z')
	}
	if r >= 0x4E00 && r <= 0x9FFF {
		return false // the common Chinese characters: letters
	}
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r)
}

// invisible reports whether r shows nothing and splits no word the reader
// sees: a format character (a soft hyphen, a zero-width space, joiner or
// non-joiner, a word joiner, a byte-order mark, a direction mark) or a
// variation selector (the emoji presentation of 色\ufe0f). Text pasted
// from a web page or a chat, or typed on a phone, carries them inside
// words (花\u00ad呗, 青\u200b铜), and search, suggest and the index must
// all read the word. The zero-width space was a separator until a probe
// found 青\u200b铜葫芦分期 not completed by 青铜: the reader sees one word.
// unaccented returns the lower-case letter of a Latin letter with accents.
// Such a letter reads as its letter: written with a combining accent (e +
// U+0301, as macOS and iOS input may give it) the accent is a separator
// and café was cafe, while café typed precomposed stayed café, and
// neither found the other. Pinyin with tone marks (zhēngxìn) reads as the
// pinyin it is.
func unaccented(r rune) (rune, bool) {
	if r < 0xc0 || !(r <= 0x24f || r >= 0x1e00 && r <= 0x1eff || unicode.Is(unicode.Latin, r)) {
		return 0, false
	}
	var buf [utf8.UTFMax]byte
	d := norm.NFD.Bytes(utf8.AppendRune(buf[:0], r))
	if len(d) < 2 || d[0] >= utf8.RuneSelf || utf8.RuneCount(d) < 2 {
		return 0, false
	}
	return unicode.ToLower(rune(d[0])), true
}

func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)
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

// IsNumber reports whether s is a number: digits, or Chinese numerals
// (五万, 两千, 一万二), possibly rounded (一万多, 三十来, 五百余) and followed
// by 块 or 元. Readers give amounts and dates (额度从五万降到八千, 10号就要还,
// 还有一万多的额度) that titles seldom say.
func IsNumber(s string) bool {
	n, rounded := 0, false
	var prev rune
	for i, r := range s {
		last := i+utf8.RuneLen(r) == len(s)
		switch {
		case rounded:
			if !(r == '块' || r == '元') || !last {
				return false
			}
		case r >= '0' && r <= '9' || strings.ContainsRune("零〇一二两三四五六七八九十百千万亿几", r):
			n++
		case strings.ContainsRune("多余来", r) && (prev >= '0' && prev <= '9' || strings.ContainsRune("十百千万亿", prev)):
			// After a digit or a unit only: 一来 (firstly) is no amount.
			rounded = true
		case (r == '块' || r == '元') && last && n > 0:
		default:
			return false
		}
		prev = r
	}
	return n > 0
}
