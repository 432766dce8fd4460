// Package querymix draws a realistic, deterministic request mix from a
// generated corpus for benchmarks: search-box queries of one to three
// consecutive words of article titles (what a reader remembers of a
// headline), now and then a whole title; autocomplete prefixes of one to
// four characters of titles; and article ids for related-article requests.
// The Go benchmarks and the HTTP load script (bench/run) use the same mix.
package querymix

import (
	"math/rand/v2"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/gen"
)

// Mix is a request mix.
type Mix struct {
	Search  []string // search queries
	Suggest []string // autocomplete prefixes
	Related []string // article ids
}

// Options chooses the corpus the mix is drawn from and its size.
type Options struct {
	Corpus gen.Options // the generated corpus the index holds
	N      int         // requests of each kind (default 1000)
	Seed   uint64      // selects the requests
}

// FromCorpus draws a mix from the articles of opts.Corpus. Only every k-th
// article is looked at, so drawing from a million articles is quick.
func FromCorpus(opts Options) (*Mix, error) {
	if opts.N <= 0 {
		opts.N = 1000
	}
	step := max(1, opts.Corpus.N/(8*opts.N))
	var articles []zhsearch.Article
	i := 0
	err := gen.Generate(opts.Corpus, func(a zhsearch.Article) error {
		if i%step == 0 {
			articles = append(articles, a)
		}
		i++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return FromArticles(articles, opts.N, opts.Seed), nil
}

// FromArticles draws n requests of each kind from articles.
func FromArticles(articles []zhsearch.Article, n int, seed uint64) *Mix {
	m := &Mix{}
	if len(articles) == 0 {
		return m
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	seg := analysis.DefaultSegmenter()
	for len(m.Search) < n {
		a := &articles[rng.IntN(len(articles))]
		if q := searchQuery(rng, seg, a.Title); q != "" {
			m.Search = append(m.Search, q)
		}
	}
	for len(m.Suggest) < n {
		a := &articles[rng.IntN(len(articles))]
		norm := analysis.Normalize(a.Title)
		k := 1 + rng.IntN(4)
		if utf8.RuneCountInString(norm) < k {
			continue
		}
		m.Suggest = append(m.Suggest, string([]rune(norm)[:k]))
	}
	for len(m.Related) < n {
		m.Related = append(m.Related, articles[rng.IntN(len(articles))].ID)
	}
	return m
}

// searchQuery returns one to three consecutive words of a title, or one
// time in ten the whole title.
func searchQuery(rng *rand.Rand, seg *analysis.Segmenter, title string) string {
	if rng.IntN(10) == 0 {
		return title
	}
	norm := analysis.Normalize(title)
	var words []analysis.Word
	for _, w := range seg.Cut(norm, false) {
		if utf8.RuneCountInString(w.Text) > 1 && !seg.IsStop(w.Text) {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return ""
	}
	k := 1 + rng.IntN(min(3, len(words)))
	start := rng.IntN(len(words) - k + 1)
	return norm[words[start].Start:words[start+k-1].End]
}

// Drafts returns the two unsaved drafts the benchmarks send for article a
// (POST /api/v1/related): a full draft (its title, body and tags) and a
// short one (its title, with next's title as the body, a sentence or two),
// next being another article of the mix.
func Drafts(a, next zhsearch.Article) (full, short zhsearch.Article) {
	return zhsearch.Article{Title: a.Title, Body: a.Body, Tags: a.Tags},
		zhsearch.Article{Title: a.Title, Body: next.Title}
}
