// Package gen generates deterministic synthetic corpora of Chinese
// consumer-credit articles (花呗, 借呗, 征信, 网贷, 租机, 京东E卡, ID贷 …) for
// benchmarking zhsearch at 10k, 100k and 1M articles.
//
// Articles are built from a Zipfian general vocabulary derived from gse's
// dictionary frequencies (vocab.txt, see mkvocab.go) mixed with the words of
// one topic per article: a domain head (花呗, 租机 …) with an aspect (风控,
// 变现 …) and its own cluster of domain and ordinary words. Topics have
// Zipfian popularity, so some are crowded and some rare, and articles of a
// topic share vocabulary, which gives related-article queries real answers.
//
// Generation streams: memory does not grow with the number of articles.
// Every article is a pure function of the seed, its number, the number of
// articles and the topic count, so the same options always give
// byte-identical output.
package gen

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
)

// Bounds of generated text, in characters.
const (
	MinTitleLen = 8
	MaxTitleLen = 30
	MinBodyLen  = 100
	MaxBodyLen  = 2000
)

// Bounds of the options.
const (
	MaxN       = 999_999_999 // ids have nine digits
	MinTopics  = 40          // automatic topic count for small corpora
	MaxTopics  = 200         // automatic topic count for large corpora
	DefaultURL = "https://example.com/article/"
)

// blockSize is the number of consecutive articles whose topics are dealt
// out together. Within a block every topic gets its Zipfian share of
// articles (at least two when the block is large enough), so an article's
// related articles can be found in O(1) among its block's members.
const blockSize = 4096

// dateRange returns the start and length in seconds of the publication
// dates: 2019-01-01 to 2026-11-01, Asia/Shanghai time, as the site writes
// its dates.
func dateRange() (start time.Time, span int64) {
	zone := time.FixedZone("Asia/Shanghai", 8*3600)
	start = time.Date(2019, 1, 1, 0, 0, 0, 0, zone)
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, zone)
	return start, int64(end.Sub(start) / time.Second)
}

// Options chooses what to generate.
type Options struct {
	// N is the number of articles, 0 to MaxN.
	N int
	// Seed selects the corpus; the same options give the same articles.
	Seed int64
	// Topics is the number of topics. Zero picks sqrt(N)/5 clamped to
	// [MinTopics, MaxTopics]: 40 at 10k articles, 63 at 100k, 200 at 1M.
	// At most the number of head/aspect pairs in the lexicon.
	Topics int
	// BaseURL prefixes article URLs (id + ".html"); empty means DefaultURL.
	BaseURL string
}

// topicCount resolves Options.Topics.
func (o Options) topicCount() int {
	if o.Topics != 0 {
		return o.Topics
	}
	t := int(math.Sqrt(float64(o.N))) / 5
	return min(max(t, MinTopics), MaxTopics)
}

func (o Options) validate(maxTopics int) error {
	if o.N < 0 || o.N > MaxN {
		return zhsearch.Errorf(zhsearch.EINVALID, "n must be between 0 and %d, got %d", MaxN, o.N)
	}
	if o.Topics < 0 || o.Topics > maxTopics {
		return zhsearch.Errorf(zhsearch.EINVALID, "topics must be between 1 and %d (0 for automatic), got %d", maxTopics, o.Topics)
	}
	if o.BaseURL != "" && !utf8.ValidString(o.BaseURL) {
		return zhsearch.Errorf(zhsearch.EINVALID, "base URL is not valid UTF-8")
	}
	return nil
}

