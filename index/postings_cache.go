package index

import (
	"container/list"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// DefaultPostingsCacheBytes is the least memory an Index gives decoded
// postings unless told otherwise (SetPostingsCacheBytes). At 100k articles
// the lists of the benchmark's 500 searches take 80 MB and those of its 500
// related lists 90 MB; 64 MiB already doubles uncached search throughput
// under load, for 150 MB more RSS (BENCHMARKS.md, "Decoded postings").
const DefaultPostingsCacheBytes = 128 << 20

// postingsBytesPerArticle and maxAutoPostingsCacheBytes size the budget
// by the index (AutoPostingsCacheBytes).
const (
	postingsBytesPerArticle   = DefaultPostingsCacheBytes / 100_000
	maxAutoPostingsCacheBytes = 2 << 30
)

// AutoPostingsCacheBytes is the budget an Index of n articles gives
// decoded postings by default: DefaultPostingsCacheBytes per 100,000
// articles, at least DefaultPostingsCacheBytes and at most 2 GiB. A list
// grows with the articles holding its term, so the lists the same queries
// read grow with the index: at 1M articles a fixed 128 MiB held a quarter
// of what 1,500 searches read again, and each search decoded the rest
// afresh (mean 45 ms; with 1,280 MiB, 19 ms: BENCHMARKS.md, "Decoded
// postings by the index's size").
func AutoPostingsCacheBytes(n uint64) int64 {
	return min(max(int64(n)*postingsBytesPerArticle, DefaultPostingsCacheBytes), maxAutoPostingsCacheBytes)
}

// decodedList is one term's postings in one field of one segment, decoded
// once: its document numbers in the segment, ascending, and each posting's
// term frequency and norm (zap keeps norms as float32), from which bleve's
// term score takes sqrt(tf)·norm.
// A zap segment never changes, so the list is good for as long as the
// segment lives; documents deleted since are masked by the snapshot that
// reads it (partCursor). Positions are decoded only for a phrase's lists
// (titles: one or two per posting).
type decodedList struct {
	docs []uint32
	// fn holds each posting's term frequency and norm side by side: a
	// scored posting reads both, in one cache line.
	fn  []freqNorm
	max float64 // the largest sqrt(tf)·norm
	// windowMax[b] bounds sqrt(tf)·norm over the documents of block b
	// (numbers b<<shift to (b+1)<<shift - 1; 0: none there), rounded up
	// to a float32; nil for a list too short to be worth it (see
	// keepWindows). The evaluator's windows are one or more blocks.
	windowMax []float32
	shift     uint8 // the cache's, or that plus foldBits for a folded list
	// With positions, posting j's are pos[at[j]:at[j+1]].
	positions bool
	at, pos   []uint32
}

// freqNorm is a posting's term frequency and norm (see decodedList.fn).
type freqNorm struct {
	freq uint32
	norm float32
}

// bytes is roughly what the list holds in memory, with its cache entry
// (key, map slot, list element): a third of the lists a related list reads
// are empty, one per segment without the term.
func (d *decodedList) bytes() int64 {
	return int64(len(d.docs))*12 + int64(len(d.at)+len(d.pos)+len(d.windowMax))*4 + 320
}

// defaultWindowShift sets the blocks by which a decoded list bounds its
// scores to 512 documents of a segment; the evaluator's windows are one
// or more blocks (windows.bits). At 100k articles windows of 128 left a
// third fewer documents to visit than 512 but cost more in setting up
// windows than they saved (BENCHMARKS.md, "Window bounds").
const defaultWindowShift = 9

// window notes posting j's bound in its block of 1<<shift documents
// (rounded up to a float32: a bound).
func (d *decodedList) window(j int, x float64, shift uint8) {
	w := int(d.docs[j] >> shift)
	for len(d.windowMax) <= w {
		d.windowMax = append(d.windowMax, 0)
	}
	f := float32(x)
	if float64(f) < x {
		f = math.Nextafter32(f, math.MaxFloat32)
	}
	d.windowMax[w] = max(d.windowMax[w], f)
}

// keepWindows keeps the block bounds when the list holds at least two
// postings per block of its span, and otherwise, folded into bounds of
// 1<<foldBits blocks, when it holds two per those: a shorter list costs
// less to read than to bound, and the bounds stay within a sixth of the
// list's memory.
func (d *decodedList) keepWindows(shift uint8) {
	d.shift = shift
	if len(d.docs) >= 2*len(d.windowMax) {
		d.windowMax = slices.Clip(d.windowMax)
		return
	}
	folds := (len(d.windowMax) + 1<<foldBits - 1) >> foldBits
	if len(d.docs) < 2*folds { // most short lists: nothing to fold for
		d.windowMax, d.shift = nil, 0
		return
	}
	folded := make([]float32, folds)
	for b, x := range d.windowMax {
		folded[b>>foldBits] = max(folded[b>>foldBits], x)
	}
	d.windowMax, d.shift = folded, shift+foldBits
}

// foldBits is how many blocks' bounds a list too short to keep its
// blocks' folds into one (keepWindows): those of the evaluator's widest
// windows.
const foldBits = maxWindowBits

// positionsOf returns the positions of posting j.
func (d *decodedList) positionsOf(j int) []uint32 { return d.pos[d.at[j]:d.at[j+1]] }

// postingsKey names a decoded list: scorch numbers an index's segments
// once (a merge makes a new segment with a new number), so a number and a
// term name the same postings for the life of the index.
type postingsKey struct {
	segment uint64
	termKey
}

// termKey names a term of a field; the cache files its lists under it,
// one per segment, so that a query's read of a term across the segments
// probes the cache's map once, not once per segment (the map holds
// hundreds of thousands of lists, and probing it was a third of opening a
// related list's postings).
type termKey struct{ field, term string }

// postingsCache keeps decoded postings of one Index, least recently used
// first out, within a byte budget. Decoding a list costs what reading it
// through bleve once costs (the evaluator read every list once for its
// bound anyway); afterwards skipping through it is a search in an array
// instead of zap's chunk decoding, which was most of a search's time
// (BENCHMARKS.md, "Decoded postings").
type postingsCache struct {
	shift   uint8 // of the lists' blocks; 0: defaultWindowShift (tests set less)
	mu      sync.Mutex
	limit   int64 // 0: auto; negative: off
	auto    int64 // AutoPostingsCacheBytes of the index; 0: DefaultPostingsCacheBytes
	used    int64
	entries map[termKey][]*list.Element // a term's lists, one per segment that holds one
	lists   int                         // how many entries holds
	lru     list.List                   // of *postingsEntry, most recent first
	seen    map[postingsKey]struct{}    // lists read in place once (admit)

	hits, misses atomic.Uint64
}

type postingsEntry struct {
	key  postingsKey
	list *decodedList
}

func (c *postingsCache) budget() int64 {
	if c.limit == 0 {
		if c.auto > 0 {
			return c.auto
		}
		return DefaultPostingsCacheBytes
	}
	return c.limit
}

// get returns the list cached under k, counting a hit or a miss.
func (c *postingsCache) get(k postingsKey) (*decodedList, bool) {
	return c.lookup(k, true)
}

// lookup returns the list cached under k; with count, the lookup counts
// as a hit or a miss. Reads that never decode a list (inPlaceOnly) do not
// count: a larger budget would not turn their misses into hits.
func (c *postingsCache) lookup(k postingsKey, count bool) (*decodedList, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.take(c.entries[k.termKey], k.segment, count)
}

// lookupTerm sets lists[i] to the list of the term in segs[i] that the
// cache holds (nil when it holds none), as lookup would one by one.
func (c *postingsCache) lookupTerm(k termKey, segs []snapSegment, count bool, lists []*decodedList) {
	if c == nil {
		clear(lists)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	es := c.entries[k]
	for i, seg := range segs {
		lists[i], _ = c.take(es, seg.id, count)
	}
}

// take finds the list of segment among a term's, and marks it used.
func (c *postingsCache) take(es []*list.Element, segment uint64, count bool) (*decodedList, bool) {
	for _, e := range es {
		if pe := e.Value.(*postingsEntry); pe.key.segment == segment {
			c.lru.MoveToFront(e)
			if count {
				c.hits.Add(1)
			}
			return pe.list, true
		}
	}
	if count {
		c.misses.Add(1)
	}
	return nil, false
}

// find returns the element holding k's list, if any.
func (c *postingsCache) find(k postingsKey) (*list.Element, bool) {
	for _, e := range c.entries[k.termKey] {
		if e.Value.(*postingsEntry).key.segment == k.segment {
			return e, true
		}
	}
	return nil, false
}

// maxSeen bounds the lists remembered as read once; past it the memory
// starts over (a list then waits for two more reads to be decoded).
const maxSeen = 1 << 16

// admit reports whether a list missing from the cache should be decoded
// and kept now: on its second read since it was last dropped, as a
// doorkeeper admits (Einziger, Friedman and Manes, TinyLFU, 2017). A list
// read once, by a rare query, is read in place through zap's skipping
// iterator: decoding it whole costs more than the query reads of it, and
// keeping it would push out lists that queries share. With no budget
// (negative), every list is read in place.
func (c *postingsCache) admit(k postingsKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.budget() < 0 {
		return false
	}
	if _, ok := c.seen[k]; ok {
		delete(c.seen, k)
		return true
	}
	if c.seen == nil || len(c.seen) >= maxSeen {
		c.seen = make(map[postingsKey]struct{})
	}
	c.seen[k] = struct{}{}
	return false
}

// put keeps d under k, dropping the least recently used lists to stay
// within the budget. A list larger than a quarter of the budget is not
// kept: it would push out many that queries share.
func (c *postingsCache) put(k postingsKey, d *decodedList) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	budget := c.budget()
	if budget < 0 || d.bytes() > budget/4 {
		return
	}
	if e, ok := c.find(k); ok {
		pe := e.Value.(*postingsEntry)
		if pe.list.positions || !d.positions {
			return // decoded twice at once: the first is kept
		}
		// The same postings with positions, for a phrase.
		c.used += d.bytes() - pe.list.bytes()
		pe.list = d
		c.lru.MoveToFront(e)
		c.shrink(budget)
		return
	}
	if c.entries == nil {
		c.entries = map[termKey][]*list.Element{}
	}
	c.entries[k.termKey] = append(c.entries[k.termKey], c.lru.PushFront(&postingsEntry{key: k, list: d}))
	c.lists++
	c.used += d.bytes()
	c.shrink(budget)
}

// shrink drops the least recently used lists until the cache holds at most
// budget bytes.
func (c *postingsCache) shrink(budget int64) {
	for c.used > max(budget, 0) {
		e := c.lru.Back()
		if e == nil {
			return
		}
		pe := c.lru.Remove(e).(*postingsEntry)
		c.forget(e, pe.key.termKey)
		c.used -= pe.list.bytes()
	}
}

// forget removes element e from the lists of term k.
func (c *postingsCache) forget(e *list.Element, k termKey) {
	es := c.entries[k]
	for i := range es {
		if es[i] == e {
			es[i] = es[len(es)-1]
			es[len(es)-1] = nil
			es = es[:len(es)-1]
			break
		}
	}
	if len(es) == 0 {
		delete(c.entries, k)
	} else {
		c.entries[k] = es
	}
	c.lists--
}

// resize sets the budget (0: the default, negative: off), dropping what
// no longer fits.
func (c *postingsCache) resize(limit int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.limit = limit
	c.shrink(c.budget())
}

// SetPostingsCacheBytes sets the memory the index gives decoded postings
// (0: AutoPostingsCacheBytes of its articles when it was opened; negative:
// none kept).
func (ix *Index) SetPostingsCacheBytes(n int64) { ix.postings.resize(n) }

// PostingsCacheStats counts decoded-postings lookups since the index was
// opened, and what the cache holds, within its budget (negative: none
// kept).
type PostingsCacheStats struct {
	Hits, Misses  uint64
	Lists         int
	Bytes, Budget int64
}

// PostingsCacheStats reports how the decoded-postings cache is doing.
func (ix *Index) PostingsCacheStats() PostingsCacheStats {
	c := &ix.postings
	c.mu.Lock()
	defer c.mu.Unlock()
	return PostingsCacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Lists: c.lists, Bytes: c.used, Budget: c.budget()}
}

