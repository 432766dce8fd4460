package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/journal"
)

// PutArticle implements zhsearch.AdminService: it validates a as a single
// server does, publishes the upsert to the stream, and answers once the
// stream acknowledged it and this replica applied it.
func (n *Node) PutArticle(ctx context.Context, a *zhsearch.Article) (*zhsearch.EditResult, error) {
	if a == nil {
		return nil, zhsearch.Errorf(zhsearch.EINVALID, "no article")
	}
	put := *a
	if err := put.Validate(n.cfg.MaxArticleBytes); err != nil {
		return nil, err
	}
	return n.edit(ctx, journal.Record{Op: zhsearch.OpPut, ID: put.ID, Article: &put})
}

// DeleteArticle implements zhsearch.AdminService: not_found when this
// replica serves no article id, otherwise the delete goes through the
// stream like a put.
func (n *Node) DeleteArticle(ctx context.Context, id string) (*zhsearch.EditResult, error) {
	if !zhsearch.ValidID(id) {
		return nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "article not found")
	}
	return n.edit(ctx, journal.Record{Op: zhsearch.OpDelete, ID: id})
}

// edit publishes r (retrying with the same message id, which JetStream
// deduplicates, while a server is down or the stream elects a leader) and
// waits until the live service holds it.
func (n *Node) edit(ctx context.Context, r journal.Record) (*zhsearch.EditResult, error) {
	if n.live == nil || n.ctx.Err() != nil {
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the server is shutting down")
	}
	if n.recreated.Load() {
		return nil, errStreamRecreated
	}
	// Decide not_found and created on the stream as this replica last saw
	// it: wait (briefly) until it applied what it has seen.
	wctx, wcancel := context.WithTimeout(ctx, 2*time.Second)
	_ = n.live.WaitApplied(wctx, n.streamLast.Load())
	wcancel()
	_, err := n.live.Article(ctx, r.ID)
	existed := err == nil
	if err != nil && zhsearch.ErrorCode(err) != zhsearch.ENOTFOUND {
		return nil, err
	}
	if r.Op == zhsearch.OpDelete && !existed {
		return nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "article not found")
	}
	r.Time = time.Now().UTC()
	data, err := encodeEdit(r)
	if err != nil {
		return nil, err
	}
	if limit := n.nc.MaxPayload(); int64(len(data)) > limit {
		// NATS refuses the message whatever the retries: say so at once.
		return nil, zhsearch.Errorf(zhsearch.ETOOLARGE, "the edit is %d bytes as the cluster's stream records it; "+
			"its NATS servers take messages of at most %d (their max_payload)", len(data), limit)
	}
	applied := n.live.Applied()
	// Once published the edit must be waited for even if the client goes.
	timeout := n.cfg.EditTimeout
	if timeout <= 0 {
		timeout = defaultEditTimeout
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	msgID := newMsgID()
	msg := &nats.Msg{Subject: n.cfg.subject(), Data: data, Header: nats.Header{}}
	msg.Header.Set(headerDeadline, time.Now().Add(timeout).UTC().Format(time.RFC3339Nano))
	var ack *jetstream.PubAck
	err = retry(ctx, func(ctx context.Context) error {
		var err error
		ack, err = n.js.PublishMsg(ctx, msg, jetstream.WithMsgID(msgID),
			jetstream.WithExpectStream(n.cfg.streamName()))
		return err
	})
	if err == nil && ack.Sequence <= applied && !ack.Duplicate {
		// A new edit's seq is past every edit this replica applied,
		// unless the stream started over.
		n.streamRecreated(fmt.Sprintf("an edit got seq %d, where this replica applied up to %d", ack.Sequence, applied))
		return nil, errStreamRecreated
	}
	if err != nil {
		n.log.Error("publishing an edit failed: edit refused", "id", r.ID, "op", r.Op, "err", err)
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the edit could not be recorded (the cluster's stream did not acknowledge it); "+
			"if it reaches the stream within %s it is still applied, later never: retry it", lateAllowance)
	}
	seq := ack.Sequence
	n.noteLast(seq)
	if err := n.live.WaitApplied(ctx, seq); err != nil {
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the edit is in the cluster's stream (seq %d) but this replica "+
			"has not applied it yet; every replica applies it once it can", seq)
	}
	return &zhsearch.EditResult{ID: r.ID, Op: r.Op, Seq: seq, Created: r.Op == zhsearch.OpPut && !existed}, nil
}

