package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// replica is a fake zhsearch replica: it answers with its name, and its
// /readyz with 200 or 503.
type replica struct {
	name  string
	ready atomic.Bool
	srv   *httptest.Server
	seen  atomic.Value // last X-Forwarded-For
	puts  atomic.Int64
	// stuck, while set, is a channel every request but /readyz waits on
	// before it is answered: a replica wedged (its kernel still accepts
	// connections).
	stuck atomic.Pointer[chan struct{}]
}

func newReplica(t *testing.T, name string) *replica {
	r := &replica{name: name}
	r.ready.Store(true)
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/readyz" {
			if !r.ready.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
			return
		}
		if c := r.stuck.Load(); c != nil {
			<-*c
			return
		}
		r.seen.Store(req.Header.Get("X-Forwarded-For"))
		if req.Method == http.MethodPut {
			r.puts.Add(1)
		}
		b, _ := io.ReadAll(req.Body)
		io.WriteString(w, r.name+" "+req.Method+" "+req.URL.RequestURI()+" "+string(b))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func balancerFor(t *testing.T, reps ...*replica) (*balancer, *httptest.Server) {
	return balancerWith(t, defaultTimeouts, reps...)
}

func balancerWith(t *testing.T, to timeouts, reps ...*replica) (*balancer, *httptest.Server) {
	var urls []*url.URL
	for _, r := range reps {
		u, _ := url.Parse(r.srv.URL)
		urls = append(urls, u)
	}
	b := newBalancer(urls, to, slog.New(slog.NewTextHandler(io.Discard, nil)))
	b.checkAll(context.Background())
	front := httptest.NewServer(b)
	t.Cleanup(front.Close)
	return b, front
}

// client gives up on the balancer after 10 s: a request it forwards to a
// stuck replica without a timeout waits for good.
var client = &http.Client{Timeout: 10 * time.Second}

func call(t *testing.T, method, u, body string) (int, string) {
	t.Helper()
	status, b, _ := callHeader(t, method, u, body)
	return status, b
}

func callHeader(t *testing.T, method, u, body string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err) // a request that waited on a stuck replica for good too
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestBalancer: requests alternate between the ready replicas and reach
// them unchanged, the answer naming its replica; a replica whose /readyz fails leaves the rotation at the
// next check and comes back once ready; a replica that died is skipped at
// once for a search (GET); with no replica ready the answer is a 503.
func TestBalancer(t *testing.T) {
	r1, r2 := newReplica(t, "r1"), newReplica(t, "r2")
	b, front := balancerFor(t, r1, r2)

	got := map[string]int{}
	for range 4 {
		status, body, h := callHeader(t, http.MethodGet, front.URL+"/api/v1/search?q=%E8%8A%B1%E5%91%97", "")
		if status != 200 || !strings.HasSuffix(body, " GET /api/v1/search?q=%E8%8A%B1%E5%91%97 ") {
			t.Fatalf("search through the balancer: %d %q", status, body)
		}
		name := strings.Fields(body)[0]
		if want := map[string]*replica{"r1": r1, "r2": r2}[name].srv.Listener.Addr().String(); h.Get("X-Zhsearch-Replica") != want {
			t.Errorf("X-Zhsearch-Replica %q from %s (%s)", h.Get("X-Zhsearch-Replica"), name, want)
		}
		got[name]++
	}
	if got["r1"] != 2 || got["r2"] != 2 {
		t.Fatalf("4 searches went %v, want 2 to each replica", got)
	}
	if status, body := call(t, http.MethodPut, front.URL+"/api/v1/admin/articles/x", `{"title":"t"}`); status != 200 ||
		!strings.HasSuffix(body, ` PUT /api/v1/admin/articles/x {"title":"t"}`) {
		t.Fatalf("PUT through the balancer: %d %q", status, body)
	}
	if xff, _ := r1.seen.Load().(string); !strings.HasPrefix(xff, "127.0.0.1") {
		t.Errorf("X-Forwarded-For %q, want the client's address", xff)
	}

	// r2 not ready (catching up): everything goes to r1 after a check.
	r2.ready.Store(false)
	b.checkAll(context.Background())
	for range 3 {
		if _, body := call(t, http.MethodGet, front.URL+"/api/v1/search?q=a", ""); !strings.HasPrefix(body, "r1 ") {
			t.Fatalf("a replica out of rotation answered: %q", body)
		}
	}
	r2.ready.Store(true)
	b.checkAll(context.Background())
	got = map[string]int{}
	for range 2 {
		_, body := call(t, http.MethodGet, front.URL+"/api/v1/search?q=a", "")
		got[strings.Fields(body)[0]]++
	}
	if got["r2"] != 1 {
		t.Fatalf("r2 ready again but answered %d of 2 searches", got["r2"])
	}

	// r1 dies between two checks: every search is still answered.
	r1.srv.Close()
	for range 4 {
		if status, body := call(t, http.MethodGet, front.URL+"/api/v1/search?q=a", ""); status != 200 || !strings.HasPrefix(body, "r2 ") {
			t.Fatalf("search with r1 dead: %d %q", status, body)
		}
	}

	// Nobody ready: 503 with the API's error shape.
	r2.ready.Store(false)
	b.checkAll(context.Background())
	status, body := call(t, http.MethodGet, front.URL+"/api/v1/search?q=a", "")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, `"code":"unavailable"`) {
		t.Fatalf("with no replica ready: %d %q", status, body)
	}
}

