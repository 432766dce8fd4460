// Package analytics keeps the site's recent search queries for its editors:
// which queries readers type most, and which of them find nothing (missing
// content, missing dictionary words). It holds a sliding window of time
// buckets (by default the last 24 hours in hourly buckets); each bucket
// counts at most a fixed number of distinct queries with the space-saving
// algorithm, so memory stays bounded whatever readers type, while the heavy
// hitters are still counted exactly or over-counted by a known bound.
//
// It depends on the standard library only.
package analytics

import (
	"container/heap"
	"hash/fnv"
	"sort"
	"sync"
	"time"
	"unicode/utf8"
)

// Defaults of Options.
const (
	DefaultWindow  = 24 * time.Hour
	DefaultBucket  = time.Hour
	DefaultMaxKeys = 1000
	// MaxKeyLen bounds the characters of a stored query key.
	MaxKeyLen = 200
)

// Options tunes a Recorder. Zero fields take the defaults.
type Options struct {
	// Window is how far back reports look (default 24h).
	Window time.Duration
	// Bucket is the resolution of the window (default 1h); Window is
	// rounded up to a whole number of buckets.
	Bucket time.Duration
	// MaxKeys caps the distinct queries counted per bucket, separately for
	// all queries and for zero-result ones (default 1000).
	MaxKeys int
	// Normalize maps a query to its key, so that 花唄 and 花呗 or "ＡＢＣ"
	// and "abc" count as one query. Nil keeps the query as it is.
	Normalize func(string) string
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time
}

// Recorder counts queries over a sliding window. It is safe for concurrent
// use. Its zero value is not usable; use New.
type Recorder struct {
	opts    Options
	mu      sync.Mutex
	buckets []*bucket // ring indexed by bucket number modulo len
}

// bucket counts the queries of one time slot.
type bucket struct {
	slot     int64 // start time / Bucket
	searches uint64
	zero     uint64
	all      *summary // every query
	missed   *summary // zero-result queries
	// seen holds a hash of each (client, query) listed in this slot, up
	// to seenPerKey × MaxKeys of them: a client's repeats of a query are
	// listed once, so one client cannot make its text a top query by
	// sending it again and again. Past the bound every search is listed,
	// as before there was one.
	seen map[uint64]struct{}
}

// seenPerKey bounds a bucket's (client, query) pairs by MaxKeys: 8,000 by
// default, under a megabyte a bucket.
const seenPerKey = 8

