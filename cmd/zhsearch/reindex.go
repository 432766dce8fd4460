package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/zhsearch/zhsearch/index"
)

func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reindex", "[--data DIR] [--index DIR]", stderr)
	dataDir := fs.String("data", env("ZHSEARCH_DATA", "./data"), "data folder: *.jsonl and page exports *.txt (env ZHSEARCH_DATA)")
	indexDir := fs.String("index", env("ZHSEARCH_INDEX", "./var/index"), "index folder (env ZHSEARCH_INDEX)")
	if err := parse(fs, args); err != nil {
		return err
	}
	stats, err := index.Build(ctx, *dataDir, *indexDir, index.BuildOptions{})
	if err != nil {
		return err
	}
	removed, err := index.CleanGenerations(*indexDir)
	if err != nil {
		fmt.Fprintf(stderr, "zhsearch reindex: warning: removing old generations: %v\n", err)
	}
	fmt.Fprintf(stdout, "indexed %d articles and %d title-only articles from %d files in %s\n",
		stats.Articles, stats.TitleOnly, stats.Files, stats.Took.Round(time.Millisecond))
	fmt.Fprintf(stdout, "live generation: %s (%d old removed)\n", stats.Generation, len(removed))
	return nil
}
