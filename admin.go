package zhsearch

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Bounds of the admin API's bearer token: the server refuses to start with a
// token outside them, and a presented token longer than MaxAdminTokenLen is
// refused before any comparison.
const (
	MinAdminTokenLen = 16
	MaxAdminTokenLen = 256
)

// CheckAdminToken reports what is wrong with a configured admin token: a
// length outside MinAdminTokenLen–MaxAdminTokenLen, or a character that is
// not printable ASCII or is a space. Several problems come joined
// (errors.Join).
func CheckAdminToken(token string) error {
	var errs []error
	if n := len(token); n < MinAdminTokenLen || n > MaxAdminTokenLen {
		errs = append(errs, fmt.Errorf("has %d characters: want %d to %d", n, MinAdminTokenLen, MaxAdminTokenLen))
	}
	for _, r := range token {
		if r <= ' ' || r > '~' {
			errs = append(errs, errors.New("must be printable ASCII without spaces"))
			break
		}
	}
	return errors.Join(errs...)
}

// Reindex job states.
const (
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
)

// Reindex stages, in the order a job goes through them.
const (
	StageLoading    = "loading"     // reading the data folder and the edit journal
	StageIndexing   = "indexing"    // writing the new generation
	StageVerifying  = "verifying"   // document count and probe query
	StageCatchingUp = "catching_up" // applying edits that arrived during the build
	StageSwitching  = "switching"   // pointing CURRENT and the server at it
	StageDone       = "done"
)

// ReindexProgress says how far a reindex job is: its stage and, while
// indexing, how many of the articles are written.
type ReindexProgress struct {
	Stage string `json:"stage"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// ReindexResult is what a successful reindex built.
type ReindexResult struct {
	Generation string  `json:"generation"`
	Articles   int     `json:"articles"`   // from the input files
	TitleOnly  int     `json:"title_only"` // from 相关内容 lists
	Files      int     `json:"files"`
	Edits      int     `json:"edits"` // journal records replayed into the build
	TookMS     float64 `json:"took_ms"`
	// Dictionary is the ID of the dictionary the generation cuts text
	// with, and DictionaryFrom "built-in" or "data folder": an editor
	// who added words sees here that the build took them.
	Dictionary     string `json:"dictionary"`
	DictionaryFrom string `json:"dictionary_from"`
	// Warnings are what an editor should know of the build: a data
	// folder's dictionary file that lacks entries of the built-in one it
	// replaces.
	Warnings []string `json:"warnings,omitempty"`
}

// ReindexJob is one full rebuild of the index from the data folder.
type ReindexJob struct {
	ID         string          `json:"id"`
	State      string          `json:"state"` // JobRunning, JobSucceeded or JobFailed
	Progress   ReindexProgress `json:"progress"`
	Error      string          `json:"error"` // why the job failed; empty otherwise
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at"` // null while running
	Result     *ReindexResult  `json:"result"`      // null unless it succeeded
}

// Edit operations.
const (
	OpPut    = "put"
	OpDelete = "delete"
)

// EditResult acknowledges a durable article edit: it is in the journal
// under Seq and visible to search.
type EditResult struct {
	ID      string `json:"id"`
	Op      string `json:"op"` // OpPut or OpDelete
	Seq     uint64 `json:"seq"`
	Created bool   `json:"created,omitempty"` // a put of an id that did not exist
}

// AdminService is what the admin API needs: live article edits and full
// reindexes.
type AdminService interface {
	// PutArticle creates or replaces the article a.ID; a is validated
	// exactly like a line of an input *.jsonl file (DecodeArticle).
	PutArticle(ctx context.Context, a *Article) (*EditResult, error)
	// DeleteArticle removes the article id; not_found if there is none.
	DeleteArticle(ctx context.Context, id string) (*EditResult, error)
	// StartReindex starts a full rebuild in the background; conflict if
	// one is already running, in this process or another.
	StartReindex(ctx context.Context) (*ReindexJob, error)
	// ReindexJob returns the job id, or the latest job when id is "".
	ReindexJob(ctx context.Context, id string) (*ReindexJob, error)
}
