package index

import (
	"strings"
	"testing"
	"unsafe"
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
