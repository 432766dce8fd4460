package zhsearch

import "bytes"

// ScanLines is bufio.ScanLines that also ends a line at a lone \r, as old
// Mac editors write them: read by \n alone, such a file was one line (a
// dictionary all comment when it started with #, or one synonym group of
// every word; a page whose 发布时间 was "missing"). A \r\n ends one line.
func ScanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		if data[i] == '\n' {
			return i + 1, data[:i], nil
		}
		if i+1 < len(data) {
			if data[i+1] == '\n' {
				return i + 2, data[:i], nil
			}
			return i + 1, data[:i], nil
		}
		if atEOF {
			return i + 1, data[:i], nil
		}
		return 0, nil, nil // \r at the buffer's end: a \n may follow
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