// New returns a Recorder with opts.
func New(opts Options) *Recorder {
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	if opts.Bucket <= 0 {
		opts.Bucket = DefaultBucket
	}
	if opts.Bucket > opts.Window {
		opts.Bucket = opts.Window
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	n := int((opts.Window + opts.Bucket - 1) / opts.Bucket)
	return &Recorder{opts: opts, buckets: make([]*bucket, n)}
}

// key normalizes and bounds a query.
func (r *Recorder) key(q string) string {
	if r.opts.Normalize != nil {
		q = r.opts.Normalize(q)
	}
	if !utf8.ValidString(q) {
		return ""
	}
	if utf8.RuneCountInString(q) > MaxKeyLen {
		q = string([]rune(q)[:MaxKeyLen])
	}
	return q
}

// Record counts one search for query by client (an IP, or "" when
// unknown); zero says it found nothing. Queries that normalize to nothing
// (only punctuation, say) are counted as searches but not listed, and so
// are a client's repeats of a query within a bucket: the lists count
// readers, not requests.
func (r *Recorder) Record(client, query string, zero bool) {
	k := r.key(query)
	now := r.opts.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.bucketAt(now)
	b.searches++
	if zero {
		b.zero++
	}
	if k == "" || !b.firstOf(client, k, seenPerKey*r.opts.MaxKeys) {
		return
	}
	b.all.add(k)
	if zero {
		b.missed.add(k)
	}
}

// bucketAt returns the bucket of time t, recycling the ring slot of an
// expired one.
func (r *Recorder) bucketAt(t time.Time) *bucket {
	slot := t.UnixNano() / int64(r.opts.Bucket)
	i := int(mod(slot, int64(len(r.buckets))))
	b := r.buckets[i]
	if b == nil || b.slot != slot {
		b = &bucket{slot: slot, all: newSummary(r.opts.MaxKeys), missed: newSummary(r.opts.MaxKeys)}
		r.buckets[i] = b
	}
	return b
}

// firstOf reports whether client's search for k is its first in the
// bucket, or cannot be told (no client, or max pairs already held).
func (b *bucket) firstOf(client, k string, max int) bool {
	if client == "" {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(client))
	h.Write([]byte{0})
	h.Write([]byte(k))
	sum := h.Sum64()
	if _, ok := b.seen[sum]; ok {
		return false
	}
	if b.seen == nil {
		b.seen = map[uint64]struct{}{}
	}
	if len(b.seen) < max {
		b.seen[sum] = struct{}{}
	}
	return true
}

func mod(a, n int64) int64 {
	m := a % n
	if m < 0 {
		m += n
	}
	return m
}

// QueryCount is one line of a report.
type QueryCount struct {
	Query string `json:"query"`
	// Count is the number of searches for Query in the window that are
	// certain. When the report is Approximate, up to Error more may have
	// been made while the query was not being tracked.
	Count uint64 `json:"count"`
	Error uint64 `json:"error,omitempty"`
}

// Report is what editors see: the window, how many searches it held, and
// the top queries overall and among those that found nothing.
type Report struct {
	From                 time.Time    `json:"from"`
	To                   time.Time    `json:"to"`
	BucketSeconds        int64        `json:"bucket_seconds"`
	Searches             uint64       `json:"searches"`
	ZeroResultSearches   uint64       `json:"zero_result_searches"`
	TopQueries           []QueryCount `json:"top_queries"`
	TopZeroResultQueries []QueryCount `json:"top_zero_result_queries"`
	// Approximate is set when some bucket held more distinct queries than it
	// keeps, so rare queries were dropped and counts carry an Error bound.
	Approximate bool `json:"approximate"`
}

// Report returns the top n queries of the window ending now.
func (r *Recorder) Report(n int) Report {
	now := r.opts.Now()
	slot := now.UnixNano() / int64(r.opts.Bucket)
	first := slot - int64(len(r.buckets)) + 1
	rep := Report{
		From:          time.Unix(0, first*int64(r.opts.Bucket)).UTC(),
		To:            now.UTC(),
		BucketSeconds: int64(r.opts.Bucket / time.Second),
	}
	all, missed := map[string]*QueryCount{}, map[string]*QueryCount{}
	r.mu.Lock()
	for _, b := range r.buckets {
		if b == nil || b.slot < first || b.slot > slot {
			continue
		}
		rep.Searches += b.searches
		rep.ZeroResultSearches += b.zero
		rep.Approximate = rep.Approximate || b.all.evicted || b.missed.evicted
		b.all.mergeInto(all)
		b.missed.mergeInto(missed)
	}
	r.mu.Unlock()
	rep.TopQueries = top(all, n)
	rep.TopZeroResultQueries = top(missed, n)
	return rep
}

// top returns the n largest certain counts, ties broken by query, so a
// query that only entered a full summary by displacing another (and so
// inherited its count as error) never outranks one that was really searched.
func top(m map[string]*QueryCount, n int) []QueryCount {
	out := make([]QueryCount, 0, len(m))
	for _, qc := range m {
		out = append(out, *qc)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Query < out[j].Query
	})
	if n >= 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// summary is a space-saving counter of at most max keys: when full, a new
// key takes the place of the least counted one and inherits its count as
// its error bound (Metwally, Agrawal, El Abbadi 2005). Every key counted
// more often than total/max is guaranteed to be kept.
type summary struct {
	max     int
	byKey   map[string]*entry
	heap    minHeap
	evicted bool
}

type entry struct {
	key   string
	count uint64
	err   uint64
	index int // in the heap
}

func newSummary(max int) *summary {
	return &summary{max: max, byKey: map[string]*entry{}}
}

func (s *summary) add(k string) {
	if e, ok := s.byKey[k]; ok {
		e.count++
		heap.Fix(&s.heap, e.index)
		return
	}
	if len(s.heap) < s.max {
		e := &entry{key: k, count: 1}
		s.byKey[k] = e
		heap.Push(&s.heap, e)
		return
	}
	s.evicted = true
	e := s.heap[0]
	delete(s.byKey, e.key)
	e.key, e.err = k, e.count
	e.count++
	s.byKey[k] = e
	heap.Fix(&s.heap, 0)
}

func (s *summary) mergeInto(m map[string]*QueryCount) {
	for _, e := range s.heap {
		qc := m[e.key]
		if qc == nil {
			qc = &QueryCount{Query: e.key}
			m[e.key] = qc
		}
		qc.Count += e.count - e.err
		qc.Error += e.err
	}
}

// minHeap orders entries by count, least first.
type minHeap []*entry

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i].count < h[j].count }
func (h minHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

// Push implements heap.Interface.
func (h *minHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}

// Pop implements heap.Interface.
func (h *minHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
