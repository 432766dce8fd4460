package analytics

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestRecorder(t *testing.T, opts Options) (*Recorder, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)}
	opts.Now = c.now
	return New(opts), c
}

func TestReportCountsAndOrders(t *testing.T) {
	r, _ := newTestRecorder(t, Options{Normalize: strings.ToLower})
	for _, s := range []struct {
		q    string
		zero bool
	}{
		{"花呗", false}, {"花呗", false}, {"借呗", false}, {"ABC", true}, {"abc", true},
		{"量子贷", true}, {"花呗", false}, {"", false},
	} {
		r.Record("", s.q, s.zero)
	}
	got := r.Report(10)
	want := Report{
		From:                 time.Date(2026, 2, 28, 11, 0, 0, 0, time.UTC),
		To:                   time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC),
		BucketSeconds:        3600,
		Searches:             8,
		ZeroResultSearches:   3,
		TopQueries:           []QueryCount{{Query: "花呗", Count: 3}, {Query: "abc", Count: 2}, {Query: "借呗", Count: 1}, {Query: "量子贷", Count: 1}},
		TopZeroResultQueries: []QueryCount{{Query: "abc", Count: 2}, {Query: "量子贷", Count: 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Report =\n%+v\nwant\n%+v", got, want)
	}
	if got := r.Report(1).TopQueries; !reflect.DeepEqual(got, []QueryCount{{Query: "花呗", Count: 3}}) {
		t.Errorf("Report(1).TopQueries = %+v", got)
	}
}

func TestWindowSlides(t *testing.T) {
	r, c := newTestRecorder(t, Options{})
	r.Record("", "old", true)
	c.add(23 * time.Hour)
	r.Record("", "new", false)
	if got := r.Report(10); got.Searches != 2 || len(got.TopQueries) != 2 {
		t.Fatalf("after 23h: %+v", got)
	}
	c.add(time.Hour) // "old" was recorded at 10:30 yesterday: its bucket left the window
	got := r.Report(10)
	if got.Searches != 1 || got.ZeroResultSearches != 0 ||
		!reflect.DeepEqual(got.TopQueries, []QueryCount{{Query: "new", Count: 1}}) || len(got.TopZeroResultQueries) != 0 {
		t.Errorf("after 24h: %+v", got)
	}
	// Reusing a ring slot drops what it held.
	c.add(24 * time.Hour)
	r.Record("", "again", false)
	if got := r.Report(10); got.Searches != 1 || got.TopQueries[0].Query != "again" {
		t.Errorf("after 48h: %+v", got)
	}
}

func TestBoundedMemoryKeepsHeavyHitters(t *testing.T) {
	const maxKeys = 64
	r, _ := newTestRecorder(t, Options{MaxKeys: maxKeys})
	// 20,000 distinct one-off queries, with two heavy hitters among them
	// counted more often than total/maxKeys, which space-saving guarantees
	// to keep.
	for i := range 20000 {
		r.Record("", fmt.Sprintf("rare-%d", i), true)
		if i%10 == 0 {
			r.Record("", "花呗", false)
		}
		if i%25 == 0 {
			r.Record("", "网贷", true)
		}
	}
	r.mu.Lock()
	for _, b := range r.buckets {
		if b == nil {
			continue
		}
		for _, s := range []*summary{b.all, b.missed} {
			if len(s.byKey) > maxKeys || len(s.heap) > maxKeys {
				t.Errorf("summary holds %d keys (heap %d), cap %d", len(s.byKey), len(s.heap), maxKeys)
			}
		}
	}
	r.mu.Unlock()

	rep := r.Report(2)
	if !rep.Approximate {
		t.Error("report not marked approximate after evictions")
	}
	if rep.Searches != 20000+2000+800 {
		t.Errorf("searches = %d", rep.Searches)
	}
	check := func(list []QueryCount, i int, q string, trueCount uint64) {
		t.Helper()
		if len(list) <= i || list[i].Query != q {
			t.Fatalf("top %d = %+v, want %s", i, list, q)
		}
		if c := list[i]; c.Count > trueCount || c.Count+c.Error < trueCount {
			t.Errorf("%s: count %d error %d, true count %d", q, c.Count, c.Error, trueCount)
		}
	}
	check(rep.TopQueries, 0, "花呗", 2000)
	check(rep.TopQueries, 1, "网贷", 800)
	check(rep.TopZeroResultQueries, 0, "网贷", 800)
	// One-off queries that displaced others never claim more than one search.
	for _, qc := range r.Report(maxKeys).TopQueries {
		if strings.HasPrefix(qc.Query, "rare-") && qc.Count > 1 {
			t.Errorf("%+v claims more than one certain search", qc)
		}
	}
}

func TestLongAndInvalidKeys(t *testing.T) {
	r, _ := newTestRecorder(t, Options{})
	r.Record("", strings.Repeat("花", 500), false)
	r.Record("", "\xff\xfe", false)
	rep := r.Report(10)
	if rep.Searches != 2 || len(rep.TopQueries) != 1 {
		t.Fatalf("report %+v", rep)
	}
	if got := []rune(rep.TopQueries[0].Query); len(got) != MaxKeyLen {
		t.Errorf("key has %d characters, want %d", len(got), MaxKeyLen)
	}
}

func TestConcurrentUse(t *testing.T) {
	r, c := newTestRecorder(t, Options{MaxKeys: 50})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				r.Record("", fmt.Sprintf("q%d", (g*i)%97), i%3 == 0)
				if i%500 == 0 {
					c.add(time.Minute)
					r.Report(5)
				}
			}
		}()
	}
	wg.Wait()
	if got := r.Report(5).Searches; got != 8000 {
		t.Errorf("searches = %d, want 8000", got)
	}
}

