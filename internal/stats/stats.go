// Package stats holds the statistics of METRICS.md for the small samples
// usability testing works with (Sauro & Lewis, Quantifying the User
// Experience, 2nd ed.). Student's t comes from gonum; nothing is rounded.
// An interval that cannot be computed is nil, never NaN.
package stats

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Z is the 0.975 quantile of the standard normal distribution.
const Z = 1.959964

// Interval is a 95% confidence interval.
type Interval [2]float64

// tQuantile is the 0.975 quantile of Student's t with df degrees of freedom.
func tQuantile(df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975)
}

func clip(v, lo, hi float64) float64 { return math.Min(math.Max(v, lo), hi) }

// AdjustedWald is the adjusted-Wald interval of x successes in n attempts,
// clipped to [0, 1]; nil when n is 0.
func AdjustedWald(x, n int) *Interval {
	if n == 0 {
		return nil
	}
	nn := float64(n) + Z*Z
	p := (float64(x) + Z*Z/2) / nn
	m := Z * math.Sqrt(p*(1-p)/nn)
	return &Interval{clip(p-m, 0, 1), clip(p+m, 0, 1)}
}

// SD is the sample standard deviation (divisor n − 1); nil when n < 2.
func SD(xs []float64) *float64 {
	if len(xs) < 2 {
		return nil
	}
	sd := stat.StdDev(xs, nil)
	return &sd
}

// allEqual reports whether every value is the same.
func allEqual(xs []float64) bool {
	for _, x := range xs {
		if x != xs[0] {
			return false
		}
	}
	return true
}

// MeanCI is mean ± t(n−1)·sd/√n clipped to [lo, hi]; nil when n < 2, and
// [mean, mean] when every value is equal.
func MeanCI(xs []float64, lo, hi float64) *Interval {
	if len(xs) < 2 {
		return nil
	}
	mean := stat.Mean(xs, nil)
	if allEqual(xs) {
		return &Interval{mean, mean}
	}
	m := tQuantile(float64(len(xs)-1)) * stat.StdDev(xs, nil) / math.Sqrt(float64(len(xs)))
	return &Interval{clip(mean-m, lo, hi), clip(mean+m, lo, hi)}
}

// Mean is the arithmetic mean; nil for no values.
func Mean(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	m := stat.Mean(xs, nil)
	return &m
}

// Geomean is exp(mean(ln t)) with the interval exp(m ± t(n−1)·s/√n) of the
// log times; the geomean is nil for no values, the interval for n < 2.
func Geomean(seconds []float64) (*float64, *Interval) {
	if len(seconds) == 0 {
		return nil, nil
	}
	logs := make([]float64, len(seconds))
	for i, s := range seconds {
		logs[i] = math.Log(s)
	}
	m := stat.Mean(logs, nil)
	g := math.Exp(m)
	if len(logs) < 2 {
		return &g, nil
	}
	if allEqual(logs) {
		return &g, &Interval{g, g}
	}
	h := tQuantile(float64(len(logs)-1)) * stat.StdDev(logs, nil) / math.Sqrt(float64(len(logs)))
	return &g, &Interval{math.Exp(m - h), math.Exp(m + h)}
}

// SUSBand is one grade of the Sauro–Lewis curved scale and the lowest mean
// SUS score that earns it.
type SUSBand struct {
	Grade string
	From  float64
}

// SUSBands are the grades of the curved scale, lowest first (METRICS.md).
func SUSBands() []SUSBand {
	return []SUSBand{{"F", 0}, {"D", 51.7}, {"C-", 62.7}, {"C", 65.0}, {"C+", 71.1}, {"B-", 72.6}, {"B", 74.1},
		{"B+", 77.2}, {"A-", 78.9}, {"A", 80.8}, {"A+", 84.1}}
}

// SUSGrade is a mean SUS score's grade on the Sauro–Lewis curved scale.
func SUSGrade(mean float64) string {
	bands := SUSBands()
	for i := len(bands) - 1; i > 0; i-- {
		if mean >= bands[i].From {
			return bands[i].Grade
		}
	}
	return bands[0].Grade
}

// DiffProportions is p_B − p_A with the Agresti–Caffo interval; nil when
// either side has no attempts.
func DiffProportions(xA, nA, xB, nB int) (*float64, *Interval) {
	if nA == 0 || nB == 0 {
		return nil, nil
	}
	d := float64(xB)/float64(nB) - float64(xA)/float64(nA)
	pa := (float64(xA) + 1) / (float64(nA) + 2)
	pb := (float64(xB) + 1) / (float64(nB) + 2)
	m := Z * math.Sqrt(pa*(1-pa)/(float64(nA)+2)+pb*(1-pb)/(float64(nB)+2))
	return &d, &Interval{pb - pa - m, pb - pa + m}
}

// Welch is mean_B − mean_A with the Welch interval and its degrees of
// freedom; the interval is nil when either side has fewer than 2 values,
// and [d, d] when each side's values are all equal.
func Welch(a, b []float64) (d *float64, ci *Interval, df *float64) {
	if len(a) == 0 || len(b) == 0 {
		return nil, nil, nil
	}
	diff := stat.Mean(b, nil) - stat.Mean(a, nil)
	if len(a) < 2 || len(b) < 2 {
		return &diff, nil, nil
	}
	if allEqual(a) && allEqual(b) {
		return &diff, &Interval{diff, diff}, nil
	}
	va, vb := stat.Variance(a, nil)/float64(len(a)), stat.Variance(b, nil)/float64(len(b))
	se := math.Sqrt(va + vb)
	dof := (va + vb) * (va + vb) / (va*va/float64(len(a)-1) + vb*vb/float64(len(b)-1))
	m := tQuantile(dof) * se
	return &diff, &Interval{diff - m, diff + m}, &dof
}

