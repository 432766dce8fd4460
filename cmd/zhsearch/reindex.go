package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/zhsearch/zhsearch/index"
)

func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reindex", "[--data DIR] [--index DIR] [--journal FILE] [--new-journal] [--max-article-bytes N] | --server URL", stderr)
	dataDir := fs.String("data", env("ZHSEARCH_DATA", "./data"), "data folder: *.jsonl and page exports *.txt (env ZHSEARCH_DATA)")
	indexDir := fs.String("index", env("ZHSEARCH_INDEX", "./var/index"), "index folder (env ZHSEARCH_INDEX)")
	journal := fs.String("journal", env("ZHSEARCH_JOURNAL", ""), "edit journal to replay over the data folder (default DATA/journal/edits.log; env ZHSEARCH_JOURNAL)")
	newJournal := fs.Bool("new-journal", false, "give the edit journal a new identity, keeping its records, then rebuild:\nthe way out when the server refuses a journal that was removed, replaced or\nrestored from an older copy (stop the server first)")
	server := fs.String("server", "", "ask the zhsearch server at `URL` to rebuild its index, with the admin token\nfrom env ZHSEARCH_ADMIN_TOKEN, instead of building here")
	articleLimit := bindArticleLimit(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	maxArticleBytes, err := articleLimit()
	if err != nil {
		fmt.Fprintf(stderr, "zhsearch reindex: invalid configuration:\n%v\n", err)
		return errUsage
	}
	rep := newReporter(stderr)
	serverGiven := false
	fs.Visit(func(f *flag.Flag) { serverGiven = serverGiven || f.Name == "server" })
	if serverGiven && strings.TrimSpace(*server) == "" {
		// --server "$UNSET" must not fall back to a build here, from
		// ./data, which is not what was asked for.
		fmt.Fprintln(stderr, "--server is empty: give the server's URL, or leave --server out to rebuild here")
		fs.Usage()
		return errUsage
	}
	if *server != "" {
		var local []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "data" || f.Name == "index" || f.Name == "journal" || f.Name == "new-journal" || f.Name == "max-article-bytes" {
				local = append(local, "--"+f.Name)
			}
		})
		if len(local) > 0 {
			fmt.Fprintf(stderr, "%s cannot be combined with --server: the server rebuilds from its own folders\n", local[0])
			fs.Usage()
			return errUsage
		}
		return remoteReindex(ctx, *server, os.Getenv("ZHSEARCH_ADMIN_TOKEN"), stdout, stderr, rep)
	}

	if strings.TrimSpace(*dataDir) == "" || strings.TrimSpace(*indexDir) == "" {
		fmt.Fprintln(stderr, "zhsearch reindex: --data and --index must not be empty") // as serve says
		return errUsage
	}
	if err := checkDataFolder(*dataDir); err != nil {
		return err
	}
	stats, err := index.Build(ctx, *dataDir, *indexDir, index.BuildOptions{Journal: *journal, NewJournal: *newJournal, MaxArticleBytes: maxArticleBytes,
		Progress: rep.progress, Stage: rep.stage})
	rep.finish()
	if errors.Is(err, index.ErrLocked) {
		return fmt.Errorf("%w; try again when it is done", err)
	} else if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return errors.New("interrupted: nothing changed, the previous index stays live")
	} else if err != nil {
		return err
	}
	for _, w := range stats.Warnings {
		fmt.Fprintf(stderr, "zhsearch reindex: warning: %s\n", w)
	}
	if stats.JournalUnread != nil {
		fmt.Fprintf(stderr, "zhsearch reindex: warning: the new journal holds the edits the old one still had; %v: put the wanted ones back through the admin API\n", stats.JournalUnread)
	}
	removed, err := index.CleanGenerations(*indexDir)
	if err != nil && !errors.Is(err, index.ErrLocked) {
		fmt.Fprintf(stderr, "zhsearch reindex: warning: removing old generations: %v\n", err)
	}
	printSummary(stdout, stats.Articles, stats.TitleOnly, stats.Files, stats.Edits, stats.Took)
	fmt.Fprintf(stdout, "live generation: %s (%d old removed; a running server switches to it at its next poll, every second by default, or on SIGHUP)\n",
		stats.Generation, len(removed))
	printDictionary(stdout, stats.Dictionary.ID, stats.Dictionary.Source())
	return nil
}

// printDictionary says which dictionary the new generation cuts text
// with: an editor who added words to DATA/dict sees that the build took
// them (the ID changes with every edit of the files).
func printDictionary(w io.Writer, id, from string) {
	if id != "" {
		fmt.Fprintf(w, "dictionary: %s (%s)\n", id, from)
	}
}

// printSummary prints what a reindex indexed.
func printSummary(w io.Writer, articles, titleOnly, files, edits int, took time.Duration) {
	rate := float64(articles+titleOnly) / max(took.Seconds(), 1e-3)
	fmt.Fprintf(w, "indexed %d articles and %d title-only articles from %d files in %s (%.0f articles/s)\n",
		articles, titleOnly, files, took.Round(time.Millisecond), rate)
	if edits > 0 {
		fmt.Fprintf(w, "replayed %d live edits from the journal\n", edits)
	}
}
