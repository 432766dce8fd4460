// Command startup measures how long a server takes from exec to answering
// its readiness URL with 200, and its resident memory then:
//
//	startup --url http://127.0.0.1:8080/readyz [--runs 3] -- zhsearch serve --index DIR --addr 127.0.0.1:8080
//
// It starts the command, polls the URL every millisecond, stops the process
// with SIGTERM once ready, and prints the median of the runs as
//
//	RESULT ready_ms=M rss_mb=R runs=N
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	url := flag.String("url", "", "readiness URL")
	runs := flag.Int("runs", 3, "runs (the median is printed)")
	timeout := flag.Duration("timeout", 2*time.Minute, "give up after this long")
	flag.Parse()
	if *url == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: startup --url URL [--runs N] -- COMMAND ARGS...")
		os.Exit(2)
	}
	var times []time.Duration
	var rss []float64
	for range *runs {
		d, r, err := once(*url, *timeout, flag.Args())
		if err != nil {
			fmt.Fprintln(os.Stderr, "startup:", err)
			os.Exit(1)
		}
		times = append(times, d)
		rss = append(rss, r)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	sort.Float64s(rss)
	fmt.Printf("RESULT ready_ms=%.0f rss_mb=%.0f runs=%d\n", float64(times[len(times)/2].Microseconds())/1000, rss[len(rss)/2], len(times))
}

func once(url string, timeout time.Duration, args []string) (time.Duration, float64, error) {
	client := &http.Client{Timeout: time.Second}
	if resp, err := client.Get(url); err == nil {
		resp.Body.Close()
		return 0, 0, fmt.Errorf("%s already answers before the server starts: is the port taken?", url)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	gone := false // the server exited and exited was read: nothing to wait for
	defer func() {
		if gone {
			return
		}
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()
	for time.Since(start) < timeout {
		select {
		case err := <-exited:
			gone = true
			return 0, 0, fmt.Errorf("server exited before it was ready: %v", err)
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				d := time.Since(start)
				return d, rssMB(cmd.Process.Pid), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return 0, 0, fmt.Errorf("not ready after %s", timeout)
}

// rssMB reads VmRSS of a process from /proc, in MB (0 if unavailable).
func rssMB(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
