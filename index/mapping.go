package index

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// Field names in the bleve index. Each text property is indexed several
// ways: gse words (the primary, precise field), CJK bigrams (recall for
// words the dictionary does not know, and exact-phrase matching), single
// characters and pinyin (titles only).
const (
	fTitle     = "title"
	fTitleBi   = "title_bi"
	fTitleUni  = "title_uni"
	fTitlePY   = "title_py"  // each character's most common reading: a Chinese query's sound
	fTitlePYR  = "title_pyr" // every reading of each character: pinyin a reader types
	fTitleIni  = "title_ini"
	fTitleKey  = "title_key"  // normalized title, one term: "starts with"
	fTitleKeyP = "title_keyp" // full pinyin of the title, one term
	fTitleKeyI = "title_keyi" // initials of the title, one term
	fTitlePre  = "title_pre"  // prefixes of title_key (analysis.Edge)
	fTitlePreP = "title_prep" // prefixes of title_keyp
	fTitlePreI = "title_prei" // prefixes of title_keyi
	// Prefixes of the title's keys in its characters' other readings
	// (titlePinyinVariants) that title_prep and title_prei lack.
	fTitlePrePX = "title_prepx"
	fTitlePreIX = "title_preix"
	fBody       = "body"
	fBodyBi     = "body_bi"
	fRelated    = "related"
	fTags       = "tags"
	fCategory   = "category"
	// The tags and category as the index normalizes text (花唄, ＩＤ貸 and
	// id贷 are 花呗 and id贷), one term each, for the related fallback: a
	// site's editors do not all spell a tag alike. Generations built
	// before have none: the fallback then asks the raw fields too.
	fTagsKey     = "tags_key"
	fCategoryKey = "category_key"
	// fRelatedKey holds each title of the 相关内容 list normalized, one
	// term each: the pages listing a title (curation), exactly and from
	// one short postings list. Generations built before have none: they
	// are asked for the title's words in fRelated.
	fRelatedKey = "related_key"
	fURL        = "url"
	fPublished  = "published_at"
	fTitleOnly  = "title_only"
)