// windowShift is the shift of the blocks of lists decoded for c.
func (c *postingsCache) windowShift() uint8 {
	if c == nil || c.shift == 0 {
		return defaultWindowShift
	}
	return c.shift
}

// decodeList reads term's postings in dict, with their positions if asked,
// and bounds their scores by blocks of 1<<shift documents.
func decodeList(dict segment.TermDictionary, term string, positions bool, shift uint8) (*decodedList, error) {
	pl, err := dict.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return nil, err
	}
	n := pl.Count()
	d := &decodedList{docs: make([]uint32, 0, n), fn: make([]freqNorm, 0, n), positions: positions}
	if positions {
		d.at = make([]uint32, 1, n+1)
		d.pos = make([]uint32, 0, n) // titles: one or two per posting
	}
	it := pl.Iterator(true, true, positions, nil)
	for {
		p, err := it.Next()
		if err != nil {
			return nil, err
		}
		if p == nil {
			d.keepWindows(shift)
			return d, nil
		}
		freq, norm := uint32(p.Frequency()), float32(p.Norm()) // a float32 in zap: exact
		x := impact(freq, norm)
		d.docs = append(d.docs, uint32(p.Number()))
		d.fn = append(d.fn, freqNorm{freq, norm})
		d.max = max(d.max, x)
		d.window(len(d.docs)-1, x, shift)
		if positions {
			for _, l := range p.Locations() {
				d.pos = append(d.pos, uint32(l.Pos()))
			}
			d.at = append(d.at, uint32(len(d.pos)))
		}
	}
}

