package api

import (
	"net/netip"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hashicorp/golang-lru/v2/simplelru"
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

	mu      sync.Mutex
	buckets *simplelru.LRU[string, *rate.Limiter] // guarded by mu
}

// newClientLimiter returns a limiter of limit requests per second with
// bursts of burst per client, tracking at most max clients (0: the default).
func newClientLimiter(limit rate.Limit, burst, max int) *clientLimiter {
	if burst < 1 {
		burst = 1
	}
	if max < 1 {
		max = defaultRateClients
	}
	buckets, err := simplelru.NewLRU[string, *rate.Limiter](max, nil)
	if err != nil {
		panic("api: " + err.Error()) // only for a size below 1, ruled out above
	}
	return &clientLimiter{limit: limit, burst: burst, buckets: buckets}
}

// allow takes one token of key's bucket at now. When the bucket is empty it
// reports false and how long until a token is available.
func (l *clientLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.buckets.Get(key)
	if !ok {
		lim = rate.NewLimiter(l.limit, l.burst)
		l.buckets.Add(key, lim)
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// clientKey is the key of a client IP for the rate limit and the
// per-client admission share: the address itself for IPv4 (also when
// written IPv4-mapped, ::ffff:5.5.5.5), its /64 for IPv6, which one
// subscriber is given whole: keyed by the address, one client rotating
// through its /64 was never limited. A string that is no IP is its own key.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

// clientOf is the request's clientKey, worked out once a request (the rate
// limit, the admission gates and the analytics all ask): gin reads
// X-Forwarded-For through the trusted proxies again on every ClientIP.
func clientOf(c *gin.Context) string {
	if v, ok := c.Get(ctxClient); ok {
		return v.(string)
	}
	k := clientKey(c.ClientIP())
	c.Set(ctxClient, k)
	return k
}

// size returns the number of tracked clients.
func (l *clientLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buckets.Len()
}
