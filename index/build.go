package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/util"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// defaultBatchSize is the number of articles per bleve batch. Each batch
// becomes one segment: larger batches mean fewer segments to merge and
// fewer per-segment dictionaries, but an analyzed article holds its
// tokens until its batch is written. With one batch writer per two CPUs,
// 1,000 takes less CPU and less memory than 500 with one writer per CPU
// (see BENCHMARKS.md).
const defaultBatchSize = 1000

// writeGeneration indexes articles into a new bleve index at path, with
// bleve's offline builder (scorch.Builder) rather than a live index:
//
//   - analysis (normalization, gse, bigrams, pinyin) runs in one worker per
//     CPU outside bleve; the documents reach bleve already analyzed
//     (analyzedText), with the same result as bleve's own analysis;
//   - the builder turns each batch into a segment and writes it to a file
//     straight away, with none of a live index's machinery: no introducer,
//     no persister merging in-memory segments, no tiered merges rewriting
//     the same postings again and again while the build goes on;
//   - when every article is in, the segments are merged once, in one pass,
//     into the generation's single segment.
//
// The generation is an ordinary scorch index: bleve opens it, and live
// edits write to it, like one built batch by batch.
func writeGeneration(ctx context.Context, path string, articles []zhsearch.Article, opts BuildOptions) error {
	dicts := opts.dicts
	if dicts == nil {
		dicts = analysis.EmbeddedDicts()
	}
	seg, err := analysis.SegmenterFor(dicts)
	if err != nil {
		return err
	}
	mappingFor := newMapping
	if opts.mapping != nil {
		mappingFor = opts.mapping
	}
	im, err := mappingFor(dicts.ID)
	if err != nil {
		return err
	}
	if len(articles) == 0 {
		return writeEmpty(path, im, dicts, opts)
	}
	if err := im.Validate(); err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	mappingJSON, err := util.MarshalJSON(im)
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	// What bleve.NewBuilder writes: the index's meta file, and the mapping
	// among the internal values; the journal position joins them.
	if err := os.MkdirAll(path, 0o755); err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	meta := []byte(`{"storage":"` + scorch.Name + `","index_type":"` + scorch.Name + `"}`)
	if err := os.WriteFile(filepath.Join(path, "index_meta.json"), meta, 0o644); err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	// The generation records its dictionary beside bleve's files: the
	// mapping names it, and opening the generation loads it from there.
	if err := dicts.Write(path); err != nil {
		return err
	}
	internal := map[string][]byte{string(util.MappingInternalKey): mappingJSON}
	if opts.journal.Seq > 0 {
		// The journal records this generation already holds (edits.go).
		internal[seqKey] = []byte(strconv.FormatUint(opts.journal.Seq, 10))
		internal[journalKey] = []byte(opts.journal.ID)
	}
	size := opts.BatchSize
	if size <= 0 {
		size = defaultBatchSize
	}
	b, err := scorch.NewBuilder(map[string]interface{}{
		"path": filepath.Join(path, "store"),
		// Segments wait for the merge inside the generation, which a failed
		// build removes whole.
		"buildPathPrefix": path,
		"batchSize":       size,
		// One merge of every segment: each posting is rewritten once.
		"mergeMax": len(articles)/size + 2,
		"internal": internal,
	})
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	return bulkIndex(ctx, b, im, seg, articles, opts, size)
}

// writeEmpty writes a generation without articles (the offline builder
// needs at least one segment).
func writeEmpty(path string, im mapping.IndexMapping, dicts *analysis.DictSet, opts BuildOptions) error {
	b, err := bleve.New(path, im)
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	if err := dicts.Write(path); err != nil {
		b.Close()
		return err
	}
	if opts.journal.Seq > 0 {
		batch := b.NewBatch()
		setPosition(batch, opts.journal)
		if err := b.Batch(batch); err != nil {
			b.Close()
			return fmt.Errorf("write index: %w", err)
		}
	}
	return b.Close()
}

// asyncErrorCallback names the callback, in bleve's registry, that routes
// an index's asynchronous errors (a segment it cannot persist) to the
// live edits writing it (indexStore.commit). bleve takes such callbacks
// only by name, from a registry filled in init(); buildErrors is their
// routing table, by index folder.
const asyncErrorCallback = "zhsearch-build"

var buildErrors sync.Map // index folder -> func(error)

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = func(err error, path string) {
		buildErrors.Range(func(k, v any) bool {
			if dir := k.(string); path == dir || strings.HasPrefix(path, dir+string(filepath.Separator)) {
				v.(func(error))(err)
			}
			return true
		})
	}
}

