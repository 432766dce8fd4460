// Package data is the bundled corpus folder. Its Go side embeds the domain
// dictionary and stop words (dict/) into the binary, so the segmenter works on
// a machine that has neither the repository nor Go; the articles themselves
// (*.txt page exports, *.jsonl) are read from disk by the data-folder loader.
package data

import "embed"

// Dict holds dict/*.txt: gse word-frequency-tag dictionaries (domain.txt)
// the query stop words (stop.txt) and the query lexicon: question words
// (question.txt), spoken forms (spoken.txt), synonyms (synonyms.txt),
// everyday words of general Chinese (common.txt), the troubles a reader
// may deny having (trouble.txt) and how a question's clause says it asks
// (ask.txt).
//
//go:embed dict/*.txt
var Dict embed.FS
