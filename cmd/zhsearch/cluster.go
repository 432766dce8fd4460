package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/zhsearch/zhsearch/cluster"
	"github.com/zhsearch/zhsearch/index"
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

// joinCluster connects a replica to the cluster of --nats and installs the
// generation the cluster points at, before the index is opened.
func joinCluster(ctx context.Context, cfg serveConfig, logger *slog.Logger) (*cluster.Node, error) {
	urls, _ := natsURLs(cfg.nats) // validated
	node, err := cluster.Connect(ctx, cluster.Config{URLs: urls, IndexDir: cfg.indexDir, Name: cfg.replica, Logger: logger,
		MaxArticleBytes: cfg.ops.maxArticleBytes, EditTimeout: editTimeout(cfg.ops.writeTimeout)})
	if err != nil {
		return nil, err
	}
	if _, err := node.Prepare(ctx); err != nil {
		node.Close()
		return nil, fmt.Errorf("install the cluster's generation: %w", err)
	}
	return node, nil
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
func registerClusterMetrics(reg prometheus.Registerer, node *cluster.Node) {
	gauge := func(name, help string, v func(cluster.Status) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
			func() float64 { return v(node.Status()) })
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
