package index

import (
	"sort"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

// docTitleCacheSize is how many documents' ids and titles an Index keeps for
// autocomplete: a few megabytes.
const docTitleCacheSize = 1 << 16

// docTitle is a document's id and title as stored.
type docTitle struct{ id, title string }

// titleKey names a document of a segment: scorch never renumbers a
// segment's documents, and a segment's number is never reused.
type titleKey struct{ segment, num uint64 }

// docTitleCache keeps documents' ids and titles. Reading one stored field
// decompresses the whole stored document, body and all: a completion list
// reads a title for each of up to 100 candidates, which cost half of
// suggest's time at 100k articles. Titles never change within a segment
// (an edit adds the new version to a new segment), so no edit stales an
// entry.
type docTitleCache struct {
	once sync.Once
	lru  *lru.Cache[titleKey, docTitle]
}

func (c *docTitleCache) cache() *lru.Cache[titleKey, docTitle] {
	c.once.Do(func() { c.lru, _ = lru.New[titleKey, docTitle](docTitleCacheSize) }) // size > 0 cannot fail
	return c.lru
}

// titleOf returns the id and title of document num of a snapshot whose
// segments are segs.
func (ix *Index) titleOf(segs []snapSegment, num uint64) (docTitle, error) {
	i := sort.Search(len(segs), func(i int) bool { return segs[i].offset > num }) - 1
	s := segs[i]
	key := titleKey{segment: s.id, num: num - s.offset}
	c := ix.titles.cache()
	if t, ok := c.Get(key); ok {
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
	c.Add(key, t)
	return t, nil
}