// impact is the part of bleve's term score that varies by document,
// computed as its term scorer does.
func impact(freq uint32, norm float32) float64 {
	if freq < uint32(len(sqrtOf)) {
		return sqrtOf[freq] * float64(norm)
	}
	return math.Sqrt(float64(freq)) * float64(norm)
}

// sqrtOf holds math.Sqrt of the small term frequencies, which are most:
// the evaluator works out a posting's impact for every document it
// scores, and a table lookup gives the very same value faster.
var sqrtOf = func() (t [64]float64) {
	for i := range t {
		t[i] = math.Sqrt(float64(i))
	}
	return t
}()

// snapSegment is a segment of the snapshot a query reads.
type snapSegment struct {
	id      uint64 // scorch's number for the segment
	seg     segment.Segment
	deleted *roaring.Bitmap
	offset  uint64 // the number of its first document in the snapshot
}

// snapshotSegments returns the segments of r, or false when r is not a
// scorch snapshot.
func snapshotSegments(r bindex.IndexReader) ([]snapSegment, bool) {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, false
	}
	var out []snapSegment
	var offset uint64
	for _, ss := range is.Segments() {
		d := ss.Deleted()
		if d != nil && d.IsEmpty() {
			d = nil
		}
		out = append(out, snapSegment{id: ss.Id(), seg: ss.Segment(), deleted: d, offset: offset})
		offset += ss.Segment().Count() // as scorch numbers documents
	}
	return out, true
}

