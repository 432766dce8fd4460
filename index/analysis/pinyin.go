package analysis

import (
	"sort"
	"strings"
	"sync"

	gopinyin "github.com/mozillazg/go-pinyin"
)

// CharPinyin returns the toneless pinyin of a Chinese character in its most
// common reading, or "" for anything else.
func CharPinyin(r rune) string {
	if r >= t2sLo && r <= t2sHi {
		return pinyinTable()[r-t2sLo]
	}
	if !isHan(r) {
		return ""
	}
	return lookupPinyin(r)
}

// lookupPinyin asks go-pinyin for r's most common toneless reading.
func lookupPinyin(r rune) string {
	p := gopinyin.SinglePinyin(r, gopinyin.Args{Style: gopinyin.Normal})
	if len(p) == 0 {
		return ""
	}
	return p[0]
}

// pinyinTable holds CharPinyin of the characters of cjkRanges, densely from
// t2sLo to t2sHi ("" for non-Chinese code points between the ranges):
// go-pinyin allocates on every call, and indexing runs it for every title
// character twice.
var pinyinTable = sync.OnceValue(func() []string {
	table := make([]string, t2sHi-t2sLo+1)
	interned := map[string]string{}
	for _, rg := range cjkRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			if !isHan(r) {
				continue
			}
			p := lookupPinyin(r)
			if q, ok := interned[p]; ok {
				p = q
			} else {
				interned[p] = p
			}
			table[r-t2sLo] = p
		}
	}
	return table
})

// PinyinOf returns the syllables of the Chinese characters of normalized
// text, in order; other characters are skipped.
func PinyinOf(norm string) []string {
	var out []string
	for _, r := range norm {
		if p := CharPinyin(r); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// syllables is every toneless pinyin syllable go-pinyin can produce, built
// once from its character table.
var syllables = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, rg := range cjkRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			for _, p := range gopinyin.SinglePinyin(r, gopinyin.Args{Style: gopinyin.Normal, Heteronym: true}) {
				set[p] = true
			}
		}
	}
	return set
})

// maxSyllable is the length of the longest pinyin syllable (zhuang).
const maxSyllable = 6

// SplitPinyin splits a run of Latin letters into pinyin syllables, using as
// few syllables as possible (xian is one syllable, not xi+an). It returns
// ok=false when s is not entirely pinyin. With allowPartial, the last piece
// may be an unfinished syllable (a prefix of one, or a lone initial), as a
// reader types it: huab → hua, b.
func SplitPinyin(s string, allowPartial bool) (parts []string, ok bool) {
	set := syllables()
	n := len(s)
	// best[i]: fewest pieces to cover s[i:], -1 if impossible.
	best := make([]int, n+1)
	next := make([]int, n+1)
	best[n] = 0
	for i := n - 1; i >= 0; i-- {
		best[i] = -1
		for j := min(n, i+maxSyllable); j > i; j-- {
			piece := s[i:j]
			valid := set[piece] || (allowPartial && j == n && isSyllablePrefix(piece))
			if !valid || best[j] < 0 {
				continue
			}
			if best[i] < 0 || best[j]+1 < best[i] {
				best[i], next[i] = best[j]+1, j
			}
		}
	}
	if n == 0 || best[0] < 0 {
		return nil, false
	}
	for i := 0; i < n; i = next[i] {
		parts = append(parts, s[i:next[i]])
	}
	return parts, true
}

// sortedSyllables lists the syllables in order, for prefix checks.
var sortedSyllables = sync.OnceValue(func() []string {
	var out []string
	for s := range syllables() {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
})

func isSyllablePrefix(p string) bool {
	all := sortedSyllables()
	i := sort.SearchStrings(all, p)
	return i < len(all) && strings.HasPrefix(all[i], p)
}

// IsInitials reports whether a Latin run could be typed initials (hbfk):
// letters only, two to twelve of them.
func IsInitials(s string) bool {
	if len(s) < 2 || len(s) > 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}
