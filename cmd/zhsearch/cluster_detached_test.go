package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch/cluster/natstest"
)

// TestReplicaStartsWithoutNATS: a replica restarted while its NATS servers
// are all down serves the generation in its index folder (with the edits it
// held) instead of waiting for NATS, answers edits 503 with a JSON error
// meanwhile and says so on /metrics; once the servers are back it joins by
// itself and takes edits again. Before, it retried for a minute and
// exited: a deploy during a NATS upgrade took search down.
func TestReplicaStartsWithoutNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("processes")
	}
	nodes := natstest.StartCluster(t, 3)
	data := t.TempDir()
	writeCorpus(t, data, "a", 20)
	r := &replica{name: "r1", data: data, idx: t.TempDir(), urls: strings.Join(nodes.URLs(), ",")}
	r.start(t)
	put := func(id, title string) (int, []byte) {
		return callNoFail(http.MethodPut, r.base+"/api/v1/admin/articles/"+id, `{"title":"`+title+`","body":"断网测试"}`)
	}
	if st, b := put("before", "停机之前写入的文章"); st != 200 && st != 201 {
		t.Fatalf("PUT with NATS up: %d %s", st, b)
	}
	// A graceful stop, then every NATS server goes away.
	if err := r.p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-r.p.done
	r.p.done <- nil // for the cleanup
	for _, n := range nodes {
		n.Kill(t)
	}

	r.start(t) // ready within a minute, without NATS
	served := func(id string) bool {
		st, _ := callNoFail(http.MethodGet, r.base+"/api/v1/articles/"+id, "")
		return st == 200
	}
	if !served("before") {
		t.Error("without NATS the restarted replica does not serve the edit made before")
	}
	st, b := put("during", "停机期间写入的文章")
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(b, &e); st != 503 || err != nil || e.Error.Code != "unavailable" {
		t.Errorf("PUT while NATS is down: %d %s; want 503 with error code unavailable", st, b)
	}
	metrics := func() string {
		_, b := callNoFail(http.MethodGet, r.base+"/metrics", "")
		return string(b)
	}
	for _, want := range []string{"zhsearch_cluster_connected 0\n", "zhsearch_cluster_stream_reachable 0\n", "zhsearch_cluster_caught_up 0\n"} {
		if !strings.Contains(metrics(), want) {
			t.Errorf("/metrics of a replica without NATS lacks %q", want)
		}
	}
	if !strings.Contains(r.p.stderr.String(), "cannot reach the cluster") {
		t.Errorf("the log does not say the replica serves without the cluster:\n%s", tail(r.p.stderr.String(), 20))
	}

	for _, n := range nodes {
		n.Start(t)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, b = put("after", "恢复之后写入的文章")
		if st == 200 || st == 201 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("PUT after NATS came back: %d %s\n%s", st, b, tail(r.p.stderr.String(), 30))
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, id := range []string{"before", "after"} {
		if !served(id) {
			t.Errorf("after joining, article %s is not served", id)
		}
	}
	if served("during") {
		t.Error("the edit refused while NATS was down is served")
	}
	if m := metrics(); !strings.Contains(m, "zhsearch_cluster_connected 1\n") || !strings.Contains(m, "zhsearch_cluster_caught_up 1\n") {
		t.Error("/metrics after joining: want zhsearch_cluster_connected 1 and zhsearch_cluster_caught_up 1")
	}
	if !strings.Contains(r.p.stderr.String(), "joined the cluster") {
		t.Errorf("the log does not say the replica joined:\n%s", tail(r.p.stderr.String(), 20))
	}
}
