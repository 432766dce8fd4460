// Package data is the bundled corpus folder. Its Go side embeds the domain
// dictionary and stop words (dict/) into the binary, so the segmenter works on
// a machine that has neither the repository nor Go; the articles themselves
// (*.txt page exports, *.jsonl) are read from disk by the data-folder loader.
package data

import "embed"

// Dict holds dict/*.txt: gse word-frequency-tag dictionaries (domain.txt)
// and the query stop words (stop.txt).
//
//go:embed dict/*.txt
var Dict embed.FS
