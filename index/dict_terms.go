package index

import (
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// eachTerm calls fn with every term of field and the number of documents
// (not deleted) holding it. On a scorch snapshot it goes segment by
// segment, so a term may come once per segment that holds it: its counts
// add up to the term's.
//
// The counts are read from each term's postings, not from the term
// dictionary's iterator: zapx's iterator reuses one postings list and
// does not clear its one-posting fields, so on a merged segment every term
// after the first that one document holds counts 1 (a compacted index is
// one merged segment; see TestEachTermCountsMergedSegments).
func eachTerm(r bindex.IndexReader, field string, fn func(term string, count uint64)) error {
	segs, ok := snapshotSegments(r)
	if !ok {
		return eachDictTerm(r, field, fn)
	}
	for _, s := range segs {
		if err := eachSegmentTerm(s, field, fn); err != nil {
			return err
		}
	}
	return nil
}

// omitCounter is zapx's term dictionary, which can list its terms without
// reading their postings.
type omitCounter interface {
	AutomatonIteratorOmitCount(a segment.Automaton, startKeyInclusive, endKeyExclusive []byte) segment.DictionaryIterator
}

// eachSegmentTerm calls fn with every term of field in segment s and the
// count of its documents there.
func eachSegmentTerm(s snapSegment, field string, fn func(term string, count uint64)) error {
	dict, err := s.seg.Dictionary(field)
	if err != nil {
		return err
	}
	var it segment.DictionaryIterator
	if oc, ok := dict.(omitCounter); ok {
		it = oc.AutomatonIteratorOmitCount(nil, nil, nil)
	} else {
		it = dict.AutomatonIterator(nil, nil, nil)
	}
	var pl segment.PostingsList // reused: zapx clears it on every lookup
	for {
		e, err := it.Next()
		if err != nil || e == nil {
			return err
		}
		if pl, err = dict.PostingsList([]byte(e.Term), s.deleted, pl); err != nil {
			return err
		}
		if n := pl.Count(); n > 0 {
			fn(e.Term, n)
		}
	}
}

// eachDictTerm is eachTerm on an index that is not scorch's, through its
// dictionary's own counts.
func eachDictTerm(r bindex.IndexReader, field string, fn func(term string, count uint64)) error {
	d, err := r.FieldDict(field)
	if err != nil {
		return err
	}
	defer d.Close()
	for {
		e, err := d.Next()
		if err != nil || e == nil {
			return err
		}
		fn(e.Term, e.Count)
	}
}
