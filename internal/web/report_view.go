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
	// MapID and MapTitle lead to the click map of the task and screen the
	// finding was first reported on in this release; empty without one.
	MapID, MapTitle string
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
	Title     string
	Total     int
	TotalText string // "2 finished attempts"
	Rows      []pathRow
}

// taskSection is one task's paths and click maps: where its attempts went.
type taskSection struct {
	Key, Title string
	Paths      taskPaths
	Maps       []clickMap
}

// taskTrend is one task's success rate across releases.
type taskTrend struct {
	Title string
	Chart barChart
}

// fixItem is one line of the report's summary, "What to fix first", with
// the place on the page it is about.
type fixItem struct {
	Kind   string // "Safety concern", "Task" or "Finding"
	Href   string
	Title  string
	Detail string
}

// reportPageView is the usability report of a release.
type reportPageView struct {
	Layout
	Workflow     *sandpit.Workflow
	Release      *sandpit.Release
	Report       *findings.Report
	ResearchOnly bool   // counts research-consented trials only
	TooFew       string // "n = 2, too few to compare" with fewer than 5 participants
	FixFirst     []fixItem
	Safety       []reportFindingRow
	Professions  []countRow
	Targets      []targetProgress // participants by profession against the recruitment targets
	Settings     []countRow
	Tasks        []reportTaskRow
	SuccessChart barChart
	TimeChart    barChart
	SUSMean      string
	SUSSD        string
	SUSCI        string
	SUSGrade     string
	SUSTrend     barChart
	SuccessTrend []taskTrend
	TrendRows    []trendTableRow
	TrendTasks   []string
	Findings     []reportFindingRow
	Previous     *comparisonView
	Baseline     *comparisonView
	TaskSections []taskSection
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
	Top     []reportFindingRow
	YouSaid []youSaidItem
	Next    *nextRelease
}

// youSaidItem is a finding the team has planned or fixed, with its answer.
type youSaidItem struct {
	Title, StatusLabel, Response string
}

// nextRelease is the release made after the one presented.
type nextRelease struct {
	Version, Notes string
	Open, Closed   bool // else a draft, in the making
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
	v.SUSMean, v.SUSSD, v.SUSCI = num1(rep.SUS.Mean), num1(rep.SUS.SD), intervalText(rep.SUS.CI, num1v)
	v.SUSGrade = "—"
	if rep.SUS.Grade != nil {
		v.SUSGrade = *rep.SUS.Grade
	}
	maps := map[string]string{}     // click map id → its title
	byScreen := map[string]string{} // screen key → the first task's click map of it
	for _, t := range rel.Definition.Tasks {
		sec := taskSection{Key: t.Key, Title: t.Title, Paths: commonPaths(&rel.Definition, t, p.Paths[t.Key]),
			Maps: taskClickMaps(&rel.Definition, t.Key, p.Clicks[t.Key])}
		for _, m := range sec.Maps {
			maps[m.ID] = fmt.Sprintf("Clicks on %s during “%s”", m.Title, t.Title)
			if byScreen[m.Key] == "" {
				byScreen[m.Key] = m.ID
			}
		}
		v.TaskSections = append(v.TaskSections, sec)
	}
	for _, f := range rep.Findings {
		row := findingRow(f)
		if place, ok := p.Places[f.ID]; ok {
			// A report made outside a task leads to the screen's first map.
			id := clickMapID(place.Task, place.Screen)
			if maps[id] == "" {
				id = byScreen[place.Screen]
			}
			if id != "" {
				row.MapID, row.MapTitle = id, maps[id]
			}
		}
		v.Findings = append(v.Findings, row)
		if f.SafetyConcern {
			v.Safety = append(v.Safety, row)
		}
	}
	v.Previous = comparison(rep.Comparisons.Previous, rep)
	v.Baseline = comparison(rep.Comparisons.Baseline, rep)
	trend(v, p.Trend)
	v.FixFirst = fixFirst(v.Findings, rep.Tasks)
	return v
}

// fixFirstTasks and fixFirstFindings are how many of the worst tasks and
// of the biggest other findings the summary names.
const (
	fixFirstTasks    = 3
	fixFirstFindings = 3
)

// fixFirst is the report's summary, "What to fix first": every safety
// concern, then the tasks with the lowest success rates (below 100%), then
// the biggest other findings, in METRICS.md's order, each leading to its
// place on the page.
func fixFirst(rows []reportFindingRow, tasks []findings.TaskReport) []fixItem {
	var items []fixItem
	finding := func(f reportFindingRow, kind string) fixItem {
		return fixItem{Kind: kind, Href: "#finding-" + strconv.FormatInt(f.ID, 10), Title: f.Title,
			Detail: fmt.Sprintf("%s, reported by %s (%s of participants), %s", f.SeverityLabel, plural(f.Participants, "participant", "participants"),
				f.FrequencyText, strings.ToLower(f.StatusLabel))}
	}
	for _, f := range rows {
		if f.SafetyConcern {
			items = append(items, finding(f, "Safety concern"))
		}
	}
	var worst []findings.TaskReport
	for _, t := range tasks {
		if t.SuccessRate != nil && *t.SuccessRate < 1 {
			worst = append(worst, t)
		}
	}
	sort.SliceStable(worst, func(i, j int) bool { return *worst[i].SuccessRate < *worst[j].SuccessRate })
	for i, t := range worst {
		if i == fixFirstTasks {
			break
		}
		items = append(items, fixItem{Kind: "Task", Href: "#task-" + t.Key, Title: t.Title,
			Detail: fmt.Sprintf("%s of %s succeeded (95%% interval %s)", pct(t.SuccessRate), plural(t.Attempts, "attempt", "attempts"), intervalText(t.SuccessCI, pctv))})
	}
	n := 0
	for _, f := range rows {
		if !f.SafetyConcern && n < fixFirstFindings {
			items = append(items, finding(f, "Finding"))
			n++
		}
	}
	return items
}

// plural is n with the word for one or for many.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
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
	tp.TotalText = plural(tp.Total, "finished attempt", "finished attempts")
	for i, pc := range counts {
		if i == 5 {
			break
		}
		tp.Rows = append(tp.Rows, pathRow{Text: strings.Join(screenTitles(def, pc.Path), " → "), N: pc.N,
			Percent: pctv(float64(pc.N) / float64(tp.Total)), Optimal: slices.Equal(pc.Path, t.OptimalPath)})
	}
	return tp
}
