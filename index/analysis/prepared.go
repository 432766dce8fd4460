package analysis

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"reflect"
	"runtime/debug"
	"sort"
	"sync"
	"unsafe"

	"github.com/go-ego/gse"
	"github.com/vcaesar/cedar"
)

// The prepared dictionary: gse's dictionary as NewSegmenter's text path
// leaves it (the cedar trie, every token with its path value and its
// search-mode sub-segments), written by `go generate ./index/analysis/`
// (mkprepared.go) to zhdict/prepared.bin and embedded when present.
// Loading it is a few bulk copies instead of 142k trie insertions and a
// segmentation of every word (gse's CalcToken): see BenchmarkSegmenterLoad.
//
// The file is built, not committed (10 MB, and the query lexicon in
// data/dict changes often): bench/run and scripts/docker-build generate it
// before `go build`. A binary built without it loads the text, slower and
// the same.
//
// It is the text path's result for exactly one input: base.txt, the
// dict/*.txt files of data.Dict and gse's version. The file records a
// SHA-256 of the first two and gse's version; NewSegmenter uses it only
// when the dictionaries it is given hash the same (and the binary's gse is
// that version), and loads the text otherwise: a changed domain.txt works
// before the generator is rerun, only slower.
//
// gse keeps its dictionary in unexported fields, so the loader fills them
// through mirror types of the same layout (mDict, mToken, ...). The layout
// is checked against gse's and cedar's types by reflection before first
// use (field names, types, offsets and sizes); a gse upgrade that changes
// it makes the loader fall back to the text (and TestPreparedDictFormat
// fail), never read memory wrongly.

//go:embed zhdict
var zhdict embed.FS

// preparedPath is the prepared dictionary's name in zhdict.
const preparedPath = "zhdict/prepared.bin"

// embeddedPrepared returns the embedded prepared dictionary, or nil.
func embeddedPrepared() []byte {
	b, err := zhdict.ReadFile(preparedPath)
	if err != nil {
		return nil
	}
	return b
}

// gseVersion is the gse module version this binary was built with, or ""
// when the binary does not record it (test binaries).
func gseVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/go-ego/gse" {
			if d.Replace != nil {
				return d.Replace.Path + "@" + d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
}

// preparedMagic starts the file; bump its version with any format change.
const preparedMagic = "zhsearch-gse-dict-v2\n"

// Mirrors of gse v0.80.3's Dictionary, Token and Segment and of cedar
// v0.20.2's Cedar, Node, NInfo and Block.
type (
	mDict struct {
		trie        *mCedar
		maxTokenLen int
		Tokens      []mToken
		totalFreq   float64
	}
	mToken struct {
		text     [][]byte
		freq     float64
		pos      string
		distance float32
		segments []*mSegment
	}
	mSegment struct {
		start, end, Position int
		token                *mToken
	}
	mCedar struct {
		Reduced          bool
		array            []mNode
		nInfos           []mNInfo
		blocks           []mBlock
		reject           [257]int
		blocksHeadFull   int
		blocksHeadClosed int
		blocksHeadOpen   int
		capacity         int
		size             int
		ordered          bool
		maxTrial         int
	}
	mNode  struct{ baseV, check int }
	mNInfo struct{ sibling, child byte }
	mBlock struct{ prev, next, num, reject, trial, eHead int }
)

// mirrorsMatch reports whether the mirror types have gse's and cedar's
// layout; the error says where they differ.
var mirrorsMatch = sync.OnceValue(func() error {
	pairs := map[reflect.Type]reflect.Type{
		reflect.TypeFor[gse.Dictionary](): reflect.TypeFor[mDict](),
		reflect.TypeFor[gse.Token]():      reflect.TypeFor[mToken](),
		reflect.TypeFor[gse.Segment]():    reflect.TypeFor[mSegment](),
		reflect.TypeFor[cedar.Cedar]():    reflect.TypeFor[mCedar](),
		reflect.TypeFor[cedar.Node]():     reflect.TypeFor[mNode](),
		reflect.TypeFor[cedar.NInfo]():    reflect.TypeFor[mNInfo](),
		reflect.TypeFor[cedar.Block]():    reflect.TypeFor[mBlock](),
	}
	for theirs, ours := range pairs {
		if err := sameLayout(theirs, ours, pairs); err != nil {
			return fmt.Errorf("%v vs %v: %w", theirs, ours, err)
		}
	}
	return nil
})