// doc is the bleve form of an Article: the article's fields plus the
// derived single-term keys used by autocomplete.
type doc struct {
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	URL         string     `json:"url"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Tags        []string   `json:"tags"`
	Category    string     `json:"category"`
	Related     []string   `json:"related"`
	TitleOnly   bool       `json:"title_only"`
	TitleKey    string     `json:"title_key"`
	TitleKeyP   string     `json:"title_keyp"`
	TitleKeyI   string     `json:"title_keyi"`
	TitlePrePX  []string   `json:"title_prepx,omitempty"`
	TitlePreIX  []string   `json:"title_preix,omitempty"`
	TagsKey     []string   `json:"tags_key,omitempty"`
	RelatedKey  []string   `json:"related_key,omitempty"`
	CategoryKey string     `json:"category_key,omitempty"`
}

func toDoc(a *zhsearch.Article) doc {
	norm := analysis.Normalize(a.Title)
	py, ini := titlePinyinKeys(norm)
	pyx, inix := otherReadingPrefixes(norm)
	d := doc{
		Title: a.Title, Body: a.Body, URL: a.URL, Tags: a.Tags, Category: a.Category,
		Related: a.Related, TitleOnly: a.TitleOnly,
		TitleKey: norm, TitleKeyP: py, TitleKeyI: ini, TitlePrePX: pyx, TitlePreIX: inix,
		TagsKey: normalizedKeys(a.Tags), RelatedKey: normalizedKeys(a.Related), CategoryKey: analysis.Normalize(strings.TrimSpace(a.Category)),
	}
	if !a.PublishedAt.IsZero() {
		t := a.PublishedAt
		d.PublishedAt = &t
	}
	if a.TitleOnly && a.Body == "" {
		// A title-only article's whole text is its title. Indexing it as the
		// body too keeps bleve's coordination factor (the share of query
		// clauses a document matches) from ranking every title-only article
		// below any article whose long body mentions the query once.
		d.Body = a.Title
	}
	return d
}

// normalizedKeys returns the distinct non-empty normalized forms of vs.
func normalizedKeys(vs []string) []string {
	var out []string
	for _, v := range vs {
		if k := analysis.Normalize(strings.TrimSpace(v)); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// titlePinyinKeys returns the title as one run of full pinyin and as one run
// of initials, Latin kept as typed and separators dropped: 花呗风控 →
// huabeifengkong, hbfk; ID贷 → iddai, idd.
func titlePinyinKeys(norm string) (full, initials string) {
	var f, i strings.Builder
	for _, r := range norm {
		if r != ' ' {
			p, in := runeKeys(r)
			f.WriteString(p)
			i.WriteString(in)
		}
	}
	return f.String(), i.String()
}

// maxKeyVariants bounds the pinyin keys a title is indexed under for
// completion, one per choice of readings of its characters that have
// several (titlePinyinVariants).
const maxKeyVariants = 4

// variantChars is how many of a title's first characters are read in
// their other readings for completion: a reader who has typed their
// pinyin has typed most of what completion saves, and every character
// more multiplies the prefixes indexed (at 20 characters and 8 keys, 85
// terms a title, the 100k build's peak RSS past 1.1 GB).
const variantChars = 4

// titlePinyinVariants returns titlePinyinKeys' keys for the choices of
// readings of the title's characters that have several (还款: haikuan,
// huankuan …; 银行: yinxing, yinhang …), the most common readings' first,
// each key once: a reader completes 还款 typing huank, or 银行 typing yh.
// The choices are made from the title's start, where a reader types, and
// stop at maxKeyVariants keys: the characters after take their most
// common reading.
//
// Only the first key is indexed whole (title_keyp, title_keyi, with their
// prefixes); the others give their prefixes that it lacks
// (otherReadingPrefixes): eight keys indexed whole, each padded to the
// title's length, made the 100k index 26% larger and its build 1.7 times
// longer.
func titlePinyinVariants(norm string) (full, initials []string) {
	full, initials = []string{""}, []string{""}
	for _, r := range norm {
		if r == ' ' {
			continue
		}
		p, in := runeKeys(r)
		alts := analysis.CharPinyinAlternates(r)
		full = extendKeys(full, p, alts, false)
		initials = extendKeys(initials, in, alts, true)
	}
	return full, initials
}

// otherReadingPrefixes returns the prefixes, up to analysis.MaxEdge
// characters, of the title's pinyin and initials keys in its characters'
// other readings (titlePinyinVariants of its first variantChars characters)
// that its keys in the most common readings do not start with: the terms
// completion finds 还款日 by when typed huank or hkr.
func otherReadingPrefixes(norm string) (full, initials []string) {
	head := norm
	if i := runeOffset(norm, variantChars); i < len(norm) {
		head = norm[:i]
	}
	fulls, inits := titlePinyinVariants(head)
	return newPrefixes(fulls), newPrefixes(inits)
}

// newPrefixes returns the prefixes, up to analysis.MaxEdge characters, of
// keys[1:] that keys[0] does not start with, each once.
func newPrefixes(keys []string) []string {
	var out []string
	for _, k := range keys[1:] {
		for end, n := 0, 0; end < len(k) && n < analysis.MaxEdge; n++ {
			_, size := utf8.DecodeRuneInString(k[end:])
			end += size
			if p := k[:end]; !strings.HasPrefix(keys[0], p) && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// runeOffset returns the byte offset of s's n-th character, len(s) when
// it has no more.
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// extendKeys appends to each key the reading first, and, while there are
// fewer than maxKeyVariants keys, a copy for each alternate reading (its
// initial alone when initials is set) that gives a new key.
func extendKeys(keys []string, first string, alts []string, initials bool) []string {
	n := len(keys)
	for i := range n {
		base := keys[i]
		keys[i] = base + first
		for _, a := range alts {
			if initials {
				a = a[:1]
			}
			if k := base + a; len(keys) < maxKeyVariants && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// runeKeys is what r adds to titlePinyinKeys' keys: its pinyin and the
// pinyin's initial, or r itself twice.
func runeKeys(r rune) (full, initial string) {
	if p := analysis.CharPinyin(r); p != "" {
		return p, p[:1]
	}
	return string(r), string(r)
}

func textField(analyzer, name string, store bool) *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Analyzer = analyzer
	f.Name = name
	f.Store = store
	f.IncludeInAll = false
	// Positions are kept only where phrase queries run.
	f.IncludeTermVectors = phraseFields[name]
	f.DocValues = false
	return f
}

// phraseFields are the fields searched with phrase queries.
var phraseFields = map[string]bool{fTitleBi: true, fTitlePY: true, fTitlePYR: true, fTitleIni: true}

func keywordField(name string, store bool) *mapping.FieldMapping {
	f := textField(keyword.Name, name, store)
	return f
}

func storedOnly(name string) *mapping.FieldMapping {
	f := bleve.NewTextFieldMapping()
	f.Name = name
	f.Index = false
	f.Store = true
	f.IncludeInAll = false
	f.DocValues = false
	return f
}

// newMapping returns the index mapping. What the API returns is stored;
// derived fields are only indexed. Body bigrams are the gaps between
// the body's words (analysis.BigramGaps). Words are cut with the dictionary dict
// (analysis.DictSet.ID), recorded in the mapping and so in the index; ""
// means the process's default segmenter (the mapping of generations built
// before dictionaries were recorded).
func newMapping(dict string) (mapping.IndexMapping, error) {
	words, runs, custom := analysis.Words, analysis.BigramRuns, map[string][2]map[string]interface{}{}
	if dict != "" {
		name, tok, an := analysis.WordsAnalyzer(dict)
		words, custom[name] = name, [2]map[string]interface{}{tok, an}
		name, tok, an = analysis.RunsAnalyzer(dict)
		runs, custom[name] = name, [2]map[string]interface{}{tok, an}
	}
	m := bleve.NewDocumentStaticMapping()

	title := bleve.NewDocumentMapping()
	title.AddFieldMapping(textField(words, fTitle, true))
	title.AddFieldMapping(textField(analysis.Bigram, fTitleBi, false))
	title.AddFieldMapping(textField(analysis.Unigram, fTitleUni, false))
	title.AddFieldMapping(textField(analysis.Pinyin, fTitlePY, false))
	title.AddFieldMapping(textField(analysis.PinyinReadings, fTitlePYR, false))
	title.AddFieldMapping(textField(analysis.Initials, fTitleIni, false))
	m.AddSubDocumentMapping(fTitle, title)

	body := bleve.NewDocumentMapping()
	body.AddFieldMapping(textField(words, fBody, true))
	// Body bigrams are only the runs of one-character pieces, where the
	// dictionary knew no word (analysis.RunTokenizer); the body's words
	// answer for the rest. Every bigram, or every gap between words, was
	// half of the index's postings and 40% of its build time, and no
	// judged query found more with them (BENCHMARKS.md). Generations built
	// before hold every bigram (analysis.Bigram) or the gaps
	// (analysis.BigramGaps); bodyBigramsOf tells readers which they have.
	body.AddFieldMapping(textField(runs, fBodyBi, false))
	m.AddSubDocumentMapping(fBody, body)

	related := bleve.NewDocumentMapping()
	related.AddFieldMapping(textField(words, fRelated, true))
	m.AddSubDocumentMapping(fRelated, related)

	m.AddFieldMappingsAt(fTags, keywordField(fTags, true))
	m.AddFieldMappingsAt(fCategory, keywordField(fCategory, true))
	m.AddFieldMappingsAt(fTagsKey, keywordField(fTagsKey, false))
	m.AddFieldMappingsAt(fCategoryKey, keywordField(fCategoryKey, false))
	m.AddFieldMappingsAt(fRelatedKey, keywordField(fRelatedKey, false))
	m.AddFieldMappingsAt(fTitleKey, keywordField(fTitleKey, false), textField(analysis.Edge, fTitlePre, false))
	m.AddFieldMappingsAt(fTitleKeyP, keywordField(fTitleKeyP, false), textField(analysis.Edge, fTitlePreP, false))
	m.AddFieldMappingsAt(fTitleKeyI, keywordField(fTitleKeyI, false), textField(analysis.Edge, fTitlePreI, false))
	m.AddFieldMappingsAt(fTitlePrePX, keywordField(fTitlePrePX, false))
	m.AddFieldMappingsAt(fTitlePreIX, keywordField(fTitlePreIX, false))
	m.AddFieldMappingsAt(fURL, storedOnly(fURL))

	pub := bleve.NewDateTimeFieldMapping()
	pub.Name, pub.Store, pub.IncludeInAll = fPublished, true, false
	m.AddFieldMappingsAt(fPublished, pub)

	to := bleve.NewBooleanFieldMapping()
	to.Name, to.Store, to.IncludeInAll = fTitleOnly, true, false
	m.AddFieldMappingsAt(fTitleOnly, to)

	im := bleve.NewIndexMapping()
	im.DefaultMapping = m
	im.DefaultAnalyzer = words
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	for name, def := range custom {
		if err := im.AddCustomTokenizer(name, def[0]); err != nil {
			return nil, err
		}
		if err := im.AddCustomAnalyzer(name, def[1]); err != nil {
			return nil, err
		}
	}
	return im, nil
}

// bodyBigrams is what a generation's body_bi field holds.
type bodyBigrams int

const (
	// bodyAll: every bigram of the body (generations built before gaps).
	bodyAll bodyBigrams = iota
	// bodyGaps: the bigrams the body's words do not hold at the same place
	// (analysis.GapTokenizer): a bigram is looked up in the words as well.
	bodyGaps
	// bodyRuns: only the runs of one-character pieces
	// (analysis.RunTokenizer): a bigram is looked up in the words as well,
	// and one that straddles two words is not held at all.
	bodyRuns
)

// wordsToo reports whether the body's words hold some of its bigrams.
func (b bodyBigrams) wordsToo() bool { return b != bodyAll }

// bodyBigramsOf reads from a generation's mapping what its body_bi holds.
func bodyBigramsOf(im mapping.IndexMapping) bodyBigrams {
	impl, ok := im.(*mapping.IndexMappingImpl)
	if !ok || impl.DefaultMapping == nil {
		return bodyAll
	}
	body := impl.DefaultMapping.Properties[fBody]
	if body == nil {
		return bodyAll
	}
	for _, f := range body.Fields {
		if f.Name != fBodyBi {
			continue
		}
		switch {
		case strings.HasPrefix(f.Analyzer, analysis.BigramRuns):
			return bodyRuns
		case strings.HasPrefix(f.Analyzer, analysis.BigramGaps):
			return bodyGaps
		}
	}
	return bodyAll
}

// typedPinyinOf returns the field that pinyin a reader types is matched
// in: title_pyr, every reading of each character; a generation built
// before it has only title_py, the most common readings.
func typedPinyinOf(im mapping.IndexMapping) string {
	impl, ok := im.(*mapping.IndexMappingImpl)
	if !ok || impl.DefaultMapping == nil || impl.DefaultMapping.Properties[fTitle] == nil {
		return fTitlePY
	}
	for _, f := range impl.DefaultMapping.Properties[fTitle].Fields {
		if f.Name == fTitlePYR {
			return fTitlePYR
		}
	}
	return fTitlePY
}

// mapped reports whether the index mapping im (a generation's own, as
// bleve stored it) indexes the top-level field name: older generations
// lack the fields added since.
func mapped(im mapping.IndexMapping, name string) bool {
	impl, ok := im.(*mapping.IndexMappingImpl)
	return ok && impl.DefaultMapping != nil && impl.DefaultMapping.Properties[name] != nil
}
