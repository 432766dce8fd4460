package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	bleveanalysis "github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
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

// minMergedSegment is the least number of articles a merge may write into
// one segment (mergePlan).
const minMergedSegment = 20000

// mergePlan is bleve's merge plan for a generation of n articles: a merge
// writes at most a fifth of the index, and at least minMergedSegment
// articles, into one segment (bleve's default: 5 million). A merge maps
// every segment it reads, so the largest merges set the build's peak
// memory: at 100k generated articles bleve's default ends the build by
// merging half the index at once (the build peaked at 1,160 MB, 470 MB
// of it mapped segment files); capped, it peaks at 940 MB in the same time,
// with 16 segments instead of 12 (see BENCHMARKS.md). The plan is recorded
// in the generation's index_meta.json, so the serving process, whose
// merger folds live edits in, keeps it.
func mergePlan(n int) map[string]interface{} {
	return map[string]interface{}{"MaxSegmentSize": max(minMergedSegment, n/5)}
}

// buildMergePlan is the merge plan while a generation is written: mergePlan
// with a hundred segments allowed per tier instead of bleve's ten. The
// build ends by merging everything (compact), so each merge before it
// rewrites articles that will be rewritten again; the plan keeps only
// enough of them to bound the files open (about 50 segments at 100k
// articles, 140 at 1M, where mergePlan keeps 16 and 25). At 100k
// generated articles, three pairs of builds: 6% less time, 7% less CPU,
// 15 MB more peak RSS (BENCHMARKS.md, "Build: merged once"). The
// generation then records mergePlan for the serving process
// (recordMergePlan).
func buildMergePlan(n int) map[string]interface{} {
	plan := mergePlan(n)
	plan["MaxSegmentsPerTier"] = buildSegmentsPerTier
	return plan
}

// buildSegmentsPerTier is the MaxSegmentsPerTier of buildMergePlan.
const buildSegmentsPerTier = 100

// recordMergePlan replaces the merge plan a closed bleve index at path
// records in its index_meta.json, the config bleve opens it with (under the
// runtime config): bleve writes the file once, when it creates the index,
// and offers no other way to change what it stores.
func recordMergePlan(path string, plan map[string]interface{}) error {
	file := filepath.Join(path, "index_meta.json")
	raw, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("record merge plan: %w", err)
	}
	var meta map[string]interface{}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return fmt.Errorf("record merge plan: %s: %w", file, err)
	}
	config, ok := meta["config"].(map[string]interface{})
	if !ok {
		return fmt.Errorf("record merge plan: %s holds no config", file)
	}
	config["scorchMergePlanOptions"] = plan
	if raw, err = json.Marshal(meta); err != nil {
		return fmt.Errorf("record merge plan: %w", err)
	}
	// Replaced whole, as the generation's other files are synced before it
	// can go live.
	if err := replaceFile(path, "index_meta.json", raw); err != nil {
		return fmt.Errorf("record merge plan: %w", err)
	}
	if err := syncDir(path); err != nil {
		return fmt.Errorf("record merge plan: %w", err)
	}
	return nil
}

