package zhsearch

import "context"

// yieldKey is the context key of WithYield's function.
type yieldKey struct{}

// WithYield returns a copy of ctx that carries give. Admission control
// attaches the release of a request's slot: work running under ctx that
// stops computing to wait for the same answer being computed for another
// caller calls Yield, so that the slot goes to the next request instead of
// idling while it waits. give must be safe to call more than once.
func WithYield(ctx context.Context, give func()) context.Context {
	return context.WithValue(ctx, yieldKey{}, give)
}

// Yield calls the function WithYield attached to ctx, if any: the caller
// computes nothing from here on, it only waits for another caller's work.
func Yield(ctx context.Context) {
	if give, ok := ctx.Value(yieldKey{}).(func()); ok {
		give()
	}
}

// keepKey is the context key of WithKeep's function.
type keepKey struct{}

// WithKeep returns a copy of ctx that carries keep. Admission control
// attaches it: work running under ctx that goes on after the request
// stops waiting for it (a computation shared with other readers) calls
// Keep to hold the request's admission slot until it is done; keep returns
// the function that gives the slot back, which the work calls once it has
// stopped. Without it, a reader leaving early would free the slot of a
// computation still running, and readers leaving one after another could
// run any number of computations at once.
func WithKeep(ctx context.Context, keep func() (release func())) context.Context {
	return context.WithValue(ctx, keepKey{}, keep)
}

// Keep takes over the admission slot of the request ctx belongs to, if
// admission control attached one (WithKeep), and returns the function
// that gives it back (a no-op without one).
func Keep(ctx context.Context) (release func()) {
	if keep, ok := ctx.Value(keepKey{}).(func() func()); ok {
		return keep()
	}
	return func() {}
}
