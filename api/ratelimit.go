package api

import (
	"container/list"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// defaultRateClients is how many client IPs a clientLimiter tracks when
// Ops.RateClients is 0.
const defaultRateClients = 10000

// clientLimiter is a token bucket per client key (an IP) in bounded memory:
// at most max buckets, the least recently seen forgotten first. A forgotten
// client starts again with a full bucket, which only matters when more
// clients than max are active at once.
type clientLimiter struct {
	limit rate.Limit
	burst int
	max   int

	mu    sync.Mutex
	byKey map[string]*list.Element
	lru   *list.List // of *clientBucket, most recently seen first
}

type clientBucket struct {
	key string
	lim *rate.Limiter
}

func newClientLimiter(limit rate.Limit, burst, max int) *clientLimiter {
	if burst < 1 {
		burst = 1
	}
	if max < 1 {
		max = defaultRateClients
	}
	return &clientLimiter{limit: limit, burst: burst, max: max, byKey: map[string]*list.Element{}, lru: list.New()}
}

// allow takes one token of key's bucket at now. When the bucket is empty it
// reports false and how long until a token is available.
func (l *clientLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b *clientBucket
	if el, ok := l.byKey[key]; ok {
		l.lru.MoveToFront(el)
		b = el.Value.(*clientBucket)
	} else {
		if l.lru.Len() >= l.max {
			oldest := l.lru.Back()
			l.lru.Remove(oldest)
			delete(l.byKey, oldest.Value.(*clientBucket).key)
		}
		b = &clientBucket{key: key, lim: rate.NewLimiter(l.limit, l.burst)}
		l.byKey[key] = l.lru.PushFront(b)
	}
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// size returns the number of tracked clients.
func (l *clientLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}
