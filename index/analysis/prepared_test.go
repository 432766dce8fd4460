package analysis

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"reflect"
	"slices"
	"testing"
	"testing/fstest"
	"unsafe"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/data"
	"github.com/zhsearch/zhsearch/index/gen"
)

// TestPreparedDictEmbedded checks the generated zhdict/prepared.bin, when
// there is one: it must serve the process's segmenter and hold what the
// generator writes today. A file older than data/dict is skipped, not
// failed: rerun go generate ./index/analysis/.
func TestPreparedDictEmbedded(t *testing.T) {
	b := embeddedPrepared()
	if b == nil {
		t.Skip("no zhdict/prepared.bin: go generate ./index/analysis/ makes it")
	}
	inputs, err := dictInputsHash(data.Dict)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadPrepared(b, inputs); errors.Is(err, errNotPrepared) {
		t.Skip("zhdict/prepared.bin is stale (base.txt or data/dict changed since): go generate ./index/analysis/")
	} else if err != nil {
		t.Fatal(err)
	}
	if !DefaultSegmenter().prepared {
		t.Fatal("the default segmenter loaded the text, not zhdict/prepared.bin")
	}
	want, err := PrepareDict(data.Dict)
	if err != nil {
		t.Fatal(err)
	}
	// The file records gse's version, which a test binary does not know.
	skipVersion := func(b []byte) []byte {
		r := &reader{b: b[len(preparedMagic)+sha256.Size:]}
		r.bytes(r.u())
		return r.b
	}
	if !bytes.Equal(skipVersion(b), skipVersion(want)) {
		t.Fatal("zhdict/prepared.bin differs from what the generator writes: go generate ./index/analysis/")
	}
}

