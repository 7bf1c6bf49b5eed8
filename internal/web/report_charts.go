package web

// The SVG charts of the report pages: geometry computed from numbers only,
// drawn by the templates, every piece of text escaped by html/template.

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/stats"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// Chart geometry, in SVG user units. Charts are drawn in the templates from
// these numbers; every piece of text in them is escaped by html/template.
const (
	chartWidth  = 720
	chartLabelW = 230 // room for the row labels on the left
	chartPlotW  = 400 // the plot area after the labels
	chartRowH   = 44
	chartTop    = 30
)

// maxClickMarks is the most clicks a click map draws per screen.
const maxClickMarks = 2000

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
	TooFew  string // "n = 2, too few to compare" under a release with fewer than 5 participants
}

// tooFewParticipants marks a release that has too few participants to be
// compared with others (METRICS.md); empty when it has enough.
func tooFewParticipants(n int) string {
	if n >= stats.MinPerSide {
		return ""
	}
	return fmt.Sprintf("n = %d, too few to compare", n)
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

func susX(v float64) float64 { return 20 + math.Max(0, math.Min(v, 100))/100*680 }

func newSUSChart(r findings.SUSReport) susChart {
	ch := susChart{Title: "System Usability Scale score against the grading scale", Width: chartWidth, Height: 170, N: r.N,
		Mean: num1(r.Mean), CI: intervalText(r.CI, num1v), Grade: "—"}
	bands := stats.SUSBands()
	for i, b := range bands {
		to := 100.0
		if i+1 < len(bands) {
			to = bands[i+1].From
		}
		band := susBand{Grade: b.Grade, From: b.From, To: to, X: susX(b.From), W: susX(to) - susX(b.From), Alternate: i%2 == 1}
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
		ch.Desc = fmt.Sprintf("Mean SUS score %s from %s, grade %s; 95%% interval %s. Grades run from F below 51.7 to A+ from 84.1.", ch.Mean, countOf(int64(r.N), "questionnaire", "questionnaires"), ch.Grade, ch.CI)
	} else {
		ch.Desc = "No SUS questionnaires have been answered yet, so there is no score to show."
	}
	return ch
}

// trend fills v's trend chart and table of success rate and SUS from the
// reports of the workflow's published releases, oldest first.
func trend(v *reportPageView, reports []*findings.Report) {
	current := v.Release
	for _, t := range current.Definition.Tasks {
		v.TrendTasks = append(v.TrendTasks, t.Title)
	}
	ch := trendChart{Title: "Success rate and SUS score across releases", Width: chartWidth, Height: 310}
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
		few := tooFewParticipants(rep.Participants.N)
		ch.Releases = append(ch.Releases, trendRelease{Version: rep.Release.Version, X: xOf(i), Current: rep.Release.ID == current.ID, TooFew: few})
		row := trendTableRow{Version: rep.Release.Version, SUS: num1(rep.SUS.Mean), N: rep.Participants.N, TooFew: few}
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
		name := "release " + rep.Release.Version
		if few != "" {
			name += " (" + few + ")"
		}
		descParts = append(descParts, fmt.Sprintf("%s: success %s, SUS %s", name, strings.Join(row.Success, " and "), row.SUS))
	}
	ch.Desc = "Task success rates (percent) and mean SUS score for each published release, oldest first: " + strings.Join(descParts, "; ") + "."
	v.Trend = ch
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