// Generate calls fn with opts.N articles in id order and stops at the first
// error fn returns, which it returns. Articles are not retained: fn may keep
// them, and memory use does not depend on N.
func Generate(opts Options, fn func(zhsearch.Article) error) error {
	g, err := newGenerator(opts)
	if err != nil {
		return err
	}
	for i := range opts.N {
		if err := fn(g.article(i)); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSONL writes the articles of Generate(opts) to w as JSON lines: one
// zhsearch.Article object per line, published_at in RFC 3339.
func WriteJSONL(w io.Writer, opts Options) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := Generate(opts, func(a zhsearch.Article) error { return enc.Encode(a) }); err != nil {
		return err
	}
	return bw.Flush()
}

// topic is one cluster of related articles.
type topic struct {
	head, aspect string
	name         string   // head + aspect
	category     string   // the head's
	words        []string // domain and ordinary words of this topic
	verbs        []string
	peers        []string // other heads of the same group
	tags         []string // tag candidates, head first
}

// generator holds everything one Generate call needs. Its memory is fixed
// by the vocabulary, the topic count and blockSize.
type generator struct {
	opts    Options
	base    string
	voc     *vocab
	topics  []topic
	weights []uint64 // topic popularity, Zipfian

	titles, prefixes, suffixes []string
	intros, patterns           []string
	nounSuffixes               []string // the suffixes with a {G}
	titleNouns                 []string // general nouns of 2+ characters
	gCount                     int      // {G}s expanded since last reset
	openers, units, nouns      []string
	verbs, titleVerbs          []string

	// The current block: labels[o] is the topic of article block*blockSize+o;
	// members lists the block's offsets grouped by topic, topic t's at
	// members[start[t]:start[t+1]].
	block   int
	labels  []uint16
	members []int32
	start   []int32
	fill    []int32

	dateStart time.Time
	dateSpan  int64

	r, rel rng             // the article's stream; a second one for related titles
	sb     strings.Builder // the body being written
	n      int             // its length in characters
	line   []byte          // the sentence or title being written
}

func newGenerator(opts Options) (*generator, error) {
	hs, as := heads(), aspects()
	pairs := 0
	for _, h := range hs {
		pairs += len(as[h.group])
	}
	if err := opts.validate(pairs); err != nil {
		return nil, err
	}
	voc, err := parseVocab(vocabTxt)
	if err != nil {
		return nil, err
	}
	base := opts.BaseURL
	if base == "" {
		base = DefaultURL
	}
	g := &generator{
		opts: opts, base: base, voc: voc, block: -1,
		titles: titleTemplates(), prefixes: titlePrefixes(), suffixes: titleSuffixes(),
		intros: introTemplates(), patterns: clausePatterns(),
		openers: openers(), units: units(), nouns: domainNouns(),
		verbs: domainVerbs(), titleVerbs: titleVerbs(),
	}
	for _, s := range g.suffixes {
		if strings.Contains(s, "{G}") {
			g.nounSuffixes = append(g.nounSuffixes, s)
		}
	}
	for _, w := range voc.classes[classNoun].words {
		if utf8.RuneCountInString(w) >= 2 {
			g.titleNouns = append(g.titleNouns, w)
		}
	}
	g.dateStart, g.dateSpan = dateRange()
	g.buildTopics(hs, as, min(opts.topicCount(), pairs))
	return g, nil
}

// Random streams, kept apart by their first seed word.
const (
	streamArticle = 0x61727469636c65 // "article"
	streamBlock   = 0x626c6f636b     // "block"
	streamTopic   = 0x746f706963     // "topic"
)

func (g *generator) seed(r *rng, stream, n uint64) {
	r.seed(uint64(g.opts.Seed)^stream, n)
}

// buildTopics deals the head/aspect pairs out in a seeded order and keeps
// the first n as topics, each with ordinary words of its own drawn from the
// general vocabulary.
func (g *generator) buildTopics(hs []head, as [numGroups][]aspect, n int) {
	type pair struct{ h, a int }
	var pairs []pair
	for hi, h := range hs {
		for ai := range as[h.group] {
			pairs = append(pairs, pair{hi, ai})
		}
	}
	var r rng
	g.seed(&r, streamTopic, 0)
	for i := len(pairs) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		pairs[i], pairs[j] = pairs[j], pairs[i]
	}
	g.topics = make([]topic, n)
	g.weights = make([]uint64, n)
	for t, p := range pairs[:n] {
		h, a := hs[p.h], as[hs[p.h].group][p.a]
		tp := topic{head: h.name, aspect: a.name, name: h.name + a.name, category: h.category}
		tp.words = append(tp.words, h.words...)
		tp.words = append(tp.words, a.words...)
		for range 6 {
			tp.words = append(tp.words, g.longWord(&r, classNoun))
		}
		for range 3 {
			tp.verbs = append(tp.verbs, g.longWord(&r, classVerb), one(&r, g.verbs))
		}
		for _, o := range hs {
			if o.group == h.group && o.name != h.name {
				tp.peers = append(tp.peers, o.name)
			}
		}
		tp.tags = append([]string{h.name, a.name, h.category, tp.name}, h.words...)
		g.topics[t] = tp
		// Zipf–Mandelbrot popularity 1/(rank+3): the top topic of 40 has
		// about 12% of the articles, the last about 1%.
		g.weights[t] = 1_000_000_000 / uint64(t+3)
	}
}

// longWord draws a word of at least two characters from a class.
func (g *generator) longWord(r *rng, class int) string {
	w := g.voc.classes[class].pick(r)
	for range 8 {
		if utf8.RuneCountInString(w) >= 2 {
			break
		}
		w = g.voc.classes[class].pick(r)
	}
	return w
}

