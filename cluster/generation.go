package cluster

import (
	"archive/tar"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/zhsearch/zhsearch/index"
	"github.com/zhsearch/zhsearch/index/journal"
)

// keepObjects is how many generations the object store keeps: the
// pointer's and the one before it (a replica may still be downloading it).
const keepObjects = 2

// transferTimeout bounds one upload or download of a generation of size
// bytes: a minute plus one second per MB (a loaded machine writing three
// copies of a 100k-article generation, 775 MB, moves a few MB/s). A
// transfer that stalls (a NATS server died under it) ends sooner: see
// stallLimit.
func transferTimeout(size int64) time.Duration {
	return time.Minute + time.Duration(size>>20)*time.Second
}

// stallLimit is how long a transfer may go without moving a byte.
const stallLimit = time.Minute

// errStalled ends a transfer that moved nothing for stallLimit.
var errStalled = fmt.Errorf("no progress for %v", stallLimit)

// watchStall returns a context that ends with ctx, or errStalled once
// moved has not been called for limit, and moved.
func watchStall(ctx context.Context, limit time.Duration) (context.Context, func(), context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	var last atomic.Int64
	moved := func() { last.Store(time.Now().UnixNano()) }
	moved()
	go func() {
		t := time.NewTicker(limit / 20)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if time.Since(time.Unix(0, last.Load())) > limit {
					cancel(errStalled)
					return
				}
			}
		}
	}()
	return ctx, moved, func() { cancel(context.Canceled) }
}

// progressReader calls moved whenever a read returns bytes.
type progressReader struct {
	r     io.Reader
	moved func()
}

func (p progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.moved()
	}
	return n, err
}

// transferError words the error of a transfer that ctx ended.
func transferError(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errStalled) {
		return fmt.Errorf("%w (%v)", errStalled, err)
	}
	return err
}

// dirSize is the size of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// defaultPartSize is the size of each object a generation is uploaded in
// (Node.partSize). The client publishes an object's 128 KB chunks without
// waiting for their acknowledgements, at most 4,000 at a time, and fails
// the upload when that many wait longer than 200 ms (seen: "stalled with
// too many outstanding async published messages" for a 100k-article
// generation, 775 MB, on a loaded machine). A part of 512 chunks never
// gets there, and its acknowledgements come well within stallLimit.
const defaultPartSize = 64 << 20

// partName names part i of generation name in the object store.
func partName(name string, i int) string { return fmt.Sprintf("%s.%04d", name, i) }

// OnBuilt is the index.LiveConfig.OnBuilt hook of a replica: it uploads
// the generation a reindex built to the object store and points every
// replica at it, before this replica switches to it itself.
func (n *Node) OnBuilt(ctx context.Context, path string, pos journal.Position) error {
	name := filepath.Base(path)
	start := time.Now()
	n.log.Info("uploading the generation to the object store", "generation", name, "seq", pos.Seq)
	var objects []string
	var size int64
	var err error
	// An upload can stall while a NATS server dies and the bucket elects
	// a leader: each attempt has a deadline, and a new attempt replaces
	// what the last one left.
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, transferTimeout(dirSize(path)))
		objects, size, err = n.upload(actx, name, path)
		cancel()
		if err == nil || ctx.Err() != nil || attempt == 5 {
			break
		}
		n.log.Warn("uploading the generation failed; retrying", "generation", name, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(attempt) * time.Second):
		}
	}
	if err != nil {
		return fmt.Errorf("upload generation %s: %w", name, err)
	}
	p := Pointer{Generation: name, Parts: len(objects), Objects: objects, Bytes: size, Seq: pos.Seq, Stream: n.id, Builder: n.cfg.Name,
		Time: time.Now().UTC()}
	data, _ := json.Marshal(p)
	if err := retry(ctx, func(ctx context.Context) (err error) {
		p.rev, err = n.pointers.Put(ctx, pointerKey, data)
		return err
	}); err != nil {
		return fmt.Errorf("point the cluster at generation %s: %w", name, err)
	}
	n.pointer.Store(&p)
	n.log.Info("generation uploaded and pointed at", "generation", name, "seq", pos.Seq,
		"bytes", size, "parts", len(objects), "took", time.Since(start).Round(time.Millisecond))
	n.pruneObjects(ctx, name)
	return nil
}

