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
