package analysis

import (
	"io/fs"
	"reflect"
	"testing"

	"github.com/zhsearch/zhsearch/data"
)

func TestSuggestWordsFindsSplitWords(t *testing.T) {
	// A segmenter without the domain dictionary: gse's stock words only,
	// the situation an editor faces with a new word.
	seg, err := NewSegmenter(emptyDicts{})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"花呗风控怎么解除", "花唄额度", "用花呗买手机", "花呗逾期了",
		"租机变现靠谱吗", "租机变现的风险", "租机变现流程",
		"今天天气很好", "今天天气不错", "今天天气晴朗",
	}
	got := seg.SuggestWords(texts, SuggestOptions{MinCount: 3})
	var words []string
	for _, c := range got {
		words = append(words, c.Word)
	}
	// 花呗 (4, traditional folded in) and 租机变现 (3) are split by the stock
	// dictionary; 今天天气 is cut into real words and is not suggested, and
	// 租机变/机变现 are absorbed by 租机变现.
	want := []string{"花呗", "租机变现"}
	if !reflect.DeepEqual(words, want) {
		t.Errorf("suggested %q, want %q (all: %+v)", words, want, got)
	}
	if got[0].Count != 4 || got[0].Split != "花/呗" {
		t.Errorf("花呗 candidate = %+v", got[0])
	}
}

// TestSuggestWordsSkipsPiecesOfWords: a sequence that starts or ends inside
// a word the dictionary knows is a piece of that word, not a candidate.
func TestSuggestWordsSkipsPiecesOfWords(t *testing.T) {
	seg, err := NewSegmenter(data.Dict)
	if err != nil {
		t.Fatal(err)
	}
	// 期还款 occurs more often than each word it is part of (分期还款,
	// 延期还款), so being closed does not rule it out; 机回收 likewise
	// (租机回收, 手机回收).
	texts := []string{"分期还款的技巧", "分期还款多久到账", "延期还款怎么申请", "延期还款的条件",
		"租机回收流程", "租机回收骗局", "手机回收价格", "手机回收平台"}
	for _, c := range seg.SuggestWords(texts, SuggestOptions{MinCount: 3}) {
		if c.Word == "期还款" || c.Word == "机回收" || c.Word == "机回" {
			t.Errorf("suggested %+v, a piece of a known word", c)
		}
	}
}

func TestDomainDictionaryFixesStockSplits(t *testing.T) {
	seg, err := NewSegmenter(data.Dict)
	if err != nil {
		t.Fatal(err)
	}
	got := seg.SuggestWords([]string{"花呗风控", "花呗逾期", "花呗额度"}, SuggestOptions{MinCount: 2})
	for _, c := range got {
		if c.Word == "花呗" {
			t.Errorf("花呗 suggested although the domain dictionary holds it: %+v", c)
		}
	}
}

// emptyDicts is a dictionary folder with no files.
type emptyDicts struct{}

func (emptyDicts) Open(name string) (fs.File, error) { return nil, fs.ErrNotExist }
