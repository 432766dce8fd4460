package index

import (
	"html"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/zhsearch/zhsearch/index/analysis"
)

// snippetRunes is the length of a body snippet in characters.
const snippetRunes = 100

// highlighter marks what a query matched in a document's original text. It
// finds query terms in the normalized text and maps the spans back, so a
// traditional or full-width title is marked where the reader sees it;
// overlapping matches (search-mode words inside longer words, bigrams) are
// merged into one mark.
type highlighter struct {
	needles []string // normalized strings to find, longest first
	// pairs are the character pairs of the query's content words, marked
	// where a text holds none of the needles: a title that matched by the
	// pairs it shares with the query (账单 of 账单日 in 信用卡账单分期…,
	// 美团 of 美团月付 in 美团借钱会上征信吗) shows what it shares.
	pairs     []string
	syllables []string // pinyin syllables to find by sound
	initials  string   // pinyin initials to find (a Latin query like hbfk)
	bySound   bool     // mark sound matches even where exact ones exist
	// typos are the sounds of the query's misspelt words that search
	// matched by sound (queryTerm.soundsLike: 节呗 read jie bei), marked
	// where a text says them (借呗 of 借呗利息怎么算).
	typos [][]string
	// unfinished are a Latin query's syllables, its last still being
	// typed (analyzedQuery.unfinished).
	unfinished []string
}

// newHighlighter marks the query's words, its whole space-separated parts
// and its one-character pieces joined to their neighbours (急用钱 of
// 急用钱去哪借); bigrams are marked only in a text that holds none of
// these (pairs), so 京东e卡回首 marks 京东e卡, not 京东e卡回. Pinyin is marked
// when the query is Latin or matched by sound.
func newHighlighter(aq *analyzedQuery) *highlighter {
	seen := map[string]bool{}
	h := &highlighter{bySound: aq.soundUsed && !aq.latin}
	if aq.latin || aq.soundUsed {
		h.syllables, h.initials, h.unfinished = aq.syllable, aq.initials, aq.unfinished
	}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			h.needles = append(h.needles, s)
		}
	}
	for _, part := range strings.Split(aq.norm, " ") {
		add(part)
	}
	for _, w := range aq.words {
		if utf8.RuneCountInString(w) > 1 || aq.chars == 1 {
			add(w)
		}
	}
	for _, j := range aq.joined {
		add(j)
	}
	for _, w := range aq.initialWords {
		add(w.word)
	}
	for _, words := range aq.apartWords {
		for _, w := range words {
			add(w.word)
		}
	}
	// A title found through a synonym (网络贷款 for 网贷) shows the word
	// that matched; one holding the query's word (征信记录 for 征信) shows
	// the query's word, as it does without synonyms.
	for _, t := range aq.terms {
		for _, alt := range t.alts {
			if utf8.RuneCountInString(alt) > 1 && !strings.Contains(alt, t.text) {
				add(alt)
			}
		}
		add(t.pair) // 3天 of 信用卡逾期3天算逾期吗, found by 逾期三天
		if t.soundsLike && len(t.sound) > 0 {
			h.typos = append(h.typos, t.sound)
		}
	}
	sort.SliceStable(h.needles, func(i, j int) bool { return len(h.needles[i]) > len(h.needles[j]) })
	h.pairs = aq.bigrams
	return h
}

type span struct{ start, end int }

// spans returns the merged byte spans, in the original text, of all matches.
func (h *highlighter) spans(text string) []span {
	if !h.phonetic() && !analysis.Foldable(text) {
		return h.writtenSpans(text)
	}
	return h.normalizedSpans(text)
}

// phonetic reports whether matches are also looked for by pinyin, which
// needs the text normalized.
func (h *highlighter) phonetic() bool {
	return len(h.syllables) > 0 || len(h.initials) >= 2 || len(h.typos) > 0
}

// writtenSpans is spans for a text that normalizing would not change but
// for its separators (analysis.Foldable): the words are found as written,
// without normalizing a copy of the text and mapping offsets back, most of
// what highlighting a hit cost.
func (h *highlighter) writtenSpans(text string) []span {
	var out []span
	for _, n := range h.needles {
		eachIndex(text, n, func(s int) { out = append(out, span{s, s + len(n)}) })
	}
	if len(out) == 0 {
		for _, p := range h.pairs {
			eachIndex(text, p, func(s int) { out = append(out, span{s, s + len(p)}) })
		}
	}
	return merge(out)
}

