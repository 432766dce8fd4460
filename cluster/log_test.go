package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/journal"
)

// TestReadWithAServerDown: reading the stream (what a reindex replays, and
// what a replica opening a generation catches up from) finishes, with
// every edit in order, while one of three NATS servers (the stream's
// leader) is down, from the moment it died on. A read must not wait for
// the server to come back: a consumer the cluster placed on it is given
// up for a new one (see orderedFrom).
func TestReadWithAServerDown(t *testing.T) {
	servers, ctx := startCluster(t)
	n := testNode(ctx, t, servers, "test", t.TempDir())
	const edits = 40
	for i := range edits {
		id := fmt.Sprintf("e%d", i)
		data, _ := json.Marshal(journal.Record{Op: zhsearch.OpPut, ID: id, Article: &zhsearch.Article{ID: id, Title: "标题" + id}})
		if err := retry(ctx, func(ctx context.Context) error {
			_, err := n.js.Publish(ctx, n.cfg.subject(), data)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	info, err := n.stream.Info(ctx)
	if err != nil || info.Cluster == nil || servers.Server(info.Cluster.Leader) == nil {
		t.Fatalf("stream leader: %+v, %v", info, err)
	}
	servers.Server(info.Cluster.Leader).Kill(t)
	errs := make(chan error, 64)
	readWhileDown(ctx, t, n, edits, errs)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// readWhileDown starts a read of the stream every 300 ms for 12 s and
// waits for them all; a read that does not end fails the test when ctx
// ends.
func readWhileDown(ctx context.Context, t *testing.T, n *Node, edits int, errs chan<- error) {
	// A new read every 300 ms for 12 s after the kill, as replicas catch
	// up: each makes its consumers afresh, some while the cluster still
	// counts the dead server in.
	var wg sync.WaitGroup
	for start := time.Now(); time.Since(start) < 12*time.Second; time.Sleep(300 * time.Millisecond) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got []uint64
			_, err := n.Read(journal.Position{}, func(r journal.Record) error {
				if want := fmt.Sprintf("e%d", len(got)); r.ID != want {
					return fmt.Errorf("record %d is %s, want %s", r.Seq, r.ID, want)
				}
				got = append(got, r.Seq)
				return nil
			})
			if err == nil && len(got) != edits {
				err = fmt.Errorf("read %d edits, want %d", len(got), edits)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("reads of the stream did not finish with one NATS server down")
	}
}
