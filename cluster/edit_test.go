package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/cluster/natstest"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/journal"
)

// TestEditsTheStreamCanTake: an article of angle brackets, within the
// server's limits, is taken as it is (json.Marshal's escapes made its
// message six times its size, over NATS's 1 MB, and the edit was retried
// until the connection's deadline); an edit NATS can never take is
// refused at once, 413, not retried.
func TestEditsTheStreamCanTake(t *testing.T) {
	servers, ctx := startCluster(t)
	n := liveNode(ctx, t, servers, "r1", 4<<20)
	brackets := strings.Repeat("<", 200_000) + "正文"
	res, err := n.PutArticle(ctx, &zhsearch.Article{ID: "big", Title: "大文章", Body: brackets})
	if err != nil {
		t.Fatalf("an article of 200 KB of '<': %v", err)
	}
	got, err := n.live.Article(ctx, "big")
	if err != nil || got.Body != brackets || !res.Created {
		t.Fatalf("served %v (%v), result %+v: want the article as sent", err == nil, err, res)
	}
	huge := &zhsearch.Article{ID: "huge", Title: "太大", Body: strings.Repeat("字", 1<<20)}
	if msg := putRefused(ctx, t, n, huge, zhsearch.ETOOLARGE, 5*time.Second); !strings.Contains(msg, "max_payload") {
		t.Errorf("an edit over NATS's max_payload: %q, want it named", msg)
	}
}

// putRefused puts a through n and fails t unless it is refused with code
// within the time given; it returns the refusal's message.
func putRefused(ctx context.Context, t *testing.T, n *Node, a *zhsearch.Article, code string, within time.Duration) string {
	t.Helper()
	start := time.Now()
	_, err := n.PutArticle(ctx, a)
	if zhsearch.ErrorCode(err) != code {
		t.Fatalf("put %s: %v, want %s", a.ID, err, code)
	}
	if d := time.Since(start); d > within {
		t.Errorf("put %s refused after %v, want within %v", a.ID, d, within)
	}
	return zhsearch.ErrorMessage(err)
}

