package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zhsearch/zhsearch"
	"github.com/zhsearch/zhsearch/api"
)

// remotePoll is how often `reindex --server` asks for the job's state.
const remotePoll = 250 * time.Millisecond

// adminClient talks to a running server's admin API.
type adminClient struct {
	base     string // scheme://host[:port][/prefix], no trailing slash
	prefixed bool   // base has a path: a proxy's prefix, or a mistake
	token    string
	http     *http.Client
}

func newAdminClient(server, token string) (*adminClient, error) {
	if token == "" {
		return nil, errors.New("set ZHSEARCH_ADMIN_TOKEN to the server's admin token")
	}
	if !strings.Contains(server, "://") {
		server = "http://" + server
	}
	u, err := url.Parse(server)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("--server %q: want a URL such as http://localhost:8080", server)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		// The admin routes are appended to the URL: after a query they
		// would be part of it.
		return nil, fmt.Errorf("--server %q: give the server's root URL, without a query or fragment", server)
	}
	if p := strings.TrimSuffix(u.Path, "/"); strings.HasSuffix(p, "/api/v1") || strings.HasSuffix(p, "/api") {
		// The admin routes are under the server's root: its /api/v1 would
		// be answered "no such route", read as "no admin API".
		return nil, fmt.Errorf("--server %q: give the server's root URL, without %s", server, p[strings.LastIndex(p, "/api"):])
	}
	return &adminClient{prefixed: strings.Trim(u.Path, "/") != "", base: strings.TrimSuffix(u.String(), "/"), token: token,
		http: &http.Client{Timeout: 30 * time.Second}}, nil
}

// do sends one request and decodes a 2xx JSON answer into out; other
// answers become errors that say what to do.
func (c *adminClient) do(ctx context.Context, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(nil))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 == 2 {
		return json.Unmarshal(body, out)
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	json.Unmarshal(body, &e)
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return errors.New("the server refused the admin token: check ZHSEARCH_ADMIN_TOKEN")
	case http.StatusNotFound:
		if e.Error.Message == api.NoRouteMessage && c.prefixed {
			// zhsearch answered, but the path may be what is wrong.
			return fmt.Errorf("no admin API at %s: check the path after the server's address (zhsearch serves its routes at its root) and that the server runs with ZHSEARCH_ADMIN_TOKEN set", c.base)
		}
		if e.Error.Message == api.NoRouteMessage {
			return errors.New("the server has no admin API: start it with ZHSEARCH_ADMIN_TOKEN set")
		}
	case http.StatusConflict:
		return fmt.Errorf("not started: %s", e.Error.Message)
	}
	if e.Error.Message != "" {
		return fmt.Errorf("the server answered %d: %s", resp.StatusCode, e.Error.Message)
	}
	return fmt.Errorf("the server answered %d", resp.StatusCode)
}

// remoteReindex asks the server to rebuild, follows the job until it ends
// and prints its result.
func remoteReindex(ctx context.Context, server, token string, stdout, stderr io.Writer, rep reporter) error {
	c, err := newAdminClient(server, token)
	if err != nil {
		return err
	}
	var job zhsearch.ReindexJob
	if err := c.do(ctx, http.MethodPost, "/api/v1/admin/reindex", &job); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "reindex %s started on %s\n", job.ID, c.base)
	failures := 0
	for job.State == zhsearch.JobRunning {
		rep.stage(job.Progress.Stage)
		rep.progress(job.Progress.Done, job.Progress.Total)
		select {
		case <-ctx.Done():
			rep.finish()
			return fmt.Errorf("stopped waiting; reindex %s goes on on the server", job.ID)
		case <-time.After(remotePoll):
		}
		var next zhsearch.ReindexJob
		if err := c.do(ctx, http.MethodGet, "/api/v1/admin/reindex/"+url.PathEscape(job.ID), &next); err != nil {
			if failures++; failures >= 20 || ctx.Err() != nil {
				rep.finish()
				return fmt.Errorf("lost track of reindex %s: %w", job.ID, err)
			}
			continue
		}
		failures, job = 0, next
	}
	if job.State == zhsearch.JobSucceeded && job.Progress.Total > 0 {
		rep.progress(job.Progress.Total, job.Progress.Total)
	}
	rep.finish()
	if job.State != zhsearch.JobSucceeded || job.Result == nil {
		return fmt.Errorf("reindex %s failed: %s", job.ID, job.Error)
	}
	r := job.Result
	for _, w := range r.Warnings {
		fmt.Fprintf(stderr, "zhsearch reindex: warning: %s\n", w) // as an offline reindex says them
	}
	printSummary(stdout, r.Articles, r.TitleOnly, r.Files, r.Edits, time.Duration(r.TookMS*float64(time.Millisecond)))
	fmt.Fprintf(stdout, "live generation: %s\n", r.Generation)
	printDictionary(stdout, r.Dictionary, r.DictionaryFrom)
	return nil
}