// upload writes the generation folder path to the object store as a tar
// in parts of n.partSize, reads each back, and returns the parts' object
// ids and the tar's size.
func (n *Node) upload(ctx context.Context, name, path string) ([]string, int64, error) {
	pr, pw := io.Pipe()
	defer pr.Close()
	go func() { pw.CloseWithError(writeTar(pw, path)) }()
	r := bufio.NewReader(pr)
	var size int64
	var objects []string
	for i := 0; ; i++ {
		if _, err := r.Peek(1); err == io.EOF && i > 0 {
			return objects, size, nil
		}
		sctx, moved, stop := watchStall(ctx, stallLimit)
		info, err := n.objects.Put(sctx, jetstream.ObjectMeta{Name: partName(name, i),
			Description: "zhsearch generation (part of a tar)"}, progressReader{io.LimitReader(r, n.partSize), moved})
		err = transferError(sctx, err)
		stop()
		if err == nil {
			// Read it back: a chunk the client published again after a
			// "no responders" (a bucket electing its leader) lands out of
			// order, and its digest would fail on every replica.
			sctx, moved, stop := watchStall(ctx, stallLimit)
			err = transferError(sctx, n.verifyObject(sctx, info, moved))
			stop()
		}
		if err != nil {
			return nil, 0, fmt.Errorf("part %d: %w", i, err)
		}
		size += int64(info.Size)
		objects = append(objects, info.NUID)
	}
}

// verifyObject reads the object put wrote to its end, which checks its
// digest, calling moved as bytes arrive (see copyObject).
func (n *Node) verifyObject(ctx context.Context, put *jetstream.ObjectInfo, moved func()) error {
	if err := n.copyObject(ctx, put.Name, put.NUID, nil, moved); err != nil {
		return fmt.Errorf("verify the uploaded generation: %w", err)
	}
	return nil
}

// verifyReads is how many times copyObject reads an object whose digest
// did not match before it gives up.
const verifyReads = 3

// copyObject copies the object name that the put whose object id is nuid
// wrote into f (from its start; nil: nowhere), its digest checked, calling
// moved as bytes arrive. A read can go wrong where the stored object is
// sound (seen under load: a digest mismatch, then the same object read
// again matched; nats.net issue 917 reports the same under load),
// while an object stored with chunks out of order fails every read: so it
// reads up to verifyReads times, and one matching read is enough.
func (n *Node) copyObject(ctx context.Context, name, nuid string, f *os.File, moved func()) error {
	var err error
	for range verifyReads {
		var w io.Writer = io.Discard
		if f != nil {
			if err = empty(f); err != nil {
				return err
			}
			w = f
		}
		var obj jetstream.ObjectResult
		if obj, err = n.getWritten(ctx, name, nuid); err != nil {
			return err
		}
		_, err = io.Copy(w, progressReader{obj, moved})
		obj.Close()
		if !errors.Is(err, jetstream.ErrDigestMismatch) {
			break
		}
		n.log.Warn("an object read did not match its digest; reading it again", "object", name)
	}
	if err != nil {
		return err
	}
	return rewind(f)
}

// rewind stands f at its start (f nil: nothing to do).
func rewind(f *os.File) error {
	if f == nil {
		return nil
	}
	_, err := f.Seek(0, io.SeekStart)
	return err
}

// empty truncates f for a new copy.
func empty(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	return rewind(f)
}

