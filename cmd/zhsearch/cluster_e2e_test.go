package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/cluster"
	"github.com/zhsearch/zhsearch/cluster/natstest"
)

// The cluster test runs a 3-node NATS JetStream cluster (natstest: it
// needs the nats-server binary, see scripts/nats-server) and 3 zhsearch
// replicas as separate processes on loopback.

// replica is one zhsearch serve process of the test's cluster.
type replica struct {
	name, data, idx, urls string
	p                     *process
	base                  string
}

func (r *replica) start(t *testing.T) {
	t.Helper()
	r.startWithin(t, time.Minute)
}

// startWithin starts the replica and waits until it is ready, failing the
// test after d (twice that for a generation to download).
func (r *replica) startWithin(t *testing.T, d time.Duration) {
	t.Helper()
	r.p = startProcess(t, []string{"ZHSEARCH_ADMIN_TOKEN=" + testToken, "ZHSEARCH_NATS=" + r.urls},
		"serve", "--data", r.data, "--index", r.idx, "--addr", "127.0.0.1:0", "--replica", r.name,
		"--log-format", "json", "--search-cache", "0")
	r.base = r.p.waitServingWithin(t, 2*d)
	r.waitReady(t, d)
}

func (r *replica) waitReady(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(r.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("replica %s not ready:\n%s", r.name, r.p.stderr)
}

// status reads the replica's cluster status.
func (r *replica) status(t *testing.T) cluster.Status {
	t.Helper()
	var out struct {
		Cluster cluster.Status `json:"cluster"`
	}
	mustCall(t, "GET", r.base+"/api/v1/admin/stats", testToken, "", 200, &out)
	return out.Cluster
}

// TestClusterReplicas: edits through every replica under search load, one
// NATS node and one replica killed (-9) and restarted mid-way, a reindex
// during the load; afterwards every acknowledged edit is served by every
// replica, they converge, and no search failed.
func TestClusterReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("processes")
	}
	nodes := natstest.StartCluster(t, 3)
	urls := nodes.URLs()
	data := t.TempDir()
	writeCorpus(t, data, "a", 200)
	reps := make([]*replica, 3)
	for i := range reps {
		reps[i] = &replica{name: fmt.Sprintf("r%d", i+1), data: data, idx: t.TempDir(), urls: strings.Join(urls, ",")}
		reps[i].start(t)
	}

	// Searches on every replica until the end; the killed replica's
	// searches pause while it is down.
	var (
		stop       atomic.Bool
		wg         sync.WaitGroup
		searches   atomic.Int64
		searchFail atomic.Int64
		down       [3]atomic.Bool
		bases      [3]atomic.Value
		failMu     sync.Mutex
		failures   []string
	)
	for i, r := range reps {
		bases[i].Store(r.base)
	}
	for i := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				if down[i].Load() {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				base := bases[i].Load().(string)
				resp, err := http.Get(base + "/api/v1/search?size=3&q=" + url.QueryEscape("测试 花呗"))
				if down[i].Load() {
					continue // killed while asking
				}
				searches.Add(1)
				if err != nil || resp.StatusCode != 200 {
					searchFail.Add(1)
					failMu.Lock()
					failures = append(failures, fmt.Sprintf("%s: %v %v", reps[i].name, err, resp))
					failMu.Unlock()
				}
				if resp != nil {
					resp.Body.Close()
				}
			}
		}()
	}

	// Edits through every replica: puts of new articles and deletes of
	// corpus ones. acked holds the last acknowledged state of each id
	// (true: present).
	var (
		ackMu  sync.Mutex
		acked  = map[string]bool{}
		maxSeq uint64
		edits  atomic.Int64
		tooks  []time.Duration // acknowledgement times
	)
	editor := func(i int) {
		defer wg.Done()
		for k := 0; !stop.Load(); k++ {
			if down[i].Load() {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			base := bases[i].Load().(string)
			var status int
			var body []byte
			var id string
			var present bool
			start := time.Now()
			if k%5 == 4 {
				id = fmt.Sprintf("a%d", i*60+k/5) // corpus articles, each deleted once
				status, body = callNoFail(http.MethodDelete, base+"/api/v1/admin/articles/"+id, "")
			} else {
				id, present = fmt.Sprintf("e%d-%d", i, k), true
				status, body = callNoFail(http.MethodPut, base+"/api/v1/admin/articles/"+id,
					fmt.Sprintf(`{"title":"集群编辑%d号%d 花呗","body":"副本写入的测试文章"}`, i, k))
			}
			if status != 200 && status != 201 {
				continue // not acknowledged (the replica died, or a delete of an id already gone)
			}
			var res zhsearch.EditResult
			if err := json.Unmarshal(body, &res); err != nil || res.Seq == 0 {
				t.Errorf("edit answer %s", body)
				continue
			}
			ackMu.Lock()
			tooks = append(tooks, time.Since(start))
			acked[id] = present
			maxSeq = max(maxSeq, res.Seq)
			ackMu.Unlock()
			edits.Add(1)
			// Read-your-writes: the replica that answered serves it now.
			st, _ := callNoFail(http.MethodGet, base+"/api/v1/articles/"+id, "")
			if want := map[bool]int{true: 200, false: 404}[present]; st != want && !down[i].Load() {
				t.Errorf("%s: GET %s right after the edit: %d, want %d", reps[i].name, id, st, want)
			}
		}
	}
	for i := range reps {
		wg.Add(1)
		go editor(i)
	}
	waitEdits := func(n int64) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for edits.Load() < n {
			if time.Now().After(deadline) {
				t.Fatalf("edits stalled at %d (want %d)", edits.Load(), n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	waitEdits(30)
	// kill -9 one NATS node and one replica.
	nodes[1].Kill(t)
	down[2].Store(true)
	reps[2].p.kill(t)
	n0 := edits.Load()
	waitEdits(n0 + 20) // edits go on through the other NATS nodes

	// A reindex during the load, through replica 1.
	job := startReindex(t, reps[0].base)
	for deadline := time.Now().Add(3 * time.Minute); ; {
		var j zhsearch.ReindexJob
		mustCall(t, "GET", reps[0].base+"/api/v1/admin/reindex/"+job, testToken, "", 200, &j)
		if j.State == zhsearch.JobSucceeded {
			break
		}
		if j.State == zhsearch.JobFailed || time.Now().After(deadline) {
			stop.Store(true)
			t.Fatalf("reindex: %+v\n%s", j, tail(reps[0].p.stderr.String(), 40))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Another replica answers for the job too (a client behind a load
	// balancer follows it whichever replica it asks).
	for deadline := time.Now().Add(time.Minute); ; {
		var j zhsearch.ReindexJob
		status, body := callNoFail(http.MethodGet, reps[1].base+"/api/v1/admin/reindex/"+job, "")
		if status == 200 && json.Unmarshal(body, &j) == nil && j.ID == job && j.State == zhsearch.JobSucceeded {
			break
		}
		if time.Now().After(deadline) {
			stop.Store(true)
			t.Fatalf("r2 on r1's reindex %s: %d %s", job, status, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ptr := reps[0].status(t).Pointer
	if ptr == nil {
		t.Fatalf("no generation pointer after the reindex:\n%s", reps[0].p.stderr)
	}
	gen := ptr.Generation
	// Restart both.
	nodes[1].Start(t)
	reps[2].start(t)
	bases[2].Store(reps[2].base)
	down[2].Store(false)
	n0 = edits.Load()
	waitEdits(n0 + 20)
	stop.Store(true)
	wg.Wait()

	slices.Sort(tooks)
	t.Logf("%d edits acknowledged (last seq %d; p50 %v, p99 %v), %d searches", edits.Load(), maxSeq,
		tooks[len(tooks)/2].Round(time.Millisecond), tooks[len(tooks)*99/100].Round(time.Millisecond), searches.Load())
	if searchFail.Load() > 0 {
		t.Errorf("%d of %d searches failed: %v", searchFail.Load(), searches.Load(), failures[:min(5, len(failures))])
	}
	// Every replica converges: applied the stream up to the last ack, on
	// the cluster's generation, and serves every acknowledged edit.
	var counts []uint64
	for _, r := range reps {
		deadline := time.Now().Add(time.Minute)
		var st cluster.Status
		for {
			st = r.status(t)
			if (st.AppliedSeq >= maxSeq && st.Generation == gen) || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if st.AppliedSeq < maxSeq || st.Generation != gen {
			t.Fatalf("%s did not converge: %+v (want seq %d, generation %s)\n%s", r.name, st, maxSeq, gen, r.p.stderr)
		}
		for id, present := range acked {
			st, _ := callNoFail(http.MethodGet, r.base+"/api/v1/articles/"+id, "")
			if want := map[bool]int{true: 200, false: 404}[present]; st != want {
				t.Errorf("%s: GET %s: %d, want %d", r.name, id, st, want)
			}
		}
		counts = append(counts, searchTotal(t, r.base, "测试"), documents(t, r.base))
	}
	for i := 2; i < len(counts); i++ {
		if counts[i] != counts[i%2] {
			t.Errorf("replicas disagree on the search total or the document count: %v", counts)
			break
		}
	}
}

// tail returns the last n lines of the log s but its access lines.
func tail(s string, n int) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.Contains(line, `"msg":"request"`) {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// documents reads zhsearch_index_documents from a replica's /metrics.
func documents(t *testing.T, base string) uint64 {
	t.Helper()
	status, b := callNoFail(http.MethodGet, base+"/metrics", "")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "zhsearch_index_documents "); ok && status == 200 {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	t.Fatalf("no zhsearch_index_documents in %s/metrics (%d)", base, status)
	return 0
}

// callNoFail sends one admin request; status 0 when it could not be sent.
func callNoFail(method, u, body string) (int, []byte) {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		return 0, nil
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