// encodeEdit is the stream message of an edit: its JSON, with <, > and &
// as they are (json.Marshal's escapes made an article of angle brackets
// six times its size).
func encodeEdit(r journal.Record) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// errStreamRecreated refuses the edits of a replica whose stream was
// created anew (Node.streamRecreated).
var errStreamRecreated = zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the cluster's edit stream was created anew "+
	"(its NATS servers lost their data), so this replica's index no longer follows it: edits are refused; "+
	"README, Replicas, says how to start the cluster again")

// streamRecreated records that the stream was created anew, once, in
// the log: edits are refused (errStreamRecreated) and nothing more of the
// new stream is applied, its seqs being another log's; searches go on
// from the index as it is, which is what the cluster held (taking every
// replica out of the balancer would take search down too). Status and
// /metrics say so.
func (n *Node) streamRecreated(why string) {
	if n.recreated.CompareAndSwap(false, true) {
		n.log.Error("the cluster's edit stream was created anew: its NATS servers lost their data; "+
			"this replica refuses edits and serves its index as it is until it is started again (README, Replicas)",
			"stream", n.id, "why", why)
	}
}

// checkStream compares the stream's creation time, as info gives it, with
// the one this node joined (streamRecreated).
func (n *Node) checkStream(info *jetstream.StreamInfo) {
	if info != nil && !info.Created.Equal(n.created) {
		n.streamRecreated(fmt.Sprintf("the stream was created at %s, where this replica joined the one of %s",
			info.Created.UTC().Format(time.RFC3339Nano), n.created.UTC().Format(time.RFC3339Nano)))
	}
}

// StartReindex implements zhsearch.AdminService: it takes the cluster's
// reindex lock (conflict if another replica holds it) and starts the
// local rebuild, whose generation OnBuilt publishes to every replica. The
// lock is refreshed while the job runs and released when it ends.
func (n *Node) StartReindex(ctx context.Context) (*zhsearch.ReindexJob, error) {
	if n.live == nil || n.ctx.Err() != nil {
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the server is shutting down")
	}
	var rev uint64
	err := retry(ctx, func(ctx context.Context) error {
		var err error
		rev, err = n.locks.Create(ctx, lockKey, lockValue(n.cfg.Name, ""))
		if errors.Is(err, jetstream.ErrKeyExists) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "cannot reach the cluster's reindex lock: %v", err)
	}
	if rev == 0 {
		holder := "another replica"
		if e, err := n.locks.Get(ctx, lockKey); err == nil {
			name, _ := lockHolder(e.Value())
			holder = "replica " + name
		}
		return nil, zhsearch.Errorf(zhsearch.ECONFLICT, "a reindex is running on %s", holder)
	}
	j, err := n.live.StartReindex(ctx)
	if err != nil || j.State != zhsearch.JobRunning {
		n.unlock(rev)
		return j, err
	}
	// The lock names its job from now on: a job shared as running whose
	// builder died is failed to the other replicas once the lock is free
	// or names another job (ReindexJob), and the cluster's latest job is
	// this one.
	if r, err := n.locks.Update(ctx, lockKey, lockValue(n.cfg.Name, j.ID), rev); err == nil {
		rev = r
	}
	n.shareJob(j, nil) // readable on every replica before its builder's first tick
	if _, err := n.jobs.Put(ctx, latestJobKey, []byte(j.ID)); err != nil {
		n.log.Warn("cannot record the cluster's latest reindex job", "job", j.ID, "err", err)
	}
	n.wg.Add(1)
	go n.holdLock(j.ID, rev)
	return j, nil
}

