package index

import (
	"fmt"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// storedLoader reads the stored fields of documents by their number in one
// snapshot. bleve's own path (ExternalID, then LoadAndHighlightFields)
// decodes a document's stored fields twice and looks its id up in the id
// dictionary of every segment in between; at 100k articles that was a
// tenth of a search's time. Here the number names the segment directly
// and the fields are decoded once. The fields are turned into hit values
// by bleve's own LoadAndHighlightFields, handed the decoded document
// through Document, so a hit is the one bleve's path makes.
type storedLoader struct {
	bindex.IndexReader
	segs   []snapSegment
	direct bool               // r is a scorch snapshot: read by number
	doc    *document.Document // the document Document answers with
}

func newStoredLoader(r bindex.IndexReader) *storedLoader {
	segs, ok := snapshotSegments(r)
	return &storedLoader{IndexReader: r, segs: segs, direct: ok}
}

// load returns document num as a hit with the stored fields of req.
func (l *storedLoader) load(num uint64, score float64, req *bleve.SearchRequest) (*search.DocumentMatch, error) {
	internal := bindex.IndexInternalID(numBytes(num))
	if !l.direct {
		return loadByID(l.IndexReader, internal, score, req)
	}
	doc, texts, err := l.read(num, req.Fields)
	if err != nil {
		return nil, err
	}
	h := &search.DocumentMatch{ID: doc.ID(), IndexInternalID: internal, Score: score}
	l.doc = doc
	err, _ = bleve.LoadAndHighlightFields(h, req, "", l, nil)
	l.doc = nil
	if err != nil {
		return nil, err
	}
	for _, t := range texts {
		h.AddFieldValue(t.name, t.value)
	}
	return h, nil
}

// Document answers LoadAndHighlightFields with the document load read.
func (l *storedLoader) Document(id string) (bindex.Document, error) {
	if l.doc == nil || l.doc.ID() != id {
		return l.IndexReader.Document(id)
	}
	return l.doc, nil
}

// storedText is a text field's value as a hit holds it.
type storedText struct{ name, value string }

// read decodes the named stored fields of document num, as scorch's
// IndexSnapshot.Document does. Text fields (the body: most of the bytes)
// come apart, as the strings a hit holds: through a document field they
// were copied twice, out of the segment's buffer and into a string.
func (l *storedLoader) read(num uint64, fields []string) (*document.Document, []storedText, error) {
	i := sort.Search(len(l.segs), func(i int) bool {
		return l.segs[i].offset+l.segs[i].seg.Count() > num
	})
	if i == len(l.segs) {
		return nil, nil, fmt.Errorf("no document %d in the snapshot", num)
	}
	var (
		id    string
		kept  []document.Field
		texts []storedText
	)
	err := l.segs[i].seg.VisitStoredFields(num-l.segs[i].offset, func(name string, typ byte, val []byte, pos []uint64) bool {
		if name == "_id" {
			id = string(val)
			return true
		}
		if !wanted(fields, name) {
			return true
		}
		if typ == 't' {
			texts = append(texts, storedText{name, string(val)})
			return true
		}
		// val and pos belong to the segment's buffers: copy them out.
		value, arrayPos := append([]byte(nil), val...), append([]uint64(nil), pos...)
		switch typ {
		case 'n':
			kept = append(kept, document.NewNumericFieldFromBytes(name, arrayPos, value))
		case 'd':
			kept = append(kept, document.NewDateTimeFieldFromBytes(name, arrayPos, value))
		case 'b':
			kept = append(kept, document.NewBooleanFieldFromBytes(name, arrayPos, value))
		}
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	doc := document.NewDocument(id)
	for _, f := range kept {
		doc.AddField(f)
	}
	return doc, texts, nil
}

func wanted(fields []string, name string) bool {
	for _, f := range fields {
		if f == name || f == "*" {
			return true
		}
	}
	return false
}

// loadByID is bleve's path, for readers that are not scorch snapshots.
func loadByID(r bindex.IndexReader, internal bindex.IndexInternalID, score float64, req *bleve.SearchRequest) (*search.DocumentMatch, error) {
	id, err := r.ExternalID(internal)
	if err != nil {
		return nil, err
	}
	h := &search.DocumentMatch{ID: id, IndexInternalID: internal, Score: score}
	if err, _ := bleve.LoadAndHighlightFields(h, req, "", r, nil); err != nil {
		return nil, err
	}
	return h, nil
}

// idReader reads the article ids of documents by number in one snapshot.
type idReader struct {
	r      bindex.IndexReader
	segs   []snapSegment
	direct bool // r is a scorch snapshot: read by number
}

func newIDReader(r bindex.IndexReader) *idReader {
	segs, ok := snapshotSegments(r)
	return &idReader{r: r, segs: segs, direct: ok}
}

// id returns the article id of document num. It may point into the
// snapshot's memory: valid while the snapshot is open, not to be kept.
func (l *idReader) id(num uint64) ([]byte, error) {
	if !l.direct {
		id, err := l.r.ExternalID(bindex.IndexInternalID(numBytes(num)))
		return []byte(id), err
	}
	s, key := segmentDoc(l.segs, num)
	return segmentDocID(s.seg, key.num)
}

// segmentDocID returns the id of document num of seg. zap segments keep
// ids apart from the compressed fields and read one without decoding
// them (DocID: a slice of the segment's memory); other segments decode the
// document. The visitor never stops a visit early: zapx's (v16, v17)
// VisitStoredFields then returns its pooled reader to the pool twice, and
// two searches would share it.
func segmentDocID(seg segment.Segment, num uint64) ([]byte, error) {
	if s, ok := seg.(interface{ DocID(uint64) ([]byte, error) }); ok {
		return s.DocID(num)
	}
	var id []byte
	err := seg.VisitStoredFields(num, func(name string, _ byte, val []byte, _ []uint64) bool {
		if name == "_id" {
			id = append([]byte(nil), val...)
		}
		return true
	})
	return id, err
}
