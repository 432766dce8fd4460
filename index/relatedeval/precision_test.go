package relatedeval

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
)

// docs builds results from "id" or "id|title" or "id|title|fallback".
func docs(t *testing.T, specs ...string) []Doc {
	t.Helper()
	out := make([]Doc, len(specs))
	for i, s := range specs {
		parts := strings.Split(s, "|")
		out[i].ID = parts[0]
		if len(parts) > 1 {
			out[i].Title = parts[1]
		}
		if len(parts) > 2 {
			if parts[2] != "fallback" {
				t.Fatalf("bad spec %q", s)
			}
			out[i].Fallback = true
		}
	}
	return out
}

func TestPrecisionAtK(t *testing.T) {
	rel5 := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		name     string
		results  []string
		relevant []string
		dups     [][]string
		k        int
		want     float64
	}{
		{"all relevant", []string{"a", "b", "c", "d", "e"}, rel5, nil, 5, 1},
		{"order does not matter", []string{"e", "d", "c", "b", "a"}, rel5, nil, 5, 1},
		{"three of five", []string{"a", "x", "b", "y", "c"}, rel5, nil, 5, 0.6},
		{"only the top k count", []string{"x", "y", "z", "w", "v", "a", "b"}, rel5, nil, 5, 0},
		{"short list is not padded", []string{"a", "b"}, rel5, nil, 5, 0.4},
		{"no results", nil, rel5, nil, 5, 0},
		// Two relevant: the denominator is min(5, 2) = 2.
		{"fewer relevant than k", []string{"a", "x", "y", "z", "b"}, []string{"a", "b"}, nil, 5, 1},
		{"fewer relevant than k, one found", []string{"x", "a"}, []string{"a", "b"}, nil, 5, 0.5},
		// Eight relevant, k=5: the denominator stays 5.
		{"more relevant than k", []string{"a", "b", "c", "x", "y"}, []string{"a", "b", "c", "d", "e", "f", "g", "h"}, nil, 5, 0.6},
		// a~b: four units, so the denominator is 4; b is a wasted slot, a, c, d
		// hit: 3/4.
		{"second duplicate is wasted", []string{"a", "b", "c", "d", "x"}, rel5, [][]string{{"a", "b"}}, 5, 0.75},
		// Relevant {a,b,c} with a~b: two units, so the denominator is 2.
		{"duplicate group counts once in denominator", []string{"a", "c"}, []string{"a", "b", "c"}, [][]string{{"a", "b"}}, 5, 1},
		{"later member of a group alone is a hit", []string{"b", "c"}, []string{"a", "b", "c"}, [][]string{{"a", "b"}}, 5, 1},
		// Units {a,b,c} and d: denominator 2; a hits, b and c are wasted: 1/2.
		{"group of three, all shown", []string{"a", "b", "c", "x"}, []string{"a", "b", "c", "d"}, [][]string{{"a", "b", "c"}}, 5, 0.5},
		{"group of three and the other unit", []string{"c", "b", "d"}, []string{"a", "b", "c", "d"}, [][]string{{"a", "b", "c"}}, 5, 1},
		{"repeated result counts once", []string{"a", "a", "b"}, []string{"a", "b", "c"}, nil, 5, 2.0 / 3},
		// A group member that is not in relevant never matches.
		{"group member outside relevant", []string{"b", "a"}, []string{"a", "c"}, [][]string{{"a", "b"}}, 5, 0.5},
		// Fallback items are judged like any other when relevant is non-empty.
		{"relevant fallback counts", []string{"a|A|fallback", "x|X|fallback"}, []string{"a", "b"}, nil, 5, 0.5},
		{"k=1", []string{"b", "a"}, rel5, nil, 1, 1},
		{"k=1 miss", []string{"x", "a"}, rel5, nil, 1, 0},
		{"k=0", []string{"a"}, rel5, nil, 0, 0},
		{"k<0", []string{"a"}, rel5, nil, -3, 0},
		// No related content at all.
		{"empty relevant, empty list", nil, nil, nil, 5, 1},
		{"empty relevant, empty slice", nil, []string{}, nil, 5, 1},
		{"empty relevant, fallback only", []string{"x|X|fallback", "y|Y|fallback"}, nil, nil, 5, 1},
		{"empty relevant, one junk", []string{"x|X|fallback", "y|Y"}, nil, nil, 5, 0},
		{"empty relevant, junk beyond k ignored", []string{"x|X|fallback", "y|Y"}, nil, nil, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PrecisionAtK(docs(t, tt.results...), tt.relevant, tt.dups, tt.k)
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("PrecisionAtK = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPrecisionAtKMatchesByTitle(t *testing.T) {
	relevant := []string{"k013", TitleKey("征信花了如何快速修复"), TitleKey("网贷自救指南"), "k021"}
	dups := [][]string{{"k013", TitleKey("征信花了如何快速修复")}}
	tests := []struct {
		name    string
		results []Doc
		want    float64
	}{
		// Title-only articles have code-derived ids: matched by title.
		{"by title", []Doc{{ID: "t-1", Title: "网贷自救指南"}, {ID: "k021", Title: "征信查询次数太多有什么影响"}}, 2.0 / 3},
		// The title key and the id are one group: the second is wasted.
		{"title and id in one group", []Doc{{ID: "t-2", Title: "征信花了如何快速修复"}, {ID: "k013", Title: "征信花了怎么修复"}, {ID: "k021"}}, 2.0 / 3},
		// One result that matches by both id and title counts once.
		{"id and title both match one result", []Doc{{ID: "k013", Title: "征信花了如何快速修复"}}, 1.0 / 3},
		// Titles match exactly, not by prefix or case.
		{"title must be exact", []Doc{{ID: "t-3", Title: "网贷自救指南 "}, {ID: "t-4", Title: "网贷自救"}}, 0},
		{"title key is not an id", []Doc{{ID: "title:网贷自救指南"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PrecisionAtK(tt.results, relevant, dups, 5)
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("PrecisionAtK = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestJudgeDetails(t *testing.T) {
	got := Judge(docs(t, "a|A", "b|B", "x|X", "c|C", "a|A", "d|D"), []string{"a", "b", "c", "d", "e", "f"}, [][]string{{"a", "b"}, {"e", "f"}}, 5)
	want := Score{Units: 4, Hits: 2, Want: 4, Precision: 0.5, Returned: 5,
		Misses: []Doc{{ID: "b", Title: "B"}, {ID: "x", Title: "X"}, {ID: "a", Title: "A"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Judge =\n%+v\nwant\n%+v", got, want)
	}
	got = Judge(docs(t, "x|X|fallback", "y|Y"), nil, nil, 5)
	want = Score{Returned: 2, Misses: []Doc{{ID: "y", Title: "Y"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Judge empty =\n%+v\nwant\n%+v", got, want)
	}
}

func TestDocsFromItems(t *testing.T) {
	items := []zhsearch.RelatedItem{
		{ID: "k1", Title: "一", Reasons: []string{"花呗"}},
		{ID: "k2", Title: "二", Reason: zhsearch.ReasonFallback},
	}
	want := []Doc{{ID: "k1", Title: "一"}, {ID: "k2", Title: "二", Fallback: true}}
	if got := DocsFromItems(items); !reflect.DeepEqual(got, want) {
		t.Errorf("DocsFromItems = %+v, want %+v", got, want)
	}
}

func TestSplitKey(t *testing.T) {
	tests := []struct{ key, id, title string }{
		{"k001", "k001", ""},
		{"title:花呗风控解除指南", "", "花呗风控解除指南"},
		{"title:", "", ""},
	}
	for _, tt := range tests {
		id, title := SplitKey(tt.key)
		if id != tt.id || title != tt.title {
			t.Errorf("SplitKey(%q) = %q, %q; want %q, %q", tt.key, id, title, tt.id, tt.title)
		}
	}
	if got := TitleKey("x"); got != "title:x" {
		t.Errorf("TitleKey = %q", got)
	}
}

// fakeEngine answers from a fixed table.
func fakeEngine(lists map[string][]Doc) RelatedFunc {
	return func(q Query, k int) ([]Doc, error) {
		key := q.Source
		if q.Draft != nil {
			key = "draft:" + q.Draft.Title
		}
		l, ok := lists[key]
		if !ok {
			return nil, errors.New("unknown")
		}
		if len(l) > k {
			l = l[:k]
		}
		return l, nil
	}
}

func testSuite() *Suite {
	return &Suite{
		Judgments: []Judgment{
			{Source: "s1", Relevant: []string{"a", "b"}},
			{Source: "title:孤题", Relevant: []string{}},
		},
		Drafts: []DraftJudgment{
			{Draft: Draft{Title: "草稿"}, Relevant: []string{"a", "b", "c", "d"}, Duplicates: [][]string{{"c", "d"}}},
		},
	}
}

func TestEvaluate(t *testing.T) {
	s := testSuite()
	good := fakeEngine(map[string][]Doc{
		"s1":       {{ID: "a"}, {ID: "x"}, {ID: "b"}},            // 2/2
		"title:孤题": {{ID: "f", Fallback: true}},                  // 1
		"draft:草稿": {{ID: "c"}, {ID: "d"}, {ID: "a"}, {ID: "z"}}, // c,a hit, d wasted: 2/3
	})
	r, err := Evaluate("good", s, good, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.SourceMean(), 1.0; math.Abs(got-want) > 1e-9 {
		t.Errorf("SourceMean = %v, want %v", got, want)
	}
	if got, want := r.DraftMean(), 2.0/3; math.Abs(got-want) > 1e-9 {
		t.Errorf("DraftMean = %v, want %v", got, want)
	}
	if got, want := r.Mean(), (1+1+2.0/3)/3; math.Abs(got-want) > 1e-9 {
		t.Errorf("Mean = %v, want %v", got, want)
	}
	if r.Drafts[0].Name != "draft 1: 草稿" || r.Sources[1].Name != "title:孤题" {
		t.Errorf("names = %q, %q", r.Drafts[0].Name, r.Sources[1].Name)
	}

	bad := fakeEngine(map[string][]Doc{
		"s1":       {{ID: "x"}, {ID: "a"}}, // 1/2
		"title:孤题": {{ID: "j", Title: "junk"}},
		"draft:草稿": {},
	})
	rb, err := Evaluate("bad", s, bad, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rb.SourceMean(), 0.25; math.Abs(got-want) > 1e-9 {
		t.Errorf("bad SourceMean = %v, want %v", got, want)
	}

	var buf bytes.Buffer
	if err := r.Table(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"related precision@5: good", "1.00 2/2 s1 ✗ x", "1.00 0/0 title:孤题", "0.67 2/3 draft 1: 草稿 ✗ d / z",
		"1.000 mean over 2 sources", "0.667 mean over 1 drafts", "0.889 mean over all 3 lists"} {
		if !strings.Contains(squash(buf.String()), want) {
			t.Errorf("Table lacks %q:\n%s", want, buf.String())
		}
	}
	buf.Reset()
	if err := rb.Table(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "✗ junk") {
		t.Errorf("Table does not show the miss:\n%s", buf.String())
	}
	buf.Reset()
	if err := SideBySide(&buf, r, rb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"related precision@5: good vs bad", "1.00 0.50 good s1", "1.00 0.00 good title:孤题",
		"1.000 0.250 mean over sources (2, 2)", "0.889 0.167 mean over all lists"} {
		if !strings.Contains(squash(buf.String()), want) {
			t.Errorf("SideBySide lacks %q:\n%s", want, buf.String())
		}
	}
}

// squash collapses runs of spaces so tests do not depend on column widths.
func squash(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

func TestEvaluateErrors(t *testing.T) {
	s := testSuite()
	_, err := Evaluate("e", s, fakeEngine(map[string][]Doc{}), 5)
	if err == nil || !strings.Contains(err.Error(), `source "s1"`) {
		t.Errorf("engine error = %v, want one naming the source", err)
	}
	_, err = Evaluate("e", s, fakeEngine(map[string][]Doc{"s1": nil, "title:孤题": nil}), 5)
	if err == nil || !strings.Contains(err.Error(), `draft 1 "草稿"`) {
		t.Errorf("engine error = %v, want one naming the draft", err)
	}
	if _, err := Evaluate("e", s, fakeEngine(nil), 0); err == nil {
		t.Error("k=0 accepted")
	}
}

func TestEmptyReport(t *testing.T) {
	var r Report
	if r.SourceMean() != 0 || r.DraftMean() != 0 || r.Mean() != 0 {
		t.Error("means of an empty report are not 0")
	}
}