// loadBlock deals topics out to the articles of block b.
func (g *generator) loadBlock(b int) {
	g.block = b
	n := min(blockSize, g.opts.N-b*blockSize)
	quota := g.quotas(n)
	if g.labels == nil {
		g.labels = make([]uint16, blockSize)
		g.members = make([]int32, blockSize)
		g.start = make([]int32, len(g.topics)+1)
		g.fill = make([]int32, len(g.topics))
	}
	labels := g.labels[:n]
	k := 0
	for t, q := range quota {
		g.start[t] = int32(k)
		for range q {
			labels[k] = uint16(t)
			k++
		}
	}
	g.start[len(quota)] = int32(k)
	var r rng
	g.seed(&r, streamBlock, uint64(b))
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		labels[i], labels[j] = labels[j], labels[i]
	}
	copy(g.fill, g.start)
	for o, t := range labels {
		g.members[g.fill[t]] = int32(o)
		g.fill[t]++
	}
}

// quotas splits n articles among the topics in proportion to their weights
// (largest remainder, integer arithmetic), after giving each topic two
// articles when n is large enough for that.
func (g *generator) quotas(n int) []int {
	q := make([]int, len(g.topics))
	rest := n
	if n >= 4*len(g.topics) {
		for t := range q {
			q[t] = 2
		}
		rest -= 2 * len(q)
	}
	var sum uint64
	for _, w := range g.weights {
		sum += w
	}
	type rem struct {
		t int
		r uint64
	}
	rems := make([]rem, len(q))
	left := rest
	for t, w := range g.weights {
		share := uint64(rest) * w
		q[t] += int(share / sum)
		left -= int(share / sum)
		rems[t] = rem{t, share % sum}
	}
	// Hand the leftover articles to the largest remainders, ties to the
	// more popular topic. left < len(q), so a partial selection suffices.
	for range left {
		best := -1
		for i, x := range rems {
			if x.t >= 0 && (best < 0 || x.r > rems[best].r) {
				best = i
			}
		}
		q[rems[best].t]++
		rems[best].t = -1
	}
	return q
}

// topicOf returns the topic of article i, loading its block.
func (g *generator) topicOf(i int) (*topic, int) {
	b := i / blockSize
	if b != g.block {
		g.loadBlock(b)
	}
	t := int(g.labels[i-b*blockSize])
	return &g.topics[t], t
}

// article builds article i.
func (g *generator) article(i int) zhsearch.Article {
	tp, t := g.topicOf(i)
	r := &g.r
	g.seed(r, streamArticle, uint64(i))
	// The title comes first in the article's stream, so that related lists
	// can regenerate the titles of other articles from their number alone.
	a := zhsearch.Article{Title: g.title(r, tp)}
	a.ID = articleID(i)
	a.URL = g.base + a.ID + ".html"
	a.Body = g.body(r, tp)
	a.PublishedAt = g.published(r, i)
	a.Category = tp.category
	a.Tags = g.tags(r, tp)
	if r.percent(35) {
		a.Related = g.related(r, i, t, a.Title)
	}
	return a
}

func articleID(i int) string {
	var b [10]byte
	b[0] = 'g'
	n := i + 1
	for k := 9; k > 0; k-- {
		b[k] = byte('0' + n%10)
		n /= 10
	}
	return string(b[:])
}

// published spreads dates over the date range in id order: article i gets
// a random second of the i-th of N equal slots.
func (g *generator) published(r *rng, i int) time.Time {
	start, span := g.dateStart, g.dateSpan
	n := int64(g.opts.N)
	lo := span * int64(i) / n
	hi := span * int64(i+1) / n
	sec := lo
	if hi > lo {
		sec += int64(r.below(uint64(hi - lo)))
	}
	return start.Add(time.Duration(sec) * time.Second)
}

// tags returns 1–4 distinct tags, the topic's head first.
func (g *generator) tags(r *rng, tp *topic) []string {
	k := r.between(1, 4)
	tags := make([]string, 1, k)
	tags[0] = tp.tags[0]
	for tries := 0; len(tags) < k && tries < 16; tries++ {
		c := tp.tags[1+r.intn(len(tp.tags)-1)]
		dup := false
		for _, x := range tags {
			dup = dup || x == c
		}
		if !dup {
			tags = append(tags, c)
		}
	}
	return tags
}

// related lists the titles of 2–5 other articles of topic t from article
// i's block, in id order starting at a random member, skipping titles equal
// to the article's own or already listed.
func (g *generator) related(r *rng, i, t int, own string) []string {
	b := i / blockSize
	members := g.members[g.start[t]:g.start[t+1]]
	if len(members) < 2 {
		return nil
	}
	want := r.between(2, 5)
	first := r.intn(len(members))
	var out []string
	for k := 0; k < len(members) && len(out) < want; k++ {
		j := b*blockSize + int(members[(first+k)%len(members)])
		if j == i {
			continue
		}
		g.seed(&g.rel, streamArticle, uint64(j))
		title := g.title(&g.rel, &g.topics[t])
		dup := title == own
		for _, x := range out {
			dup = dup || x == title
		}
		if !dup {
			out = append(out, title)
		}
	}
	return out
}