// TestPreparedDictFormat checks that the prepared form gives the
// dictionary the text gives, field by field, and cuts text exactly like it.
func TestPreparedDictFormat(t *testing.T) {
	if err := mirrorsMatch(); err != nil {
		t.Fatalf("gse's layout changed: %v", err)
	}
	prepared, err := PrepareDict(data.Dict)
	if err != nil {
		t.Fatal(err)
	}
	text, err := newSegmenter(data.Dict, nil)
	if err != nil {
		t.Fatal(err)
	}
	prep, err := newSegmenter(data.Dict, prepared)
	if err != nil {
		t.Fatal(err)
	}
	if text.prepared || !prep.prepared {
		t.Fatalf("prepared: text path %v, prepared path %v", text.prepared, prep.prepared)
	}
	if err := sameDict((*mDict)(unsafe.Pointer(text.seg.Dict)), (*mDict)(unsafe.Pointer(prep.seg.Dict))); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(text.stop, prep.stop) || !reflect.DeepEqual(text.lex, prep.lex) {
		t.Fatal("stop words or lexicon differ")
	}

	samples := []string{
		"花呗风控怎么解除", "花唄額度怎麼提升", "京东e卡回收", "4s店贷款买车靠谱吗", "id贷逾期了怎么办",
		"网贷逾期怎么办 征信花了还能贷款吗", "信用卡还不上了会坐牢吗", "租机变现的风险", "ic卡 a股 qq号",
		"今天天气很好，我们去公园散步。", "abc123 中文english混合", "",
	}
	err = gen.Generate(gen.Options{N: 300, Seed: 7}, func(a zhsearch.Article) error {
		samples = append(samples, a.Title, a.Body)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var words int
	for _, s := range samples {
		norm := Normalize(s)
		for _, search := range []bool{false, true} {
			a, b := text.Cut(norm, search), prep.Cut(norm, search)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("Cut(%q, %v):\ntext     %v\nprepared %v", norm, search, a, b)
			}
			words += len(a)
		}
	}
	t.Logf("%d texts, %d words cut alike", len(samples), words)

	// A damaged or foreign file is refused, not read.
	inputs, err := dictInputsHash(data.Dict)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{len(prepared) / 3, len(prepared) - 1} {
		if _, err := loadPrepared(prepared[:cut], inputs); err == nil {
			t.Errorf("a file cut at %d bytes loaded", cut)
		}
	}
	other := inputs
	other[0] ^= 1
	if _, err := loadPrepared(prepared, other); err == nil {
		t.Error("the file loaded for other inputs")
	}
}

// TestPreparedDictOtherInputs checks that dictionaries other than the
// embedded ones are loaded from their text, and that their words count.
func TestPreparedDictOtherInputs(t *testing.T) {
	fsys := fstest.MapFS{"dict/domain.txt": {Data: []byte("测一个词 5000 n\n")}}
	s, err := NewSegmenter(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if s.prepared {
		t.Fatal("the prepared form served dictionaries it was not made from")
	}
	if !s.Known("测一个词") {
		t.Fatal("the domain word is missing")
	}
}

// TestPreparedDictIgnoresCommonWords checks that the everyday words
// (dict/common.txt) and the troubles a reader may deny (dict/trouble.txt),
// query-side lists that add no word to gse's dictionary,
// do not decide which prepared form serves: a generation recorded without
// the file, or with an editor's version of it, starts from the prepared
// form, while a changed word list does not.
func TestPreparedDictIgnoresCommonWords(t *testing.T) {
	embedded := fstest.MapFS{}
	files, err := fs.Glob(data.Dict, "dict/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		b, err := fs.ReadFile(data.Dict, name)
		if err != nil {
			t.Fatal(err)
		}
		embedded[name] = &fstest.MapFile{Data: b}
	}
	if embedded[commonFile] == nil {
		t.Fatalf("%s is not embedded", commonFile)
	}
	hash := func(fsys fs.FS) [sha256.Size]byte {
		t.Helper()
		h, err := dictInputsHash(fsys)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	variant := func(edit func(fstest.MapFS)) fstest.MapFS {
		m := fstest.MapFS{}
		for k, v := range embedded {
			m[k] = v
		}
		edit(m)
		return m
	}
	want := hash(embedded)
	tests := []struct {
		name string
		fsys fstest.MapFS
		same bool
	}{
		{"without common.txt", variant(func(m fstest.MapFS) { delete(m, commonFile) }), true},
		{"an edited common.txt", variant(func(m fstest.MapFS) { m[commonFile] = &fstest.MapFile{Data: []byte("以后 4.3\n")} }), true},
		{"without trouble.txt", variant(func(m fstest.MapFS) { delete(m, troubleFile) }), true},
		{"an edited trouble.txt", variant(func(m fstest.MapFS) { m[troubleFile] = &fstest.MapFile{Data: []byte("逾期\n")} }), true},
		{"without ask.txt", variant(func(m fstest.MapFS) { delete(m, askFile) }), true},
		{"an edited ask.txt", variant(func(m fstest.MapFS) { m[askFile] = &fstest.MapFile{Data: []byte("吗 end\n")} }), true},
		{"an edited domain.txt", variant(func(m fstest.MapFS) {
			m["dict/domain.txt"] = &fstest.MapFile{Data: append(slices.Clone(embedded["dict/domain.txt"].Data), "测一个词 5000 n\n"...)}
		}), false},
	}
	for _, tt := range tests {
		if got := hash(tt.fsys) == want; got != tt.same {
			t.Errorf("%s: same inputs as the embedded set = %v, want %v", tt.name, got, tt.same)
		}
	}
}

// sameDict compares two gse dictionaries: trie, scalars, and every token
// with its sub-segments (tokens of the dictionary by index, gse's pseudo-
// tokens by content).
func sameDict(a, b *mDict) error {
	if !reflect.DeepEqual(*a.trie, *b.trie) {
		return fmt.Errorf("tries differ")
	}
	if a.maxTokenLen != b.maxTokenLen || math.Float64bits(a.totalFreq) != math.Float64bits(b.totalFreq) {
		return fmt.Errorf("maxTokenLen %d vs %d, totalFreq %v vs %v", a.maxTokenLen, b.maxTokenLen, a.totalFreq, b.totalFreq)
	}
	if len(a.Tokens) != len(b.Tokens) {
		return fmt.Errorf("%d vs %d tokens", len(a.Tokens), len(b.Tokens))
	}
	index := func(d *mDict, t *mToken) int {
		base := uintptr(unsafe.Pointer(&d.Tokens[0]))
		p, size := uintptr(unsafe.Pointer(t)), unsafe.Sizeof(mToken{})
		if p < base || p >= base+uintptr(len(d.Tokens))*size {
			return -1
		}
		return int((p - base) / size)
	}
	for i := range a.Tokens {
		ta, tb := &a.Tokens[i], &b.Tokens[i]
		if err := sameToken(ta, tb); err != nil {
			return fmt.Errorf("token %d (%s): %w", i, bytes.Join(ta.text, nil), err)
		}
		if len(ta.segments) != len(tb.segments) {
			return fmt.Errorf("token %d: %d vs %d segments", i, len(ta.segments), len(tb.segments))
		}
		for k, sa := range ta.segments {
			sb := tb.segments[k]
			if sa.start != sb.start || sa.end != sb.end || sa.Position != sb.Position {
				return fmt.Errorf("token %d segment %d: %+v vs %+v", i, k, *sa, *sb)
			}
			ia, ib := index(a, sa.token), index(b, sb.token)
			if ia != ib {
				return fmt.Errorf("token %d segment %d: token %d vs %d", i, k, ia, ib)
			}
			if ia < 0 {
				if err := sameToken(sa.token, sb.token); err != nil {
					return fmt.Errorf("token %d segment %d: %w", i, k, err)
				}
				if len(sa.token.segments)+len(sb.token.segments) != 0 {
					return fmt.Errorf("token %d segment %d: a pseudo-token with segments", i, k)
				}
			}
		}
	}
	return nil
}

func sameToken(a, b *mToken) error {
	if !reflect.DeepEqual(a.text, b.text) || math.Float64bits(a.freq) != math.Float64bits(b.freq) ||
		a.pos != b.pos || math.Float32bits(a.distance) != math.Float32bits(b.distance) {
		return fmt.Errorf("%q/%v/%q/%v vs %q/%v/%q/%v", a.text, a.freq, a.pos, a.distance, b.text, b.freq, b.pos, b.distance)
	}
	return nil
}
