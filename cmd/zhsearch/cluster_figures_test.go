package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/cluster/natstest"
)

// TestClusterFigures measures the cluster figures of BENCHMARKS.md (issue
// 16). It is not a test and runs only when asked (tens of minutes at 100k
// articles, more on a loaded machine; build without -race):
//
//	ZHSEARCH_CLUSTER_FIGURES=1 ZHSEARCH_NATS_SERVER=$(scripts/nats-server) \
//	  go test -run TestClusterFigures -v -timeout 4h ./cmd/zhsearch
//
// ZHSEARCH_CLUSTER_FIGURES=new measures only the new replica (step 3).
// ZHSEARCH_CLUSTER_FIGURES_N (default 100000) sets the corpus of the new
// replica (`zhsearch gen --n N --seed 1`), _EDITS (10000) the edits a
// stopped replica catches up with, _ACKS (500) the edits timed one at a
// time for the acknowledgement percentiles. Each figure is logged with the
// load average when it was taken.
func TestClusterFigures(t *testing.T) {
	if os.Getenv("ZHSEARCH_CLUSTER_FIGURES") == "" {
		t.Skip("set ZHSEARCH_CLUSTER_FIGURES=1 to measure the cluster figures (see BENCHMARKS.md)")
	}
	n, edits, acks := envInt(t, "ZHSEARCH_CLUSTER_FIGURES_N", 100000), envInt(t, "ZHSEARCH_CLUSTER_FIGURES_EDITS", 10000),
		envInt(t, "ZHSEARCH_CLUSTER_FIGURES_ACKS", 500)
	report := func(format string, args ...any) {
		t.Logf("%s (load %s)", fmt.Sprintf(format, args...), loadAverage())
	}
	data := t.TempDir()
	writeCorpus(t, data, "a", 200)
	all := os.Getenv("ZHSEARCH_CLUSTER_FIGURES") != "new"

	// 1. Edit acknowledgement, one at a time: a single server with its
	// local journal, then a replica of a 3-node JetStream cluster (R=3)
	// with two other replicas applying the stream.
	if all {
		single := startProcess(t, []string{"ZHSEARCH_ADMIN_TOKEN=" + testToken}, "serve", "--data", data,
			"--index", t.TempDir(), "--journal", filepath.Join(t.TempDir(), "edits.log"), "--addr", "127.0.0.1:0",
			"--log-format", "json", "--search-cache", "0")
		base := single.waitServing(t)
		p50, p99 := timeEdits(t, base, "local", acks)
		report("edit acknowledgement, single server, local journal: p50 %v, p99 %v (%d edits one at a time)", p50, p99, acks)
		single.kill(t)
	}

	nodes := natstest.StartCluster(t, 3)
	reps := make([]*replica, 3)
	for i := range reps {
		reps[i] = &replica{name: fmt.Sprintf("r%d", i+1), data: data, idx: t.TempDir(), urls: strings.Join(nodes.URLs(), ",")}
		reps[i].start(t)
	}
	if all {
		p50, p99 := timeEdits(t, reps[0].base, "js", acks)
		report("edit acknowledgement, replica of a 3-node cluster, JetStream R=3: p50 %v, p99 %v (%d edits one at a time)", p50, p99, acks)

		// 2. Catch-up: r3 stops, the others take edits (16 clients at
		// once), r3 starts again; how long until it is ready (it has
		// applied the stream as far as it was when it started).
		reps[2].p.kill(t)
		start := time.Now()
		last := putMany(t, reps[0].base, "c", edits, 16)
		report("%d edits through r1 (16 clients): %v, %.0f edits/s", edits, time.Since(start).Round(time.Millisecond),
			float64(edits)/time.Since(start).Seconds())
		start = time.Now()
		reps[2].startWithin(t, 10*time.Minute)
		ready := time.Since(start)
		if st := reps[2].status(t); st.AppliedSeq < last {
			t.Fatalf("r3 ready at seq %d, want %d", st.AppliedSeq, last)
		}
		report("catch-up of a replica after %d edits: process start to /readyz 200 in %v", edits, ready.Round(time.Millisecond))
	}

	// 3. A new replica of an n-article cluster: r1 reindexes from the
	// generated corpus (its build and upload), then r4 starts with an
	// empty index folder: process start to /readyz 200 (download, open,
	// catch up), serving every article.
	gen := startProcess(t, nil, "gen", "--n", strconv.Itoa(n), "--seed", "1", "--out", filepath.Join(data, "gen.jsonl"))
	if err := <-gen.done; err != nil {
		t.Fatalf("gen: %v\n%s", err, gen.stderr)
	}
	gen.done <- nil
	start := time.Now()
	job := startReindex(t, reps[0].base)
	for {
		var j zhsearch.ReindexJob
		mustCall(t, "GET", reps[0].base+"/api/v1/admin/reindex/"+job, testToken, "", 200, &j)
		if j.State == zhsearch.JobSucceeded {
			report("reindex of %d + 200 articles through r1 (build, upload to the object store): %v", n, time.Since(start).Round(time.Second))
			break
		}
		if j.State == zhsearch.JobFailed {
			t.Fatalf("reindex: %+v\n%s", j, tail(reps[0].p.stderr.String(), 40))
		}
		time.Sleep(time.Second)
	}
	want := documents(t, reps[0].base)
	r4 := &replica{name: "r4", data: t.TempDir(), idx: t.TempDir(), urls: reps[0].urls}
	start = time.Now()
	r4.startWithin(t, 30*time.Minute)
	ready := time.Since(start)
	if got := documents(t, r4.base); got != want {
		t.Fatalf("r4 serves %d documents, r1 %d", got, want)
	}
	size := "?"
	if gens, err := filepath.Glob(filepath.Join(r4.idx, "gen-*")); err == nil && len(gens) == 1 {
		size = fmt.Sprintf("%d MB", dirBytes(gens[0])>>20)
	}
	report("a new replica serves %d documents (%s generation): process start to /readyz 200 in %v", want, size, ready.Round(time.Millisecond))
}