// sameLayout compares two types field by field; struct types met inside
// are compared through pairs (their mirrors), everything else by kind.
func sameLayout(theirs, ours reflect.Type, pairs map[reflect.Type]reflect.Type) error {
	if theirs.Kind() != ours.Kind() || theirs.Size() != ours.Size() || theirs.Align() != ours.Align() {
		return fmt.Errorf("%v (%v, %d bytes) differs from %v (%v, %d bytes)",
			theirs, theirs.Kind(), theirs.Size(), ours, ours.Kind(), ours.Size())
	}
	switch theirs.Kind() {
	case reflect.Struct:
		if m, ok := pairs[theirs]; ok && m != ours {
			return fmt.Errorf("%v is mirrored by %v, not %v", theirs, m, ours)
		}
		if theirs.NumField() != ours.NumField() {
			return fmt.Errorf("%v has %d fields, %v %d", theirs, theirs.NumField(), ours, ours.NumField())
		}
		for i := range theirs.NumField() {
			a, b := theirs.Field(i), ours.Field(i)
			if a.Name != b.Name || a.Offset != b.Offset {
				return fmt.Errorf("field %d: %s at %d vs %s at %d", i, a.Name, a.Offset, b.Name, b.Offset)
			}
			if _, ok := pairs[a.Type]; ok { // a mirrored struct: compared on its own
				if pairs[a.Type] != b.Type {
					return fmt.Errorf("field %s: %v vs %v", a.Name, a.Type, b.Type)
				}
				continue
			}
			if err := sameLayout(a.Type, b.Type, pairs); err != nil {
				return fmt.Errorf("field %s: %w", a.Name, err)
			}
		}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		if theirs.Kind() == reflect.Array && theirs.Len() != ours.Len() {
			return fmt.Errorf("array %v vs %v", theirs, ours)
		}
		te, oe := theirs.Elem(), ours.Elem()
		if m, ok := pairs[te]; ok {
			if m != oe {
				return fmt.Errorf("%v points to %v, mirrored by %v, not %v", theirs, te, m, oe)
			}
			return nil
		}
		return sameLayout(te, oe, pairs)
	case reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint8,
		reflect.Float32, reflect.Float64, reflect.String:
	default:
		return fmt.Errorf("unexpected kind %v", theirs.Kind())
	}
	return nil
}

// dictInputsHash is the SHA-256 of what the text path reads: the base
// dictionary and every dict/*.txt file of dicts that shapes it, by name.
func dictInputsHash(dicts fs.FS) ([sha256.Size]byte, error) {
	h := sha256.New()
	var n [8]byte
	add := func(name string, data []byte) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(name)))
		h.Write(n[:])
		h.Write([]byte(name))
		binary.LittleEndian.PutUint64(n[:], uint64(len(data)))
		h.Write(n[:])
		h.Write(data)
	}
	add("zhdict/base.txt", []byte(baseDict))
	files, err := fs.Glob(dicts, "dict/*.txt")
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	sort.Strings(files)
	for _, name := range files {
		if queryOnlyFiles[name] {
			// Query side only: none of its words enters gse's dictionary
			// (Lexicon.words), so a generation recorded before or without
			// it still starts from the prepared form.
			continue
		}
		data, err := fs.ReadFile(dicts, name)
		if err != nil {
			return [sha256.Size]byte{}, err
		}
		add(name, data)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum, nil
}

// errNotPrepared says the prepared dictionary cannot serve: no file, a
// different input, or a gse whose layout the mirrors do not match.
var errNotPrepared = errors.New("no prepared dictionary for these inputs")

// loadPrepared decodes the embedded prepared dictionary into a gse
// dictionary if it was prepared from exactly these inputs.
func loadPrepared(data []byte, inputs [sha256.Size]byte) (*gse.Dictionary, error) {
	r, err := loadPreparedHeader(data, inputs)
	if err != nil {
		return nil, err
	}
	d, err := r.dict()
	if err != nil {
		return nil, err
	}
	return (*gse.Dictionary)(unsafe.Pointer(d)), nil
}

