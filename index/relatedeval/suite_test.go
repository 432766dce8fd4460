package relatedeval

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// Paths of the judged suite and the bundled corpus, from this package.
const (
	suiteDir = "../../testdata/related"
	dataDir  = "../../data"
)

// seedPage is what the data test needs from an exported page.
type seedPage struct {
	id, title string
	related   []string
}

// readSeedPages reads the title and 相关内容 titles of every page export in
// dir. It is a minimal reader for validating the suite; index/corpus is the
// real parser.
func readSeedPages(t *testing.T, dir string) []seedPage {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var pages []seedPage
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		p := seedPage{id: strings.TrimSuffix(filepath.Base(f), ".txt")}
		inRelated := false
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			switch {
			case line == "":
			case p.title == "":
				p.title = line
			case line == "相关内容:" || line == "相关内容：":
				inRelated = true
			case line == "To Top":
				inRelated = false
			case inRelated:
				p.related = append(p.related, line)
			}
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		pages = append(pages, p)
	}
	if len(pages) == 0 {
		t.Fatalf("no page exports in %s", dir)
	}
	return pages
}

// catalog is everything a judgment key may name.
type catalog struct {
	ids         map[string]bool   // test article and page ids
	titles      map[string]bool   // article titles, page titles, related titles
	titleOfID   map[string]string // id -> title
	seedRelated map[string]bool   // titles in pages' 相关内容 lists
	pageIDs     map[string]bool
}

func loadCatalog(t *testing.T, s *Suite) catalog {
	t.Helper()
	c := catalog{ids: map[string]bool{}, titles: map[string]bool{}, titleOfID: map[string]string{},
		seedRelated: map[string]bool{}, pageIDs: map[string]bool{}}
	for _, p := range readSeedPages(t, dataDir) {
		c.ids[p.id], c.pageIDs[p.id], c.titles[p.title], c.titleOfID[p.id] = true, true, true, p.title
		for _, r := range p.related {
			c.titles[r], c.seedRelated[r] = true, true
		}
	}
	for _, a := range s.Articles {
		c.ids[a.ID], c.titles[a.Title], c.titleOfID[a.ID] = true, true, a.Title
	}
	return c
}

func (c catalog) check(key string) error {
	id, title := SplitKey(key)
	if id != "" && !c.ids[id] {
		return fmt.Errorf("id %q is neither a test article nor a page", id)
	}
	if id == "" && !c.titles[title] {
		return fmt.Errorf("no article, page or 相关内容 entry has the title %q", title)
	}
	return nil
}

// sameArticle reports whether two keys name one article (id and its title).
func (c catalog) sameArticle(a, b string) bool {
	if a == b {
		return true
	}
	ia, ta := SplitKey(a)
	ib, tb := SplitKey(b)
	return (ia != "" && tb != "" && c.titleOfID[ia] == tb) || (ib != "" && ta != "" && c.titleOfID[ib] == ta)
}

