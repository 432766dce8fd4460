// Package cluster runs zhsearch as one replica of several that share their
// live edits and index generations through NATS JetStream (serve --nats).
//
// Edits (PUT and DELETE through the admin API of any replica) are
// published to one replicated stream; the stream's sequence is the edit
// log's seq, and every replica applies the stream in order to its current
// generation (index.Live.ApplyRecords). An edit is answered once the
// stream has acknowledged it and the replica that took it has applied it,
// so its author reads it back from that replica at once; the others apply
// it within their lag (zhsearch_cluster_lag).
//
// A reindex runs on one replica at a time (a key in a key-value bucket
// whose entries expire, refreshed while the build runs). The builder
// uploads the generation it built to an object-store bucket and sets the
// generation pointer (a key-value entry naming the generation and the
// stream seq it holds); every replica downloads it, opens it, catches it
// up from the stream and switches to it without a failed request, as it
// follows an offline reindex. A replica that starts (new, or returning
// after a crash) installs the pointer's generation if it lacks it and
// catches up from the stream before it is ready.
//
// Without --nats none of this runs: a single server keeps its local
// journal.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/index"
)

// Config configures a replica's membership of a cluster.
type Config struct {
	// URLs are the NATS servers to connect to (any of them is enough; the
	// others are discovered).
	URLs []string
	// Prefix names the stream and buckets (default "zhsearch"): replicas
	// with the same prefix form one cluster.
	Prefix string
	// Replicas is the JetStream replication of the stream and buckets when
	// this replica creates them: 0 means as many as the NATS cluster has
	// servers, at most 3.
	Replicas int
	// IndexDir is the replica's index folder (generations are installed there).
	IndexDir string
	// Name identifies this replica in the logs and the reindex lock
	// (default: the host name and process id).
	Name string
	// Logger receives what the replica does; nil means slog.Default().
	Logger *slog.Logger
	// MaxArticleBytes is the size limit of one article PutArticle accepts
	// (zhsearch.ArticleLimit: 0 is the default); the replica's LiveConfig
	// holds the same for its reindexes.
	MaxArticleBytes int64
	// EditTimeout bounds how long an edit waits for the stream's ack and
	// for this replica to apply it (0: defaultEditTimeout). A server sets
	// it below its write timeout, so that an edit the stream cannot take
	// is still answered (503) before the connection's deadline closes it.
	EditTimeout time.Duration
}

// Names derived from Config.Prefix.
func (c Config) streamName() string    { return strings.ToUpper(c.Prefix) + "_EDITS" }
func (c Config) subject() string       { return c.Prefix + ".edits" }
func (c Config) pointerBucket() string { return c.Prefix + "_generation" }
func (c Config) lockBucket() string    { return c.Prefix + "_reindex_lock" }
func (c Config) objectBucket() string  { return c.Prefix + "_generations" }
func (c Config) jobBucket() string     { return c.Prefix + "_reindex_jobs" }

// pointerKey is the generation pointer's key; lockKey the reindex lock's.
const (
	pointerKey = "current"
	lockKey    = "reindex"
	// latestJobKey is the key, in the jobs bucket, of the id of the
	// reindex job started last in the cluster (Node.ReindexJob without an
	// id). No job id is one: they start with "r-".
	latestJobKey = "latest"
	// lockTTL is how long the reindex lock outlives its last refresh: a
	// builder that dies frees it this long after.
	lockTTL = 30 * time.Second
	// defaultEditTimeout is Config.EditTimeout's default: two thirds of
	// the server's default write timeout (30 s).
	defaultEditTimeout = 20 * time.Second
	// jobTTL is how long a reindex job's state stays readable through
	// every replica (see Node.ReindexJob).
	jobTTL = 24 * time.Hour
	// maxApplyBatch bounds the records applied in one bleve batch.
	maxApplyBatch = 256
)

// Pointer is the generation pointer: the generation every replica should
// serve, the object holding it, and the last stream seq it holds.
type Pointer struct {
	Generation string `json:"generation"`
	Parts      int    `json:"parts"` // objects GENERATION.0000, .0001, …: one tar
	Bytes      int64  `json:"bytes"` // the tar's size
	// Objects are the parts' object ids (NUIDs), in order: a replica reads
	// a part only as the upload wrote it, never one an earlier attempt
	// left under the same name (empty in pointers from before they were
	// recorded).
	Objects []string  `json:"objects,omitempty"`
	Seq     uint64    `json:"seq"`
	Stream  string    `json:"stream"` // identity of the stream (see Node.Identity)
	Builder string    `json:"builder"`
	Time    time.Time `json:"time"`
	// rev is the pointer's revision in its bucket, as read or written
	// (0: unknown): pointers are ordered by it, not by their generations'
	// names, which come from each builder's clock.
	rev uint64
}

