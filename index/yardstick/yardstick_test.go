package yardstick

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/zhsearch/zhsearch"
)

func TestYardstickFindsBigramsAndMissesVariants(t *testing.T) {
	arts := []zhsearch.Article{
		{ID: "a", Title: "花呗风控解除指南"},
		{ID: "b", Title: "京东E卡回收"},
		{ID: "c", Title: "征信修复"},
	}
	ix, err := Build(filepath.Join(t.TempDir(), "y"), arts, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	hits, _, err := ix.Search(ctx, "花呗风控", 10)
	if err != nil || len(hits) == 0 || hits[0].ID != "a" {
		t.Fatalf("花呗风控: %v %v", hits, err)
	}
	// The yardstick has no traditional→simplified folding: that is one gap
	// zhsearch exists to close.
	if hits, _, _ := ix.Search(ctx, "花唄", 10); len(hits) != 0 {
		t.Errorf("花唄 found %v", hits)
	}
	rel, err := ix.Related(ctx, "a", "花呗风控解除指南", 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range rel {
		if h.ID == "a" {
			t.Error("related holds the article itself")
		}
	}
}