// loadPreparedHeader checks that data is a prepared form this binary can
// read, made from inputs, and returns a reader at its dictionary.
func loadPreparedHeader(data []byte, inputs [sha256.Size]byte) (*reader, error) {
	if err := mirrorsMatch(); err != nil {
		return nil, fmt.Errorf("%w: %v", errNotPrepared, err)
	}
	if !bytes.HasPrefix(data, []byte(preparedMagic)) || len(data) < len(preparedMagic)+sha256.Size {
		return nil, errNotPrepared
	}
	data = data[len(preparedMagic):]
	if !bytes.Equal(data[:sha256.Size], inputs[:]) {
		return nil, errNotPrepared
	}
	r := &reader{b: data[sha256.Size:]}
	if v := string(r.bytes(r.u())); r.err != nil || (v != "" && gseVersion() != "" && v != gseVersion()) {
		return nil, errNotPrepared // made with another gse
	}
	return r, nil
}

// encodePrepared writes dict, built from inputs, in the prepared form.
func encodePrepared(dict *gse.Dictionary, inputs [sha256.Size]byte) ([]byte, error) {
	if err := mirrorsMatch(); err != nil {
		return nil, err
	}
	w := &writer{b: append([]byte(preparedMagic), inputs[:]...)}
	v := gseVersion()
	w.u(uint64(len(v)))
	w.b = append(w.b, v...)
	if err := w.dict((*mDict)(unsafe.Pointer(dict))); err != nil {
		return nil, err
	}
	return w.b, nil
}

// The format, after the magic, the inputs' hash and gse's version, all integers
// little-endian: the cedar trie (scalars as int64; its nodes up to size as
// int32 pairs, the rest of its capacity being zero; nInfos as byte pairs;
// blocks as six int32), then the dictionary's scalars, the table of parts
// of speech, the tokens' bytes in one run and, per token, its pieces'
// lengths, frequency, path value, part of speech and sub-segments (start,
// end, position and the token: its index + 1, or 0 and an inline token for
// gse's pseudo-tokens of characters no word starts with).

type writer struct {
	b   []byte
	pos map[string]int
}

func (w *writer) u(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) i64(v int)  { w.b = binary.LittleEndian.AppendUint64(w.b, uint64(int64(v))) }

func (w *writer) i32(v int) error {
	if v < math.MinInt32 || v > math.MaxInt32 {
		return fmt.Errorf("prepared dictionary: %d does not fit 32 bits", v)
	}
	w.b = binary.LittleEndian.AppendUint32(w.b, uint32(int32(v)))
	return nil
}