// segLists reads decoded lists on the segments of one snapshot, through
// the cache; each segment's term dictionary of a field opens once, on the
// first miss. It is used by one goroutine at a time.
type segLists struct {
	segs  []snapSegment
	cache *postingsCache // nil: lists are decoded for this reader only
	dicts map[string][]segment.TermDictionary
	lists []*decodedList // the lists cached of the term being read (see cached)
}

func newSegLists(segs []snapSegment, cache *postingsCache) *segLists {
	return &segLists{segs: segs, cache: cache, dicts: map[string][]segment.TermDictionary{}}
}

// listReading says how a list the postings cache does not hold is read.
type listReading uint8

const (
	// decodeLists decodes it whole and offers it to the cache.
	decodeLists listReading = iota
	// inPlaceUntilTwice reads it in place until it is read twice, then
	// decodes and keeps it (postingsCache.admit).
	inPlaceUntilTwice
	// inPlaceOnly reads it in place and does not count the read toward
	// admission: for checks that read lists no search reads, which would
	// push out those searches share.
	inPlaceOnly
)

// parts returns term's postings in field as the snapshot sees them (with
// positions if asked), how many live documents hold the term, and a bound
// of its sqrt(tf)·norm: the largest, for decoded lists. Read in place
// (see listReading), a list's parts share state, and only one cursor may
// read them.
func (s *segLists) parts(field, term string, positions bool, mode listReading) ([]listPart, uint64, float64, error) {
	var parts []listPart
	var df uint64
	most := 0.0
	cached := s.cached(field, term, mode)
	for i, seg := range s.segs {
		part := listPart{deleted: seg.deleted, offset: seg.offset}
		d, z, err := s.read(i, field, term, positions, mode, cached[i])
		if err != nil {
			return nil, 0, 0, err
		}
		switch {
		case z != nil:
			if z.count == 0 {
				continue
			}
			part.zap, part.deleted = z, nil // zap leaves deleted documents out
			df += z.count
			most = max(most, inPlaceImpact)
		case len(d.docs) > 0:
			part.list = d
			df += part.live()
			most = max(most, d.max)
		default:
			continue
		}
		parts = append(parts, part)
	}
	return parts, df, most, nil
}

