package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/zhsearch/zhsearch"
)

// generationFormat is the layout of the generations this binary writes,
// and the newest it reads. Bump it with any change an older binary cannot
// read (a dictionary file it cannot parse, a field its queries would
// misread): the older binary then refuses the generation by its record,
// saying which version wrote it, rather than failing on the first file it
// cannot read.
//
// 1: generations written before the record existed (2026-12-07).
// 2: the record (formatFile).
const generationFormat = 2

// formatFile is a generation's record of its format and of the binary
// that wrote it (zhsearch.Version).
const formatFile = "zhsearch-format.json"

type formatRecord struct {
	Format    int    `json:"format"`
	WrittenBy string `json:"written_by"`
}

// writeFormat records this binary's format in the generation at path.
func writeFormat(path string) error {
	raw, err := json.Marshal(formatRecord{Format: generationFormat, WrittenBy: zhsearch.Version()})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(path, formatFile), append(raw, '\n'), 0o644)
}

// readFormat returns the generation's record: format 1, written by an
// unknown version, for a generation older than the record. A newer format
// than this binary's is an error that says what to do.
func readFormat(path string) (formatRecord, error) {
	raw, err := os.ReadFile(filepath.Join(path, formatFile))
	if errors.Is(err, fs.ErrNotExist) {
		return formatRecord{Format: 1}, nil
	}
	if err != nil {
		return formatRecord{}, err
	}
	var rec formatRecord
	if err := json.Unmarshal(raw, &rec); err != nil || rec.Format < 1 {
		if len(raw) > 80 {
			raw = raw[:80]
		}
		return formatRecord{}, fmt.Errorf("%s: not a format record (%q)", formatFile, raw)
	}
	if rec.Format > generationFormat {
		return rec, fmt.Errorf("written by a newer zhsearch (%s, generation format %d), which this one (%s) cannot read "+
			"(it reads formats up to %d): run the version that wrote it, or build a generation for this one with "+
			"`zhsearch reindex --index` into another folder", rec.WrittenBy, rec.Format, zhsearch.Version(), generationFormat)
	}
	return rec, nil
}

// Format returns the generation's format and the version that wrote it
// ("" for a generation older than the record).
func (ix *Index) Format() (format int, writtenBy string) {
	return ix.format.Format, ix.format.WrittenBy
}
