package index

import "context"

// Warm computes what a generation otherwise computes on its first
// queries: the statistics of the site's titles that search and related
// lists weigh words by (template and head words, a pass over two term
// dictionaries: a quarter of a second at 100k articles) and the title
// words that pinyin initials stand for. Live calls it on a new generation before it
// serves (the old one answers meanwhile) and, at start-up, in the
// background, so that no reader's query pays for it.
func (ix *Index) Warm(ctx context.Context) error {
	r, err := ix.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := ix.corpusStats(r); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err = ix.initialsWords("hb") // any two initials build the vocabulary
	return err
}
