package relevance

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
)

// writeFile writes content to a fresh file in a temp folder and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantInputError checks that err is an *InputError for path and line whose
// text holds "path:line:" and msg.
func wantInputError(t *testing.T, err error, path string, line int, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one at line %d containing %q", line, msg)
	}
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %q is %T, want *InputError", err, err)
	}
	if ie.File != path || ie.Line != line {
		t.Errorf("error at %s:%d, want %s:%d (%v)", ie.File, ie.Line, path, line, err)
	}
	prefix := fmt.Sprintf("%s:%d: ", path, line)
	if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q, want prefix %q and %q", err, prefix, msg)
	}
}

const goodArticle = `{"id":"r001","title":"花呗被风控了怎么办","body":"正文。","published_at":"2024-03-02T10:15:00+08:00","tags":["花呗","风控"],"category":"花呗"}`

func TestLoadArticles(t *testing.T) {
	content := goodArticle + "\n\n" +
		`{"id":"r002","title":"京东Ｅ卡回收","published_at":"2024-05-25 13:09:59"}` + "\n"
	path := writeFile(t, "articles.jsonl", content)
	got, err := LoadArticles(path)
	if err != nil {
		t.Fatal(err)
	}
	shanghai := time.FixedZone("", 8*3600)
	want := []zhsearch.Article{
		{ID: "r001", Title: "花呗被风控了怎么办", Body: "正文。", PublishedAt: time.Date(2024, 3, 2, 10, 15, 0, 0, shanghai), Tags: []string{"花呗", "风控"}, Category: "花呗"},
		{ID: "r002", Title: "京东Ｅ卡回收", PublishedAt: time.Date(2024, 5, 25, 13, 9, 59, 0, shanghai)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d articles, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].PublishedAt.Equal(want[i].PublishedAt) {
			t.Errorf("article %d published_at = %v, want %v", i, got[i].PublishedAt, want[i].PublishedAt)
		}
		got[i].PublishedAt, want[i].PublishedAt = time.Time{}, time.Time{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadArticles =\n%+v\nwant\n%+v", got, want)
	}
}

func TestLoadArticlesErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		line    int
		msg     string
	}{
		{"malformed JSON", goodArticle + "\n{\"id\":\"r002\",\"title\":\n", 2, "malformed JSON"},
		{"unknown field", goodArticle + "\n" + `{"id":"r002","title":"x","tag":["a"]}`, 2, `unknown field "tag"`},
		{"data after the object", `{"id":"r002","title":"x"} {"id":"r003"}`, 1, "more than one value"},
		{"missing title", `{"id":"r002","title":"  "}`, 1, "title is required"},
		{"bad id", `{"id":"r 002","title":"x"}`, 1, "id \"r 002\""},
		{"bad date", `{"id":"r002","title":"x","published_at":"yesterday"}`, 1, "bad date \"yesterday\""},
		{"line numbers count blank lines", goodArticle + "\n\n\n" + `{"id":"r002"}`, 4, "title is required"},
		{"duplicate id", goodArticle + "\n" + `{"id":"r002","title":"x"}` + "\n" + goodArticle, 3, `duplicate id "r001", first defined at `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "articles.jsonl", tt.content)
			_, err := LoadArticles(path)
			wantInputError(t, err, path, tt.line, tt.msg)
			if tt.name == "duplicate id" && !strings.HasSuffix(err.Error(), path+":1") {
				t.Errorf("error %q does not name the first line", err)
			}
		})
	}
}

func TestLoadArticlesEmptyAndMissing(t *testing.T) {
	path := writeFile(t, "articles.jsonl", "\n\n")
	if _, err := LoadArticles(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("empty file: error %v, want one naming %s", err, path)
	}
	missing := filepath.Join(t.TempDir(), "nope.jsonl")
	if _, err := LoadArticles(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: error %v, want os.ErrNotExist", err)
	}
}