// eachIndex calls fn with the byte offset of every match of needle in s,
// left to right, matches not overlapping. A needle that begins or ends
// with a Latin letter or digit matches only at a word's edge there, as the
// engine matches Latin words (app does not find happy, nor id Android):
// id贷 is marked in 手机id贷, not in Android手机.
func eachIndex(s, needle string, fn func(start int)) {
	for i := 0; ; {
		j := strings.Index(s[i:], needle)
		if j < 0 {
			return
		}
		start := i + j
		if !atWordEdges(s, start, start+len(needle)) {
			_, size := utf8.DecodeRuneInString(s[start:])
			i = start + size
			continue
		}
		fn(start)
		i = start + len(needle)
	}
}

// atWordEdges reports whether s[start:end] is not part of a longer Latin
// word: no Latin letter, digit or combining mark joins its first character
// to the one before it, or its last to the one after it. Letters and
// digits meet at an edge (mate of mate60): a model name's letters are a
// word of their own (analysis.CodeParts).
func atWordEdges(s string, start, end int) bool {
	first, _ := utf8.DecodeRuneInString(s[start:end])
	last, _ := utf8.DecodeLastRuneInString(s[start:end])
	if latinWordRune(first) && start > 0 {
		if prev, _ := utf8.DecodeLastRuneInString(s[:start]); latinWordRune(prev) && unicode.IsDigit(prev) == unicode.IsDigit(first) {
			return false
		}
	}
	if latinWordRune(last) && end < len(s) {
		next, _ := utf8.DecodeRuneInString(s[end:])
		if latinWordRune(next) && unicode.IsDigit(next) == unicode.IsDigit(last) || unicode.Is(unicode.Mn, next) {
			return false
		}
	}
	return true
}

// latinWordRune reports whether r is part of a Latin word: a letter of the
// Latin scripts or a digit.
func latinWordRune(r rune) bool {
	return unicode.IsDigit(r) || unicode.Is(unicode.Latin, r)
}

// normalizedSpans is spans for any text: the words and pinyin are found in
// the normalized text and mapped back.
func (h *highlighter) normalizedSpans(text string) []span {
	norm, offs := analysis.NormalizeMap(text, true)
	var out []span
	for _, n := range h.needles {
		eachIndex(norm, n, func(s int) { out = append(out, origSpan(text, offs, s, s+len(n))) })
	}
	// The text's readings are looked up once, for every sound looked for
	// in it: a question of 200 rare characters has as many misspelt runs,
	// and reading a hit's body again for each took half a second a page.
	var chars *soundText
	runs := func(syl []string, unfinished bool) {
		if chars == nil {
			chars = readSounds(norm)
		}
		for _, r := range chars.runs(syl, unfinished) {
			out = append(out, origSpan(text, offs, r.start, r.end))
		}
	}
	for _, sound := range h.typos {
		// Beside the words matched as written: a probe saw 借呗利息 marked
		// only from 呗 on, for 节呗利息.
		runs(sound, false)
	}
	if len(out) == 0 || h.bySound {
		if len(h.syllables) > 0 {
			runs(h.syllables, false)
		}
		if len(out) == 0 && len(h.syllables) >= 3 {
			// Found by pairs of syllables (soundQuery): 网贷 and 逾期 of
			// wangdaiyuqi in 网贷未逾期.
			for i := 0; i+1 < len(h.syllables); i++ {
				runs(h.syllables[i:i+2], false)
			}
		}
		if len(out) == 0 && len(h.unfinished) > 0 {
			runs(h.unfinished, true)
		}
		if len(out) == 0 && len(h.initials) >= 2 {
			runs(strings.Split(h.initials, ""), false)
		}
	}
	if len(out) == 0 {
		for _, p := range h.pairs {
			eachIndex(norm, p, func(s int) { out = append(out, origSpan(text, offs, s, s+len(p))) })
		}
	}
	return merge(out)
}

// origSpan maps the normalized text's bytes [start, end) back to the
// text they were normalized from (offs: analysis.NormalizeMap's offsets):
// from the character that gave the first byte to the end of the one that
// gave the last, and the combining marks after it, which normalizing
// drops (the accent of e + ◌́). What normalizing dropped beside the
// match stays out of the mark (the ？ of 会怎样？, an emoji after a title),
// and a character normalized into several (℃: °c) is marked whole.
func origSpan(text string, offs []int, start, end int) span {
	if end <= start {
		return span{offs[start], offs[start]}
	}
	last := offs[end-1]
	_, size := utf8.DecodeRuneInString(text[last:])
	e := last + size
	for e < len(text) {
		r, size := utf8.DecodeRuneInString(text[e:])
		if !unicode.Is(unicode.Mn, r) {
			break
		}
		e += size
	}
	return span{offs[start], e}
}

// soundRuns returns the byte spans of norm whose characters read as syl,
// one syllable each and in a row, by any of their readings (还: hai or
// huan), or by their initials when every syllable is one letter; a Latin
// letter or digit reads as itself.
func soundRuns(norm string, syl []string) []span {
	return readSounds(norm).runs(syl, false)
}

