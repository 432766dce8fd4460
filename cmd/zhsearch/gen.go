package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/gen"
)

// runGen writes a deterministic synthetic corpus (package index/gen) as JSON
// lines, for load tests and benchmarks (scripts/load, bench/run):
// zhsearch gen --n 100000 --seed 1 --out data/bench.jsonl.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", "[--n 10000] [--seed 1] [--topics T] [--base-url URL] [--out FILE]", stderr)
	opts := gen.Options{}
	fs.IntVar(&opts.N, "n", 10000, fmt.Sprintf("number of articles, 0 to %d", gen.MaxN))
	fs.Int64Var(&opts.Seed, "seed", 1, "corpus seed: the same flags always give the same articles")
	fs.IntVar(&opts.Topics, "topics", 0, "number of topics (0: automatic, from n)")
	fs.StringVar(&opts.BaseURL, "base-url", "", "prefix of article URLs (default "+gen.DefaultURL+")")
	out := fs.String("out", "", "output file (default: standard output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if opts.N < 0 || opts.N > gen.MaxN {
		fmt.Fprintf(stderr, "zhsearch gen: --n %d: want 0 to %d\n", opts.N, gen.MaxN)
		return errUsage
	}
	if *out == "" {
		return writeGen(ctx, stdout, opts, stderr)
	}
	return writeGenFile(ctx, *out, opts, stderr)
}

// writeGenFile writes the corpus to path. A file is written beside it and
// renamed to it once every byte is on disk: a failed or interrupted run (a
// full disk, Ctrl-C) leaves no file cut mid-line for a reindex to trip
// over, and an earlier corpus at path stays as it was. A pipe or a device
// is written as it goes: there is no file to replace.
func writeGenFile(ctx context.Context, path string, opts gen.Options, stderr io.Writer) (err error) {
	st, serr := os.Stat(path)
	direct := serr == nil && !st.Mode().IsRegular()
	var f *os.File
	if direct {
		f, err = os.OpenFile(path, os.O_WRONLY, 0)
	} else {
		f, err = os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	}
	if err != nil {
		// The temporary file's name (.x.jsonl.123.tmp) would say nothing
		// of the path the operator gave.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	bw := bufio.NewWriter(f)
	err = writeGen(ctx, bw, opts, stderr)
	if err == nil {
		err = bw.Flush() // its error names the file written
	}
	if err == nil && !direct {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case direct:
		return err
	case err == nil:
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		return os.Rename(f.Name(), path)
	}
	os.Remove(f.Name())
	return err
}

// writeGen writes the corpus to w.
func writeGen(ctx context.Context, w io.Writer, opts gen.Options, stderr io.Writer) error {
	if err := gen.WriteJSONL(&ctxWriter{ctx: ctx, w: w}, opts); err != nil {
		if zhsearch.ErrorCode(err) == zhsearch.EINVALID {
			fmt.Fprintln(stderr, "zhsearch gen: "+zhsearch.ErrorMessage(err))
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
