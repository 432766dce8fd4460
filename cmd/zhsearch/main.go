// Command zhsearch is the zhsearch service: it builds the search index from
// the site's data folder and serves search, autocomplete and related
// articles over HTTP.
//
// Usage:
//
//	zhsearch serve   [--data DIR] [--index DIR] [--addr HOST:PORT] [--poll DURATION] [flags]
//	zhsearch serve   --nats URL[,URL…] [--replica NAME] [flags]
//	zhsearch reindex [--data DIR] [--index DIR] [--journal FILE] [--new-journal] [--max-article-bytes N] | --server URL
//	zhsearch journal repair [--data DIR] [--journal FILE]
//	zhsearch dict suggest [--data DIR]
//	zhsearch dict builtin FILE
//	zhsearch healthcheck [--url URL] [--timeout DURATION]
//	zhsearch gen [--n 10000] [--seed 1] [--out FILE]
//	zhsearch version
//	zhsearch help
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// exitUsage is the exit status for a bad command line.
const exitUsage = 2

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "serve the search API (builds the index first if there is none)", runServe},
		{"reindex", "rebuild the index from the data folder", runReindex},
		{"journal", "edit journal tools: 'journal repair' moves a damaged tail to a quarantine file", runJournal},
		{"dict", "dictionary tools: 'dict suggest' lists words the dictionary splits; 'dict builtin FILE' writes a built-in file", runDict},
		{"healthcheck", "exit 0 when a running server answers /readyz (for container health checks)", runHealthcheck},
		{"gen", "write a synthetic corpus (JSON lines) for load tests and benchmarks", runGen},
		{"version", "print the version of this binary (module version, commit, Go version)", runVersion},
		{"help", "show this help", nil},
	}
}

// run executes one command line and returns the process exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 { // no command: a mistake in a script, not a request for help
		usage(stderr)
		return exitUsage
	}
	if args[0] == "help" && len(args) > 1 {
		args = []string{args[1], "-h"} // help CMD: the command's own usage
		stderr = stdout                // which it prints where errors go
	} else if args[0] == "--version" || args[0] == "-version" {
		args = []string{"version"}
	} else if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] || c.run == nil {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return exitUsage
		case errors.As(err, new(reported)):
			return 1
		default:
			fmt.Fprintf(stderr, "zhsearch %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "zhsearch: unknown command %q\nRun 'zhsearch help' for usage.\n", args[0])
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "zhsearch: Chinese search and related articles for a content site.")
	fmt.Fprintln(w, "\nUsage:\n  zhsearch <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'zhsearch help <command>' or 'zhsearch <command> -h' for a command's flags.")
}

// subcommand checks that args name the one subcommand of a command whose
// usage is "GROUP SUB SYNOPSIS" (journal repair, dict suggest): with no
// subcommand or an unknown one it prints the usage, saying which, and
// returns errUsage; asked for help, it prints the usage and returns
// flag.ErrHelp.
func subcommand(usage string, args []string, stderr io.Writer) error {
	group, rest, _ := strings.Cut(usage, " ")
	sub, _, _ := strings.Cut(rest, " ")
	if len(args) > 0 && args[0] == sub {
		return nil
	}
	switch {
	case len(args) == 0:
		fmt.Fprintf(stderr, "zhsearch %s: missing subcommand\n", group)
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		fmt.Fprintln(stderr, "Usage: zhsearch "+usage)
		return flag.ErrHelp
	default:
		fmt.Fprintf(stderr, "zhsearch %s: unknown subcommand %q\n", group, args[0])
	}
	fmt.Fprintln(stderr, "Usage: zhsearch "+usage)
	return errUsage
}

// errUsage marks a command-line error already reported by the FlagSet.
var errUsage = errors.New("usage error")

// newFlagSet returns a FlagSet that reports errors and usage on stderr and
// does not exit, so run decides the status.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("zhsearch "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: zhsearch %s %s\n\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, mapping flag errors to errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

// env returns the environment variable key, or def when it is unset.
func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}
