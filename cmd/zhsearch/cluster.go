package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/cluster"
	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/journal"
)

// natsURLs splits --nats into server URLs ("": none). Each is a URL with
// a nats:// or tls:// scheme, or host:port.
func natsURLs(s string) ([]string, error) {
	var urls []string
	for _, u := range strings.Split(s, ",") {
		u = strings.TrimSpace(u)
		if u == "" {
			continue
		}
		if !strings.Contains(u, "://") {
			u = "nats://" + u
		}
		p, err := url.Parse(u)
		if err != nil || p.Host == "" || (p.Scheme != "nats" && p.Scheme != "tls") {
			return nil, fmt.Errorf("%q: want nats://HOST:PORT (or tls://, or HOST:PORT)", clipValue(u))
		}
		if port := p.Port(); port != "" {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("%q: the port must be a number from 1 to 65535", clipValue(u))
			}
		}
		urls = append(urls, u)
	}
	if len(urls) == 0 && s != "" {
		// Set to separators or blanks: nats.go would dial its default
		// server, not none.
		return nil, fmt.Errorf("%q names no server: want nats://HOST:PORT[,…]", clipValue(s))
	}
	return urls, nil
}

// redactURLs hides the credentials of --nats URLs for the log.
func redactURLs(s string) string {
	urls, err := natsURLs(s)
	if err != nil {
		return "(invalid)"
	}
	for i, u := range urls {
		if p, err := url.Parse(u); err == nil {
			urls[i] = p.Redacted()
		}
	}
	return strings.Join(urls, ",")
}

// editTimeout is how long a replica's edit may wait for the stream: two
// thirds of the write timeout, so that an edit the stream cannot take is
// answered 503 before the connection's deadline cuts the answer off (0:
// the cluster's default, for no write timeout).
func editTimeout(write time.Duration) time.Duration {
	if write <= 0 {
		return 0
	}
	return max(write*2/3, time.Second)
}

// detachAfter is how long a replica whose index folder holds a generation
// tries to reach the cluster's NATS servers before it serves that
// generation without them (see clusterLink). A replica without one waits
// for the cluster as long as cluster.Connect does: it has nothing to serve.
const detachAfter = 20 * time.Second

// errNotJoined: the replica could not reach the cluster within detachAfter
// and its index folder holds a generation to serve meanwhile.
var errNotJoined = errors.New("the cluster's NATS servers did not answer")

// joinCluster connects a replica to the cluster of --nats and installs the
// generation the cluster points at, before the index is opened.
func joinCluster(ctx context.Context, cfg serveConfig, logger *slog.Logger) (*cluster.Node, error) {
	cctx, local := ctx, false
	if _, err := index.CurrentGeneration(cfg.indexDir); err == nil {
		var cancel context.CancelFunc
		cctx, cancel = context.WithTimeout(ctx, detachAfter)
		defer cancel()
		local = true
	}
	node, err := connectNode(cctx, cfg, logger)
	if err != nil {
		if local && ctx.Err() == nil {
			return nil, fmt.Errorf("%w within %s: %w", errNotJoined, detachAfter, err)
		}
		return nil, err
	}
	if _, err := node.Prepare(ctx); err != nil {
		node.Close()
		return nil, fmt.Errorf("install the cluster's generation: %w", err)
	}
	return node, nil
}

// connectNode connects to the cluster of --nats (cluster.Connect).
func connectNode(ctx context.Context, cfg serveConfig, logger *slog.Logger) (*cluster.Node, error) {
	urls, _ := natsURLs(cfg.nats) // validated
	return cluster.Connect(ctx, cluster.Config{URLs: urls, IndexDir: cfg.indexDir, Name: cfg.replica, Logger: logger,
		MaxArticleBytes: cfg.ops.maxArticleBytes, EditTimeout: editTimeout(cfg.ops.writeTimeout)})
}

