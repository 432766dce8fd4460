package index

import (
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"math"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// The top-k evaluator answers a search page without visiting every match.
// It reads the postings of the query's terms, decoded once per segment
// (postingsCache), and scores documents
// as bleve's TF-IDF searchers do (term score sqrt(tf)·norm·idf²·boost,
// disjunctions scaled by the share of their clauses that match, a group
// of synonyms by its best spelling (synonymsQuery, whose bleve searcher
// does the same), sums elsewhere; bleve's query norm is left out, as it
// scales every score of a query alike), so the ranking is bleve's. It
// skips with MaxScore (Turtle and Flood 1995, as Lucene's
// MaxScoreBulkScorer): a term's score can never
// exceed boost·idf²·impact, impact being the largest sqrt(tf)·norm of its
// postings, and every scaling is at most 1, so once the page
// is full the terms whose summed bounds cannot reach its lowest score only
// score documents that the others bring, and are skipped to them; and a
// document whose bound falls below the page as its lists are read is
// dropped before it is scored. Candidates come only from the lists a match
// needs (node.driving): the rarest term of a phrase or of a conjunction.
// Once the page is full, bounds are taken per window of documents and
// through the query's structure (windows, node.reach), so a window where
// no document can make the page is stepped over.
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
	window      float64 // the most it adds to a document of the current window
	windowMost  float64 // its largest sqrt(tf)·norm there, 0 when it has none there
	part        int     // the part windowBound looked at last
	in          bool    // see node.reach
	drives      bool    // candidates come from it (node.driving)
	bit         uint64  // its bit in the query's masks (node.mask); 0: none
	scored      uint64  // 1 + the document scoreAt is for; 0: none yet
	scoreAt     float64
}

// windowBound sets window and windowMost for window win of the segment
// whose first document is start (0 when the list holds none there), the
// window being 1<<bits blocks of 1<<shift documents: the largest of the
// list's bounds there. Windows are asked for in document order.
func (p *postings) windowBound(start, win uint64, shift, bits uint8) {
	p.window, p.windowMost = 0, 0
	parts := p.cursor.parts
	for p.part < len(parts) && parts[p.part].offset < start {
		p.part++
	}
	if p.part == len(parts) || parts[p.part].offset != start {
		return // no posting in the segment
	}
	d := parts[p.part].list
	if d == nil { // read in place: no bounds by window
		p.window, p.windowMost = p.bound, p.impact
		return
	}
	from, to := win<<bits, (win+1)<<bits // in blocks of d
	switch {
	case d.windowMax != nil && d.shift == shift:
	case d.windowMax != nil && d.shift == shift+foldBits: // bounds of folded blocks
		from, to = from>>foldBits, (to+1<<foldBits-1)>>foldBits
	default: // no bounds by block
		first, last := uint64(d.docs[0])>>(shift+bits), uint64(d.docs[len(d.docs)-1])>>(shift+bits)
		if first <= win && win <= last {
			p.window, p.windowMost = p.bound, p.impact
		}
		return
	}
	most := float32(0)
	for _, x := range d.windowMax[min(from, uint64(len(d.windowMax))):min(to, uint64(len(d.windowMax)))] {
		most = max(most, x)
	}
	if most > 0 {
		p.windowMost = float64(most)
		p.window = p.boosts*p.idf*p.idf*p.windowMost + p.extra
	}
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
// Worked out once per document: the lists of title bigrams serve a
// phrase, a quorum and the ranking clauses at once, and bounds ask first.
func (p *postings) score() float64 {
	if p.scored != p.cur+1 {
		p.scored, p.scoreAt = p.cur+1, impact(p.cursor.freqNorm())*p.idf*p.idf
	}
	return p.scoreAt
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
	// or: scores the best of its kids' scores over how many kids it has
	// (synonymsQuery), not their sum scaled by the share that match
	best bool
	size float64 // best: what divides the best score (synonymsQuery.size)
	// bool: must is an and, should an or (optional when must is set),
	// mustNot an or
	must, should, mustNot *node
	cost                  uint64 // driveCost + 1, once known
	// mask holds the bits of lists a match needs one of (of a boolean,
	// those of its required clause, or with none of its optional one):
	// a document none of them holds cannot match, and eval steps over
	// the node. wide: some of them have no bit (past the 64th list of a
	// query), so the mask says nothing.
	mask uint64
	wide bool
}

// eval reports whether the document all postings stand at (or past) matches
// the node, and its score. at holds the bits of the lists that stand at
// doc (evaluation.at): a kid none of whose lists is there is stepped over
// unwalked, as most of a long query's clauses are at any one document.
func (n *node) eval(doc, at uint64) (bool, float64) {
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
		m, sum, top := 0, 0.0, 0.0
		for _, k := range n.kids {
			if k.absent(at) {
				continue
			}
			if ok, s := k.eval(doc, at); ok {
				m++
				sum += s
				top = max(top, s)
			}
		}
		return n.orScore(m, sum, top)
	case nodeAnd:
		sum := 0.0
		for _, k := range n.kids {
			if k.absent(at) {
				return false, 0
			}
			ok, s := k.eval(doc, at)
			if !ok {
				return false, 0
			}
			sum += s
		}
		return true, sum
	case nodeBool:
		if n.mustNot != nil && !n.mustNot.absent(at) {
			if ok, _ := n.mustNot.eval(doc, at); ok {
				return false, 0
			}
		}
		sum := 0.0
		if n.must != nil {
			if n.must.absent(at) {
				return false, 0
			}
			ok, s := n.must.eval(doc, at)
			if !ok {
				return false, 0
			}
			sum = s
		}
		if n.should != nil {
			ok, s := false, 0.0
			if !n.should.absent(at) {
				ok, s = n.should.eval(doc, at)
			}
			if !ok && n.must == nil {
				return false, 0
			}
			sum += s
		}
		return n.must != nil || n.should != nil, sum
	}
	return false, 0
}

