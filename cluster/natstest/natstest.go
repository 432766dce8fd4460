// Package natstest runs a NATS JetStream cluster of nats-server processes
// on loopback for tests (of package cluster and of the serve command).
//
// It needs the nats-server binary: $ZHSEARCH_NATS_SERVER, or nats-server
// on PATH (scripts/nats-server builds the pinned version, and scripts/test
// sets the variable). Without it the tests that need it are skipped,
// unless ZHSEARCH_REQUIRE_NATS is set (CI), which fails them.
package natstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary returns the nats-server to run, or skips the test.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("ZHSEARCH_NATS_SERVER"); p != "" {
		return p
	}
	if p, err := exec.LookPath("nats-server"); err == nil {
		return p
	}
	if os.Getenv("ZHSEARCH_REQUIRE_NATS") != "" {
		t.Fatal("nats-server is required (ZHSEARCH_REQUIRE_NATS is set): set ZHSEARCH_NATS_SERVER or put it on PATH")
	}
	t.Skip("nats-server not found (set ZHSEARCH_NATS_SERVER); see scripts/nats-server")
	return ""
}

// Server is one nats-server of a test cluster.
type Server struct {
	Name        string
	Port        int // client port on 127.0.0.1
	clusterPort int
	monitorPort int
	bin, dir    string
	routes      string
	cmd         *exec.Cmd
	out         *Buffer
	done        chan struct{}
}

// URL is the server's client URL.
func (s *Server) URL() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.Port) }

// Start runs the server (again: same ports, same store). The test's
// cleanup kills it.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	s.cmd = exec.Command(s.bin, "-a", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-m", strconv.Itoa(s.monitorPort),
		"-n", s.Name, "-js", "-sd", s.dir,
		"--cluster_name", "zhtest", "--cluster", fmt.Sprintf("nats://127.0.0.1:%d", s.clusterPort), "--routes", s.routes)
	s.out = &Buffer{}
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	s.done = done
	go func() { s.cmd.Wait(); close(done) }()
	cmd := s.cmd
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
}

// Kill sends SIGKILL (kill -9) and waits until the server is gone.
func (s *Server) Kill(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill %s: %v", s.Name, err)
	}
	<-s.done
}

// Freeze stops the server (SIGSTOP) without closing its connections: to
// its clients it looks like a cut link, nothing answered and nothing
// refused. Thaw resumes it.
func (s *Server) Freeze(t testing.TB) { s.signal(t, syscall.SIGSTOP) }

// Thaw resumes a frozen server (SIGCONT).
func (s *Server) Thaw(t testing.TB) { s.signal(t, syscall.SIGCONT) }

func (s *Server) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %s %v: %v", s.Name, sig, err)
	}
}

// Running reports whether the server process runs.
func (s *Server) Running() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// Output is what the server logged.
func (s *Server) Output() string { return s.out.String() }

// Cluster is a test's NATS cluster.
type Cluster []*Server

// StartCluster starts n nats-servers (n1, n2, …) routed to each other,
// with JetStream, each storing in a folder of the test's, and waits until
// they have elected their JetStream meta leader. A cluster that has none
// within clusterReady, or one of whose servers exited (a port freePort
// found free and another process took before the server bound it), is
// stopped and started afresh on new ports, three times at most; then the
// test fails with the servers' logs. Before, such a cluster made the
// test's first stream fail after a minute of "JetStream system
// temporarily unavailable", with nothing to say why.
func StartCluster(t testing.TB, n int) Cluster {
	t.Helper()
	bin := Binary(t)
	for attempt := 1; ; attempt++ {
		c := startCluster(t, bin, n)
		if c.waitMetaLeader(t, clusterReady) {
			return c
		}
		if attempt == 3 {
			var b strings.Builder
			for _, s := range c {
				out := s.Output()
				fmt.Fprintf(&b, "\n--- %s (running: %v):\n%s", s.Name, s.Running(), out[max(0, len(out)-2000):])
			}
			t.Fatalf("no JetStream meta leader after %d clusters of %d servers, %v each:%s", attempt, n, clusterReady, b.String())
		}
		for _, s := range c {
			if s.Running() {
				s.Kill(t)
			}
		}
	}
}

// clusterReady is how long a new cluster may take to elect its JetStream
// meta leader (a few seconds on a quiet machine).
const clusterReady = 30 * time.Second

// waitMetaLeader waits until the cluster has a JetStream meta leader, at
// most d; false if it has none by then or a server exited.
func (c Cluster) waitMetaLeader(t testing.TB, d time.Duration) bool {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		for _, s := range c {
			if !s.Running() {
				return false
			}
		}
		if c.MetaLeader(t) != nil {
			return true
		}
	}
	return false
}

func startCluster(t testing.TB, bin string, n int) Cluster {
	t.Helper()
	c := make(Cluster, n)
	var routes []string
	for i := range c {
		c[i] = &Server{Name: fmt.Sprintf("n%d", i+1), bin: bin, dir: t.TempDir(), Port: freePort(t), clusterPort: freePort(t),
			monitorPort: freePort(t)}
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", c[i].clusterPort))
	}
	for _, s := range c {
		s.routes = strings.Join(routes, ",")
		s.Start(t)
	}
	return c
}

// URLs are the client URLs of every server.
func (c Cluster) URLs() []string {
	var urls []string
	for _, s := range c {
		urls = append(urls, s.URL())
	}
	return urls
}

// Server returns the server named name, nil if none is.
func (c Cluster) Server(name string) *Server {
	for _, s := range c {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// MetaLeader returns the server that leads the cluster's JetStream meta
// group (where streams and consumers are placed), as a running server's
// monitoring endpoint reports it; nil while there is none.
func (c Cluster) MetaLeader(t testing.TB) *Server {
	t.Helper()
	for _, s := range c {
		if !s.Running() {
			continue
		}
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/jsz", s.monitorPort))
		if err != nil {
			continue
		}
		var jsz struct {
			Meta *struct {
				Leader string `json:"leader"`
			} `json:"meta_cluster"`
		}
		err = json.NewDecoder(resp.Body).Decode(&jsz)
		resp.Body.Close()
		if err == nil && jsz.Meta != nil {
			return c.Server(jsz.Meta.Leader)
		}
	}
	return nil
}

// freePort returns a loopback TCP port nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Buffer is a bytes.Buffer safe for concurrent writes and reads: a
// server's output, or a logger's a test reads.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
