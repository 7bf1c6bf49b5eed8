package sandpit_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// vectors reads the shared expected values of METRICS.md.
func vectors(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile("../../../shared/testdata/metrics_vectors.json")
	if err != nil {
		t.Fatalf("the shared test vectors: %v", err)
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNHSNumbersAgainstSharedVectors(t *testing.T) {
	var cases []struct {
		Text    string `json:"text"`
		Valid   bool   `json:"valid"`
		Refused bool   `json:"refused_in_free_text"`
	}
	if err := json.Unmarshal(vectors(t)["nhs_number"], &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no NHS number vectors")
	}
	for _, c := range cases {
		t.Run(c.Text, func(t *testing.T) {
			if got := len(sandpit.NHSNumbers(c.Text)) == 1; got != c.Valid {
				t.Errorf("valid = %v, want %v", got, c.Valid)
			}
			if got := sandpit.RealPatientIdentifier("Patient " + c.Text + " was confused."); got != c.Refused {
				t.Errorf("refused = %v, want %v", got, c.Refused)
			}
		})
	}
}

func TestNHSNumbersInText(t *testing.T) {
	tests := []struct {
		text    string
		refused bool
	}{
		{"943-476-5919 was admitted", true},
		{"943 476-5919 mixed separators", false},
		{"94347659190 is eleven digits", false},
		{"x9434765919x", true},
		{"phone 01234 567890", false},
		{"synthetic 999 123 4567 only", false},
		{"two: 999 000 0001 and 401 023 2137", true},
		{"943  476  5919 double spaces", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := sandpit.RealPatientIdentifier(tt.text); got != tt.refused {
				t.Errorf("RealPatientIdentifier = %v, want %v", got, tt.refused)
			}
		})
	}
}
