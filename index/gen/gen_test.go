package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
)

// testN spans more than one topic block, so block boundaries and the
// partial last block are exercised.
const testN = blockSize + 904

// collect returns the articles of Generate(opts).
func collect(t *testing.T, opts Options) []zhsearch.Article {
	t.Helper()
	var out []zhsearch.Article
	if err := Generate(opts, func(a zhsearch.Article) error {
		out = append(out, a)
		return nil
	}); err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	if len(out) != opts.N {
		t.Fatalf("Generate(%+v) gave %d articles, want %d", opts, len(out), opts.N)
	}
	return out
}

func jsonl(t *testing.T, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, opts); err != nil {
		t.Fatalf("WriteJSONL(%+v): %v", opts, err)
	}
	return buf.Bytes()
}

func TestDeterministic(t *testing.T) {
	opts := Options{N: testN, Seed: 42}
	a, b := jsonl(t, opts), jsonl(t, opts)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same options differ")
	}
	if c := jsonl(t, Options{N: testN, Seed: 43}); bytes.Equal(a, c) {
		t.Fatal("seeds 42 and 43 give the same corpus")
	}
	// A fresh Generate call agrees with itself article by article, too.
	if x, y := collect(t, opts), collect(t, opts); !reflect.DeepEqual(x, y) {
		t.Fatal("two Generate runs with the same options differ")
	}
}

func TestWriteJSONLRoundTrip(t *testing.T) {
	opts := Options{N: 300, Seed: 7}
	want := collect(t, opts)
	sc := bufio.NewScanner(bytes.NewReader(jsonl(t, opts)))
	sc.Buffer(nil, 1<<20)
	rfc3339 := regexp.MustCompile(`"published_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00"`)
	n := 0
	for ; sc.Scan(); n++ {
		line := sc.Bytes()
		if !rfc3339.Match(line) {
			t.Fatalf("line %d: no RFC 3339 published_at: %.200s", n+1, line)
		}
		var got zhsearch.Article
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		w := want[n]
		if !got.PublishedAt.Equal(w.PublishedAt) {
			t.Fatalf("line %d: published_at %v, want %v", n+1, got.PublishedAt, w.PublishedAt)
		}
		got.PublishedAt, w.PublishedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("line %d: decoded %+v, want %+v", n+1, got, w)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != opts.N {
		t.Fatalf("%d lines, want %d", n, opts.N)
	}
}

func TestArticleBounds(t *testing.T) {
	start, span := dateRange()
	end := start.Add(time.Duration(span) * time.Second)
	articles := collect(t, Options{N: testN, Seed: 1})
	ids := map[string]bool{}
	var prev time.Time
	var bodyTotal int
	for i, a := range articles {
		if err := a.Validate(0); err != nil {
			t.Fatalf("article %d: %v", i, err)
		}
		if want := fmt.Sprintf("g%09d", i+1); a.ID != want {
			t.Fatalf("article %d: id %q, want %q", i, a.ID, want)
		}
		if ids[a.ID] {
			t.Fatalf("article %d: duplicate id %s", i, a.ID)
		}
		ids[a.ID] = true
		if n := utf8.RuneCountInString(a.Title); n < MinTitleLen || n > MaxTitleLen {
			t.Errorf("%s: title %q has %d characters, want %d-%d", a.ID, a.Title, n, MinTitleLen, MaxTitleLen)
		}
		n := utf8.RuneCountInString(a.Body)
		if n < MinBodyLen || n > MaxBodyLen {
			t.Errorf("%s: body has %d characters, want %d-%d", a.ID, n, MinBodyLen, MaxBodyLen)
		}
		bodyTotal += n
		if strings.Contains(a.Title+a.Body, "{") {
			t.Errorf("%s: unexpanded template in %q", a.ID, a.Title)
		}
		if a.URL != DefaultURL+a.ID+".html" {
			t.Errorf("%s: url %q", a.ID, a.URL)
		}
		if a.PublishedAt.Before(start) || !a.PublishedAt.Before(end) {
			t.Errorf("%s: published_at %v outside [%v, %v)", a.ID, a.PublishedAt, start, end)
		}
		if a.PublishedAt.Before(prev) {
			t.Errorf("%s: published_at %v before the previous article's %v", a.ID, a.PublishedAt, prev)
		}
		prev = a.PublishedAt
		if len(a.Tags) < 1 || len(a.Tags) > 4 {
			t.Errorf("%s: %d tags, want 1-4", a.ID, len(a.Tags))
		}
		seen := map[string]bool{}
		for _, tag := range a.Tags {
			if tag == "" || seen[tag] {
				t.Errorf("%s: empty or repeated tag in %q", a.ID, a.Tags)
			}
			seen[tag] = true
		}
		if a.Category == "" || a.TitleOnly {
			t.Errorf("%s: category %q, title_only %v", a.ID, a.Category, a.TitleOnly)
		}
	}
	// The spread is wide: dates from both ends of the range, bodies of
	// very different lengths.
	if first, last := articles[0].PublishedAt, articles[len(articles)-1].PublishedAt; first.Year() != 2019 || last.Year() != 2026 {
		t.Errorf("dates run from %v to %v, want 2019 to 2026", first, last)
	}
	if mean := bodyTotal / len(articles); mean < 500 || mean > 1200 {
		t.Errorf("mean body length %d characters, want 500-1200", mean)
	}
}

// TestTopicWords checks that an article is about its topic: its title
// names the topic's head and its body the topic itself.
func TestTopicWords(t *testing.T) {
	opts := Options{N: testN, Seed: 3}
	g, err := newGenerator(opts)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, len(g.topics))
	for i, a := range collect(t, opts) {
		tp, k := g.topicOf(i)
		counts[k]++
		if !strings.Contains(a.Title, tp.head) {
			t.Errorf("%s: title %q does not name its topic's head %q", a.ID, a.Title, tp.head)
		}
		if !strings.Contains(a.Body, tp.name) {
			t.Errorf("%s: body does not name its topic %q", a.ID, tp.name)
		}
		if a.Tags[0] != tp.head || a.Category != tp.category {
			t.Errorf("%s: tags %q category %q, want head %q category %q", a.ID, a.Tags, a.Category, tp.head, tp.category)
		}
	}
	if len(counts) != MinTopics {
		t.Fatalf("%d topics for %d articles, want %d", len(counts), testN, MinTopics)
	}
	for k, c := range counts {
		if c < 2 {
			t.Errorf("topic %d (%s) has %d articles, want at least 2", k, g.topics[k].name, c)
		}
	}
	if counts[0] < 5*counts[len(counts)-1] {
		t.Errorf("topic popularity is not skewed: most popular %d, least %d", counts[0], counts[len(counts)-1])
	}
}

