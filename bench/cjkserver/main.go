// Command cjkserver is the yardstick's side of bench/run: plain bleve with
// its cjk analyzer (package index/yardstick), built from the same data
// folder as zhsearch and served over the same HTTP stack (gin, release
// mode) at the same paths, so the load test compares the engines and not
// the plumbing. It is a benchmark tool, not part of the service.
//
//	cjkserver build --data DIR --index DIR
//	cjkserver serve --index DIR --addr HOST:PORT
//
// Routes: GET /readyz, /api/v1/search?q=&size=,
// /api/v1/articles/{id}/related?size=, /api/v1/suggest?q=&size=; POST
// /api/v1/related with a draft ({"title", "body", "size"}), answered by
// the yardstick's related shortcut as for a stored article: the title as
// the query.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zhsearch/zhsearch/index/analysis"
	"github.com/zhsearch/zhsearch/index/corpus"
	"github.com/zhsearch/zhsearch/index/yardstick"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cjkserver:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: cjkserver build --data DIR --index DIR | serve --index DIR --addr HOST:PORT")
	}
	fs := flag.NewFlagSet("cjkserver "+args[0], flag.ContinueOnError)
	data := fs.String("data", "", "data folder (build)")
	dir := fs.String("index", "", "index folder")
	addr := fs.String("addr", "127.0.0.1:8090", "listen address (serve)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--index is required")
	}
	switch args[0] {
	case "build":
		return build(*data, *dir)
	case "serve":
		return serve(ctx, *dir, *addr)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// build indexes the data folder the way zhsearch reads it (same loader,
// same title-only articles) into a new yardstick index.
func build(data, dir string) error {
	if data == "" {
		return errors.New("--data is required")
	}
	start := time.Now()
	c, err := corpus.Load(data, analysis.Normalize)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s exists: remove it first", dir)
	}
	took, err := yardstick.BuildTime(dir, c.Articles, 0)
	if err != nil {
		return err
	}
	fmt.Printf("indexed %d articles in %s (load and index: %s)\n", len(c.Articles), took.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return nil
}

func serve(ctx context.Context, dir, addr string) error {
	ix, err := yardstick.Open(dir)
	if err != nil {
		return err
	}
	defer ix.Close()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/readyz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ready"}) })
	r.GET("/api/v1/search", func(c *gin.Context) {
		hits, total, err := ix.Search(c.Request.Context(), c.Query("q"), size(c, 10))
		reply(c, gin.H{"total": total, "hits": hits}, err)
	})
	r.GET("/api/v1/suggest", func(c *gin.Context) {
		hits, err := ix.Suggest(c.Request.Context(), c.Query("q"), size(c, 8))
		reply(c, gin.H{"suggestions": hits}, err)
	})
	r.GET("/api/v1/articles/:id/related", func(c *gin.Context) {
		id := c.Param("id")
		title, err := ix.Title(c.Request.Context(), id)
		if err == nil && title == "" {
			c.JSON(http.StatusNotFound, gin.H{"error": gin.H{"code": "not_found", "message": "article not found"}})
			return
		}
		var hits []yardstick.Hit
		if err == nil {
			hits, err = ix.Related(c.Request.Context(), id, title, size(c, 5))
		}
		reply(c, gin.H{"id": id, "related": hits}, err)
	})
	r.POST("/api/v1/related", func(c *gin.Context) {
		var d struct {
			Title string `json:"title"`
			Size  int    `json:"size"`
		}
		if err := c.ShouldBindJSON(&d); err != nil || d.Title == "" {
			c.JSON(http.StatusBadRequest, gin.H{"error": gin.H{"code": "invalid", "message": "a draft is a JSON object with a title"}})
			return
		}
		if d.Size <= 0 || d.Size > 50 {
			d.Size = 5
		}
		hits, err := ix.Related(c.Request.Context(), "", d.Title, d.Size)
		reply(c, gin.H{"related": hits}, err)
	})
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

func size(c *gin.Context, def int) int {
	if n, err := strconv.Atoi(c.Query("size")); err == nil && n > 0 && n <= 50 {
		return n
	}
	return def
}

func reply(c *gin.Context, body gin.H, err error) {
	if err != nil {
		c.JSON(http.StatusInternalServerError, gin.H{"error": gin.H{"code": "internal", "message": err.Error()}})
		return
	}
	c.JSON(http.StatusOK, body)
}
