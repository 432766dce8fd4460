package gen

import (
	_ "embed"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// vocabTxt is the general vocabulary: the 6,000 most frequent words of gse's
// simplified-Chinese dictionary in the parts of speech that make plausible
// filler, with gse's frequencies. mkvocab.go derives it (go generate).
//
//go:generate go run mkvocab.go
//go:embed vocab.txt
var vocabTxt string

// Word classes the sentence grammar draws from, keyed by gse's
// part-of-speech tags.
const (
	classNoun = iota
	classVerb
	classAdj
	classAdverb
	classPrep
	classConj
	classPronoun
	classTime
	classPlace
	classPhrase
	numClasses
)

// classOf maps a gse part-of-speech tag to a word class, or -1 for words
// that only enter text through the whole-vocabulary table.
func classOf(pos string) int {
	switch pos {
	case "n", "vn", "an":
		return classNoun
	case "v", "vd", "vi":
		return classVerb
	case "a", "ad", "z", "b":
		return classAdj
	case "d":
		return classAdverb
	case "p":
		return classPrep
	case "c":
		return classConj
	case "r":
		return classPronoun
	case "t":
		return classTime
	case "f", "s":
		return classPlace
	case "l":
		return classPhrase
	}
	return -1
}

// vocab is the parsed general vocabulary: one Zipfian table over all words
// and one per word class.
type vocab struct {
	all     *table
	classes [numClasses]*table
}

// parseVocab reads vocab.txt's "word frequency pos" lines.
func parseVocab(src string) (*vocab, error) {
	var all tableBuilder
	var classes [numClasses]tableBuilder
	for n, line := range strings.Split(src, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("vocab.txt:%d: want \"word frequency pos\", got %q", n+1, line)
		}
		freq, err := strconv.ParseUint(f[1], 10, 32)
		if err != nil || freq == 0 {
			return nil, fmt.Errorf("vocab.txt:%d: bad frequency %q", n+1, f[1])
		}
		all.add(f[0], freq)
		if c := classOf(f[2]); c >= 0 {
			classes[c].add(f[0], freq)
		}
	}
	v := &vocab{all: all.build()}
	for c := range classes {
		if len(classes[c].words) == 0 {
			return nil, fmt.Errorf("vocab.txt: no words of class %d", c)
		}
		v.classes[c] = classes[c].build()
	}
	return v, nil
}

// table samples words with probability proportional to their frequency.
// It uses integer arithmetic only, so a seed gives the same words on every
// platform. A guide table indexed by the draw's top bits finds the first
// candidate word in O(1); a short forward scan finishes the search.
type table struct {
	words []string
	cum   []uint64 // cum[k] = sum of frequencies of words[0..k]
	guide []int32  // guide[g] = first k with cum[k] > g*total/len(guide)
	total uint64
}

type tableBuilder struct {
	words []string
	freqs []uint64
}

func (b *tableBuilder) add(w string, f uint64) {
	b.words = append(b.words, w)
	b.freqs = append(b.freqs, f)
}

func (b *tableBuilder) build() *table {
	t := &table{words: b.words, cum: make([]uint64, len(b.words))}
	for k, f := range b.freqs {
		t.total += f
		t.cum[k] = t.total
	}
	t.guide = make([]int32, 2*len(t.words))
	k := 0
	for g := range t.guide {
		lo := uint64(g) * t.total / uint64(len(t.guide))
		for t.cum[k] <= lo {
			k++
		}
		t.guide[g] = int32(k)
	}
	return t
}

// pick draws one word.
func (t *table) pick(r *rng) string {
	x := r.below(t.total)
	k := int(t.guide[x*uint64(len(t.guide))/t.total])
	for t.cum[k] <= x {
		k++
	}
	return t.words[k]
}

// rng is a PCG generator with unbiased bounded draws of its own, so that
// output depends only on the PCG algorithm, not on math/rand's helpers.
type rng struct{ pcg rand.PCG }

// seed restarts the generator on the stream (a, b) after mixing both.
func (r *rng) seed(a, b uint64) { r.pcg.Seed(mix(a), mix(b^0x9e3779b97f4a7c15)) }

// below returns a uniform value in [0, n); n must be > 0 (Lemire's method).
func (r *rng) below(n uint64) uint64 {
	hi, lo := bits.Mul64(r.pcg.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.pcg.Uint64(), n)
		}
	}
	return hi
}

// intn returns a uniform int in [0, n); n must be > 0.
func (r *rng) intn(n int) int { return int(r.below(uint64(n))) }

// between returns a uniform int in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// percent reports true with probability p/100.
func (r *rng) percent(p int) bool { return r.below(100) < uint64(p) }

// one returns a uniformly chosen element of xs.
func one[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// mix is the SplitMix64 finalizer: it spreads nearby seeds (article
// numbers) into unrelated PCG states.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