// TestRelated checks that related lists name other articles of the same
// topic that exist in the corpus.
func TestRelated(t *testing.T) {
	opts := Options{N: testN, Seed: 5}
	g, err := newGenerator(opts)
	if err != nil {
		t.Fatal(err)
	}
	articles := collect(t, opts)
	byTopic := map[int]map[string]bool{}
	for i, a := range articles {
		_, k := g.topicOf(i)
		if byTopic[k] == nil {
			byTopic[k] = map[string]bool{}
		}
		byTopic[k][a.Title] = true
	}
	with := 0
	for i, a := range articles {
		if len(a.Related) == 0 {
			continue
		}
		with++
		if len(a.Related) > 5 {
			t.Errorf("%s: %d related titles, want at most 5", a.ID, len(a.Related))
		}
		_, k := g.topicOf(i)
		seen := map[string]bool{}
		for _, title := range a.Related {
			if !byTopic[k][title] {
				t.Errorf("%s: related title %q is no article of its topic", a.ID, title)
			}
			if title == a.Title || seen[title] {
				t.Errorf("%s: related title %q repeats", a.ID, title)
			}
			seen[title] = true
		}
	}
	if frac := float64(with) / float64(len(articles)); frac < 0.25 || frac > 0.45 {
		t.Errorf("%.2f of articles have related lists, want about 0.35", frac)
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string // substring of the error, "" for none
	}{
		{Options{N: -1}, "n must be between"},
		{Options{N: MaxN + 1}, "n must be between"},
		{Options{N: 10, Topics: -1}, "topics must be between"},
		{Options{N: 10, Topics: 100000}, "topics must be between"},
		{Options{N: 10, BaseURL: "\xff"}, "UTF-8"},
		{Options{N: 0}, ""},
		{Options{N: 1}, ""},
		{Options{N: 10, Topics: 1, BaseURL: "https://x.test/"}, ""},
	} {
		err := WriteJSONL(io.Discard, tc.opts)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v", tc.opts, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: error %v, want one containing %q", tc.opts, err, tc.want)
		case tc.want != "" && zhsearch.ErrorCode(err) != zhsearch.EINVALID:
			t.Errorf("%+v: error code %q, want %q", tc.opts, zhsearch.ErrorCode(err), zhsearch.EINVALID)
		}
	}
	for _, tc := range []struct{ n, want int }{{0, 40}, {10_000, 40}, {100_000, 63}, {1_000_000, 200}, {50_000_000, 200}} {
		if got := (Options{N: tc.n}).topicCount(); got != tc.want {
			t.Errorf("topicCount for n=%d: %d, want %d", tc.n, got, tc.want)
		}
	}
}

