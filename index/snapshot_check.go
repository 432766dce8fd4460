package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// checkSegments reports a generation whose newest index snapshot names a
// segment file that is not there (a partial copy, a file removed by hand).
// bleve would open such an index anyway, falling back to an older
// snapshot, or to none (an empty index), and opened writable it would drop
// the newest snapshot for good; so the check runs before bleve opens it.
// It reads scorch's root.bolt as scorch lays it out: bucket "s" holds a
// bucket per snapshot, whose buckets other than "m" (meta) and "i"
// (internal) are segments, each naming its file under "p".
func checkSegments(genPath string) error {
	store := filepath.Join(genPath, "store")
	root := filepath.Join(store, "root.bolt")
	if _, err := os.Stat(root); err != nil {
		return nil // not a scorch index, or no snapshot yet: bleve decides
	}
	db, err := bolt.Open(root, 0, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		return fmt.Errorf("%s: %w", root, err)
	}
	defer db.Close()
	var missing []string
	err = db.View(func(tx *bolt.Tx) error {
		snapshots := tx.Bucket([]byte{'s'})
		if snapshots == nil {
			return nil
		}
		k, _ := snapshots.Cursor().Last()
		if k == nil {
			return nil
		}
		snap := snapshots.Bucket(k)
		if snap == nil {
			return errors.New("the newest snapshot is not a bucket")
		}
		return snap.ForEachBucket(func(k []byte) error {
			if len(k) == 0 || k[0] == 'm' || k[0] == 'i' {
				return nil
			}
			p := snap.Bucket(k).Get([]byte{'p'})
			if len(p) == 0 {
				return nil // encrypted or unknown: bleve decides
			}
			if _, err := os.Stat(filepath.Join(store, filepath.Base(string(p)))); errors.Is(err, os.ErrNotExist) {
				missing = append(missing, string(p))
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("%s: %w", root, err)
	}
	if len(missing) > 0 {
		return fmt.Errorf("generation %s is incomplete: its segment files %v are missing from %s (a partial copy?)",
			filepath.Base(genPath), missing, store)
	}
	return nil
}
