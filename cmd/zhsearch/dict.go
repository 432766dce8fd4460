package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
)

// runDict dispatches `zhsearch dict SUBCOMMAND`.
func runDict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const synopsis = "[--data DIR] [--min-count N] [--top N] [--max-len N]"
	if len(args) > 0 && args[0] == "builtin" {
		return runDictBuiltin(args[1:], stdout, stderr)
	}
	if err := subcommand("dict suggest "+synopsis+"\n       zhsearch dict builtin FILE", args, stderr); err != nil {
		return err
	}
	fs := newFlagSet("dict suggest", synopsis, stderr)
	dataDir := fs.String("data", env("ZHSEARCH_DATA", "./data"), "data folder (env ZHSEARCH_DATA)")
	opts := analysis.SuggestOptions{}
	fs.IntVar(&opts.MinCount, "min-count", 3, "only sequences seen at least this often")
	fs.IntVar(&opts.Top, "top", 50, "at most this many suggestions")
	fs.IntVar(&opts.MaxLen, "max-len", 6, "longest sequence in characters")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	for _, f := range []struct {
		name      string
		v, lo, hi int
	}{{"min-count", opts.MinCount, 1, 1 << 30}, {"top", opts.Top, 1, 1 << 20}, {"max-len", opts.MaxLen, 2, 32}} {
		if f.v < f.lo || f.v > f.hi {
			fmt.Fprintf(stderr, "--%s must be between %d and %d\n", f.name, f.lo, f.hi)
			fs.Usage()
			return errUsage
		}
	}
	c, err := corpus.Load(*dataDir, analysis.Normalize)
	if err != nil {
		return err
	}
	if len(c.Articles) == 0 { // as reindex: a wrong --data, most likely
		return fmt.Errorf("%s: no articles found (want *.jsonl or *.txt files)", *dataDir)
	}
	texts := make([]string, 0, 2*len(c.Articles))
	for _, a := range c.Articles {
		texts = append(texts, a.Title, a.Body)
	}
	dicts, err := analysis.DataDicts(*dataDir)
	if err != nil {
		return err
	}
	seg, release, err := analysis.AcquireSegmenter(dicts) // what the next reindex would cut with
	if err != nil {
		return err
	}
	defer release()
	cands := seg.SuggestWords(texts, opts)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "# word\tcount\tsplit today")
	for _, cand := range cands {
		fmt.Fprintf(w, "%s\t%d\t%s\n", cand.Word, cand.Count, cand.Split)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, w := range dicts.Warnings() {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	domain := filepath.Join(*dataDir, "dict", "domain.txt")
	fmt.Fprintf(stderr, "%d candidates from %d articles; add the real words to %s as \"word freq pos\", then reindex\n", len(cands), len(c.Articles), domain)
	if _, err := os.Stat(domain); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "%s replaces the built-in domain dictionary: start it from that one (zhsearch dict builtin domain.txt > %s)\n", domain, domain)
	}
	return nil
}

// runDictBuiltin writes a built-in dictionary file (data/dict/NAME, as the
// binary embeds it) to stdout: the start of a data folder's own, which
// replaces it whole.
func runDictBuiltin(args []string, stdout, stderr io.Writer) error {
	names := analysis.EmbeddedDicts().Names()
	if len(args) != 1 || args[0] == "-h" || args[0] == "--help" {
		if len(args) != 1 {
			fmt.Fprintf(stderr, "zhsearch dict builtin: want one FILE, got %d arguments\n", len(args))
		}
		fmt.Fprintf(stderr, "Usage: zhsearch dict builtin FILE\n\nwrites the built-in dictionary file FILE (one of %s) to stdout\n", strings.Join(names, ", "))
		if len(args) == 1 {
			return flag.ErrHelp
		}
		return errUsage
	}
	b, ok := analysis.EmbeddedDicts().Files["dict/"+args[0]]
	if !ok {
		fmt.Fprintf(stderr, "zhsearch dict builtin: no built-in file %q: want one of %s\n", args[0], strings.Join(names, ", "))
		return errUsage
	}
	_, err := stdout.Write(b)
	return err
}
