package index

import (
	bindex "github.com/blevesearch/bleve_index_api"
)

// segPostings opens postings on the segments of a scorch snapshot
// directly. A list is read in place through zap the first time and
// decoded the second, then kept in the index's postings cache
// (postingsCache, whose doorkeeper search shares): the terms of a related
// list come back in the next one (花呗, 征信, 逾期 …), and reading a decoded
// list is a walk through an array instead of zap's chunk decoding, but
// most lists of a large index are read once, and decoding those whole was
// a quarter of a related list's time at 1M articles. It is used by one
// goroutine at a time.
type segPostings struct {
	lists *segLists
}

// newSegPostings returns the segments of r, or nil when r is not a scorch
// snapshot (then its own term readers serve).
func newSegPostings(r bindex.IndexReader, cache *postingsCache) *segPostings {
	segs, ok := snapshotSegments(r)
	if !ok {
		return nil
	}
	return &segPostings{lists: newSegLists(segs, cache)}
}

// open returns a reader of term's postings in field, forward only: it
// must never be advanced to a document before the one it is on.
func (s *segPostings) open(term, field string, freq, norm bool) (bindex.TermFieldReader, error) {
	parts, df, _, err := s.lists.parts(field, term, false, inPlaceUntilTwice)
	if err != nil {
		return nil, err
	}
	return &segReader{cursor: partCursor{parts: parts}, count: df, freq: freq, norm: norm}, nil
}

// segReader reads one term's decoded postings as a bleve term reader.
type segReader struct {
	cursor     partCursor
	started    bool // the cursor stands on the posting last returned
	count      uint64
	freq, norm bool
}

// doc fills d with the current posting, or returns nil at the end.
func (r *segReader) doc(d *bindex.TermFieldDoc) *bindex.TermFieldDoc {
	num := r.cursor.doc()
	if num == docDone {
		return nil
	}
	if d == nil {
		d = &bindex.TermFieldDoc{}
	}
	d.ID = bindex.NewIndexInternalID(d.ID, num)
	freq, norm := r.cursor.freqNorm()
	if r.freq {
		d.Freq = uint64(freq)
	}
	if r.norm {
		d.Norm = float64(norm)
	}
	return d
}

func (r *segReader) Next(d *bindex.TermFieldDoc) (*bindex.TermFieldDoc, error) {
	if r.started {
		r.cursor.next()
	} else {
		r.cursor.settle()
		r.started = true
	}
	return r.doc(d), nil
}

func (r *segReader) Advance(id bindex.IndexInternalID, d *bindex.TermFieldDoc) (*bindex.TermFieldDoc, error) {
	if !r.started {
		r.cursor.settle()
		r.started = true
	}
	r.cursor.advance(id.Value())
	return r.doc(d), nil
}

func (r *segReader) Count() uint64 { return r.count }
func (r *segReader) Close() error  { return nil }
func (r *segReader) Size() int     { return 0 }
