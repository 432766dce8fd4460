package api

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/zhsearch/zhsearch"
)

// MaxArticleBytes bounds the body of an article upsert: the bound of one
// line of an input *.jsonl file.
const MaxArticleBytes = 16 << 20

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
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "application/json" {
		s.fail(c, zhsearch.Errorf(zhsearch.EUNSUPPORTED, "Content-Type must be application/json"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxArticleBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fail(c, zhsearch.Errorf(zhsearch.ETOOLARGE, "request body is larger than %d bytes", MaxArticleBytes))
			return
		}
		s.fail(c, zhsearch.Errorf(zhsearch.EINVALID, "could not read the request body"))
		return
	}
	res, err := s.Admin.PutArticle(c.Request.Context(), c.Param("id"), body)
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

func (s *Server) deleteArticle(c *gin.Context) {
	res, err := s.Admin.DeleteArticle(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
