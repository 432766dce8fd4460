package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/cluster/natstest"
)

// TestJobEndSharedThroughLeaderLoss: a reindex job's end is written once
// to the jobs bucket; written while the bucket's NATS leader has just been
// killed, it still reaches the other replicas, so a client following its
// job through another replica sees it end instead of "no such job".
func TestJobEndSharedThroughLeaderLoss(t *testing.T) {
	servers, ctx := startCluster(t)
	builder, other := testNode(ctx, t, servers, "r1", t.TempDir()), testNode(ctx, t, servers, "r2", t.TempDir())

	// Kill the server that leads the jobs bucket's stream: writes fail
	// until the two left elect a new leader.
	status, err := builder.jobs.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	si := status.(*jetstream.KeyValueBucketStatus).StreamInfo()
	if si.Cluster == nil || servers.Server(si.Cluster.Leader) == nil {
		t.Fatalf("no leader for the jobs bucket: %+v", si.Cluster)
	}
	servers.Server(si.Cluster.Leader).Kill(t)

	job := &zhsearch.ReindexJob{ID: "r-test", State: zhsearch.JobSucceeded}
	builder.shareFinalJob(job)
	// Read as Node.ReindexJob does: transient errors retried (the other
	// node may be reconnecting too), a missing key not.
	var data []byte
	err = retry(ctx, func(ctx context.Context) (err error) {
		data, err = other.sharedJob(ctx, job.ID)
		return err
	}, 10*time.Second)
	if err != nil {
		t.Fatalf("the other replica reads the job: %v", err)
	}
	if data == nil {
		t.Fatal("the other replica finds no such job: its end was never shared")
	}
	var got zhsearch.ReindexJob
	if err := json.Unmarshal(data, &got); err != nil || got.State != zhsearch.JobSucceeded {
		t.Fatalf("the other replica reads %s (%v), want the job succeeded", data, err)
	}

	// The stream leader holds the job, and has none for a job never shared
	// or one whose key was deleted, as the bucket's own get says.
	if data, err := other.leaderGet(ctx, other.cfg.jobBucket(), job.ID); err != nil || !json.Valid(data) || !bytes.Contains(data, []byte(job.ID)) {
		t.Errorf("leaderGet(%s) = %q, %v; want the job", job.ID, data, err)
	}
	if _, err := builder.jobs.Put(ctx, "r-gone", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := builder.jobs.Delete(ctx, "r-gone"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"r-never", "r-gone"} {
		if data, err := other.leaderGet(ctx, other.cfg.jobBucket(), id); err != nil || data != nil {
			t.Errorf("leaderGet(%s) = %q, %v; want none", id, data, err)
		}
	}
}

// testNode connects a node named name, whose index folder is dir, to
// servers; it closes when the test ends.
func testNode(ctx context.Context, t *testing.T, servers natstest.Cluster, name, dir string) *Node {
	t.Helper()
	n, err := Connect(ctx, Config{URLs: servers.URLs(), IndexDir: dir, Name: name,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return n
}

// startCluster starts three NATS servers for a test (skipped with -short)
// and returns them with a context that ends with the test, or after three
// minutes.
func startCluster(t *testing.T) (natstest.Cluster, context.Context) {
	t.Helper()
	if testing.Short() {
		t.Skip("processes")
	}
	servers := natstest.StartCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return servers, ctx
}
