package index

// SetBleveSearch makes ix answer search pages with bleve's own searchers
// instead of the top-k evaluator, for benchmarks that compare the two.
func (ix *Index) SetBleveSearch(on bool) { ix.bleveSearch = on }