// lockValue is the reindex lock's value: the name of the replica holding
// it and, once it has started one, its job's id.
func lockValue(replica, job string) []byte {
	if job == "" {
		return []byte(replica)
	}
	return []byte(replica + "\n" + job)
}

// lockHolder splits a lock's value (lockValue) into the replica holding it
// and its job's id, "" when it has not named one yet.
func lockHolder(value []byte) (replica, job string) {
	replica, job, _ = strings.Cut(string(value), "\n")
	return replica, job
}

// holdLock refreshes the reindex lock until job id ends, then releases it.
// Meanwhile it shares the job's state with the other replicas (see
// ReindexJob).
func (n *Node) holdLock(id string, rev uint64) {
	defer n.wg.Done()
	defer func() { n.unlock(rev) }()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	refreshed := time.Now()
	var shared []byte
	last := &zhsearch.ReindexJob{ID: id, State: zhsearch.JobRunning, StartedAt: time.Now().UTC()}
	for {
		select {
		case <-n.ctx.Done():
			// The job may have ended since the last tick: its own end
			// then, else stopped with its builder.
			if j, err := n.live.ReindexJob(context.Background(), id); err == nil {
				last = j
			}
			n.shareStoppedJob(last)
			return
		case <-t.C:
		}
		j, err := n.live.ReindexJob(n.ctx, id)
		if err != nil {
			n.shareStoppedJob(last)
			return
		}
		last = j
		if j.State != zhsearch.JobRunning {
			n.shareFinalJob(j)
			return
		}
		shared = n.shareJob(j, shared)
		if time.Since(refreshed) < lockTTL/4 {
			continue
		}
		ctx, cancel := context.WithTimeout(n.ctx, 5*time.Second)
		r, err := n.locks.Update(ctx, lockKey, lockValue(n.cfg.Name, id), rev)
		cancel()
		if err != nil {
			n.log.Warn("cannot refresh the reindex lock", "err", err)
			continue
		}
		rev, refreshed = r, time.Now()
	}
}

// shareJob writes j to the jobs bucket unless it is what was last
// written (last), and returns what it wrote.
func (n *Node) shareJob(j *zhsearch.ReindexJob, last []byte) []byte {
	data, err := json.Marshal(j)
	if err != nil || string(data) == string(last) {
		return last
	}
	ctx, cancel := context.WithTimeout(n.ctx, 5*time.Second)
	defer cancel()
	if err := n.putJob(ctx, j.ID, data); err != nil {
		return last // the next tick tries again
	}
	return data
}

// putJob writes a job's state, as JSON, to the jobs bucket.
func (n *Node) putJob(ctx context.Context, id string, data []byte) error {
	_, err := n.jobs.Put(ctx, id, data)
	return err
}

// shareFinalJob writes a job's last state to the jobs bucket, retrying
// for up to a minute: it is written once, so a write lost while the
// bucket's NATS leader is being replaced would leave the other replicas
// answering "no such job" (or "running") for a job that ended.
func (n *Node) shareFinalJob(j *zhsearch.ReindexJob) {
	data, err := json.Marshal(j)
	if err != nil {
		return
	}
	err = retry(n.ctx, func(ctx context.Context) error { return n.putJob(ctx, j.ID, data) }, time.Minute)
	if err != nil {
		n.log.Warn("cannot share the reindex job's end with the other replicas", "job", j.ID, "err", err)
	}
}

// errBuilderStopped is the error of a job whose builder stopped before it
// ended (shut down, killed), as the other replicas report it.
const errBuilderStopped = "the replica building it stopped before the job ended"

// shareStoppedJob tells the other replicas how job j ended as its builder
// closes: as j says if it ended, else failed (stopped with its builder).
// Once: the node is closing, so it tries for a few seconds only.
func (n *Node) shareStoppedJob(j *zhsearch.ReindexJob) {
	stopped := *j
	if stopped.State == zhsearch.JobRunning {
		now := time.Now().UTC()
		stopped.State, stopped.Error, stopped.FinishedAt = zhsearch.JobFailed, errBuilderStopped, &now
	}
	data, err := json.Marshal(&stopped)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := retry(ctx, func(ctx context.Context) error { return n.putJob(ctx, j.ID, data) }); err != nil {
		n.log.Warn("cannot tell the other replicas the reindex job stopped", "job", j.ID, "err", err)
	}
}

