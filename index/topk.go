package index

import (
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
)

// The top-k evaluator answers a search page without visiting every match.
// It reads the postings of the query's terms directly and scores documents
// as bleve's TF-IDF searchers do (term score sqrt(tf)·norm·idf²·boost,
// disjunctions scaled by the share of their clauses that match, sums
// elsewhere; bleve's query norm is left out, as it scales every score of a
// query alike), so the ranking is bleve's. It skips with MaxScore (Turtle
// and Flood 1995, as Lucene's MaxScoreBulkScorer): a term's score can never
// exceed boost·idf²·impact, impact being the largest sqrt(tf)·norm of its
// postings (impactCache), and every scaling is at most 1, so once the page
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
	vectors     bool // a phrase reads its positions
	tfr         bindex.TermFieldReader
	tfd         bindex.TermFieldDoc
	cur         uint64  // current document number, docDone at the end
	df          uint64  // documents in the list
	impact      float64 // the largest sqrt(tf)·norm in the list (impactCache)
	boosts      float64 // the summed boosts of the term queries that read the list
	extra       float64 // the bounds of the phrases it is the rarest term of (see compile)
	idf         float64 // bleve's: 1 + ln(N / (df+1))
	bound       float64 // the most it adds to a document's score
	id          [8]byte
}

func (p *postings) next() error {
	d, err := p.tfr.Next(p.tfd.Reset())
	return p.at(d, err)
}

// advance moves to the first document at or after doc.
func (p *postings) advance(doc uint64) error {
	if p.cur >= doc {
		return nil
	}
	binary.BigEndian.PutUint64(p.id[:], doc)
	d, err := p.tfr.Advance(p.id[:], p.tfd.Reset())
	return p.at(d, err)
}

func (p *postings) at(d *bindex.TermFieldDoc, err error) error {
	switch {
	case err != nil:
		return err
	case d == nil:
		p.cur = docDone
	default:
		p.cur = binary.BigEndian.Uint64(d.ID)
	}
	return nil
}

// score is the term's bleve score in the current document, before boost.
func (p *postings) score() float64 {
	return math.Sqrt(float64(p.tfd.Freq)) * p.tfd.Norm * p.idf * p.idf
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
		return phraseAt(n.post), sum
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
// in the current document.
func phraseAt(ps []*postings) bool {
	for _, v := range ps[0].tfd.Vectors {
		start, ok := v.Pos, true
		for i, p := range ps[1:] {
			if !hasPos(p.tfd.Vectors, start+uint64(i)+1) {
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

func hasPos(vs []*bindex.TermFieldVector, pos uint64) bool {
	for _, v := range vs {
		if v.Pos == pos {
			return true
		}
	}
	return false
}

// compiler turns a query tree into nodes over shared postings.
type compiler struct {
	ctx     context.Context
	r       bindex.IndexReader
	n       uint64 // documents in the index
	impacts *impactCache
	version uint64 // the index version r reads (impactCache)
	lists   map[string]*postings
	order   []*postings
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

// postings opens (once) the postings of term in field.
func (c *compiler) postings(field, term string, vectors bool) (*postings, error) {
	key := field + "\x00" + term
	if p := c.lists[key]; p != nil {
		if vectors && !p.vectors {
			// A phrase needs positions that a plain term query did not
			// ask for: reopen the list with them.
			if err := p.tfr.Close(); err != nil {
				return nil, err
			}
			tfr, err := c.r.TermFieldReader(c.ctx, []byte(term), field, true, true, true)
			if err != nil {
				return nil, err
			}
			p.tfr, p.vectors = tfr, true
		}
		return p, nil
	}
	tfr, err := c.r.TermFieldReader(c.ctx, []byte(term), field, true, true, vectors)
	if err != nil {
		return nil, err
	}
	p := &postings{field: field, term: term, vectors: vectors, tfr: tfr, df: tfr.Count(),
		idf: 1 + math.Log(float64(c.n)/float64(tfr.Count()+1))}
	c.lists[key] = p
	c.order = append(c.order, p)
	if p.impact, err = c.impacts.get(c.ctx, c.r, c.version, field, term); err != nil {
		return nil, err
	}
	return p, nil
}

// impactCache keeps, per field and term, the largest sqrt(tf)·norm of its
// postings: a term's score bound is boost·idf²·impact, much tighter than
// boost·idf² (a body of 300 words has a norm of 0.06). Lucene writes such
// impacts into its index; bleve does not, so each is found by reading the
// term's postings once, the first time a query needs it, and kept until the
// index changes (a live edit), when every entry is dropped. A nil cache
// gives every term the loosest bound, 1.
type impactCache struct {
	mu      sync.Mutex
	version uint64
	max     map[string]float64
}

// get returns the impact of term in field of r, an index at version v.
func (c *impactCache) get(ctx context.Context, r bindex.IndexReader, v uint64, field, term string) (float64, error) {
	if c == nil {
		return 1, nil
	}
	key := field + "\x00" + term
	c.mu.Lock()
	if c.version != v || c.max == nil {
		c.version, c.max = v, map[string]float64{}
	}
	m, ok := c.max[key]
	c.mu.Unlock()
	if ok {
		return m, nil
	}
	m, err := maxImpact(ctx, r, field, term)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if c.version == v && len(c.max) < maxImpacts {
		c.max[key] = m
	}
	c.mu.Unlock()
	return m, nil
}

// maxImpacts bounds the terms an impact cache keeps: a few megabytes.
const maxImpacts = 1 << 16

// maxImpact reads term's postings in field for their largest sqrt(tf)·norm.
func maxImpact(ctx context.Context, r bindex.IndexReader, field, term string) (float64, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, true, true, false)
	if err != nil {
		return 0, err
	}
	defer tfr.Close()
	var tfd bindex.TermFieldDoc
	m := 0.0
	for i := 0; ; i++ {
		if i%ctxEvery == ctxEvery-1 && ctx.Err() != nil {
			return 0, searchErr(ctx, ctx.Err())
		}
		d, err := tfr.Next(tfd.Reset())
		if err != nil {
			return 0, err
		}
		if d == nil {
			return m, nil
		}
		m = max(m, math.Sqrt(float64(d.Freq))*d.Norm)
	}
}

func (c *compiler) close() {
	for _, p := range c.order {
		p.tfr.Close()
	}
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

// topK evaluates q and returns its k best hits.
// With impacts, term bounds are tight (impactCache); version is the
// index version r reads.
func topK(ctx context.Context, r bindex.IndexReader, q query.Query, k int, exact uint64, impacts *impactCache, version uint64) (*topResult, error) {
	n, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	c := &compiler{ctx: ctx, r: r, n: n, impacts: impacts, version: version, lists: map[string]*postings{}}
	defer c.close()
	root, err := c.compile(q)
	if err != nil {
		return nil, err
	}
	lists := c.order
	for _, p := range lists {
		if err := p.next(); err != nil {
			return nil, err
		}
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
			if err := p.advance(doc); err != nil {
				return nil, err
			}
			ub -= p.bound
			if p.cur == doc {
				ub += p.most()
			}
		}
		if candidate && (!prune || h.beats(topHit{doc, ub * (1 + 1e-9)})) {
			if ok, s := root.eval(doc); ok {
				res.total++
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
				if err := p.next(); err != nil {
					return nil, err
				}
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
