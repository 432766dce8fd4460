package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zhsearch/zhsearch"
)

// retryAfterBusy is the Retry-After, in seconds, of a 503 unavailable.
const retryAfterBusy = "1"

// errBusy answers a request that finds its gate full.
var errBusy = &zhsearch.Error{Code: zhsearch.EUNAVAILABLE, Message: "the server is busy: retry shortly"}

// errClientBusy answers a request whose client already holds its share of
// a gate (Ops.MaxPerClient): 429, so that one client's long questions
// cannot fill the gate and its queue for every other reader.
var errClientBusy = &zhsearch.Error{Code: zhsearch.ERATELIMITED, Message: "too many requests from this client at once: retry shortly"}

// gate is the admission control of one kind of expensive work: at most
// limit requests run at once and at most queue more wait for a slot (until
// their deadline); any further request is refused at once with errBusy, so
// a burst costs neither memory nor time beyond limit+queue requests. A nil
// gate admits everything.
type gate struct {
	name    string        // for metrics: work or drafts
	tickets chan struct{} // requests running or waiting: limit+queue
	slots   chan struct{} // requests running: limit
	// perClient bounds the tickets one client holds at once (0: no
	// bound); held counts them, a client's entry gone at 0, so the map
	// never holds more than limit+queue clients.
	perClient int
	mu        sync.Mutex
	held      map[string]int // guarded by mu
}

// newGate returns the gate name of limit running and queue waiting
// requests, at most perClient of them one client's (0: any number), or
// nil (no limit) when limit is 0 or less.
func newGate(name string, limit, queue, perClient int) *gate {
	if limit <= 0 {
		return nil
	}
	return &gate{name: name, tickets: make(chan struct{}, limit+max(queue, 0)), slots: make(chan struct{}, limit),
		perClient: max(perClient, 0), held: map[string]int{}}
}

// enter admits client's request: errClientBusy at once when client holds
// its share of the gate, errBusy when the gate is full, ctx's error when
// ctx ends while it waits, else a release function that gives the slot
// back (it may be called more than once).
func (g *gate) enter(ctx context.Context, client string) (release func(), err error) {
	if g == nil {
		return func() {}, nil
	}
	if !g.hold(client) {
		return nil, errClientBusy
	}
	select {
	case g.tickets <- struct{}{}:
	default:
		g.unhold(client)
		return nil, errBusy
	}
	select {
	case g.slots <- struct{}{}:
		return sync.OnceFunc(func() { <-g.slots; <-g.tickets; g.unhold(client) }), nil
	case <-ctx.Done():
		<-g.tickets
		g.unhold(client)
		return nil, ctx.Err()
	}
}

