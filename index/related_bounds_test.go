package index

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/zhsearch/zhsearch/index/analysis"
)

// TestCachesKeepNoDraftText: the related engine's caches keep copies of
// the words and titles they file, never a slice of the longer text a word
// was cut from (a draft's whole body), which would stay in memory with
// every entry: 23,000 one-word drafts of 10,000 characters took the heap
// from 129 to 848 MB.
func TestCachesKeepNoDraftText(t *testing.T) {
	body := strings.Repeat("的", 10000) + "花呗逾期"
	word := body[len(body)-len("花呗逾期"):]
	within := func(s string) bool {
		p, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(body)))
		return p >= start && p < start+uintptr(len(body))
	}
	if !within(word) {
		t.Fatal("the word is not a slice of the body; the test proves nothing")
	}
	var df dfCache
	df.put(word, termCounts{1, 2, 0})
	for k := range df.m {
		if within(k) {
			t.Error("dfCache keeps a slice of the draft's body as its key")
		}
	}
	var titles titleCache
	titles.put(word, []titleWord{{text: word[:len("花呗")], weight: 1}})
	for k, ws := range titles.m {
		if within(k) || within(ws[0].text) {
			t.Error("titleCache keeps a slice of the draft's body")
		}
	}
}

// TestDraftWordsBounded: a draft brings at most maxDraftLookups words to
// the frequency lookups, its title's words always among them, then the
// body words it repeats most that general text uses least.
func TestDraftWordsBounded(t *testing.T) {
	ix := &Index{seg: analysis.DefaultSegmenter()}
	words := map[string]*sourceWord{
		"花呗": {tf: 3, inTitle: true},
		"逾期": {tf: 3, inTitle: true},
	}
	for i := range 2 * maxDraftLookups {
		words[fmt.Sprintf("词%04d", i)] = &sourceWord{tf: float64(i)}
	}
	ix.pruneDraftWords(words, maxDraftLookups)
	if len(words) != maxDraftLookups {
		t.Errorf("%d words kept, want %d", len(words), maxDraftLookups)
	}
	for _, w := range []string{"花呗", "逾期", fmt.Sprintf("词%04d", 2*maxDraftLookups-1)} {
		if words[w] == nil {
			t.Errorf("%s dropped: the title's words and the body's most frequent stay", w)
		}
	}
	if words["词0000"] != nil {
		t.Error("the least frequent body word kept")
	}
}
