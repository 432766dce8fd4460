package analysis

import (
	"reflect"
	"testing"
)

// recutTexts are texts whose cuts Recut must give back: nested dictionary
// words (花呗协商还款), pieces the dictionary lacks (秒拒), Latin, digits,
// separators, traditional characters and full-width forms.
var recutTexts = []string{
	"花呗协商还款对征信的影响",
	"中华人民共和国个人信用信息基础数据库",
	"网贷总是被秒拒，断供了怎么办话术",
	"iPhone 15 Pro Max 租机 12 期 月供 599 元",
	"ＩＤ貸手機被鎖了怎麼辦",
	"  花呗   借呗  ",
	"京东E卡回收一般几折？2024年最新",
	"",
}

// TestRecut: the stored form of a text's cut gives the cut back, and a
// stored form that is not that text's (another text, another version, torn)
// is refused.
func TestRecut(t *testing.T) {
	seg := DefaultSegmenter()
	for _, text := range recutTexts {
		norm := Normalize(text)
		want := seg.Cut(norm, true)
		got, ok := seg.Recut(norm, StoreCut(norm, want))
		if !ok {
			t.Errorf("Recut(%q) refused its own stored cut", norm)
			continue
		}
		if len(want) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Recut(%q) =\n%v\nwant\n%v", norm, got, want)
		}
	}
	norm := Normalize(recutTexts[0])
	stored := StoreCut(norm, seg.Cut(norm, true))
	for name, c := range map[string]struct{ norm, stored string }{
		"nothing stored":      {norm, ""},
		"another text":        {Normalize("花呗协商还款对信用的影响"), stored},
		"torn":                {norm, stored[:len(stored)-1]},
		"another version":     {norm, "\x02" + stored[1:]},
		"a word past the end": {norm, stored + "\x00\x7f"},
	} {
		if words, ok := seg.Recut(c.norm, c.stored); ok {
			t.Errorf("%s: Recut accepted it: %v", name, words)
		}
	}
}

// FuzzRecut: for any text, Recut of its stored cut is its cut.
func FuzzRecut(f *testing.F) {
	for _, text := range recutTexts {
		f.Add(text)
	}
	seg := DefaultSegmenter()
	f.Fuzz(func(t *testing.T, text string) {
		norm := Normalize(text)
		want := seg.Cut(norm, true)
		got, ok := seg.Recut(norm, StoreCut(norm, want))
		if !ok || len(got) != len(want) || len(want) > 0 && !reflect.DeepEqual(got, want) {
			t.Fatalf("Recut(%q) = %v, %v; want %v", norm, got, ok, want)
		}
	})
}
