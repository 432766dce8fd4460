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
