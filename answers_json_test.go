package zhsearch

import (
	"encoding/json"
	"testing"
)

// TestRelatedItemReasonsAlwaysPresent: every item of a related list
// carries reasons, [] when it shares no word (a fallback from a 相关内容
// list), where such an item had no reasons key and a client reading
// item.reasons.length of each item broke on it.
func TestRelatedItemReasonsAlwaysPresent(t *testing.T) {
	for _, tt := range []struct {
		reasons []string
		want    string
	}{
		{nil, `[]`},
		{[]string{}, `[]`},
		{[]string{"花呗", "风控"}, `["花呗","风控"]`},
	} {
		b, err := json.Marshal(RelatedResult{Related: []RelatedItem{{ID: "a", Reason: ReasonFallback, Reasons: tt.reasons}}})
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Related []map[string]json.RawMessage `json:"related"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if r, ok := got.Related[0]["reasons"]; !ok || string(r) != tt.want {
			t.Errorf("reasons %q: item %s, want reasons %s", tt.reasons, b, tt.want)
		}
		for _, key := range []string{"id", "title", "url", "published_at", "score", "reason"} {
			if _, ok := got.Related[0][key]; !ok {
				t.Errorf("item %s lacks %q", b, key)
			}
		}
	}
}

// TestReindexJobFieldsAlwaysPresent: a job answers every field the README
// lists in every state; a running job lacked finished_at and result, so a
// client had to tell an absent key from null and from "".
func TestReindexJobFieldsAlwaysPresent(t *testing.T) {
	running := ReindexJob{ID: "j1", State: JobRunning}
	b, err := json.Marshal(running)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"error": `""`, "finished_at": "null", "result": "null"} {
		if string(got[key]) != want {
			t.Errorf("running job %s: %s is %s, want %s", b, key, got[key], want)
		}
	}
	for _, key := range []string{"id", "state", "progress", "started_at"} {
		if _, ok := got[key]; !ok {
			t.Errorf("running job %s lacks %q", b, key)
		}
	}
}
