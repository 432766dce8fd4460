package analysis

import "unicode/utf8"

// Readers often say what is not their problem before saying what is:
// 从来没有逾期过，可最近申请网贷每次都被拒 (never overdue, yet refused),
// 我从没逾期过为什么网贷全被拒, 明明没逾期网贷却总被拒. The denied word (逾期)
// is the one thing such a reader does not ask about, and on a credit site
// it is also the commonest subject, so taken as a content word it fills
// the answers with articles on being overdue. Denied finds these words.
//
// A negation alone does not deny: 没有工作的人能不能申请贷款 asks about
// having no job, 分期乐的钱没还上 about not having paid, 借款没到账为什么显示
// 已放款 about money that did not arrive. Only "never" denies: a negation
// that says it (从未, 从没, 从不, 未曾, 从来没有), one after 从来 or 明明, or
// one whose words the experiential 过 closes (没有逾期过: has never been
// overdue). A plain negation denies only a bad mark of a credit record
// (dict/trouble.txt: 逾期, 欠款, 呆账 …): 征信没有逾期为什么贷款被拒 says the
// reader's standing is good, where 借款没到账为什么 says what went wrong,
// and only the word's meaning tells the two forms apart. "Not yet" (还没
// 逾期) denies nothing: the reader fears it.

// maxDenied is how many words may stand between a negation and the 过 that
// closes it (从来没有信用卡逾期过).
const maxDenied = 2

// Denied reports, for each of words (Cut's output, search mode or not),
// whether the reader denies it: the word right after a "never" negation,
// the word right before the 过 that closes a negation's words, or a bad
// mark right after any negation but "not yet". The
// pieces Cut puts after a word (its subwords) share its mark. A text whose
// every content word is denied (没逾期过) keeps them all: the reader asks
// about nothing else.
func (s *Segmenter) Denied(words []Word) []bool {
	denied := make([]bool, len(words))
	var top []int // indexes of the top-level words
	for i, w := range words {
		if !w.Sub {
			top = append(top, i)
		}
	}
	// before reports whether the word before top[k] is written right
	// against it and is one pred accepts.
	before := func(k int, pred func(string) bool) bool {
		return k > 0 && adjacent(words[top[k-1]], words[top[k]]) && pred(words[top[k-1]].Text)
	}
	found := false
	for k, i := range top {
		kind := negationKind(words[i].Text)
		if kind == notNegation || k+1 == len(top) || !adjacent(words[i], words[top[k+1]]) {
			continue
		}
		never := kind == neverNegation || before(k, neverPrefix)
		first := k + 1 // the first word the negation may deny
		if words[top[first]].Text == "任何" && first+1 < len(top) && adjacent(words[top[first]], words[top[first+1]]) {
			first++ // 没有任何逾期记录: 任何 only stresses the denial
		}
		if words[top[first]].Text == "过" {
			// 没有过逾期记录, 从来没有过逾期: "never had", of the word after 过.
			if first+1 == len(top) || !adjacent(words[top[first]], words[top[first+1]]) {
				continue
			}
			first, never = first+1, true
		}
		// The scope: up to maxDenied words written right after the
		// negation, up to a 过.
		end := first - 1
		for end+1 < len(top) && end+1-first < maxDenied && adjacent(words[top[end]], words[top[end+1]]) &&
			words[top[end+1]].Text != "过" && negationKind(words[top[end+1]].Text) == notNegation {
			end++
		}
		closed := end >= first && end+1 < len(top) && adjacent(words[top[end]], words[top[end+1]]) && words[top[end+1]].Text == "过"
		var lo, hi int // the words denied: top[lo:hi]
		switch {
		case closed:
			lo, hi = end, end+1 // 过 follows the verb: 从来没有花呗逾期过 denies 逾期
		case never:
			lo, hi = first, first+1 // 从未逾期信用卡: the next word only
		case !before(k, notYet):
			// 征信没有逾期为什么被拒: a bad mark the reader has not got, one
			// word or several (不良记录 is cut 不良/记录); 没有工作的人, 没还上,
			// 没到账为什么 say what the reader asks about.
			lo, hi = first, first+s.troubleAt(words, top[first:])
		}
		for j := lo; j < hi; j++ {
			markDenied(words, denied, top[j])
			found = true
		}
	}
	if found && !s.contentLeft(words, denied) {
		return make([]bool, len(words))
	}
	return denied
}

// markDenied marks the top-level word at and its subwords.
func markDenied(words []Word, denied []bool, at int) {
	for x := at; x < len(words) && (x == at || words[x].Sub); x++ {
		denied[x] = true
	}
}

// maxTroubleWords bounds the words one trouble.txt entry may be cut into.
const maxTroubleWords = 3

// troubleAt returns how many of the top-level words at top (indexes into
// words), written one after the other, spell a trouble word together, 0 if
// none do.
func (s *Segmenter) troubleAt(words []Word, top []int) int {
	text := ""
	for n := 1; n <= min(maxTroubleWords, len(top)); n++ {
		if n > 1 && !adjacent(words[top[n-2]], words[top[n-1]]) {
			break
		}
		text += words[top[n-1]].Text
		if s.lex.Trouble(text) {
			return n
		}
	}
	return 0
}

// contentLeft reports whether some top-level content word (two or more
// characters, no stop, question or negation word, no word that makes a
// negation "never" or "not yet") is not denied.
func (s *Segmenter) contentLeft(words []Word, denied []bool) bool {
	for i, w := range words {
		if w.Sub || denied[i] || utf8.RuneCountInString(w.Text) < 2 || s.IsStop(w.Text) ||
			negationKind(w.Text) != notNegation || neverPrefix(w.Text) || notYet(w.Text) {
			continue
		}
		if _, question := s.lex.QuestionWeight(w.Text); !question {
			return true
		}
	}
	return false
}

type negationType int

const (
	notNegation negationType = iota
	plainNegation
	neverNegation
)

// negationKind tells a plain negation (没有, 未) from one that says
// "never" by itself (从未).
func negationKind(s string) negationType {
	switch s {
	case "没", "没有", "未", "无", "并未", "并没有":
		return plainNegation
	case "从未", "从没", "从没有", "从来没", "从来没有", "从不", "未曾", "不曾", "从未有过":
		return neverNegation
	}
	return notNegation
}

// notYet reports a word that makes the negation after it "not yet" (还没
// 逾期: the reader fears it), which denies nothing.
func notYet(s string) bool {
	switch s {
	case "还", "暂", "尚", "暂时", "目前还", "现在还":
		return true
	}
	return false
}

// neverPrefix reports a word that makes the negation after it a "never"
// or a protest (从来没有, 明明没逾期).
func neverPrefix(s string) bool { return s == "从来" || s == "明明" }

func adjacent(a, b Word) bool { return a.End == b.Start }