func TestLoadQueries(t *testing.T) {
	content := `{"kind":"clean","query":"花呗风控","judgments":{"r001":2,"title:花呗风控解除指南":2,"r011":1}}` + "\n" +
		"\n" +
		`{"kind":"none","query":"量子计算机","judgments":{}}` + "\n" +
		`{"kind":"none","query":"篮球"}` + "\n" +
		`{"kind":"pinyin","query":"hbfk","judgments":{"r001":2}}` + "\n" +
		`{"kind":"question","query":"花呗风控了咋办","half":"tune","judgments":{"r001":2}}` + "\n" +
		`{"kind":"spoken","query":"花呗风控咋整","half":"heldout","judgments":{"r001":2}}` + "\n"
	path := writeFile(t, "queries.jsonl", content)
	got, err := LoadQueries(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Query{
		{Kind: "clean", Query: "花呗风控", Judgments: map[string]int{"r001": 2, "title:花呗风控解除指南": 2, "r011": 1}, Line: 1},
		{Kind: "none", Query: "量子计算机", Judgments: map[string]int{}, Line: 3},
		{Kind: "none", Query: "篮球", Line: 4},
		{Kind: "pinyin", Query: "hbfk", Judgments: map[string]int{"r001": 2}, Line: 5},
		{Kind: "question", Query: "花呗风控了咋办", Judgments: map[string]int{"r001": 2}, Half: HalfTune, Line: 6},
		{Kind: "spoken", Query: "花呗风控咋整", Judgments: map[string]int{"r001": 2}, Half: HalfHeldout, Line: 7},
	}
	// Lines without a half are split by SplitHalves: one clean and one
	// pinyin query go tune, the two none queries one each.
	halves := map[string]string{}
	for i := range got {
		if want[i].Half == "" {
			halves[got[i].Query] = got[i].Half
			got[i].Half = ""
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadQueries =\n%+v\nwant\n%+v", got, want)
	}
	if halves["花呗风控"] != HalfTune || halves["hbfk"] != HalfTune || halves["量子计算机"] == halves["篮球"] || halves["篮球"] == "" {
		t.Errorf("halves of the lines without one: %v", halves)
	}
}

func TestLoadQueriesErrors(t *testing.T) {
	good := `{"kind":"clean","query":"花呗风控","judgments":{"r001":2}}`
	tests := []struct {
		name    string
		content string
		line    int
		msg     string
	}{
		{"malformed JSON", good + "\n" + `{"kind":"clean","query":"x","judgments":{"r001":2}`, 2, "malformed JSON"},
		{"unknown field", `{"kind":"clean","query":"x","judgment":{"r001":2}}`, 1, `unknown field "judgment"`},
		{"grade not a number", `{"kind":"clean","query":"x","judgments":{"r001":"2"}}`, 1, "malformed JSON"},
		{"unknown kind", `{"kind":"fuzzy","query":"x","judgments":{"r001":2}}`, 1, `unknown kind "fuzzy"`},
		{"empty query", `{"kind":"clean","query":"  ","judgments":{"r001":2}}`, 1, "query is empty"},
		{"none with judgments", `{"kind":"none","query":"x","judgments":{"r001":1}}`, 1, "must have no judgments"},
		{"judged kind without judgments", `{"kind":"typo","query":"x","judgments":{}}`, 1, "needs judgments"},
		{"grade 0", `{"kind":"clean","query":"x","judgments":{"r001":0}}`, 1, "grade 0"},
		{"grade 3", `{"kind":"clean","query":"x","judgments":{"r001":2,"r002":3}}`, 1, `"r002" has grade 3`},
		{"bad key", `{"kind":"clean","query":"x","judgments":{"花呗风控解除指南":2}}`, 1, "neither an article id"},
		{"empty title key", `{"kind":"clean","query":"x","judgments":{"title: ":2}}`, 1, "empty title"},
		{"unknown half", `{"kind":"clean","query":"x","half":"test","judgments":{"r001":2}}`, 1, `unknown half "test"`},
		{"duplicate query", good + "\n" + `{"kind":"pinyin","query":"花呗风控","judgments":{"r001":2}}` + "\n" + good, 3, "duplicate clean query \"花呗风控\" (first at "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "queries.jsonl", tt.content)
			_, err := LoadQueries(path)
			wantInputError(t, err, path, tt.line, tt.msg)
		})
	}
}

// fakeEngine answers queries from a fixed table.
func fakeEngine(results map[string][]Doc) SearchFunc {
	return func(q string) ([]Doc, error) {
		if q == "boom" {
			return nil, errors.New("index closed")
		}
		return results[q], nil
	}
}

func roundReport(r Report) Report {
	round := func(v float64) float64 { return math.Round(v*1e9) / 1e9 }
	r.Overall, r.MeanOfKinds = round(r.Overall), round(r.MeanOfKinds)
	for i := range r.Kinds {
		r.Kinds[i].Mean = round(r.Kinds[i].Mean)
	}
	for i := range r.Queries {
		r.Queries[i].NDCG = round(r.Queries[i].NDCG)
	}
	return r
}

var evalQueries = []Query{
	{Kind: KindNone, Query: "量子计算机"},
	{Kind: KindClean, Query: "花呗风控", Judgments: map[string]int{"a": 2}},
	{Kind: KindPinyin, Query: "hbfk", Judgments: map[string]int{"a": 2}},
	{Kind: KindClean, Query: "租机变现", Judgments: map[string]int{"b": 2}},
}

