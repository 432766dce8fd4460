package analysis

import (
	"reflect"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
)

func terms(ts analysis.TokenStream) []string {
	var out []string
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	return out
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ＩＤ贷", "id贷"},
		{"ID贷", "id贷"},
		{"京东Ｅ卡", "京东e卡"},
		{"花唄風控", "花呗风控"},
		{"  租机变现：了解其模式 与 风险！ ", "租机变现 了解其模式 与 风险"},
		{"徵信修復", "征信修复"},
		{"a\u3000b\t\nc", "a b c"},
		{"<script>", "script"},
		{"", ""},
		// Invisible format characters and variation selectors go, a
		// zero-width space and a byte-order mark too.
		{"花\u00ad呗风控\u2060", "花呗风控"},
		{"花\u200d呗\u200c逾期\u200e", "花呗逾期"},
		{"青\u200b铜葫芦\ufeff分期", "青铜葫芦分期"},
		{"粉色\ufe0f海狮", "粉色海狮"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFoldable: text whose normalized form differs only in separators is
// not foldable; upper case, traditional and full-width characters are.
func TestFoldable(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"花呗逾期怎么办", false},
		{"租机变现：了解其模式，与风险！ 2024年", false},
		{"借钱app下载", false},
		{"借钱APP下载", true},
		{"花唄風控", true},
		{"京东Ｅ卡", true},
		{"ｉｄ贷", true},
		{"", false},
	}
	for _, tt := range tests {
		if got := Foldable(tt.in); got != tt.want {
			t.Errorf("Foldable(%q) = %v, want %v", tt.in, got, tt.want)
		}
		// Not foldable: the words of its normalized form are its own.
		if !tt.want {
			for _, w := range strings.Fields(Normalize(tt.in)) {
				if !strings.Contains(tt.in, w) {
					t.Errorf("Normalize(%q) holds %q, which %q does not", tt.in, w, tt.in)
				}
			}
		}
	}
}

func TestNormalizeOffsetsPointIntoOriginal(t *testing.T) {
	in := "京东Ｅ卡：花唄"
	norm, offs := NormalizeMap(in, true)
	if len(offs) != len(norm)+1 {
		t.Fatalf("len(offs)=%d, want %d", len(offs), len(norm)+1)
	}
	i := strings.Index(norm, "e卡")
	got := in[offs[i]:offs[i+len("e卡")]]
	if got != "Ｅ卡" {
		t.Errorf("span of e卡 in original = %q, want Ｅ卡", got)
	}
}