// timeEdits PUTs n new articles one at a time and returns the p50 and p99
// of their acknowledgement.
func timeEdits(t *testing.T, base, prefix string, n int) (p50, p99 time.Duration) {
	t.Helper()
	var took []time.Duration
	for i := range n {
		start := time.Now()
		status, body := callNoFail(http.MethodPut, fmt.Sprintf("%s/api/v1/admin/articles/%s-%d", base, prefix, i),
			fmt.Sprintf(`{"title":"确认时间测试%d 花呗","body":"一次一篇的编辑。"}`, i))
		if status != 201 {
			t.Fatalf("PUT: %d %s", status, body)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	return took[len(took)/2].Round(100 * time.Microsecond), took[len(took)*99/100].Round(100 * time.Microsecond)
}

// putMany PUTs n new articles from c clients at once and returns the
// highest seq acknowledged.
func putMany(t *testing.T, base, prefix string, n, c int) uint64 {
	t.Helper()
	var next atomic.Int64
	var last atomic.Uint64
	var wg sync.WaitGroup
	errs := make(chan string, c)
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				status, body := callNoFail(http.MethodPut, fmt.Sprintf("%s/api/v1/admin/articles/%s-%d", base, prefix, i),
					fmt.Sprintf(`{"title":"追赶测试%d 借呗","body":"副本停下时写入的编辑。"}`, i))
				var res zhsearch.EditResult
				if status != 201 || json.Unmarshal(body, &res) != nil {
					errs <- fmt.Sprintf("PUT: %d %s", status, body)
					return
				}
				for cur := last.Load(); res.Seq > cur && !last.CompareAndSwap(cur, res.Seq); cur = last.Load() {
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	return last.Load()
}

// loadAverage is the 1, 5 and 15 minute load average (Linux), or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}

// dirBytes is the size of the files under dir.
func dirBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}
