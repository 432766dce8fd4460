package zhsearch

import (
	"runtime/debug"
	"strings"
)

// Version describes the running binary for operators: its module version
// (a release tag, or "(devel)" for a build from a checkout), the commit it
// was built from and whether that checkout had changes, when the Go
// toolchain recorded them (a build inside the repository does), and the Go
// version. Logged at start-up, printed by `zhsearch version` and recorded
// in every generation the binary writes, so an operator can tell which
// binary runs and which one wrote an index.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	parts := []string{bi.Main.Version}
	if parts[0] == "" {
		parts[0] = "(devel)"
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified == "true" {
			rev += "+changes"
		}
		parts = append(parts, "commit "+rev)
		if at != "" {
			parts = append(parts, at)
		}
	}
	return strings.Join(append(parts, bi.GoVersion), " ")
}