// clusterLink is a replica's tie to its cluster: the node once joined. A
// replica restarted while no NATS server answers (all of them down for an
// upgrade, or cut off) would otherwise not serve at all, though its index
// folder holds a generation: it is detached instead. It serves that
// generation as it is, like a running replica cut off from the stream
// (ready, stream_reachable 0), answers edits and reindexes 503, and joins
// in the background (attach); once joined it applies the edits made
// since, as any replica that comes back does.
type clusterLink struct {
	replica string
	node    atomic.Pointer[cluster.Node]
	live    *index.Live // set before attach
	mu      sync.Mutex  // orders attach's join with close
	closed  bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// notJoinedMessage is what a detached replica answers to edits and
// reindexes.
const notJoinedMessage = "this replica has not reached the cluster's NATS servers since it started: " +
	"it serves its index as it is and takes no edits or reindexes until it joins"

// Read implements index.EditLog: the cluster's stream once joined; before,
// nothing after from (a detached replica serves its generation as it is).
func (c *clusterLink) Read(from journal.Position, fn func(journal.Record) error) (journal.Info, error) {
	if n := c.node.Load(); n != nil {
		return n.Read(from, fn)
	}
	return journal.Info{Exists: true, ID: from.ID, Last: from.Seq}, nil
}

// OnBuilt hands a reindex's generation to the cluster (Node.OnBuilt).
func (c *clusterLink) OnBuilt(ctx context.Context, path string, pos journal.Position) error {
	if n := c.node.Load(); n != nil {
		return n.OnBuilt(ctx, path, pos)
	}
	return zhsearch.Errorf(zhsearch.EUNAVAILABLE, notJoinedMessage)
}

// Status is the node's view of the cluster, or a detached replica's: not
// connected, the stream out of reach, not caught up.
func (c *clusterLink) Status() cluster.Status {
	if n := c.node.Load(); n != nil {
		return n.Status()
	}
	s := cluster.Status{Replica: c.replica, LastContact: time.Unix(0, 0).UTC()}
	if c.live != nil {
		s.Generation, s.AppliedSeq = c.live.Generation(), c.live.Applied()
	}
	return s
}

// attach joins the cluster in the background until it succeeds or the
// link closes, then starts the node on live and calls joined with it. A
// stream that is not the one the generation follows (NATS lost its data,
// or --nats names another cluster) is not joined: the replica goes on
// serving its generation as it is, and says so.
func (c *clusterLink) attach(cfg serveConfig, logger *slog.Logger, joined func(*cluster.Node)) {
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel, c.done = cancel, make(chan struct{})
	go func() {
		defer close(c.done)
		for ctx.Err() == nil {
			n, err := connectNode(ctx, cfg, logger)
			if err != nil {
				if ctx.Err() == nil {
					logger.Warn("still cannot reach the cluster's NATS servers; serving the local generation as it is", "err", err)
				}
				select { // connectNode has tried for a minute
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
				continue
			}
			if pos := c.live.Position(); pos.Seq > 0 && pos.ID != n.Identity() {
				logger.Error("the cluster's edit stream is not the one this replica's generation follows "+
					"(NATS lost its data, or --nats names another cluster): serving it as it is, without joining; "+
					"start the replica on an empty index folder to join", "generation_log", pos.ID, "stream", n.Identity())
				n.Close()
				return
			}
			c.mu.Lock()
			if c.closed {
				c.mu.Unlock()
				n.Close()
				return
			}
			c.node.Store(n)
			n.Start(c.live)
			c.mu.Unlock()
			joined(n)
			logger.Info("joined the cluster: taking edits and reindexes again", "generation", c.live.Generation(), "applied_seq", c.live.Applied())
			return
		}
	}()
}

// close stops a background join and the node.
func (c *clusterLink) close() {
	if c.cancel != nil {
		c.cancel()
		<-c.done
	}
	c.mu.Lock()
	c.closed = true
	n := c.node.Swap(nil)
	c.mu.Unlock()
	if n != nil {
		n.Close()
	}
}

// detachedAdmin is the admin service of a detached replica: edits and
// reindexes wait until it joins the cluster.
type detachedAdmin struct{}

func (detachedAdmin) PutArticle(context.Context, *zhsearch.Article) (*zhsearch.EditResult, error) {
	return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, notJoinedMessage)
}

func (detachedAdmin) DeleteArticle(context.Context, string) (*zhsearch.EditResult, error) {
	return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, notJoinedMessage)
}

func (detachedAdmin) StartReindex(context.Context) (*zhsearch.ReindexJob, error) {
	return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, notJoinedMessage)
}

func (detachedAdmin) ReindexJob(context.Context, string) (*zhsearch.ReindexJob, error) {
	return nil, zhsearch.Errorf(zhsearch.EUNAVAILABLE, notJoinedMessage)
}

// clusterService is the search service of a replica: the live index, ready
// once the replica has caught up with the cluster's stream.
type clusterService struct {
	*index.Live
	node *cluster.Node
}

// Ready is not ready until the replica caught up, then the index's own.
func (s clusterService) Ready(ctx context.Context) error {
	if err := s.node.Ready(); err != nil {
		return err
	}
	return s.Live.Ready(ctx)
}

// registerClusterMetrics adds the replica's cluster gauges to reg.
func registerClusterMetrics(reg prometheus.Registerer, status func() cluster.Status) {
	gauge := func(name, help string, v func(cluster.Status) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
			func() float64 { return v(status()) })
	}
	reg.MustRegister(
		gauge("zhsearch_cluster_applied_seq", "Last seq of the cluster's edit stream this replica's generation holds.",
			func(s cluster.Status) float64 { return float64(s.AppliedSeq) }),
		gauge("zhsearch_cluster_stream_seq", "Last seq of the cluster's edit stream seen by this replica.",
			func(s cluster.Status) float64 { return float64(s.StreamSeq) }),
		gauge("zhsearch_cluster_lag", "Edits of the cluster's stream this replica has not applied yet, as far as it has seen the stream (see zhsearch_cluster_stream_reachable).",
			func(s cluster.Status) float64 { return float64(s.Lag) }),
		gauge("zhsearch_cluster_connected", "1 while this replica's NATS connection is up (a cut link may go unnoticed for minutes: see zhsearch_cluster_stream_reachable).",
			func(s cluster.Status) float64 { return b2f(s.Connected) }),
		gauge("zhsearch_cluster_stream_reachable", "1 while the cluster's stream answers this replica (within 10 s); 0: its edits since the last contact are missing and its lag is unknown.",
			func(s cluster.Status) float64 { return b2f(s.StreamReachable) }),
		gauge("zhsearch_cluster_stream_last_contact_timestamp_seconds", "Unix time the cluster's stream last answered this replica.",
			func(s cluster.Status) float64 { return float64(s.LastContact.UnixNano()) / 1e9 }),
		gauge("zhsearch_cluster_caught_up", "1 once this replica has caught up with the stream after starting.",
			func(s cluster.Status) float64 { return b2f(s.CaughtUp) }),
		gauge("zhsearch_cluster_stream_recreated", "1 once the cluster's edit stream was found created anew (NATS lost its data): this replica refuses edits.",
			func(s cluster.Status) float64 { return b2f(s.StreamRecreated) }),
	)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
