package analysis

// PreloadTables starts building, in the background, the tables analysis
// otherwise builds on first use: the pinyin tables. A server calls it
// before opening its index, so the load overlaps the opening and no early
// request pays for it. The segmenter is not among them: opening a
// generation loads the one of its own dictionary (AcquireSegmenter), and
// preloading the embedded one beside an editor's cost a server 45 MB and
// a share of its two CPUs while it started.
func PreloadTables() {
	go pinyinTable()
	go syllables()
}
