package index

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zhsearch/zhsearch/index/analysis"
)

// indexEach is what needleSet.each must find, needle by needle with
// strings.Index: every match of each needle, left to right, not
// overlapping the needle's previous one, at Latin word edges only.
func indexEach(s string, needles []string) []span {
	var out []span
	for _, needle := range needles {
		if needle == "" {
			continue
		}
		for i := 0; ; {
			j := strings.Index(s[i:], needle)
			if j < 0 {
				break
			}
			start := i + j
			if !atWordEdges(s, start, start+len(needle)) {
				_, size := utf8.DecodeRuneInString(s[start:])
				i = start + size
				continue
			}
			out = append(out, span{start, start + len(needle)})
			i = start + len(needle)
		}
	}
	sortSpans(out)
	return out
}

// indexFirst is what needleSet.first must find: the earliest start of
// any needle, -1 for none.
func indexFirst(s string, needles []string) int {
	first := -1
	for _, n := range needles {
		if i := strings.Index(s, n); n != "" && i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	return first
}

func sortSpans(spans []span) {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end < spans[j].end
	})
}

// TestNeedleSetFindsWhatIndexFinds: the one-pass search finds every match
// that searching for each needle with strings.Index finds, and no other:
// overlapping needles, a needle repeated back to back, Latin word edges,
// needles sharing a first character, invalid UTF-8, and the seed page's
// lines for the needles of real queries.
func TestNeedleSetFindsWhatIndexFinds(t *testing.T) {
	cases := []struct {
		text    string
		needles []string
	}{
		{"花呗逾期了花呗还能用吗", []string{"花呗逾期", "花呗", "呗逾", "逾期"}},
		{"哈哈哈哈哈", []string{"哈哈"}},
		{"手机id贷和Android手机", []string{"id贷", "id", "手机"}},
		{"iPhone14和iphone 14", []string{"iphone", "14"}},
		{"mate60 mate 60 mate600", []string{"mate", "60", "mate60"}},
		{"借呗借钱借款", []string{"借呗", "借钱", "借款", "借"}},
		{"坏\xe8字节\xff花呗", []string{"花呗", "字节", "\xe8字"}},
		{"", []string{"花呗"}},
		{"花呗", nil},
		{"花呗", []string{""}},
		{"没有匹配", []string{"花呗", "征信"}},
	}
	page, err := os.ReadFile("../data/000_6fe797c5a744a779.txt")
	if err != nil {
		t.Fatal(err)
	}
	ix := &Index{seg: analysis.DefaultSegmenter()}
	for _, q := range []string{"花呗协商还款", "网贷逾期三天", "信用卡还不上怎么办", "iphone13租机", "京东e卡回收"} {
		aq := ix.analyze(q)
		h := newHighlighter(&aq)
		for _, line := range strings.Split(string(page), "\n") {
			cases = append(cases, struct {
				text    string
				needles []string
			}{line, h.needles}, struct {
				text    string
				needles []string
			}{line, h.pairs})
		}
	}
	matched := 0
	for _, c := range cases {
		s := newNeedleSet(c.needles)
		var got []span
		s.each(c.text, func(start, end int) { got = append(got, span{start, end}) })
		sortSpans(got)
		if want := indexEach(c.text, c.needles); !reflect.DeepEqual(got, want) {
			t.Errorf("%q in %.60q: each found %v, strings.Index %v", c.needles, c.text, got, want)
		}
		if got, want := s.first(c.text), indexFirst(c.text, c.needles); got != want {
			t.Errorf("%q in %.60q: first at %d, strings.Index at %d", c.needles, c.text, got, want)
		}
		if len(got) > 0 {
			matched++
		}
	}
	if matched < 50 {
		t.Fatalf("only %d texts held a needle: the comparison says little", matched)
	}
}
