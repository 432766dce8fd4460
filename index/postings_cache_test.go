package index

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/zhsearch/zhsearch"
)

// TestPartCursorMatchesWalk checks the cursor over decoded lists against a
// plain walk of the same postings: segments one after the other, deleted
// documents left out, and every advance landing on the first live posting
// at or after its target.
func TestPartCursorMatchesWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var parts []listPart
		var live []uint64 // the snapshot's numbers of the live postings
		var offset uint64
		for range 1 + rng.IntN(4) {
			size := uint64(1 + rng.IntN(300))
			d := &decodedList{}
			deleted := roaring.New()
			for doc := range size {
				if rng.IntN(3) == 0 {
					d.docs = append(d.docs, uint32(doc))
					d.fn = append(d.fn, freqNorm{1, 1})
					if rng.IntN(4) == 0 {
						deleted.Add(uint32(doc))
					} else {
						live = append(live, offset+doc)
					}
				}
			}
			if len(d.docs) > 0 {
				p := listPart{list: d, offset: offset}
				if !deleted.IsEmpty() {
					p.deleted = deleted
				}
				parts = append(parts, p)
			}
			offset += size
		}
		// Walking with next.
		c := partCursor{parts: parts}
		c.settle()
		var walked []uint64
		for doc := c.doc(); doc != docDone; doc = c.doc() {
			walked = append(walked, doc)
			c.next()
		}
		if !slices.Equal(walked, live) {
			t.Fatalf("round %d: next walks %v, want %v", round, walked, live)
		}
		// Advancing to increasing targets, some on postings, some between.
		c = partCursor{parts: parts}
		c.settle()
		for target := uint64(0); target <= offset+1; target += uint64(1 + rng.IntN(40)) {
			c.advance(target)
			want := uint64(docDone)
			if i, _ := slices.BinarySearch(live, target); i < len(live) {
				want = live[i]
			}
			if got := c.doc(); got != want {
				t.Fatalf("round %d: advance(%d) = %d, want %d", round, target, got, want)
			}
		}
	}
}

// TestPostingsCacheBudget checks the cache's memory bound: the least
// recently used lists go first, a list too big to share is not kept, and
// a smaller budget or none at all takes effect at once.
func TestPostingsCacheBudget(t *testing.T) {
	list := func(n int) *decodedList {
		return &decodedList{docs: make([]uint32, n), fn: make([]freqNorm, n)}
	}
	key := func(term string) postingsKey { return postingsKey{segment: 1, termKey: termKey{fTitle, term}} }
	one := list(100).bytes()
	c := &postingsCache{limit: 4*one + one/2} // room for four lists
	for _, term := range []string{"a", "b", "c", "d"} {
		c.put(key(term), list(100))
	}
	if _, ok := c.get(key("a")); !ok { // a is now the most recent
		t.Fatal("a not kept within the budget")
	}
	c.put(key("e"), list(100)) // pushes out b, the least recent
	for term, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true, "e": true} {
		if _, ok := c.get(key(term)); ok != want {
			t.Errorf("after a fifth list: %s kept = %v, want %v", term, ok, want)
		}
	}
	if c.used > c.limit {
		t.Errorf("%d bytes used, budget %d", c.used, c.limit)
	}
	c.put(key("big"), list(200)) // more than a quarter of the budget
	if _, ok := c.get(key("big")); ok {
		t.Error("a list of more than a quarter of the budget was kept")
	}
	c.resize(2*one + one/2)
	if n := c.lists; n != 2 || c.used > c.limit {
		t.Errorf("after shrinking to two lists: %d lists, %d bytes", n, c.used)
	}
	c.resize(-1)
	c.put(key("f"), list(1))
	if _, ok := c.get(key("f")); ok || c.lists != 0 || len(c.entries) != 0 {
		t.Errorf("cache off: %d lists kept", c.lists)
	}
}

