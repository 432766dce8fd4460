package index_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZThru(t *testing.T) {
	ix, err := index.Open("/tmp/bout9/100000/zhsearch")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ix.SetRelatedCacheSize(0)
	var ids []string
	f, _ := os.Open("/tmp/bout9/100000/related.txt")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Split(sc.Text(), "/")
		ids = append(ids, strings.SplitN(p[4], "?", 2)[0])
	}
	ctx := context.Background()
	for _, id := range ids { // warm
		if _, err := ix.Related(ctx, zhsearch.RelatedRequest{ID: id, Size: 5}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []int{2, 3, 2, 3} {
		var done atomic.Int64
		stop := time.Now().Add(8 * time.Second)
		c0, w0 := cpuNow(), time.Now()
		var wg sync.WaitGroup
		for g := 0; g < n; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := g * 700; time.Now().Before(stop); i++ {
					if _, err := ix.Related(ctx, zhsearch.RelatedRequest{ID: ids[i%len(ids)], Size: 5}); err != nil {
						panic(err)
					}
					done.Add(1)
				}
			}(g)
		}
		wg.Wait()
		el, cpu := time.Since(w0), cpuNow()-c0
		fmt.Printf("goroutines %d: %.1f lists/s, cpu %.0f%%, %.2f ms cpu/list\n", n, float64(done.Load())/el.Seconds(), 100*cpu.Seconds()/el.Seconds(), cpu.Seconds()*1000/float64(done.Load()))
	}
}