// supersedes reports whether p, a pointer read from the bucket, is newer
// than cur, the one a replica follows (nil: none). A generation's name
// sorts by its build time on its builder's clock; a builder whose clock
// is behind another's would name its newer generation as if older, and
// the replicas would never switch to it. The bucket's revisions are the
// order in which the pointers were set. Without revisions (a pointer
// written by this replica before its Put answered) the names decide.
func (p *Pointer) supersedes(cur *Pointer) bool {
	switch {
	case cur == nil:
		return true
	case p.rev != 0 && cur.rev != 0:
		return p.rev >= cur.rev
	default:
		return p.Generation >= cur.Generation
	}
}

// Node is this process's membership of the cluster: its NATS connection,
// the stream and buckets, and (once Start ran) the goroutines applying the
// stream and following the generation pointer. It is the index.EditLog of
// the replica's Live service and its zhsearch.AdminService.
type Node struct {
	cfg      Config
	log      *slog.Logger
	nc       *nats.Conn
	js       jetstream.JetStream
	stream   jetstream.Stream
	pointers jetstream.KeyValue
	locks    jetstream.KeyValue
	objects  jetstream.ObjectStore
	jobs     jetstream.KeyValue // reindex jobs by id, as their builders last saw them
	id       string             // the stream's identity: its name and creation time
	replicas int
	partSize int64 // of a generation's objects (defaultPartSize)

	live       *index.Live
	streamLast atomic.Uint64 // last seq of the stream seen
	// contact is when the stream last answered this replica (Unix
	// nanoseconds): its NATS connection may look up while the link is cut
	// (nothing is sent to notice it), and the last seq seen then stands
	// still, so the lag it gives reads 0 however many edits it misses.
	contact  atomic.Int64
	caughtUp atomic.Bool // applied the stream as it was when Start ran
	created  time.Time   // the stream's creation time, part of id
	// recreated is set once the stream is found created anew under its
	// name (its NATS servers lost their data): its seqs start over, so
	// this replica's index no longer follows it (see streamRecreated).
	recreated atomic.Bool
	pointer   atomic.Pointer[Pointer]
	installMu sync.Mutex // one generation download at a time

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var (
	_ index.EditLog         = (*Node)(nil)
	_ zhsearch.AdminService = (*Node)(nil)
)

// Connect connects to NATS and creates the stream and buckets if they do
// not exist yet.
func Connect(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = "zhsearch"
	}
	if cfg.Name == "" {
		host, _ := os.Hostname()
		cfg.Name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	n := &Node{cfg: cfg, log: cfg.Logger, partSize: defaultPartSize}
	if n.log == nil {
		n.log = slog.Default()
	}
	n.log = n.log.With("replica", cfg.Name)
	opts := []nats.Option{nats.Name("zhsearch " + cfg.Name),
		// The client's asynchronous errors (a consumer gone while a
		// server restarts) go to the replica's log, in its format, not
		// to stderr as plain text.
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			n.log.Warn("NATS client error", "subject", subject, "err", err)
		}),
		nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				n.log.Warn("disconnected from NATS; reconnecting", "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { n.log.Info("reconnected to NATS", "server", c.ConnectedUrlRedacted()) })}
	// The servers may be starting too: try for a while.
	n.log.Info("connecting to NATS", "urls", redactedURLs(cfg.URLs))
	var nc *nats.Conn
	err := retry(ctx, func(ctx context.Context) error {
		var err error
		nc, err = nats.Connect(strings.Join(cfg.URLs, ","), opts...)
		return err
	}, time.Minute)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", redactedURLs(cfg.URLs), err)
	}
	n.nc = nc
	if err := n.setup(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	return n, nil
}

// setup creates or opens the stream and the buckets.
func (n *Node) setup(ctx context.Context) error {
	js, err := jetstream.New(n.nc)
	if err != nil {
		return err
	}
	n.js = js
	r := n.cfg.Replicas
	if r <= 0 {
		r = min(3, max(1, len(n.nc.Servers())))
	}
	n.replicas = r
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	// Creating the same stream at once from several replicas is fine:
	// JetStream answers each with the existing stream.
	var s jetstream.Stream
	err = retry(ctx, func(ctx context.Context) error {
		var err error
		s, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: n.cfg.streamName(),
			Subjects: []string{n.cfg.subject()}, Storage: jetstream.FileStorage, Replicas: r,
			Duplicates: 2 * time.Minute, Description: "zhsearch live edits: the stream seq is the edit log's seq"})
		if err != nil {
			// A cluster still electing its meta leader answers errors for a while.
			n.log.Info("waiting for JetStream", "err", err)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create stream %s: %w", n.cfg.streamName(), err)
	}
	n.stream = s
	info := s.CachedInfo()
	n.created = info.Created
	n.id = fmt.Sprintf("nats:%s@%d", info.Config.Name, info.Created.UnixNano())
	n.streamLast.Store(info.State.LastSeq)
	n.contact.Store(time.Now().UnixNano())
	if err := retry(ctx, func(ctx context.Context) (err error) {
		n.pointers, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: n.cfg.pointerBucket(),
			History: 1, Replicas: r, Storage: jetstream.FileStorage})
		return err
	}); err != nil {
		return fmt.Errorf("create bucket %s: %w", n.cfg.pointerBucket(), err)
	}
	if err := retry(ctx, func(ctx context.Context) (err error) {
		n.locks, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: n.cfg.lockBucket(),
			History: 1, TTL: lockTTL, Replicas: r, Storage: jetstream.FileStorage})
		return err
	}); err != nil {
		return fmt.Errorf("create bucket %s: %w", n.cfg.lockBucket(), err)
	}
	if err := retry(ctx, func(ctx context.Context) (err error) {
		n.jobs, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: n.cfg.jobBucket(),
			History: 1, TTL: jobTTL, Replicas: r, Storage: jetstream.FileStorage})
		return err
	}); err != nil {
		return fmt.Errorf("create bucket %s: %w", n.cfg.jobBucket(), err)
	}
	if err := retry(ctx, func(ctx context.Context) (err error) {
		n.objects, err = js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: n.cfg.objectBucket(),
			Replicas: r, Storage: jetstream.FileStorage})
		return err
	}); err != nil {
		return fmt.Errorf("create bucket %s: %w", n.cfg.objectBucket(), err)
	}
	n.log.Info("joined the cluster", "stream", n.id, "replicas", r, "last_seq", info.State.LastSeq)
	if info.State.LastSeq == 0 && time.Since(info.Created) < time.Minute {
		// A replica pointed at the wrong NATS servers forms a cluster of
		// its own there, and serves its data folder without the edits
		// the others hold: say so where a first start does not hide it.
		n.log.Warn("the cluster's edit stream is new and empty: if this replica should join a running cluster, "+
			"--nats names other servers than its replicas use", "stream", n.id, "nats", redactedURLs(n.cfg.URLs))
	}
	return nil
}

// redactedURLs lists NATS URLs for a log line or an error, without their
// passwords.
func redactedURLs(urls []string) string {
	out := make([]string, len(urls))
	for i, raw := range urls {
		if u, err := url.Parse(raw); err == nil {
			out[i] = u.Redacted()
		} else {
			out[i] = "(unparsable URL)"
		}
	}
	return strings.Join(out, ",")
}

// Identity names the stream: its name and creation time. A generation
// records it with the seq it holds, so a stream deleted and created again
// (whose seqs start over) is told apart.
func (n *Node) Identity() string { return n.id }

// Close stops the node's goroutines and closes the NATS connection.
func (n *Node) Close() {
	n.cancel()
	n.wg.Wait()
	n.nc.Close()
}

// newMsgID returns a random id for JetStream's duplicate detection.
func newMsgID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// retry runs fn until it succeeds or ctx ends, pausing between attempts
// (a NATS server may be down, or the stream electing a leader).
// With a limit, it gives up after that long.
func retry(ctx context.Context, fn func(context.Context) error, limit ...time.Duration) error {
	if len(limit) > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit[0])
		defer cancel()
	}
	wait := 100 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := fn(actx)
		cancel()
		if err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}