// soundChar is a character of a text with every reading it has (还: hai,
// huan) and its byte span.
type soundChar struct {
	readings   []string
	start, end int
}

// soundText is a text read once for every sound looked for in it: its
// characters, and, from its second look on, where each reading and each
// initial starts one. One look (a title checked once for a typo's sound)
// scans the characters; an index would cost more than it saves.
type soundText struct {
	chars     []soundChar
	looks     int
	byReading map[string][]int // reading -> indexes of chars that have it
	byInitial map[byte][]int   // a reading's first letter -> indexes of chars
}

// readSounds reads norm's characters.
func readSounds(norm string) *soundText {
	t := &soundText{chars: make([]soundChar, 0, len(norm)/3)}
	for i, r := range norm {
		rs := analysis.CharReadings(r)
		if rs == nil && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			rs = []string{string(r)} // a Latin letter or digit stands for itself: the e of 京东e卡 in jdek
		}
		t.chars = append(t.chars, soundChar{rs, i, i + utf8.RuneLen(r)})
	}
	return t
}

// index fills byReading and byInitial.
func (t *soundText) index() {
	t.byReading, t.byInitial = map[string][]int{}, map[byte][]int{}
	for k, c := range t.chars {
		for j, p := range c.readings {
			t.byReading[p] = append(t.byReading[p], k)
			if !slices.ContainsFunc(c.readings[:j], func(q string) bool { return q[0] == p[0] }) {
				t.byInitial[p[0]] = append(t.byInitial[p[0]], k)
			}
		}
	}
}

// runs is soundRuns over the text; if unfinished, the last of syl is the
// start of a syllable still being typed (zheng x: 征信). Looked for again
// and again, only the characters that can start a run are tried: a
// question of 200 rare characters has as many misspelt runs to look for
// in each hit.
func (t *soundText) runs(syl []string, unfinished bool) []span {
	if len(syl) == 0 {
		return nil
	}
	initials := true
	for _, s := range syl {
		initials = initials && len(s) == 1
	}
	t.looks++
	if t.looks == 2 {
		t.index()
	}
	var out []span
	try := func(i int) {
		if t.startsRun(i, syl, initials, unfinished) {
			out = append(out, span{t.chars[i].start, t.chars[i+len(syl)-1].end})
		}
	}
	if t.byReading == nil || len(syl) == 1 && unfinished { // any character may start the syllable being typed
		for i := 0; i+len(syl) <= len(t.chars); i++ {
			try(i)
		}
		return out
	}
	starts := t.byReading[syl[0]]
	if initials {
		starts = t.byInitial[syl[0][0]]
	}
	for _, i := range starts {
		if i+len(syl) > len(t.chars) {
			break
		}
		try(i)
	}
	return out
}

// startsRun reports whether the characters from i on read as syl.
func (t *soundText) startsRun(i int, syl []string, initials, unfinished bool) bool {
	for k, s := range syl {
		prefix := unfinished && k == len(syl)-1
		if !slices.ContainsFunc(t.chars[i+k].readings, func(p string) bool {
			return initials && p[:1] == s || prefix && strings.HasPrefix(p, s) || !initials && p == s
		}) {
			return false
		}
	}
	return true
}

func merge(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.start <= last.end {
			last.end = max(last.end, s.end)
		} else {
			out = append(out, s)
		}
	}
	return out
}

// mark renders text[from:to] HTML-escaped with <mark> around spans.
func mark(text string, spans []span, from, to int) string {
	var b strings.Builder
	pos := from
	for _, s := range spans {
		if s.end <= from || s.start >= to {
			continue
		}
		st, en := max(s.start, from), min(s.end, to)
		b.WriteString(html.EscapeString(text[pos:st]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[st:en]))
		b.WriteString("</mark>")
		pos = en
	}
	b.WriteString(html.EscapeString(text[pos:to]))
	return b.String()
}

// title returns the whole title, escaped and marked.
func (h *highlighter) title(title string) string {
	return mark(title, h.spans(title), 0, len(title))
}

// snippet returns about n characters of body around its first match, as
// plain text and as escaped, marked HTML, with … where the body was cut.
func (h *highlighter) snippet(body string, n int) (plain, marked string) {
	if body == "" {
		return "", ""
	}
	first := h.firstMatch(body)
	// Start a little before the match, so it is read in context.
	from := clusterStart(body, backRunes(body, first, n/5))
	end := forwardRunes(body, from, n)
	to := clusterStart(body, end)
	if to <= from {
		// One "character" longer than the snippet (a letter under hundreds
		// of marks): cut inside it rather than show the rest of the body.
		to = end
	}
	spans := shift(h.spans(body[from:to]), from)
	pre, post := "", ""
	if from > 0 {
		pre = "…"
	}
	if to < len(body) {
		post = "…"
	}
	plain = strings.Join(strings.Fields(pre+body[from:to]+post), " ")
	marked = strings.Join(strings.Fields(pre+mark(body, spans, from, to)+post), " ")
	return plain, marked
}