// TestPostingsCacheByTerm: a term's lists in several segments are looked
// up at once, each segment's own, and a list pushed out is gone from its
// term's lookups while the term's others stay.
func TestPostingsCacheByTerm(t *testing.T) {
	list := func(n int) *decodedList {
		return &decodedList{docs: make([]uint32, n), fn: make([]freqNorm, n)}
	}
	one := list(10).bytes()
	c := &postingsCache{limit: 4*one + one/2} // room for four lists
	segs := []snapSegment{{id: 7}, {id: 8}, {id: 9}}
	huabei, zhengxin := termKey{fTitle, "花呗"}, termKey{fTitle, "征信"}
	want := map[postingsKey]*decodedList{}
	for _, k := range []postingsKey{{7, huabei}, {9, huabei}, {8, zhengxin}} {
		want[k] = list(10)
		c.put(k, want[k])
	}
	got := make([]*decodedList, len(segs))
	c.lookupTerm(huabei, segs, true, got)
	if !reflect.DeepEqual(got, []*decodedList{want[postingsKey{7, huabei}], nil, want[postingsKey{9, huabei}]}) ||
		got[0] == got[2] {
		t.Errorf("花呗 by segment: %v", got)
	}
	if h, m := c.hits.Load(), c.misses.Load(); h != 2 || m != 1 {
		t.Errorf("hits %d, misses %d: want 2 and 1", h, m)
	}
	// Two more lists push out the least recently used: 征信's, then 花呗's
	// in segment 7 (looked up before segment 9's).
	c.put(postingsKey{8, huabei}, list(10))
	c.put(postingsKey{8, termKey{fBody, "花呗"}}, list(10))
	c.put(postingsKey{9, termKey{fBody, "花呗"}}, list(10))
	c.lookupTerm(huabei, segs, false, got)
	if got[0] != nil || got[1] == nil || got[2] != want[postingsKey{9, huabei}] {
		t.Errorf("花呗 after two pushed out: %v", got)
	}
	c.lookupTerm(zhengxin, segs, false, got)
	if got[0] != nil || got[1] != nil || got[2] != nil {
		t.Errorf("征信 after it was pushed out: %v", got)
	}
	if c.lists != 4 || len(c.entries) != 2 {
		t.Errorf("%d lists under %d terms, want 4 under 2", c.lists, len(c.entries))
	}
}

// TestWindowBounds: a long list keeps, for each block of documents, a
// float32 at least as large as every score factor in it (0 where it has
// no posting); a list too sparse for its blocks keeps them folded by
// 1<<foldBits, and one too sparse for those keeps none.
func TestWindowBounds(t *testing.T) {
	tests := []struct {
		name  string
		docs  []uint32
		freq  []uint32
		norm  []float32
		shift uint8
		want  []float32 // nil: no window bounds kept
		// wantShift is the shift of the bounds kept: shift, or
		// shift+foldBits when folded.
		wantShift uint8
	}{
		{"dense", []uint32{0, 1, 2, 9, 10, 11}, []uint32{1, 4, 1, 1, 1, 9}, []float32{0.5, 0.5, 1, 0.25, 0.2, 0.1}, 2,
			[]float32{1, 0, 0.30000001}, 2},
		{"folded", []uint32{0, 5, 17, 30}, []uint32{1, 4, 1, 1}, []float32{1, 0.5, 0.5, 0.25}, 0,
			[]float32{1, 0.5}, foldBits},
		{"sparse", []uint32{0, 100}, []uint32{1, 1}, []float32{1, 1}, 2, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &decodedList{docs: tt.docs}
			for j := range d.docs {
				d.fn = append(d.fn, freqNorm{tt.freq[j], tt.norm[j]})
				d.window(j, impact(tt.freq[j], tt.norm[j]), tt.shift)
			}
			d.keepWindows(tt.shift)
			if !reflect.DeepEqual(d.windowMax, tt.want) || d.shift != tt.wantShift {
				t.Errorf("window bounds %v by shift %d, want %v by %d", d.windowMax, d.shift, tt.want, tt.wantShift)
			}
			for j, doc := range d.docs {
				if d.windowMax != nil && float64(d.windowMax[doc>>d.shift]) < impact(tt.freq[j], tt.norm[j]) {
					t.Errorf("posting %d: bound %v below its score factor %v", doc, d.windowMax[doc>>d.shift], impact(tt.freq[j], tt.norm[j]))
				}
			}
		})
	}
}

