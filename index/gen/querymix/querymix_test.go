package querymix

import (
	"reflect"
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch/index/gen"
)

func TestFromCorpusDeterministicAndDrawnFromTitles(t *testing.T) {
	opts := Options{Corpus: gen.Options{N: 300, Seed: 3}, N: 50, Seed: 9}
	a, err := FromCorpus(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FromCorpus(opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same options gave different mixes")
	}
	if len(a.Search) != 50 || len(a.Suggest) != 50 || len(a.Related) != 50 {
		t.Fatalf("sizes %d/%d/%d, want 50 each", len(a.Search), len(a.Suggest), len(a.Related))
	}
	for _, q := range a.Search {
		if strings.TrimSpace(q) == "" {
			t.Errorf("empty search query")
		}
	}
	for _, q := range a.Suggest {
		if n := len([]rune(q)); n < 1 || n > 4 {
			t.Errorf("suggest prefix %q has %d characters, want 1-4", q, n)
		}
	}
	for _, id := range a.Related {
		if !strings.HasPrefix(id, "g") {
			t.Errorf("related id %q is not a generated article id", id)
		}
	}
	c, err := FromCorpus(Options{Corpus: gen.Options{N: 300, Seed: 3}, N: 50, Seed: 10})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Search, c.Search) {
		t.Error("another seed gave the same search queries")
	}
}