func TestWordTokenizer(t *testing.T) {
	tok := &WordTokenizer{Seg: DefaultSegmenter()}
	tests := []struct {
		in   string
		want []string
	}{
		{"花呗协商还款对征信的影响", []string{"花呗", "协商还款", "协商", "还款", "征信", "影响"}},
		{"租机变现", []string{"租机", "变现"}},
		{"ＩＤ贷手机被锁了", []string{"id贷", "id", "手机", "锁"}},
		{"京东E卡回收", []string{"京东e卡", "京东", "e卡", "回收"}},
	}
	for _, tt := range tests {
		if got := terms(tok.Tokenize([]byte(tt.in))); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGramTokenizer(t *testing.T) {
	tests := []struct {
		n    int
		in   string
		want []string
	}{
		{2, "花呗风控", []string{"花呗", "呗风", "风控"}},
		{2, "京东Ｅ卡", []string{"京东", "东e", "e", "e卡"}},
		{2, "贷 款", []string{"贷", "款"}},
		{1, "花唄", []string{"花", "呗"}},
	}
	for _, tt := range tests {
		if got := terms(gramTokenizer(tt.n).Tokenize([]byte(tt.in))); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%d-grams(%q) = %q, want %q", tt.n, tt.in, got, tt.want)
		}
	}
}

func TestPinyin(t *testing.T) {
	if got := terms((&PinyinTokenizer{}).Tokenize([]byte("花唄風控"))); !reflect.DeepEqual(got, []string{"hua", "bei", "feng", "kong"}) {
		t.Errorf("pinyin = %q", got)
	}
	// With Readings, every reading of a character stands at its position,
	// the most common first (呗: bei, bai; 控: kong, qiang); an initial once.
	if got := terms((&PinyinTokenizer{Readings: true}).Tokenize([]byte("花唄風控"))); !reflect.DeepEqual(got, []string{"hua", "bei", "bai", "feng", "kong", "qiang"}) {
		t.Errorf("pinyin readings = %q", got)
	}
	if got := terms((&PinyinTokenizer{Initials: true, Readings: true}).Tokenize([]byte("花呗风控"))); !reflect.DeepEqual(got, []string{"h", "b", "f", "k", "q"}) {
		t.Errorf("initials = %q", got)
	}
	// 还款 and 银行 as readers say them (huan, hang) and as go-pinyin's most
	// common readings do (hai, xing), each at its character's position.
	for _, tt := range []struct {
		in   string
		want map[string]int
	}{
		{"还款", map[string]int{"hai": 1, "huan": 1, "kuan": 2}},
		{"银行", map[string]int{"yin": 1, "xing": 2, "hang": 2}},
		{"重新", map[string]int{"zhong": 1, "chong": 1, "xin": 2}},
	} {
		at := map[string]int{}
		for _, tok := range (&PinyinTokenizer{Readings: true}).Tokenize([]byte(tt.in)) {
			at[string(tok.Term)] = tok.Position
		}
		for term, pos := range tt.want {
			if at[term] != pos {
				t.Errorf("pinyin of %s: %q at %d, want %d (all: %v)", tt.in, term, at[term], pos, at)
			}
		}
	}
	tests := []struct {
		in      string
		partial bool
		want    []string
		ok      bool
	}{
		{"huabeifengkong", false, []string{"hua", "bei", "feng", "kong"}, true},
		{"zuji", false, []string{"zu", "ji"}, true},
		{"xian", false, []string{"xian"}, true},
		{"huab", true, []string{"hua", "b"}, true},
		{"huab", false, nil, false},
		{"hbfk", false, nil, false},
	}
	for _, tt := range tests {
		got, ok := SplitPinyin(tt.in, tt.partial)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitPinyin(%q, %v) = %q, %v; want %q, %v", tt.in, tt.partial, got, ok, tt.want, tt.ok)
		}
	}
}

func TestEdgeTokenizer(t *testing.T) {
	long := strings.Repeat("花", MaxEdge+3)
	tests := []struct {
		in   string
		want []string
	}{
		{"花呗风控", []string{"花", "花呗", "花呗风", "花呗风控"}},
		{"hbfk", []string{"h", "hb", "hbf", "hbfk"}},
		{"", nil},
		{long, append(func() []string {
			var p []string
			for i := 1; i <= MaxEdge; i++ {
				p = append(p, long[:i*len("花")])
			}
			return p
		}(), EdgePad, EdgePad, EdgePad)},
	}
	for _, tt := range tests {
		ts := EdgeTokenizer{}.Tokenize([]byte(tt.in))
		if got := terms(ts); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("edges(%q) = %q, want %q", tt.in, got, tt.want)
		}
		for i, tok := range ts {
			if tok.Position != i+1 {
				t.Errorf("edges(%q)[%d] at position %d", tt.in, i, tok.Position)
			}
		}
	}
}