// read returns term's postings in field of the i-th segment: decoded (from
// the cache or now), or to be read through zap when the cache does not
// hold the list and mode says so.
func (s *segLists) read(i int, field, term string, positions bool, mode listReading, cached *decodedList) (*decodedList, *zapPart, error) {
	if mode == inPlaceOnly || (mode == inPlaceUntilTwice && s.cache != nil) {
		key := postingsKey{segment: s.segs[i].id, termKey: termKey{field, term}}
		if d := cached; d != nil && (d.positions || !positions) {
			return d, nil, nil
		}
		if mode == inPlaceUntilTwice && s.cache.admit(key) {
			d, err := s.decode(i, key, positions)
			return d, nil, err
		}
		dict, err := s.dict(i, field)
		if err != nil {
			return nil, nil, err
		}
		pl, err := dict.PostingsList([]byte(term), s.segs[i].deleted, nil)
		if err != nil {
			return nil, nil, err
		}
		return nil, &zapPart{pl: pl, count: pl.Count(), positions: positions}, nil
	}
	d, err := s.decoded(i, field, term, positions)
	return d, nil, err
}

// cached returns the term's lists the cache holds, by segment (nil where
// it holds none), looked up at once for the reads that look there first
// (see read); the lookups count as hits or misses as read's did, but for
// inPlaceOnly.
func (s *segLists) cached(field, term string, mode listReading) []*decodedList {
	if cap(s.lists) < len(s.segs) {
		s.lists = make([]*decodedList, len(s.segs))
	}
	lists := s.lists[:len(s.segs)]
	if mode == inPlaceOnly || (mode == inPlaceUntilTwice && s.cache != nil) {
		s.cache.lookupTerm(termKey{field, term}, s.segs, mode != inPlaceOnly, lists)
	} else {
		clear(lists)
	}
	return lists
}

// dict returns field's term dictionary in the i-th segment, opened once.
func (s *segLists) dict(i int, field string) (segment.TermDictionary, error) {
	dicts, ok := s.dicts[field]
	if !ok {
		dicts = make([]segment.TermDictionary, len(s.segs))
		s.dicts[field] = dicts
	}
	if dicts[i] == nil {
		dict, err := s.segs[i].seg.Dictionary(field)
		if err != nil {
			return nil, err
		}
		dicts[i] = dict
	}
	return dicts[i], nil
}

// decoded returns term's decoded postings in field of the i-th segment,
// from the cache or read now.
func (s *segLists) decoded(i int, field, term string, positions bool) (*decodedList, error) {
	key := postingsKey{segment: s.segs[i].id, termKey: termKey{field, term}}
	if d, ok := s.cache.get(key); ok && (d.positions || !positions) {
		return d, nil
	}
	return s.decode(i, key, positions)
}

// decode reads the postings key names in the i-th segment now and offers
// them to the cache.
func (s *segLists) decode(i int, key postingsKey, positions bool) (*decodedList, error) {
	dict, err := s.dict(i, key.field)
	if err != nil {
		return nil, err
	}
	d, err := decodeList(dict, key.term, positions, s.cache.windowShift())
	if err != nil {
		return nil, err
	}
	s.cache.put(key, d)
	return d, nil
}

// inPlaceImpact bounds sqrt(tf)·norm for a list not decoded: bleve's norm
// is 1/sqrt(the field's tokens), and a term is at most all of them, so
// sqrt(tf)·norm ≤ 1 (the margin covers the norm's float32 rounding).
const inPlaceImpact = 1 + 1e-6

// zapPart reads a term's postings in one segment in place, through zap's
// iterator (see postingsCache.admit), for one cursor: it holds the
// iterator's state and the current posting.
type zapPart struct {
	pl        segment.PostingsList // deleted documents left out
	count     uint64
	positions bool
	it        segment.PostingsIterator // nil until first read
	done      bool
	err       error // the iterator's, which ends the list
	num       uint64
	freq      uint32
	norm      float32
	pos       []uint32
}

// start opens the iterator on the first posting.
func (z *zapPart) start() {
	if z.it == nil && !z.done {
		z.it = z.pl.Iterator(true, true, z.positions, nil)
		z.take(z.it.Next())
	}
}

// take copies the posting zap returned (zap reuses it).
func (z *zapPart) take(p segment.Posting, err error) {
	if err != nil || p == nil {
		z.done, z.err = true, err
		return
	}
	z.num, z.freq, z.norm = p.Number(), uint32(p.Frequency()), float32(p.Norm())
	if z.positions {
		z.pos = z.pos[:0]
		for _, l := range p.Locations() {
			z.pos = append(z.pos, uint32(l.Pos()))
		}
	}
}

