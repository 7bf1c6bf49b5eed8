package stats_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/stats"
)

// tolerance is the shared vectors' stated tolerance.
const tolerance = 1e-4

func vectors(t *testing.T, name string, into any) {
	t.Helper()
	data, err := os.ReadFile("../../../shared/testdata/metrics_vectors.json")
	if err != nil {
		t.Fatalf("the shared test vectors: %v", err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(all[name], into); err != nil || len(all[name]) < 3 {
		t.Fatalf("vectors %s: %v", name, err)
	}
}

func close(t *testing.T, what string, got *float64, want *float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", what, ptr(got), ptr(want))
	case math.Abs(*got-*want) > tolerance:
		t.Errorf("%s = %v, want %v", what, *got, *want)
	}
}

func closeCI(t *testing.T, what string, got *stats.Interval, want *[2]float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s = %v, want %v", what, got, want)
	default:
		for i := range 2 {
			if math.Abs(got[i]-want[i]) > tolerance {
				t.Errorf("%s = %v, want %v", what, *got, *want)
				return
			}
		}
	}
}

func ptr(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestAdjustedWald(t *testing.T) {
	var cases []struct {
		Successes, Attempts int
		CI                  *[2]float64
	}
	vectors(t, "adjusted_wald", &cases)
	for _, c := range cases {
		closeCI(t, "adjusted Wald", stats.AdjustedWald(c.Successes, c.Attempts), c.CI)
	}
	if stats.AdjustedWald(0, 0) != nil {
		t.Error("n = 0 has an interval")
	}
}

func TestGeomean(t *testing.T) {
	var cases []struct {
		Seconds []float64
		Geomean *float64
		CI      *[2]float64
	}
	vectors(t, "time_geomean", &cases)
	for _, c := range cases {
		g, ci := stats.Geomean(c.Seconds)
		close(t, "geomean", g, c.Geomean)
		closeCI(t, "geomean CI", ci, c.CI)
	}
}

func TestEase(t *testing.T) {
	var cases []struct {
		Ratings []float64
		Mean    *float64
		CI      *[2]float64
	}
	vectors(t, "ease", &cases)
	for _, c := range cases {
		close(t, "ease mean", stats.Mean(c.Ratings), c.Mean)
		closeCI(t, "ease CI", stats.MeanCI(c.Ratings, 1, 7), c.CI)
	}
}

func TestSUSSummary(t *testing.T) {
	var cases []struct {
		Scores []float64
		N      int
		Mean   *float64
		SD     *float64
		CI     *[2]float64
		Grade  string
	}
	vectors(t, "sus_summary", &cases)
	for _, c := range cases {
		close(t, "SUS mean", stats.Mean(c.Scores), c.Mean)
		close(t, "SUS sd", stats.SD(c.Scores), c.SD)
		closeCI(t, "SUS CI", stats.MeanCI(c.Scores, 0, 100), c.CI)
		if g := stats.SUSGrade(*stats.Mean(c.Scores)); g != c.Grade {
			t.Errorf("grade of %v = %s, want %s", c.Scores, g, c.Grade)
		}
	}
}

func TestSUSGradeBounds(t *testing.T) {
	for score, want := range map[float64]string{84.1: "A+", 84.09: "A", 80.8: "A", 78.9: "A-", 77.2: "B+", 74.1: "B", 72.6: "B-", 71.1: "C+", 65: "C", 62.7: "C-", 51.7: "D", 51.69: "F", 0: "F", 100: "A+"} {
		if got := stats.SUSGrade(score); got != want {
			t.Errorf("SUSGrade(%v) = %s, want %s", score, got, want)
		}
	}
}

func TestDiffProportions(t *testing.T) {
	var cases []struct {
		A, B       [2]int
		Difference *float64
		CI         *[2]float64
	}
	vectors(t, "diff_proportions", &cases)
	for _, c := range cases {
		d, ci := stats.DiffProportions(c.A[0], c.A[1], c.B[0], c.B[1])
		close(t, "difference", d, c.Difference)
		closeCI(t, "Agresti–Caffo CI", ci, c.CI)
	}
}

func TestWelch(t *testing.T) {
	var cases []struct {
		A, B       []float64
		Difference *float64
		CI         *[2]float64
		DF         *float64
	}
	vectors(t, "welch_difference", &cases)
	for _, c := range cases {
		d, ci, df := stats.Welch(c.A, c.B)
		close(t, "difference", d, c.Difference)
		closeCI(t, "Welch CI", ci, c.CI)
		close(t, "df", df, c.DF)
	}
	t.Run("fewer than 2 on a side has no interval", func(t *testing.T) {
		if _, ci, _ := stats.Welch([]float64{1}, []float64{1, 2}); ci != nil {
			t.Error("an interval from one value")
		}
	})
	t.Run("all equal on both sides is [d, d]", func(t *testing.T) {
		if _, ci, _ := stats.Welch([]float64{3, 3}, []float64{5, 5, 5}); ci == nil || ci[0] != 2 || ci[1] != 2 {
			t.Errorf("ci = %v", ci)
		}
	})
}

func TestTimeRatio(t *testing.T) {
	var cases []struct {
		A, B  []float64
		Ratio *float64
		CI    *[2]float64
	}
	vectors(t, "time_ratio", &cases)
	for _, c := range cases {
		r, ci := stats.TimeRatio(c.A, c.B)
		close(t, "ratio", r, c.Ratio)
		closeCI(t, "ratio CI", ci, c.CI)
	}
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		ci     *stats.Interval
		noChg  float64
		higher bool
		want   string
	}{
		{&stats.Interval{0.1, 0.4}, 0, true, stats.Better},
		{&stats.Interval{-0.4, -0.1}, 0, true, stats.Worse},
		{&stats.Interval{-0.1, 0.4}, 0, true, stats.NoClearChange},
		{&stats.Interval{0.5, 0.8}, 1, false, stats.Better},
		{&stats.Interval{1.1, 1.5}, 1, false, stats.Worse},
		{&stats.Interval{0.8, 1.2}, 1, false, stats.NoClearChange},
	}
	for _, tt := range tests {
		if got := stats.Verdict(tt.ci, tt.noChg, tt.higher); got == nil || *got != tt.want {
			t.Errorf("Verdict(%v) = %v, want %s", *tt.ci, got, tt.want)
		}
	}
	if stats.Verdict(nil, 0, true) != nil {
		t.Error("a verdict without an interval")
	}
}
