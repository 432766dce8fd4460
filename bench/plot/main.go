// Command plot draws BENCHMARKS.png from the results bench/run appends to
// bench/out/results.tsv: build time, search latency (p50 and p99) and
// related and suggest p99 against corpus size, zhsearch beside the
// yardstick, against a logarithmic size axis. For each size and engine it uses the latest
// run that measured it.
//
//	go run ./bench/plot --in bench/out/results.tsv --out BENCHMARKS.png
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// key names one measurement of one engine at one corpus size.
type key struct {
	size           int
	engine, metric string
}

func main() {
	in := flag.String("in", "bench/out/results.tsv", "results file written by bench/run")
	out := flag.String("out", "BENCHMARKS.png", "PNG to write")
	flag.Parse()
	res, err := readResults(*in)
	if err != nil {
		fail(err)
	}
	if err := draw2x2(res, *out); err != nil {
		fail(err)
	}
}

// readResults reads run, size, engine, metric, value lines; a later run's
// value replaces an earlier one's (runs are named by their UTC start time).
func readResults(path string) (map[key]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res := map[key]float64{}
	runOf := map[key]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Split(sc.Text(), "\t")
		if n == 1 && len(fields) > 0 && fields[0] == "run" {
			continue
		}
		if len(fields) != 5 {
			return nil, fmt.Errorf("%s:%d: want 5 tab-separated fields, got %d", path, n, len(fields))
		}
		size, err := strconv.Atoi(fields[1])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: bad size %q", path, n, fields[1])
		}
		v, err := strconv.ParseFloat(fields[4], 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: bad value %q", path, n, fields[4])
		}
		k := key{size, fields[2], fields[3]}
		if fields[0] >= runOf[k] {
			res[k], runOf[k] = v, fields[0]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, errors.New(path + ": no results")
	}
	return res, nil
}

// series returns the points of one engine's metric, by size.
func series(res map[key]float64, engine, metric string) plotter.XYs {
	var pts plotter.XYs
	for k, v := range res {
		if k.engine == engine && k.metric == metric && v > 0 {
			pts = append(pts, plotter.XY{X: float64(k.size), Y: v})
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
	return pts
}

// panel is one chart: its title, y label and lines (legend, engine, metric).
type panel struct {
	title, ylabel string
	lines         [][3]string
}

func draw2x2(res map[key]float64, out string) error {
	panels := []panel{
		{"Build time", "seconds", [][3]string{
			{"zhsearch", "zhsearch", "build_s"}, {"yardstick", "yardstick", "build_s"}}},
		{"Search latency at 16 connections", "ms", [][3]string{
			{"zhsearch p50", "zhsearch", "search_p50_ms"}, {"zhsearch p99", "zhsearch", "search_p99_ms"},
			{"yardstick p50", "yardstick", "search_p50_ms"}, {"yardstick p99", "yardstick", "search_p99_ms"}}},
		{"Related and suggest p99", "ms", [][3]string{
			{"zhsearch related", "zhsearch", "related_p99_ms"}, {"zhsearch suggest", "zhsearch", "suggest_p99_ms"},
			{"yardstick related", "yardstick", "related_p99_ms"}, {"yardstick suggest", "yardstick", "suggest_p99_ms"}}},
		{"Search throughput", "requests/s", [][3]string{
			{"zhsearch", "zhsearch", "search_rps"}, {"yardstick", "yardstick", "search_rps"}}},
	}
	const rows, cols = 2, 2
	plots := make([][]*plot.Plot, rows)
	for i, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.title
		p.X.Label.Text = "articles"
		p.Y.Label.Text = pn.ylabel
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Y.Min = 0
		p.Legend.Top = true
		p.Legend.Left = true
		var args []any
		for _, l := range pn.lines {
			if pts := series(res, l[1], l[2]); len(pts) > 0 {
				args = append(args, l[0], pts)
			}
		}
		if plots[i/cols] == nil {
			plots[i/cols] = make([]*plot.Plot, cols)
		}
		if len(args) == 0 {
			// A run on the indexes of an earlier one (--reuse) measures no
			// build: its tile stays empty rather than the run failing.
			fmt.Fprintf(os.Stderr, "plot: no data for %q\n", pn.title)
			continue
		}
		if err := plotutil.AddLinePoints(p, args...); err != nil {
			return err
		}
		plots[i/cols][i%cols] = p
	}
	img := vgimg.New(vg.Points(900), vg.Points(700))
	dc := draw.New(img)
	t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(plots, t, dc)
	for r := range rows {
		for c := range cols {
			if plots[r][c] != nil {
				plots[r][c].Draw(canvases[r][c])
			}
		}
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "plot:", err)
	os.Exit(1)
}
