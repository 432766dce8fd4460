package analysis

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Edge is the analyzer of autocomplete keys (a normalized title, its pinyin
// or its initials, each one term): it emits the key's prefixes, so "starts
// with" is a single term lookup instead of a prefix query that expands to
// every title sharing the prefix.
const Edge = "zh_edge"

// MaxEdge is the longest prefix, in characters, the Edge analyzer emits;
// longer typed text is matched with a prefix query, which is then selective.
const MaxEdge = 20

// EdgePad is the term the Edge analyzer repeats after the prefixes of a key
// longer than MaxEdge, so that the field's length is the key's length in
// characters, as if every prefix had been emitted. Scores then fall with the
// key's length (bleve's field norm is 1/sqrt(length)), and the best-scored
// completions are the shortest titles without sorting on a stored length.
// Normalized text never contains it: "~" is a separator.
const EdgePad = "~"

func init() {
	register(Edge, func() analysis.Tokenizer { return EdgeTokenizer{} })
}

// EdgeTokenizer emits the prefixes of its whole input, one to MaxEdge
// characters, then EdgePad until there is one token per character.
type EdgeTokenizer struct{}

// Tokenize implements analysis.Tokenizer.
func (EdgeTokenizer) Tokenize(input []byte) analysis.TokenStream {
	n := utf8.RuneCount(input)
	ts := newTokens(n, string(input))
	end := 0
	for pos := 1; pos <= n; pos++ {
		if pos <= MaxEdge {
			_, size := utf8.DecodeRune(ts.text[end:])
			end += size
			ts.add(0, end, 0, end, pos, analysis.AlphaNumeric)
			continue
		}
		ts.addTerm([]byte(EdgePad), 0, len(input), pos, analysis.AlphaNumeric)
	}
	return ts.stream
}
