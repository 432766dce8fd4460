// Package relevance is the judged relevance suite of zhsearch: it loads the
// test articles and the graded queries under testdata/relevance, and scores
// any search engine's ranked results against the judgments with NDCG@k, per
// kind of query (clean, width/case variants, traditional characters, pinyin,
// homophone typos, and queries that should find nothing). The same code
// loads and scores the readers' questions suite under testdata/questions
// (short keywords, full questions, spoken Chinese, typos, nothing to find).
//
// Every query belongs to one half of its suite, HalfTune or HalfHeldout:
// constants are chosen on the tuning half, and the held-out half tells
// whether they generalize. A query line may name its half; the lines that
// do not are split by SplitHalves, evenly per kind by a fixed hash of the
// query text.
//
// The package knows nothing about bleve or gse: a search engine is just a
// function from query text to a ranked list of Docs, so zhsearch and the
// bleve-cjk yardstick are measured by the same code on the same data.
//
// Judgment files are JSON Lines. articles.jsonl holds one zhsearch.Article
// per line (title_only marks a title-only article, as 相关内容 titles are).
// queries.jsonl holds one Query per line:
//
//	{"kind": "clean", "query": "花呗风控", "judgments": {"r001": 2, "title:花呗风控解除指南": 2, "r011": 1}}
//	{"kind": "question", "query": "借呗为什么突然就不能借钱了", "half": "tune", "judgments": {"title:借呗突然不能借钱了怎么回事": 2}}
//
// A judgment key is an article id, or "title:" followed by an exact title,
// for documents whose id the judge cannot know (the title-only articles the
// corpus loader derives from a page's 相关内容 list). Grade 2 is what the
// searcher wants, 1 is partly relevant, and every unjudged document is 0.
package relevance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/corpus"
)

// Query kinds. Every query in the suite has one of these.
const (
	KindClean       = "clean"       // correctly typed words: 花呗风控
	KindVariant     = "variant"     // full-width or other-case Latin, full-width punctuation: 京东Ｅ卡回收, id贷
	KindTraditional = "traditional" // traditional characters: 花唄風控
	KindPinyin      = "pinyin"      // full pinyin or initials: huabei, hbfk
	KindTypo        = "typo"        // homophone typos from pinyin IMEs: 花贝风控
	KindNone        = "none"        // nothing in the corpus answers it: judgments are empty

	// Kinds of the readers' questions suite (testdata/questions), which
	// also uses KindTypo and KindNone.
	KindKeyword  = "keyword"  // a few short keywords: 花呗 逾期, 借呗提前还款
	KindQuestion = "question" // a full question as readers type it: 花呗逾期了会不会影响房贷审批
	KindSpoken   = "spoken"   // spoken Chinese: 网贷还不上咋整, 征信花了咋办, ID贷靠谱不
)

// Kinds returns every query kind, in the order reports list them.
func Kinds() []string {
	return []string{KindClean, KindKeyword, KindVariant, KindTraditional, KindPinyin, KindQuestion, KindSpoken, KindTypo, KindNone}
}

// RelevanceKinds returns the kinds of the relevance suite (testdata/relevance).
func RelevanceKinds() []string {
	return []string{KindClean, KindVariant, KindTraditional, KindPinyin, KindTypo, KindNone}
}

// QuestionKinds returns the kinds of the readers' questions suite
// (testdata/questions).
func QuestionKinds() []string {
	return []string{KindKeyword, KindQuestion, KindSpoken, KindTypo, KindNone}
}

// Halves of a suite.
const (
	HalfTune    = "tune"    // constants may be chosen on these queries
	HalfHeldout = "heldout" // only reported: never tune on them
)

// Halves returns the halves in the order reports list them.
func Halves() []string { return []string{HalfTune, HalfHeldout} }

// SplitHalves gives every query without a half one, deterministically and
// evenly: within each kind, those queries ordered by a fixed hash of their
// text (FNV-1a, ties by text) go tune, heldout, tune, heldout … in that
// order, so each kind splits 50/50 (the odd one out goes tune), the split
// does not depend on the order of the lines, and adding a query moves at
// most a few others. Queries that name their half keep it.
func SplitHalves(queries []Query) {
	byKind := map[string][]int{}
	for i, q := range queries {
		if q.Half == "" {
			byKind[q.Kind] = append(byKind[q.Kind], i)
		}
	}
	for _, idx := range byKind {
		slices.SortFunc(idx, func(a, b int) int {
			ha, hb := textHash(queries[a].Query), textHash(queries[b].Query)
			if ha != hb {
				if ha < hb {
					return -1
				}
				return 1
			}
			return strings.Compare(queries[a].Query, queries[b].Query)
		})
		for rank, i := range idx {
			if rank%2 == 0 {
				queries[i].Half = HalfTune
			} else {
				queries[i].Half = HalfHeldout
			}
		}
	}
}

