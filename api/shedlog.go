package api

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// shedLogPerSecond is how many access log lines of 503 answers (requests
// shed by admission or past their deadline) a server writes a second, on
// average, with a burst of as many: under the overload that sheds them,
// one line each wrote thousands a second, which the log's shipper had to
// carry exactly when the machine had no time to spare. The metrics count
// every one (zhsearch_http_requests_total, zhsearch_http_errors_total).
const shedLogPerSecond = 10

// shedSampler decides which 503 answers get an access log line, and
// counts those that did not since the last one that did.
type shedSampler struct {
	mu      sync.Mutex
	limit   *rate.Limiter
	skipped int // 503 answers not logged since the last one logged
}

func newShedSampler() *shedSampler {
	return &shedSampler{limit: rate.NewLimiter(shedLogPerSecond, shedLogPerSecond)}
}

// sample reports whether a 503 answered at now is logged and, if it is,
// how many were not since the last one logged.
func (s *shedSampler) sample(now time.Time) (logged bool, skipped int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.limit.AllowN(now, 1) {
		s.skipped++
		return false, 0
	}
	skipped, s.skipped = s.skipped, 0
	return true, skipped
}
