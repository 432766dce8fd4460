package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/journal"
)

// A stream message is one edit: the JSON of a journal.Record without its
// seq (the stream's sequence is the seq) and its journal (the stream's
// identity).

// decode reads the edit a stream message holds.
func (n *Node) decode(data []byte, seq uint64) (journal.Record, error) {
	var r journal.Record
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("stream message %d: %w", seq, err)
	}
	r.Seq, r.Journal = seq, n.id
	switch r.Op {
	case zhsearch.OpPut:
		if r.Article == nil || r.Article.ID != r.ID {
			return r, fmt.Errorf("stream message %d: put of %q without its article", seq, r.ID)
		}
		if err := r.Article.ValidateAccepted(); err != nil {
			return r, fmt.Errorf("stream message %d: %s", seq, zhsearch.ErrorMessage(err))
		}
	case zhsearch.OpDelete:
		if !zhsearch.ValidID(r.ID) {
			return r, fmt.Errorf("stream message %d: delete of bad id %q", seq, r.ID)
		}
	default:
		return r, fmt.Errorf("stream message %d: unknown op %q", seq, r.Op)
	}
	return r, nil
}

// headerDeadline is the stream message header of an edit that says when
// its publisher stopped waiting for the stream's acknowledgement and told
// the editor the edit failed (RFC 3339, UTC).
const headerDeadline = "Zhsearch-Edit-Deadline"

// lateAllowance is how long after its deadline an edit stored in the
// stream is still applied: what the clocks of the replicas and of the
// NATS servers may differ by. An edit is published again and again until
// its deadline; when the link to NATS is cut, the last copy waits in the
// connection's buffer and may reach the stream minutes later, after the
// editor was told it failed, past the stream's duplicate window, and over
// a newer edit of the same article acknowledged meanwhile. Past the
// allowance every replica skips it, by the time the stream stored it, so
// all of them skip the same edits.
const lateAllowance = 5 * time.Second

// lateEdit reports whether an edit whose message carries deadline (its
// headerDeadline, "" for an edit of a version that sets none) was stored
// in the stream at stored, past its deadline and the allowance.
func lateEdit(deadline string, stored time.Time) bool {
	if deadline == "" {
		return false
	}
	d, err := time.Parse(time.RFC3339Nano, deadline)
	return err == nil && stored.After(d.Add(lateAllowance))
}

// streamRecord is the edit a stream message holds (Node.record), or a
// record that skips its seq when the edit reached the stream too late
// (lateEdit).
func (n *Node) streamRecord(msg jetstream.Msg, meta *jetstream.MsgMetadata) journal.Record {
	seq := meta.Sequence.Stream
	if deadline := msg.Headers().Get(headerDeadline); lateEdit(deadline, meta.Timestamp) {
		n.log.Warn("skipping an edit that reached the stream after its editor was told it failed",
			"seq", seq, "deadline", deadline, "stored", meta.Timestamp.UTC().Format(time.RFC3339Nano))
		return journal.Record{Seq: seq, Journal: n.id, Skip: true}
	}
	return n.record(msg.Data(), seq)
}

// record is the edit a stream message holds, or, for a message that is
// not an edit (logged), a record that skips its seq (journal.Record.Skip):
// a replica whose stream ends with one is caught up with it all the same.
func (n *Node) record(data []byte, seq uint64) journal.Record {
	r, err := n.decode(data, seq)
	if err != nil {
		n.log.Error("skipping a stream message that is not an edit", "err", err)
		return journal.Record{Seq: seq, Journal: n.id, Skip: true}
	}
	return r
}