func BenchmarkRecord(b *testing.B) {
	r := New(Options{})
	keys := make([]string, 5000)
	for i := range keys {
		keys[i] = fmt.Sprintf("查询%d", i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Record("", keys[i%len(keys)], i%7 == 0)
	}
}

// TestClientRepeatsListedOnce: one client sending a query again and again
// lists it once a bucket (it could otherwise make any text the editors'
// top query); other clients, and the next bucket, count again. Every
// search still counts in the totals.
func TestClientRepeatsListedOnce(t *testing.T) {
	r, c := newTestRecorder(t, Options{MaxKeys: 2}) // room for 16 pairs a bucket
	for range 50 {
		r.Record("203.0.113.9", "买粉丝加微信", false)
	}
	r.Record("198.51.100.1", "花呗", false)
	r.Record("198.51.100.2", "花呗", false)
	r.Record("198.51.100.2", "花呗", false)
	got := r.Report(10)
	if want := []QueryCount{{Query: "花呗", Count: 2}, {Query: "买粉丝加微信", Count: 1}}; !reflect.DeepEqual(got.TopQueries, want) {
		t.Errorf("TopQueries = %+v, want %+v", got.TopQueries, want)
	}
	if got.Searches != 53 {
		t.Errorf("Searches = %d, want 53: repeats still count as searches", got.Searches)
	}
	c.add(time.Hour)
	r.Record("203.0.113.9", "买粉丝加微信", false)
	if got := r.Report(10).TopQueries; !reflect.DeepEqual(got, []QueryCount{{Query: "买粉丝加微信", Count: 2}, {Query: "花呗", Count: 2}}) {
		t.Errorf("a new bucket: TopQueries = %+v", got)
	}
	// Past its pairs, a bucket lists every search again rather than grow.
	c.add(time.Hour)
	for i := range 20 {
		r.Record(fmt.Sprintf("192.0.2.%d", i), "网贷", false)
	}
	r.Record("192.0.2.19", "网贷", false)
	if got := r.Report(1).TopQueries; !reflect.DeepEqual(got, []QueryCount{{Query: "网贷", Count: 21}}) {
		t.Errorf("past the bound: TopQueries = %+v, want every search of 网贷 listed", got)
	}
}