// TestRunTokenizer: the pairs of consecutive one-character pieces, stop
// words and pieces a separator parts never paired, nothing else; and
// WordsAndRuns gives both tokenizers' streams.
func TestRunTokenizer(t *testing.T) {
	seg := DefaultSegmenter()
	for _, c := range []struct {
		text string
		want []string
	}{
		{"断供了怎么办话术", []string{"断供", "话术"}}, // 断 供 了 怎么办 话 术: 了 is a stop word
		{"网贷总是被面签", []string{"面签"}},        // 被 is a stop word: no 被面
		{"面 签", nil},          // a separator ends a run
		{"征信的影响", nil},        // 的 between two words
		{"花呗协商还款对征信的影响", nil}, // words only
		{"ＩＤ贷手机被锁了", nil},     // 锁 alone between stop words
		{"", nil},
	} {
		got := terms((&RunTokenizer{Seg: seg}).Tokenize([]byte(c.text)))
		if len(got) == 0 {
			got = nil
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("runs of %q = %v, want %v", c.text, got, c.want)
		}
		w, r := WordsAndRuns(seg, []byte(c.text))
		if !reflect.DeepEqual(terms(w), terms((&WordTokenizer{Seg: seg}).Tokenize([]byte(c.text)))) || !reflect.DeepEqual(terms(r), terms((&RunTokenizer{Seg: seg}).Tokenize([]byte(c.text)))) {
			t.Errorf("%q: WordsAndRuns differs from the tokenizers", c.text)
		}
	}
}

// TestGapTokenizer checks GapTokenizer against its definition: at every
// place, a bigram of GramTokenizer is either a gap bigram or a word token
// of WordTokenizer with the same span, never both, and nothing else is a
// gap bigram; WordsAndGaps gives both tokenizers' streams.
func TestGapTokenizer(t *testing.T) {
	seg := DefaultSegmenter()
	texts := []string{
		"花呗协商还款对征信的影响",
		"ＩＤ贷手机被锁了，我们可以怎么办？",
		"京东E卡回收 征信花了还能贷款吗",
		"信用卡分期提前还款要手续费吗iphone13 pro",
		"断供了怎么办话术",
		"我们的的的 a b 贷",
		"",
	}
	type span struct{ start, end int }
	for _, text := range texts {
		full := map[span]string{}
		for _, tk := range (&GramTokenizer{N: 2}).Tokenize([]byte(text)) {
			full[span{tk.Start, tk.End}] = string(tk.Term)
		}
		words := map[span]string{}
		for _, tk := range (&WordTokenizer{Seg: seg}).Tokenize([]byte(text)) {
			words[span{tk.Start, tk.End}] = string(tk.Term)
		}
		gaps := (&GapTokenizer{Seg: seg}).Tokenize([]byte(text))
		gapSpans := map[span]string{}
		for _, tk := range gaps {
			s := span{tk.Start, tk.End}
			if full[s] != string(tk.Term) {
				t.Errorf("%q: gap token %q at %v is not a bigram token", text, tk.Term, s)
			}
			if words[s] == string(tk.Term) {
				t.Errorf("%q: gap token %q at %v is also a word token", text, tk.Term, s)
			}
			gapSpans[s] = string(tk.Term)
		}
		for s, term := range full {
			if gapSpans[s] != term && words[s] != term {
				t.Errorf("%q: bigram token %q at %v is neither a gap nor a word", text, term, s)
			}
		}
		w2, g2 := WordsAndGaps(seg, []byte(text))
		if !reflect.DeepEqual(terms(w2), terms((&WordTokenizer{Seg: seg}).Tokenize([]byte(text)))) || !reflect.DeepEqual(terms(g2), terms(gaps)) {
			t.Errorf("%q: WordsAndGaps differs from the tokenizers", text)
		}
	}
	if got := terms((&GapTokenizer{Seg: seg}).Tokenize([]byte("征信的影响"))); !reflect.DeepEqual(got, []string{"信的", "的影"}) {
		t.Errorf("gaps of 征信的影响 = %v, want the bigrams across the stop word 的", got)
	}
}

func TestIsNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"五万": true, "八千": true, "一万二": true, "两千块": true, "15": true, "600元": true, "几百": true,
		"一万多": true, "两千多块": true, "五百余元": true, "三十来": true, "20多": true,
		"360分期": false, "号": false, "块": false, "": false, "万能": false, "e卡": false,
		"多": false, "多少": false, "一万多家": false, "三十多岁": false, "十来天": false, "一来": false, "几多": false,
	} {
		if got := IsNumber(s); got != want {
			t.Errorf("IsNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestRespellKeepsWords: a spoken form is respelled where the query says
// it, not where it is the start of a longer word (没得 of 没得到 became 没有
// and took 得到 with it), and a shorter form at the same place still is
// (咋 of 咋办理).
func TestRespellKeepsWords(t *testing.T) {
	seg := DefaultSegmenter()
	tests := []struct{ in, want string }{
		{"贷款申请了还没得到回复", "贷款申请了还没得到回复"},
		{"网贷审批成不成功", "网贷审批成不成功"},
		{"信用卡咋办理", "信用卡怎么办理"},
		{"俺没得信用卡能租不", "我没有信用卡能租不"},
		{"花呗逾期咋办", "花呗逾期怎么办"},
		{"上哪能瞅见", "上哪能看见"},
		{"咋看出来自个儿征信花了", "怎么看出来自己征信花了"},
	}
	for _, tt := range tests {
		if got := seg.Respell(tt.in); got != tt.want {
			t.Errorf("Respell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSoundOf: characters and pinyin typed together, as an IME shows them
// while composing, read as one run of syllables; Latin words that are not
// pinyin and digits are skipped.
func TestSoundOf(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"hua呗", []string{"hua", "bei"}},
		{"花bei", []string{"hua", "bei"}},
		{"征xin修复", []string{"zheng", "xin", "xiu", "fu"}},
		{"京东e卡", []string{"jing", "dong", "e", "ka"}},
		{"iphone13租机", []string{"zu", "ji"}},
		{"花呗", []string{"hua", "bei"}},
		{"iphone", nil},
	} {
		if got := SoundOf(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SoundOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSplitPinyinWords: syllables where the reader separated them (xi an
// is 西安, xian one syllable), each word as SplitPinyin splits it.
func TestSplitPinyinWords(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"xi an", []string{"xi", "an"}, true},
		{"xian", []string{"xian"}, true},
		{"huabei jiechu", []string{"hua", "bei", "jie", "chu"}, true},
		{"zhen gxin", nil, false},
		{"iphone 14", nil, false},
		{"", nil, false},
	} {
		got, ok := SplitPinyinWords(tt.in)
		if !reflect.DeepEqual(got, tt.want) || ok != tt.ok {
			t.Errorf("SplitPinyinWords(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestSyllablesWithPrefix: the syllables a syllable being typed may become.
func TestSyllablesWithPrefix(t *testing.T) {
	for _, tt := range []struct {
		prefix string
		want   []string
	}{
		{"zhua", []string{"zhua", "zhuai", "zhuan", "zhuang"}},
		{"bia", []string{"bian", "biao"}}, // go-pinyin has no bia
		{"xin", []string{"xin", "xing"}},
		{"zhuang", []string{"zhuang"}},
		{"v", nil},
		{"xq", nil},
	} {
		if got := SyllablesWithPrefix(tt.prefix); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SyllablesWithPrefix(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
}

// TestQuestionStemWeight: a question word with a final particle cut as one
// word weighs as the word; a filler after a word that makes another word
// (有用, 能用) does not, nor does a particle after a word not listed.
func TestQuestionStemWeight(t *testing.T) {
	lx := DefaultSegmenter().Lexicon()
	for _, tt := range []struct {
		word   string
		weight float64
		ok     bool
	}{
		{"怎么办", 0.4, true},
		{"怎么办呢", 0.4, true},
		{"靠谱吗", 0.4, true},
		{"多久啊", 0.5, true},
		{"有用", 0, false},
		{"花呗吗", 0, false},
		{"吗", 0, true}, // the particle itself: a filler
	} {
		weight, ok := lx.QuestionStemWeight(tt.word)
		if weight != tt.weight || ok != tt.ok {
			t.Errorf("QuestionStemWeight(%s) = %v, %v; want %v, %v", tt.word, weight, ok, tt.weight, tt.ok)
		}
	}
}