// TestBalancerEditNotRetried: an edit whose replica cannot be reached is
// answered 502 and not sent again to another replica (it may have been
// applied); the next edit goes to a live one.
func TestBalancerEditNotRetried(t *testing.T) {
	r1, r2 := newReplica(t, "r1"), newReplica(t, "r2")
	_, front := balancerFor(t, r1, r2)
	r1.srv.Close()
	var statuses []int
	ok := 0
	for range 4 { // round robin: one of the first two goes to r1
		status, _ := call(t, http.MethodPut, front.URL+"/api/v1/admin/articles/x", `{"title":"t"}`)
		statuses = append(statuses, status)
		if status == 200 {
			ok++
		}
	}
	if ok != 3 || (statuses[0] != 502 && statuses[1] != 502) {
		t.Fatalf("four PUTs with r1 dead: %v, want one 502 (r1's turn) among the first two, then 200s", statuses)
	}
	if n := r2.puts.Load(); n != 3 {
		t.Fatalf("r2 received %d PUTs, want the 3 answered 200", n)
	}
}

// TestBalancerStuckReplica: a replica that accepts connections but never
// answers (frozen, wedged) costs a search no more than the read timeout:
// the search goes to the next replica, and the stuck one leaves the
// rotation until a check finds it ready; an edit sent to it is answered
// 502 after the write timeout, and not sent again.
func TestBalancerStuckReplica(t *testing.T) {
	r1, r2 := newReplica(t, "r1"), newReplica(t, "r2")
	release := make(chan struct{})
	r1.stuck.Store(&release)
	t.Cleanup(func() { close(release) }) // before the servers close: they wait for their handlers
	to := timeouts{read: 200 * time.Millisecond, write: 300 * time.Millisecond}
	b, front := balancerWith(t, to, r1, r2)
	for range 4 {
		status, body := call(t, http.MethodGet, front.URL+"/api/v1/search?q=a", "")
		if status != 200 || !strings.HasPrefix(body, "r2 ") {
			t.Fatalf("search with r1 stuck: %d %q", status, body)
		}
	}
	if b.backends[0].ready.Load() {
		t.Error("the stuck replica is still in rotation")
	}

	b.backends[0].ready.Store(true) // as a check finds it: its /readyz answers
	var statuses []int
	for range 2 { // round robin: one of them goes to r1
		status, _ := call(t, http.MethodPut, front.URL+"/api/v1/admin/articles/x", `{"title":"t"}`)
		statuses = append(statuses, status)
	}
	if !slices.Contains(statuses, http.StatusBadGateway) || !slices.Contains(statuses, http.StatusOK) {
		t.Errorf("two PUTs with r1 stuck: %v, want one 502 (r1's turn) and one 200", statuses)
	}
	if n := r2.puts.Load(); n != 1 {
		t.Errorf("r2 received %d PUTs, want 1: an edit to a stuck replica is not sent again", n)
	}
}

// TestParseBackends: URLs are checked before the balancer starts.
func TestParseBackends(t *testing.T) {
	if urls, err := parseBackends(" http://a:8080, http://b:8080 ,"); err != nil || len(urls) != 2 || urls[1].Host != "b:8080" {
		t.Fatalf("parseBackends = %v, %v", urls, err)
	}
	for _, bad := range []string{"", "a:8080", "ftp://a", "http://"} {
		if _, err := parseBackends(bad); err == nil {
			t.Errorf("parseBackends(%q) accepted", bad)
		}
	}
}
