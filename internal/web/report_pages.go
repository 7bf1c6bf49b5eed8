package web

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/stats"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// maxClickMarks is the most clicks a click map draws per screen.
const maxClickMarks = 2000

// Chart geometry, in SVG user units. Charts are drawn in the templates from
// these numbers; every piece of text in them is escaped by html/template.
const (
	chartWidth  = 720
	chartLabelW = 230 // room for the row labels on the left
	chartPlotW  = 400 // the plot area after the labels
	chartRowH   = 44
	chartTop    = 30
)

// countRow is a label with a count, for the participants tables.
type countRow struct {
	Label string
	N     int
}

// reportTaskRow is one task's figures formatted for people.
type reportTaskRow struct {
	Key, Title                                   string
	Attempts, Direct, Indirect, GaveUp           int
	Success, SuccessCI, DirectRate, MisclickRate string
	Time, TimeCI, TimeN                          string
	Ease, EaseCI, EaseN                          string
}

// barRow is one bar of a horizontal bar chart with an interval whisker.
type barRow struct {
	Label      string
	Value      string // the figure written beside the bar
	Interval   string
	Y, BarY    int
	TextY      int
	MidY       int
	BarW       float64
	HasBar     bool
	HasCI      bool
	CILo, CIHi float64 // x of the whisker's ends
	ValueX     float64
}

// axisTick is one labelled tick of a chart's value axis.
type axisTick struct {
	X     float64
	Label string
}

// barChart is a horizontal bar chart.
type barChart struct {
	ID, Title, Desc string
	Width, Height   int
	PlotX, PlotW    int
	AxisY           int
	Rows            []barRow
	Ticks           []axisTick
}

// susBand is a grade's stretch of the SUS scale.
type susBand struct {
	Grade      string
	From, To   float64
	X, W, TX   float64
	Alternate  bool
	LabelAbove bool
}

// susChart is the SUS mean with its interval against the grading scale.
type susChart struct {
	Title, Desc       string
	Width, Height     int
	Bands             []susBand
	Has, HasCI        bool
	MeanX, CILo, CIHi float64
	Mean, CI, Grade   string
	N                 int
	Ticks             []axisTick
}

// trendPoint is one release's value of a trend series.
type trendPoint struct {
	X, Y         float64
	Value        string
	Has          bool
	Shape, Class string
}

// trendSeries is one line of the trend chart.
type trendSeries struct {
	Name    string
	Shape   string // circle, square, triangle or diamond: not colour alone
	Class   string
	Points  []trendPoint
	Line    string // the polyline's points, built from numbers only
	LegendY int
	Legend  trendPoint // the legend's marker
}

// trendRelease is a release on the trend chart's horizontal axis.
type trendRelease struct {
	Version string
	X       float64
	Current bool
}

