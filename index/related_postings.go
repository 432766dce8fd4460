package index

import (
	"errors"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// segPostings opens postings on the segments of a scorch snapshot
// directly, for one list: each field's term dictionary of each segment is
// opened once, not for every term (an IndexSnapshot term reader opens them
// all for each term, a tenth of an uncached list's time on an index of 100k
// articles in eleven segments), and reading a posting skips the snapshot
// reader's bookkeeping. It is used by one goroutine at a time.
type segPostings struct {
	parts []segPart
	dicts map[string][]segment.TermDictionary
}

type segPart struct {
	seg     segment.Segment
	deleted *roaring.Bitmap
	offset  uint64 // the number of the segment's first document in the snapshot
}

// newSegPostings returns the segments of r, or nil when r is not a scorch
// snapshot (then its own term readers serve).
func newSegPostings(r bindex.IndexReader) *segPostings {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	s := &segPostings{dicts: map[string][]segment.TermDictionary{}}
	var offset uint64
	for _, ss := range is.Segments() {
		s.parts = append(s.parts, segPart{seg: ss.Segment(), deleted: ss.Deleted(), offset: offset})
		offset += ss.Segment().Count() // as scorch numbers documents
	}
	return s
}

// open returns a reader of term's postings in field, forward only: it
// must never be advanced to a document at or before the one it is on.
func (s *segPostings) open(term, field string, freq, norm bool) (bindex.TermFieldReader, error) {
	dicts, ok := s.dicts[field]
	if !ok {
		dicts = make([]segment.TermDictionary, len(s.parts))
		for i, p := range s.parts {
			d, err := p.seg.Dictionary(field)
			if err != nil {
				return nil, err
			}
			dicts[i] = d
		}
		s.dicts[field] = dicts
	}
	r := &segReader{parts: s.parts, its: make([]segment.PostingsIterator, len(s.parts)), freq: freq, norm: norm}
	for i, p := range s.parts {
		pl, err := dicts[i].PostingsList([]byte(term), p.deleted, nil)
		if err != nil {
			return nil, err
		}
		if n := pl.Count(); n > 0 {
			r.count += n
			r.its[i] = pl.Iterator(freq, norm, false, nil)
		}
	}
	return r, nil
}

// segReader reads one term's postings, segment by segment.
type segReader struct {
	parts      []segPart
	its        []segment.PostingsIterator // nil where the segment lacks the term
	cur        int                        // the segment read
	count      uint64
	freq, norm bool
}

func (r *segReader) doc(p segment.Posting, d *bindex.TermFieldDoc) *bindex.TermFieldDoc {
	if d == nil {
		d = &bindex.TermFieldDoc{}
	}
	d.ID = bindex.NewIndexInternalID(d.ID, r.parts[r.cur].offset+p.Number())
	if r.freq {
		d.Freq = p.Frequency()
	}
	if r.norm {
		d.Norm = p.Norm()
	}
	return d
}

func (r *segReader) Next(d *bindex.TermFieldDoc) (*bindex.TermFieldDoc, error) {
	for ; r.cur < len(r.its); r.cur++ {
		if it := r.its[r.cur]; it != nil {
			p, err := it.Next()
			if err != nil {
				return nil, err
			}
			if p != nil {
				return r.doc(p, d), nil
			}
		}
	}
	return nil, nil
}

func (r *segReader) Advance(id bindex.IndexInternalID, d *bindex.TermFieldDoc) (*bindex.TermFieldDoc, error) {
	num := id.Value()
	k := sort.Search(len(r.parts), func(i int) bool { return r.parts[i].offset > num }) - 1
	if k < r.cur {
		return nil, errors.New("segReader: advanced backwards")
	}
	r.cur = k
	if it := r.its[k]; it != nil {
		p, err := it.Advance(num - r.parts[k].offset)
		if err != nil {
			return nil, err
		}
		if p != nil {
			return r.doc(p, d), nil
		}
	}
	r.cur++
	return r.Next(d)
}

func (r *segReader) Count() uint64 { return r.count }
func (r *segReader) Close() error  { return nil }
func (r *segReader) Size() int     { return 0 }
