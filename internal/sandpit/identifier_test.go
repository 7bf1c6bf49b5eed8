package sandpit_test

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
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
			if got := len(sandpit.ScanIdentifiers(c.Text)) == 1; got != c.Valid {
				t.Errorf("valid = %v, want %v", got, c.Valid)
			}
			if got := sandpit.RealPatientIdentifier("Patient " + c.Text + " was confused."); got != c.Refused {
				t.Errorf("refused = %v, want %v", got, c.Refused)
			}
		})
	}
}

// TestScanIdentifiersTable reads writings of valid and invalid numbers
// from testdata/nhs_numbers.tsv, whose valid numbers were checked by hand.
func TestScanIdentifiersTable(t *testing.T) {
	data, err := os.ReadFile("testdata/nhs_numbers.tsv")
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for n, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "hits\t") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			t.Fatalf("line %d: %d columns, want 4", n+1, len(cols))
		}
		text, err := strconv.Unquote(cols[2])
		if err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		rows++
		t.Run(cols[3], func(t *testing.T) {
			hits := sandpit.ScanIdentifiers(text)
			var got []string
			for _, h := range hits {
				got = append(got, h.Digits)
				if h.Start < 0 || h.End > len(text) || h.Start >= h.End {
					t.Errorf("hit at %d:%d outside the text", h.Start, h.End)
				} else if d := sandpit.ScanIdentifiers(text[h.Start:h.End]); len(d) != 1 || d[0].Digits != h.Digits {
					t.Errorf("text[%d:%d] = %q does not hold %s alone", h.Start, h.End, text[h.Start:h.End], h.Digits)
				}
			}
			want := []string(nil)
			if cols[0] != "-" {
				want = strings.Split(cols[0], ",")
			}
			if !slices.Equal(got, want) {
				t.Errorf("ScanIdentifiers(%q) = %v, want %v", text, got, want)
			}
			if refused := sandpit.RealPatientIdentifier(text); refused != (cols[1] == "yes") {
				t.Errorf("RealPatientIdentifier(%q) = %v, want %s", text, refused, cols[1])
			}
		})
	}
	if rows < 40 {
		t.Errorf("%d writings, want at least 40", rows)
	}
}

// FuzzScanIdentifiers checks that any text scans without a panic, that each
// hit lies in the text and holds ten digits passing Modulus 11.
func FuzzScanIdentifiers(f *testing.F) {
	for _, s := range []string{"943 476 5919", "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19", "(943) 476-5919 1", "\xff9434765919"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, h := range sandpit.ScanIdentifiers(text) {
			if h.Start < 0 || h.End > len(text) || h.Start >= h.End || !sandpit.ValidNHSNumber(h.Digits) {
				t.Fatalf("hit %+v in %q", h, text)
			}
		}
	})
}

// FuzzCheckJSONText checks that any body is walked without a panic, that
// every error names a field, and that the shortcut for plain bodies
// answers as parsing them does.
func FuzzCheckJSONText(f *testing.F) {
	for _, s := range []string{`{"a":[{"b":"943 476 5919"}]}`, `{"text":"a\u0000"}`, "{\"a\":\"\xff\"}", `[[["x"]]]`, `{"a":{}}`,
		`{"seq":1,"x":101,"y":140}`, `"9434765919"`, `{"text":"943 476 591"}`, "{\"a\":\"\x7f\"}", `{"t":"\u202e"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got := sandpit.CheckJSONText([]byte(body))
		for _, fe := range got {
			if fe.Field == "" || fe.Code == "" {
				t.Fatalf("error %+v for %q", fe, body)
			}
		}
		if parsed := sandpit.CheckJSONStrings([]byte(body)); !reflect.DeepEqual(got, parsed) {
			t.Fatalf("CheckJSONText(%q) = %v, parsed %v", body, got, parsed)
		}
	})
}
