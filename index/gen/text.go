package gen

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// title writes a title of MinTitleLen–MaxTitleLen characters for a topic
// from the site's title templates. It draws only from r, so an article's
// title can be regenerated from its number alone (see related).
func (g *generator) title(r *rng, tp *topic) string {
	for range 8 {
		g.line = g.line[:0]
		if r.percent(30) {
			g.expand(r, tp, one(r, g.prefixes))
		}
		g.gCount = 0
		g.expand(r, tp, one(r, g.titles))
		suffix := ""
		switch {
		case g.gCount == 0 && r.percent(70):
			// Real titles are specific; a general noun makes the title so.
			suffix = one(r, g.nounSuffixes)
		case r.percent(10):
			suffix = one(r, g.suffixes)
		}
		if suffix != "" {
			g.line = bytes.TrimSuffix(g.line, []byte("?"))
			g.expand(r, tp, suffix)
		}
		n := utf8.RuneCount(g.line)
		if n < MinTitleLen {
			// Short titles get a year in front, as in "2024年网贷逾期详解";
			// no topic name is so short that this does not suffice.
			year := strconv.AppendInt(make([]byte, 0, len(g.line)+7), int64(r.between(2019, 2026)), 10)
			g.line = append(append(year, "年"...), g.line...)
			n += 5
		}
		if n <= MaxTitleLen {
			return string(g.line)
		}
	}
	// Eight titles too long in a row: the topic name cannot be, as heads
	// and aspects are short.
	return strconv.Itoa(r.between(2019, 2026)) + "年" + tp.name + "详解"
}

// expand appends a template with its {…} placeholders filled in.
func (g *generator) expand(r *rng, tp *topic, tmpl string) {
	for tmpl != "" {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			g.line = append(g.line, tmpl...)
			return
		}
		g.line = append(g.line, tmpl[:i]...)
		j := strings.IndexByte(tmpl[i:], '}')
		key := tmpl[i+1 : i+j]
		tmpl = tmpl[i+j+1:]
		switch key {
		case "T":
			g.line = append(g.line, tp.name...)
		case "H":
			g.line = append(g.line, tp.head...)
		case "A":
			g.line = append(g.line, tp.aspect...)
		case "H2":
			g.line = append(g.line, one(r, tp.peers)...)
		case "G":
			g.line = append(g.line, one(r, g.titleNouns)...)
			g.gCount++
		case "V":
			g.line = append(g.line, one(r, g.titleVerbs)...)
		case "Y":
			g.line = strconv.AppendInt(g.line, int64(r.between(2019, 2026)), 10)
		case "K":
			g.line = strconv.AppendInt(g.line, int64(r.between(3, 10)), 10)
		default:
			panic("gen: unknown template key " + key) // a bug in lexicon.go
		}
	}
}

// body writes MinBodyLen–MaxBodyLen characters of paragraphs separated by
// blank lines, as the site's exported pages have them: an introduction
// naming the topic, paragraphs of sentences, sometimes a numbered list,
// and a conclusion when the article is long enough.
func (g *generator) body(r *rng, tp *topic) string {
	// Skewed towards shorter articles: mean about 800 characters.
	span := MaxBodyLen - MinBodyLen
	target := MinBodyLen + (min(r.intn(span+1), r.intn(span+1))+r.intn(span+1))/2
	g.sb.Reset()
	g.sb.Grow(target * 3)
	g.n = 0

	// Introduction.
	g.line = g.line[:0]
	g.expand(r, tp, one(r, g.intros))
	if !g.emit("") {
		return g.finish()
	}
	for range r.between(1, 3) {
		g.line = g.line[:0]
		g.sentence(r, tp, false)
		if !g.emit("") {
			return g.finish()
		}
	}

	listed, concluded := false, false
	for g.n < target {
		switch {
		case !listed && r.percent(15):
			listed = true
			if !g.list(r, tp) {
				return g.finish()
			}
		case !concluded && g.n >= target*3/4:
			concluded = true
			g.line = append(g.line[:0], one(r, []string{"综上所述", "总的来说", "总而言之"})...)
			g.line = append(g.line, ","...)
			g.line = append(g.line, tp.name...)
			g.sentence(r, tp, false)
			if !g.emit("\n\n") {
				return g.finish()
			}
		default:
			sep := "\n\n"
			for k := range r.between(2, 6) {
				g.line = g.line[:0]
				g.sentence(r, tp, k == 0 && r.percent(50))
				if !g.emit(sep) {
					return g.finish()
				}
				sep = ""
				if g.n >= target {
					break
				}
			}
		}
	}
	return g.finish()
}

// list writes a numbered list paragraph in the style of the site's pages
// ("  1. 成功协商且按约定还款:…"); false when the body is full.
func (g *generator) list(r *rng, tp *topic) bool {
	g.line = append(g.line[:0], one(r, []string{"具体可以分为以下几种情况:", "以下几点需要注意:", "主要有以下几个方面:"})...)
	if !g.emit("\n\n") {
		return false
	}
	for k := range r.between(2, 4) {
		g.line = append(g.line[:0], "  "...)
		g.line = strconv.AppendInt(g.line, int64(k+1), 10)
		g.line = append(g.line, ". "...)
		g.line = append(g.line, g.topicWord(r, tp)...)
		g.line = append(g.line, g.noun(r, tp)...)
		g.line = append(g.line, ":"...)
		g.sentence(r, tp, false)
		if !g.emit("\n\n") {
			return false
		}
	}
	return true
}

