package index_test

import (
	"math"
	"testing"

	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/analysis"
)

func TestDupKey(t *testing.T) {
	seg := analysis.DefaultSegmenter()
	tests := []struct{ title, want string }{
		// Stop words go, so wording that differs only in them is one key.
		{"花呗被风控了怎么解除", "花呗风控解除"},
		{"花呗被风控了如何解除", "花呗风控解除"},
		// Normalized: full width, case, traditional characters, punctuation.
		{"京東Ｅ卡回收，哪個平台好用？", "京东e卡回收平台好用"},
		// One word besides the stop words: the question around it stays.
		{"什么是失信被执行人", "什么是失信被执行人"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := index.DupKey(seg, tt.title); got != tt.want {
			t.Errorf("DupKey(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
	// So the title that defines a subject and one that asks something of
	// it are not near-duplicates (they were: the first's key was the
	// subject alone, the second's the subject and 贷款).
	opts := index.DefaultRelatedOptions()
	a, b := index.DupKey(seg, "什么是失信被执行人"), index.DupKey(seg, "失信被执行人能贷款吗")
	if sim := opts.DupSimilarity(a, b); sim >= opts.DupThreshold {
		t.Errorf("keys %q and %q: similarity %.2f, want below %.2f", a, b, sim, opts.DupThreshold)
	}
}

func TestTitleSimilarities(t *testing.T) {
	tests := []struct {
		a, b                           string
		jaccard, dice, overlap, splice float64
	}{
		{"花呗风控解除", "花呗风控解除", 1, 1, 1, 1},
		// 急用钱时选择合适借款app指南 / 急用钱时选择合适借款app: the second's 12
		// bigrams are all in the first's 14.
		{"急用钱时选择合适借款app指南", "急用钱时选择合适借款app", 12.0 / 14, 24.0 / 26, 1, 12.0 / 14},
		// 识别 别套 套路 路贷 of 4, in 6.
		{"识别套路贷", "识别套路贷陷阱", 4.0 / 6, 8.0 / 10, 1, 4.0 / 6},
		// 快速 inserted in the middle: 了修 is broken and 了快 快速 速修 added,
		// 4 of 8 shared; appended it would cost 5 of 7.
		{"征信花了修复", "征信花了快速修复", 4.0 / 8, 8.0 / 12, 4.0 / 5, 5.0 / 7},
		// A longer insertion costs more: 多久才能 in 花呗风控解除.
		{"花呗风控解除", "花呗风控多久才能解除", 4.0 / 10, 8.0 / 14, 4.0 / 5, 5.0 / 9},
		// Same words, another order: 京东 东e e卡 平台 台好 好用 回收 are shared.
		{"京东e卡回收平台好用", "回收京东e卡平台好用", 7.0 / 11, 14.0 / 18, 7.0 / 9, 7.0 / 11},
		// Another product, same problem.
		// Another product, same problem: a change, not an insertion.
		{"花呗逾期多久上征信", "网贷逾期多久上征信", 6.0 / 10, 12.0 / 16, 6.0 / 8, 6.0 / 10},
		{"围棋", "花呗", 0, 0, 0, 0},
		{"钱", "钱", 1, 1, 1, 1}, // one character is its own gram
		{"", "花呗", 0, 0, 0, 0},
		{"钱", "钱包", 0, 0, 0, 0}, // a one-character key has no pair to keep
		{"", "", 0, 0, 0, 0},
	}
	near := func(x, y float64) bool { return math.Abs(x-y) < 1e-9 }
	for _, tt := range tests {
		for _, m := range []struct {
			name string
			f    index.TitleSimilarity
			want float64
		}{
			{"BigramJaccard", index.BigramJaccard, tt.jaccard},
			{"BigramDice", index.BigramDice, tt.dice},
			{"BigramOverlap", index.BigramOverlap, tt.overlap},
			{"SpliceJaccard", index.SpliceJaccard, tt.splice},
		} {
			if got := m.f(tt.a, tt.b); !near(got, m.want) {
				t.Errorf("%s(%q, %q) = %.4f, want %.4f", m.name, tt.a, tt.b, got, m.want)
			}
			if got, rev := m.f(tt.a, tt.b), m.f(tt.b, tt.a); !near(got, rev) {
				t.Errorf("%s is not symmetric on %q, %q: %.4f vs %.4f", m.name, tt.a, tt.b, got, rev)
			}
		}
	}
}