// Read implements index.EditLog over the stream: it calls fn with the
// edits after from, in order, up to the stream's last seq when it is
// called. A position from another stream, or past this one's end, is a
// *journal.MismatchError; a position the stream no longer holds (its
// first messages removed) an error. A message that is not a valid edit is
// logged and given to fn as a record that skips its seq (Node.record; only
// replicas publish to the stream).
func (n *Node) Read(from journal.Position, fn func(journal.Record) error) (journal.Info, error) {
	ctx, cancel := context.WithTimeout(n.ctxOrBackground(), 10*time.Minute)
	defer cancel()
	st, err := n.streamState(ctx)
	if err != nil {
		return journal.Info{}, err
	}
	got := journal.Info{Exists: true, ID: n.id, Last: st.LastSeq}
	if from.Seq > 0 && (from.ID != n.id || from.Seq > st.LastSeq) {
		return got, &journal.MismatchError{Path: "stream " + n.cfg.streamName(), Want: from, Got: got}
	}
	if fn == nil || from.Seq >= st.LastSeq {
		return got, nil
	}
	if st.Msgs > 0 && st.FirstSeq > from.Seq+1 {
		return got, fmt.Errorf("stream %s no longer holds seq %d (its first is %d): reindex from a newer generation",
			n.cfg.streamName(), from.Seq+1, st.FirstSeq)
	}
	next := from.Seq + 1
	for {
		for next <= got.Last {
			if err := n.readRange(ctx, &next, got.Last, fn); err != nil {
				if ce := (*callbackError)(nil); errors.As(err, &ce) {
					return got, ce.err
				}
				if ctx.Err() != nil {
					return got, fmt.Errorf("read stream %s: %w", n.cfg.streamName(), ctx.Err())
				}
				n.log.Warn("reading the stream failed; retrying", "from", next, "err", err)
				time.Sleep(250 * time.Millisecond)
			}
		}
		// Just after the stream's leader changed, its new leader may
		// report the last edit it has applied, not the last one the
		// cluster acknowledged (a read that began then ended 2 edits
		// short of 40: TestReadWithAServerDown in CI): ask again, and read
		// on while the stream says it holds more.
		now, err := n.streamState(ctx)
		if err != nil {
			return got, err
		}
		if now.LastSeq <= got.Last {
			return got, nil
		}
		got.Last = now.LastSeq
	}
}

// streamState asks the stream for its state, retrying, and notes its last
// seq.
func (n *Node) streamState(ctx context.Context) (jetstream.StreamState, error) {
	var st jetstream.StreamState
	err := retry(ctx, func(ctx context.Context) error {
		info, err := n.stream.Info(ctx)
		if err == nil {
			st = info.State
		}
		return err
	})
	if err != nil {
		return st, fmt.Errorf("read stream %s: %w", n.cfg.streamName(), err)
	}
	n.noteLast(st.LastSeq)
	return st, nil
}

// callbackError carries an error of Read's fn out of readRange.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }

// readRange reads the stream from *next to last with an ordered consumer,
// advancing *next past each message handled.
func (n *Node) readRange(ctx context.Context, next *uint64, last uint64, fn func(journal.Record) error) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	cons, err := n.stream.OrderedConsumer(cctx, orderedFrom(*next))
	cancel()
	if err != nil {
		return err
	}
	for *next <= last {
		batch, err := cons.Fetch(int(min(last-*next+1, 1000)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return err
		}
		got := 0
		for msg := range batch.Messages() {
			got++
			meta, err := msg.Metadata()
			if err != nil {
				return err
			}
			seq := meta.Sequence.Stream
			if seq < *next {
				continue
			}
			if seq > last {
				*next = last + 1 // the messages up to last are gone
				return nil
			}
			if err := fn(n.streamRecord(msg, meta)); err != nil {
				return &callbackError{err}
			}
			*next = seq + 1
		}
		if err := batch.Error(); err != nil {
			return err
		}
		if got == 0 {
			return errors.New("no messages fetched")
		}
	}
	return nil
}

// orderedFrom configures an ordered consumer of the stream from seq on.
//
// An ordered consumer recreates its server-side consumer when it fails,
// and by default retries that forever under the same consumer name. Just
// after a NATS server dies the cluster may still place that consumer on
// the dead server (it learns the server is gone only later): every retry
// then waits for an answer that never comes, until the server is back,
// and a Fetch or Next on it never returns (seen: a reindex stuck loading
// the stream while a NATS server was down). One attempt, then the caller
// makes a new consumer, under a new name, placed anew.
func orderedFrom(seq uint64) jetstream.OrderedConsumerConfig {
	return jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: seq,
		MaxResetAttempts: 1}
}

// ctxOrBackground is the node's context once Connect made it.
func (n *Node) ctxOrBackground() context.Context {
	if n.ctx != nil {
		return n.ctx
	}
	return context.Background()
}