func textHash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// TitlePrefix starts a judgment key that names a document by its exact title
// instead of its id.
const TitlePrefix = "title:"

// Grades of a judgment.
const (
	GradePartial  = 1 // partly relevant: mentions the subject secondarily
	GradeRelevant = 2 // what the searcher wants: the subject is the query
)

// Query is one judged query of the suite.
type Query struct {
	Kind  string `json:"kind"`
	Query string `json:"query"`
	// Judgments maps an article id, or TitlePrefix+title, to a grade of
	// GradePartial or GradeRelevant. It is empty for KindNone queries.
	Judgments map[string]int `json:"judgments"`
	// Half is HalfTune or HalfHeldout. When the line leaves it out,
	// LoadQueries fills it in with SplitHalves.
	Half string `json:"half,omitempty"`
	// Line is the line of queries.jsonl the query was read from.
	Line int `json:"-"`
}

// Doc is one ranked search result as the suite sees it.
type Doc struct {
	ID    string
	Title string
}

// InputError reports a bad line of a suite file as "file:line: message"
// (the article reader's error).
type InputError = corpus.InputError

// maxLine bounds one JSON line of a suite file.
const maxLine = 4 << 20

// eachLine calls fn with every non-blank line of path and its 1-based number.
func eachLine(path string, fn func(line int, data []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		data := bytes.TrimSpace(sc.Bytes())
		if len(data) == 0 {
			continue
		}
		if err := fn(n, data); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return &InputError{Source: corpus.Source{File: path, Line: n + 1}, Msg: err.Error()}
	}
	return nil
}

// decodeStrict decodes exactly one JSON value into v, rejecting unknown
// fields and trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("malformed JSON: data after the object")
	}
	return nil
}

// LoadArticles reads the suite's test articles from a JSON Lines file
// (corpus.ReadArticles, title_only accepted). A malformed line, an unknown
// field, an invalid article, a bad date or a duplicate id is an *InputError
// naming the file and line; a file without articles is an error.
func LoadArticles(path string) ([]zhsearch.Article, error) {
	out, err := corpus.ReadArticles(path, true)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no articles", path)
	}
	return out, nil
}

// LoadQueries reads the suite's judged queries from a JSON Lines file. Each
// line must have a known kind, a non-blank query, judgment keys that are
// article ids or TitlePrefix+title, and grades of 1 or 2; a KindNone query
// has no judgments and every other kind has some (a query without
// judgments is scored as "should find nothing", so it must say so). The
// half, if given, is HalfTune or HalfHeldout; the lines without one are
// split by SplitHalves. The same kind and query twice is an error. Errors
// are *InputError naming the file and line.
func LoadQueries(path string) ([]Query, error) {
	var out []Query
	seen := map[string]int{}
	err := eachLine(path, func(line int, data []byte) error {
		bad := func(format string, args ...any) error {
			return &InputError{Source: corpus.Source{File: path, Line: line}, Msg: fmt.Sprintf(format, args...)}
		}
		var q Query
		if err := decodeStrict(data, &q); err != nil {
			return bad("%v", err)
		}
		q.Line = line
		if !slices.Contains(Kinds(), q.Kind) {
			return bad("unknown kind %q (want one of %s)", q.Kind, strings.Join(Kinds(), ", "))
		}
		if strings.TrimSpace(q.Query) == "" {
			return bad("query is empty")
		}
		switch q.Half {
		case "", HalfTune, HalfHeldout:
		default:
			return bad("unknown half %q (want %s or %s)", q.Half, HalfTune, HalfHeldout)
		}
		if q.Kind == KindNone && len(q.Judgments) > 0 {
			return bad("a %q query must have no judgments", KindNone)
		}
		if q.Kind != KindNone && len(q.Judgments) == 0 {
			return bad("a %q query needs judgments (use kind %q for queries that should find nothing)", q.Kind, KindNone)
		}
		for _, key := range sortedKeys(q.Judgments) {
			if g := q.Judgments[key]; g != GradePartial && g != GradeRelevant {
				return bad("judgment %q has grade %d, want %d or %d", key, g, GradePartial, GradeRelevant)
			}
			if title, ok := strings.CutPrefix(key, TitlePrefix); ok {
				if strings.TrimSpace(title) == "" {
					return bad("judgment key %q has an empty title", key)
				}
			} else if !zhsearch.ValidID(key) {
				return bad("judgment key %q is neither an article id nor %q+title", key, TitlePrefix)
			}
		}
		dup := q.Kind + "\x00" + q.Query
		if first, ok := seen[dup]; ok {
			return bad("duplicate %s query %q (first at %s:%d)", q.Kind, q.Query, path, first)
		}
		seen[dup] = line
		out = append(out, q)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no queries", path)
	}
	SplitHalves(out)
	return out, nil
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