// unlock releases the reindex lock if it is still the one taken.
func (n *Node) unlock(rev uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := n.locks.Delete(ctx, lockKey, jetstream.LastRevision(rev)); err != nil {
		n.log.Warn("cannot release the reindex lock; it expires", "ttl", lockTTL.String(), "err", err)
	}
}

// ReindexJob implements zhsearch.AdminService: a job this replica ran, or
// one another replica runs or ran (as its builder last shared it), so that
// a client behind a load balancer follows its job whichever replica it
// asks. Without id, the job started last in the cluster, whichever
// replica ran it (this replica's own last one when the cluster's record
// cannot be read).
func (n *Node) ReindexJob(ctx context.Context, id string) (*zhsearch.ReindexJob, error) {
	if n.live == nil {
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "the server is starting")
	}
	if id == latestJobKey {
		return nil, zhsearch.Errorf(zhsearch.ENOTFOUND, "no reindex job %s", id)
	}
	if id == "" {
		latest, err := n.sharedJob(ctx, latestJobKey)
		if err != nil || latest == nil {
			return n.live.ReindexJob(ctx, "")
		}
		id = string(latest)
	}
	j, err := n.live.ReindexJob(ctx, id)
	if zhsearch.ErrorCode(err) != zhsearch.ENOTFOUND {
		return j, err
	}
	var data []byte
	gerr := retry(ctx, func(ctx context.Context) (err error) {
		data, err = n.sharedJob(ctx, id)
		return err
	}, 10*time.Second)
	if gerr != nil {
		return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, "cannot reach the cluster's reindex jobs: %v", gerr)
	}
	if data == nil {
		return nil, err
	}
	var shared zhsearch.ReindexJob
	if err := json.Unmarshal(data, &shared); err != nil {
		return nil, err
	}
	if shared.State == zhsearch.JobRunning && !n.lockHeldFor(ctx, id) {
		// Its builder shares the job's end before it releases the lock:
		// running with no lock held for it, the builder died (the lock
		// expired lockTTL after its last refresh, and may have been taken
		// by another job since).
		shared.State, shared.Error = zhsearch.JobFailed, errBuilderStopped
	}
	return &shared, nil
}

// lockHeldFor reports whether the reindex lock may be held for job id, as
// far as the bucket can tell: held and naming it, or naming no job yet (a
// builder between taking the lock and starting its job), or unknown (an
// error says nothing: held). Free, or naming another job, it is not.
func (n *Node) lockHeldFor(ctx context.Context, id string) bool {
	var value []byte
	e, err := n.locks.Get(ctx, lockKey)
	switch {
	case err == nil:
		value = e.Value()
	case errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted):
		// Asked again of the bucket's stream leader: a bucket replica
		// that has not applied the lock's creation yet answers "no such
		// key".
		data, err := n.leaderGet(ctx, n.cfg.lockBucket(), lockKey)
		if err != nil {
			return true
		}
		if data == nil {
			return false
		}
		value = data
	default:
		return true
	}
	_, job := lockHolder(value)
	return job == "" || job == id
}

// sharedJob returns the job id as its builder last shared it, nil when no
// replica shared one. A bucket's get is answered by any of its replicas
// (JetStream's direct get), and one that has not yet applied the write a
// builder just made answers "no such key" (nats-io/nats.docs#815): the
// job's end, shared as the NATS leader was replaced, was then missing on
// the other replicas. So "no such key" is asked again of the bucket's
// stream leader, which has every write acknowledged.
func (n *Node) sharedJob(ctx context.Context, id string) ([]byte, error) {
	e, err := n.jobs.Get(ctx, id)
	switch {
	case err == nil:
		return e.Value(), nil
	case errors.Is(err, jetstream.ErrInvalidKey):
		return nil, nil
	case !errors.Is(err, jetstream.ErrKeyNotFound):
		return nil, err
	}
	return n.leaderGet(ctx, n.cfg.jobBucket(), id)
}