// hold counts one more ticket of client's, unless it holds perClient.
func (g *gate) hold(client string) bool {
	if g.perClient == 0 {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held[client] >= g.perClient {
		return false
	}
	g.held[client]++
	return true
}

// unhold gives back one ticket of client's.
func (g *gate) unhold(client string) {
	if g.perClient == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held[client]--; g.held[client] <= 0 {
		delete(g.held, client)
	}
}

// waiting returns how many requests hold a ticket: running or queued.
func (g *gate) waiting() int { return len(g.tickets) }

// running is how many requests hold a slot; queued how many wait for one.
func (g *gate) running() int { return len(g.slots) }
func (g *gate) queued() int  { return max(0, len(g.tickets)-len(g.slots)) }

// gates are the Server's admission controls, made once by Handler.
type gates struct {
	work   *gate // searches and related lists of stored articles, uncached
	drafts *gate // POST /api/v1/related
	// suggest: completions, as many at once as searches, in a gate of
	// their own so that a reader's suggestions never wait behind
	// searches; without one, a flood of costly completions ran 64 at once
	// and tripled every search's time (security probe).
	suggest *gate
}

func newGates(o Ops) gates {
	g := gates{work: newGate("work", o.MaxConcurrent, o.MaxQueued, o.MaxPerClient),
		drafts:  newGate("drafts", o.MaxConcurrentDrafts, o.MaxQueuedDrafts, o.MaxPerClient),
		suggest: newGate("suggest", o.MaxConcurrent, o.MaxQueued, o.MaxPerClient)}
	if o.Metrics != nil {
		// Each gate's refusals start at zero, so that dashboards and
		// alerts read 0, not "no data", before the first refusal.
		for _, gt := range []*gate{g.work, g.drafts, g.suggest} {
			if gt != nil { // nil: no limit, no refusals
				o.Metrics.AddGate(gt.name, gt.running, gt.queued)
			}
		}
	}
	return g
}

// enter admits the request c through g (see gate.enter), counting a
// refusal in the metrics.
func (s *Server) enter(c *gin.Context, g *gate) (release func(), err error) {
	start := time.Now()
	release, err = g.enter(c.Request.Context(), clientOf(c))
	if err == nil && g != nil {
		waited := time.Since(start)
		c.Set(ctxQueued, waited)
		if s.Ops.Metrics != nil {
			s.Ops.Metrics.ObserveAdmitted(g.name, waited)
		}
	}
	if errors.Is(err, errBusy) && s.Ops.Metrics != nil {
		s.Ops.Metrics.ObserveRejected(g.name)
	}
	if errors.Is(err, errClientBusy) {
		if s.Ops.Metrics != nil {
			s.Ops.Metrics.ObserveRateLimited()
		}
		c.Header("Retry-After", retryAfterBusy)
	}
	return release, err
}

// admitted runs fn once g admits it, as detached does.
func admitted[T any](s *Server, c *gin.Context, g *gate, fn func(context.Context) (T, error)) (T, error) {
	release, err := s.enter(c, g)
	if err != nil {
		var zero T
		return zero, err
	}
	return detached(s, c, release, fn)
}

// detached runs fn on a goroutine of its own with the request's context and
// returns its answer, or the context's error as soon as the context ends
// (its deadline: 503 timeout), whether or not fn has stopped. release is
// called when fn returns, not before, unless fn yields (zhsearch.Yield)
// to wait for another request's computation: work that outlives its
// answer still holds its admission slot, so it still counts against the
// limit. A panic in fn is logged with its stack and answered as an
// internal error.
func detached[T any](s *Server, c *gin.Context, release func(), fn func(context.Context) (T, error)) (T, error) {
	type answer struct {
		v   T
		err error
	}
	ctx, rid, path := c.Request.Context(), requestID(c), logPath(c)
	ch := make(chan answer, 1)
	// A computation shared with other readers may take the slot over
	// (zhsearch.Keep): it is then given back when the computation stops,
	// not when this request stops waiting for it.
	var kept atomic.Bool
	keep := func() func() {
		kept.Store(true)
		return release
	}
	go func() {
		defer func() {
			if !kept.Load() {
				release()
			}
		}()
		var a answer
		defer func() { ch <- a }()
		defer func() {
			if v := recover(); v != nil {
				s.logger().Error("panic", "request_id", rid, "path", path, "panic", v, "stack", string(debug.Stack()))
				a.err = fmt.Errorf("panic: %v", v)
			}
		}()
		// Work that only waits for another request's computation gives
		// its slot back early (zhsearch.Yield).
		a.v, a.err = fn(zhsearch.WithKeep(zhsearch.WithYield(ctx, release), keep))
	}()
	select {
	case a := <-ch:
		return a.v, a.err
	case <-ctx.Done():
		select {
		case a := <-ch: // finished just now: the answer is better than a timeout
			return a.v, a.err
		default:
		}
		var zero T
		return zero, ctx.Err()
	}
}

// limitBodyRead makes the reading of the request's body end at the
// request's deadline, so that a slowly sent body cannot hold an admission
// slot past it. The returned function lifts that deadline once the body is
// read: net/http goes on reading the connection in the background to see
// the client leave, and that read failing at the deadline would cancel
// the request as if the client had gone (499) instead of timing it out.
// A body that failed to read keeps the deadline: net/http drains the rest
// of it (up to 256 KB) before closing the connection, and with no
// deadline that drain would wait for a stalled client for ever.
// Without a deadline, or on a writer that cannot (tests), it does nothing.
//
// The connection is closed after the answer: a read of the connection
// failing at that deadline (the body's last bytes arriving just after it,
// or net/http's background read racing restore) cancels the context of
// every later request on it, each answered 499 at once; behind a balancer
// that kept reusing the connection, every reader's. A draft is an editor's
// request, rare enough to pay for a new connection.
func limitBodyRead(c *gin.Context) (restore func()) {
	dl, ok := c.Request.Context().Deadline()
	if !ok {
		return func() {}
	}
	rc := http.NewResponseController(c.Writer)
	if rc.SetReadDeadline(dl) != nil {
		return func() {}
	}
	c.Header("Connection", "close")
	return func() { _ = rc.SetReadDeadline(time.Time{}) }
}

// isReadTimeout reports a body read stopped by a deadline.
func isReadTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &te) && te.Timeout()
}
