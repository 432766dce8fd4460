package index

import (
	"context"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/zhsearch/zhsearch"
)

// mappingWithout returns the mapping of generations built before the
// top-level field name was added.
func mappingWithout(name string) func(string) (mapping.IndexMapping, error) {
	return func(dict string) (mapping.IndexMapping, error) {
		im, err := newMapping(dict)
		if err != nil {
			return nil, err
		}
		delete(im.(*mapping.IndexMappingImpl).DefaultMapping.Properties, name)
		return im, nil
	}
}

// TestCurationGenerations: a generation built before the lists' titles
// were indexed whole (related_key) knows it lacks them, and its curation,
// from the titles' words, finds the same evidence as today's for a title
// few lists hold.
func TestCurationGenerations(t *testing.T) {
	articles := []zhsearch.Article{
		{ID: "s", Title: "网贷逾期了怎么办", Body: "网贷逾期以后平台会催收。"},
		{ID: "c", Title: "网贷逾期协商还款技巧", Body: "可以和平台协商还款。"},
		{ID: "p1", Title: "生活百科", Body: "百科", Related: []string{"网贷逾期了怎么办", "网贷逾期协商还款技巧"}},
		{ID: "p2", Title: "理财入门", Body: "理财", Related: []string{"网贷平台有哪些", "网贷逾期了怎么办"}},
		{ID: "p3", Title: "围棋入门", Body: "围棋", Related: []string{"网贷逾期了不还会怎样"}},
	}
	evidence := func(m func(string) (mapping.IndexMapping, error)) (map[string]float64, bool) {
		t.Helper()
		ix := builtIndexWith(t, articles, BuildOptions{mapping: m})
		ix.rel.init() // as Related does
		ev, err := ix.curation(context.Background(), "网贷逾期了怎么办")
		if err != nil {
			t.Fatal(err)
		}
		return ev, mapped(ix.bleve.Mapping(), fRelatedKey)
	}
	older, olderHas := evidence(mappingWithout(fRelatedKey))
	today, todayHas := evidence(newMapping)
	if olderHas || !todayHas {
		t.Fatalf("related_key mapped: older generation %v, today's %v; want false, true", olderHas, todayHas)
	}
	if len(today) == 0 || today["生活百科"] == 0 || today["网贷逾期协商还款技巧"] == 0 {
		t.Errorf("evidence %v: want the listing pages and the titles listed beside the source", today)
	}
	if !reflect.DeepEqual(older, today) {
		t.Errorf("older generation's evidence %v, today's %v: want the same", older, today)
	}
}