func TestGenerateStopsOnError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := Generate(Options{N: 100, Seed: 1}, func(zhsearch.Article) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Fatalf("Generate returned %v after %d calls, want %v after 3", err, calls, stop)
	}
}

func TestQuotas(t *testing.T) {
	g, err := newGenerator(Options{N: 1, Topics: 40})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 7, 39, 40, 159, 160, 1000, blockSize} {
		q := g.quotas(n)
		sum := 0
		for k, c := range q {
			sum += c
			if k > 0 && c > q[k-1] {
				t.Errorf("n=%d: topic %d gets %d, more than topic %d's %d", n, k, c, k-1, q[k-1])
			}
			if n >= 4*len(q) && c < 2 {
				t.Errorf("n=%d: topic %d gets %d, want at least 2", n, k, c)
			}
		}
		if sum != n {
			t.Errorf("n=%d: quotas sum to %d", n, sum)
		}
	}
}

// TestTemplates expands every template and clause pattern, so a typo in
// the lexicon fails here rather than in a rare article.
func TestTemplates(t *testing.T) {
	g, err := newGenerator(Options{N: 1, Topics: 40})
	if err != nil {
		t.Fatal(err)
	}
	var r rng
	r.seed(1, 2)
	for k := range g.topics {
		tp := &g.topics[k]
		for _, tmpl := range append(g.titles, g.intros...) {
			g.line = g.line[:0]
			g.expand(&r, tp, tmpl)
			if s := string(g.line); strings.ContainsAny(s, "{}") || !strings.Contains(s, tp.head) {
				t.Errorf("template %q for %s gave %q", tmpl, tp.name, s)
			}
		}
		for _, tmpl := range append(g.prefixes, g.suffixes...) {
			g.line = g.line[:0]
			g.expand(&r, tp, tmpl)
			if s := string(g.line); s == "" || strings.ContainsAny(s, "{}") {
				t.Errorf("template %q gave %q", tmpl, s)
			}
		}
		for _, p := range g.patterns {
			g.line = g.line[:0]
			g.clause(&r, tp, p)
			if len(g.line) == 0 {
				t.Errorf("pattern %q gave nothing", p)
			}
		}
	}
}

func TestVocab(t *testing.T) {
	v, err := parseVocab(vocabTxt)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(v.all.words); n != 6000 {
		t.Errorf("vocabulary has %d words, want 6000", n)
	}
	if w := v.all.words[0]; w != "了" {
		t.Errorf("most frequent word %q, want 了", w)
	}
	for _, bad := range []string{"了 x ul\n", "了 12\n", "了 0 ul\n"} {
		if _, err := parseVocab(bad); err == nil || !strings.Contains(err.Error(), "vocab.txt:1") {
			t.Errorf("parseVocab(%q): error %v, want one naming vocab.txt:1", bad, err)
		}
	}
}

// TestTablePick checks that words are drawn in proportion to their
// frequencies.
func TestTablePick(t *testing.T) {
	var b tableBuilder
	b.add("甲", 600)
	b.add("乙", 300)
	b.add("丙", 99)
	b.add("丁", 1)
	tab := b.build()
	var r rng
	r.seed(9, 9)
	const draws = 200_000
	got := map[string]int{}
	for range draws {
		got[tab.pick(&r)]++
	}
	for w, p := range map[string]float64{"甲": 0.6, "乙": 0.3, "丙": 0.099, "丁": 0.001} {
		// Five standard deviations of the binomial count.
		want, sd := draws*p, math.Sqrt(draws*p*(1-p))
		if n := float64(got[w]); math.Abs(n-want) > 5*sd {
			t.Errorf("%s drawn %.0f times, want %.0f ± %.0f", w, n, want, 5*sd)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	chars := 0
	err := Generate(Options{N: b.N, Seed: 1}, func(a zhsearch.Article) error {
		chars += len(a.Title) + len(a.Body)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(chars / max(b.N, 1)))
}

func BenchmarkWriteJSONL(b *testing.B) {
	b.ReportAllocs()
	var w countingWriter
	if err := WriteJSONL(&w, Options{N: b.N, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(w.n / int64(max(b.N, 1)))
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

func ExampleGenerate() {
	_ = Generate(Options{N: 3, Seed: 1}, func(a zhsearch.Article) error {
		fmt.Println(a.ID, a.PublishedAt.Format(time.DateOnly), a.Category, a.Title)
		return nil
	})
	// Output:
	// g000000001 2020-12-19 消费金融 美团月付解除风控全面解析
	// g000000002 2023-06-13 消费金融 定义美团月付审核指南
	// g000000003 2024-04-21 防骗 失业后如何应对套路贷自救(含全会)
}
