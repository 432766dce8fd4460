package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
	"github.com/zhsearch/zhsearch/index/journal"
)

// The articles a generation serves are the data folder's articles with the
// edit journal replayed over them, record by record, by applyRecord. A full
// build replays the journal in memory (memStore) after reading the data
// folder; a serving generation replays, into its bleve index (indexStore),
// the records it has not seen yet, and remembers the last one it applied
// under seqKey, in the same bleve batch as the edits themselves. Both go
// through applyRecord, so a live edit and a rebuild agree.

// seqKey and journalKey are the bleve internal keys holding the last
// journal seq applied to a generation and that journal's identity.
const (
	seqKey     = "zhsearch.journal_seq"
	journalKey = "zhsearch.journal_id"
)

// editStore is a set of articles an edit is applied to.
type editStore interface {
	get(id string) (*zhsearch.Article, bool, error)
	// titleTaken reports whether an article has the normalized title key.
	titleTaken(key string) (bool, error)
	// listedTitle returns the normalized title key as an article's 相关内容
	// list writes it, and whether any list holds it.
	listedTitle(key string) (string, bool, error)
	put(a zhsearch.Article) error
	del(id string) error
}

// applyRecord applies one journal record the way the data-folder loader
// would have read it: an upserted article replaces the article with its id
// and the title-only article of its title, and each of its related titles
// that no article carries becomes a title-only article. A delete removes
// the article, whatever made it (file, title-only, earlier upsert). And
// the title an article gives up (a new title, or its deletion) becomes a
// title-only article again when a 相关内容 list still names it and no
// other article has it, as in a build of the data folder with the edit
// made in it (released). A title-only article that only an article's old
// list named stays: an upsert that leaves out its list (a CMS that does
// not send it) would otherwise take from search every title only that
// page lists, a hundred for the seed page.
func applyRecord(s editStore, r journal.Record) error {
	if r.Skip {
		return nil
	}
	switch r.Op {
	case zhsearch.OpPut:
		a := *r.Article
		a.TitleOnly = false
		was, err := storedArticle(s, a.ID)
		if err != nil {
			return err
		}
		if err := putArticle(s, a); err != nil {
			return err
		}
		return released(s, was, &a)
	case zhsearch.OpDelete:
		was, err := storedArticle(s, r.ID)
		if err != nil {
			return err
		}
		if err := s.del(r.ID); err != nil {
			return err
		}
		return released(s, was, nil)
	}
	return fmt.Errorf("journal record %d: unknown op %q", r.Seq, r.Op)
}

// storedArticle returns a copy of the article id that is not title-only
// (the store may reuse its memory), nil when there is none.
func storedArticle(s editStore, id string) (*zhsearch.Article, error) {
	a, ok, err := s.get(id)
	if err != nil || !ok || a.TitleOnly {
		return nil, err
	}
	was := *a
	return &was, nil
}

// released makes the title that the article was (nil: none) gives up,
// being now another or deleted (now nil), a title-only article again
// where a list still names it.
func released(s editStore, was, now *zhsearch.Article) error {
	if was == nil {
		return nil
	}
	key := analysis.Normalize(was.Title)
	if key == "" || now != nil && analysis.Normalize(now.Title) == key {
		return nil
	}
	// The title-only article takes the title as the list writes it, as a
	// build does, not as the article gave it up (花唄風控解除指南？ for the
	// list's 花呗风控解除指南).
	title, listed, err := s.listedTitle(key)
	if err != nil || !listed {
		return err
	}
	return addTitleOnly(s, key, title)
}

