package analysis

// Readers often say what is not their problem before saying what is:
// 从来没有逾期过，可最近申请网贷每次都被拒 (never overdue, yet refused),
// 征信没有逾期为什么贷款被拒, 网贷未逾期却突然无法借款. The denied word (逾期)
// is the one thing such a reader does not ask about, and on a credit site
// it is also the commonest subject, so taken as a content word it fills
// the answers with articles on being overdue. Denied finds these words.
//
// A negation alone does not deny: 没有工作的人能不能申请贷款 asks about
// having no job, 分期乐的钱没还上 about not having paid, 还没放款 about a loan
// not yet paid out. Only the marks of "never" and of a contrast do:
// 从未/从没/从不/未曾/不曾, a plain negation after 从来 or 明明, or one whose
// words are followed by 过 (没逾期过: has never been), 却, 可, 但 or 为什么
// (没有逾期为什么被拒).

// maxDenied is how many words may stand between a negation and the word
// that closes it (没有逾期记录为什么).
const maxDenied = 2

// Denied reports, for each of words (Cut's output, search mode or not),
// whether a reader denies it: see the comment above. The pieces Cut puts
// after a word (its subwords) share its mark.
func Denied(words []Word) []bool {
	denied := make([]bool, len(words))
	var top []int // indexes of the top-level words
	for i, w := range words {
		if !w.Sub {
			top = append(top, i)
		}
	}
	for k, i := range top {
		kind := negationKind(words[i].Text)
		if kind == notNegation {
			continue
		}
		never := kind == neverNegation ||
			k > 0 && adjacent(words[top[k-1]], words[i]) && neverPrefix(words[top[k-1]].Text)
		// The scope: up to maxDenied words written right after the
		// negation, up to a word that closes it.
		end := k
		for end+1 < len(top) && end-k < maxDenied && adjacent(words[top[end]], words[top[end+1]]) &&
			!deniesClose(words[top[end+1]].Text) && negationKind(words[top[end+1]].Text) == notNegation {
			end++
		}
		closed := end+1 < len(top) && adjacent(words[top[end]], words[top[end+1]]) && deniesClose(words[top[end+1]].Text)
		if end == k || !closed && !never {
			continue // 没有工作的人, 没还上: what the reader asks about
		}
		// The first word is what is denied: 没有逾期记录为什么 is about 逾期,
		// 明明没逾期网贷却 asks about 网贷.
		for x := top[k+1]; x < len(words) && (x == top[k+1] || words[x].Sub); x++ {
			denied[x] = true
		}
	}
	return denied
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
	case "从未", "从没", "从没有", "从来没", "从来没有", "从不", "未曾", "不曾":
		return neverNegation
	}
	return notNegation
}

// neverPrefix reports a word that makes the negation after it a "never"
// or a protest (从来没有, 明明没逾期).
func neverPrefix(s string) bool {
	switch s {
	case "从来", "从", "明明", "从来都", "一次都", "一次也":
		return true
	}
	return false
}

// deniesClose reports a word that, right after a negation's words, makes
// them denied: the experiential 过 (has never been) or a contrast.
func deniesClose(s string) bool {
	switch s {
	case "过", "却", "可", "可是", "但", "但是", "为什么", "为啥", "为何", "怎么会":
		return true
	}
	return false
}

func adjacent(a, b Word) bool { return a.End == b.Start }
