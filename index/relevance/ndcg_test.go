package relevance

import (
	"math"
	"testing"
)

func docs(ids ...string) []Doc {
	out := make([]Doc, len(ids))
	for i, id := range ids {
		out[i] = Doc{ID: id, Title: "title of " + id}
	}
	return out
}

func TestNDCG(t *testing.T) {
	// Gains are 2^grade-1 (grade 2 → 3, grade 1 → 1); discounts log2(rank+1):
	// rank 1 → 1, rank 2 → log2 3 = 1.5849625, rank 3 → 2.
	// For {a:2, b:1} the ideal DCG is 3/1 + 1/1.5849625 = 3.6309298.
	ab := map[string]int{"a": 2, "b": 1}
	tests := []struct {
		name      string
		ranked    []Doc
		judgments map[string]int
		k         int
		want      float64
	}{
		{"ideal order", docs("a", "b"), ab, 10, 1},
		{"ideal then noise", docs("a", "b", "x", "y"), ab, 10, 1},
		// (1 + 3/1.5849625) / 3.6309298
		{"swapped", docs("b", "a"), ab, 10, 0.7967075809905066},
		// (3/1.5849625) / 3.6309298; b is never found
		{"noise first, partial missing", docs("x", "a"), ab, 10, 0.52129602861432},
		{"nothing returned", nil, ab, 10, 0},
		{"only noise", docs("x", "y", "z"), ab, 10, 0},
		// a counts once: (3 + 0 + 1/2) / 3.6309298
		{"repeated document credited once", docs("a", "a", "b"), ab, 10, 0.9639404333166532},
		// ideal@2 = 3 + 3/1.5849625 = 4.8927893; only c is inside the cut: 3/4.8927893
		{"cut at k", docs("c", "x", "a"), map[string]int{"a": 2, "b": 2, "c": 2}, 2, 0.6131471927654584},
		{"judged by exact title", []Doc{{ID: "derived-1", Title: "花呗风控解除指南"}}, map[string]int{"title:花呗风控解除指南": 2}, 10, 1},
		{"title match trims spaces", []Doc{{ID: "derived-1", Title: " 花呗风控解除指南 "}}, map[string]int{"title:花呗风控解除指南": 2}, 10, 1},
		{"title must match exactly", []Doc{{ID: "derived-1", Title: "花呗风控解除"}}, map[string]int{"title:花呗风控解除指南": 2}, 10, 0},
		// the second document with the judged title gains nothing: 3 / (3 + 3/1.5849625)
		{"same judged title twice", []Doc{{ID: "x", Title: "T"}, {ID: "y", Title: "T"}}, map[string]int{"title:T": 2, "z": 2}, 10, 0.6131471927654584},
		{"id and title both judged: the higher grade", []Doc{{ID: "a", Title: "T"}}, map[string]int{"a": 1, "title:T": 2}, 1, 1},
		{"none query, nothing returned", nil, map[string]int{}, 10, 1},
		{"none query, nil judgments", nil, nil, 10, 1},
		{"none query, one stray hit", docs("x"), nil, 10, 0.9},
		{"none query, three hits", docs("x", "y", "z"), nil, 10, 0.7},
		{"none query, a full page", docs("1", "2", "3", "4", "5", "6", "7", "8", "9", "10"), nil, 10, 0},
		{"none query, more than a page", docs("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"), nil, 10, 0},
		{"none query, k=5", docs("x", "y"), nil, 5, 0.6},
		{"k of zero", docs("a"), ab, 0, 0},
		{"negative k", docs("a"), ab, -3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NDCG(tt.ranked, tt.judgments, tt.k)
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("NDCG = %.12f, want %.12f", got, tt.want)
			}
		})
	}
}

func TestGrade(t *testing.T) {
	j := map[string]int{"r001": 2, "title:花呗风控解除指南": 1, "title:both": 2, "r009": 1}
	tests := []struct {
		doc  Doc
		want int
	}{
		{Doc{ID: "r001", Title: "anything"}, 2},
		{Doc{ID: "x", Title: "花呗风控解除指南"}, 1},
		{Doc{ID: "r009", Title: "both"}, 2},
		{Doc{ID: "r002", Title: "花呗风控"}, 0},
		{Doc{}, 0},
	}
	for _, tt := range tests {
		if got := Grade(tt.doc, j); got != tt.want {
			t.Errorf("Grade(%+v) = %d, want %d", tt.doc, got, tt.want)
		}
	}
}
