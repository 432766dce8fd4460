package index

import (
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// fBodyCut is a stored, unindexed field: where the words of an article's
// body start and end (analysis.StoreCut, a few bytes a word), written when
// the article is indexed, from the cut that indexes its body. A related
// list of a stored article reads it instead of cutting the body again
// (analysis.Segmenter.Recut), which was about a tenth of a list's CPU at
// 100k articles. An article indexed without it (a generation built before
// it, a body longer than a source reads, a title-only article) has its body
// cut when listed, as before, and so has one whose stored cut does not
// match its body.
const fBodyCut = "body_cut"

// storedCut returns the fBodyCut value of article a whose body field was
// cut as cut, "" when none is to be stored: a has no body as a source (a
// title-only article's body field is its title), or one longer than a
// source reads (boundedSource).
func storedCut(a *zhsearch.Article, cut *analysis.CutText) string {
	if a.TitleOnly || a.Body == "" || utf8.RuneCountInString(a.Body) > maxBodyRunes {
		return ""
	}
	return cut.Stored()
}