func loadTestSuite(t *testing.T) *Suite {
	t.Helper()
	s, err := LoadSuite(suiteDir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSuiteArticles checks the test articles are what the suite promises:
// ids k001…, realistic bodies, tags, categories, dates, and 相关内容 lists
// that name existing titles.
func TestSuiteArticles(t *testing.T) {
	s := loadTestSuite(t)
	c := loadCatalog(t, s)
	if n := len(s.Articles); n < 140 {
		t.Errorf("%d test articles, want about 150", n)
	}
	seedLower := map[string]bool{}
	for r := range c.seedRelated {
		seedLower[strings.ToLower(r)] = true
	}
	titles := map[string]string{}
	withRelated := 0
	for i, a := range s.Articles {
		if want := fmt.Sprintf("k%03d", i+1); a.ID != want {
			t.Errorf("article %d has id %q, want %q", i+1, a.ID, want)
		}
		if prev, dup := titles[a.Title]; dup {
			t.Errorf("%s: title %q already used by %s", a.ID, a.Title, prev)
		}
		titles[a.Title] = a.ID
		// A test title equal to a 相关内容 title would merge with that
		// title-only article and blur the judgments.
		if seedLower[strings.ToLower(a.Title)] {
			t.Errorf("%s: title %q is also a 相关内容 title of a page", a.ID, a.Title)
		}
		if n := utf8.RuneCountInString(a.Body); n < 150 || n > 600 {
			t.Errorf("%s: body has %d characters, want 150-600", a.ID, n)
		}
		if n := strings.Count(a.Body, "。") + strings.Count(a.Body, "！") + strings.Count(a.Body, "？"); n < 3 || n > 8 {
			t.Errorf("%s: body has %d sentences, want 3-8", a.ID, n)
		}
		if n := len(a.Tags); n < 1 || n > 3 {
			t.Errorf("%s: %d tags, want 1-3", a.ID, n)
		}
		if a.Category == "" {
			t.Errorf("%s: no category", a.ID)
		}
		if a.PublishedAt.IsZero() {
			t.Errorf("%s: no published_at", a.ID)
		}
		if len(a.Related) > 0 {
			withRelated++
		}
		for _, r := range a.Related {
			if !c.titles[r] {
				t.Errorf("%s: related title %q names no article", a.ID, r)
			}
			if r == a.Title {
				t.Errorf("%s: lists itself as related", a.ID)
			}
		}
	}
	if withRelated < 10 {
		t.Errorf("%d articles have a related list, want at least 10", withRelated)
	}
}

// knownGroups collects every duplicate group of the suite, as sets.
func knownGroups(s *Suite) [][]string {
	var groups [][]string
	seen := map[string]bool{}
	add := func(gs [][]string) {
		for _, g := range gs {
			g2 := append([]string(nil), g...)
			sort.Strings(g2)
			if k := strings.Join(g2, "\x00"); !seen[k] {
				seen[k] = true
				groups = append(groups, g2)
			}
		}
	}
	for _, j := range s.Judgments {
		add(j.Duplicates)
	}
	for _, d := range s.Drafts {
		add(d.Duplicates)
	}
	return groups
}

// checkList validates one judged list against the catalog and the suite's
// duplicate groups: every key exists; two near-duplicates that are both
// relevant are grouped; a near-duplicate of the source itself is not
// relevant (the reader is already on that article).
func checkList(t *testing.T, c catalog, groups [][]string, name, source string, relevant []string, dups [][]string) {
	t.Helper()
	rel := map[string]bool{}
	for _, k := range relevant {
		rel[k] = true
		if err := c.check(k); err != nil {
			t.Errorf("%s: relevant %v", name, err)
		}
		if source != "" && c.sameArticle(source, k) {
			t.Errorf("%s: relevant %q is the source itself", name, k)
		}
	}
	groupOf := map[string]int{}
	for i, g := range dups {
		for _, k := range g {
			groupOf[k] = i
		}
	}
	for _, g := range groups {
		var in []string
		selfDup := false
		for _, k := range g {
			if rel[k] {
				in = append(in, k)
			}
			if source != "" && c.sameArticle(source, k) {
				selfDup = true
			}
		}
		if selfDup && len(in) > 0 {
			t.Errorf("%s: %v are near-duplicates of the source itself and must not be relevant", name, in)
		}
		for _, k := range in[min(1, len(in)):] {
			if gi, ok := groupOf[k]; !ok || gi != groupOf[in[0]] {
				t.Errorf("%s: near-duplicates %v are relevant but not grouped", name, in)
				break
			}
		}
	}
}

// TestSuiteJudgments checks that every key names an article, the duplicate
// groups are consistent across the suite, and the suite has the size and
// the kinds of cases it promises.
func TestSuiteJudgments(t *testing.T) {
	s := loadTestSuite(t)
	c := loadCatalog(t, s)
	groups := knownGroups(s)
	var empty, fromSeed, titleSources, withDups int
	signalChecked := false
	byID := map[string]int{}
	for i, a := range s.Articles {
		byID[a.ID] = i
	}
	for _, j := range s.Judgments {
		if err := c.check(j.Source); err != nil {
			t.Errorf("source %s: %v", j.Source, err)
		}
		checkList(t, c, groups, j.Source, j.Source, j.Relevant, j.Duplicates)
		if len(j.Relevant) == 0 {
			empty++
		}
		if len(j.Duplicates) > 0 {
			withDups++
		}
		id, title := SplitKey(j.Source)
		if c.pageIDs[id] || c.seedRelated[title] {
			fromSeed++
		}
		if title != "" {
			titleSources++
		}
		// The 相关内容 list is a signal, not the answer: some judged source
		// lists a title that does not belong in its related list.
		if i, ok := byID[id]; ok {
			rel := map[string]bool{}
			for _, k := range j.Relevant {
				rel[k] = true
				if kid, _ := SplitKey(k); kid != "" {
					rel[TitleKey(c.titleOfID[kid])] = true
				}
			}
			for _, r := range s.Articles[i].Related {
				if !rel[TitleKey(r)] {
					signalChecked = true
				}
			}
		}
	}
	for i, d := range s.Drafts {
		checkList(t, c, groups, fmt.Sprintf("draft %d", i+1), "", d.Relevant, d.Duplicates)
	}
	emptyDrafts := 0
	for _, d := range s.Drafts {
		if len(d.Relevant) == 0 {
			emptyDrafts++
		}
	}
	// Both halves hold every kind of case: title-only sources and drafts
	// of one or two sentences (the site's shape), and the rest.
	half := map[string]map[string]int{HalfTune: {}, HalfHeldOut: {}}
	for _, j := range s.Judgments {
		half[j.Half]["sources"]++
		if _, title := SplitKey(j.Source); title != "" {
			half[j.Half]["title-only sources"]++
		}
	}
	for _, d := range s.Drafts {
		half[d.Half]["drafts"]++
		if n := strings.Count(d.Draft.Body, "。") + strings.Count(d.Draft.Body, "？") + strings.Count(d.Draft.Body, "！"); n <= 2 {
			half[d.Half]["drafts of at most two sentences"]++
		}
	}
	for _, h := range []string{HalfTune, HalfHeldOut} {
		for kind, want := range map[string]int{"sources": 35, "title-only sources": 12, "drafts": 15, "drafts of at most two sentences": 8} {
			if got := half[h][kind]; got < want {
				t.Errorf("%s half: %d %s, want at least %d", h, got, kind, want)
			}
		}
	}
	checks := []struct {
		what      string
		got, want int
	}{
		{"judged sources", len(s.Judgments), 25},
		{"judged drafts", len(s.Drafts), 10},
		{"sources with no related content", empty, 3},
		{"drafts with no related content", emptyDrafts, 1},
		{"sources from the bundled corpus", fromSeed, 2},
		{"sources named by title", titleSources, 1},
		{"sources with duplicate groups", withDups, 5},
		{"distinct duplicate groups", len(groups), 5},
	}
	for _, ch := range checks {
		if ch.got < ch.want {
			t.Errorf("%d %s, want at least %d", ch.got, ch.what, ch.want)
		}
	}
	if !signalChecked {
		t.Error("no judged source lists, in its 相关内容, a title that is not relevant to it")
	}
}
