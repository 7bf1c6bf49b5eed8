package web

// The report pages' view models: a release report formatted for people.

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/stats"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// countRow is a label with a count, for the participants tables.
type countRow struct {
	Label string
	N     int
}

// reportTaskRow is one task's figures formatted for people.
type reportTaskRow struct {
	Key, Title                                   string
	Attempts, Direct, Indirect, GaveUp, Assisted int
	Success, SuccessCI, DirectRate, MisclickRate string
	Time, TimeCI, TimeN                          string
	Ease, EaseCI, EaseN                          string
}

// reportFindingRow is a finding as the report lists it.
type reportFindingRow struct {
	findings.FindingItem
	CategoryLabel string
	SeverityLabel string
	FrequencyText string
	StatusLabel   string
	Quote         string
}

// change is one metric of a comparison in plain words: a verdict with the
// difference and its interval, or, with too few observations on either
// side, only TooFew.
type change struct {
	TooFew  string // "Too few to compare (n = 2 and 9; at least 5 each)"
	Verdict string
	Figure  string
	CI      string
}

// comparisonRow compares one task in plain words.
type comparisonRow struct {
	Title               string
	Success, Time, Ease change
	TimeSaved           string // "about 19.6 s per task (95% interval 8.1 to 29.0 s)"
	HoursSaved          string
	HasSavings          bool
}

// comparisonView is a comparison with an earlier release in plain words.
type comparisonView struct {
	Version  string
	Baseline bool
	Tasks    []comparisonRow
	SUS      change
}

// pathRow is one of the most common paths of a task.
type pathRow struct {
	Text    string
	N       int
	Percent string
	Optimal bool
}

// taskPaths are a task's most common paths.
type taskPaths struct {
	Title string
	Total int
	Rows  []pathRow
}

// reportPageView is the usability report of a release.
type reportPageView struct {
	Layout
	Workflow     *sandpit.Workflow
	Release      *sandpit.Release
	Report       *findings.Report
	ResearchOnly bool   // counts research-consented trials only
	TooFew       string // "n = 2, too few to compare" with fewer than 5 participants
	Safety       []reportFindingRow
	Professions  []countRow
	Settings     []countRow
	Tasks        []reportTaskRow
	SuccessChart barChart
	TimeChart    barChart
	SUS          susChart
	SUSMean      string
	SUSSD        string
	SUSCI        string
	SUSGrade     string
	Trend        trendChart
	TrendRows    []trendTableRow
	TrendTasks   []string
	Findings     []reportFindingRow
	Previous     *comparisonView
	Baseline     *comparisonView
	ClickMaps    []clickMap
	Paths        []taskPaths
}

// trendTableRow is one release's figures in the trend table.
type trendTableRow struct {
	Version string
	Success []string
	SUS     string
	N       int
	TooFew  string // "n = 2, too few to compare"
}

// showAndTellView is a release's report as slides for a show-and-tell.
type showAndTellView struct {
	*reportPageView
	Top       []reportFindingRow
	YouSaid   []reportFindingRow
	NextNotes string
	NextName  string
	HasNext   bool
}

// newReportPageView is the report page of p.
func newReportPageView(layout Layout, p *app.ReleasePage) *reportPageView {
	rep, rel := p.Report, p.Release
	v := &reportPageView{Layout: layout, Workflow: p.Workflow, Release: rel, Report: rep, ResearchOnly: p.ResearchOnly}
	v.TooFew = tooFewParticipants(rep.Participants.N)
	v.Professions = countRows(rep.Participants.ByProfession)
	v.Settings = countRows(rep.Participants.BySetting)
	for _, t := range rep.Tasks {
		v.Tasks = append(v.Tasks, taskRow(t))
	}
	v.SuccessChart = successChart(rep)
	v.TimeChart = timeChart(rep)
	v.SUS = newSUSChart(rep.SUS)
	v.SUSMean, v.SUSSD, v.SUSCI = num1(rep.SUS.Mean), num1(rep.SUS.SD), intervalText(rep.SUS.CI, num1v)
	v.SUSGrade = "—"
	if rep.SUS.Grade != nil {
		v.SUSGrade = *rep.SUS.Grade
	}
	for _, f := range rep.Findings {
		row := findingRow(f)
		v.Findings = append(v.Findings, row)
		if f.SafetyConcern {
			v.Safety = append(v.Safety, row)
		}
	}
	v.Previous = comparison(rep.Comparisons.Previous, rep)
	v.Baseline = comparison(rep.Comparisons.Baseline, rep)
	trend(v, p.Trend)
	v.ClickMaps = clickMaps(&rel.Definition, p.Clicks)
	for _, t := range rel.Definition.Tasks {
		v.Paths = append(v.Paths, commonPaths(&rel.Definition, t, p.Paths[t.Key]))
	}
	return v
}

