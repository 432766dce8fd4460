// Package relatedeval judges a related-articles engine against a golden,
// hand-judged suite (testdata/related): test articles, judged sources (stored
// articles, named by id or by "title:"+exact title for title-only articles
// whose ids are derived by code) and judged drafts (unsaved text).
//
// A judgment lists the set of articles that belong in a source's related list,
// all of equal grade, and groups of near-duplicates among them of which only
// one should be shown. The measure is precision@k relative to the number of
// relevant articles when fewer than k exist; see PrecisionAtK.
//
// The package depends on the standard library and the root package only, so
// any engine (zhsearch's own or a yardstick) can be judged by the same code.
package relatedeval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/corpus"
)

// TitlePrefix marks a key that names an article by its exact title instead of
// its id: "title:花呗风控解除指南". Title-only articles made from 相关内容
// lists get ids derived by code, so judgments name them this way.
const TitlePrefix = "title:"

// File names of the suite inside its folder.
const (
	ArticlesFile  = "articles.jsonl"
	JudgmentsFile = "judgments.jsonl"
	DraftsFile    = "drafts.jsonl"
)

// TitleKey returns the key naming the article whose title is title.
func TitleKey(title string) string { return TitlePrefix + title }

// SplitKey tells whether key names an article by id or by title and returns
// that id or title (exactly one of the two is non-empty for a valid key).
func SplitKey(key string) (id, title string) {
	if t, ok := strings.CutPrefix(key, TitlePrefix); ok {
		return "", t
	}
	return key, ""
}

// Halves of a suite: every judged list belongs to one. Constants of an
// engine are chosen on the tuning half; the held-out half only reports
// how well the choice carries over.
const (
	HalfTune    = "tune"
	HalfHeldOut = "heldout"
)

// Judgment is the judged related list of one stored source article.
type Judgment struct {
	// Source names the article: its id, or TitlePrefix + its exact title.
	Source string `json:"source"`
	// Relevant is the set of keys (ids or title keys) of the articles that
	// belong in the source's related list, all of equal grade. Empty means the
	// source has no related content at all.
	Relevant []string `json:"relevant"`
	// Duplicates are groups of near-duplicates among Relevant: only the first
	// of each group that a list shows counts, the others are wasted slots.
	Duplicates [][]string `json:"duplicates,omitempty"`
	// Half is HalfTune or HalfHeldOut.
	Half string `json:"half"`
}

// Draft is unsaved article text, as a CMS sends it to POST /api/v1/related.
type Draft struct {
	Title string   `json:"title"`
	Body  string   `json:"body"`
	Tags  []string `json:"tags,omitempty"`
}

// Article returns the draft as the article a RelatedRequest carries.
func (d Draft) Article() *zhsearch.Article {
	return &zhsearch.Article{Title: d.Title, Body: d.Body, Tags: append([]string(nil), d.Tags...)}
}

// DraftJudgment is the judged related list of one draft.
type DraftJudgment struct {
	Draft Draft `json:"draft"`
	// Relevant, Duplicates and Half mean what they mean in Judgment.
	Relevant   []string   `json:"relevant"`
	Duplicates [][]string `json:"duplicates,omitempty"`
	Half       string     `json:"half"`
}

// Suite is a whole judged suite as read from its folder.
type Suite struct {
	Articles  []zhsearch.Article
	Judgments []Judgment
	Drafts    []DraftJudgment
}

// LoadSuite reads ArticlesFile, JudgmentsFile and DraftsFile from dir.
func LoadSuite(dir string) (*Suite, error) {
	var s Suite
	var err error
	if s.Articles, err = LoadArticles(filepath.Join(dir, ArticlesFile)); err != nil {
		return nil, err
	}
	if s.Judgments, err = LoadJudgments(filepath.Join(dir, JudgmentsFile)); err != nil {
		return nil, err
	}
	if s.Drafts, err = LoadDrafts(filepath.Join(dir, DraftsFile)); err != nil {
		return nil, err
	}
	return &s, nil
}

// LineError is bad input at a line of a file, "file:line: message" (the
// article reader's error).
type LineError = corpus.InputError

// eachLine calls fn with every non-blank line of path and its 1-based number;
// an error from fn becomes a *LineError naming the file and the line.
func eachLine(path string, fn func(line []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return scanLines(path, f, fn)
}

func scanLines(name string, r io.Reader, fn func(line []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := fn(line); err != nil {
			return &LineError{Source: corpus.Source{File: name, Line: n}, Msg: err.Error()}
		}
	}
	if err := sc.Err(); err != nil {
		return &LineError{Source: corpus.Source{File: name, Line: n + 1}, Msg: err.Error()}
	}
	return nil
}

// decodeStrict decodes exactly one JSON value into v, refusing unknown fields.
func decodeStrict(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed JSON: %v", err)
	}
	if dec.More() {
		return errors.New("malformed JSON: more than one value on the line")
	}
	return nil
}

// LoadArticles reads one article per line (the data folder's JSONL form,
// corpus.ReadArticles). Every article is validated; a malformed line, an
// invalid article, a bad date or a duplicate id is a *LineError naming the
// file and the line.
func LoadArticles(path string) ([]zhsearch.Article, error) {
	return corpus.ReadArticles(path, false)
}