// bulkIndex analyzes articles in parallel and indexes them with b, then
// closes b, which merges its segments; it returns the first error, or
// ctx's when it ends first.
func bulkIndex(ctx context.Context, b *scorch.Builder, im mapping.IndexMapping, seg *analysis.Segmenter,
	articles []zhsearch.Article, opts BuildOptions, size int) error {
	if !bodyGaps(im) {
		seg = nil // see analyzeArticle
	}
	workers := runtime.GOMAXPROCS(0)
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		errMu    sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		errMu.Lock()
		defer errMu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}

	// Article numbers go to the analysis workers, which put each document
	// in its article's slot of a ring; the writer takes them from the ring
	// in the articles' order, so the generation's document order, which
	// breaks ties between equal scores, is the same in every build. The
	// ring bounds what waits in memory besides the batch being filled.
	ring := make([]chan *document.Document, 8*workers)
	for i := range ring {
		ring[i] = make(chan *document.Document, 1)
	}
	free := make(chan struct{}, len(ring)) // a token per empty slot
	for range ring {
		free <- struct{}{}
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range articles {
			select {
			case <-free:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var analyzers sync.WaitGroup
	for range workers {
		analyzers.Add(1)
		go func() {
			defer analyzers.Done()
			for i := range next {
				d, err := analyzeArticle(im, seg, &articles[i])
				if err != nil {
					fail(err)
					return
				}
				if opts.release {
					// The document holds copies of what it needs.
					a := &articles[i]
					*a = zhsearch.Article{ID: a.ID, TitleOnly: a.TitleOnly}
				}
				ring[i%len(ring)] <- d // its slot is empty: free gave it
			}
		}()
	}

	// The builder builds and writes a batch's segment inside the Index
	// call that fills it, while the workers analyze the next articles.
	for i := range articles {
		var d *document.Document
		select {
		case d = <-ring[i%len(ring)]:
		case <-ctx.Done():
		}
		if d == nil {
			break
		}
		free <- struct{}{}
		if err := b.Index(d); err != nil {
			fail(fmt.Errorf("index article %s: %w", d.ID(), err))
			break
		}
		if done := i + 1; opts.Progress != nil && (done%size == 0 || done == len(articles)) {
			opts.Progress(done, len(articles))
		}
	}
	cancel() // the workers stop if the loop did
	analyzers.Wait()
	errMu.Lock()
	err := firstErr
	errMu.Unlock()
	if err != nil {
		return err
	}
	if err := parent.Err(); err != nil {
		return err
	}
	if err := b.Close(); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	return nil
}

// analyzeArticle maps an article to a bleve document with the index
// mapping and runs the analyzers of its indexed text fields. The body's
// words and its bigram gaps come from one cut with seg, the segmenter of
// the mapping's word analyzer (analysis.WordsAndGaps): the same tokens as
// the two analyzers give, for half the segmentation. A nil seg means the
// mapping's body bigrams are not gaps: each field is analyzed alone.
func analyzeArticle(im mapping.IndexMapping, seg *analysis.Segmenter, a *zhsearch.Article) (*document.Document, error) {
	d := document.NewDocument(a.ID)
	if err := im.MapDocument(d, toDoc(a)); err != nil {
		return nil, fmt.Errorf("index article %s: %w", a.ID, err)
	}
	body, gaps := -1, -1
	for i, f := range d.Fields {
		tf, ok := f.(*document.TextField)
		if !ok || !tf.Options().IsIndexed() {
			continue
		}
		switch tf.Name() {
		case fBody:
			body = i
		case fBodyBi:
			gaps = i
		default:
			tf.Analyze()
			d.Fields[i] = analyzedText{tf}
		}
	}
	if body >= 0 && gaps >= 0 && seg != nil {
		words, bigrams := analysis.WordsAndGaps(seg, d.Fields[body].Value())
		d.Fields[body] = tokenized(d.Fields[body].(*document.TextField), words)
		d.Fields[gaps] = tokenized(d.Fields[gaps].(*document.TextField), bigrams)
	} else {
		for _, i := range []int{body, gaps} {
			if i >= 0 {
				tf := d.Fields[i].(*document.TextField)
				tf.Analyze()
				d.Fields[i] = analyzedText{tf}
			}
		}
	}
	return d, nil
}

// tokenized returns tf analyzed into tokens.
func tokenized(tf *document.TextField, tokens bleveanalysis.TokenStream) document.Field {
	return preAnalyzed{
		TextField: tf,
		length:    len(tokens),
		freqs:     bleveanalysis.TokenFrequency(tokens, tf.ArrayPositions(), tf.Options()),
	}
}

// preAnalyzed is a text field analyzed by the build rather than by its
// analyzer (see analyzeArticle); like analyzedText, bleve's Analyze is a
// no-op on it.
type preAnalyzed struct {
	*document.TextField
	length int
	freqs  bindex.TokenFrequencies
}

// Analyze implements index.Field; the field is already analyzed.
func (preAnalyzed) Analyze() {}

// AnalyzedLength implements index.Field.
func (p preAnalyzed) AnalyzedLength() int { return p.length }

// AnalyzedTokenFrequencies implements index.Field.
func (p preAnalyzed) AnalyzedTokenFrequencies() bindex.TokenFrequencies { return p.freqs }

// analyzedText is a text field whose analysis is done: bleve calls Analyze
// again when it indexes a batch, and this makes that a no-op, so the work
// stays in the parallel analysis workers.
type analyzedText struct{ *document.TextField }

// Analyze implements index.Field; the field is already analyzed.
func (analyzedText) Analyze() {}