// absent reports whether none of the lists a match of n needs stands at
// the document whose lists' bits are at: then n cannot match it.
func (n *node) absent(at uint64) bool { return !n.wide && n.mask&at == 0 }

// setMasks sets the masks of n and the nodes under it (see node.mask),
// the lists' bits given.
func (n *node) setMasks() {
	switch n.kind {
	case nodeTerm, nodePhrase:
		for _, p := range n.post {
			n.mask |= p.bit
			n.wide = n.wide || p.bit == 0
		}
	case nodeOr, nodeAnd:
		for _, k := range n.kids {
			k.setMasks()
			n.mask |= k.mask
			n.wide = n.wide || k.wide
		}
	case nodeBool:
		for _, k := range []*node{n.must, n.should, n.mustNot} {
			if k != nil {
				k.setMasks()
			}
		}
		// A match needs one of its required clauses' lists, or, with none
		// required, one of its optional clauses'; exclusions never make one.
		k := n.must
		if k == nil {
			k = n.should
		}
		if k != nil {
			n.mask, n.wide = k.mask, k.wide
		}
	}
}

// matches reports whether the document all postings stand at (or past)
// matches the node: eval without the scores, for documents that can only
// count (evaluation.counted).
func (n *node) matches(doc uint64) bool {
	switch n.kind {
	case nodeTerm:
		return n.post[0].cur == doc
	case nodePhrase:
		for _, p := range n.post {
			if p.cur != doc {
				return false
			}
		}
		return len(n.post) == 1 || phraseAt(n.post)
	case nodeOr:
		m, need := 0, max(1, n.min)
		for i, k := range n.kids {
			if k.matches(doc) {
				if m++; m >= need {
					return true
				}
			} else if len(n.kids)-i-1 < need-m {
				return false // too few left to reach need
			}
		}
		return false
	case nodeAnd:
		for _, k := range n.kids {
			if !k.matches(doc) {
				return false
			}
		}
		return true
	case nodeBool:
		if n.mustNot != nil && n.mustNot.matches(doc) {
			return false
		}
		if n.must != nil {
			return n.must.matches(doc)
		}
		return n.should != nil && n.should.matches(doc)
	}
	return false
}

