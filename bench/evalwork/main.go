// Command evalwork measures the top-k evaluator's work and time per search
// on a built index, query by query, so that two versions of the evaluator
// compare on the queries that make search's p99 (the slowest of the mix)
// and on ordinary ones, without the noise of a loaded server:
//
//	evalwork --index DIR/zhsearch --queries DIR/search.txt [--pick slowest|middle|all] [--k 40] [--runs 30] [--save FILE] [--cpuprofile FILE]
//
// The queries are bench/run's request paths (their q parameter) or one
// query per line. Each is searched three times first, so its lists are
// decoded as a served index has them; then they are ranked by the
// documents the evaluator visits for their first page (a count that
// depends on the queries, the index and the evaluator, not on the
// machine), and the k most (slowest) or the k around the median (middle)
// are measured: the work of one search (Index.EvaluatorStats) and the
// least time of runs searches. It prints one line per query and
//
//	RESULT queries=K visited=V counting=C scored=S min_ms_sum=T
//
// To compare two commits, build it at each (go -C bench build -o
// /tmp/evalwork-A ./evalwork), pick the queries with one of them and save
// them (--save FILE), then measure both on those (--queries FILE --pick
// all), alternately: the time sums move by a tenth from run to run on a
// shared machine, the counts do not move at all.
package main

import (
	"bufio"
	"cmp"
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
)

func main() {
	dir := flag.String("index", "", "index folder (bench/run's DIR/zhsearch)")
	queries := flag.String("queries", "", "request paths (bench/run's DIR/search.txt) or one query per line")
	pick := flag.String("pick", "slowest", "which queries to measure: slowest, middle or all")
	k := flag.Int("k", 40, "how many queries to measure (slowest, middle)")
	runs := flag.Int("runs", 30, "searches per query; the least time is kept")
	save := flag.String("save", "", "write the queries measured to this file, one per line")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the measured searches (not the warm-up) to this file")
	flag.Parse()
	if *dir == "" || *queries == "" || *runs < 1 || *k < 1 || !slices.Contains([]string{"slowest", "middle", "all"}, *pick) {
		fmt.Fprintln(os.Stderr, "usage: evalwork --index DIR --queries FILE [--pick slowest|middle|all] [--k 40] [--runs 30] [--save FILE] [--cpuprofile FILE]")
		os.Exit(2)
	}
	if err := run(*dir, *queries, *pick, *k, *runs, *save, *profile); err != nil {
		fmt.Fprintln(os.Stderr, "evalwork:", err)
		os.Exit(1)
	}
}

// work is one query's evaluator work for its first page.
type work struct {
	query                     string
	visited, counting, scored uint64
}

func run(dir, file, pick string, k, runs int, save, profile string) error {
	qs, err := readQueries(file)
	if err != nil {
		return err
	}
	ix, err := index.Open(dir)
	if err != nil {
		return err
	}
	defer ix.Close()
	ix.SetSearchCacheSize(0)
	ctx := context.Background()
	search := func(q string) error {
		_, err := ix.Search(ctx, zhsearch.SearchRequest{Query: q, Size: 10})
		return err
	}
	var ws []work
	for _, q := range qs {
		for range 3 {
			if err := search(q); err != nil {
				return fmt.Errorf("%q: %w", q, err)
			}
		}
		before := ix.EvaluatorStats()
		if err := search(q); err != nil {
			return err
		}
		after := ix.EvaluatorStats()
		ws = append(ws, work{q, after.Visited - before.Visited, after.Counting - before.Counting, after.Scored - before.Scored})
	}
	ws = picked(ws, pick, k)
	if save != "" {
		var b strings.Builder
		for _, w := range ws {
			b.WriteString(w.query + "\n")
		}
		if err := os.WriteFile(save, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	if profile != "" {
		stop, err := startProfile(profile)
		if err != nil {
			return err
		}
		defer stop()
	}
	var sum work
	var total time.Duration
	for _, w := range ws {
		var best time.Duration
		for r := range runs {
			start := time.Now()
			if err := search(w.query); err != nil {
				return err
			}
			if d := time.Since(start); r == 0 || d < best {
				best = d
			}
		}
		total += best
		sum.visited, sum.counting, sum.scored = sum.visited+w.visited, sum.counting+w.counting, sum.scored+w.scored
		fmt.Printf("%8.3f ms  visited %6d  counting %5d  scored %6d  %s\n", ms(best), w.visited, w.counting, w.scored, w.query)
	}
	fmt.Printf("RESULT queries=%d visited=%d counting=%d scored=%d min_ms_sum=%.1f\n", len(ws), sum.visited, sum.counting, sum.scored, ms(total))
	return nil
}

// picked returns the k queries that visit the most documents (slowest),
// the k around the median (middle), or all of ws.
func picked(ws []work, pick string, k int) []work {
	if pick == "all" || k >= len(ws) {
		return ws
	}
	slices.SortStableFunc(ws, func(a, b work) int { return cmp.Compare(b.visited, a.visited) })
	if pick == "slowest" {
		return ws[:k]
	}
	from := max(0, len(ws)/2-k/2)
	return ws[from : from+k]
}

// readQueries reads request paths (their q parameter) or plain queries,
// one per line, skipping blank lines and repeats.
func readQueries(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		q := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(q, "/") {
			u, err := url.Parse(q)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", file, line, err)
			}
			q = u.Query().Get("q")
		}
		if q != "" && !seen[q] {
			seen[q] = true
			qs = append(qs, q)
		}
	}
	return qs, sc.Err()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// startProfile starts a CPU profile written to file and returns what
// stops it.
func startProfile(file string) (func(), error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "evalwork: cpu profile:", err)
		}
	}, nil
}
