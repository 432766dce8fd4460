// Command mkmix writes the benchmark request mix (package index/gen/querymix)
// for a generated corpus as three files of URL paths, one request a line,
// for the load tool: search.txt, suggest.txt and related.txt.
//
//	go run ./bench/mkmix --n 100000 --seed 1 --out bench/out/100000
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

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
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkmix:", err)
	os.Exit(1)
}