// TestStreamCreatedAnewRefusesEdits: when the stream is deleted and
// created again under its name (NATS servers that lost their data), its
// seqs start over; a replica of the old one must not acknowledge an edit
// with a seq it applied long ago (answered 201, never served), nor apply
// the new stream's edits on its index. It refuses edits and says so.
func TestStreamCreatedAnewRefusesEdits(t *testing.T) {
	servers, ctx := startCluster(t)
	n := liveNode(ctx, t, servers, "r1", 0)
	for i := range 3 {
		if _, err := n.PutArticle(ctx, &zhsearch.Article{ID: fmt.Sprintf("before%d", i), Title: "之前的文章"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.js.DeleteStream(ctx, n.cfg.streamName()); err != nil {
		t.Fatal(err)
	}
	// Another replica joins: it creates the stream anew.
	testNode(ctx, t, servers, "r2", t.TempDir())

	_, err := n.PutArticle(ctx, &zhsearch.Article{ID: "after", Title: "之后的文章"})
	if zhsearch.ErrorCode(err) != zhsearch.EUNAVAILABLE || !strings.Contains(zhsearch.ErrorMessage(err), "created anew") {
		t.Fatalf("an edit after the stream was created anew: %v, want unavailable saying why", err)
	}
	if _, err := n.live.Article(ctx, "after"); zhsearch.ErrorCode(err) != zhsearch.ENOTFOUND {
		t.Errorf("the refused edit is served (%v)", err)
	}
	if !n.Status().StreamRecreated {
		t.Error("Status does not say the stream was created anew")
	}
	// What the index held is still served.
	if _, err := n.live.Article(ctx, "before2"); err != nil {
		t.Errorf("an article from before: %v", err)
	}
}

// TestEditAnsweredWithinItsTimeout: with every NATS server down an edit
// is answered 503 once Config.EditTimeout has passed, which a server sets
// below its write timeout (at 30 s each, the connection's deadline cut
// the answer off and the client saw the connection close).
func TestEditAnsweredWithinItsTimeout(t *testing.T) {
	servers, ctx := startCluster(t)
	n := liveNode(ctx, t, servers, "r1", 0, func(c *Config) { c.EditTimeout = 2 * time.Second })
	for _, s := range servers {
		s.Kill(t)
	}
	// About the edit timeout (2 s), not the default's 20.
	putRefused(ctx, t, n, &zhsearch.Article{ID: "down", Title: "服务器都停了"}, zhsearch.EUNAVAILABLE, 8*time.Second)
}

// TestMessageThatIsNoEditIsSkipped: a message on the edits subject that
// is no edit (another program's, a bad one) is logged and skipped, and
// counts as applied: a stream that ends with one leaves no replica behind
// it, not ready after a restart until the next edit came.
func TestMessageThatIsNoEditIsSkipped(t *testing.T) {
	servers, ctx := startCluster(t)
	n := liveNode(ctx, t, servers, "r1", 0)
	ack, err := n.js.Publish(ctx, n.cfg.subject(), []byte(`{"op":"rename","id":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := n.live.WaitApplied(wctx, ack.Sequence); err != nil {
		t.Fatalf("the replica applied up to %d, never the skipped message's seq %d", n.live.Applied(), ack.Sequence)
	}
	if st := n.Status(); st.Lag != 0 {
		t.Errorf("lag %d after the skipped message, want 0", st.Lag)
	}
	// A replica started afresh catches up past it, and is ready.
	fresh := liveNode(ctx, t, servers, "r2", 0)
	deadline := time.Now().Add(10 * time.Second)
	for fresh.Ready() != nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := fresh.Ready(); err != nil {
		t.Errorf("a replica started after it: %v", err)
	}
	if _, err := n.PutArticle(ctx, &zhsearch.Article{ID: "next", Title: "下一篇"}); err != nil {
		t.Errorf("the next edit: %v", err)
	}
}

// TestJobOfAStoppedBuilderFails: a reindex job that its builder shared
// as running is reported failed by the other replicas once no replica
// holds the reindex lock for it (the builder killed: the lock expired,
// and stays failed when another job takes the lock; shut down: it shared
// the job stopped), not running for the jobs' 24 hours while `zhsearch
// reindex --server` waits for it.
func TestJobOfAStoppedBuilderFails(t *testing.T) {
	servers, ctx := startCluster(t)
	builder, reader := testNode(ctx, t, servers, "r1", t.TempDir()), liveNode(ctx, t, servers, "r2", 0)
	running := []byte(`{"id":"r-killed","state":"running","progress":{"stage":"indexing","done":10,"total":100}}`)
	if _, err := builder.locks.Create(ctx, lockKey, []byte("r1")); err != nil {
		t.Fatal(err)
	}
	if err := builder.putJob(ctx, "r-killed", running); err != nil {
		t.Fatal(err)
	}
	if j, err := reader.ReindexJob(ctx, "r-killed"); err != nil || j.State != zhsearch.JobRunning {
		t.Fatalf("while its builder holds the lock: %+v, %v; want running", j, err)
	}
	if err := builder.locks.Delete(ctx, lockKey); err != nil { // as when it expires
		t.Fatal(err)
	}
	// The bucket's replicas apply the delete one after the other, and any
	// of them answers a get (JetStream's direct get): a reader may see the
	// lock a moment longer.
	j, err := reader.ReindexJob(ctx, "r-killed")
	for deadline := time.Now().Add(10 * time.Second); err == nil && j.State == zhsearch.JobRunning && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		j, err = reader.ReindexJob(ctx, "r-killed")
	}
	if err != nil || j.State != zhsearch.JobFailed || j.Error == "" {
		t.Fatalf("with no lock held: %+v, %v; want failed with its reason", j, err)
	}
	// Another reindex takes the lock: the dead job stays failed, not
	// running again while the lock is held for the other job.
	if _, err := builder.locks.Create(ctx, lockKey, lockValue("r3", "r-next")); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if j, err := reader.ReindexJob(ctx, "r-killed"); err != nil || j.State != zhsearch.JobFailed {
			t.Fatalf("with the lock held for another job: %+v, %v; want failed", j, err)
		}
	}
	if err := builder.locks.Delete(ctx, lockKey); err != nil {
		t.Fatal(err)
	}

	// A builder shutting down says so itself.
	builder.shareStoppedJob(&zhsearch.ReindexJob{ID: "r-stopped", State: zhsearch.JobRunning})
	if _, err := builder.locks.Create(ctx, lockKey, []byte("r3")); err != nil { // another reindex runs now
		t.Fatal(err)
	}
	if j, err := reader.ReindexJob(ctx, "r-stopped"); err != nil || j.State != zhsearch.JobFailed || j.FinishedAt == nil {
		t.Fatalf("a job whose builder shut down: %+v, %v; want failed, finished", j, err)
	}
}

// TestLatestJobOnEveryReplica: asked for the reindex job without an id
// (GET /api/v1/admin/reindex), every replica answers with the job started
// last in the cluster, the one that never ran a job too, and the lock
// names the job while it runs.
func TestLatestJobOnEveryReplica(t *testing.T) {
	servers, ctx := startCluster(t)
	builder, other := liveNode(ctx, t, servers, "r1", 0), liveNode(ctx, t, servers, "r2", 0)
	j, err := builder.StartReindex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*Node{builder, other} {
		got, err := n.ReindexJob(ctx, "")
		if err != nil || got.ID != j.ID {
			t.Errorf("%s: the latest job %+v, %v; want %s", n.cfg.Name, got, err, j.ID)
		}
	}
	if _, err := other.ReindexJob(ctx, latestJobKey); zhsearch.ErrorCode(err) != zhsearch.ENOTFOUND {
		t.Errorf("job %q: %v, want not found", latestJobKey, err)
	}
	if e, err := builder.locks.Get(ctx, lockKey); err == nil { // it may have ended already
		if name, job := lockHolder(e.Value()); name != "r1" || job != j.ID {
			t.Errorf("the lock holds %q, %q; want r1 and %s", name, job, j.ID)
		}
	}
}

// liveNode starts a replica named name on servers, as serve does: its
// index built from a small data folder, its live service applying the
// stream. maxBytes is its article size limit (0: the default); opts
// change its Config.
func liveNode(ctx context.Context, t *testing.T, servers natstest.Cluster, name string, maxBytes int64, opts ...func(*Config)) *Node {
	t.Helper()
	dir, data := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "a.jsonl"), []byte(`{"id":"a1","title":"花呗还款"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := Config{URLs: servers.URLs(), IndexDir: dir, Name: name, MaxArticleBytes: maxBytes,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
	for _, o := range opts {
		o(&cfg)
	}
	n, err := Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var live *index.Live
	t.Cleanup(func() {
		n.Close()
		if live != nil {
			live.Close()
		}
	})
	if _, err := index.Build(ctx, data, dir, index.BuildOptions{Log: n, MaxArticleBytes: maxBytes}); err != nil {
		t.Fatal(err)
	}
	live, err = index.OpenLive(index.LiveConfig{IndexDir: dir, DataDir: data, Log: n, OnBuilt: n.OnBuilt,
		MaxArticleBytes: maxBytes, Poll: -1, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	n.Start(live)
	return n
}

// TestLateEditNotApplied: an edit whose editor was told it failed (its
// publisher gave up waiting for the stream) and that reached the stream
// long after, as the last copy of a publish held in a cut connection's
// buffer does, is skipped by every replica, the one following the stream
// and one that reads it from the start alike: it would overwrite what was
// acknowledged meanwhile. The edits after it apply.
func TestLateEditNotApplied(t *testing.T) {
	servers, ctx := startCluster(t)
	n := liveNode(ctx, t, servers, "r1", 0)
	if _, err := n.PutArticle(ctx, &zhsearch.Article{ID: "order-1", Title: "第2版"}); err != nil {
		t.Fatal(err)
	}
	late, err := encodeEdit(journal.Record{Op: zhsearch.OpPut, ID: "order-1", Article: &zhsearch.Article{ID: "order-1", Title: "第1版"}})
	if err != nil {
		t.Fatal(err)
	}
	msg := &nats.Msg{Subject: n.cfg.subject(), Data: late, Header: nats.Header{}}
	msg.Header.Set(headerDeadline, time.Now().Add(-time.Minute).UTC().Format(time.RFC3339Nano))
	if _, err := n.js.PublishMsg(ctx, msg); err != nil {
		t.Fatal(err)
	}
	after, err := n.PutArticle(ctx, &zhsearch.Article{ID: "after", Title: "之后的文章"})
	if err != nil {
		t.Fatalf("an edit after the late one: %v", err)
	}
	fresh := liveNode(ctx, t, servers, "r2", 0)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, r := range []*Node{n, fresh} {
		if err := r.live.WaitApplied(wctx, after.Seq); err != nil {
			t.Fatalf("%s: %v", r.cfg.Name, err)
		}
		if a, err := r.live.Article(ctx, "order-1"); err != nil || a.Title != "第2版" {
			t.Errorf("%s serves order-1 as %+v (%v), want 第2版: the late edit was applied", r.cfg.Name, a, err)
		}
		if _, err := r.live.Article(ctx, "after"); err != nil {
			t.Errorf("%s: the edit after the late one: %v", r.cfg.Name, err)
		}
	}
}

func TestLateEdit(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		deadline string
		stored   time.Time
		want     bool
	}{
		{"no deadline (an older replica's edit)", "", now, false},
		{"stored before its deadline", now.Format(time.RFC3339Nano), now.Add(-time.Second), false},
		{"within the allowance", now.Format(time.RFC3339Nano), now.Add(lateAllowance - time.Millisecond), false},
		{"past the allowance", now.Format(time.RFC3339Nano), now.Add(lateAllowance + time.Millisecond), true},
		{"minutes late", now.Format(time.RFC3339Nano), now.Add(3 * time.Minute), true},
		{"unreadable deadline", "soon", now.Add(time.Hour), false},
	}
	for _, tt := range tests {
		if got := lateEdit(tt.deadline, tt.stored); got != tt.want {
			t.Errorf("%s: lateEdit = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestStreamUnreachableSaid: with every NATS server frozen (a cut link:
// the connection stays up, nothing answers), the replica's status says
// within seconds that the stream does not answer, where its lag, as last
// seen, still reads 0; once they resume it says so again.
func TestStreamUnreachableSaid(t *testing.T) {
	servers, ctx := startCluster(t)
	n := liveNode(ctx, t, servers, "r1", 0)
	waitStatus := func(want bool, within time.Duration) Status {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			s := n.Status()
			if s.StreamReachable == want {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("stream_reachable %v after %v, want %v (status %+v)", s.StreamReachable, within, want, s)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitStatus(true, 5*time.Second)
	for _, s := range servers {
		s.Freeze(t)
	}
	s := waitStatus(false, streamUnreachableAfter+10*time.Second)
	if s.Lag != 0 || time.Since(s.LastContact) < streamUnreachableAfter {
		t.Errorf("status %+v: want the lag as last seen (0) and a last contact at least %v ago", s, streamUnreachableAfter)
	}
	for _, s := range servers {
		s.Thaw(t)
	}
	waitStatus(true, 30*time.Second)
}

func TestRedactedURLs(t *testing.T) {
	got := redactedURLs([]string{"nats://zh:secret@10.0.0.1:4222", "nats://10.0.0.2:4222"})
	if want := "nats://zh:xxxxx@10.0.0.1:4222,nats://10.0.0.2:4222"; got != want {
		t.Errorf("redactedURLs = %q, want %q", got, want)
	}
}

// TestNewStreamWarned: a replica that finds the stream new and empty (the
// first of a cluster, or one pointed at the wrong NATS servers, which
// forms a cluster of its own) warns; one joining a stream that holds
// edits does not.
func TestNewStreamWarned(t *testing.T) {
	servers, ctx := startCluster(t)
	connect := func(name string) (*Node, string) {
		var logs natstest.Buffer
		n, err := Connect(ctx, Config{URLs: servers.URLs(), IndexDir: t.TempDir(), Name: name,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(n.Close)
		return n, logs.String()
	}
	if _, logs := connect("r1"); !strings.Contains(logs, "stream is new and empty") {
		t.Errorf("the first replica does not warn of a new stream:\n%s", logs)
	}
	n := liveNode(ctx, t, servers, "r2", 0)
	if _, err := n.PutArticle(ctx, &zhsearch.Article{ID: "e1", Title: "一次编辑"}); err != nil {
		t.Fatal(err)
	}
	if _, logs := connect("r3"); strings.Contains(logs, "stream is new and empty") {
		t.Errorf("a replica joining a stream of edits warns of a new one:\n%s", logs)
	}
}