// trendChart is success rate and SUS across the workflow's releases.
type trendChart struct {
	Title, Desc   string
	Width, Height int
	Releases      []trendRelease
	Series        []trendSeries
	Ticks         []struct {
		Y     float64
		Label string
	}
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

// comparisonRow compares one task in plain words.
type comparisonRow struct {
	Title                        string
	Success, SuccessCI, SuccessV string
	Time, TimeCI, TimeV          string
	Ease, EaseCI, EaseV          string
	TimeSaved, HoursSaved        string
	HasSavings                   bool
}

// comparisonView is a comparison with an earlier release in plain words.
type comparisonView struct {
	Version  string
	Baseline bool
	Tasks    []comparisonRow
	SUS      string
	SUSCI    string
	SUSV     string
}

// clickMark is one click drawn on a click map.
type clickMark struct {
	X, Y float64
	Hit  bool
	D    string // the cross's path, for misclicks
}

// clickMap is one screen's clicks.
type clickMap struct {
	ScreenID            int64
	Key, Title          string
	Width, Height       int
	R                   float64
	Marks               []clickMark
	Total, Hits, Misses int
	Capped              bool
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
}

// reportPage builds the report page of release id for u; s.releaseReport
// checks that u may read it.
func (s *Server) reportPage(c echo.Context, u *sandpit.User, id int64) (*reportPageView, error) {
	ctx := c.Request().Context()
	rep, err := s.releaseReport(c, u, id)
	if err != nil {
		return nil, err
	}
	rel, err := s.store.Release(ctx, id)
	if err != nil {
		return nil, err
	}
	w, err := s.store.Workflow(ctx, rel.WorkflowID)
	if err != nil {
		return nil, err
	}
	v := &reportPageView{Layout: s.layout(c, fmt.Sprintf("Usability report: %s release %s", w.Title, rel.Version)),
		Workflow: w, Release: rel, Report: rep}
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
	v.Previous = comparison(rep.Comparisons.Previous, rep, s.versionOf)
	v.Baseline = comparison(rep.Comparisons.Baseline, rep, s.versionOf)
	if err := s.trend(c, u, w, rel, v); err != nil {
		return nil, err
	}
	points, err := s.store.ClickPoints(ctx, id)
	if err != nil {
		return nil, err
	}
	v.ClickMaps = clickMaps(&rel.Definition, points)
	paths, err := s.store.PathCounts(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, t := range rel.Definition.Tasks {
		v.Paths = append(v.Paths, commonPaths(&rel.Definition, t, paths[t.Key]))
	}
	return v, nil
}

// versionOf is a comparison release's version as the report names it.
func (s *Server) versionOf(r findings.ReleaseRef) string { return r.Version }

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
	return reportTaskRow{Key: t.Key, Title: t.Title, Attempts: t.Attempts, Direct: t.Direct, Indirect: t.Indirect, GaveUp: t.GaveUp,
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

// scaleX maps v in [0, max] onto a chart's plot area.
func scaleX(v, maxV float64) float64 {
	if maxV <= 0 || math.IsNaN(v) {
		return chartLabelW
	}
	return chartLabelW + math.Max(0, math.Min(v, maxV))/maxV*chartPlotW
}

func newBarChart(id, title string, n int) barChart {
	return barChart{ID: id, Title: title, Width: chartWidth, Height: chartTop + n*chartRowH + 40, PlotX: chartLabelW, PlotW: chartPlotW,
		AxisY: chartTop + n*chartRowH}
}

func successChart(r *findings.Report) barChart {
	ch := newBarChart("success-chart", "Task success rate with 95% interval", len(r.Tasks))
	var parts []string
	for i, t := range r.Tasks {
		row := barRow{Label: t.Title, Value: pct(t.SuccessRate), Interval: intervalText(t.SuccessCI, pctv), Y: chartTop + i*chartRowH}
		row.BarY, row.TextY, row.MidY = row.Y+8, row.Y+26, row.Y+20
		if t.SuccessRate != nil {
			row.HasBar, row.BarW = true, scaleX(*t.SuccessRate, 1)-chartLabelW
		}
		row.ValueX = chartLabelW + row.BarW + 6
		if t.SuccessCI != nil {
			row.HasCI, row.CILo, row.CIHi = true, scaleX(t.SuccessCI[0], 1), scaleX(t.SuccessCI[1], 1)
			row.ValueX = math.Max(row.ValueX, row.CIHi+6)
		}
		parts = append(parts, fmt.Sprintf("%s: %s (95%% interval %s)", t.Title, row.Value, row.Interval))
		ch.Rows = append(ch.Rows, row)
	}
	for _, p := range []float64{0, 0.25, 0.5, 0.75, 1} {
		ch.Ticks = append(ch.Ticks, axisTick{X: scaleX(p, 1), Label: pctv(p)})
	}
	ch.Desc = "Success rate per task. " + joinOrNone(parts)
	return ch
}

func timeChart(r *findings.Report) barChart {
	ch := newBarChart("time-chart", "Time on task (geometric mean of successful attempts) with 95% interval", len(r.Tasks))
	maxV := 0.0
	for _, t := range r.Tasks {
		if t.Time.Geomean != nil {
			maxV = math.Max(maxV, *t.Time.Geomean)
		}
		if t.Time.CI != nil {
			maxV = math.Max(maxV, t.Time.CI[1])
		}
	}
	step := niceStep(maxV)
	top := step * 4
	for top < maxV {
		top += step
	}
	var parts []string
	for i, t := range r.Tasks {
		row := barRow{Label: t.Title, Value: secs(t.Time.Geomean), Interval: intervalText(t.Time.CI, func(v float64) string { return num1v(v) + " s" }), Y: chartTop + i*chartRowH}
		row.BarY, row.TextY, row.MidY = row.Y+8, row.Y+26, row.Y+20
		if t.Time.Geomean != nil {
			row.HasBar, row.BarW = true, scaleX(*t.Time.Geomean, top)-chartLabelW
		}
		row.ValueX = chartLabelW + row.BarW + 6
		if t.Time.CI != nil {
			row.HasCI, row.CILo, row.CIHi = true, scaleX(t.Time.CI[0], top), scaleX(t.Time.CI[1], top)
			row.ValueX = math.Max(row.ValueX, row.CIHi+6)
		}
		parts = append(parts, fmt.Sprintf("%s: %s (95%% interval %s)", t.Title, row.Value, row.Interval))
		ch.Rows = append(ch.Rows, row)
	}
	for v := 0.0; v <= top+1e-9; v += step {
		ch.Ticks = append(ch.Ticks, axisTick{X: scaleX(v, top), Label: strconv.FormatFloat(v, 'f', -1, 64) + " s"})
	}
	ch.Desc = "Time on task per task, in seconds. " + joinOrNone(parts)
	return ch
}

// niceStep is a round tick step for an axis up to maxV.
func niceStep(maxV float64) float64 {
	for _, s := range []float64{5, 10, 15, 20, 30, 60, 120, 300, 600} {
		if maxV <= s*4 {
			return s
		}
	}
	return math.Ceil(maxV/4/600) * 600
}

func joinOrNone(parts []string) string {
	if len(parts) == 0 {
		return "There are no tasks."
	}
	return strings.Join(parts, "; ") + "."
}

// susBounds are the lower bounds of the grades of METRICS.md.
var susBounds = []struct {
	grade string
	from  float64
}{{"F", 0}, {"D", 51.7}, {"C-", 62.7}, {"C", 65.0}, {"C+", 71.1}, {"B-", 72.6}, {"B", 74.1}, {"B+", 77.2}, {"A-", 78.9}, {"A", 80.8}, {"A+", 84.1}}

func susX(v float64) float64 { return 20 + math.Max(0, math.Min(v, 100))/100*680 }

func newSUSChart(r findings.SUSReport) susChart {
	ch := susChart{Title: "System Usability Scale score against the grading scale", Width: chartWidth, Height: 170, N: r.N,
		Mean: num1(r.Mean), CI: intervalText(r.CI, num1v), Grade: "—"}
	for i, b := range susBounds {
		to := 100.0
		if i+1 < len(susBounds) {
			to = susBounds[i+1].from
		}
		band := susBand{Grade: b.grade, From: b.from, To: to, X: susX(b.from), W: susX(to) - susX(b.from), Alternate: i%2 == 1}
		band.TX = band.X + band.W/2
		band.LabelAbove = i%2 == 1 && band.W < 20 // narrow bands alternate their labels above and below
		ch.Bands = append(ch.Bands, band)
	}
	for _, v := range []float64{0, 25, 50, 75, 100} {
		ch.Ticks = append(ch.Ticks, axisTick{X: susX(v), Label: strconv.Itoa(int(v))})
	}
	if r.Mean != nil {
		ch.Has, ch.MeanX = true, susX(*r.Mean)
		if r.Grade != nil {
			ch.Grade = *r.Grade
		}
	}
	if r.CI != nil {
		ch.HasCI, ch.CILo, ch.CIHi = true, susX(r.CI[0]), susX(r.CI[1])
	}
	if ch.Has {
		ch.Desc = fmt.Sprintf("Mean SUS score %s from %d questionnaires, grade %s; 95%% interval %s. Grades run from F below 51.7 to A+ from 84.1.", ch.Mean, r.N, ch.Grade, ch.CI)
	} else {
		ch.Desc = "No SUS questionnaires have been answered yet, so there is no score to show."
	}
	return ch
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

func comparison(cmp *findings.Comparison, r *findings.Report, version func(findings.ReleaseRef) string) *comparisonView {
	if cmp == nil {
		return nil
	}
	titles := map[string]string{}
	for _, t := range r.Tasks {
		titles[t.Key] = t.Title
	}
	pp := func(v float64) string { return strconv.FormatFloat(math.Round(v*100), 'f', 0, 64) + " points" }
	ppSigned := func(v float64) string { return signed(v, pp) }
	v := &comparisonView{Version: version(cmp.Release), Baseline: cmp.Release.Baseline}
	for _, t := range cmp.Tasks {
		row := comparisonRow{Title: titles[t.Key], Success: "—", Time: "—", Ease: "—",
			SuccessCI: intervalText(t.SuccessCI, ppSigned), SuccessV: verdictWords(t.SuccessVerdict),
			TimeCI: intervalText(t.TimeCI, func(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) + "×" }), TimeV: verdictWords(t.TimeVerdict),
			EaseCI: intervalText(t.EaseCI, func(x float64) string { return signed(x, num1v) }), EaseV: verdictWords(t.EaseVerdict)}
		if t.SuccessDifference != nil {
			row.Success = ppSigned(*t.SuccessDifference)
		}
		if t.TimeRatio != nil {
			row.Time = strconv.FormatFloat(*t.TimeRatio, 'f', 2, 64) + "× the time"
		}
		if t.EaseDifference != nil {
			row.Ease = signed(*t.EaseDifference, num1v)
		}
		if t.TimeSavedS != nil && t.HoursSavedPerStaffYear != nil {
			row.HasSavings = true
			row.TimeSaved = signed(*t.TimeSavedS, num1v) + " s per task"
			row.HoursSaved = signed(*t.HoursSavedPerStaffYear, num1v) + " hours"
		}
		v.Tasks = append(v.Tasks, row)
	}
	v.SUS = "—"
	if cmp.SUS.Difference != nil {
		v.SUS = signed(*cmp.SUS.Difference, num1v)
	}
	v.SUSCI = intervalText(cmp.SUS.CI, func(x float64) string { return signed(x, num1v) })
	v.SUSV = verdictWords(cmp.SUS.Verdict)
	return v
}

// trend fills v's trend of success rate and SUS across the workflow's
// published releases, oldest first.
func (s *Server) trend(c echo.Context, u *sandpit.User, w *sandpit.Workflow, current *sandpit.Release, v *reportPageView) error {
	var published []sandpit.ReleaseSummary
	for _, r := range w.Releases {
		if r.PublishedAt != nil {
			published = append(published, r)
		}
	}
	sort.SliceStable(published, func(i, j int) bool {
		if !published[i].PublishedAt.Equal(*published[j].PublishedAt) {
			return published[i].PublishedAt.Before(*published[j].PublishedAt)
		}
		return published[i].ID < published[j].ID
	})
	var reports []*findings.Report
	for _, r := range published {
		if r.ID == current.ID {
			reports = append(reports, v.Report)
			continue
		}
		rep, err := s.releaseReport(c, u, r.ID)
		if err != nil {
			return err
		}
		reports = append(reports, rep)
	}
	for _, t := range current.Definition.Tasks {
		v.TrendTasks = append(v.TrendTasks, t.Title)
	}
	ch := trendChart{Title: "Success rate and SUS score across releases", Width: chartWidth, Height: 300}
	const left, right, top, bottom = 60.0, 520.0, 20.0, 240.0
	yOf := func(p float64) float64 { return bottom - math.Max(0, math.Min(p, 100))/100*(bottom-top) }
	for _, p := range []float64{0, 25, 50, 75, 100} {
		ch.Ticks = append(ch.Ticks, struct {
			Y     float64
			Label string
		}{yOf(p), strconv.Itoa(int(p))})
	}
	xOf := func(i int) float64 {
		if len(reports) < 2 {
			return (left + right) / 2
		}
		return left + 20 + float64(i)*(right-left-40)/float64(len(reports)-1)
	}
	shapes := []string{"circle", "square", "triangle"}
	classes := []string{"sandpit-series-1", "sandpit-series-2", "sandpit-series-3"}
	var descParts []string
	for k, t := range current.Definition.Tasks {
		se := trendSeries{Name: "Success: " + t.Title, Shape: shapes[k%len(shapes)], Class: classes[k%len(classes)], LegendY: 30 + k*28}
		for i, rep := range reports {
			pt := trendPoint{X: xOf(i), Value: "—", Shape: se.Shape, Class: se.Class}
			for _, tr := range rep.Tasks {
				if tr.Key == t.Key && tr.SuccessRate != nil {
					pt.Has, pt.Y, pt.Value = true, yOf(*tr.SuccessRate*100), pct(tr.SuccessRate)
				}
			}
			se.Points = append(se.Points, pt)
		}
		se.Line = polyline(se.Points)
		se.Legend = trendPoint{X: 548, Y: float64(se.LegendY - 5), Has: true, Shape: se.Shape, Class: se.Class}
		ch.Series = append(ch.Series, se)
	}
	sus := trendSeries{Name: "SUS score (0 to 100)", Shape: "diamond", Class: "sandpit-series-sus", LegendY: 30 + len(current.Definition.Tasks)*28}
	for i, rep := range reports {
		pt := trendPoint{X: xOf(i), Value: num1(rep.SUS.Mean), Shape: sus.Shape, Class: sus.Class}
		if rep.SUS.Mean != nil {
			pt.Has, pt.Y = true, yOf(*rep.SUS.Mean)
		}
		sus.Points = append(sus.Points, pt)
	}
	sus.Line = polyline(sus.Points)
	sus.Legend = trendPoint{X: 548, Y: float64(sus.LegendY - 5), Has: true, Shape: sus.Shape, Class: sus.Class}
	ch.Series = append(ch.Series, sus)
	for i, rep := range reports {
		ch.Releases = append(ch.Releases, trendRelease{Version: rep.Release.Version, X: xOf(i), Current: rep.Release.ID == current.ID})
		row := trendTableRow{Version: rep.Release.Version, SUS: num1(rep.SUS.Mean), N: rep.Participants.N}
		for _, t := range current.Definition.Tasks {
			val := "—"
			for _, tr := range rep.Tasks {
				if tr.Key == t.Key {
					val = pct(tr.SuccessRate)
				}
			}
			row.Success = append(row.Success, val)
		}
		v.TrendRows = append(v.TrendRows, row)
		descParts = append(descParts, fmt.Sprintf("release %s: success %s, SUS %s", rep.Release.Version, strings.Join(row.Success, " and "), row.SUS))
	}
	ch.Desc = "Task success rates (percent) and mean SUS score for each published release, oldest first: " + strings.Join(descParts, "; ") + "."
	v.Trend = ch
	return nil
}

// polyline joins a series' points that have values, from numbers only.
func polyline(points []trendPoint) string {
	var b strings.Builder
	for _, p := range points {
		if !p.Has {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", p.X, p.Y)
	}
	return b.String()
}

// clickMaps draws each screen's clicks, at most maxClickMarks a screen.
func clickMaps(def *sandpit.Definition, points map[string][]store.ClickPoint) []clickMap {
	var maps []clickMap
	for _, sc := range def.Screens {
		m := clickMap{ScreenID: sc.ID, Key: sc.Key, Title: sc.Title, Width: sc.Width, Height: sc.Height, R: math.Max(3, float64(sc.Width)/170)}
		for _, p := range points[sc.Key] {
			m.Total += p.N
			if p.Hit {
				m.Hits += p.N
			} else {
				m.Misses += p.N
			}
			for range p.N {
				if len(m.Marks) >= maxClickMarks {
					m.Capped = true
					break
				}
				mk := clickMark{X: float64(p.X) + 0.5, Y: float64(p.Y) + 0.5, Hit: p.Hit}
				if !p.Hit {
					r := m.R
					mk.D = fmt.Sprintf("M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f", mk.X-r, mk.Y-r, mk.X+r, mk.Y+r, mk.X+r, mk.Y-r, mk.X-r, mk.Y+r)
				}
				m.Marks = append(m.Marks, mk)
			}
		}
		maps = append(maps, m)
	}
	return maps
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
			Percent: pctv(float64(pc.N) / float64(tp.Total)), Optimal: equalPaths(pc.Path, t.OptimalPath)})
	}
	return tp
}

func equalPaths(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
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

// handleShowAndTell shows a release's report in big type, one section a
// slide, for projecting or printing.
func (s *Server) handleShowAndTell(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u := currentUser(c)
	v, err := s.reportPage(c, u, id)
	if err != nil {
		return err
	}
	st := showAndTellView{reportPageView: v}
	v.Title = fmt.Sprintf("Show and tell: %s release %s", v.Workflow.Title, v.Release.Version)
	var ids []int64
	for i, f := range v.Findings {
		if i < 3 {
			ids = append(ids, f.ID)
		}
	}
	quotes, err := s.store.FindingQuotes(c.Request().Context(), ids)
	if err != nil {
		return err
	}
	for i, f := range v.Findings {
		if i < 3 {
			f.Quote = quotes[f.ID]
			st.Top = append(st.Top, f)
		}
		if f.Status == sandpit.FindingPlanned || f.Status == sandpit.FindingFixed {
			st.YouSaid = append(st.YouSaid, f)
		}
	}
	for _, r := range v.Workflow.Releases { // newest first
		if r.Status == sandpit.StatusDraft {
			next, err := s.store.Release(c.Request().Context(), r.ID)
			if err != nil {
				return err
			}
			st.HasNext, st.NextName, st.NextNotes = true, next.Version, next.Notes
			break
		}
	}
	return s.render(c, http.StatusOK, "report/show_and_tell", st)
}
