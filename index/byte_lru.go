package index

import (
	"sync"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
)

// byteLRU is an LRU cache bounded by entries and by bytes: it holds at
// most n entries, and drops its oldest while those it holds weigh more
// than its budget, each entry weighing what its put said. The search
// result cache and the related-list cache are ones.
type byteLRU[K comparable, V any] struct {
	lru    *lru.Cache[K, sizedValue[V]]
	budget int64
	bytes  atomic.Int64 // what the entries weigh, kept by put and by eviction
	putMu  sync.Mutex   // orders puts: add, then evict down to the budget
}

type sizedValue[V any] struct {
	v     V
	bytes int64
}

// newByteLRU returns a cache of n entries (n > 0) and budget bytes.
func newByteLRU[K comparable, V any](n int, budget int64) *byteLRU[K, V] {
	c := &byteLRU[K, V]{budget: budget}
	c.lru, _ = lru.NewWithEvict(n, func(_ K, s sizedValue[V]) { c.bytes.Add(-s.bytes) }) // n > 0 cannot fail
	return c
}

// get returns the value cached for k.
func (c *byteLRU[K, V]) get(k K) (V, bool) {
	s, ok := c.lru.Get(k)
	return s.v, ok
}

// put caches v, weighing bytes, for k, then drops the oldest entries
// while the cache weighs more than its budget. A value weighing more than
// the whole budget is not cached.
func (c *byteLRU[K, V]) put(k K, v V, bytes int64) {
	if bytes > c.budget {
		return
	}
	c.putMu.Lock()
	defer c.putMu.Unlock()
	if old, ok := c.lru.Peek(k); ok {
		c.bytes.Add(-old.bytes) // replaced without an eviction
	}
	c.bytes.Add(bytes)
	c.lru.Add(k, sizedValue[V]{v, bytes})
	for c.bytes.Load() > c.budget {
		if _, _, ok := c.lru.RemoveOldest(); !ok {
			return
		}
	}
}

// purge drops every entry.
func (c *byteLRU[K, V]) purge() { c.lru.Purge() }

// stats reports how many entries the cache holds and what they weigh.
func (c *byteLRU[K, V]) stats() (entries int, bytes int64) { return c.lru.Len(), c.bytes.Load() }
