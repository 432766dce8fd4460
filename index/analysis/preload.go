package analysis

// Preload starts building, in the background, everything analysis otherwise
// builds on first use: the segmenter's dictionaries, the traditional →
// simplified table, the pinyin tables. A server calls it before opening its
// index, so the load overlaps the opening and no early request pays for it.
func Preload() {
	go DefaultSegmenter()
	go pinyinTable()
	go syllables()
}
