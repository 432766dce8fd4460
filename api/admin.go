package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/zhsearch/zhsearch"
)

func (s *Server) startReindex(c *gin.Context) {
	job, err := s.Admin.StartReindex(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/admin/reindex/"+job.ID)
	c.JSON(http.StatusAccepted, job)
}

func (s *Server) reindexJob(c *gin.Context) {
	job, err := s.Admin.ReindexJob(c.Request.Context(), c.Param("job"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, job)
}

func (s *Server) putArticle(c *gin.Context) {
	// As a draft's body: --max-body-bytes (413), a client gone is 499.
	if err := requireJSON(c); err != nil {
		s.fail(c, err)
		return
	}
	body, err := readBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	a, err := decodeUpsert(c.Param("id"), body)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.Admin.PutArticle(c.Request.Context(), &a)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	c.JSON(status, res)
}

// decodeUpsert reads the body of a PUT of article id: the body's id may be
// left out (the path's is used) and must otherwise match; then the JSON is
// decoded and validated exactly as an input *.jsonl line is, but for the
// size limit, which the admin service applies.
func decodeUpsert(id string, body []byte) (zhsearch.Article, error) {
	if !zhsearch.ValidID(id) {
		return zhsearch.Article{}, pathIDError()
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return zhsearch.Article{}, zhsearch.Errorf(zhsearch.EINVALID, "the request body is empty: want an article object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		// Let the input decoder word the error the way it does for files.
		if _, derr := zhsearch.DecodeArticle(body, zhsearch.MaxMaxArticleBytes); derr != nil {
			return zhsearch.Article{}, derr
		}
		return zhsearch.Article{}, zhsearch.Errorf(zhsearch.EINVALID, "malformed JSON: the body must be an article object")
	}
	if raw, ok := fields["id"]; ok {
		var bodyID string
		if err := json.Unmarshal(raw, &bodyID); err != nil {
			return zhsearch.Article{}, zhsearch.Errorf(zhsearch.EINVALID, "malformed JSON: id must be a string")
		}
		if bodyID = strings.TrimSpace(bodyID); bodyID != "" && bodyID != id {
			return zhsearch.Article{}, zhsearch.Errorf(zhsearch.EINVALID,
				"id %q in the body does not match id %q in the path", zhsearch.Truncate(bodyID, 40), id)
		}
	}
	if problem := zhsearch.UpsertProblem(body); problem != "" {
		return zhsearch.Article{}, zhsearch.Errorf(zhsearch.EINVALID, "malformed JSON: %s", problem)
	}
	fields["id"], _ = json.Marshal(id)
	withID, err := json.Marshal(fields)
	if err != nil {
		return zhsearch.Article{}, zhsearch.Errorf(zhsearch.EINVALID, "malformed JSON: %v", err)
	}
	// The widest size limit here: the service applies the one it is
	// configured with (AdminService.PutArticle validates again).
	return zhsearch.DecodeArticle(withID, zhsearch.MaxMaxArticleBytes)
}

// pathIDError is the error of an article id in a path that no article
// may have.
func pathIDError() error {
	return zhsearch.Errorf(zhsearch.EINVALID,
		"id in the path must be 1-%d characters of A-Za-z0-9._-, and not . or ..", zhsearch.MaxIDLen)
}

func (s *Server) deleteArticle(c *gin.Context) {
	if !zhsearch.ValidID(c.Param("id")) {
		// No article has it: a 404 said it was merely not there.
		s.fail(c, pathIDError())
		return
	}
	res, err := s.Admin.DeleteArticle(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
