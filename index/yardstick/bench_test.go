package yardstick

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zhsearch/zhsearch"
)

func TestTitleAndSuggest(t *testing.T) {
	arts := []zhsearch.Article{
		{ID: "a", Title: "花呗风控解除指南"},
		{ID: "b", Title: "京东E卡回收"},
		{ID: "c", Title: "花呗额度"},
	}
	ix, err := Build(filepath.Join(t.TempDir(), "y"), arts, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	if got, err := ix.Title(ctx, "b"); err != nil || got != "京东E卡回收" {
		t.Errorf("Title(b) = %q, %v", got, err)
	}
	if got, err := ix.Title(ctx, "nope"); err != nil || got != "" {
		t.Errorf("Title(nope) = %q, %v", got, err)
	}
	hits, err := ix.Suggest(ctx, "花呗", 8)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, h := range hits {
		ids[h.ID] = true
	}
	if len(hits) != 2 || !ids["a"] || !ids["c"] {
		t.Errorf("Suggest(花呗) = %v, want a and c", hits)
	}
}
