package index

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
)

// defaultBatchSize is the number of articles per bleve batch. Each batch
// becomes one segment: larger batches mean fewer segments to merge, but an
// analyzed article holds about 200 KB until its batch is written, and two
// batches are in flight. 500 keeps a 100k build's memory near a gigabyte
// and costs a few percent more merging than 1000 (see BENCHMARKS.md).
const defaultBatchSize = 500

// writeGeneration indexes articles into a new bleve index at path, using
// every CPU:
//
//   - analysis (normalization, gse, bigrams, pinyin), a quarter of the work,
//     runs in one worker per CPU outside bleve; the documents reach bleve
//     already analyzed (analyzedText), with the same result as bleve's own
//     analysis;
//   - one batch writer hands batches to bleve while the next articles are
//     analyzed; bleve's merger and persister run beside it.
//
// One writer, not one per CPU: parallel writers built a 2k corpus 30% faster,
// but when a write fails (a full disk) bleve v2.6.3 crashes the process:
// Scorch.Batch closes a segment it has already introduced when persisting
// it fails, and a concurrent in-memory merge of that segment (there is one
// only while two batches are unpersisted) panics on its cleared cache. A
// reindex inside the server must fail cleanly, never take search down.
//
// Batches are safe (bleve's default): Batch returns once the segment is on
// disk. With unsafe_batch, Close does not wait for segments still in memory
// and drops them, which is why a quick try found an empty index; waiting
// for every batch's persisted callback before Close would fix that, but
// persisting a built segment is a cheap write, so there is nothing to gain.
func writeGeneration(ctx context.Context, path string, articles []zhsearch.Article, opts BuildOptions) error {
	analysis.DefaultSegmenter()
	im := newMapping()
	b, err := bleve.NewUsing(path, im, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, nil)
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	if err := bulkIndex(ctx, b, im, articles, opts); err != nil {
		b.Close()
		return err
	}
	if opts.journalSeq > 0 {
		// The journal records this generation already holds (edits.go).
		if err := b.SetInternal([]byte(seqKey), []byte(strconv.FormatUint(opts.journalSeq, 10))); err != nil {
			b.Close()
			return fmt.Errorf("record journal position: %w", err)
		}
	}
	return b.Close()
}

// bulkIndex analyzes and indexes articles into b in parallel; it returns
// the first error, or ctx's when it ends first.
func bulkIndex(ctx context.Context, b bleve.Index, im mapping.IndexMapping, articles []zhsearch.Article, opts BuildOptions) error {
	size := opts.BatchSize
	if size <= 0 {
		size = defaultBatchSize
	}
	workers := runtime.GOMAXPROCS(0)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}

	// Article numbers go to the analysis workers; analyzed documents come
	// back through a short queue, so memory holds the batches being filled
	// and little more.
	next := make(chan int, 4*workers)
	docs := make(chan *document.Document, 4*workers)
	go func() {
		defer close(next)
		for i := range articles {
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
				d, err := analyzeArticle(im, &articles[i])
				if err != nil {
					fail(err)
					return
				}
				select {
				case docs <- d:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { analyzers.Wait(); close(docs) }()

	var (
		mu   sync.Mutex
		done int
	)
	var writers sync.WaitGroup
	const numWriters = 1 // see writeGeneration
	for range numWriters {
		writers.Add(1)
		go func() {
			defer writers.Done()
			batch := b.NewBatch()
			flush := func() bool {
				n := batch.Size()
				if n == 0 {
					return true
				}
				if err := b.Batch(batch); err != nil {
					fail(fmt.Errorf("index batch: %w", err))
					return false
				}
				batch.Reset()
				mu.Lock()
				done += n
				if opts.Progress != nil {
					opts.Progress(done, len(articles))
				}
				mu.Unlock()
				return true
			}
			for d := range docs {
				if ctx.Err() != nil {
					continue // drain, so the analyzers can finish
				}
				if err := batch.IndexAdvanced(d); err != nil {
					fail(fmt.Errorf("index article %s: %w", d.ID(), err))
					continue
				}
				if batch.Size() >= size {
					flush()
				}
			}
			if ctx.Err() == nil {
				flush()
			}
		}()
	}
	writers.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// analyzeArticle maps an article to a bleve document with the index
// mapping and runs the analyzers of its indexed text fields.
func analyzeArticle(im mapping.IndexMapping, a *zhsearch.Article) (*document.Document, error) {
	d := document.NewDocument(a.ID)
	if err := im.MapDocument(d, toDoc(a)); err != nil {
		return nil, fmt.Errorf("index article %s: %w", a.ID, err)
	}
	for i, f := range d.Fields {
		if tf, ok := f.(*document.TextField); ok && tf.Options().IsIndexed() {
			tf.Analyze()
			d.Fields[i] = analyzedText{tf}
		}
	}
	return d, nil
}

// analyzedText is a text field whose analysis is done: bleve calls Analyze
// again when it indexes a batch, and this makes that a no-op, so the work
// stays in the parallel analysis workers.
type analyzedText struct{ *document.TextField }

// Analyze implements index.Field; the field is already analyzed.
func (analyzedText) Analyze() {}