// leaderGet reads key of the key-value bucket from its stream's leader
// (the JetStream API's message get, not the direct get KeyValue.Get uses):
// nil when the bucket holds no value for it.
func (n *Node) leaderGet(ctx context.Context, bucket, key string) ([]byte, error) {
	req, err := json.Marshal(struct {
		LastFor string `json:"last_by_subj"`
	}{"$KV." + bucket + "." + key})
	if err != nil {
		return nil, err
	}
	msg, err := n.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET.KV_"+bucket, req)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Message *struct {
			Data []byte `json:"data"`
			Hdrs []byte `json:"hdrs"`
		} `json:"message"`
		Error *struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return nil, fmt.Errorf("read %s/%s from the stream leader: %w", bucket, key, err)
	}
	switch {
	case resp.Error != nil && resp.Error.Code == 404:
		return nil, nil
	case resp.Error != nil:
		return nil, fmt.Errorf("read %s/%s from the stream leader: %s", bucket, key, resp.Error.Description)
	case resp.Message == nil || bytes.Contains(resp.Message.Hdrs, []byte("KV-Operation")):
		return nil, nil // a delete or purge marker
	}
	return resp.Message.Data, nil
}

// Ready reports whether this replica may take requests: it has caught up
// with the stream as it was when it started.
func (n *Node) Ready() error {
	if !n.caughtUp.Load() {
		return zhsearch.Errorf(zhsearch.EUNAVAILABLE, "catching up with the cluster's stream (applied %d of %d)",
			n.live.Applied(), n.streamLast.Load())
	}
	return nil
}

// Status is a replica's view of the cluster.
type Status struct {
	Replica    string   `json:"replica"`
	Stream     string   `json:"stream"`
	Connected  bool     `json:"connected"`
	Generation string   `json:"generation"`
	AppliedSeq uint64   `json:"applied_seq"`
	StreamSeq  uint64   `json:"stream_seq"`
	Lag        uint64   `json:"lag"`
	CaughtUp   bool     `json:"caught_up"`
	Replicas   int      `json:"stream_replicas"`
	Pointer    *Pointer `json:"pointer,omitempty"`
	// StreamRecreated: the stream was created anew since this replica
	// joined it, which then refuses edits (Node.streamRecreated).
	StreamRecreated bool `json:"stream_recreated,omitempty"`
	// StreamReachable: the stream answered this replica within
	// streamUnreachableAfter, when it last did (LastContact). While it
	// does not, StreamSeq and Lag are as they were then: edits made since
	// are missing, however many.
	StreamReachable bool      `json:"stream_reachable"`
	LastContact     time.Time `json:"stream_last_contact"`
}

// Status reports the replica's generation, applied seq and lag.
func (n *Node) Status() Status {
	s := Status{Replica: n.cfg.Name, Stream: n.id, Connected: n.nc.IsConnected(), StreamSeq: n.streamLast.Load(),
		CaughtUp: n.caughtUp.Load(), Replicas: n.replicas, Pointer: n.pointer.Load(), StreamRecreated: n.recreated.Load(),
		StreamReachable: n.streamReachable(time.Now()), LastContact: time.Unix(0, n.contact.Load()).UTC()}
	if n.live != nil {
		s.Generation, s.AppliedSeq = n.live.Generation(), n.live.Applied()
	}
	if s.StreamSeq > s.AppliedSeq {
		s.Lag = s.StreamSeq - s.AppliedSeq
	}
	return s
}

// Start makes the node apply the stream to live and follow the generation
// pointer, until Close.
func (n *Node) Start(live *index.Live) {
	n.live = live
	n.wg.Add(3)
	go n.applyLoop()
	go n.statusLoop()
	go n.watchPointer()
}