// TestPostingsCacheAdmits: a list is decoded on its second read, not its
// first; with no budget never; and the memory of lists read once is
// bounded.
func TestPostingsCacheAdmits(t *testing.T) {
	k := postingsKey{segment: 1, termKey: termKey{fTitle, "花呗"}}
	var c postingsCache
	if c.admit(k) {
		t.Error("first read: admitted")
	}
	if !c.admit(k) {
		t.Error("second read: not admitted")
	}
	if c.admit(k) {
		t.Error("admitted again without a read in between: the first admission should have been forgotten")
	}
	for i := range maxSeen + 1 {
		c.admit(postingsKey{segment: uint64(i + 2), termKey: termKey{fTitle, "x"}})
	}
	if len(c.seen) > maxSeen {
		t.Errorf("%d lists remembered, at most %d", len(c.seen), maxSeen)
	}
	off := postingsCache{limit: -1}
	off.admit(k)
	if off.admit(k) {
		t.Error("no budget: admitted")
	}
}

// TestAutoPostingsCacheBytes: by default the budget for decoded postings
// grows with the index, between a floor and a ceiling; a budget set by
// hand, or none, wins over it.
func TestAutoPostingsCacheBytes(t *testing.T) {
	for _, tt := range []struct {
		articles uint64
		want     int64
	}{
		{0, DefaultPostingsCacheBytes},
		{60_000, DefaultPostingsCacheBytes},
		{100_000, DefaultPostingsCacheBytes},
		{200_000, 200_000 * postingsBytesPerArticle},     // about 256 MiB
		{1_000_000, 1_000_000 * postingsBytesPerArticle}, // about 1.25 GiB
		{50_000_000, 2 << 30},
	} {
		if got := AutoPostingsCacheBytes(tt.articles); got != tt.want {
			t.Errorf("AutoPostingsCacheBytes(%d) = %d, want %d", tt.articles, got, tt.want)
		}
	}

	ix := builtIndex(t, []zhsearch.Article{{ID: "a", Title: "花呗逾期三天会上征信吗"}})
	budget := func() int64 { t.Helper(); return ix.PostingsCacheStats().Budget }
	if got := budget(); got != DefaultPostingsCacheBytes {
		t.Errorf("budget of a one-article index = %d, want the floor %d", got, DefaultPostingsCacheBytes)
	}
	ix.postings.auto = AutoPostingsCacheBytes(1_000_000) // as Open sets it for 1M articles
	if got := budget(); got != AutoPostingsCacheBytes(1_000_000) {
		t.Errorf("budget by the index's size = %d, want %d", got, AutoPostingsCacheBytes(1_000_000))
	}
	ix.SetPostingsCacheBytes(64 << 20)
	if got := budget(); got != 64<<20 {
		t.Errorf("budget set to 64 MiB = %d", got)
	}
	ix.SetPostingsCacheBytes(-1)
	if got := budget(); got >= 0 {
		t.Errorf("budget turned off = %d, want negative", got)
	}
	ix.SetPostingsCacheBytes(0)
	if got := budget(); got != AutoPostingsCacheBytes(1_000_000) {
		t.Errorf("budget back to the default = %d, want %d", got, AutoPostingsCacheBytes(1_000_000))
	}
}

// TestImpactIsExact: the table of square roots gives the very value
// math.Sqrt does, so the evaluator's scores stay bleve's to the last bit.
func TestImpactIsExact(t *testing.T) {
	for freq := uint32(0); freq < 200; freq++ {
		for _, norm := range []float32{1, 0.5, 0.35355338, 0.1} {
			if got, want := impact(freq, norm), math.Sqrt(float64(freq))*float64(norm); got != want {
				t.Errorf("impact(%d, %v) = %v, want %v", freq, norm, got, want)
			}
		}
	}
}
