package relevance

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"unicode"
)

// The suite's files, relative to this package's folder.
const (
	articlesFile = "../../testdata/relevance/articles.jsonl"
	queriesFile  = "../../testdata/relevance/queries.jsonl"
	seedFile     = "../../data/000_6fe797c5a744a779.txt"
)

// minPerKind is the least number of queries each kind must have.
const minPerKind = 8

// seedTitles reads the exported seed page: its title (the first non-blank
// line) and the related titles between "相关内容:" and "To Top". These are
// the documents the judgments can only name by title.
func seedTitles(t *testing.T) (page string, related []string) {
	t.Helper()
	f, err := os.Open(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	inRelated := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case page == "":
			page = line
		case line == "相关内容:" || line == "相关内容：":
			inRelated = true
		case line == "To Top":
			inRelated = false
		case inRelated:
			related = append(related, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if page == "" || len(related) == 0 {
		t.Fatalf("%s: found title %q and %d related titles; the page format changed?", seedFile, page, len(related))
	}
	return page, related
}

// fold is a rough stand-in for the engine's normalization, enough to catch
// two titles that the corpus loader would take for one: full-width ASCII to
// ASCII, ideographic space to space, Latin lower-cased.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		return unicode.ToLower(r)
	}, strings.TrimSpace(s))
}

func loadSuite(t *testing.T) ([]Query, map[string]string, map[string]bool) {
	t.Helper()
	articles, err := LoadArticles(articlesFile)
	if err != nil {
		t.Fatal(err)
	}
	queries, err := LoadQueries(queriesFile)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{} // id → title
	titles := map[string]bool{}
	for _, a := range articles {
		ids[a.ID] = a.Title
		titles[a.Title] = true
	}
	page, related := seedTitles(t)
	titles[page] = true
	for _, r := range related {
		titles[r] = true
	}
	return queries, ids, titles
}

func TestSuiteArticles(t *testing.T) {
	articles, err := LoadArticles(articlesFile)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(articles); n < 120 || n > 160 {
		t.Errorf("%d test articles, want 120-160", n)
	}
	page, related := seedTitles(t)
	seed := map[string]string{fold(page): page}
	for _, r := range related {
		seed[fold(r)] = r
	}
	own := map[string]string{}
	for _, a := range articles {
		if strings.TrimSpace(a.Body) == "" {
			t.Errorf("%s: test article has no body", a.ID)
		}
		if a.PublishedAt.IsZero() {
			t.Errorf("%s: test article has no published_at", a.ID)
		}
		// A test article titled like a seed title would absorb that
		// title-only article, and a "title:" judgment would name two documents.
		if s, ok := seed[fold(a.Title)]; ok {
			t.Errorf("%s: title %q is the seed's title %q", a.ID, a.Title, s)
		}
		if other, ok := own[fold(a.Title)]; ok {
			t.Errorf("%s: title %q repeats %s's", a.ID, a.Title, other)
		}
		own[fold(a.Title)] = a.ID
	}
}

func TestSuiteJudgmentsNameRealDocuments(t *testing.T) {
	queries, ids, titles := loadSuite(t)
	for _, q := range queries {
		for key := range q.Judgments {
			if title, ok := strings.CutPrefix(key, TitlePrefix); ok {
				if !titles[title] {
					t.Errorf("%s:%d: %q judges %q: no article or seed title has that exact title", queriesFile, q.Line, q.Query, key)
				}
			} else if _, ok := ids[key]; !ok {
				t.Errorf("%s:%d: %q judges %q: no such article id in %s", queriesFile, q.Line, q.Query, key, articlesFile)
			}
		}
	}
}

func TestSuiteQueries(t *testing.T) {
	queries, _, _ := loadSuite(t)
	perKind := map[string]int{}
	for _, q := range queries {
		perKind[q.Kind]++
		if q.Kind == KindNone {
			continue
		}
		best := 0
		for _, g := range q.Judgments {
			best = max(best, g)
		}
		if best < GradeRelevant {
			t.Errorf("%s:%d: %s query %q has no grade-%d judgment", queriesFile, q.Line, q.Kind, q.Query, GradeRelevant)
		}
	}
	for _, kind := range RelevanceKinds() {
		if perKind[kind] < minPerKind {
			t.Errorf("kind %s has %d queries, want at least %d", kind, perKind[kind], minPerKind)
		}
	}
	if len(queries) < 60 {
		t.Errorf("%d queries, want at least 60", len(queries))
	}
}

// TestSuiteNoneQueriesAreAbsent checks the "should find nothing" queries
// against the text of the corpus: none may occur literally in a title or a
// body (a literal occurrence would make the empty judgment wrong).
func TestSuiteNoneQueriesAreAbsent(t *testing.T) {
	queries, _, _ := loadSuite(t)
	articles, err := LoadArticles(articlesFile)
	if err != nil {
		t.Fatal(err)
	}
	page, related := seedTitles(t)
	seedText, err := os.ReadFile(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	type named struct{ name, text string }
	texts := []named{{seedFile, fold(string(seedText))}, {"seed title", fold(page)}}
	for _, r := range related {
		texts = append(texts, named{"seed related title", fold(r)})
	}
	for _, a := range articles {
		texts = append(texts, named{a.ID + " title", fold(a.Title)}, named{a.ID + " body", fold(a.Body)})
	}
	for _, q := range queries {
		if q.Kind != KindNone {
			continue
		}
		needle := fold(q.Query)
		for _, text := range texts {
			if strings.Contains(text.text, needle) {
				t.Errorf("%s:%d: none query %q occurs in the corpus (%s)", queriesFile, q.Line, q.Query, text.name)
				break
			}
		}
	}
}
