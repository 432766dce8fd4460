package analysis

import (
	"reflect"
	"strconv"
	"testing"
)

func TestHanDigits(t *testing.T) {
	for _, c := range []struct {
		word, want string
		ok         bool
	}{
		{"五千块", "5000", true},
		{"一万块", "10000", true},
		{"三十天", "30", true},
		{"六百", "600", true},
		{"二十万", "200000", true},
		{"十五", "15", true},
		{"十万火急", "100000", true},
		{"一千零五", "1005", true},
		{"一百一十", "110", true},
		{"两千多", "2000", true},
		// A digit after the last unit counts in the unit below it.
		{"三千五", "3500", true},
		{"一万二", "12000", true},
		{"五百八", "580", true},
		{"两万五千", "25000", true},
		{"三亿", "300000000", true},
		// One character, digits with no unit, words that start with a unit.
		{"一次性", "", false},
		{"三个月", "", false},
		{"十分", "", false},
		{"五一", "", false},
		{"一二三", "", false},
		{"万一", "", false},
		{"千万", "", false},
		{"百分百", "", false},
		{"几千", "", false},
		{"征信", "", false},
		{"三零", "", false},
		// The longest numeral at the start that reads as one.
		{"三十二十", "32", true},
	} {
		got, ok := HanDigits(c.word)
		if got != c.want || ok != c.ok {
			t.Errorf("HanDigits(%q) = %q, %v; want %q, %v", c.word, got, ok, c.want, c.ok)
		}
	}
}

// FuzzHanDigits: any word gives digits that read as a number of 10 or
// more, or nothing; never a panic.
func FuzzHanDigits(f *testing.F) {
	for _, s := range []string{"五千块", "一万二", "亿亿亿亿", "九千九百九十九万九千九百九十九亿九千九百九十九万亿", "十十", "零零零", "两万五千三百", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, word string) {
		d, ok := HanDigits(word)
		if !ok {
			if d != "" {
				t.Fatalf("HanDigits(%q) = %q, false", word, d)
			}
			return
		}
		if v, err := strconv.ParseUint(d, 10, 64); err != nil || v < 10 {
			t.Fatalf("HanDigits(%q) = %q: not a number of 10 or more", word, d)
		}
	})
}

func TestDigitAmount(t *testing.T) {
	tests := []struct {
		digits, unit string
		want         string
		ok           bool
	}{
		{"2", "万", "20000", true},
		{"2", "万元", "20000", true},
		{"3", "千块", "3000", true},
		{"15", "万", "150000", true},
		{"2", "次", "", false},    // a count
		{"2024", "年", "", false}, // a year
		{"05", "万", "", false},   // no amount starts with 0
		{"12345", "万", "", false},
		{"x1", "万", "", false},
		{"", "万", "", false},
	}
	for _, tt := range tests {
		got, ok := DigitAmount(tt.digits, tt.unit)
		if got != tt.want || ok != tt.ok {
			t.Errorf("DigitAmount(%q, %q) = %q, %v; want %q, %v", tt.digits, tt.unit, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLatinAmount(t *testing.T) {
	for word, want := range map[string]string{"2w": "20000", "5k": "5000", "10w": "100000", "1w": "10000"} {
		if got, ok := LatinAmount(word); !ok || got != want {
			t.Errorf("LatinAmount(%q) = %q, %v; want %q", word, got, ok, want)
		}
	}
	for _, word := range []string{"w", "2", "2x", "abw", "02w", "12345w", "2W"} {
		if got, ok := LatinAmount(word); ok {
			t.Errorf("LatinAmount(%q) = %q, want no amount", word, got)
		}
	}
}

func TestAmountForms(t *testing.T) {
	tests := []struct {
		value string
		han   []string
		mixed string
	}{
		{"20000", []string{"两万", "二万"}, "2万"},
		{"10000", []string{"一万"}, "1万"},
		{"3000", []string{"三千"}, "3千"},
		{"150000", []string{"十五万"}, "15万"},
		{"300000", []string{"三十万"}, "30万"},
		{"12000", nil, ""}, // 1万2: no whole unit
		{"5800", nil, ""},
		{"2000000", nil, ""}, // 200万: above 99 of a unit
		{"abc", nil, ""},
	}
	for _, tt := range tests {
		han, mixed := AmountForms(tt.value)
		if !reflect.DeepEqual(han, tt.han) || mixed != tt.mixed {
			t.Errorf("AmountForms(%q) = %q, %q; want %q, %q", tt.value, han, mixed, tt.han, tt.mixed)
		}
	}
}

func TestCountForms(t *testing.T) {
	tests := []struct {
		k     uint64
		unit  string
		words []string
		pair  string
	}{
		{3, "天", []string{"三天"}, "3天"},
		{1, "年", []string{"一年"}, "1年"},
		{2, "次", []string{"两次"}, "2次"},
		{10, "周", []string{"十周"}, "10周"},
		{12, "期", []string{"十二期", "十二"}, "12期"},
		{90, "天", []string{"九十天", "九十"}, "90天"},
		{24, "期", []string{"二十四期", "二十四"}, "24期"},
		{100, "天", nil, ""}, // written in digits
		{0, "天", nil, ""},
		{3, "个", nil, ""},
		{3, "万", nil, ""}, // an amount: AmountForms
	}
	for _, tt := range tests {
		words, pair := CountForms(tt.k, tt.unit)
		if !reflect.DeepEqual(words, tt.words) || pair != tt.pair {
			t.Errorf("CountForms(%d, %q) = %q, %q; want %q, %q", tt.k, tt.unit, words, pair, tt.words, tt.pair)
		}
	}
	for word, want := range map[string]uint64{"三": 3, "两": 2, "十二": 12, "九十": 90, "九十九": 99, "二十四": 24} {
		if got, ok := HanSmall(word); !ok || got != want {
			t.Errorf("HanSmall(%q) = %d, %v; want %d", word, got, ok, want)
		}
	}
	for _, word := range []string{"一百", "零", "十十", "两十", "天", ""} {
		if got, ok := HanSmall(word); ok {
			t.Errorf("HanSmall(%q) = %d, want no count", word, got)
		}
	}
}

func TestHanCount(t *testing.T) {
	tests := []struct {
		word, want string
		ok         bool
	}{
		{"三天", "3天", true},
		{"两天", "2天", true},
		{"一年", "1年", true},
		{"十二期", "12期", true},
		{"三十天", "30天", true},
		{"十天", "10天", true},
		{"天天", "", false},
		{"今天", "", false},
		{"一百天", "", false}, // 100 and more: written in digits
		{"三个", "", false},
		{"天", "", false},
	}
	for _, tt := range tests {
		got, ok := HanCount(tt.word)
		if got != tt.want || ok != tt.ok {
			t.Errorf("HanCount(%q) = %q, %v; want %q, %v", tt.word, got, ok, tt.want, tt.ok)
		}
	}
}