// orScore is what a disjunction of n's kids scores when m of them match,
// their scores summing to sum, the best of them top: bleve's coordination
// (the sum scaled by the share of clauses that match), or for a group of
// synonyms (n.best) the best spelling over the group's size. eval and reach
// combine their kids' scores and bounds with it.
func (n *node) orScore(m int, sum, top float64) (bool, float64) {
	if m < max(1, n.min) {
		return false, 0
	}
	if n.best {
		return true, top / n.size
	}
	return true, sum * float64(m) / float64(len(n.kids))
}

// reach reports whether a document that none of the lists but those
// marked in holds (with their bounds in the current window) can match n,
// and the most it can score there. A disjunction's score is scaled by the
// share of its clauses that match, so a document that only holds the
// words of one clause of four gets a quarter of that clause's bound at
// most: the words of a long field (bodies) rarely make a page alone.
// It combines clauses as eval does; one walker for both, with a flag,
// made every search 5–8% slower (eval is the evaluator's hottest call).
func (n *node) reach() (bool, float64) {
	switch n.kind {
	case nodeTerm:
		p := n.post[0]
		if !p.in || p.windowMost == 0 {
			return false, 0
		}
		return true, n.boost * p.idf * p.idf * p.windowMost
	case nodePhrase:
		sum := 0.0
		for _, p := range n.post {
			if !p.in || p.windowMost == 0 {
				return false, 0
			}
			sum += n.boost * p.idf * p.idf * p.windowMost
		}
		return true, sum
	case nodeOr:
		m, sum, top := 0, 0.0, 0.0
		for _, k := range n.kids {
			if ok, s := k.reach(); ok {
				m++
				sum += s
				top = max(top, s)
			}
		}
		return n.orScore(m, sum, top)
	case nodeAnd:
		sum := 0.0
		for _, k := range n.kids {
			ok, s := k.reach()
			if !ok {
				return false, 0
			}
			sum += s
		}
		return true, sum
	case nodeBool:
		sum := 0.0
		if n.must != nil {
			ok, s := n.must.reach()
			if !ok {
				return false, 0
			}
			sum = s
		}
		if n.should != nil {
			ok, s := n.should.reach()
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
	reading listReading // lists the cache does not hold
	n       uint64      // documents in the index
	segs    *segLists
	lists   map[string]*postings
	order   []*postings
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
		return c.term(q, 1)
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
	case *synonymsQuery:
		// Each spelling adds at most its share of its score (the best
		// one's, over the group's size): the lists' bounds say so too.
		n := &node{kind: nodeOr, best: true, size: q.size()}
		for _, t := range q.Synonyms {
			k, err := c.term(t, 1/q.size())
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, k)
		}
		if len(n.kids) == 0 {
			return &node{kind: nodeNone}, nil
		}
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

// term compiles a term query whose score counts share of itself at most
// in the document's (1, or a synonym's share of its group): its list's
// bounds take that share of the term's boost.
func (c *compiler) term(q *query.TermQuery, share float64) (*node, error) {
	p, err := c.postings(q.FieldVal, q.Term, false)
	if err != nil {
		return nil, err
	}
	p.boosts += q.Boost() * share
	p.bound += q.Boost() * share * p.idf * p.idf * p.impact
	return &node{kind: nodeTerm, post: []*postings{p}, boost: q.Boost()}, nil
}

// setMasks gives the first 64 lists of the query their bits and the
// nodes of root their masks (node.mask).
func (c *compiler) setMasks(root *node) {
	for i, p := range c.order {
		if i < 64 {
			p.bit = 1 << i
		}
	}
	root.setMasks()
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
	if p.cursor.parts, p.df, p.impact, err = c.segs.parts(field, term, positions, c.reading); err != nil {
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
// earlier document ranks first, as in bleve, until byID settles the ties.
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

// topResult is the evaluator's answer: the best k hits, best first (of
// equal scores the earlier document first, until byID), and how many
// documents match (a lower bound when capped).
type topResult struct {
	hits   []topHit
	total  uint64
	capped bool
	// The work it took: documents the evaluator stood on as candidates,
	// those of them it stood on while it still counted every match, and
	// those it scored (EvaluatorStats).
	visited, counting, scored uint64
	// tied are matches that did not make hits but score as its last one
	// (at most maxTied of them), for byID.
	tied []topHit
}

// exactCount is how many matches are counted one by one before skipping
// starts: a reader never pages past MaxResultWindow.
const exactCount = 1000

// maxTied is how many matches that tie with the page's lowest hit but
// did not make it are kept, so that the article ids, not the order in
// which a build or a merge happened to number the documents, decide which
// make the page (see byID). Beyond it the earliest documents win: a page
// is the same on every replica and after every reindex as long as no more
// than that many matches tie at its end. Reading an id costs no decoding
// (segmentDocID).
const maxTied = 1000

// evaluation is the state of one topK call.
type evaluation struct {
	ctx   context.Context
	root  *node
	lists []*postings // the query's, with their bits (postings.bit)
	k     int
	res   *topResult
	h     hitHeap
	// tied holds matches outside the heap that scored tiedAt, the heap's
	// lowest score when they were kept; they count while it still is.
	tied   []topHit
	tiedAt float64
}

// offer scores doc and keeps it if it matches and makes the page.
func (e *evaluation) offer(doc uint64) bool {
	e.res.scored++
	ok, s := e.root.eval(doc, e.at(doc))
	if !ok {
		return false
	}
	e.res.total++
	if e.k == 0 {
		return true
	}
	t := topHit{doc, s}
	switch {
	case len(e.h) < e.k:
		heap.Push(&e.h, t)
	case s > e.h[0].score:
		out := e.h[0]
		e.h[0] = t
		heap.Fix(&e.h, 0)
		e.tie(out)
	case s == e.h[0].score:
		e.tie(t)
	}
	return true
}

// at returns the bits of the lists that stand at doc.
func (e *evaluation) at(doc uint64) uint64 {
	var at uint64
	for _, p := range e.lists {
		if p.cur == doc {
			at |= p.bit
		}
	}
	return at
}

// tie keeps t, a match outside the heap, if it ties with the heap's lowest
// hit, and forgets the kept ones that no longer do.
func (e *evaluation) tie(t topHit) {
	lowest := e.h[0].score
	if t.score != lowest {
		return
	}
	if e.tiedAt != lowest {
		e.tied, e.tiedAt = e.tied[:0], lowest
	}
	if len(e.tied) < maxTied {
		e.tied = append(e.tied, t)
	}
}

// byID orders hits of equal score by article id and, where the last hit's
// score is shared with matches that did not make it (tied), lets the
// smallest ids of all of them take the last places. Without it which of
// equal hits make a page depends on how documents are numbered, which
// differs between two builds of the same articles, between replicas and
// after merges; with it every page is a slice of one order (score, then
// id), so pages of one snapshot neither repeat nor skip a hit either. An
// id costs a read at a random place of the index's stored fields: suggest,
// which orders its candidates itself, does without (with it a completion
// took 121 µs instead of 98 at 100k articles, where thousands of titles
// tie on a common prefix).
func (res *topResult) byID(r bindex.IndexReader) error {
	hits := res.hits
	var ids *idReader // read only where scores tie
	for start := 0; start < len(hits); {
		end := start + 1
		for end < len(hits) && hits[end].score == hits[start].score {
			end++
		}
		var extra []topHit
		if end == len(hits) {
			extra = res.tied
		}
		if end-start > 1 || len(extra) > 0 {
			if ids == nil {
				ids = newIDReader(r)
			}
			if err := smallestIDs(ids, hits[start:end], extra); err != nil {
				return err
			}
		}
		start = end
	}
	res.tied = nil
	return nil
}

// smallestIDs fills group, in order of id, with the documents of smallest
// id among group and extra.
func smallestIDs(ids *idReader, group, extra []topHit) error {
	type keyed struct {
		hit topHit
		id  []byte
	}
	best := make([]keyed, 0, len(group)) // ascending by id
	keep := func(h topHit) error {
		id, err := ids.id(h.doc)
		if err != nil {
			return err
		}
		if len(best) == len(group) && bytes.Compare(id, best[len(best)-1].id) >= 0 {
			return nil // most ties of a broad query end here
		}
		at := sort.Search(len(best), func(j int) bool { return bytes.Compare(best[j].id, id) > 0 })
		if len(best) < len(group) {
			best = append(best, keyed{})
		}
		copy(best[at+1:], best[at:])
		best[at] = keyed{h, id}
		return nil
	}
	for _, hs := range [][]topHit{group, extra} {
		for _, h := range hs {
			if err := keep(h); err != nil {
				return err
			}
		}
	}
	for i, k := range best {
		group[i] = k.hit
	}
	return nil
}

// counted evaluates every match, in document order, until the page is
// full and exact matches are counted (k = 0: until then or the end), and
// returns the first document not yet evaluated, docDone at the end.
// lists[essential:] drive; the others are read at the candidates.
func (e *evaluation) counted(lists []*postings, essential int, exact uint64) (uint64, error) {
	for steps := 0; ; steps++ {
		if steps%ctxEvery == ctxEvery-1 && e.ctx.Err() != nil {
			return 0, searchErr(e.ctx, e.ctx.Err())
		}
		doc := uint64(docDone)
		for _, p := range lists[essential:] {
			doc = min(doc, p.cur)
		}
		if doc == docDone {
			return docDone, nil
		}
		e.res.visited++
		e.res.counting++
		for _, p := range lists[:essential] {
			p.advance(doc)
		}
		if e.cannotMake(lists, doc) {
			// It only counts, and whether it matches costs no score.
			if e.root.matches(doc) {
				e.res.total++
			}
		} else if e.offer(doc) && e.k == 0 && e.res.total >= exact {
			return docDone, nil
		}
		for _, p := range lists[essential:] {
			if p.cur == doc {
				p.next()
			}
		}
		if e.res.total >= exact && len(e.h) == e.k && e.k > 0 {
			return doc + 1, nil
		}
	}
}

// cannotMake reports whether doc, which the lists stand at or past, can
// neither make the full page nor tie with its lowest hit, by the bounds of
// the lists that hold it.
func (e *evaluation) cannotMake(lists []*postings, doc uint64) bool {
	if e.k == 0 || len(e.h) < e.k {
		return false
	}
	most := 0.0
	for _, p := range lists {
		if p.cur == doc {
			most += p.bound
		}
	}
	return most*slack < e.h[0].score
}

// EvaluatorStats is how much work the top-k evaluator did for search pages
// since the index opened: the pages it evaluated; the documents it stood
// on as candidates (Visited), those of them it stood on while it still
// counted every match, up to MaxResultWindow, and could skip none
// (Counting); and those it scored (Scored). Matches it stepped over by
// their bounds are none of these. The counts depend on the queries, the
// index and which of its lists are decoded, not on the machine, so two
// versions of the evaluator compare by them without the noise of timings
// (BenchmarkQueries logs them per page). A page that visits far more
// documents than it could show is one whose bounds are loose.
type EvaluatorStats struct {
	Pages, Visited, Counting, Scored uint64
}

// evaluatorWork adds up EvaluatorStats as searches run.
type evaluatorWork struct {
	pages, visited, counting, scored atomic.Uint64
}

func (w *evaluatorWork) add(r *topResult) {
	w.pages.Add(1)
	w.visited.Add(r.visited)
	w.counting.Add(r.counting)
	w.scored.Add(r.scored)
}

// EvaluatorStats reports the evaluator's work for search pages so far.
func (ix *Index) EvaluatorStats() EvaluatorStats {
	w := &ix.work
	return EvaluatorStats{Pages: w.pages.Load(), Visited: w.visited.Load(),
		Counting: w.counting.Load(), Scored: w.scored.Load()}
}

// topK evaluates q and returns its k best hits; with k = 0 it only counts
// matches, up to exact.
// Postings are decoded through cache (nil: for this query only) or read
// in place, as reading says. r must be a scorch snapshot (errUnsupported
// otherwise).
func topK(ctx context.Context, r bindex.IndexReader, q query.Query, k int, exact uint64, cache *postingsCache, reading listReading) (*topResult, error) {
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
	if k == 0 && exact == 1 {
		return anyMatch(ctx, segs, n, q, cache, reading)
	}
	return evaluate(ctx, segs, n, q, k, exact, cache, reading)
}

// anyMatch is topK's answer to whether any document matches: segment by
// segment, the largest first, stopping at the first match, so a query the
// index holds looks its terms up in one segment, not in every one (a
// search's typo check looked up every list of the query in all of the
// index's segments, more than the check itself took to run).
func anyMatch(ctx context.Context, segs []snapSegment, n uint64, q query.Query, cache *postingsCache, reading listReading) (*topResult, error) {
	order := slices.Clone(segs)
	slices.SortStableFunc(order, func(a, b snapSegment) int { return cmp.Compare(b.seg.Count(), a.seg.Count()) })
	for i := range order {
		res, err := evaluate(ctx, order[i:i+1], n, q, 0, 1, cache, reading)
		if err != nil || res.total > 0 {
			return res, err
		}
	}
	return &topResult{}, nil
}

// evaluate is topK over segs, n documents in all.
func evaluate(ctx context.Context, segs []snapSegment, n uint64, q query.Query, k int, exact uint64, cache *postingsCache, reading listReading) (*topResult, error) {
	c := newCompiler(n, segs, cache)
	c.reading = reading
	root, err := c.compile(q)
	if err != nil {
		return nil, err
	}
	lists := c.order
	for _, p := range lists {
		p.start()
	}
	// Lists that cannot make a match alone (a boolean's optional clauses,
	// its exclusions) never drive: they come first.
	drive := map[*postings]bool{}
	root.driving(drive)
	for p := range drive {
		p.drives = true
	}
	sort.SliceStable(lists, func(i, j int) bool { return !lists[i].drives && lists[j].drives })
	essential := 0 // lists[essential:] drive the candidates
	for essential < len(lists) && !lists[essential].drives {
		essential++
	}
	c.setMasks(root)
	e := &evaluation{ctx: ctx, root: root, lists: lists, k: k, res: &topResult{}, h: make(hitHeap, 0, k+1)}
	from, err := e.counted(lists, essential, exact)
	if err != nil {
		return nil, err
	}
	if from != docDone {
		e.res.capped = true
		w := newWindows(e, lists, segs, c.segs.cache.windowShift())
		if err := w.run(from); err != nil {
			return nil, err
		}
	}
	for _, p := range lists {
		if err := p.cursor.err(); err != nil {
			return nil, err
		}
	}
	res, h := e.res, e.h
	if len(h) > 0 && e.tiedAt == h[0].score {
		res.tied = e.tied
	}
	res.hits = make([]topHit, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		res.hits[i] = heap.Pop(&h).(topHit)
	}
	return res, nil
}

// windows finishes an evaluation once the page is full, skipping with
// block-max MaxScore (Ding and Suel 2011; Lucene's MaxScoreBulkScorer):
// documents are taken window by window (1<<(shift+bits) numbers of one
// segment), and within a window each list's bound is its largest score
// there (the largest of decodedList.windowMax over the window's blocks),
// usually far below its largest anywhere and 0 where the list has no
// posting. The lists whose window bounds together
// cannot reach the page's lowest score only score documents the others
// bring; a window where no list can, the evaluator steps over unread.
type windows struct {
	*evaluation
	shift  uint8    // of the lists' blocks
	bits   uint8    // a window is 1<<bits blocks (windowBits)
	starts []uint64 // each segment's first document number, ascending
	seg    int      // the segment of the current window

	// For the current window: the lists, those that cannot make a match
	// alone first, then as partition orders them; their bounds; and the
	// running sums of these (below[i] sums bound[:i]).
	lists []*postings
	bound []float64
	below []float64
	ess   int         // the first list that drives (partition)
	alt   []*postings // the lists in the order partition tried first
}

func newWindows(e *evaluation, lists []*postings, segs []snapSegment, shift uint8) *windows {
	w := &windows{evaluation: e, shift: shift, bits: windowBits(len(lists)), lists: lists,
		bound: make([]float64, len(lists)), below: make([]float64, len(lists)+1)}
	for _, s := range segs {
		w.starts = append(w.starts, s.offset)
	}
	for _, p := range lists {
		p.part = 0
	}
	return w
}

// windowBits returns how many blocks (as a power of 2) a window of a
// query reading n lists spans: about one per two lists. Each window costs
// a walk of the query tree per split of its lists tried (partition),
// which grows with the lists, while a wider window bounds them less
// tightly, so more documents are visited: a completion (two lists) skips
// best by the block, a pasted title (thirty or forty lists) by sixteen. With windows of one block a fifth of a search's time at 1M
// articles went to those walks. Chosen on the 1M search mix and the 100k
// search and completion mixes (BENCHMARKS.md, "Windows by the query's
// size"): one block per four lists made searches at 1M 3% slower.
func windowBits(n int) uint8 {
	bits := uint8(0)
	for n > 2<<bits && bits < maxWindowBits {
		bits++
	}
	return bits
}

// maxWindowBits bounds windowBits: windows of at most 16 blocks (8,192
// documents).
const maxWindowBits = 4

// slack covers rounding between a bound and the scores it bounds.
const slack = 1 + 1e-9

// run evaluates from document from on to the end.
func (w *windows) run(from uint64) error {
	for step := 0; ; step++ {
		if step%64 == 63 && w.ctx.Err() != nil {
			return searchErr(w.ctx, w.ctx.Err())
		}
		doc := uint64(docDone)
		for _, p := range w.lists {
			if p.drives {
				p.advance(from)
				doc = min(doc, p.cur)
			}
		}
		if doc == docDone {
			return nil
		}
		end := w.open(doc)
		if err := w.within(end); err != nil {
			return err
		}
		from = end
	}
}

// open sets up the window holding doc and returns the number after it.
func (w *windows) open(doc uint64) uint64 {
	for w.seg+1 < len(w.starts) && w.starts[w.seg+1] <= doc {
		w.seg++
	}
	start := w.starts[w.seg]
	win := (doc - start) >> (w.shift + w.bits)
	end := start + (win+1)<<(w.shift+w.bits)
	if w.seg+1 < len(w.starts) {
		end = min(end, w.starts[w.seg+1])
	}
	for _, p := range w.lists {
		p.windowBound(start, win, w.shift, w.bits)
	}
	w.ess = w.partition()
	for i, p := range w.lists {
		w.bound[i] = p.window
		w.below[i+1] = w.below[i] + p.window
	}
	return end
}

// partition orders the window's lists and returns the first essential
// one: the lists from it on drive the candidates. By bound, as MaxScore
// has it, the lists that add least come first; but a phrase's bound is
// carried by its rarest list (compiler.compile), and when every term of
// the phrase is common (美团 团月 月付, the bigrams of a brand the
// dictionary does not know, heading a whole title pasted in) that common
// list came last and drove: every title holding the brand was stood on,
// though one holding nothing else of the query cannot make the page,
// which reach sees once the list is let in by the bound of its own term.
// So where a list that drives carries a phrase's bound, both orders are
// tried, and the one whose essential lists hold fewer postings wins.
// (Where none does, the lists that carry phrases all come before the
// split, and ordering by the terms' bounds only moves them further ahead:
// the split is the same.)
func (w *windows) partition() int {
	w.order(windowBound)
	ess := w.essential(0)
	cost := w.cost(ess)
	if cost == 0 || !slices.ContainsFunc(w.lists[ess:], func(p *postings) bool { return p.extra > 0 }) {
		return ess
	}
	w.alt = append(w.alt[:0], w.lists...)
	w.order(termBound)
	// The same lists: a document in all of them can still make the page.
	if alt := w.split(0); w.cost(alt) < cost {
		return alt
	}
	copy(w.lists, w.alt)
	return ess
}

// order sorts the lists for MaxScore, those that cannot make a match
// alone first, then by ascending bound. Insertion sort: a handful of
// lists, mostly in order from the window before.
func (w *windows) order(bound func(p *postings) float64) {
	before := func(a, b *postings) bool {
		if a.drives != b.drives {
			return !a.drives
		}
		return bound(a) < bound(b)
	}
	for i := 1; i < len(w.lists); i++ {
		for j := i; j > 0 && before(w.lists[j], w.lists[j-1]); j-- {
			w.lists[j], w.lists[j-1] = w.lists[j-1], w.lists[j]
		}
	}
}

// cost is how many postings the lists from ess on hold, those with none
// in the window left out.
func (w *windows) cost(ess int) uint64 {
	var n uint64
	for _, p := range w.lists[ess:] {
		if p.windowMost > 0 {
			n += p.df
		}
	}
	return n
}

// windowBound is a list's bound in the window; termBound the same
// without the phrases it carries, the bound of its own term queries.
func windowBound(p *postings) float64 { return p.window }
func termBound(p *postings) float64   { return p.window - p.extra }

// essential returns the first list that drives candidates in the window:
// a document in none of the lists from it on cannot make the page
// (node.reach). The lists before from are known not to.
func (w *windows) essential(from int) int {
	if w.cannot(len(w.lists)) {
		return len(w.lists) // nothing in the window can make the page: most windows
	}
	return w.split(from)
}

// split is essential where a document in every list can make the page.
func (w *windows) split(from int) int {
	lo, hi := from, len(w.lists)-1 // lists[:lo] cannot make it; lists[:hi+1] can
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if w.cannot(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// cannot reports whether a document held by none of the window's lists
// but lists[:n] cannot make the page.
func (w *windows) cannot(n int) bool {
	for i, p := range w.lists {
		p.in = i < n
	}
	ok, most := w.root.reach()
	return !ok || most*slack < w.h[0].score
}

// within evaluates the current window's candidates, up to end.
func (w *windows) within(end uint64) error {
	ess := w.ess
	for steps := 0; ess < len(w.lists); steps++ {
		if steps%ctxEvery == ctxEvery-1 && w.ctx.Err() != nil {
			return searchErr(w.ctx, w.ctx.Err())
		}
		doc := uint64(docDone)
		for _, p := range w.lists[ess:] {
			doc = min(doc, p.cur)
		}
		if doc >= end {
			return nil
		}
		w.res.visited++
		// The most doc can score: what the driving lists give it, and the
		// bounds of the others until they are read, most promising first,
		// as long as the document can still make the page.
		ub := w.below[ess]
		for _, p := range w.lists[ess:] {
			if p.cur == doc {
				ub += p.most()
			}
		}
		candidate := true
		for i := ess - 1; i >= 0; i-- {
			if !w.h.beats(topHit{doc, ub * slack}) {
				candidate = false
				break
			}
			p := w.lists[i]
			p.advance(doc)
			ub -= w.bound[i]
			if p.cur == doc {
				ub += p.most()
			}
		}
		lowest := w.h[0].score
		if candidate && w.h.beats(topHit{doc, ub * slack}) {
			w.offer(doc)
		}
		for _, p := range w.lists[ess:] {
			if p.cur == doc {
				p.next()
			}
		}
		if w.h[0].score > lowest {
			ess = w.essential(ess) // the page's lowest score rose
		}
	}
	return nil
}