// emit appends sep and the pending line to the body unless that would pass
// MaxBodyLen characters.
func (g *generator) emit(sep string) bool {
	m := len(sep) + runeCount(g.line) // sep is ASCII
	if g.n+m > MaxBodyLen {
		return false
	}
	g.sb.WriteString(sep)
	g.sb.Write(g.line)
	g.n += m
	return true
}

// runeCount counts the characters of UTF-8 text the generator wrote, which
// is valid by construction: every byte but continuation bytes starts one.
// It is several times faster than utf8.RuneCount on CJK text.
func runeCount(b []byte) int {
	n := 0
	for _, c := range b {
		if c&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

func (g *generator) finish() string {
	s := g.sb.String()
	g.sb.Reset()
	return s
}

// sentence appends one sentence of one to four clauses.
func (g *generator) sentence(r *rng, tp *topic, opener bool) {
	if opener {
		g.line = append(g.line, one(r, g.openers)...)
		g.line = append(g.line, ","...)
	}
	clauses := r.between(1, 3)
	if r.percent(20) {
		clauses++
	}
	for c := range clauses {
		if c > 0 {
			if r.percent(5) {
				g.line = append(g.line, ";"...)
			} else {
				g.line = append(g.line, ","...)
			}
		}
		g.clause(r, tp, one(r, g.patterns))
	}
	switch x := r.intn(100); {
	case x < 88:
		g.line = append(g.line, "。"...)
	case x < 95:
		g.line = append(g.line, "?"...)
	default:
		g.line = append(g.line, "!"...)
	}
}

// clause appends words following a clause pattern, with a word
// of the whole general vocabulary slipped in now and then so that its
// Zipfian mix (了, 是, 在 …) shows through.
func (g *generator) clause(r *rng, tp *topic, pattern string) {
	for _, c := range []byte(pattern) {
		if c != 'u' && r.percent(6) {
			g.line = append(g.line, g.voc.all.pick(r)...)
		}
		switch c {
		case 'N':
			g.line = append(g.line, g.noun(r, tp)...)
		case 'V':
			switch x := r.intn(100); {
			case x < 20:
				g.line = append(g.line, one(r, tp.verbs)...)
			case x < 30:
				g.line = append(g.line, one(r, g.verbs)...)
			default:
				g.line = append(g.line, g.voc.classes[classVerb].pick(r)...)
			}
		case 'A':
			g.line = append(g.line, g.voc.classes[classAdj].pick(r)...)
		case 'D':
			g.line = append(g.line, g.voc.classes[classAdverb].pick(r)...)
		case 'P':
			g.line = append(g.line, g.voc.classes[classPrep].pick(r)...)
		case 'C':
			g.line = append(g.line, g.voc.classes[classConj].pick(r)...)
		case 'R':
			g.line = append(g.line, g.voc.classes[classPronoun].pick(r)...)
		case 'T':
			g.line = append(g.line, g.voc.classes[classTime].pick(r)...)
		case 'F':
			g.line = append(g.line, g.voc.classes[classPlace].pick(r)...)
		case 'L':
			g.line = append(g.line, g.voc.classes[classPhrase].pick(r)...)
		case 'G':
			g.line = append(g.line, g.voc.all.pick(r)...)
		case 'X':
			if r.percent(4) {
				g.line = append(g.line, "“"...)
				g.line = append(g.line, g.topicWord(r, tp)...)
				g.line = append(g.line, "”"...)
			} else {
				g.line = append(g.line, g.topicWord(r, tp)...)
			}
		case 'u':
			g.line = append(g.line, "的"...)
		case '#':
			u := one(r, g.units)
			n := r.between(1, 36)
			if strings.HasSuffix(u, "元") {
				n *= 100
			}
			g.line = strconv.AppendInt(g.line, int64(n), 10)
			g.line = append(g.line, u...)
		default:
			panic("gen: unknown clause pattern letter " + string(c)) // a bug in lexicon.go
		}
	}
}

// noun draws a noun: often the topic's, sometimes the site's, mostly the
// general vocabulary's.
func (g *generator) noun(r *rng, tp *topic) string {
	switch x := r.intn(100); {
	case x < 18:
		return g.topicWord(r, tp)
	case x < 35:
		return one(r, g.nouns)
	default:
		return g.voc.classes[classNoun].pick(r)
	}
}

// topicWord draws one of the topic's own words, favouring its head.
func (g *generator) topicWord(r *rng, tp *topic) string {
	switch x := r.intn(100); {
	case x < 25:
		return tp.head
	case x < 35:
		return tp.name
	case x < 45:
		return tp.aspect
	default:
		return one(r, tp.words)
	}
}
