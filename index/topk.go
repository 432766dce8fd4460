package index

import (
	"cmp"
	"container/heap"
	"context"
	"math"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// The top-k evaluator answers a search page without visiting every match.
// It reads the postings of the query's terms, decoded once per segment
// (postingsCache), and scores documents
// as bleve's TF-IDF searchers do (term score sqrt(tf)·norm·idf²·boost,
// disjunctions scaled by the share of their clauses that match, sums
// elsewhere; bleve's query norm is left out, as it scales every score of a
// query alike), so the ranking is bleve's. It skips with MaxScore (Turtle
// and Flood 1995, as Lucene's MaxScoreBulkScorer): a term's score can never
// exceed boost·idf²·impact, impact being the largest sqrt(tf)·norm of its
// postings, and every scaling is at most 1, so once the page
// is full the terms whose summed bounds cannot reach its lowest score only
// score documents that the others bring, and are skipped to them; and a
// document whose bound falls below the page as its lists are read is
// dropped before it is scored. Candidates come only from the lists a match
// needs (node.driving): the rarest term of a phrase or of a conjunction.
//
// Matches are counted exactly up to MaxResultWindow (a reader can never
// page further); past it the evaluator starts skipping and the count it
// reports is a lower bound (topResult.capped).

// docDone is the position of an exhausted postings list.
const docDone = math.MaxUint64

// postings is one term's postings in one field, shared by every query node
// that reads it.
type postings struct {
	field, term string
	cursor      partCursor
	positions   bool    // decoded with positions, for a phrase
	cur         uint64  // current document number, docDone at the end
	df          uint64  // documents in the list
	impact      float64 // the largest sqrt(tf)·norm in the list
	boosts      float64 // the summed boosts of the term queries that read the list
	extra       float64 // the bounds of the phrases it is the rarest term of (see compile)
	idf         float64 // bleve's: 1 + ln(N / (df+1))
	bound       float64 // the most it adds to a document's score
}

// start stands the list on its first document.
func (p *postings) start() {
	p.cursor.settle()
	p.cur = p.cursor.doc()
}

func (p *postings) next() {
	p.cursor.next()
	p.cur = p.cursor.doc()
}

// advance moves to the first document at or after doc.
func (p *postings) advance(doc uint64) {
	if p.cur >= doc {
		return
	}
	p.cursor.advance(doc)
	p.cur = p.cursor.doc()
}

// score is the term's bleve score in the current document, before boost.
func (p *postings) score() float64 {
	return impact(p.cursor.freqNorm()) * p.idf * p.idf
}

// most is the most the current document can get from the list: its score
// under every term query that reads it, and the bounds of the phrases the
// list answers for (at most bound).
func (p *postings) most() float64 { return p.score()*p.boosts + p.extra }

type nodeKind int

const (
	nodeNone nodeKind = iota
	nodeTerm
	nodePhrase
	nodeOr
	nodeAnd
	nodeBool
)

// node is one query of the tree, compiled over shared postings.
type node struct {
	kind  nodeKind
	post  []*postings // term: one; phrase: its terms in order
	boost float64
	kids  []*node // or, and
	min   int     // or: how many kids must match (at least one)
	// bool: must is an and, should an or (optional when must is set),
	// mustNot an or
	must, should, mustNot *node
	cost                  uint64 // driveCost + 1, once known
}

// eval reports whether the document all postings stand at (or past) matches
// the node, and its score.
func (n *node) eval(doc uint64) (bool, float64) {
	switch n.kind {
	case nodeTerm:
		p := n.post[0]
		if p.cur != doc {
			return false, 0
		}
		return true, p.score() * n.boost
	case nodePhrase:
		sum := 0.0
		for _, p := range n.post {
			if p.cur != doc {
				return false, 0
			}
			sum += p.score() * n.boost
		}
		return len(n.post) == 1 || phraseAt(n.post), sum // one term: no positions read
	case nodeOr:
		m, sum := 0, 0.0
		for _, k := range n.kids {
			if ok, s := k.eval(doc); ok {
				m++
				sum += s
			}
		}
		if m < max(1, n.min) {
			return false, 0
		}
		return true, sum * float64(m) / float64(len(n.kids))
	case nodeAnd:
		sum := 0.0
		for _, k := range n.kids {
			ok, s := k.eval(doc)
			if !ok {
				return false, 0
			}
			sum += s
		}
		return true, sum
	case nodeBool:
		if n.mustNot != nil {
			if ok, _ := n.mustNot.eval(doc); ok {
				return false, 0
			}
		}
		sum := 0.0
		if n.must != nil {
			ok, s := n.must.eval(doc)
			if !ok {
				return false, 0
			}
			sum = s
		}
		if n.should != nil {
			ok, s := n.should.eval(doc)
			if !ok && n.must == nil {
				return false, 0
			}
			sum += s
		}
		return n.must != nil || n.should != nil, sum
	}
	return false, 0
}

// driving marks postings that every document matching the node holds one
// of: candidates come from these lists only. A phrase or conjunction needs
// all its parts, so its cheapest part drives (as bleve's conjunctions do);
// a disjunction needing m of its n parts, its n-m+1 cheapest; a boolean's
// optional and excluded clauses never drive.
func (n *node) driving(mark map[*postings]bool) {
	switch n.kind {
	case nodeTerm:
		mark[n.post[0]] = true
	case nodePhrase:
		mark[rarestOf(n.post)] = true
	case nodeAnd:
		cheapest := n.kids[0]
		for _, k := range n.kids[1:] {
			if k.driveCost() < cheapest.driveCost() {
				cheapest = k
			}
		}
		cheapest.driving(mark)
	case nodeOr:
		kids := n.kids
		if need := max(1, n.min); need > 1 {
			kids = slices.Clone(kids)
			slices.SortStableFunc(kids, func(a, b *node) int { return cmp.Compare(a.driveCost(), b.driveCost()) })
			kids = kids[:max(0, len(kids)-need+1)]
		}
		for _, k := range kids {
			k.driving(mark)
		}
	case nodeBool:
		if n.must != nil {
			n.must.driving(mark)
		} else if n.should != nil {
			n.should.driving(mark)
		}
	}
}

// rarestOf returns the shortest of lists, the first of equals.
func rarestOf(lists []*postings) *postings {
	rarest := lists[0]
	for _, p := range lists[1:] {
		if p.df < rarest.df {
			rarest = p
		}
	}
	return rarest
}

// driveCost is how many postings the node's driving lists hold, worked
// out once per node (driving asks it of the same kids again and again).
func (n *node) driveCost() uint64 {
	if n.cost == 0 {
		mark := map[*postings]bool{}
		n.driving(mark)
		for p := range mark {
			n.cost += p.df
		}
		n.cost++ // 0 means not worked out yet
	}
	return n.cost
}

// phraseAt reports whether the terms stand one after the other somewhere
// in the document every list stands on.
func phraseAt(ps []*postings) bool {
	for _, start := range ps[0].cursor.positions() {
		ok := true
		for i, p := range ps[1:] {
			if !slices.Contains(p.cursor.positions(), start+uint32(i)+1) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// compiler turns a query tree into nodes over shared postings.
type compiler struct {
	n     uint64 // documents in the index
	segs  *segLists
	lists map[string]*postings
	order []*postings
}

func newCompiler(n uint64, segs []snapSegment, cache *postingsCache) *compiler {
	return &compiler{n: n, segs: newSegLists(segs, cache), lists: map[string]*postings{}}
}

// errUnsupported marks a query the evaluator does not handle; bleve runs it.
type errUnsupported struct{}

func (errUnsupported) Error() string { return "query not supported by the top-k evaluator" }

func (c *compiler) compile(q query.Query) (*node, error) {
	switch q := q.(type) {
	case *query.TermQuery:
		p, err := c.postings(q.FieldVal, q.Term, false)
		if err != nil {
			return nil, err
		}
		p.boosts += q.Boost()
		p.bound += q.Boost() * p.idf * p.idf * p.impact
		return &node{kind: nodeTerm, post: []*postings{p}, boost: q.Boost()}, nil
	case *query.PhraseQuery:
		if len(q.Terms) == 0 || q.Fuzziness != 0 {
			return nil, errUnsupported{}
		}
		n := &node{kind: nodePhrase, boost: q.Boost()}
		phraseBound := 0.0
		for _, t := range q.Terms {
			p, err := c.postings(q.FieldVal, t, len(q.Terms) > 1)
			if err != nil {
				return nil, err
			}
			phraseBound += q.Boost() * p.idf * p.idf * p.impact
			n.post = append(n.post, p)
		}
		// A document scores the phrase only if it holds every term, the
		// rarest too: the whole phrase's bound is that list's to carry.
		// The common terms' lists keep low bounds and stop driving once
		// the page is full (MaxScore), instead of each carrying the
		// phrase's boost, the largest of the search.
		rarest := rarestOf(n.post) // the list that drives the phrase (driving)
		rarest.extra += phraseBound
		rarest.bound += phraseBound
		return n, nil
	case *query.DisjunctionQuery:
		kids, err := c.compileAll(q.Disjuncts)
		if err != nil {
			return nil, err
		}
		if len(kids) == 0 {
			return &node{kind: nodeNone}, nil
		}
		return &node{kind: nodeOr, kids: kids, min: int(q.Min)}, nil
	case *query.ConjunctionQuery:
		kids, err := c.compileAll(q.Conjuncts)
		if err != nil {
			return nil, err
		}
		if len(kids) == 0 {
			return &node{kind: nodeNone}, nil
		}
		return &node{kind: nodeAnd, kids: kids}, nil
	case *query.BooleanQuery:
		if q.Filter != nil {
			return nil, errUnsupported{}
		}
		n := &node{kind: nodeBool}
		var err error
		for _, part := range []struct {
			q  query.Query
			to **node
		}{{q.Must, &n.must}, {q.Should, &n.should}, {q.MustNot, &n.mustNot}} {
			if part.q == nil {
				continue
			}
			if *part.to, err = c.compile(part.q); err != nil {
				return nil, err
			}
		}
		return n, nil
	case *query.MatchNoneQuery:
		return &node{kind: nodeNone}, nil
	}
	return nil, errUnsupported{}
}

func (c *compiler) compileAll(qs []query.Query) ([]*node, error) {
	out := make([]*node, 0, len(qs))
	for _, q := range qs {
		n, err := c.compile(q)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// postings opens (once) the postings of term in field, with positions
// for a phrase.
func (c *compiler) postings(field, term string, positions bool) (*postings, error) {
	key := field + "\x00" + term
	p := c.lists[key]
	if p != nil && (p.positions || !positions) {
		return p, nil
	}
	if p == nil {
		p = &postings{field: field, term: term}
		c.lists[key] = p
		c.order = append(c.order, p)
	}
	p.positions = positions
	var err error
	if p.cursor.parts, p.df, p.impact, err = c.segs.parts(field, term, positions); err != nil {
		return nil, err
	}
	p.idf = 1 + math.Log(float64(c.n)/float64(p.df+1))
	return p, nil
}

// topHit is a matching document and its score.
type topHit struct {
	doc   uint64
	score float64
}

// hitHeap keeps the best hits with the worst on top. Of equal scores the
// earlier document ranks first, as in bleve.
type hitHeap []topHit

func (h hitHeap) Len() int { return len(h) }
func (h hitHeap) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].doc > h[j].doc
}
func (h hitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)   { *h = append(*h, x.(topHit)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// beats reports whether a document would enter a full heap.
func (h hitHeap) beats(t topHit) bool {
	w := h[0]
	return t.score > w.score || t.score == w.score && t.doc < w.doc
}

// topResult is the evaluator's answer: the best k hits, best first, and
// how many documents match (a lower bound when capped).
type topResult struct {
	hits   []topHit
	total  uint64
	capped bool
}

// exactCount is how many matches are counted one by one before skipping
// starts: a reader never pages past MaxResultWindow.
const exactCount = 1000

// topK evaluates q and returns its k best hits; with k = 0 it only counts
// matches, up to exact.
// Postings are decoded through cache (nil: for this query only); r must be
// a scorch snapshot (errUnsupported otherwise).
func topK(ctx context.Context, r bindex.IndexReader, q query.Query, k int, exact uint64, cache *postingsCache) (*topResult, error) {
	if err := ctx.Err(); err != nil { // a short query never reaches a check in the loop
		return nil, searchErr(ctx, err)
	}
	segs, ok := snapshotSegments(r)
	if !ok {
		return nil, errUnsupported{}
	}
	n, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	c := newCompiler(n, segs, cache)
	root, err := c.compile(q)
	if err != nil {
		return nil, err
	}
	lists := c.order
	for _, p := range lists {
		p.start()
	}
	// Lists that cannot make a match alone (a boolean's optional clauses,
	// its exclusions) never drive; the others in ascending bounds, the
	// first to become non-essential first. below[i] sums the bounds of
	// lists[:i].
	drive := map[*postings]bool{}
	root.driving(drive)
	sort.SliceStable(lists, func(i, j int) bool {
		if drive[lists[i]] != drive[lists[j]] {
			return !drive[lists[i]]
		}
		return lists[i].bound < lists[j].bound
	})
	below := make([]float64, len(lists)+1)
	essential := 0 // lists[essential:] drive the candidates
	for i, p := range lists {
		below[i+1] = below[i] + p.bound
		if !drive[p] {
			essential = i + 1
		}
	}
	res := &topResult{}
	h := make(hitHeap, 0, k+1)
	prune := false // the page is full and enough matches are counted
	for steps := 0; ; steps++ {
		if steps%ctxEvery == ctxEvery-1 && ctx.Err() != nil {
			return nil, searchErr(ctx, ctx.Err())
		}
		doc := uint64(docDone)
		for _, p := range lists[essential:] {
			doc = min(doc, p.cur)
		}
		if doc == docDone {
			break
		}
		// The most doc can score: what the driving lists give it, and the
		// bounds of the others until they are read.
		ub := below[essential]
		for _, p := range lists[essential:] {
			if p.cur == doc {
				ub += p.most()
			}
		}
		// Skip the other lists to doc, most promising first, as long as
		// the document can still make the page.
		candidate := true
		for i := essential - 1; i >= 0; i-- {
			if prune && !h.beats(topHit{doc, ub * (1 + 1e-9)}) { // 1e-9: rounding in ub
				candidate = false
				break
			}
			p := lists[i]
			p.advance(doc)
			ub -= p.bound
			if p.cur == doc {
				ub += p.most()
			}
		}
		if candidate && (!prune || h.beats(topHit{doc, ub * (1 + 1e-9)})) {
			if ok, s := root.eval(doc); ok {
				res.total++
				if k == 0 && res.total >= exact {
					break
				}
				if t := (topHit{doc, s}); len(h) < k {
					heap.Push(&h, t)
				} else if h.beats(t) {
					h[0] = t
					heap.Fix(&h, 0)
				}
			}
		}
		for _, p := range lists[essential:] {
			if p.cur == doc {
				p.next()
			}
		}
		if !prune && res.total >= exact && len(h) == k && k > 0 {
			prune, res.capped = true, true
		}
		if prune {
			// The lists whose bounds together cannot reach the page's
			// lowest score stop driving.
			for essential < len(lists) && below[essential+1] < h[0].score {
				essential++
			}
		}
	}
	res.hits = make([]topHit, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		res.hits[i] = heap.Pop(&h).(topHit)
	}
	return res, nil
}