func (w *writer) dict(d *mDict) error {
	c := d.trie
	w.b = append(w.b, b2u8(c.Reduced), b2u8(c.ordered))
	for _, v := range []int{c.blocksHeadFull, c.blocksHeadClosed, c.blocksHeadOpen, c.capacity, c.size, c.maxTrial,
		len(c.array), len(c.nInfos), len(c.blocks)} {
		w.i64(v)
	}
	for _, v := range c.reject {
		w.i64(v)
	}
	if c.size > len(c.array) || c.size > len(c.nInfos) {
		return fmt.Errorf("prepared dictionary: trie size %d beyond its arrays", c.size)
	}
	for i, n := range c.array {
		if i >= c.size {
			if n != (mNode{}) {
				return fmt.Errorf("prepared dictionary: trie node %d beyond size %d is set", i, c.size)
			}
			continue
		}
		if err := errors.Join(w.i32(n.baseV), w.i32(n.check)); err != nil {
			return err
		}
	}
	for i, n := range c.nInfos {
		if i >= c.size {
			if n != (mNInfo{}) {
				return fmt.Errorf("prepared dictionary: trie info %d beyond size %d is set", i, c.size)
			}
			continue
		}
		w.b = append(w.b, n.sibling, n.child)
	}
	for _, b := range c.blocks {
		for _, v := range []int{b.prev, b.next, b.num, b.reject, b.trial, b.eHead} {
			if err := w.i32(v); err != nil {
				return err
			}
		}
	}

	w.i64(d.maxTokenLen)
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(d.totalFreq))
	// Parts of speech, by first use.
	w.pos = map[string]int{}
	var posList []string
	var textLen int
	for i := range d.Tokens {
		t := &d.Tokens[i]
		if _, ok := w.pos[t.pos]; !ok {
			w.pos[t.pos] = len(posList)
			posList = append(posList, t.pos)
		}
		for _, p := range t.text {
			textLen += len(p)
		}
	}
	w.u(uint64(len(posList)))
	for _, p := range posList {
		w.u(uint64(len(p)))
		w.b = append(w.b, p...)
	}
	w.u(uint64(len(d.Tokens)))
	w.u(uint64(textLen))
	for i := range d.Tokens {
		for _, p := range d.Tokens[i].text {
			w.b = append(w.b, p...)
		}
	}
	var nPieces, nSegs int
	for i := range d.Tokens {
		nPieces += len(d.Tokens[i].text)
		nSegs += len(d.Tokens[i].segments)
	}
	w.u(uint64(nPieces))
	w.u(uint64(nSegs))
	base := uintptr(unsafe.Pointer(unsafe.SliceData(d.Tokens)))
	size := unsafe.Sizeof(mToken{})
	for i := range d.Tokens {
		t := &d.Tokens[i]
		w.token(t)
		w.u(uint64(len(t.segments)))
		for _, s := range t.segments {
			if s == nil {
				return fmt.Errorf("prepared dictionary: token %d has a nil segment", i)
			}
			w.u(uint64(s.start))
			w.u(uint64(s.end))
			w.u(uint64(s.Position))
			p := uintptr(unsafe.Pointer(s.token))
			if p >= base && p < base+uintptr(len(d.Tokens))*size && (p-base)%size == 0 {
				w.u(uint64((p-base)/size) + 1)
				continue
			}
			if len(s.token.segments) != 0 {
				return fmt.Errorf("prepared dictionary: token %d: a pseudo-token with sub-segments", i)
			}
			w.u(0)
			var n int
			for _, p := range s.token.text {
				n += len(p)
			}
			w.u(uint64(n))
			for _, p := range s.token.text {
				w.b = append(w.b, p...)
			}
			w.token(s.token)
		}
	}
	return nil
}

// token writes a token's piece lengths, frequency, path value and part of
// speech (not its bytes).
func (w *writer) token(t *mToken) {
	w.u(uint64(len(t.text)))
	for _, p := range t.text {
		w.u(uint64(len(p)))
	}
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(t.freq))
	w.b = binary.LittleEndian.AppendUint32(w.b, math.Float32bits(t.distance))
	if _, ok := w.pos[t.pos]; !ok { // a pseudo-token's "x", say
		w.pos[t.pos] = -1
	}
	if i := w.pos[t.pos]; i >= 0 {
		w.u(uint64(i) + 1)
	} else {
		w.u(0)
		w.u(uint64(len(t.pos)))
		w.b = append(w.b, t.pos...)
	}
}

func b2u8(b bool) byte {
	if b {
		return 1
	}
	return 0
}

var errCorrupt = errors.New("prepared dictionary: corrupt")

type reader struct {
	b   []byte
	err error
	pos []string
}