func countRows(m map[string]int) []countRow {
	rows := make([]countRow, 0, len(m))
	for k, n := range m {
		rows = append(rows, countRow{Label: sandpit.OptionLabel(k), N: n})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].N != rows[j].N {
			return rows[i].N > rows[j].N
		}
		return rows[i].Label < rows[j].Label
	})
	return rows
}

// Formatting for people: percentages without decimals, seconds and means
// with one decimal, "—" for figures that cannot be computed.
func pct(p *float64) string {
	if p == nil || math.IsNaN(*p) {
		return "—"
	}
	return pctv(*p)
}

func pctv(p float64) string { return strconv.FormatFloat(math.Round(p*100), 'f', 0, 64) + "%" }

func num1(p *float64) string {
	if p == nil || math.IsNaN(*p) {
		return "—"
	}
	return num1v(*p)
}

func num1v(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func secs(p *float64) string {
	if p == nil || math.IsNaN(*p) {
		return "—"
	}
	return num1v(*p) + " s"
}

func intervalText(ci *stats.Interval, f func(float64) string) string {
	if ci == nil || math.IsNaN(ci[0]) || math.IsNaN(ci[1]) {
		return "—"
	}
	return f(ci[0]) + " to " + f(ci[1])
}

func signed(v float64, f func(float64) string) string {
	if v > 0 {
		return "+" + f(v)
	}
	if v < 0 {
		return "−" + f(-v)
	}
	return f(v)
}

func taskRow(t findings.TaskReport) reportTaskRow {
	return reportTaskRow{Key: t.Key, Title: t.Title, Attempts: t.Attempts, Direct: t.Direct, Indirect: t.Indirect, GaveUp: t.GaveUp, Assisted: t.Assisted,
		Success: pct(t.SuccessRate), SuccessCI: intervalText(t.SuccessCI, pctv), DirectRate: pct(t.DirectRate),
		MisclickRate: pctMisclick(t), Time: secs(t.Time.Geomean), TimeCI: intervalText(t.Time.CI, func(v float64) string { return num1v(v) + " s" }),
		TimeN: strconv.Itoa(t.Time.N), Ease: num1(t.Ease.Mean), EaseCI: intervalText(t.Ease.CI, num1v), EaseN: strconv.Itoa(t.Ease.N)}
}

func pctMisclick(t findings.TaskReport) string {
	if t.Attempts == 0 {
		return "—"
	}
	return pctv(t.MisclickRate)
}

func findingRow(f findings.FindingItem) reportFindingRow {
	return reportFindingRow{FindingItem: f, CategoryLabel: sandpit.CategoryLabel(f.Category), SeverityLabel: sandpit.SeverityLabel(f.Severity),
		FrequencyText: pctv(f.Frequency), StatusLabel: sandpit.FindingStatusLabel(f.Status)}
}

// verdictWords is a verdict in plain words.
func verdictWords(v *string) string {
	if v == nil {
		return "Not enough data"
	}
	switch *v {
	case "better":
		return "Better"
	case "worse":
		return "Worse"
	}
	return "No clear change"
}

// tooFewWords says why a comparison of n has no figure (METRICS.md "Too few
// to compare"), this release's count first; empty when n is enough.
func tooFewWords(n findings.Sides) string {
	if !n.TooFew() {
		return ""
	}
	return fmt.Sprintf("Too few to compare (n = %d and %d; at least %d each)", n.B, n.A, stats.MinPerSide)
}

// newChange is one metric's comparison in plain words, figures written by
// f; with too few observations it holds no verdict and no figure.
func newChange(n findings.Sides, value *float64, ci *stats.Interval, verdict *string, f func(float64) string) change {
	if words := tooFewWords(n); words != "" {
		return change{TooFew: words}
	}
	c := change{Verdict: verdictWords(verdict), Figure: "—", CI: intervalText(ci, f)}
	if value != nil {
		c.Figure = f(*value)
	}
	return c
}

// signed1 writes v with one decimal, a plus sign or a real minus sign.
func signed1(v float64) string { return signed(v, num1v) }

// savingWords is a time saved with its interval: "about 19.6 s per task
// (95% interval 8.1 to 29.0 s)".
func savingWords(v float64, ci *stats.Interval, unit, per string) string {
	w := fmt.Sprintf("about %s %s %s", strings.TrimPrefix(signed1(v), "+"), unit, per)
	if ci != nil {
		w += fmt.Sprintf(" (95%% interval %s to %s %s)", strings.TrimPrefix(signed1(ci[0]), "+"), strings.TrimPrefix(signed1(ci[1]), "+"), unit)
	}
	return w
}

// comparison is cmp, of report r, in plain words.
func comparison(cmp *findings.Comparison, r *findings.Report) *comparisonView {
	titles := map[string]string{}
	for _, t := range r.Tasks {
		titles[t.Key] = t.Title
	}
	return comparisonOf(cmp, titles)
}

// comparisonOf is cmp in plain words, its tasks named by titles (task key →
// title).
func comparisonOf(cmp *findings.Comparison, titles map[string]string) *comparisonView {
	if cmp == nil {
		return nil
	}
	pp := func(v float64) string { return strconv.FormatFloat(math.Round(v*100), 'f', 0, 64) + " points" }
	ppSigned := func(v float64) string { return signed(v, pp) }
	ratio := func(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) + "×" }
	v := &comparisonView{Version: cmp.Release.Version, Baseline: cmp.Release.Baseline}
	for _, t := range cmp.Tasks {
		row := comparisonRow{Title: titles[t.Key],
			Success: newChange(t.SuccessN, t.SuccessDifference, t.SuccessCI, t.SuccessVerdict, ppSigned),
			Time:    newChange(t.TimeN, t.TimeRatio, t.TimeCI, t.TimeVerdict, ratio),
			Ease:    newChange(t.EaseN, t.EaseDifference, t.EaseCI, t.EaseVerdict, signed1)}
		if row.Time.TooFew == "" && t.TimeRatio != nil {
			row.Time.Figure += " the time"
		}
		// The time saved is shown only with the time ratio it comes from.
		if t.Savings != nil && t.TimeRatio != nil && t.TimeSavedS != nil && t.HoursSavedPerStaffYear != nil {
			row.HasSavings = true
			row.TimeSaved = savingWords(*t.TimeSavedS, t.TimeSavedCI, "s", "per task")
			row.HoursSaved = savingWords(*t.HoursSavedPerStaffYear, t.HoursSavedCI, "hours", "per staff member a year")
		}
		v.Tasks = append(v.Tasks, row)
	}
	v.SUS = newChange(cmp.SUS.N, cmp.SUS.Difference, cmp.SUS.CI, cmp.SUS.Verdict, func(x float64) string { return signed1(x) + " points" })
	return v
}

// commonPaths returns task's five most common paths.
func commonPaths(def *sandpit.Definition, t sandpit.Task, counts []store.PathCount) taskPaths {
	tp := taskPaths{Title: t.Title}
	for _, pc := range counts {
		tp.Total += pc.N
	}
	for i, pc := range counts {
		if i == 5 {
			break
		}
		tp.Rows = append(tp.Rows, pathRow{Text: strings.Join(screenTitles(def, pc.Path), " → "), N: pc.N,
			Percent: pctv(float64(pc.N) / float64(tp.Total)), Optimal: slices.Equal(pc.Path, t.OptimalPath)})
	}
	return tp
}