// noteLast records a last stream seq seen.
func (n *Node) noteLast(seq uint64) {
	for {
		cur := n.streamLast.Load()
		if seq <= cur || n.streamLast.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// applyLoop applies the stream to the live service as it grows, in
// batches, until the node closes.
func (n *Node) applyLoop() {
	defer n.wg.Done()
	for n.ctx.Err() == nil {
		if err := n.follow(); err != nil && n.ctx.Err() == nil {
			n.log.Warn("following the stream failed; resuming", "err", err)
			select {
			case <-n.ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
}

// follow consumes the stream from the seq after the one applied, handing
// the live service batches of what is available.
func (n *Node) follow() error {
	if n.recreated.Load() {
		<-n.ctx.Done() // another log's edits: apply none (streamRecreated)
		return nil
	}
	ictx, cancel := context.WithTimeout(n.ctx, 5*time.Second)
	info, err := n.stream.Info(ictx)
	cancel()
	if err != nil {
		return err
	}
	if n.checkStream(info); n.recreated.Load() {
		return nil
	}
	from := n.live.Applied() + 1
	cons, err := n.stream.OrderedConsumer(n.ctx, orderedFrom(from))
	if err != nil {
		return err
	}
	// Heartbeats every 2 s: a consumer whose NATS server died is noticed
	// (and replaced) after about 4 s rather than the default 10, as an
	// edit waits for its replica to apply it.
	it, err := cons.Messages(jetstream.PullMaxMessages(maxApplyBatch),
		jetstream.PullExpiry(10*time.Second), jetstream.PullHeartbeat(2*time.Second))
	if err != nil {
		return err
	}
	defer it.Stop()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-n.ctx.Done():
			it.Stop()
		case <-done:
		}
	}()
	var batch []journal.Record
	for {
		msg, err := it.Next()
		if err != nil {
			return err
		}
		if n.recreated.Load() {
			return nil // found by statusLoop meanwhile
		}
		meta, err := msg.Metadata()
		if err != nil {
			return err
		}
		seq := meta.Sequence.Stream
		n.noteLast(seq + meta.NumPending)
		batch = append(batch, n.streamRecord(msg, meta))
		if meta.NumPending > 0 && len(batch) < maxApplyBatch {
			continue
		}
		if len(batch) > 0 {
			if _, err := n.live.ApplyRecords(batch); err != nil {
				// Not ready until a later write succeeds (Live says so).
				// Read these edits again: the stream may end with them.
				return fmt.Errorf("apply the edits from seq %d: %w", batch[0].Seq, err)
			}
			batch = batch[:0]
		}
		n.checkCaughtUp()
	}
}

// statusLoop reads the stream's last seq every second (the lag) until the
// node closes, and every 10 seconds the generation pointer too (in case
// the watch missed a change while NATS servers came and went).
func (n *Node) statusLoop() {
	defer n.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	reachable := true
	for tick := 1; ; tick++ {
		ctx, cancel := context.WithTimeout(n.ctx, 2*time.Second)
		info, err := n.stream.Info(ctx)
		if err == nil {
			n.contact.Store(time.Now().UnixNano())
			n.checkStream(info)
			n.noteLast(info.State.LastSeq)
		}
		if now := n.streamReachable(time.Now()); now != reachable {
			reachable = now
			if now {
				n.log.Info("the cluster's stream answers again", "stream_seq", n.streamLast.Load(), "applied_seq", n.live.Applied())
			} else {
				n.log.Warn("the cluster's stream has not answered for "+streamUnreachableAfter.String()+
					": this replica serves its index as it is, without the edits made since (its lag is unknown)",
					"last_contact", time.Unix(0, n.contact.Load()).UTC().Format(time.RFC3339), "err", err)
			}
		}
		var p *Pointer
		if tick%10 == 0 {
			p, _ = n.readPointer(ctx)
		}
		cancel()
		if p != nil {
			n.followPointer(p)
		}
		n.checkCaughtUp()
		select {
		case <-n.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// streamUnreachableAfter is how long the stream may go without answering
// the status loop (every second) before the replica calls it unreachable.
const streamUnreachableAfter = 10 * time.Second

// streamReachable reports whether the stream answered within
// streamUnreachableAfter of now.
func (n *Node) streamReachable(now time.Time) bool {
	return now.Sub(time.Unix(0, n.contact.Load())) < streamUnreachableAfter
}

// checkCaughtUp marks the replica caught up once it has applied the
// stream as far as it was seen.
func (n *Node) checkCaughtUp() {
	if !n.caughtUp.Load() && n.live.Applied() >= n.streamLast.Load() {
		if n.caughtUp.CompareAndSwap(false, true) {
			n.log.Info("caught up with the stream: ready", "seq", n.live.Applied())
		}
	}
}
