package api

import (
	"strings"
	"testing"

	"github.com/zhsearch/zhsearch"
)

// TestDecodeUpsert: a PUT body is decoded and validated like an input line;
// its id may be left out (the path's is used) and must otherwise match.
func TestDecodeUpsert(t *testing.T) {
	tests := []struct {
		id, body, want string // want: error code, "" for success
	}{
		{"p4", `{"title":"京东E卡回收","related":[" 借呗额度 "]}`, ""},
		{"p1", `{"id":"p1","title":"花呗逾期一天怎么办"}`, ""},
		{"p5", `{"id":"p6","title":"x"}`, zhsearch.EINVALID},
		{"p5", `{"id":7,"title":"x"}`, zhsearch.EINVALID},
		{"bad id", `{"title":"x"}`, zhsearch.EINVALID},
		{"p7", `{"title":"应急贷","published_at":"yesterday"}`, zhsearch.EINVALID},
		{"p8", `{"title":"应急贷","colour":"red"}`, zhsearch.EINVALID},
		{"p9", `[1,2]`, zhsearch.EINVALID},
		{"p9", `null`, zhsearch.EINVALID},
		{"p9", `{"title":"a"} {"title":"b"}`, zhsearch.EINVALID},
		{"p9", "{\"title\":\"\xff\"}", zhsearch.EINVALID},
		// A data file refuses a field given twice; so does the API.
		{"p11", `{"title":"x","title":"y"}`, zhsearch.EINVALID},
		{"p11", `{"id":"p11","title":"x","id":"p11"}`, zhsearch.EINVALID},
	}
	if _, err := decodeUpsert("p10", []byte(" ")); err == nil || !strings.Contains(err.Error(), "the request body is empty") {
		t.Errorf("empty body: error %v, want it called empty", err)
	}
	for _, tt := range tests {
		a, err := decodeUpsert(tt.id, []byte(tt.body))
		if got := zhsearch.ErrorCode(err); got != tt.want {
			t.Errorf("%s %s: error %v, want code %q", tt.id, tt.body, err, tt.want)
			continue
		}
		if err == nil && a.ID != tt.id {
			t.Errorf("%s %s: id %q, want the path's", tt.id, tt.body, a.ID)
		}
	}
}