// TimeRatio is geomean_B / geomean_A with exp of the Welch interval of the
// mean log times.
func TimeRatio(a, b []float64) (*float64, *Interval) {
	la, lb := logs(a), logs(b)
	d, ci, _ := Welch(la, lb)
	if d == nil {
		return nil, nil
	}
	r := math.Exp(*d)
	if ci == nil {
		return &r, nil
	}
	return &r, &Interval{math.Exp(ci[0]), math.Exp(ci[1])}
}

func logs(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Log(x)
	}
	return out
}

// Verdicts on a comparison.
const (
	Better        = "better"
	Worse         = "worse"
	NoClearChange = "no_clear_change"
)

// Verdict judges an interval against the value of no change: better when
// it lies wholly on the good side (above it when higherIsBetter), worse
// wholly on the other, else no clear change; nil without an interval.
func Verdict(ci *Interval, noChange float64, higherIsBetter bool) *string {
	if ci == nil {
		return nil
	}
	v := NoClearChange
	switch {
	case ci[0] > noChange:
		v = Better
	case ci[1] < noChange:
		v = Worse
	}
	if !higherIsBetter && v != NoClearChange {
		if v == Better {
			v = Worse
		} else {
			v = Better
		}
	}
	return &v
}

// MinPerSide is the fewest observations each side of a comparison needs
// (METRICS.md "Too few to compare"): attempts with an outcome for success,
// successful attempts for time, ratings for ease, answers for SUS.
const MinPerSide = 5

// TooFew reports whether a comparison of nA with nB observations has too
// few on either side to be made.
func TooFew(nA, nB int) bool { return nA < MinPerSide || nB < MinPerSide }

// Comparison is release B against release A on one metric: the difference
// (or, for time, the ratio) with its 95% interval and verdict. Every figure
// is nil when either side has fewer than MinPerSide observations.
type Comparison struct {
	Value   *float64
	CI      *Interval
	Verdict *string
}

// clipped is ci clipped to [lo, hi]; nil stays nil.
func clipped(ci *Interval, lo, hi float64) *Interval {
	if ci == nil {
		return nil
	}
	return &Interval{clip(ci[0], lo, hi), clip(ci[1], lo, hi)}
}

// CompareSuccess compares xB successes in nB attempts with xA in nA: the
// Agresti–Caffo difference with its interval clipped to [−1, 1].
func CompareSuccess(xA, nA, xB, nB int) Comparison {
	if TooFew(nA, nB) {
		return Comparison{}
	}
	d, ci := DiffProportions(xA, nA, xB, nB)
	ci = clipped(ci, -1, 1)
	return Comparison{Value: d, CI: ci, Verdict: Verdict(ci, 0, true)}
}

// CompareMeans compares the ratings (or scores) b with a: the Welch
// difference of the means with its interval clipped to [−span, span], the
// largest difference the scale allows (6 for ease, 100 for SUS).
func CompareMeans(a, b []float64, span float64) Comparison {
	if TooFew(len(a), len(b)) {
		return Comparison{}
	}
	d, ci, _ := Welch(a, b)
	ci = clipped(ci, -span, span)
	return Comparison{Value: d, CI: ci, Verdict: Verdict(ci, 0, true)}
}

// CompareTimes compares the successful attempts' times b with a: the ratio
// of geometric means with its interval; below 1 is better.
func CompareTimes(a, b []float64) Comparison {
	if TooFew(len(a), len(b)) {
		return Comparison{}
	}
	r, ci := TimeRatio(a, b)
	return Comparison{Value: r, CI: ci, Verdict: Verdict(ci, 1, false)}
}

// WorkingDays is the working days a staff member has in a year, for the
// time saved against the legacy system.
const WorkingDays = 225

// Savings is the time a task saves against the baseline (the legacy
// system): seconds per task and hours per staff member a year, each with its
// 95% interval. Every figure is nil when the time ratio is.
type Savings struct {
	Seconds   *float64
	SecondsCI *Interval
	Hours     *float64
	HoursCI   *Interval
}

// TimeSaved is the time saved by B against the baseline's times, from the
// time ratio's comparison: geomean_baseline × (1 − ratio), its interval
// geomean_baseline × (1 − the ratio's interval, reversed), and the same in
// hours a year at dailyFrequency times a working day.
func TimeSaved(baseline, b []float64, dailyFrequency float64) Savings {
	ratio := CompareTimes(baseline, b)
	if ratio.Value == nil {
		return Savings{}
	}
	g, _ := Geomean(baseline)
	perYear := dailyFrequency * WorkingDays / 3600
	saved := *g * (1 - *ratio.Value)
	hours := saved * perYear
	s := Savings{Seconds: &saved, Hours: &hours}
	if ratio.CI != nil {
		s.SecondsCI = &Interval{*g * (1 - ratio.CI[1]), *g * (1 - ratio.CI[0])}
		s.HoursCI = &Interval{s.SecondsCI[0] * perYear, s.SecondsCI[1] * perYear}
	}
	return s
}
