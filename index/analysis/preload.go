package analysis

// Preload starts building, in the background, everything analysis otherwise
// builds on first use: the segmenter's dictionaries, the traditional →
// simplified table, the pinyin tables. A server calls it before opening its
// index, so the load overlaps the opening and no early request pays for it.
func Preload() {
	go DefaultSegmenter()
	PreloadTables()
}

// PreloadTables is Preload without the embedded dictionary's segmenter,
// for a process that may never use it: opening a generation built with
// an editor's dictionary loads that one instead (AcquireSegmenter), and
// loading both cost it 45 MB and a share of its two CPUs while it started.
func PreloadTables() {
	go pinyinTable()
	go syllables()
}
