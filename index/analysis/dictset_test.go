package analysis

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// TestEditedDictionariesAreReleased: every edit of a data folder's
// dictionary loads a new segmenter (about 45 MB); one no build or open
// index holds any more is dropped, but for the one released last, so a
// server whose editors keep adding words does not grow by a segmenter per
// edit.
func TestEditedDictionariesAreReleased(t *testing.T) {
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "dict"), 0o755); err != nil {
		t.Fatal(err)
	}
	edit := func(word string) *DictSet {
		t.Helper()
		if err := os.WriteFile(filepath.Join(data, "dict", "domain.txt"), []byte(word+" 1000 n\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := DataDicts(data)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	loaded := func() int {
		segmenters.Lock()
		defer segmenters.Unlock()
		return len(segmenters.m)
	}
	before := loaded()
	// The generation serving holds its dictionary; each edit builds with a
	// new one, which the next generation opens and the old one lets go.
	serving := edit("停息挂账")
	_, releaseServing, err := AcquireSegmenter(serving)
	if err != nil {
		t.Fatal(err)
	}
	for _, word := range []string{"先享后付", "售后回租", "以贷养贷"} {
		d := edit(word)
		_, releaseBuild, err := AcquireSegmenter(d)
		if err != nil {
			t.Fatal(err)
		}
		seg, releaseNext, err := AcquireSegmenter(d) // the new generation opens
		if err != nil {
			t.Fatal(err)
		}
		releaseBuild()
		releaseBuild() // a second call is a no-op
		releaseServing()
		if got, ok := segmenterByID(d.ID); !ok || got != seg {
			t.Fatalf("%s: the serving generation's segmenter was dropped", word)
		}
		releaseServing = releaseNext
		if n := loaded() - before; n > 2 {
			t.Errorf("after adding %s: %d segmenters kept, want at most 2 (the one in use and a spare)", word, n)
		}
	}
	releaseServing()
	if n := loaded() - before; n > 1 {
		t.Errorf("nothing in use: %d segmenters kept, want at most 1", n)
	}
}

// TestGenerationPreparedDict: a generation records the prepared form of
// its dictionary beside it, and opening the generation
// (AcquireSegmenter) loads gse's dictionary from that form, which cuts
// text as the text does; a segmenter loaded so records it again for the
// next generation; a form that is not whole, or no longer matches the
// recorded files (an edited file), is passed over for the text; the
// embedded dictionary's generations need none: the binary embeds it.
// TestDataDictsAsEditorsLeaveThem: a data folder's dict/ as editors leave
// it loads: files saved with a byte order mark (a comment or a word on
// their first line), an editor's lock file (.#domain.txt, a dangling
// link), a Mac's ._domain.txt and a folder named like a word list are not
// read as word lists, and the marked file's first word is cut as written.
func TestDataDictsAsEditorsLeaveThem(t *testing.T) {
	data := t.TempDir()
	dict := filepath.Join(data, "dict")
	if err := os.MkdirAll(filepath.Join(dict, "old.txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	synonyms, err := os.ReadFile(filepath.Join("..", "..", "data", "dict", "synonyms.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"domain.txt":   "\ufeff租机宝 1000 n\n",
		"synonyms.txt": "\ufeff" + string(synonyms),
		"._domain.txt": "\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X  ",
		"~backup.txt~": "not a word list",
	} {
		if err := os.WriteFile(filepath.Join(dict, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("editor@host.4242:1733400000", filepath.Join(dict, ".#domain.txt")); err != nil {
		t.Fatal(err)
	}
	d, err := DataDicts(data)
	if err != nil {
		t.Fatalf("DataDicts: %v", err)
	}
	seg, release, err := AcquireSegmenter(d)
	if err != nil {
		t.Fatalf("segmenter: %v", err)
	}
	defer release()
	var words []string
	for _, w := range seg.Cut("租机宝怎么用", false) {
		words = append(words, w.Text)
	}
	if len(words) == 0 || words[0] != "租机宝" {
		t.Errorf("租机宝怎么用 cut as %v: the marked domain.txt's first word is not a word", words)
	}
}

// TestDataDictsRefused: a data folder's dictionary that cannot be what the
// editor meant stops the build, naming the file (and line: every
// dictionary's lines are read by eachLine), instead of
// serving something else: a file saved in another encoding than UTF-8
// (GBK's ID贷款 became the word id), a folder where a dictionary file of
// the built-in set is expected, a file where the dict folder is, and what
// is not a file of words at all (a named pipe, a device, 64 MiB or more).
func TestDataDictsRefused(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T, data string)
		want  string
	}{
		{"GBK line", func(t *testing.T, data string) {
			writeDict(t, data, "domain.txt", "租机宝 1000 n\nID\xb4\xfb\xbf\xee 100 n\n")
		}, "dict/domain.txt:2: text is not valid UTF-8"},
		{"GBK stop word", func(t *testing.T, data string) {
			writeDict(t, data, "stop.txt", "的\nAPP\xb5\xc4\n")
		}, "dict/stop.txt:2: text is not valid UTF-8"},
		{"folder for a file", func(t *testing.T, data string) {
			if err := os.MkdirAll(filepath.Join(data, "dict", "synonyms.txt"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "dict/synonyms.txt: a folder, not a word list"},
		{"file for the folder", func(t *testing.T, data string) {
			if err := os.WriteFile(filepath.Join(data, "dict"), []byte("租机宝 1000 n\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "dict: not a folder"},
		// A named pipe blocked the build (SIGTERM with it); a link to
		// /dev/zero was read until memory ran out.
		{"named pipe", func(t *testing.T, data string) {
			writeDict(t, data, "domain.txt", "租机宝 1000 n\n")
			if err := syscall.Mkfifo(filepath.Join(data, "dict", "extra.txt"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "dict/extra.txt: not a regular file (p"},
		{"link to a device", func(t *testing.T, data string) {
			writeDict(t, data, "domain.txt", "租机宝 1000 n\n")
			if err := os.Symlink("/dev/zero", filepath.Join(data, "dict", "zero.txt")); err != nil {
				t.Fatal(err)
			}
		}, "dict/zero.txt: not a regular file (D"},
		// An editor's slips that were taken for rules nobody meant.
		{"full-width commas", func(t *testing.T, data string) {
			writeDict(t, data, "domain.txt", "租机宝 1000 n\n省呗，1000，nz\n")
		}, "dict/domain.txt:2: \"省呗，1000，nz\" is not one word"},
		{"a comment after a group", func(t *testing.T, data string) {
			writeDict(t, data, "synonyms.txt", "逾期 晚还\n晚交 迟缴 #note\n")
		}, "dict/synonyms.txt:2: \"#note\": a comment takes a line of its own"},
		{"a word twice in a group", func(t *testing.T, data string) {
			writeDict(t, data, "synonyms.txt", "晚交 晚交\n")
		}, "dict/synonyms.txt:1: 晚交 is twice in the group"},
		{"two weights for a word", func(t *testing.T, data string) {
			writeDict(t, data, "question.txt", "多久 0.5\n怎么办 0.5\n多久 0\n")
		}, "dict/question.txt:3: 多久 is given the weight 0.5 on line 1"},
		{"two standard forms", func(t *testing.T, data string) {
			writeDict(t, data, "spoken.txt", "咋办 怎么办\n咋办 怎么样\n")
		}, "dict/spoken.txt:2: 咋办 is respelled as 怎么办 on line 1"},
		{"a standard form respelled", func(t *testing.T, data string) {
			writeDict(t, data, "spoken.txt", "咋办 怎么办\n怎么办 咋办\n")
		}, "dict/spoken.txt:2: 怎么办 is the standard form of 咋办 (line 1)"},
		{"respelled to a spoken form", func(t *testing.T, data string) {
			writeDict(t, data, "spoken.txt", "咋办 怎么办\n咋整 咋办\n")
		}, "dict/spoken.txt:2: 咋办 is itself respelled as 怎么办 (line 1)"},
		{"an upper-case extension", func(t *testing.T, data string) {
			writeDict(t, data, "stop.TXT", "老铁\n")
		}, "dict/stop.TXT: a dictionary's name ends in .txt"},
		{"a built-in name in another case", func(t *testing.T, data string) {
			writeDict(t, data, "Stop.txt", "老铁\n")
		}, "dict/Stop.txt: name it stop.txt"},
		// A lexicon file under another name is read as domain words: the
		// error says so, not only that 晚还 is no frequency.
		{"a synonyms file misnamed", func(t *testing.T, data string) {
			writeDict(t, data, "synonym.txt", "逾期 晚还 迟还\n")
		}, `dict/synonym.txt:1: frequency "晚还" must be a finite number above 0 (any dict/*.txt other than the lexicon's files is a list of domain words, word [freq [pos]]: the lexicon's are ask.txt, common.txt, question.txt, spoken.txt, stop.txt, synonyms.txt, trouble.txt)`},
		{"over 64 MiB", func(t *testing.T, data string) {
			writeDict(t, data, "big.txt", "")
			if err := os.Truncate(filepath.Join(data, "dict", "big.txt"), maxDictFileBytes+1); err != nil {
				t.Fatal(err)
			}
		}, "dict/big.txt: over 64 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			tt.setup(t, data)
			// The folder is read (DataDicts), then its lines (the
			// segmenter a build acquires).
			d, err := DataDicts(data)
			if err == nil {
				var release func()
				if _, release, err = AcquireSegmenter(d); err == nil {
					release()
				}
			}
			// Named as the operator can open it: under the data folder.
			want := filepath.Join(data, tt.want)
			if tt.want == "dict: not a folder" {
				want = tt.want
			}
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("dictionary: %v, want an error with %q", err, want)
			}
		})
	}
}

// TestEditorsWordsTakeEffect: what an editor adds to a data folder's
// dictionary is cut as a word, so that its rule holds: a synonym or stop
// word the base dictionary holds only as the start of a longer word (滞纳
// of 滞纳金) or not at all (老铁), and a file saved with old-Mac line ends.
// Before, 滞纳 and 老铁 stayed characters and their rules did nothing, and
// the lone-\r file was one line.
func TestEditorsWordsTakeEffect(t *testing.T) {
	data := t.TempDir()
	writeDict(t, data, "synonyms.txt", "逾期 晚还\r晚交 滞纳\r征信 信用记录\r")
	writeDict(t, data, "stop.txt", "的\n老铁\n")
	d, err := DataDicts(data)
	if err != nil {
		t.Fatal(err)
	}
	seg, release, err := AcquireSegmenter(d)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	cut := func(text string) []string {
		var words []string
		for _, w := range seg.Cut(text, false) {
			words = append(words, w.Text)
		}
		return words
	}
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"信用卡滞纳", []string{"信用卡", "滞纳"}},
		{"老铁看过来", []string{"老铁", "看", "过来"}},
	} {
		if got := cut(tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s cut as %q, want %q", tt.text, got, tt.want)
		}
	}
	if !seg.IsStop("老铁") {
		t.Error("老铁 of stop.txt is no stop word")
	}
	for word, want := range map[string][]string{"滞纳": {"晚交"}, "逾期": {"晚还"}, "征信": {"信用记录"}} {
		if got := seg.Lexicon().Synonyms(word); !reflect.DeepEqual(got, want) {
			t.Errorf("synonyms of %s: %q, want %q (groups read one per line)", word, got, want)
		}
	}
}

// TestLostPreparedFormWarns: a generation built with an editor's
// dictionary whose prepared form is gone or damaged starts from the text,
// slower, and says so in the log, the operator's one clue.
func TestLostPreparedFormWarns(t *testing.T) {
	for _, damage := range []string{"missing", "damaged"} {
		t.Run(damage, func(t *testing.T) {
			data, gen := t.TempDir(), t.TempDir()
			// A word of its own: the set is loaded afresh, not found loaded.
			writeDict(t, data, "domain.txt", "失效的"+damage+"词 5000 n\n")
			d, err := DataDicts(data)
			if err != nil {
				t.Fatal(err)
			}
			s, err := newSegmenter(d.FS(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Write(gen); err != nil {
				t.Fatal(err)
			}
			if err := d.WritePrepared(gen, s); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(gen, filepath.FromSlash(preparedFile))
			if damage == "missing" {
				err = os.Remove(path)
			} else {
				err = os.Truncate(path, 1000)
			}
			if err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			defer slog.SetDefault(slog.Default())
			slog.SetDefault(slog.New(slog.NewTextHandler(&log, nil)))
			recorded, err := GenerationDicts(gen)
			if err != nil {
				t.Fatal(err)
			}
			_, release, err := AcquireSegmenter(recorded)
			if err != nil {
				t.Fatal(err)
			}
			release()
			if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), "prepared.bin) is "+damage) {
				t.Errorf("log %q, want a warning that the prepared form is %s", log.String(), damage)
			}
		})
	}
}

func writeDict(t *testing.T, data, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(data, "dict"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "dict", name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGenerationPreparedDict(t *testing.T) {
	data, gen := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "dict"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "dict", "domain.txt"), []byte("测三个词 5000 n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := DataDicts(data)
	if err != nil {
		t.Fatal(err)
	}
	text, err := newSegmenter(d.FS(), nil)
	if err != nil {
		t.Fatal(err)
	}
	record := func(dir string, d *DictSet, s *Segmenter) *DictSet {
		t.Helper()
		if err := d.Write(dir); err != nil {
			t.Fatal(err)
		}
		if err := d.WritePrepared(dir, s); err != nil {
			t.Fatal(err)
		}
		recorded, err := GenerationDicts(dir)
		if err != nil {
			t.Fatal(err)
		}
		if recorded.ID != d.ID || recorded.Prepared == nil {
			t.Fatalf("recorded set %s (prepared: %d bytes), want %s with its prepared form", recorded.ID, len(recorded.Prepared), d.ID)
		}
		return recorded
	}
	recorded := record(gen, d, text)
	fast, release, err := AcquireSegmenter(recorded)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if !fast.prepared {
		t.Fatal("the generation's prepared form was not loaded")
	}
	const sample = "测三个词的花呗逾期了会不会影响征信"
	if got, want := fast.Cut(sample, true), text.Cut(sample, true); !reflect.DeepEqual(got, want) {
		t.Errorf("prepared form cuts %v, the text %v", got, want)
	}
	// The next reindex with the same dictionary, in a process that opened
	// the generation: its segmenter came from the prepared form.
	again := record(t.TempDir(), recorded, fast)
	if s, err := newSegmenter(again.FS(), again.Prepared); err != nil || !s.prepared {
		t.Errorf("a prepared form written from a prepared segmenter does not load (err %v)", err)
	}
	// Not whole: a byte changed on disk.
	path := filepath.Join(gen, filepath.FromSlash(preparedFile))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if broken, err := GenerationDicts(gen); err != nil || broken.Prepared != nil || !strings.Contains(broken.preparedProblem, "damaged") {
		t.Errorf("a damaged prepared form was read, or not said to be (err %v)", err)
	}
	// Edited after it was recorded: the form no longer says what the files do.
	stale := t.TempDir()
	record(stale, d, text)
	if err := os.WriteFile(filepath.Join(stale, "dict", "domain.txt"), []byte("测四个词 5000 n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	edited, err := GenerationDicts(stale)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSegmenter(edited.FS(), edited.Prepared)
	if err != nil {
		t.Fatal(err)
	}
	if s.prepared || !s.Known("测四个词") {
		t.Errorf("an edited dictionary was served from the stale prepared form (prepared %v)", s.prepared)
	}
	// The embedded dictionary's generations are served by the binary's own
	// prepared form, when it embeds one.
	if DefaultSegmenter().prepared {
		plain := t.TempDir()
		if err := EmbeddedDicts().Write(plain); err != nil {
			t.Fatal(err)
		}
		if err := EmbeddedDicts().WritePrepared(plain, DefaultSegmenter()); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(plain, filepath.FromSlash(preparedFile))); !os.IsNotExist(err) {
			t.Errorf("a generation of the embedded dictionary records a prepared form the binary embeds (stat: %v)", err)
		}
	}
}

// TestParseDictLine: a word list's line is "word [freq [pos]]"; anything
// else names what is wrong, for the build's dict/FILE:LINE error.
func TestParseDictLine(t *testing.T) {
	type entry struct {
		word string
		freq float64
		pos  string
		ok   bool
	}
	for _, tt := range []struct {
		line    string
		want    entry
		wantErr string
	}{
		{"租机宝 1000 n", entry{"租机宝", 1000, "n", true}, ""},
		{"租机宝", entry{"租机宝", 1000, "", true}, ""},
		{"  # a comment", entry{}, ""},
		{"", entry{}, ""},
		{"租机宝 0 n", entry{}, "frequency"},
		{"租机宝 100 n extra", entry{}, "4 fields: want word [freq [pos]]"},
		{"租机宝 100 n 花呗宝 200 n", entry{}, "6 fields"},
		// Typed with a Chinese keyboard: full-width commas are no
		// separator, full-width digits are the same number.
		{"省呗，1000，nz", entry{}, `"省呗，1000，nz" is not one word: separate the fields with spaces`},
		{"省呗\u3000１０００\u3000nz", entry{"省呗", 1000, "nz", true}, ""},
		// A frequency gse took and then dropped the word for; a space
		// inside the word; a comment after the entry.
		{"融易花 1e8 nz", entry{"融易花", 1e8, "nz", true}, ""},
		{"融易花 1e14 nz", entry{}, `frequency "1e14" is too large`},
		{"融易 花 1000 nz", entry{}, `"融易 花": a word holds no space (write 融易花)`},
		{"融易花 1000 nz # 新平台", entry{}, "a comment takes a line of its own"},
	} {
		word, freq, pos, ok, err := ParseDictLine(tt.line)
		if got := (entry{word, freq, pos, ok}); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseDictLine(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
		if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseDictLine(%q): error %v, want %q", tt.line, err, tt.wantErr)
		}
	}
}

// TestReplacedFileWarnings: a data folder's file that replaces a built-in
// one is warned about when it lacks the built-in's entries, naming them;
// not when it only changes their line endings or a word's frequency. A
// synonyms.txt saved with lone \r line endings was said to lack 50
// entries it held, and one that dropped 注销 关闭 关掉 none (注销 still
// started another group).
func TestReplacedFileWarnings(t *testing.T) {
	builtin := func(name string) string { return string(EmbeddedDicts().Files["dict/"+name]) }
	syn := builtin("synonyms.txt")
	tests := []struct {
		name, file, text string
		want             string // "" for no warning
	}{
		{"built-in as it is", "synonyms.txt", syn, ""},
		{"lone CR line ends", "synonyms.txt", strings.ReplaceAll(syn, "\n", "\r"), ""},
		{"CRLF line ends", "synonyms.txt", strings.ReplaceAll(syn, "\n", "\r\n"), ""},
		{"a group dropped whose first word starts another", "synonyms.txt", strings.Replace(syn, "注销 关闭 关掉\n", "", 1), "lacks 1 of its entries (注销 关闭 关掉)"},
		{"a frequency changed", "domain.txt", strings.Replace(builtin("domain.txt"), "花呗 50000 nz", "花呗 60000 nz", 1), ""},
		{"one new word alone", "domain.txt", "美团 1000 nz\n", "and lacks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			if err := os.MkdirAll(filepath.Join(data, "dict"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(data, "dict", tt.file), []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := DataDicts(data)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(d.Warnings(), "\n")
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("warnings %q, want %q", got, tt.want)
			}
		})
	}
}
