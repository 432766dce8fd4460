package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/zhsearch/zhsearch/index/gen"
)

// runGen writes a deterministic synthetic corpus (package index/gen) as
// JSON lines, for load tests and benchmarks: scripts/load uses it.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", "[--n 10000] [--seed 1] [--out FILE]", stderr)
	n := fs.Int("n", 10000, fmt.Sprintf("number of articles, 0 to %d", gen.MaxN))
	seed := fs.Int64("seed", 1, "corpus seed: the same seed and n give the same articles")
	out := fs.String("out", "", "output file (default: standard output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 0 || *n > gen.MaxN {
		fmt.Fprintf(stderr, "zhsearch gen: --n %d: want 0 to %d\n", *n, gen.MaxN)
		return errUsage
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		bw := bufio.NewWriter(f)
		defer bw.Flush()
		w = bw
	}
	if err := gen.WriteJSONL(w, gen.Options{N: *n, Seed: *seed}); err != nil {
		return err
	}
	return nil
}
