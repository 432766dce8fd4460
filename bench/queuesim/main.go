// Command queuesim simulates a closed-loop load (wrk's connections, each
// sending its next request when the last is answered) on a server of a few
// workers, with service times drawn from bench/evalwork's in-process
// times, to show what the order requests are served in does to latency:
// first come first served, or the shortest (by query length, or by true
// cost) first. Little's law fixes the mean latency at connections /
// throughput whatever the order; the order only moves the tail.
//
//	bench/evalwork --index DIR/zhsearch --queries DIR/search.txt --pick all --runs 3 > times.txt
//	go -C bench run ./queuesim --times times.txt --cpu-ms 1.56
package main

import (
	"bufio"
	"container/heap"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

type job struct {
	arrived, service float64
	chars            int
	key              float64
	seq              int
}

type queue []*job

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].key != q[j].key {
		return q[i].key < q[j].key
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(*job)) }
func (q *queue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

type sample struct {
	ms    float64
	chars int
}

func main() {
	times := flag.String("times", "", "bench/evalwork's output (lines: MS ms … QUERY)")
	cpuMS := flag.Float64("cpu-ms", 0, "scale the mean service time to this many ms (the served CPU a request); 0: as measured")
	clients := flag.Int("c", 16, "connections")
	workers := flag.Int("workers", 2, "requests served at once (CPUs)")
	n := flag.Int("n", 200000, "requests simulated")
	flag.Parse()
	samples, err := readTimes(*times)
	if err != nil {
		log.Fatal(err)
	}
	if *cpuMS > 0 {
		var sum float64
		for _, s := range samples {
			sum += s.ms
		}
		f := *cpuMS / (sum / float64(len(samples)))
		for i := range samples {
			samples[i].ms *= f
		}
	}
	orders := []struct {
		name string
		key  func(j *job) float64
	}{
		{"first come first served", func(j *job) float64 { return j.arrived }},
		{"shortest query first", func(j *job) float64 { return float64(j.chars) }},
		{"cheapest first (true cost)", func(j *job) float64 { return j.service }},
	}
	for _, o := range orders {
		fmt.Printf("%-28s %s\n", o.name, simulate(samples, o.key, *clients, *workers, *n))
	}
}

func readTimes(path string) ([]sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 9 || fields[1] != "ms" {
			continue
		}
		ms, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		q := strings.Join(fields[8:], "")
		out = append(out, sample{ms, utf8.RuneCountInString(q)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no times", path)
	}
	return out, sc.Err()
}

// simulate serves n requests of clients closed-loop connections on
// workers, in the order key gives, and reports throughput and latency.
func simulate(samples []sample, key func(*job) float64, clients, workers, n int) string {
	rng := rand.New(rand.NewPCG(1, 2))
	var now float64
	var waiting queue
	type running struct {
		done float64
		j    *job
	}
	var busy []running
	seq := 0
	arrive := func() {
		s := samples[rng.IntN(len(samples))]
		seq++
		j := &job{arrived: now, service: s.ms, chars: s.chars, seq: seq}
		j.key = key(j)
		heap.Push(&waiting, j)
	}
	for range clients {
		arrive()
	}
	var lat, long []float64
	for len(lat) < n {
		for len(busy) < workers && waiting.Len() > 0 {
			j := heap.Pop(&waiting).(*job)
			busy = append(busy, running{now + j.service, j})
		}
		sort.Slice(busy, func(a, b int) bool { return busy[a].done < busy[b].done })
		r := busy[0]
		busy = busy[1:]
		now = r.done
		l := now - r.j.arrived
		lat = append(lat, l)
		if r.j.chars >= 15 {
			long = append(long, l)
		}
		arrive()
	}
	pct := func(v []float64, p float64) float64 {
		if len(v) == 0 {
			return 0
		}
		s := append([]float64(nil), v...)
		sort.Float64s(s)
		return s[min(len(s)-1, int(p*float64(len(s))))]
	}
	return fmt.Sprintf("%.0f req/s, p50 %.1f ms, p99 %.1f ms, max %.0f ms; queries of 15+ characters: p50 %.1f ms, p99 %.1f ms",
		float64(len(lat))/now*1000, pct(lat, 0.5), pct(lat, 0.99), pct(lat, 1), pct(long, 0.5), pct(long, 0.99))
}
