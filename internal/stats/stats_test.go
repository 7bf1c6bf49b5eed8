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

func verdictIs(t *testing.T, what string, got *string, want *string) {
	t.Helper()
	if (got == nil) != (want == nil) || (got != nil && *got != *want) {
		t.Errorf("%s verdict = %v, want %v", what, deref(got), deref(want))
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func TestCompareSuccess(t *testing.T) {
	var cases []struct {
		A, B       [2]int
		Difference *float64
		CI         *[2]float64
		Verdict    *string
	}
	vectors(t, "compare_success", &cases)
	for _, c := range cases {
		got := stats.CompareSuccess(c.A[0], c.A[1], c.B[0], c.B[1])
		close(t, "success difference", got.Value, c.Difference)
		closeCI(t, "success CI", got.CI, c.CI)
		verdictIs(t, "success", got.Verdict, c.Verdict)
	}
	t.Run("the interval is clipped to [-1, 1]", func(t *testing.T) {
		// By hand: 0 of 5 against 5 of 5, p̃ = 1/7 and 6/7, 5/7 ± 1.959964 ×
		// √(2 × (1/7)(6/7) / 7) = 0.714286 ± 0.366599: the top, 1.080885,
		// is past what is possible.
		got := stats.CompareSuccess(0, 5, 5, 5)
		want := [2]float64{0.347686, 1}
		closeCI(t, "success CI", got.CI, &want)
		if *got.Value != 1 || *got.Verdict != stats.Better {
			t.Errorf("comparison = %v %v", *got.Value, *got.Verdict)
		}
	})
	t.Run("4 attempts on one side is too few", func(t *testing.T) {
		if got := stats.CompareSuccess(2, 4, 9, 10); got.Value != nil || got.CI != nil || got.Verdict != nil {
			t.Errorf("comparison = %+v", got)
		}
	})
}

func TestCompareEase(t *testing.T) {
	var cases []struct {
		A, B       []float64
		Difference *float64
		CI         *[2]float64
		Verdict    *string
	}
	vectors(t, "compare_ease", &cases)
	for _, c := range cases {
		got := stats.CompareMeans(c.A, c.B, 6)
		close(t, "ease difference", got.Value, c.Difference)
		closeCI(t, "ease CI", got.CI, c.CI)
		verdictIs(t, "ease", got.Verdict, c.Verdict)
	}
}

func TestCompareSUS(t *testing.T) {
	// No shared vectors for SUS, so worked by hand: with equal n and equal
	// variances the Welch df is 2(n − 1) = 8, and t(8) = 2.306004.
	f := func(v float64) *float64 { return &v }
	s := func(v string) *string { return &v }
	tests := []struct {
		name    string
		a, b    []float64
		diff    *float64
		ci      *[2]float64
		verdict *string
	}{
		// Each side's variance 62.5, se = √(2 × 62.5 / 5) = 5; 15 ± 11.530021.
		{"better", []float64{60, 65, 70, 75, 80}, []float64{75, 80, 85, 90, 95}, f(15), &[2]float64{3.469979, 26.530021}, s(stats.Better)},
		// Each side's variance 2000, se = √800 = 28.284271; 60 ± 65.223646:
		// the top, 125.2, is clipped to 100, the difference is not.
		{"the interval is clipped to [-100, 100]", []float64{0, 0, 0, 0, 100}, []float64{100, 100, 100, 100, 0}, f(60), &[2]float64{-5.223646, 100}, s(stats.NoClearChange)},
		// The report: 2 answers against 30.
		{"2 answers is too few", []float64{72.5, 75}, []float64{50, 52.5, 55, 60, 45, 50, 52.5}, nil, nil, nil},
		{"4 answers is too few", []float64{60, 65, 70, 75, 80}, []float64{75, 80, 85, 90}, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stats.CompareMeans(tt.a, tt.b, 100)
			close(t, "SUS difference", got.Value, tt.diff)
			closeCI(t, "SUS CI", got.CI, tt.ci)
			verdictIs(t, "SUS", got.Verdict, tt.verdict)
		})
	}
}

func TestTimeSaved(t *testing.T) {
	var cases []struct {
		Baseline, B            []float64
		DailyFrequency         float64 `json:"daily_frequency"`
		Ratio                  *float64
		CI                     *[2]float64
		Verdict                *string
		TimeSavedS             *float64    `json:"time_saved_s"`
		TimeSavedCI            *[2]float64 `json:"time_saved_ci"`
		HoursSavedPerStaffYear *float64    `json:"hours_saved_per_staff_year"`
		HoursSavedCI           *[2]float64 `json:"hours_saved_ci"`
	}
	vectors(t, "time_saved", &cases)
	for _, c := range cases {
		ratio := stats.CompareTimes(c.Baseline, c.B)
		close(t, "ratio", ratio.Value, c.Ratio)
		closeCI(t, "ratio CI", ratio.CI, c.CI)
		verdictIs(t, "time", ratio.Verdict, c.Verdict)
		saved := stats.TimeSaved(c.Baseline, c.B, c.DailyFrequency)
		close(t, "time saved", saved.Seconds, c.TimeSavedS)
		closeCI(t, "time saved CI", saved.SecondsCI, c.TimeSavedCI)
		close(t, "hours saved", saved.Hours, c.HoursSavedPerStaffYear)
		closeCI(t, "hours saved CI", saved.HoursCI, c.HoursSavedCI)
	}
}