// getWritten opens the object name as the put whose object id is nuid
// wrote it (any object named name when nuid is empty). Any replica of the
// bucket answers an object's metadata (direct get), and one that has not
// caught up yet answers "not found", or the object an earlier attempt
// wrote under the same name, whose chunks are gone (reading it waits for
// chunks that never come: seen in CI as a read timing out after a
// minute). So it asks again, for up to replicaLag, until the answer is
// that object.
func (n *Node) getWritten(ctx context.Context, name, nuid string) (jetstream.ObjectResult, error) {
	wait := 20 * time.Millisecond
	deadline := time.Now().Add(replicaLag)
	for {
		obj, err := n.objects.Get(ctx, name)
		if err == nil {
			info, ierr := obj.Info()
			if ierr == nil && (nuid == "" || info.NUID == nuid) {
				return obj, nil
			}
			obj.Close()
			err = fmt.Errorf("the bucket answers an older object %s", name)
		} else if !errors.Is(err, jetstream.ErrObjectNotFound) {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("read %s: %w", name, context.Cause(ctx))
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// replicaLag bounds how long getWritten waits for the bucket's replicas to
// answer an object just written: one that is truly gone (pruned) fails
// after that long.
const replicaLag = 15 * time.Second

// partsReader reads the parts of a generation in the object store one
// after the other. Each part is copied whole into a file in the folder
// being filled before any of it is read (copyObject): a part whose read
// went wrong is read again, instead of the whole download starting over.
type partsReader struct {
	ctx     context.Context
	n       *Node
	name    string
	parts   int
	objects []string // the parts' object ids, when the pointer has them
	dir     string   // where the part being read is kept
	moved   func()   // called as bytes arrive
	next    int
	cur     *os.File // the part being read, nil between parts
	left    int64    // bytes of it not read yet
}

// partFile is the name of the part being read in the folder being filled:
// never a name in a generation.
const partFile = ".zhsearch-download-part"

func (r *partsReader) Read(b []byte) (int, error) {
	for r.left == 0 {
		if r.next == r.parts {
			return 0, io.EOF
		}
		if err := r.fetch(); err != nil {
			return 0, fmt.Errorf("part %d: %w", r.next, err)
		}
		r.next++
	}
	k, err := r.cur.Read(b[:min(int64(len(b)), r.left)])
	r.left -= int64(k)
	if err == io.EOF && k > 0 {
		err = nil
	}
	return k, err
}

// fetch copies part r.next into the part file.
func (r *partsReader) fetch() error {
	if r.cur == nil {
		f, err := os.OpenFile(filepath.Join(r.dir, partFile), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		r.cur = f
	}
	var nuid string
	if r.next < len(r.objects) {
		nuid = r.objects[r.next]
	}
	if err := r.n.copyObject(r.ctx, partName(r.name, r.next), nuid, r.cur, r.moved); err != nil {
		return err
	}
	size, err := r.cur.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	r.left = size
	return rewind(r.cur)
}

// Close removes the part file.
func (r *partsReader) Close() {
	if r.cur != nil {
		r.cur.Close()
		os.Remove(r.cur.Name())
	}
}

// pruneObjects removes from the object store the generations but the
// newest keepObjects (keep is the newest), and what a failed upload left.
func (n *Node) pruneObjects(ctx context.Context, keep string) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	list, err := n.objects.List(ctx)
	if err != nil {
		return
	}
	byGen := map[string][]string{}
	var gens []string
	for _, o := range list {
		gen, _, _ := strings.Cut(o.Name, ".")
		if gen == keep {
			continue
		}
		if byGen[gen] == nil {
			gens = append(gens, gen)
		}
		byGen[gen] = append(byGen[gen], o.Name)
	}
	sort.Strings(gens) // generation names sort by build time
	for len(gens) > keepObjects-1 {
		for _, obj := range byGen[gens[0]] {
			if err := n.objects.Delete(ctx, obj); err != nil {
				n.log.Warn("cannot remove an old generation from the object store", "object", obj, "err", err)
			}
		}
		gens = gens[1:]
	}
}

// readPointer returns the generation pointer, nil if none was set.
func (n *Node) readPointer(ctx context.Context) (*Pointer, error) {
	var p *Pointer
	err := retry(ctx, func(ctx context.Context) error {
		e, err := n.pointers.Get(ctx, pointerKey)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		p = &Pointer{rev: e.Revision()}
		return json.Unmarshal(e.Value(), p)
	})
	return p, err
}

// Prepare runs before the replica opens its index: it installs the
// generation the pointer names when the index folder does not serve it
// yet, and reports whether there was a pointer. Without one the replica
// builds from its data folder (and the stream) as a single server would.
func (n *Node) Prepare(ctx context.Context) (bool, error) {
	p, err := n.readPointer(ctx)
	if err != nil || p == nil {
		return false, err
	}
	if p.Stream != n.id {
		n.log.Warn("the generation pointer names another stream (deleted and created again?); ignoring it",
			"pointer", p.Stream, "stream", n.id)
		return false, nil
	}
	n.pointer.Store(p)
	if cur, err := index.CurrentGeneration(n.cfg.IndexDir); err == nil && filepath.Base(cur) == p.Generation {
		return true, nil
	}
	// A download can fail while NATS servers come and go (a digest that
	// does not match, a deadline): try again a few times.
	for attempt := 1; ; attempt++ {
		err := n.install(ctx, p)
		if err == nil || attempt == 5 || ctx.Err() != nil {
			return true, err
		}
		n.log.Warn("cannot install the cluster's generation; retrying", "generation", p.Generation, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(attempt) * time.Second):
		}
	}
}

// install downloads the pointer's generation into the index folder and
// points CURRENT at it.
func (n *Node) install(ctx context.Context, p *Pointer) error {
	n.installMu.Lock()
	defer n.installMu.Unlock()
	start := time.Now()
	err := index.InstallGeneration(ctx, n.cfg.IndexDir, p.Generation, func(dir string) error {
		ctx, cancel := context.WithTimeout(ctx, transferTimeout(p.Bytes))
		defer cancel()
		ctx, moved, stop := watchStall(ctx, stallLimit)
		defer stop()
		parts := &partsReader{ctx: ctx, n: n, name: p.Generation, parts: p.Parts, objects: p.Objects, dir: dir, moved: moved}
		err := readTar(parts, dir)
		parts.Close()
		return transferError(ctx, err)
	})
	if err != nil {
		return err
	}
	n.log.Info("installed the cluster's generation", "generation", p.Generation, "seq", p.Seq,
		"builder", p.Builder, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// watchPointer follows the generation pointer until the node closes: each
// new generation is downloaded, installed and switched to.
func (n *Node) watchPointer() {
	defer n.wg.Done()
	for n.ctx.Err() == nil {
		w, err := n.pointers.Watch(n.ctx, pointerKey)
		if err != nil {
			select {
			case <-n.ctx.Done():
				return
			case <-time.After(time.Second):
				continue
			}
		}
		for e := range w.Updates() {
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			p := Pointer{rev: e.Revision()}
			if err := json.Unmarshal(e.Value(), &p); err != nil {
				n.log.Error("bad generation pointer", "err", err)
				continue
			}
			n.followPointer(&p)
		}
		w.Stop()
	}
}

// followPointer switches the live service to the generation p names, unless it
// serves it already or the generation is this replica's own build (which
// its reindex job switches to).
func (n *Node) followPointer(p *Pointer) {
	if p.Stream != n.id || p.Generation == n.live.Generation() {
		return
	}
	// Never go back to an older pointer (one read before a newer one
	// arrived): by the bucket's order, not by names (Pointer.supersedes).
	if !p.supersedes(n.pointer.Load()) {
		return
	}
	n.pointer.Store(p)
	if _, err := os.Stat(filepath.Join(n.cfg.IndexDir, p.Generation)); err == nil {
		return
	}
	for attempt := 0; n.ctx.Err() == nil; attempt++ {
		err := n.install(n.ctx, p)
		if err == nil {
			err = n.live.Reload()
		}
		if err == nil {
			n.log.Info("serving the cluster's new generation", "generation", n.live.Generation(), "seq", n.live.Applied())
			return
		}
		if cur := n.pointer.Load(); cur != nil && cur.Generation != p.Generation {
			return // a newer one came
		}
		n.log.Warn("cannot switch to the cluster's new generation; retrying", "generation", p.Generation, "err", err)
		select {
		case <-n.ctx.Done():
		case <-time.After(time.Duration(min(attempt+1, 10)) * time.Second):
		}
	}
}

// writeTar writes the files of the generation folder dir to w, leaving
// out its lock file.
func writeTar(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == index.GenerationLockFile {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.CopyN(tw, f, fi.Size())
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// readTar extracts the tar stream r (directories and regular files only)
// into dir, and syncs the files.
func readTar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(hdr.Name)
		if !filepath.IsLocal(name) || strings.Contains(hdr.Name, "..") {
			return fmt.Errorf("bad path %q in generation archive", hdr.Name)
		}
		path := filepath.Join(dir, name)
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if err == nil {
				err = f.Sync()
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		default:
			return fmt.Errorf("unexpected entry %q in generation archive", hdr.Name)
		}
	}
	// The object's digest is checked once it is read to its end.
	_, err := io.Copy(io.Discard, r)
	return err
}
