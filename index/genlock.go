package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Every process that opens a generation holds an advisory lock on the file
// genLockFile inside it: shared for a read-only open, exclusive for the
// serving process that writes live edits into it. Removing an old
// generation takes the exclusive lock first, without waiting, and leaves the
// generation alone when that fails, so a folder is removed only once nothing
// reads it, whichever process reads it. The kernel drops the locks of a
// process that dies.
const genLockFile = "zhsearch.lock"

// ErrGenerationInUse means a generation is open in a way that excludes the
// requested one (written by a server, or read while a server wants to write).
var ErrGenerationInUse = errors.New("generation is open in another process")

// lockGeneration takes the lock of the generation folder gen without
// waiting: exclusive when exclusive is set, shared otherwise.
func lockGeneration(gen string, exclusive bool) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(gen, genLockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock generation %s: %w", filepath.Base(gen), err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", filepath.Base(gen), ErrGenerationInUse)
		}
		return nil, fmt.Errorf("lock generation %s: %w", filepath.Base(gen), err)
	}
	return f, nil
}

// removeUnused removes the generation folder gen unless some process has it
// open. It reports whether it removed it.
func removeUnused(gen string) (bool, error) {
	f, err := lockGeneration(gen, true)
	if errors.Is(err, ErrGenerationInUse) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	defer f.Close()
	return true, os.RemoveAll(gen)
}
