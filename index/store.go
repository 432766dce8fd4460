package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zhsearch/zhsearch/index/journal"
)

// An index folder holds complete generations, each a bleve index in its own
// folder gen-YYYYMMDDTHHMMSS.nnnnnnnnn, and a pointer file CURRENT naming
// the live one. A generation is built under a .building name and renamed to
// its gen- name only when complete; CURRENT is then replaced atomically
// (write, fsync, rename, fsync the folder). A crash at any point leaves the
// old CURRENT pointing at a complete generation.
const (
	currentFile   = "CURRENT"
	genPrefix     = "gen-"
	buildingExt   = ".building"
	genTimeLayout = "20060102T150405.000000000"
)

// ErrNoIndex means the index folder holds no complete generation yet.
var ErrNoIndex = errors.New("no index has been built yet")

// CurrentGeneration returns the path of the live generation of dir.
func CurrentGeneration(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", ErrNoIndex
	} else if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, genPrefix) || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("%s: corrupt pointer %q", filepath.Join(dir, currentFile), name)
	}
	return filepath.Join(dir, name), nil
}

// newGenerationName returns a fresh, sortable generation name.
func newGenerationName(now time.Time) string {
	return genPrefix + now.UTC().Format(genTimeLayout)
}

// generationTime returns when the generation named name was built (the
// time its name was given, when its build started), false for a name not
// of newGenerationName's form.
func generationTime(name string) (time.Time, bool) {
	t, err := time.Parse(genTimeLayout, strings.TrimPrefix(name, genPrefix))
	return t, err == nil && strings.HasPrefix(name, genPrefix)
}

// switchCurrent points dir's CURRENT at generation name, atomically. An
// error means CURRENT still names the previous generation.
func switchCurrent(dir, name string) error {
	if err := replaceFile(dir, currentFile, []byte(name+"\n")); err != nil {
		return err
	}
	// The pointer has switched: a failure to sync the folder now must not
	// make the caller remove the generation CURRENT names. The next sync
	// of the folder (or the file system's own) makes it durable.
	_ = syncDir(dir)
	return nil
}

// replaceFile replaces dir's file name with data, whole: written to a
// temporary file, synced and renamed over name, so a crash leaves the old
// file or the new one, never a torn one. The caller syncs dir to make the
// rename durable.
func replaceFile(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, "."+name+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}

// syncDir fsyncs a folder (see journal.SyncDir).
func syncDir(dir string) error { return journal.SyncDir(dir) }

// CleanGenerations removes every generation of dir except the live one,
// those named in keep, and those some process still has open, plus every
// leftover .building folder of a crashed build. It takes the folder lock
// (LOCK, see lockDir) without waiting, so it never removes a generation a
// build or a shipment is finishing; it returns ErrLocked, removing nothing,
// while one holds it. It returns the names it removed.
func CleanGenerations(dir string, keep ...string) ([]string, error) {
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return cleanLocked(dir, keep...)
}

// cleanLocked is CleanGenerations for a caller that holds the folder lock.
func cleanLocked(dir string, keep ...string) ([]string, error) {
	live, err := CurrentGeneration(dir)
	if err != nil && !errors.Is(err, ErrNoIndex) {
		return nil, err
	}
	if live != "" {
		// CURRENT naming a missing generation is an operator's mistake to
		// fix, not a reason to leave the folder without any index.
		if _, err := os.Stat(live); err != nil {
			return nil, fmt.Errorf("%s names %s, which cannot be read (%w): nothing removed", filepath.Join(dir, currentFile), filepath.Base(live), err)
		}
	}
	keepSet := map[string]bool{filepath.Base(live): true}
	for _, k := range keep {
		keepSet[filepath.Base(k)] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, genPrefix) || keepSet[name] {
			continue
		}
		ok, err := removeUnused(filepath.Join(dir, name))
		if err != nil {
			return removed, err
		}
		if ok {
			removed = append(removed, name)
		}
	}
	return removed, nil
}
