package main

import (
	"context"
	"fmt"
	"io"

	"github.com/zhsearch/zhsearch/index/journal"
)

// runJournal dispatches `zhsearch journal SUBCOMMAND`.
func runJournal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const synopsis = "[--data DIR] [--journal FILE]"
	if err := subcommand("journal repair "+synopsis, args, stderr); err != nil {
		return err
	}
	fs := newFlagSet("journal repair", synopsis+"\n\nMoves the damaged tail of the edit journal (from its first damaged line) to a\nquarantine file beside it. Stop the server first.", stderr)
	dataDir := fs.String("data", env("ZHSEARCH_DATA", "./data"), "data folder (env ZHSEARCH_DATA)")
	path := fs.String("journal", env("ZHSEARCH_JOURNAL", ""), "edit journal (default DATA/journal/edits.log; env ZHSEARCH_JOURNAL)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	return repairJournal(journal.PathOf(*dataDir, *path), stdout)
}

// repairJournal repairs the journal at path and says what it did and what
// the operator does next.
func repairJournal(path string, stdout io.Writer) error {
	q, damage, err := journal.Repair(path)
	switch {
	case err != nil:
		return err
	case q == "":
		fmt.Fprintf(stdout, "%s: no damage, nothing to repair\n", path)
		return nil
	case damage == nil:
		fmt.Fprintf(stdout, "%s: moved a torn last line to %s\n", path, q)
		return nil
	}
	fmt.Fprintf(stdout, "%s:%d: %s\nmoved that line and everything after it to %s\n", path, damage.Line, damage.Msg, q)
	fmt.Fprintln(stdout, "Edits in the quarantine file are not replayed; put them back through the admin API if they are wanted.")
	fmt.Fprintln(stdout, "If the server then refuses to start because the journal ends before the index, run `zhsearch reindex --new-journal`.")
	return nil
}
