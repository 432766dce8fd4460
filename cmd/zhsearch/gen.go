package main

import (
	"context"
	"fmt"
	"io"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/gen"
)

// runGen writes a deterministic synthetic corpus as JSON lines to stdout,
// for benchmarks: zhsearch gen --n 100000 --seed 1 > data/bench.jsonl.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", "[--n N] [--seed S] [--topics T] [--base-url URL] > FILE.jsonl", stderr)
	opts := gen.Options{}
	fs.IntVar(&opts.N, "n", 10000, "number of articles")
	fs.Int64Var(&opts.Seed, "seed", 1, "corpus seed: the same flags always give the same articles")
	fs.IntVar(&opts.Topics, "topics", 0, "number of topics (0: automatic, from n)")
	fs.StringVar(&opts.BaseURL, "base-url", "", "prefix of article URLs (default "+gen.DefaultURL+")")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := gen.WriteJSONL(&ctxWriter{ctx: ctx, w: stdout}, opts); err != nil {
		if zhsearch.ErrorCode(err) == zhsearch.EINVALID {
			fmt.Fprintln(stderr, zhsearch.ErrorMessage(err))
			return errUsage
		}
		return err
	}
	return nil
}

// ctxWriter stops a long write when ctx ends (Ctrl-C on a 1M corpus).
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
