package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// runDict dispatches `zhsearch dict SUBCOMMAND`.
func runDict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const synopsis = "[--data DIR] [--journal FILE] [--min-count N] [--top N] [--max-len N]"
	if len(args) > 0 && args[0] == "builtin" {
		return runDictBuiltin(args[1:], stdout, stderr)
	}
	if err := subcommand("dict suggest "+synopsis+"\n       zhsearch dict builtin FILE", args, stderr); err != nil {
		return err
	}
	fs := newFlagSet("dict suggest", synopsis, stderr)
	dataDir := fs.String("data", env("ZHSEARCH_DATA", "./data"), "data folder (env ZHSEARCH_DATA)")
	journalPath := fs.String("journal", env("ZHSEARCH_JOURNAL", ""), "edit journal whose articles count too (default DATA/journal/edits.log; env ZHSEARCH_JOURNAL)")
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
	// The site as the next reindex would build it: articles published
	// through the admin API are in the journal alone until the next
	// export, and their new names were never suggested.
	articles, edits, err := index.SiteArticles(*dataDir, *journalPath)
	if err != nil {
		return err
	}
	texts := make([]string, 0, 2*len(articles))
	for _, a := range articles {
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
	if err := writeSuggestions(stdout, cands); err != nil {
		return err
	}
	for _, w := range dicts.Warnings() {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	domain := filepath.Join(*dataDir, "dict", "domain.txt")
	fmt.Fprintf(stderr, "%d candidates from %d articles (%d journal edits replayed); uncomment the real words and append them to %s, then reindex\n",
		len(cands), len(articles), edits, domain)
	if _, err := os.Stat(domain); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "%s replaces the built-in domain dictionary: start it from that one (zhsearch dict builtin domain.txt > %s)\n", domain, domain)
	}
	return nil
}

// suggestedFreq is the frequency a suggested word is offered with: the
// built-in domain words' most usual one, enough for a word of the site to
// be cut whole.
const suggestedFreq = 5000

// writeSuggestions writes candidates in the domain dictionary's format,
// commented out: each as "#word freq n" under a comment with its count
// and today's cut, so an editor deletes a "#" to take a word and the
// output appended to dict/domain.txt as it is changes nothing. (Its
// columns were word, count and cut, which appended gave every fragment,
// 贷抹除手机 too, a frequency of its count.)
func writeSuggestions(w io.Writer, cands []analysis.Candidate) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# zhsearch dict suggest: %d candidates. Delete the \"#\" before the real words, append to dict/domain.txt, reindex.\n", len(cands))
	for _, c := range cands {
		fmt.Fprintf(bw, "# seen %d times; cut today %s\n#%s %d n\n", c.Count, c.Split, c.Word, suggestedFreq)
	}
	return bw.Flush()
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
