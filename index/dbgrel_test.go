package index_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/relatedeval"
)

func TestDbgRelated(t *testing.T) {
	f := loadRelatedSuite(t)
	ctx := context.Background()
	for _, j := range f.suite.Judgments {
		if j.Half != "tune" {
			continue
		}
		id, title := relatedeval.SplitKey(j.Source)
		if title == "" {
			continue
		}
		id = f.sourceID(t, j.Source)
		res, err := f.ix.Related(ctx, zhsearch.RelatedRequest{ID: id, Size: 5})
		if err != nil {
			t.Fatal(err)
		}
		docs := relatedeval.DocsFromItems(res.Related)
		p := relatedeval.PrecisionAtK(docs, j.Relevant, j.Duplicates, 5)
		if p >= 1 {
			continue
		}
		fmt.Printf("\n== %.2f %s\n", p, j.Source)
		for _, it := range res.Related {
			mark := " "
			if slices.Contains(j.Relevant, it.ID) || slices.Contains(j.Relevant, "title:"+it.Title) {
				mark = "+"
			}
			fmt.Printf("  %s %.3f %-10s %s\n", mark, it.Score, it.Reason, it.Title)
		}
		fmt.Printf("  relevant:")
		for _, r := range j.Relevant {
			_, tt := relatedeval.SplitKey(r)
			if tt == "" {
				for _, a := range f.articles {
					if a.ID == r {
						tt = a.Title
					}
				}
			}
			fmt.Printf(" %s;", tt)
		}
		fmt.Println()
	}
}
