package findings_test

import (
	"os"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/findings"
)

func TestStopwordsMatchTheSharedList(t *testing.T) {
	shared, err := os.ReadFile("../../../shared/testdata/stopwords.txt")
	if err != nil {
		t.Fatal(err)
	}
	ours, err := os.ReadFile("stopwords.txt")
	if err != nil {
		t.Fatal(err)
	}
	if string(shared) != string(ours) {
		t.Error("internal/findings/stopwords.txt differs from ../shared/testdata/stopwords.txt: copy it again")
	}
}

func TestWordsAndJaccard(t *testing.T) {
	a := findings.Words("The ALLERGY banner is hidden, below the fold!")
	b := findings.Words("allergy banner hidden below fold")
	if findings.Jaccard(a, b) != 1 {
		t.Errorf("words %v vs %v", a, b)
	}
	if findings.Jaccard(map[string]bool{}, map[string]bool{}) != 0 {
		t.Error("two empty sets")
	}
}

func TestMatch(t *testing.T) {
	report := findings.Pinned{Screen: "meds", Category: "layout", X: 100, Y: 100, Text: "Allergies are hidden below the fold"}
	// Screen 1000 × 0 would make the limit 100 px; use 600 × 800: diagonal 1000, limit 100.
	tests := []struct {
		name       string
		candidates []findings.Candidate
		want       int64
	}{
		{"no candidates starts a new finding", nil, 0},
		{"a near pin joins", []findings.Candidate{{Pinned: findings.Pinned{FindingID: 7, Screen: "meds", Category: "layout", X: 150, Y: 150, Text: "unrelated words entirely"}, FindingOrder: 7}}, 7},
		{"a far pin with different words does not join", []findings.Candidate{{Pinned: findings.Pinned{FindingID: 7, Screen: "meds", Category: "layout", X: 400, Y: 400, Text: "unrelated words entirely"}, FindingOrder: 7}}, 0},
		{"a far pin with similar words joins", []findings.Candidate{{Pinned: findings.Pinned{FindingID: 7, Screen: "meds", Category: "layout", X: 500, Y: 500, Text: "allergies hidden below fold"}, FindingOrder: 7}}, 7},
		{"another screen never joins", []findings.Candidate{{Pinned: findings.Pinned{FindingID: 7, Screen: "list", Category: "layout", X: 100, Y: 100, Text: report.Text}, FindingOrder: 7}}, 0},
		{"another category never joins", []findings.Candidate{{Pinned: findings.Pinned{FindingID: 7, Screen: "meds", Category: "safety", X: 100, Y: 100, Text: report.Text}, FindingOrder: 7}}, 0},
		{"the nearest pin wins", []findings.Candidate{
			{Pinned: findings.Pinned{FindingID: 3, Screen: "meds", Category: "layout", X: 160, Y: 100, Text: "x"}, FindingOrder: 3},
			{Pinned: findings.Pinned{FindingID: 9, Screen: "meds", Category: "layout", X: 110, Y: 100, Text: "y"}, FindingOrder: 9},
		}, 9},
		{"at equal distance the higher Jaccard wins", []findings.Candidate{
			{Pinned: findings.Pinned{FindingID: 3, Screen: "meds", Category: "layout", X: 110, Y: 100, Text: "something else"}, FindingOrder: 3},
			{Pinned: findings.Pinned{FindingID: 9, Screen: "meds", Category: "layout", X: 90, Y: 100, Text: "allergies hidden"}, FindingOrder: 9},
		}, 9},
		{"then the oldest", []findings.Candidate{
			{Pinned: findings.Pinned{FindingID: 9, Screen: "meds", Category: "layout", X: 110, Y: 100, Text: "same"}, FindingOrder: 9},
			{Pinned: findings.Pinned{FindingID: 3, Screen: "meds", Category: "layout", X: 90, Y: 100, Text: "same"}, FindingOrder: 3},
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := findings.Match(report, 600, 800, tt.candidates); got != tt.want {
				t.Errorf("Match = %d, want %d", got, tt.want)
			}
		})
	}
}