// writeGeneration indexes articles into a new bleve index at path, using
// every CPU:
//
//   - analysis (normalization, gse, bigrams, pinyin), a quarter of the work,
//     runs in one worker per CPU outside bleve; the documents reach bleve
//     already analyzed (analyzedText), with the same result as bleve's own
//     analysis;
//   - one batch writer per two CPUs hands batches to bleve, so segments
//     are built (bleve builds a batch's segment on the calling goroutine)
//     while the next articles are analyzed, in parallel on larger
//     machines; bleve's merger and persister run beside them.
//
// Batches are unsafe (bleve's unsafe_batch): Batch returns once the segment
// is in memory, and each batch's persisted callback says when it is on
// disk. The build waits for every callback before it closes the index, and
// a bounded number of batches may wait at once, so memory stays flat.
// Safe batches are not an option with parallel writers: when persisting
// fails (a full disk), bleve v2.6.3's Scorch.Batch closes the segment it has
// already introduced, and a concurrent in-memory merge of it panics on its
// cleared cache, taking the process (a serving one, for a server reindex)
// down. Unsafe batches never close an introduced segment; the persister's
// error reaches the build through asyncErrorCallback instead.
func writeGeneration(ctx context.Context, path string, articles []zhsearch.Article, opts BuildOptions) error {
	dicts := opts.dicts
	if dicts == nil {
		dicts = analysis.EmbeddedDicts()
	}
	seg, release, err := analysis.AcquireSegmenter(dicts)
	if err != nil {
		return err
	}
	defer release()
	mappingFor := newMapping
	if opts.mapping != nil {
		mappingFor = opts.mapping
	}
	im, err := mappingFor(dicts.ID)
	if err != nil {
		return err
	}
	config := map[string]interface{}{"unsafe_batch": true, "asyncErrorCallbackName": asyncErrorCallback,
		"scorchMergePlanOptions": buildMergePlan(len(articles))}
	b, err := bleve.NewUsing(path, im, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, config)
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	// The generation records its dictionary beside bleve's files: the
	// mapping names it, and opening the generation loads it from there.
	if err := dicts.Write(path); err != nil {
		b.Close()
		return err
	}
	if err := writeFormat(path); err != nil {
		b.Close()
		return err
	}
	if err := dicts.WritePrepared(path, seg); err != nil {
		// Only start-up time depends on it: the generation opens from the
		// text without it.
		slog.Warn("generation recorded without its prepared dictionary", "generation", path, "err", err)
	}
	if err := bulkIndex(ctx, path, b, im, seg, articles, opts); err != nil {
		b.Close()
		return err
	}
	if !opts.segmented {
		if err := compact(ctx, path, b); err != nil {
			b.Close()
			return err
		}
	}
	if err := b.Close(); err != nil {
		return err
	}
	if opts.journal.Seq > 0 {
		if err := recordJournalID(path, opts.journal.ID); err != nil {
			return err
		}
	}
	return recordMergePlan(path, mergePlan(len(articles)))
}

// compactSegment is the most articles compact merges into one segment:
// the whole index up to 250,000 articles (at 100k generated articles the
// final merge took 5–7 s; a segment of 250k such articles is about 1.1 GB
// on disk).
const compactSegment = 250000

