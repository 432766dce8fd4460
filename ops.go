package zhsearch

import "time"

// ReindexObserver is told about every reindex a process runs: how long it
// took, and the error when it failed (the previous generation then stays
// live). Metrics implement it; whoever runs a reindex calls it, so the
// reindex code needs no metrics library. Implementations must be safe for
// concurrent use.
type ReindexObserver interface {
	ObserveReindex(took time.Duration, err error)
}
