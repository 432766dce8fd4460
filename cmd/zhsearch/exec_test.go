package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Subprocess tests run this test binary as the zhsearch command: with
// ZHSEARCH_TEST_EXEC=1 TestMain runs the command line instead of the
// tests, so they need no separate build. ZHSEARCH_TEST_FSIZE caps the size
// of the files the process may write (RLIMIT_FSIZE), which is how a test
// fills the disk.
func TestMain(m *testing.M) {
	if os.Getenv("ZHSEARCH_TEST_EXEC") == "1" {
		if v := os.Getenv("ZHSEARCH_TEST_FSIZE"); v != "" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				panic(err)
			}
			signal.Ignore(syscall.SIGXFSZ) // writes past the cap fail with EFBIG
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
				panic(err)
			}
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is a zhsearch command running as a subprocess.
type process struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

// startProcess runs `zhsearch args...` with extra environment variables.
func startProcess(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "ZHSEARCH_TEST_EXEC=1"), env...)
	p := &process{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.stderr, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// kill sends SIGKILL and waits for the process to die.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill: %v", err)
	}
	<-p.done
	p.done <- nil // for the cleanup
}

var servingAddr = regexp.MustCompile(`"msg":"serving","addr":"([^"]+)"`)

// waitServing waits for a `zhsearch serve` subprocess to log its address.
func (p *process) waitServing(t *testing.T) string {
	t.Helper()
	return p.waitServingWithin(t, 2*time.Minute)
}

// waitServingWithin is waitServing with a deadline of its own.
func (p *process) waitServingWithin(t *testing.T, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(bytes.NewReader([]byte(p.stderr.String())))
		for sc.Scan() {
			if m := servingAddr.FindStringSubmatch(sc.Text()); m != nil {
				return "http://" + m[1]
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("server exited: %v\n%s", err, p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("server did not start:\n%s", p.stderr)
	return ""
}