func (r *reader) u() int {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > math.MaxInt32 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

func (r *reader) fail() {
	r.err = errCorrupt
	r.b = nil
}

func (r *reader) need(n int) bool {
	if n < 0 || len(r.b) < n {
		r.fail()
		return false
	}
	return true
}

func (r *reader) i64() int {
	if !r.need(8) {
		return 0
	}
	v := int(int64(binary.LittleEndian.Uint64(r.b)))
	r.b = r.b[8:]
	return v
}

func (r *reader) f64() float64 {
	if !r.need(8) {
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *reader) f32() float32 {
	if !r.need(4) {
		return 0
	}
	v := math.Float32frombits(binary.LittleEndian.Uint32(r.b))
	r.b = r.b[4:]
	return v
}

func (r *reader) bytes(n int) []byte {
	if !r.need(n) {
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) dict() (*mDict, error) {
	c := &mCedar{}
	if !r.need(2) {
		return nil, r.err
	}
	c.Reduced, c.ordered = r.b[0] == 1, r.b[1] == 1
	r.b = r.b[2:]
	c.blocksHeadFull, c.blocksHeadClosed, c.blocksHeadOpen = r.i64(), r.i64(), r.i64()
	c.capacity, c.size, c.maxTrial = r.i64(), r.i64(), r.i64()
	nArray, nInfos, nBlocks := r.i64(), r.i64(), r.i64()
	for i := range c.reject {
		c.reject[i] = r.i64()
	}
	const maxLen = 1 << 28
	if r.err != nil || c.size < 0 || c.size > nArray || c.size > nInfos || nArray > maxLen || nInfos > maxLen || nBlocks > maxLen || nBlocks < 0 {
		return nil, errCorrupt
	}
	raw := r.bytes(c.size * 8)
	rawInfos := r.bytes(c.size * 2)
	rawBlocks := r.bytes(nBlocks * 24)
	if r.err != nil {
		return nil, r.err
	}
	c.array = make([]mNode, nArray)
	for i := range c.size {
		c.array[i] = mNode{
			baseV: int(int32(binary.LittleEndian.Uint32(raw[8*i:]))),
			check: int(int32(binary.LittleEndian.Uint32(raw[8*i+4:]))),
		}
	}
	c.nInfos = make([]mNInfo, nInfos)
	raw = rawInfos
	for i := range c.size {
		c.nInfos[i] = mNInfo{sibling: raw[2*i], child: raw[2*i+1]}
	}
	c.blocks = make([]mBlock, nBlocks)
	raw = rawBlocks
	for i := range c.blocks {
		v := func(k int) int { return int(int32(binary.LittleEndian.Uint32(raw[24*i+4*k:]))) }
		c.blocks[i] = mBlock{prev: v(0), next: v(1), num: v(2), reject: v(3), trial: v(4), eHead: v(5)}
	}

	d := &mDict{trie: c}
	d.maxTokenLen = r.i64()
	d.totalFreq = r.f64()
	r.pos = make([]string, r.u())
	for i := range r.pos {
		r.pos[i] = string(r.bytes(r.u()))
	}
	nTokens := r.u()
	text := r.bytes(r.u())
	nPieces, nSegs := r.u(), r.u()
	if r.err != nil {
		return nil, r.err
	}
	text = bytes.Clone(text) // gse's tokens own their bytes; the embedded copy is read-only
	d.Tokens = make([]mToken, nTokens)
	pieces := make([][]byte, nPieces)
	segs := make([]mSegment, nSegs)
	segPtrs := make([]*mSegment, nSegs)
	for i := range d.Tokens {
		t := &d.Tokens[i]
		r.token(t, &pieces, &text)
		n := r.u()
		if n > len(segs) {
			r.fail()
		}
		if r.err != nil {
			return nil, r.err
		}
		t.segments = segPtrs[:n:n]
		segPtrs = segPtrs[n:]
		for k := range n {
			s := &segs[k]
			s.start, s.end, s.Position = r.u(), r.u(), r.u()
			switch ref := r.u(); {
			case ref > nTokens:
				r.fail()
			case ref > 0:
				s.token = &d.Tokens[ref-1]
			default:
				pt := &mToken{}
				own := bytes.Clone(r.bytes(r.u()))
				var ps [][]byte
				r.token(pt, &ps, &own)
				s.token = pt
			}
			t.segments[k] = s
		}
		segs = segs[n:]
		if r.err != nil {
			return nil, r.err
		}
	}
	if len(r.b) != 0 {
		return nil, errCorrupt
	}
	return d, nil
}

// token reads a token's pieces (cut from *text, their slices from
// *pieces, or allocated when *pieces is empty), frequency, path value and
// part of speech.
func (r *reader) token(t *mToken, pieces *[][]byte, text *[]byte) {
	n := r.u()
	if len(*pieces) == 0 && n > 0 {
		*pieces = make([][]byte, n)
	}
	if n > len(*pieces) {
		r.fail()
		return
	}
	t.text = (*pieces)[:n:n]
	*pieces = (*pieces)[n:]
	for k := range n {
		l := r.u()
		if l > len(*text) {
			r.fail()
			return
		}
		t.text[k] = (*text)[:l:l]
		*text = (*text)[l:]
	}
	t.freq = r.f64()
	t.distance = r.f32()
	switch p := r.u(); {
	case p > len(r.pos):
		r.fail()
	case p > 0:
		t.pos = r.pos[p-1]
	default:
		t.pos = string(r.bytes(r.u()))
	}
}
