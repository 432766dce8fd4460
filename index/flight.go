package index

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/zhsearch/zhsearch"
)

// flightGroup runs concurrent misses on one answer (a related list, a
// search page) once and shares it (singleflight), with two differences that
// matter to a server:
//
//   - The shared computation runs under a context of its own that ends when
//     the last caller waiting for it has gone (its deadline passed, or the
//     client left), so abandoned work stops instead of running on; and when
//     the index closes.
//   - It holds the index: close refuses new computations, cancels those
//     running and waits for them to return before the index (and with it
//     bleve's snapshot) is closed. A generation switched out by a reindex
//     therefore never closes under a computation that outlived its callers.
//     A panic in a computation becomes an error of its callers instead of
//     ending the process.
type flightGroup[T any] struct {
	mu      sync.Mutex
	calls   map[string]*flightCall[T]
	closed  bool
	running sync.WaitGroup
	log     *slog.Logger // where a panic is logged (nil: slog's default)
}

// flightCall is one shared computation.
type flightCall[T any] struct {
	done    chan struct{} // closed when res and err are set
	res     T
	err     error
	waiters int // callers waiting; guarded by flightGroup.mu
	cancel  context.CancelFunc
}

// do returns fn's answer for key, running fn at most once at a time per
// key. ctx bounds the wait of this caller only; fn gets a context that ends
// when every caller waiting for it has gone, the group closes, or the
// deadline of the caller that started it passes: readers joining one after
// another cannot keep a computation running past a request's deadline
// (nor, leaving their admission slots, make it an unbounded one). A caller
// that finds fn already running for key yields (zhsearch.Yield): it
// computes nothing, so its admission slot goes to the next request.
func (g *flightGroup[T]) do(ctx context.Context, key string, fn func(ctx context.Context) (T, error)) (T, error) {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		var zero T
		return zero, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the index is closed")
	}
	if g.calls == nil {
		g.calls = map[string]*flightCall[T]{}
	}
	c := g.calls[key]
	leader := c == nil
	if leader {
		var (
			fctx   context.Context
			cancel context.CancelFunc
		)
		if dl, ok := ctx.Deadline(); ok {
			fctx, cancel = context.WithDeadline(context.Background(), dl)
		} else {
			fctx, cancel = context.WithCancel(context.Background())
		}
		c = &flightCall[T]{done: make(chan struct{}), cancel: cancel}
		g.calls[key] = c
		g.running.Add(1)
		// The computation holds its starter's admission slot until it
		// stops (zhsearch.Keep), even if the starter leaves first.
		go g.run(fctx, key, c, fn, zhsearch.Keep(ctx))
	}
	c.waiters++
	g.mu.Unlock()
	if !leader {
		zhsearch.Yield(ctx) // it only waits: its admission slot can serve another
	}
	return g.wait(ctx, key, c)
}

// wait returns c's answer once it is done, or ctx's error if ctx ends
// first; either way the caller, counted among c's waiters, leaves it.
func (g *flightGroup[T]) wait(ctx context.Context, key string, c *flightCall[T]) (T, error) {
	select {
	case <-c.done:
		g.leave(key, c)
		return c.res, c.err
	case <-ctx.Done():
		g.leave(key, c)
		var zero T
		return zero, searchErr(ctx, ctx.Err())
	}
}

// join waits for the computation of key that is running for other
// callers, if there is one, and returns its answer (found false: none is
// running). ctx bounds this caller's wait; leaving early counts as for do.
func (g *flightGroup[T]) join(ctx context.Context, key string) (res T, found bool, err error) {
	g.mu.Lock()
	c := g.calls[key]
	if c == nil || g.closed {
		g.mu.Unlock()
		return res, false, nil
	}
	c.waiters++
	g.mu.Unlock()
	res, err = g.wait(ctx, key, c)
	return res, true, err
}

// leave drops a waiter; the last one to leave a computation that has not
// finished cancels it, and a later caller starts afresh.
func (g *flightGroup[T]) leave(key string, c *flightCall[T]) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c.waiters--
	if c.waiters > 0 {
		return
	}
	select {
	case <-c.done:
	default:
		c.cancel()
		if g.calls[key] == c {
			delete(g.calls, key)
		}
	}
}

func (g *flightGroup[T]) run(ctx context.Context, key string, c *flightCall[T], fn func(ctx context.Context) (T, error), release func()) {
	defer g.running.Done()
	defer release()
	defer func() {
		if p := recover(); p != nil {
			log := g.log
			if log == nil {
				log = slog.Default()
			}
			log.Error("shared computation panicked", "key", key, "panic", p, "stack", string(debug.Stack()))
			var zero T
			c.res, c.err = zero, fmt.Errorf("computation %s: panic: %v", key, p)
		}
		g.mu.Lock()
		if g.calls[key] == c {
			delete(g.calls, key)
		}
		g.mu.Unlock()
		c.cancel()
		close(c.done)
	}()
	c.res, c.err = fn(ctx)
}

// close stops the group: no new computation starts, running ones are
// cancelled, and close returns once they have all returned.
func (g *flightGroup[T]) close() {
	g.mu.Lock()
	g.closed = true
	for _, c := range g.calls {
		c.cancel()
	}
	g.mu.Unlock()
	g.running.Wait()
}