// listPart is a term's postings in one segment as one snapshot sees them:
// placed at its segment's first document number, with the documents
// deleted since; decoded (list) or read in place (zap).
type listPart struct {
	list    *decodedList
	zap     *zapPart
	deleted *roaring.Bitmap // nil when the segment has none
	offset  uint64
}

// live counts the part's documents not deleted, as zap's PostingsList.Count.
func (p *listPart) live() uint64 {
	n := uint64(len(p.list.docs))
	if p.deleted == nil {
		return n
	}
	if d := p.deleted.GetCardinality(); d < n {
		it := p.deleted.Iterator()
		for it.HasNext() {
			if p.list.has(it.Next()) {
				n--
			}
		}
		return n
	}
	for _, doc := range p.list.docs {
		if p.deleted.Contains(doc) {
			n--
		}
	}
	return n
}

func (d *decodedList) has(doc uint32) bool {
	i := sort.Search(len(d.docs), func(i int) bool { return d.docs[i] >= doc })
	return i < len(d.docs) && d.docs[i] == doc
}

// partCursor walks a term's postings across a snapshot's segments, in
// the snapshot's document numbers, skipping deleted documents.
type partCursor struct {
	parts []listPart // segments holding the term, in document order
	i, j  int        // parts[i].list.docs[j] is the current posting
}

// positions returns the current posting's positions (the list must hold
// them).
func (c *partCursor) positions() []uint32 {
	if z := c.parts[c.i].zap; z != nil {
		return z.pos
	}
	return c.parts[c.i].list.positionsOf(c.j)
}

// doc returns the current document, or docDone.
func (c *partCursor) doc() uint64 {
	if c.i >= len(c.parts) {
		return docDone
	}
	p := &c.parts[c.i]
	if p.zap != nil {
		return p.offset + p.zap.num
	}
	return p.offset + uint64(p.list.docs[c.j])
}

// freqNorm returns the current posting's term frequency and norm.
func (c *partCursor) freqNorm() (uint32, float32) {
	if z := c.parts[c.i].zap; z != nil {
		return z.freq, z.norm
	}
	l := c.parts[c.i].list
	x := l.fn[c.j]
	return x.freq, x.norm
}

// settle moves from (i, j) to the first live posting at or after it.
func (c *partCursor) settle() {
	for c.i < len(c.parts) {
		p := &c.parts[c.i]
		if z := p.zap; z != nil {
			if z.start(); !z.done {
				return
			}
			c.i, c.j = c.i+1, 0
			continue
		}
		for ; c.j < len(p.list.docs); c.j++ {
			if p.deleted == nil || !p.deleted.Contains(p.list.docs[c.j]) {
				return
			}
		}
		c.i, c.j = c.i+1, 0
	}
}

// next moves to the next live posting.
func (c *partCursor) next() {
	if c.i < len(c.parts) {
		if z := c.parts[c.i].zap; z != nil {
			z.take(z.it.Next())
		} else {
			c.j++
		}
		c.settle()
	}
}

// advance moves to the first live posting at or after doc, galloping from
// the current one (candidates are mostly near); in place, zap skips.
func (c *partCursor) advance(doc uint64) {
	for c.i < len(c.parts) {
		p := &c.parts[c.i]
		if z := p.zap; z != nil {
			if z.start(); !z.done && doc > p.offset+z.num {
				z.take(z.it.Advance(doc - p.offset)) // zap skips whole chunks
			}
			if z.done {
				c.i, c.j = c.i+1, 0
				continue
			}
			return
		}
		docs := p.list.docs
		if doc >= p.offset+uint64(docs[len(docs)-1])+1 {
			c.i, c.j = c.i+1, 0
			continue
		}
		if doc > p.offset {
			c.j = gallop(docs, c.j, uint32(doc-p.offset))
		}
		c.settle()
		return
	}
}

// err returns the error that ended a list read in place, if any.
func (c *partCursor) err() error {
	for _, p := range c.parts {
		if p.zap != nil && p.zap.err != nil {
			return p.zap.err
		}
	}
	return nil
}

// gallop returns the first index at or after from whose value is at least
// v; one must exist.
func gallop(docs []uint32, from int, v uint32) int {
	if docs[from] >= v {
		return from
	}
	lo, step := from, 1 // docs[lo] < v
	for lo+step < len(docs) && docs[lo+step] < v {
		lo += step
		step *= 2
	}
	hi := min(lo+step, len(docs)-1) // docs[hi] >= v
	return lo + 1 + sort.Search(hi-lo, func(k int) bool { return docs[lo+1+k] >= v })
}
