// Command mkmix writes the benchmark request mix (package index/gen/querymix)
// for a generated corpus as three files of URL paths, one request a line,
// for the load tool: search.txt, suggest.txt and related.txt; and a file of
// POST /api/v1/related bodies, one JSON draft a line: drafts.jsonl.
//
// The drafts are the related sources of the mix sent back unsaved, as
// BenchmarkQueries (index/bench_test.go) sends them in-process
// (querymix.Drafts), a full draft and a short one in turn.
//
//	go run ./bench/mkmix --n 100000 --seed 1 --out bench/out/100000
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/gen"
	"github.com/zhsearch/zhsearch/index/gen/querymix"
)

func main() {
	n := flag.Int("n", 10000, "articles in the corpus (as given to zhsearch gen)")
	seed := flag.Int64("seed", 1, "corpus seed (as given to zhsearch gen)")
	reqs := flag.Int("requests", 2000, "requests of each kind")
	out := flag.String("out", ".", "output folder")
	flag.Parse()
	mix, err := querymix.FromCorpus(querymix.Options{Corpus: gen.Options{N: *n, Seed: *seed}, N: *reqs, Seed: 1})
	if err != nil {
		fail(err)
	}
	write := func(name string, items []string, path func(string) string) {
		f, err := os.Create(filepath.Join(*out, name))
		if err != nil {
			fail(err)
		}
		w := bufio.NewWriter(f)
		for _, it := range items {
			fmt.Fprintln(w, path(it))
		}
		if err := w.Flush(); err != nil {
			fail(err)
		}
		if err := f.Close(); err != nil {
			fail(err)
		}
	}
	write("search.txt", mix.Search, func(q string) string { return "/api/v1/search?size=10&q=" + url.QueryEscape(q) })
	write("suggest.txt", mix.Suggest, func(q string) string { return "/api/v1/suggest?size=8&q=" + url.QueryEscape(q) })
	write("related.txt", mix.Related, func(id string) string { return "/api/v1/articles/" + url.PathEscape(id) + "/related?size=5" })
	drafts, err := draftBodies(gen.Options{N: *n, Seed: *seed}, mix.Related)
	if err != nil {
		fail(err)
	}
	write("drafts.jsonl", drafts, func(body string) string { return body })
}

// draft is the JSON body of POST /api/v1/related.
type draft struct {
	Title string   `json:"title"`
	Body  string   `json:"body,omitempty"`
	Tags  []string `json:"tags,omitempty"`
	Size  int      `json:"size"`
}

// draftBodies returns a draft for each of ids, articles of the corpus:
// full and short in turn (see the package comment). Only the articles
// named are kept while the corpus is generated again.
func draftBodies(corpus gen.Options, ids []string) ([]string, error) {
	want := map[string]*zhsearch.Article{}
	for _, id := range ids {
		want[id] = nil
	}
	err := gen.Generate(corpus, func(a zhsearch.Article) error {
		if _, ok := want[a.ID]; ok {
			want[a.ID] = &a
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ids))
	for i, id := range ids {
		a, next := want[id], want[ids[(i+1)%len(ids)]]
		if a == nil || next == nil {
			return nil, fmt.Errorf("mix names %s, which the corpus does not hold", id)
		}
		full, short := querymix.Drafts(*a, *next)
		d := short
		if i%2 == 0 {
			d = full
		}
		b, err := json.Marshal(draft{Title: d.Title, Body: d.Body, Tags: d.Tags, Size: 5})
		if err != nil {
			return nil, err
		}
		out = append(out, string(b))
	}
	return out, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkmix:", err)
	os.Exit(1)
}