// firstMatch returns the byte offset in body of the query's first match,
// or 0. It looks in the body's first snippetScanBytes only: a hit's cost
// stays bounded however long its body (up to the article size limit), and
// a body that names the query only deep down shows its beginning. Most
// bodies are written as the index normalizes them (simplified, lower
// case), so the words are looked for in the text as it is; only a body
// that holds none of them that way is normalized, its first
// snippetNormScanBytes, to find a traditional or full-width spelling.
// Normalizing 4 KB of every hit's body was a third of a search's CPU.
func (h *highlighter) firstMatch(body string) int {
	limit := snippetScanBytes
	if len(h.needles) > 0 {
		limit += len(h.needles[0]) // the longest: a match may straddle the limit
	}
	scan := body[:runeBoundary(body, limit)]
	first := -1
	for _, n := range h.needles {
		// Once a match is known, only what comes before it is searched.
		in := scan
		if first >= 0 {
			in = scan[:min(len(scan), first+len(n)-1)]
		}
		if i := strings.Index(in, n); i >= 0 {
			first = i
		}
	}
	if first < 0 { // pairs are marked only where no needle is
		for _, p := range h.pairs {
			if i := strings.Index(scan, p); i >= 0 && (first < 0 || i < first) {
				first = i
			}
		}
	}
	if first >= 0 {
		return first
	}
	head := body[:runeBoundary(body, snippetNormScanBytes)]
	if !h.phonetic() && !analysis.Foldable(head) {
		return 0 // normalized, it would hold no more than as written
	}
	if spans := h.normalizedSpans(head); len(spans) > 0 {
		return spans[0].start
	}
	return 0
}

// snippetScanBytes bounds the part of a body searched for its first match
// as written, snippetNormScanBytes the part normalized to find one.
const (
	snippetScanBytes     = 4 << 10
	snippetNormScanBytes = 1 << 10
)

// runeBoundary returns n, or len(s) if shorter, moved back to the start of
// a character.
func runeBoundary(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// shift moves spans found in a part of a text starting at off to the
// text's own offsets.
func shift(spans []span, off int) []span {
	for i := range spans {
		spans[i].start += off
		spans[i].end += off
	}
	return spans
}

func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
		if s[i] == '\n' {
			return i + 1
		}
	}
	return i
}

// clusterStart moves i back to the start of the user-perceived character
// (grapheme cluster) holding it, so that a snippet never cuts a flag in
// two (🇨🇳🇨🇳 cut after its first letter read 🇳🇨, New Caledonia), a skin
// tone from its hand (a bare 🏽) or a family emoji after a joiner. Flags
// pair their letters from the start of the run; anything else is read
// back over what continues a cluster (marks, joiners, variation
// selectors, skin tones, tags), at most clusterLookBack characters, and
// the clusters stepped forward from there.
func clusterStart(s string, i int) int {
	if i <= 0 || i >= len(s) {
		return i
	}
	if next, _ := utf8.DecodeRuneInString(s[i:]); regionalIndicator(next) {
		n, j := 0, i
		for j > 0 {
			r, size := utf8.DecodeLastRuneInString(s[:j])
			if !regionalIndicator(r) {
				break
			}
			n, j = n+1, j-size
		}
		if n%2 == 1 {
			_, size := utf8.DecodeLastRuneInString(s[:i])
			return i - size
		}
		return i
	}
	start := i
	for k := 0; start > 0 && k < clusterLookBack; k++ {
		r, size := utf8.DecodeLastRuneInString(s[:start])
		next, _ := utf8.DecodeRuneInString(s[start:])
		if !continuesCluster(next) && !continuesCluster(r) {
			break
		}
		start -= size
	}
	state := -1
	for rest := s[start:]; start < i && rest != ""; {
		var cluster string
		cluster, rest, _, state = uniseg.StepString(rest, state)
		if start+len(cluster) > i {
			return start
		}
		start += len(cluster)
	}
	return start
}

// clusterLookBack bounds how far clusterStart reads back over the marks
// and joiners of one character.
const clusterLookBack = 64

// continuesCluster reports a rune that joins the character before it or
// is joined to the next (a zero-width joiner): never a place to cut at.
func continuesCluster(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) ||
		r == '\u200d' || unicode.Is(unicode.Variation_Selector, r) ||
		r >= 0x1f3fb && r <= 0x1f3ff || // skin tones
		r >= 0xe0020 && r <= 0xe007f // tags
}

// regionalIndicator reports a letter of a flag: two make one.
func regionalIndicator(r rune) bool { return r >= 0x1f1e6 && r <= 0x1f1ff }

func forwardRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}
