package main

import (
	"context"
	"fmt"
	"io"

	"github.com/zhsearch/zhsearch"
)

// runVersion prints which binary this is (zhsearch.Version): what an
// operator compares with a generation's record (written_by) before an
// upgrade or a rollback.
func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "zhsearch", zhsearch.Version())
	return nil
}