// judgmentLine holds Relevant as a pointer so a missing "relevant" (a typo)
// is told apart from an explicit empty list.
type judgmentLine struct {
	Source     string     `json:"source"`
	Relevant   *[]string  `json:"relevant"`
	Duplicates [][]string `json:"duplicates"`
	Half       string     `json:"half"`
}

// checkHalf accepts HalfTune and HalfHeldOut.
func checkHalf(h string) error {
	if h != HalfTune && h != HalfHeldOut {
		return fmt.Errorf(`"half" must be %q or %q, not %q`, HalfTune, HalfHeldOut, h)
	}
	return nil
}

// LoadJudgments reads one Judgment per line. A malformed line, a missing
// source or relevant field, a half other than HalfTune or HalfHeldOut, a malformed key, a repeated source or any
// inconsistency between relevant and duplicates (see checkJudged) is an
// error naming the file and the line.
func LoadJudgments(path string) ([]Judgment, error) {
	var out []Judgment
	seen := map[string]bool{}
	err := eachLine(path, func(line []byte) error {
		var in judgmentLine
		if err := decodeStrict(line, &in); err != nil {
			return err
		}
		if err := checkKey(in.Source); err != nil {
			return fmt.Errorf("source: %v", err)
		}
		if seen[in.Source] {
			return fmt.Errorf("source %q is judged twice", in.Source)
		}
		seen[in.Source] = true
		if in.Relevant == nil {
			return errors.New(`"relevant" is required (use [] for a source with no related content)`)
		}
		if err := checkHalf(in.Half); err != nil {
			return err
		}
		j := Judgment{Source: in.Source, Relevant: *in.Relevant, Duplicates: in.Duplicates, Half: in.Half}
		if err := checkJudged(j.Relevant, j.Duplicates); err != nil {
			return err
		}
		for _, k := range j.Relevant {
			if k == j.Source {
				return fmt.Errorf("source %q lists itself as relevant", k)
			}
		}
		out = append(out, j)
		return nil
	})
	return out, err
}

type draftLine struct {
	Draft      *Draft     `json:"draft"`
	Relevant   *[]string  `json:"relevant"`
	Duplicates [][]string `json:"duplicates"`
	Half       string     `json:"half"`
}

// LoadDrafts reads one DraftJudgment per line. A malformed line, a missing
// draft or relevant field, a half other than HalfTune or HalfHeldOut, a draft with neither title nor body, or any
// inconsistency between relevant and duplicates is an error naming the file
// and the line.
func LoadDrafts(path string) ([]DraftJudgment, error) {
	var out []DraftJudgment
	err := eachLine(path, func(line []byte) error {
		var in draftLine
		if err := decodeStrict(line, &in); err != nil {
			return err
		}
		if in.Draft == nil {
			return errors.New(`"draft" is required`)
		}
		if strings.TrimSpace(in.Draft.Title) == "" && strings.TrimSpace(in.Draft.Body) == "" {
			return errors.New("a draft needs a title or a body")
		}
		if in.Relevant == nil {
			return errors.New(`"relevant" is required (use [] for a draft with no related content)`)
		}
		if err := checkHalf(in.Half); err != nil {
			return err
		}
		d := DraftJudgment{Draft: *in.Draft, Relevant: *in.Relevant, Duplicates: in.Duplicates, Half: in.Half}
		if err := checkJudged(d.Relevant, d.Duplicates); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// checkKey accepts an article id or TitlePrefix + a non-blank title.
func checkKey(k string) error {
	id, title := SplitKey(k)
	switch {
	case k == "":
		return errors.New("empty key")
	case id == "" && strings.TrimSpace(title) == "":
		return fmt.Errorf("key %q has an empty title", k)
	case id == "" && title != strings.TrimSpace(title):
		return fmt.Errorf("key %q: title has surrounding spaces", k)
	case id == "" && !utf8.ValidString(title):
		return fmt.Errorf("key %q: title is not valid UTF-8", k)
	case id != "" && !zhsearch.ValidID(id):
		return fmt.Errorf("key %q is neither a valid id nor %q+title", k, TitlePrefix)
	}
	return nil
}

// checkJudged: keys are well formed and listed once; every duplicate group
// has at least two members, all of them in relevant, and no key is in two
// groups.
func checkJudged(relevant []string, dups [][]string) error {
	rel := map[string]bool{}
	for _, k := range relevant {
		if err := checkKey(k); err != nil {
			return fmt.Errorf("relevant: %v", err)
		}
		if rel[k] {
			return fmt.Errorf("relevant: %q is listed twice", k)
		}
		rel[k] = true
	}
	grouped := map[string]bool{}
	for i, g := range dups {
		if len(g) < 2 {
			return fmt.Errorf("duplicates[%d]: a group needs at least two members", i)
		}
		for _, k := range g {
			if !rel[k] {
				return fmt.Errorf("duplicates[%d]: %q is not in relevant", i, k)
			}
			if grouped[k] {
				return fmt.Errorf("duplicates[%d]: %q is in more than one group", i, k)
			}
			grouped[k] = true
		}
	}
	return nil
}