// compact merges the built index into as few segments as compactSegment
// allows. Every term a query or a related list reads is looked up in
// every segment, so the segments bleve's merge plan leaves at the end of
// a build (16 at 100k articles, 25 at 1M) cost every request: at 100k, one
// segment instead of 16 served related lists a third faster and searches
// 8% faster (BENCHMARKS.md, "100,000 articles: one segment"). It
// runs after the articles are analysed, when the build's memory is free
// for the merges'.
//
// Each ForceMerge call makes one merge: bleve keeps every segment a call
// reads mapped, and their pages resident, until the call ends, so one call
// merging a 1M index into five held all 4.4 GB of it (the build peaked at
// 5.4 GB of RSS); merge by merge, the resident input is at most one
// output's worth.
func compact(ctx context.Context, path string, b bleve.Index) error {
	adv, err := b.Advanced()
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil // not scorch: nothing to merge
	}
	all, mergeable, err := segmentsOf(s)
	for err == nil && mergeable >= 2 {
		plan := mergeplan.SingleSegmentMergePlanOptions
		plan.MaxSegmentSize, plan.FloorSegmentSize = compactSegment, compactSegment
		plan.SegmentsPerMergeTask = 1 << 20 // as many as fit in one output
		// The planner adds merges until the segments fit the budget: one
		// fewer than there are is one merge.
		budget := mergeable - 1
		plan.CalcBudget = func(int64, int64, *mergeplan.MergePlanOptions) int { return budget }
		if err := forceMerge(ctx, path, s, &plan); err != nil {
			return fmt.Errorf("compact: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		var after int
		if after, mergeable, err = segmentsOf(s); after >= all {
			break // no merge left that fits compactSegment
		}
		all = after
	}
	if err != nil {
		return err
	}
	return settle(ctx, s)
}

// forceMerge is s.ForceMerge(ctx, plan), which returns its error: a merge
// that cannot write its segment (a full disk) fails the build. bleve
// v2.6.3's ForceMerge returns nothing of it: its merger reports the error
// to the index's asynchronous error callback (asyncErrorCallback) and
// tries the same merge again, for ever, while ForceMerge waits (found by
// a probe: a reindex whose final merge filled the disk ran for 16 minutes
// at full CPU, saying nothing, and a server's held every later reindex at
// 409). On such an error the caller closes the index, which ends the
// merger and the call.
func forceMerge(ctx context.Context, path string, s *scorch.Scorch, plan *mergeplan.MergePlanOptions) error {
	failed := make(chan error, 1)
	buildErrors.Store(path, func(err error) {
		select {
		case failed <- err:
		default: // the first is enough
		}
	})
	defer buildErrors.Delete(path)
	done := make(chan error, 1)
	go func() { done <- s.ForceMerge(ctx, plan) }()
	select {
	case err := <-done:
		return err
	case err := <-failed:
		return fmt.Errorf("write index: %w", err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// settleWait bounds how long settle waits for bleve's persister.
const settleWait = time.Minute

// settle waits until bleve has recorded the merged segments as the
// index's, and has removed the files they replaced. bleve's Close does
// neither: an index closed right after its last merge may open as it was
// before the merges, and the replaced files stay on disk until a server
// opens the generation (a 100k build left 917 MB, 440 MB of it live).
// bleve removes files after it records a snapshot, and the last merge's
// files are still in use then; recording one more (an internal key) lets
// it remove them.
func settle(ctx context.Context, s *scorch.Scorch) error {
	ctx, cancel := context.WithTimeout(ctx, settleWait)
	defer cancel()
	if err := recorded(ctx, s); err != nil {
		return err
	}
	if err := s.SetInternal([]byte(compactedKey), []byte("1")); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	if err := recorded(ctx, s); err != nil {
		return err
	}
	all, _, err := segmentsOf(s)
	if err != nil {
		return err
	}
	for {
		// A segment is one file; the root is another.
		if files, _ := s.StatsMap()["CurOnDiskFiles"].(uint64); files <= uint64(all)+1 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil // the files go when a server opens the generation
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// compactedKey is the internal key settle writes.
const compactedKey = "zhsearch.compacted"

// recorded waits until bleve's persister has written s's current snapshot.
func recorded(ctx context.Context, s *scorch.Scorch) error {
	for {
		stats := s.StatsMap()
		root, _ := stats["CurRootEpoch"].(uint64)
		done, _ := stats["LastPersistedEpoch"].(uint64)
		if done >= root {
			return nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("compact: the merged index was not written within %v", settleWait)
			}
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// segmentsOf counts the segments of s's current snapshot, and those that
// bleve's planner may merge under compact's plan (fewer live articles
// than half of compactSegment).
func segmentsOf(s *scorch.Scorch) (all, mergeable int, err error) {
	r, err := s.Reader()
	if err != nil {
		return 0, 0, fmt.Errorf("compact: %w", err)
	}
	defer r.Close()
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, 0, nil
	}
	for _, seg := range is.Segments() {
		all++
		if seg.LiveSize() < compactSegment/2 {
			mergeable++
		}
	}
	return all, mergeable, nil
}

// asyncErrorCallback names the callback, in bleve's registry, that routes
// an index's asynchronous errors (a segment it cannot persist) to the build
// writing it. bleve takes such callbacks only by name, from a registry
// filled in init(); buildErrors is their routing table, by index folder.
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

// bulkIndex analyzes and indexes articles into b in parallel; it returns
// the first error, or ctx's when it ends first.
func bulkIndex(ctx context.Context, path string, b bleve.Index, im mapping.IndexMapping, seg *analysis.Segmenter,
	articles []zhsearch.Article, opts BuildOptions) error {
	size := opts.BatchSize
	if size <= 0 {
		size = defaultBatchSize
	}
	split := bodySplit(im, seg)
	// One analysis worker per CPU, one batch writer per two: a writer
	// building a segment keeps a CPU busy about as long as two analysis
	// workers take to fill its next batch, and each writer's batch is
	// memory.
	workers := opts.CPUs
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	writersN := (workers + 1) / 2
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		errMu    sync.Mutex // fail runs in bleve's persister too
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

	// Article numbers go to the analysis workers; analyzed documents come
	// back through a short queue, so memory holds the batches being filled
	// and little more.
	next := make(chan int, 4*workers)
	docs := make(chan *document.Document, 4*workers)
	var analyzers sync.WaitGroup
	analyzers.Add(1) // the feeder too: bodies read back are done before bulkIndex returns
	go func() {
		defer analyzers.Done()
		defer close(next)
		for i := range articles {
			// Bodies left on disk are read back here, in article order.
			if err := opts.readBody(i, &articles[i]); err != nil {
				fail(err)
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range workers {
		analyzers.Add(1)
		go func() {
			defer analyzers.Done()
			for i := range next {
				d, err := analyzeArticle(im, split, &articles[i])
				if err != nil {
					fail(err)
					return
				}
				if opts.release {
					// The document holds copies of what it needs.
					a := &articles[i]
					*a = zhsearch.Article{ID: a.ID, TitleOnly: a.TitleOnly}
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

	buildErrors.Store(path, func(err error) { fail(fmt.Errorf("write index: %w", err)) })
	defer buildErrors.Delete(path)
	// A slot per batch handed to bleve and not yet on disk; its persisted
	// callback frees it.
	slots := make(chan struct{}, 2*writersN)
	submit := func(batch *bleve.Batch) bool {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		batch.SetPersistedCallback(func(err error) {
			if err != nil {
				fail(fmt.Errorf("write index: %w", err))
			}
			<-slots
		})
		if err := b.Batch(batch); err != nil {
			<-slots // never introduced: no callback comes
			fail(fmt.Errorf("index batch: %w", err))
			return false
		}
		return true
	}

	var (
		mu   sync.Mutex
		done int
	)
	var writers sync.WaitGroup
	for range writersN {
		writers.Add(1)
		go func() {
			defer writers.Done()
			batch := b.NewBatch()
			flush := func() {
				n := batch.Size()
				if n == 0 || !submit(batch) {
					return
				}
				batch = b.NewBatch() // bleve may still read the submitted one
				mu.Lock()
				done += n
				if opts.Progress != nil {
					opts.Progress(done, len(articles))
				}
				mu.Unlock()
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
	if opts.journal.Seq > 0 && ctx.Err() == nil {
		// The journal records this generation already holds (edits.go).
		batch := b.NewBatch()
		setPosition(batch, opts.journal)
		submit(batch)
	}
	// Every slot taken back: every batch is on disk.
	for range cap(slots) {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	errMu.Lock()
	defer errMu.Unlock()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// bodySplit returns the function that cuts a body once into the tokens of
// its two fields, words and bigrams, with seg, the segmenter of the
// mapping's word analyzer: the same tokens as the two analyzers give, for
// half the segmentation; the cut is returned too, to be stored for
// related lists (fBodyCut). nil when the mapping's body bigrams do not
// come from the words' cut (every bigram): each field is then analyzed
// alone.
func bodySplit(im mapping.IndexMapping, seg *analysis.Segmenter) bodySplitter {
	var tokens func(*analysis.CutText) (bleveanalysis.TokenStream, bleveanalysis.TokenStream)
	switch bodyBigramsOf(im) {
	case bodyRuns:
		tokens = (*analysis.CutText).WordsAndRuns
	case bodyGaps:
		tokens = (*analysis.CutText).WordsAndGaps
	}
	if seg == nil || tokens == nil {
		return nil
	}
	return func(body []byte) (bleveanalysis.TokenStream, bleveanalysis.TokenStream, *analysis.CutText) {
		cut := analysis.CutOnce(seg, body)
		words, grams := tokens(cut)
		return words, grams, cut
	}
}

// bodySplitter cuts a body into its word and bigram tokens, and returns
// the cut.
type bodySplitter func(body []byte) (words, bigrams bleveanalysis.TokenStream, cut *analysis.CutText)

// analyzeArticle maps an article to a bleve document with the index
// mapping and runs the analyzers of its indexed text fields; the body's
// two fields, and its stored cut, come from split (bodySplit) when it is
// not nil.
func analyzeArticle(im mapping.IndexMapping, split bodySplitter, a *zhsearch.Article) (*document.Document, error) {
	d := document.NewDocument(a.ID)
	if err := im.MapDocument(d, toDoc(a)); err != nil {
		return nil, fmt.Errorf("index article %s: %w", a.ID, err)
	}
	body, bigrams := -1, -1
	for i, f := range d.Fields {
		tf, ok := f.(*document.TextField)
		if !ok || !tf.Options().IsIndexed() {
			continue
		}
		switch tf.Name() {
		case fBody:
			body = i
		case fBodyBi:
			bigrams = i
		default:
			tf.Analyze()
			d.Fields[i] = analyzedText{tf}
		}
	}
	if body >= 0 && bigrams >= 0 && split != nil {
		words, grams, cut := split(d.Fields[body].Value())
		d.Fields[body] = tokenized(d.Fields[body].(*document.TextField), words)
		d.Fields[bigrams] = tokenized(d.Fields[bigrams].(*document.TextField), grams)
		if stored := storedCut(a, cut); stored != "" {
			d.AddField(document.NewTextFieldWithIndexingOptions(fBodyCut, nil, []byte(stored), bindex.StoreField))
		}
	} else {
		for _, i := range []int{body, bigrams} {
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
