package analysis

import (
	"reflect"
	"testing"
)

// recutTexts are texts whose cuts Recut must give back: nested dictionary
// words (花呗协商还款), pieces the dictionary lacks (秒拒), Latin, digits,
// model names whose letters and digits are pieces too (mate60),
// separators, traditional characters and full-width forms.
var recutTexts = []string{
	"花呗协商还款对征信的影响",
	"中华人民共和国个人信用信息基础数据库",
	"网贷总是被秒拒，断供了怎么办话术",
	"iPhone 15 Pro Max 租机 12 期 月供 599 元",
	"ＩＤ貸手機被鎖了怎麼辦",
	"  花呗   借呗  ",
	"京东E卡回收一般几折？2024年最新",
	"华为Mate60和iPhone14租机，vivo X100 4s店 p2p",
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

// TestCodeParts: a model name or code written as one word splits into its
// letters and its digits, and Cut gives its letters after it as a piece;
// other words have none.
func TestCodeParts(t *testing.T) {
	tests := []struct {
		word string
		want []string
	}{
		{"iphone14", []string{"iphone", "14"}},
		{"x100", []string{"x", "100"}},
		{"4s", []string{"4", "s"}},
		{"p2p", []string{"p", "2", "p"}},
		{"iphone", nil},
		{"2024", nil},
		{"e卡", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := CodeParts(tt.word); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("CodeParts(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
	var pieces []string
	for _, w := range DefaultSegmenter().Cut(Normalize("华为Mate60租机"), true) {
		if w.Sub {
			pieces = append(pieces, w.Text)
		}
	}
	if want := []string{"mate"}; !reflect.DeepEqual(pieces, want) {
		t.Errorf("Cut(华为Mate60租机) pieces = %q, want %q", pieces, want)
	}
}
