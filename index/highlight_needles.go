package index

import (
	"strings"
	"unicode/utf8"
)

// needleSet finds all of a query's needles (highlighter.needles, or its
// pairs) in one pass over a text. Looked for one by one with
// strings.Index, a query's ten to thirty needles each scanned the hit's
// body: in Chinese text nearly every character starts with the same few
// bytes, so the index's first-byte search stops everywhere, and marking
// the ten hits of a page took about a sixth of a search's time at 100k
// generated articles. The pass looks each character up in a small filter
// of the needles' first characters and compares only the needles that
// start with it.
type needleSet struct {
	needles []string
	filter  [firstRuneFilter / 64]uint64 // the needles' first runes, hashed
	byFirst map[rune][]int               // needle indexes by first rune
}

// firstRuneFilter is the size in bits of needleSet's filter: a query's
// few dozen first characters set few of its bits.
const firstRuneFilter = 4096

func newNeedleSet(needles []string) *needleSet {
	s := &needleSet{needles: needles, byFirst: make(map[rune][]int, len(needles))}
	for i, n := range needles {
		if n == "" {
			continue // found nowhere: highlighter adds none
		}
		r, _ := utf8.DecodeRuneInString(n)
		h := uint32(r) % firstRuneFilter
		s.filter[h/64] |= 1 << (h % 64)
		s.byFirst[r] = append(s.byFirst[r], i)
	}
	return s
}

// candidates returns the indexes of the needles that start with r.
func (s *needleSet) candidates(r rune) []int {
	h := uint32(r) % firstRuneFilter
	if s.filter[h/64]&(1<<(h%64)) == 0 {
		return nil
	}
	return s.byFirst[r]
}

// first returns the byte offset of the earliest place in text where one
// of the needles starts, -1 for none.
func (s *needleSet) first(text string) int {
	for i := 0; i < len(text); {
		r, size := nextRune(text, i)
		for _, k := range s.candidates(r) {
			if strings.HasPrefix(text[i:], s.needles[k]) {
				return i
			}
		}
		i += size
	}
	return -1
}

// each calls fn with the byte span of every match in text, in order of
// their starts: each needle's matches from left to right, not overlapping
// one another (those of two needles may). A needle that begins or ends
// with a Latin letter or digit matches only at a word's edge there
// (atWordEdges), as the engine matches Latin words (app does not find
// happy, nor id Android): id贷 is marked in 手机id贷, not in Android手机.
func (s *needleSet) each(text string, fn func(start, end int)) {
	var next []int // per needle, where its next match may start
	for i := 0; i < len(text); {
		r, size := nextRune(text, i)
		for _, k := range s.candidates(r) {
			n := s.needles[k]
			if next != nil && i < next[k] {
				continue
			}
			if strings.HasPrefix(text[i:], n) && atWordEdges(text, i, i+len(n)) {
				fn(i, i+len(n))
				if next == nil {
					next = make([]int, len(s.needles))
				}
				next[k] = i + len(n)
			}
		}
		i += size
	}
}

// nextRune decodes the rune at text[i:]: a needle, valid UTF-8, can only
// start where one does.
func nextRune(text string, i int) (rune, int) {
	if c := text[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(text[i:])
}
