package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// GenerationLockFile is the lock file inside every generation folder (see
// lockGeneration): it belongs to the processes that have the folder open,
// so a copy of a generation leaves it out.
const GenerationLockFile = genLockFile

// ValidGenerationName reports whether name is a generation folder's name
// as builds make them (not a path, not an unfinished build).
func ValidGenerationName(name string) bool {
	return strings.HasPrefix(name, genPrefix) && name == filepath.Base(name) &&
		!strings.HasSuffix(name, buildingExt) && !strings.ContainsAny(name, `/\`)
}

// InstallGeneration puts a generation built elsewhere (by another replica
// of a cluster) into indexDir under name and points CURRENT at it; a
// serving Live switches to it on its next Reload. fill writes the
// generation's files into the (new, empty) folder it is given. If indexDir
// already holds the generation, only CURRENT is pointed at it. While it
// runs it holds the build lock: ErrLocked if a build runs.
func InstallGeneration(ctx context.Context, indexDir, name string, fill func(dir string) error) error {
	if !ValidGenerationName(name) {
		return fmt.Errorf("install generation: bad name %q", name)
	}
	b, err := lockBuild(ctx, indexDir)
	if err != nil {
		return err
	}
	defer b.release()
	final := filepath.Join(indexDir, name)
	if _, err := os.Stat(final); err == nil {
		return switchCurrent(indexDir, name)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	tmp := final + buildingExt
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("install generation: %w", err)
	}
	if err := fill(tmp); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("install generation %s: %w", name, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("install generation %s: %w", name, err)
	}
	if err := syncDir(indexDir); err != nil {
		os.RemoveAll(final)
		return fmt.Errorf("install generation %s: %w", name, err)
	}
	ix, err := OpenGeneration(final)
	if err == nil {
		_, err = ix.DocCount()
		ix.Close()
	}
	if err != nil {
		os.RemoveAll(final)
		return fmt.Errorf("install generation %s: %w", name, err)
	}
	return switchCurrent(indexDir, name)
}
