package analysis

import (
	"reflect"
	"testing"
)

func TestDenied(t *testing.T) {
	seg := DefaultSegmenter()
	tests := []struct {
		text string
		want []string // the top-level words denied, in order
	}{
		// "never", said outright, through 从来 or 明明, or by 过
		{"从来没有逾期过，可最近申请网贷每次都被拒", []string{"逾期"}},
		{"我从没逾期过为什么网贷全被拒", []string{"逾期"}},
		{"贷款从未逾期为什么借不了", []string{"逾期"}},
		{"明明没逾期网贷却总被拒", []string{"逾期"}},
		{"从未逾期信用卡会提额吗", []string{"逾期"}}, // the next word only
		{"也没有逾期过，这是被风控了吗", []string{"逾期"}},
		{"从来没有信用卡逾期过为什么征信不好", []string{"逾期"}}, // 过 follows the verb
		{"从来没有花呗逾期过", []string{"逾期"}},
		// a negation that is what the reader asks about
		{"没有工作的人能不能申请贷款", nil},
		{"分期乐的钱拖着没还上,咋弄", nil},
		{"贷款还没放款就让先交钱", nil},
		{"贷款还没放款却要先交钱", nil},
		{"借款没到账为什么显示已放款", nil},
		{"网贷没有下款为什么扣了服务费", nil},
		{"没有工作但有公积金能贷款吗", nil},
		{"没有社保可贷款吗", nil},
		{"借呗一直没到账", nil},
		{"车险到期了没续保会咋样", nil},
		{"从来没用过花呗", nil}, // 没用 is no negation of 花呗
		{"花呗逾期了怎么办", nil},
		// a plain negation denies a bad mark of a credit record only
		{"征信没有逾期为什么贷款被拒", []string{"逾期"}},
		{"网贷未逾期却突然无法借款的原因", []string{"逾期"}},
		{"没有欠款为什么被起诉", []string{"欠款"}},
		{"征信没有任何逾期记录为什么被拒", []string{"逾期"}},
		{"没有不良记录为什么网贷被拒", []string{"不良", "记录"}}, // an entry of two words
		{"还没逾期能协商还款吗", nil},                     // not yet: the reader fears it
		{"暂未逾期可以申请延期吗", nil},
		// nothing else to ask about: kept (negations and 过 are no content)
		{"没逾期过", nil},
		{"没有逾期", nil},
		{"从未逾期", nil},
		{"没有逾期怎么办", nil},
		// 过 right after the negation: "never had" the word after it
		{"没有过逾期记录为什么被拒", []string{"逾期"}},
		{"从来没有过逾期为什么网贷被拒", []string{"逾期"}},
		{"暂时没有逾期可以申请延期吗", nil}, // not yet
	}
	for _, tt := range tests {
		words := seg.Cut(Normalize(tt.text), true)
		var got []string
		for i, d := range seg.Denied(words) {
			if d && !words[i].Sub {
				got = append(got, words[i].Text)
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Denied(%s) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
