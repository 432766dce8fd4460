package index

import (
	"sort"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

// docCacheSize is how many documents' stored fields each of an Index's
// document caches keeps: a few megabytes.
const docCacheSize = 1 << 16

// docTitle is a document's id and title as stored.
type docTitle struct{ id, title string }

// docKey names a document of a segment: scorch never renumbers a
// segment's documents, and a segment's number is never reused.
type docKey struct{ segment, num uint64 }

// docCache keeps what autocomplete and related lists show of documents.
// Reading one stored field decompresses the whole stored document, body
// and all: a completion list reads a title for each of up to 100
// candidates (half of suggest's time at 100k articles), a related list the
// fields of each of its pool. Stored fields never change within a segment
// (an edit adds the new version to a new segment), so no edit stales an
// entry.
type docCache struct {
	once    sync.Once
	titles  *lru.Cache[docKey, docTitle]
	related *lru.Cache[docKey, relatedDoc] // without the key admit sets
}

func (c *docCache) init() {
	c.once.Do(func() { // sizes > 0 cannot fail
		c.titles, _ = lru.New[docKey, docTitle](docCacheSize)
		c.related, _ = lru.New[docKey, relatedDoc](docCacheSize)
	})
}

// segmentDoc returns the segment of a snapshot (segs) holding document
// num, and the document's key.
func segmentDoc(segs []snapSegment, num uint64) (snapSegment, docKey) {
	i := sort.Search(len(segs), func(i int) bool { return segs[i].offset > num }) - 1
	s := segs[i]
	return s, docKey{segment: s.id, num: num - s.offset}
}

// titleOf returns the id and title of document num of a snapshot whose
// segments are segs.
func (ix *Index) titleOf(segs []snapSegment, num uint64) (docTitle, error) {
	s, key := segmentDoc(segs, num)
	ix.docs.init()
	if t, ok := ix.docs.titles.Get(key); ok {
		return t, nil
	}
	var t docTitle
	err := s.seg.VisitStoredFields(key.num, func(field string, _ byte, value []byte, _ []uint64) bool {
		switch field {
		case "_id":
			t.id = string(value)
		case fTitle:
			t.title = string(value)
		}
		return t.id == "" || t.title == ""
	})
	if err != nil {
		return docTitle{}, err
	}
	ix.docs.titles.Add(key, t)
	return t, nil
}

// cachedRelatedDoc returns the related-list fields of document num of a
// snapshot whose segments are segs (nil: not a scorch snapshot, no cache).
func (ix *Index) cachedRelatedDoc(segs []snapSegment, num uint64) (relatedDoc, bool) {
	if segs == nil {
		return relatedDoc{}, false
	}
	_, key := segmentDoc(segs, num)
	ix.docs.init()
	return ix.docs.related.Get(key)
}

// keepRelatedDoc caches d, document num's related-list fields.
func (ix *Index) keepRelatedDoc(segs []snapSegment, num uint64, d relatedDoc) {
	if segs == nil {
		return
	}
	_, key := segmentDoc(segs, num)
	d.key = ""
	ix.docs.init()
	ix.docs.related.Add(key, d)
}
