package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
	"github.com/zhsearch/zhsearch/index/relevance"
)

// rerankWindow is one judged query's reranked window: its strict and its
// relaxed hits in the engine's order.
type rerankWindow struct {
	query  relevance.Query
	aq     analyzedQuery
	groups []search.DocumentMatchCollection
}

// TestRerankTuning shows how the rerank's weights were chosen and lets
// them be chosen again when the readers' questions grow: over every judged
// query of testdata/questions that search reranks, the NDCG@10 of each
// half with the engine's order alone, with the chosen weights, with each
// signal alone, with each weight halved and doubled, and with the weights
// a coordinate ascent on the tuning half reaches from the chosen ones.
// Choose on the tuning half; the held-out half only reports. Run it with
//
//	ZHSEARCH_RERANK_TUNE=1 go test -run TestRerankTuning -v ./index/
func TestRerankTuning(t *testing.T) {
	if os.Getenv("ZHSEARCH_RERANK_TUNE") == "" {
		t.Skip("set ZHSEARCH_RERANK_TUNE=1 to print the rerank's tuning grid")
	}
	windows := judgedWindows(t)
	score := func(w rerankWeights) (tune, heldOut float64) {
		return rerankNDCG(windows, w, relevance.HalfTune), rerankNDCG(windows, w, relevance.HalfHeldout)
	}
	var b strings.Builder
	line := func(name string, w rerankWeights) {
		tune, held := score(w)
		fmt.Fprintf(&b, "%-34s %5.2f %5.2f %5.2f %5.2f %5.2f %5.2f %5.2f   %.4f  %.4f\n", name, w.precision, w.recall, w.intent, w.partial, w.chars, w.foreign, w.ask, tune, held)
	}
	fmt.Fprintf(&b, "%d reranked queries; weights precision, recall, intent (the engine's order 1), recall's partial credit, character precision, another subject's lead, the asking clause's words in recall; NDCG@10 tune, held-out\n", len(windows))
	chosen := chosenRerank()
	with := func(change func(w *rerankWeights)) rerankWeights {
		w := chosen
		change(&w)
		return w
	}
	line("engine's order", rerankWeights{})
	line("chosen", chosen)
	line("precision alone", rerankWeights{precision: chosen.precision})
	line("recall alone", rerankWeights{recall: chosen.recall, partial: chosen.partial, chars: chosen.chars})
	line("intent alone", rerankWeights{intent: chosen.intent})
	line("character precision alone", rerankWeights{chars: chosen.chars})
	line("another subject's lead alone", rerankWeights{foreign: chosen.foreign})
	for _, f := range []float64{0.5, 2} {
		line(fmt.Sprintf("all × %.1f", f), with(func(w *rerankWeights) {
			w.precision *= f
			w.recall *= f
			w.intent *= f
			w.chars *= f
			w.foreign *= f
		}))
		line(fmt.Sprintf("precision × %.1f", f), with(func(w *rerankWeights) { w.precision *= f }))
		line(fmt.Sprintf("recall × %.1f", f), with(func(w *rerankWeights) { w.recall *= f }))
		line(fmt.Sprintf("intent × %.1f", f), with(func(w *rerankWeights) { w.intent *= f }))
		line(fmt.Sprintf("partial × %.1f", f), with(func(w *rerankWeights) { w.partial *= f }))
		line(fmt.Sprintf("characters × %.1f", f), with(func(w *rerankWeights) { w.chars *= f }))
		line(fmt.Sprintf("another subject's lead × %.1f", f), with(func(w *rerankWeights) { w.foreign *= f }))
	}
	line("the asking clause × 1.5", with(func(w *rerankWeights) { w.ask *= 1.5 }))
	line("no character precision", with(func(w *rerankWeights) { w.chars = 0 }))
	line("no partial credit", with(func(w *rerankWeights) { w.partial = 0 }))
	line("no lead of another subject", with(func(w *rerankWeights) { w.foreign = 0 }))
	line("no weight of the asking clause", with(func(w *rerankWeights) { w.ask = 1 }))
	line("coordinate ascent from chosen", ascend(chosen, func(w rerankWeights) float64 {
		return rerankNDCG(windows, w, relevance.HalfTune)
	}))
	t.Logf("rerank tuning grid:\n%s", b.String())
}

// questionsIndex builds the index of the readers' questions' corpus
// (testdata/questions): the data folder's seed page and the suite's own
// articles.
func questionsIndex(t *testing.T) *Index {
	t.Helper()
	c, err := corpus.Load(filepath.Join("..", "data"), analysis.Normalize)
	if err != nil {
		t.Fatal(err)
	}
	own, err := relevance.LoadArticles(filepath.Join("..", "testdata", "questions", "articles.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return builtIndex(t, append(c.Articles, own...))
}

// judgedWindows builds the readers' questions' index and returns the
// reranked window of every judged query that search reranks.
func judgedWindows(t *testing.T) []rerankWindow {
	t.Helper()
	queries, err := relevance.LoadQueries(filepath.Join("..", "testdata", "questions", "queries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ix := questionsIndex(t)
	ctx := context.Background()
	var out []rerankWindow
	for _, q := range queries {
		if q.Kind == relevance.KindNone {
			continue
		}
		aq := ix.analyze(q.Query)
		bq, err := ix.searchQuery(ctx, &aq)
		if err != nil {
			t.Fatal(err)
		}
		if !reranks(&aq) {
			continue
		}
		window, strict, err := ix.relaxedPage(ctx, &aq, bq, 1, depthOf(&aq))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rerankWindow{query: q, aq: aq,
			groups: []search.DocumentMatchCollection{window.Hits[:strict], window.Hits[strict:]}})
	}
	return out
}

// rerankNDCG is the mean NDCG@10 of the windows of one half reranked with
// w.
func rerankNDCG(windows []rerankWindow, w rerankWeights, half string) float64 {
	sum, n := 0.0, 0
	for _, win := range windows {
		if win.query.Half != half {
			continue
		}
		m := newTitleModel(&win.aq, w)
		var docs []relevance.Doc
		for _, g := range win.groups {
			hits := make(search.DocumentMatchCollection, len(g))
			for i, h := range g {
				c := *h // rerank moves hits and their scores: work on copies
				hits[i] = &c
			}
			m.rerank(hits)
			for _, h := range hits {
				title, _ := h.Fields[fTitle].(string)
				docs = append(docs, relevance.Doc{ID: h.ID, Title: title})
			}
		}
		sum += relevance.NDCG(docs, win.query.Judgments, 10)
		n++
	}
	return sum / float64(max(n, 1))
}

// ascend is a coordinate ascent (Metzler and Croft 2007) over a grid of
// weights from start, maximizing score.
func ascend(start rerankWeights, score func(rerankWeights) float64) rerankWeights {
	grid := []float64{0, 0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32}
	partials := []float64{0, 0.25, 0.5, 0.75, 1}
	asks := []float64{1, 1.1, 1.25, 1.5, 2}
	best, bestScore := start, score(start)
	for round := 0; round < 3; round++ {
		for field := 0; field < 7; field++ {
			values := grid
			switch field {
			case 3:
				values = partials
			case 6:
				values = asks
			}
			for _, v := range values {
				try := best
				switch field {
				case 0:
					try.precision = v
				case 1:
					try.recall = v
				case 2:
					try.intent = v
				case 3:
					try.partial = v
				case 4:
					try.chars = v
				case 5:
					try.foreign = v
				default:
					try.ask = v
				}
				if s := score(try); s > bestScore+1e-9 {
					best, bestScore = try, s
				}
			}
		}
	}
	return best
}
