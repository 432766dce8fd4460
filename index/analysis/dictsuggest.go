package analysis

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Candidate is a frequent character sequence the dictionary splits badly.
type Candidate struct {
	Word  string // normalized sequence
	Count int    // occurrences in the texts
	Split string // how the segmenter cuts it today, pieces joined by "/"
}

// SuggestOptions bounds a dictionary suggestion run.
type SuggestOptions struct {
	MinCount int // at least this many occurrences (default 3)
	MinLen   int // characters (default 2)
	MaxLen   int // characters (default 6)
	Top      int // at most this many candidates (default 50)
}

func (o *SuggestOptions) defaults() {
	if o.MinCount <= 0 {
		o.MinCount = 3
	}
	if o.MinLen < 2 {
		o.MinLen = 2
	}
	if o.MaxLen < o.MinLen {
		o.MaxLen = 6
	}
	if o.Top <= 0 {
		o.Top = 50
	}
}

// SuggestWords finds runs of Chinese characters that recur in texts but
// that the dictionary cuts into single characters or into pieces that cross
// the run's edges (stock gse: 花呗 → 花/呗, 租机变现 → 租/机变/现), where
// they stand between two of today's word boundaries (edges). Only
// closed sequences are kept: a sequence that occurs exactly as often as a
// longer one containing it is part of that one, not a word of its own.
// Candidates come most frequent first, longer first among equals.
func (s *Segmenter) SuggestWords(texts []string, opts SuggestOptions) []Candidate {
	opts.defaults()
	counts := map[string]int{}
	for _, t := range texts {
		for _, run := range hanRuns(Normalize(t)) {
			r := []rune(run)
			edge := s.edges(run, len(r))
			for i := range r {
				if !edge[i] {
					continue
				}
				for n := opts.MinLen; n <= opts.MaxLen && i+n <= len(r); n++ {
					if edge[i+n] {
						counts[string(r[i:i+n])]++
					}
				}
			}
		}
	}
	ext := longestExtension(counts)
	var cands []Candidate
	for w, c := range counts {
		if c < opts.MinCount || s.IsStop(w) || containsStop(s, w) {
			continue
		}
		pieces := s.Cut(w, false)
		if !splitBadly(pieces) {
			continue
		}
		if ext[w] == c {
			continue // part of a longer sequence that occurs as often
		}
		cands = append(cands, Candidate{Word: w, Count: c, Split: joinPieces(pieces)})
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if la, lb := utf8.RuneCountInString(a.Word), utf8.RuneCountInString(b.Word); la != lb {
			return la > lb
		}
		return a.Word < b.Word
	})
	if len(cands) > opts.Top {
		cands = cands[:opts.Top]
	}
	return cands
}

// edges marks, by character index, where today's cut of run puts a word
// boundary (0 and n included). A sequence is counted only between two of
// them: one that starts or ends inside a word the dictionary knows (期还款
// of 分期还款, 机回收 of 租机回收) is a piece of it, not an unknown word.
func (s *Segmenter) edges(run string, n int) []bool {
	edge := make([]bool, n+1)
	edge[0], edge[n] = true, true
	for _, w := range s.Cut(run, false) {
		edge[utf8.RuneCountInString(run[:w.End])] = true
	}
	return edge
}

// splitBadly reports whether a sequence's segmentation has a single
// character piece: a word the dictionary does not know.
func splitBadly(pieces []Word) bool {
	if len(pieces) < 2 {
		return false
	}
	for _, p := range pieces {
		if utf8.RuneCountInString(p.Text) == 1 {
			return true
		}
	}
	return false
}

// containsStop reports whether w starts or ends with a one-character stop
// word (的, 了, 在 …): such runs are phrases, not words.
func containsStop(s *Segmenter, w string) bool {
	first, _ := utf8.DecodeRuneInString(w)
	last, _ := utf8.DecodeLastRuneInString(w)
	return s.IsStop(string(first)) || s.IsStop(string(last))
}

// longestExtension maps each sequence to the highest count of a sequence
// one character longer that contains it (as prefix or suffix).
func longestExtension(counts map[string]int) map[string]int {
	ext := make(map[string]int, len(counts)/2)
	for g, c := range counts {
		_, first := utf8.DecodeRuneInString(g)
		_, last := utf8.DecodeLastRuneInString(g)
		for _, sub := range []string{g[first:], g[:len(g)-last]} {
			if ext[sub] < c {
				ext[sub] = c
			}
		}
	}
	return ext
}

func joinPieces(ws []Word) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.Text
	}
	return strings.Join(parts, "/")
}

// hanRuns returns the maximal runs of Chinese characters of normalized text.
func hanRuns(norm string) []string {
	var runs []string
	start := -1
	for i, r := range norm {
		if isHan(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			runs = append(runs, norm[start:i])
			start = -1
		}
	}
	if start >= 0 {
		runs = append(runs, norm[start:])
	}
	return runs
}