// putArticle puts a, an upserted article, in place of the title-only
// article of its title, and makes each of its related titles that no
// article carries a title-only article.
func putArticle(s editStore, a zhsearch.Article) error {
	if tid := corpus.TitleID(analysis.Normalize(a.Title)); tid != a.ID {
		old, ok, err := s.get(tid)
		if err != nil {
			return err
		}
		if ok && old.TitleOnly {
			if err := s.del(tid); err != nil {
				return err
			}
		}
	}
	if err := s.put(a); err != nil {
		return err
	}
	for _, t := range a.Related {
		if key := analysis.Normalize(t); key != "" {
			if err := addTitleOnly(s, key, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// addTitleOnly makes the title-only article of the normalized title key
// (title as written) unless an article has that title or it exists.
func addTitleOnly(s editStore, key, title string) error {
	if taken, err := s.titleTaken(key); err != nil || taken {
		return err
	}
	tid := corpus.TitleID(key)
	if _, ok, err := s.get(tid); err != nil || ok {
		return err
	}
	return s.put(zhsearch.Article{ID: tid, Title: title, TitleOnly: true})
}

// memStore is an editStore over a corpus in memory, used by full builds.
// Articles whose body the loader left on disk have an empty Body and a
// BodyRef in refs (when refs is not nil): an edit that replaces or deletes
// such an article drops its ref, so a body read back is always the one of
// the file's article.
type memStore struct {
	articles []zhsearch.Article // deleted ones have an empty ID
	refs     []corpus.BodyRef   // nil, or one per article
	pos      map[string]int
	titles   map[string]int    // normalized title -> number of articles
	listed   map[string]int    // normalized title -> number of lists naming it
	listedAs map[string]string // normalized title -> as the first list still naming it wrote it
}

func newMemStore(articles []zhsearch.Article, refs []corpus.BodyRef) *memStore {
	m := &memStore{articles: articles, refs: refs, pos: make(map[string]int, len(articles)),
		titles: make(map[string]int, len(articles)), listed: map[string]int{}, listedAs: map[string]string{}}
	for i := range articles {
		m.pos[articles[i].ID] = i
		m.count(&articles[i], 1)
	}
	return m
}

// count adds n to the titles a names and to the lists naming each of its
// related titles.
func (m *memStore) count(a *zhsearch.Article, n int) {
	m.titles[analysis.Normalize(a.Title)] += n
	keys := make(map[string]bool, len(a.Related)) // a list may name a title twice
	for _, t := range a.Related {
		k := analysis.Normalize(t)
		if k == "" || keys[k] {
			continue
		}
		keys[k] = true
		if m.listed[k] += n; m.listed[k] <= 0 {
			delete(m.listedAs, k)
		} else if _, ok := m.listedAs[k]; !ok {
			m.listedAs[k] = t
		}
	}
}

func (m *memStore) get(id string) (*zhsearch.Article, bool, error) {
	i, ok := m.pos[id]
	if !ok {
		return nil, false, nil
	}
	return &m.articles[i], true, nil
}

func (m *memStore) titleTaken(key string) (bool, error) { return m.titles[key] > 0, nil }

func (m *memStore) listedTitle(key string) (string, bool, error) {
	if m.listed[key] <= 0 {
		return "", false, nil
	}
	return m.listedAs[key], true, nil
}

func (m *memStore) put(a zhsearch.Article) error {
	if i, ok := m.pos[a.ID]; ok {
		m.count(&m.articles[i], -1)
		m.articles[i] = a
		if m.refs != nil {
			m.refs[i] = corpus.BodyRef{}
		}
	} else {
		m.pos[a.ID] = len(m.articles)
		m.articles = append(m.articles, a)
		if m.refs != nil {
			m.refs = append(m.refs, corpus.BodyRef{})
		}
	}
	m.count(&a, 1)
	return nil
}

func (m *memStore) del(id string) error {
	i, ok := m.pos[id]
	if !ok {
		return nil
	}
	m.count(&m.articles[i], -1)
	m.articles[i] = zhsearch.Article{}
	if m.refs != nil {
		m.refs[i] = corpus.BodyRef{}
	}
	delete(m.pos, id)
	return nil
}

// result returns the articles left, in order, and their refs (nil when
// the store has none).
func (m *memStore) result() ([]zhsearch.Article, []corpus.BodyRef) {
	out := make([]zhsearch.Article, 0, len(m.pos))
	var refs []corpus.BodyRef
	if m.refs != nil {
		refs = make([]corpus.BodyRef, 0, len(m.pos))
	}
	for i, a := range m.articles {
		if a.ID != "" {
			out = append(out, a)
			if m.refs != nil {
				refs = append(refs, m.refs[i])
			}
		}
	}
	return out, refs
}

// EditLog is the ordered log of live edits that generations replay: the
// journal file of a single server (FileLog), or a cluster's replicated
// stream. Read calls fn with every record after from, in order, up to the
// log's end when it is called, and returns the log's identity and last seq.
// A log that is not the one from was read from (another identity, or
// shorter) answers a *journal.MismatchError.
type EditLog interface {
	Read(from journal.Position, fn func(journal.Record) error) (journal.Info, error)
}

// FileLog is the EditLog of the journal file at its path (journal.Read).
type FileLog string

// Read implements EditLog with journal.Read.
func (f FileLog) Read(from journal.Position, fn func(journal.Record) error) (journal.Info, error) {
	return journal.Read(string(f), from, fn)
}

// replayJournal applies the edit log to articles in memory and returns the
// result, the number of records applied and the log's position after the
// last one. refs, when not nil, says where each article's body is on disk
// (corpus.Corpus.Refs); the refs of the result come with it.
func replayJournal(articles []zhsearch.Article, refs []corpus.BodyRef, log EditLog) ([]zhsearch.Article, []corpus.BodyRef, int, journal.Position, error) {
	m := newMemStore(articles, refs)
	n := 0
	info, err := log.Read(journal.Position{}, func(r journal.Record) error {
		n++
		return applyRecord(m, r)
	})
	if err != nil {
		return nil, nil, 0, journal.Position{}, err
	}
	pos := journal.Position{ID: info.ID, Seq: info.Last}
	if n == 0 {
		return articles, refs, 0, pos, nil
	}
	out, outRefs := m.result()
	return out, outRefs, n, pos, nil
}

// indexStore is an editStore over a writable generation: changes collect in
// one bleve batch, and an overlay answers for them until it is executed.
type indexStore struct {
	ctx    context.Context
	ix     *Index
	batch  *bleve.Batch
	puts   map[string]*zhsearch.Article
	dels   map[string]bool
	titles map[string]int // normalized title -> number of articles in puts
	// split analyzes a body as the build does (bodySplit), so an edited
	// article is indexed, and its body's cut stored, as a rebuild would.
	split bodySplitter
}

func newIndexStore(ctx context.Context, ix *Index) *indexStore {
	return &indexStore{ctx: ctx, ix: ix, batch: ix.bleve.NewBatch(),
		puts: map[string]*zhsearch.Article{}, dels: map[string]bool{}, titles: map[string]int{},
		split: bodySplit(ix.bleve.Mapping(), ix.seg)}
}

func (s *indexStore) get(id string) (*zhsearch.Article, bool, error) {
	if s.dels[id] {
		return nil, false, nil
	}
	if a, ok := s.puts[id]; ok {
		return a, true, nil
	}
	a, err := s.ix.Article(s.ctx, id)
	if zhsearch.ErrorCode(err) == zhsearch.ENOTFOUND {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	return a, true, nil
}

// titleTaken looks the normalized title up in the title_key field, leaving
// out the articles this batch changes, and in the batch.
func (s *indexStore) titleTaken(key string) (bool, error) {
	if s.titles[key] > 0 {
		return true, nil
	}
	tq := query.NewTermQuery(key)
	tq.SetField(fTitleKey)
	return s.matchesUnchanged(tq)
}

// listedTitle looks the normalized title up in the lists of the articles
// this batch puts, and in the related_key field of the others, and reads
// it as written from the first list found.
func (s *indexStore) listedTitle(key string) (string, bool, error) {
	for _, a := range s.puts {
		if t, ok := listing(a.Related, key); ok {
			return t, true, nil
		}
	}
	hits, err := s.ix.fetch(s.ctx, s.unchanged(listingQuery(s.ix.bleve.Mapping(), key, key)), 1, []string{"_id"}, fRelated)
	if err != nil || len(hits) == 0 {
		return "", false, err
	}
	t, ok := listing(storedStrings(hits[0].Fields[fRelated]), key)
	if !ok {
		t = key // a list that names it only in the index's terms: the key is its spelling
	}
	return t, true, nil
}

// listing returns the title of list whose normalized form is key.
func listing(list []string, key string) (string, bool) {
	for _, t := range list {
		if analysis.Normalize(t) == key {
			return t, true
		}
	}
	return "", false
}

// matchesUnchanged reports whether q matches an article this batch does
// not change. The matches are read a page at a time, those the batch
// changes passed over: excluding every changed id from the query made
// each check grow with the batch, and a put naming 15,000 new 相关内容
// titles, each checked, took 75 s (found by a probe; 2,000 took 1.9 s).
func (s *indexStore) matchesUnchanged(q query.Query) (bool, error) {
	if s.size() == 0 {
		return s.ix.matchesAny(s.ctx, q)
	}
	const page = 64
	for from := 0; ; from += page {
		sr := bleve.NewSearchRequestOptions(q, page, from, false)
		sr.SortBy([]string{"_id"})
		res, err := s.ix.bleve.SearchInContext(s.ctx, sr)
		if err != nil {
			return false, searchErr(s.ctx, err)
		}
		for _, h := range res.Hits {
			if _, put := s.puts[h.ID]; !put && !s.dels[h.ID] {
				return true, nil
			}
		}
		if len(res.Hits) < page {
			return false, nil
		}
	}
}

// unchanged restricts q to the articles this batch does not change.
func (s *indexStore) unchanged(q query.Query) query.Query {
	exclude := make([]string, 0, len(s.puts)+len(s.dels))
	for id := range s.puts {
		exclude = append(exclude, id)
	}
	for id := range s.dels {
		exclude = append(exclude, id)
	}
	if len(exclude) > 0 {
		bq := query.NewBooleanQuery([]query.Query{q}, nil, nil)
		bq.AddMustNot(query.NewDocIDQuery(exclude))
		q = bq
	}
	return q
}

func (s *indexStore) put(a zhsearch.Article) error {
	if old, ok := s.puts[a.ID]; ok {
		s.titles[analysis.Normalize(old.Title)]--
	}
	d, err := analyzeArticle(s.ix.bleve.Mapping(), s.split, &a)
	if err != nil {
		return err
	}
	if err := s.batch.IndexAdvanced(d); err != nil {
		return fmt.Errorf("index article %s: %w", a.ID, err)
	}
	s.puts[a.ID] = &a
	delete(s.dels, a.ID)
	s.titles[analysis.Normalize(a.Title)]++
	return nil
}

func (s *indexStore) del(id string) error {
	if old, ok := s.puts[id]; ok {
		s.titles[analysis.Normalize(old.Title)]--
		delete(s.puts, id)
	}
	s.dels[id] = true
	s.batch.Delete(id)
	return nil
}

// size is the number of changes collected.
func (s *indexStore) size() int { return len(s.puts) + len(s.dels) }

// commit executes the batch, recording pos as applied, and returns once it
// is on disk, or with bleve's error when it cannot be written (a full
// disk: bleve keeps it in memory and retries). The caller is the only
// writer of the generation.
func (s *indexStore) commit(pos journal.Position) error {
	setPosition(s.batch, pos)
	done := make(chan error, 1)
	report := func(err error) {
		select {
		case done <- err:
		default:
		}
	}
	s.batch.SetPersistedCallback(report) // called once on disk
	buildErrors.Store(s.ix.path, report) // bleve's persister failing
	defer buildErrors.Delete(s.ix.path)
	err := s.ix.bleve.Batch(s.batch)
	// Cached related lists and term statistics describe the old content
	// (the batch is served from memory even when it is not on disk).
	s.ix.Invalidate()
	if err == nil {
		err = <-done
	}
	if err != nil {
		return fmt.Errorf("apply edits to %s: %w", s.ix.path, err)
	}
	if pos.ID != s.ix.journalID {
		// The first edit of a journal into this generation.
		if err := recordJournalID(s.ix.path, pos.ID); err != nil {
			return err
		}
		s.ix.journalID = pos.ID
	}
	return nil
}

// journalIDFile, in a generation's folder, names the journal whose
// records the generation holds ("" or missing: none yet), as journalKey
// does inside bleve: a reindex beside a server that has the generation
// open reads it there (prepareJournal).
const journalIDFile = "journal.id"

// recordJournalID writes journalIDFile in the generation folder path.
func recordJournalID(path, id string) error {
	if err := replaceFile(path, journalIDFile, []byte(id)); err != nil {
		return fmt.Errorf("record journal identity: %w", err)
	}
	return syncDir(path)
}

// recordedJournalID reads journalIDFile of the generation folder path: ok
// is false where the generation records none (built before it existed,
// or holding no journal record yet).
func recordedJournalID(path string) (id string, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(path, journalIDFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	return string(b), len(b) > 0, nil
}

// setPosition records in batch the journal position a generation holds.
func setPosition(b *bleve.Batch, pos journal.Position) {
	b.SetInternal([]byte(seqKey), []byte(strconv.FormatUint(pos.Seq, 10)))
	b.SetInternal([]byte(journalKey), []byte(pos.ID))
}

// appliedPosition reads the journal position applied to the index: the
// zero Position if none. Generations made before journals had identities
// hold a seq and no identity, which matches such a journal.
func (ix *Index) appliedPosition() (journal.Position, error) {
	v, err := ix.bleve.GetInternal([]byte(seqKey))
	if err != nil {
		return journal.Position{}, err
	}
	if len(v) == 0 {
		return journal.Position{}, nil
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		return journal.Position{}, errors.New("corrupt journal seq in " + ix.path)
	}
	id, err := ix.bleve.GetInternal([]byte(journalKey))
	if err != nil {
		return journal.Position{}, err
	}
	return journal.Position{ID: string(id), Seq: n}, nil
}

// SiteArticles returns the articles a reindex of dataDir would build, with
// their bodies: the data files' and their 相关内容 titles, with the edit
// journal (journalPath; "" for the data folder's, journal.PathOf)
// replayed over them, and how many of its records were. For tools that
// read the site's whole text, such as `zhsearch dict suggest`: articles
// published through the admin API live in the journal alone until the
// next export.
func SiteArticles(dataDir, journalPath string) ([]zhsearch.Article, int, error) {
	c, err := corpus.Load(dataDir, analysis.Normalize)
	if err != nil {
		return nil, 0, err
	}
	if len(c.Articles) == 0 {
		return nil, 0, noArticles(dataDir)
	}
	articles, _, edits, _, err := replayJournal(c.Articles, c.Refs, FileLog(journal.PathOf(dataDir, journalPath)))
	return articles, edits, err
}