func TestEvaluate(t *testing.T) {
	engine := fakeEngine(map[string][]Doc{
		"量子计算机": docs("x"),
		"花呗风控":  docs("a", "x"),
		"hbfk":  docs("x", "y"),
		"租机变现":  nil,
	})
	got, err := Evaluate(evalQueries, engine, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := Report{
		K: 10,
		Kinds: []KindScore{
			{Kind: KindClean, Queries: 2, Mean: 0.5},
			{Kind: KindPinyin, Queries: 1, Mean: 0},
			{Kind: KindNone, Queries: 1, Mean: 0.9},
		},
		Overall:     0.475,       // (0.9 + 1 + 0 + 0) / 4
		MeanOfKinds: 0.466666667, // (0.5 + 0 + 0.9) / 3
		Queries: []QueryScore{
			{Kind: KindNone, Query: "量子计算机", NDCG: 0.9, Returned: 1},
			{Kind: KindClean, Query: "花呗风控", NDCG: 1, Returned: 2, Wanted: true},
			{Kind: KindPinyin, Query: "hbfk", NDCG: 0, Returned: 2, Wanted: true},
			{Kind: KindClean, Query: "租机变现", NDCG: 0, Returned: 0, Wanted: true},
		},
	}
	if got := roundReport(got); !reflect.DeepEqual(got, want) {
		t.Errorf("Evaluate =\n%+v\nwant\n%+v", got, want)
	}
	var zero []string
	for _, q := range got.Queries {
		if q.ZeroHit() {
			zero = append(zero, q.Query)
		}
	}
	if want := []string{"租机变现"}; !reflect.DeepEqual(zero, want) {
		t.Errorf("zero-hit queries %v, want %v (a none query with no hits is not one)", zero, want)
	}
}

func TestSplitHalves(t *testing.T) {
	var qs []Query
	for i := range 9 {
		qs = append(qs, Query{Kind: KindClean, Query: fmt.Sprintf("clean %d", i)})
	}
	for i := range 4 {
		qs = append(qs, Query{Kind: KindTypo, Query: fmt.Sprintf("typo %d", i)})
	}
	qs = append(qs, Query{Kind: KindTypo, Query: "named", Half: HalfHeldout})
	split := func(qs []Query) map[string]string {
		qs = slices.Clone(qs)
		SplitHalves(qs)
		out := map[string]string{}
		for _, q := range qs {
			out[q.Query] = q.Half
		}
		return out
	}
	got := split(qs)
	count := map[string]int{}
	for _, q := range qs {
		count[q.Kind+"/"+got[q.Query]]++
	}
	// 9 clean: 5 tune, 4 heldout; typo: 2 and 2 by hash, plus the named one.
	want := map[string]int{"clean/tune": 5, "clean/heldout": 4, "typo/tune": 2, "typo/heldout": 3}
	if !reflect.DeepEqual(count, want) {
		t.Errorf("split counts %v, want %v", count, want)
	}
	if got["named"] != HalfHeldout {
		t.Errorf("a query naming its half was moved to %q", got["named"])
	}
	// The order of the lines does not matter.
	rev := slices.Clone(qs)
	slices.Reverse(rev)
	if again := split(rev); !reflect.DeepEqual(again, got) {
		t.Errorf("split depends on line order:\n%v\n%v", got, again)
	}
}

func TestHalvesTable(t *testing.T) {
	qs := []Query{
		{Kind: KindQuestion, Query: "q1", Half: HalfTune, Judgments: map[string]int{"a": 2}},
		{Kind: KindQuestion, Query: "q2", Half: HalfHeldout, Judgments: map[string]int{"a": 2}},
		{Kind: KindNone, Query: "q3", Half: HalfTune},
		{Kind: KindNone, Query: "q4", Half: HalfHeldout},
	}
	a, err := Evaluate(qs, fakeEngine(map[string][]Doc{"q1": docs("a"), "q4": docs("x")}), 10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Evaluate(qs, fakeEngine(map[string][]Doc{"q1": docs("x", "a"), "q2": docs("a")}), 10)
	if err != nil {
		t.Fatal(err)
	}
	if c := a.Cell(KindQuestion, HalfHeldout); c != (Cell{Queries: 1, Mean: 0, ZeroHits: 1}) {
		t.Errorf("a.Cell(question, heldout) = %+v", c)
	}
	if c := a.Cell("", ""); c.Queries != 4 || c.ZeroHits != 1 {
		t.Errorf("a.Cell(all) = %+v, want 4 queries, 1 zero hit", c)
	}
	want := strings.Join([]string{
		"kind      half     queries  zhsearch NDCG@10  0hits  bleve-cjk NDCG@10  0hits     diff",
		"question  tune           1            1.0000      0             0.6309      0  +0.3691",
		"question  heldout        1            0.0000      1             1.0000      0  -1.0000",
		"question  both           2            0.5000      1             0.8155      0  -0.3155",
		"none      tune           1            1.0000      0             1.0000      0  +0.0000",
		"none      heldout        1            0.9000      0             1.0000      0  -0.1000",
		"none      both           2            0.9500      0             1.0000      0  -0.0500",
		"all       tune           2            1.0000      0             0.8155      0  +0.1845",
		"all       heldout        2            0.4500      1             1.0000      0  -0.5500",
		"all       both           4            0.7250      1             0.9077      0  -0.1827",
		"",
	}, "\n")
	if got := HalvesTable("zhsearch", a, "bleve-cjk", b); got != want {
		t.Errorf("HalvesTable =\n%s\nwant\n%s", got, want)
	}
}

func TestEvaluateUnknownKindSortsLast(t *testing.T) {
	qs := []Query{
		{Kind: "zeta", Query: "q1", Judgments: map[string]int{"a": 2}},
		{Kind: "alpha", Query: "q2", Judgments: map[string]int{"a": 2}},
		{Kind: KindTypo, Query: "q3", Judgments: map[string]int{"a": 2}},
	}
	r, err := Evaluate(qs, fakeEngine(nil), 10)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ks := range r.Kinds {
		kinds = append(kinds, ks.Kind)
	}
	if want := []string{KindTypo, "alpha", "zeta"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds = %v, want %v", kinds, want)
	}
}

func TestEvaluateErrors(t *testing.T) {
	engine := fakeEngine(nil)
	tests := []struct {
		name    string
		queries []Query
		k       int
		msg     string
	}{
		{"k of zero", evalQueries, 0, "k must be at least 1"},
		{"no queries", nil, 10, "no queries"},
		{"search fails", []Query{evalQueries[1], {Kind: KindTypo, Query: "boom", Judgments: map[string]int{"a": 2}}}, 10, `typo query "boom": index closed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Evaluate(tt.queries, engine, tt.k)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want one containing %q", err, tt.msg)
			}
		})
	}
}

func sampleReports(t *testing.T) (Report, Report) {
	t.Helper()
	a, err := Evaluate(evalQueries, fakeEngine(map[string][]Doc{"花呗风控": docs("a"), "hbfk": docs("a"), "租机变现": docs("x", "b")}), 10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Evaluate(evalQueries, fakeEngine(map[string][]Doc{"量子计算机": docs("x", "y", "z"), "花呗风控": docs("a"), "租机变现": docs("b")}), 10)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestReportTables(t *testing.T) {
	a, b := sampleReports(t)
	// a: none 1, clean (1 + 1/log2 3 = 0.6309) / 2 = 0.8155, pinyin 1.
	// b: none 0.7, clean 1, pinyin 0.
	wantTable := strings.Join([]string{
		"kind           queries  zhsearch NDCG@10",
		"clean                2            0.8155",
		"pinyin               1            1.0000",
		"none                 1            1.0000",
		"overall              4            0.9077",
		"mean of kinds                     0.9385",
		"",
	}, "\n")
	if got := a.Table("zhsearch"); got != wantTable {
		t.Errorf("Table =\n%s\nwant\n%s", got, wantTable)
	}
	wantSide := strings.Join([]string{
		"kind           queries  zhsearch NDCG@10  bleve-cjk NDCG@10     diff",
		"clean                2            0.8155             1.0000  -0.1845",
		"pinyin               1            1.0000             0.0000  +1.0000",
		"none                 1            1.0000             0.7000  +0.3000",
		"overall              4            0.9077             0.6750  +0.2327",
		"mean of kinds                     0.9385             0.5667  +0.3718",
		"",
	}, "\n")
	if got := SideBySide("zhsearch", a, "bleve-cjk", b); got != wantSide {
		t.Errorf("SideBySide =\n%s\nwant\n%s", got, wantSide)
	}
	// Chinese queries take two columns per character, so the columns after
	// them still line up.
	wantPerQuery := strings.Join([]string{
		"kind    query       zhsearch  hits  bleve-cjk  hits",
		"none    量子计算机    1.0000     0     0.7000     3",
		"clean   花呗风控      1.0000     1     1.0000     1",
		"pinyin  hbfk          1.0000     1     0.0000     0",
		"clean   租机变现      0.6309     2     1.0000     1  <",
		"",
	}, "\n")
	if got := PerQuery("zhsearch", a, "bleve-cjk", b); got != wantPerQuery {
		t.Errorf("PerQuery =\n%s\nwant\n%s", got, wantPerQuery)
	}
	if got, want := a.KindsBelow(b), []string{KindClean}; !reflect.DeepEqual(got, want) {
		t.Errorf("KindsBelow = %v, want %v", got, want)
	}
	if got := b.KindsBelow(a); !reflect.DeepEqual(got, []string{KindPinyin, KindNone}) {
		t.Errorf("b.KindsBelow(a) = %v, want [pinyin none]", got)
	}
	if ks, ok := a.Kind(KindTypo); ok {
		t.Errorf("Kind(typo) = %+v, true; want false", ks)
	}
}
