package web

// The charts of the report pages: bar charts whose text is HTML (labels
// wrap, and axe can check their contrast) and whose bars, intervals and
// grid are SVG shapes placed on a 0–100 scale, drawn by the templates.

import (
	"fmt"
	"math"
	"strconv"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/stats"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// maxClickMarks is the most clicks a click map draws.
const maxClickMarks = 2000

// barRow is one bar of a horizontal bar chart with its interval; positions
// are percent of the chart's scale.
type barRow struct {
	Label      string
	Note       string // "n = 2, too few to compare"
	Value      string // the figure written beside the bar
	Interval   string
	Bar        float64
	HasBar     bool
	HasCI      bool
	CILo, CIHi float64
}

// chartBand is a shaded stretch of a chart's scale, such as a SUS grade, in
// percent of the scale.
type chartBand struct {
	X, W      float64
	Alternate bool
}

// barChart is a horizontal bar chart on one scale: one measure per chart.
type barChart struct {
	ID    string
	Rows  []barRow
	Ticks []string  // labels of evenly spaced ticks, from the scale's start to its end
	Grid  []float64 // where the ticks are, in percent
	Bands []chartBand
}

// tooFewParticipants marks a release that has too few participants to be
// compared with others (METRICS.md); empty when it has enough.
func tooFewParticipants(n int) string {
	if n >= stats.MinPerSide {
		return ""
	}
	return fmt.Sprintf("n = %d, too few to compare", n)
}

// newBarChart is a chart from 0 to top with evenly spaced ticks.
func newBarChart(id string, ticks []string) barChart {
	ch := barChart{ID: id, Ticks: ticks}
	for i := range ticks {
		ch.Grid = append(ch.Grid, float64(i)*100/float64(len(ticks)-1))
	}
	return ch
}

// bar is a row of a chart from 0 to top: value and its interval, written
// by f, "—" when missing.
func bar(label string, value *float64, ci *stats.Interval, top float64, f func(float64) string) barRow {
	row := barRow{Label: label, Value: "—", Interval: intervalText(ci, f)}
	scale := func(v float64) float64 { return math.Max(0, math.Min(v, top)) / top * 100 }
	if value != nil && !math.IsNaN(*value) {
		row.HasBar, row.Bar, row.Value = true, scale(*value), f(*value)
	}
	if ci != nil && !math.IsNaN(ci[0]) && !math.IsNaN(ci[1]) {
		row.HasCI, row.CILo, row.CIHi = true, scale(ci[0]), scale(ci[1])
	}
	return row
}

func percentTicks() []string { return []string{"0%", "25%", "50%", "75%", "100%"} }

func successChart(r *findings.Report) barChart {
	ch := newBarChart("success-chart", percentTicks())
	for _, t := range r.Tasks {
		ch.Rows = append(ch.Rows, bar(t.Title, t.SuccessRate, t.SuccessCI, 1, pctv))
	}
	return ch
}

func secondsText(v float64) string { return num1v(v) + " s" }

func timeChart(r *findings.Report) barChart {
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
	var ticks []string
	for v := 0.0; v <= top+1e-9; v += step {
		ticks = append(ticks, strconv.FormatFloat(v, 'f', -1, 64)+" s")
	}
	ch := newBarChart("time-chart", ticks)
	for _, t := range r.Tasks {
		ch.Rows = append(ch.Rows, bar(t.Title, t.Time.Geomean, t.Time.CI, top, secondsText))
	}
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

// releaseLabel names a release on a trend chart.
func releaseLabel(rep *findings.Report, current int64) string {
	label := "Release " + rep.Release.Version
	if rep.Release.ID == current {
		label += " (this release)"
	}
	return label
}

// trend fills v's charts and table of success rate per task and SUS score
// from the reports of the workflow's published releases, oldest first:
// one chart per measure.
func trend(v *reportPageView, reports []*findings.Report) {
	current := v.Release
	v.SUSTrend = newBarChart("sus-chart", []string{"0", "25", "50", "75", "100"})
	bands := stats.SUSBands()
	for i, b := range bands {
		to := 100.0
		if i+1 < len(bands) {
			to = bands[i+1].From
		}
		v.SUSTrend.Bands = append(v.SUSTrend.Bands, chartBand{X: b.From, W: to - b.From, Alternate: i%2 == 1})
	}
	for k, t := range current.Definition.Tasks {
		v.TrendTasks = append(v.TrendTasks, t.Title)
		ch := taskTrend{Title: t.Title, Chart: newBarChart(fmt.Sprintf("trend-success-%d", k+1), percentTicks())}
		for _, rep := range reports {
			row := barRow{Label: releaseLabel(rep, current.ID), Value: "—", Interval: "—"}
			for _, tr := range rep.Tasks {
				if tr.Key == t.Key {
					row = bar(releaseLabel(rep, current.ID), tr.SuccessRate, tr.SuccessCI, 1, pctv)
				}
			}
			row.Note = tooFewParticipants(rep.Participants.N)
			ch.Chart.Rows = append(ch.Chart.Rows, row)
		}
		v.SuccessTrend = append(v.SuccessTrend, ch)
	}
	for _, rep := range reports {
		few := tooFewParticipants(rep.Participants.N)
		row := bar(releaseLabel(rep, current.ID), rep.SUS.Mean, rep.SUS.CI, 100, num1v)
		row.Note = few
		if rep.SUS.Grade != nil {
			row.Value += " (grade " + *rep.SUS.Grade + ")"
		}
		v.SUSTrend.Rows = append(v.SUSTrend.Rows, row)
		tr := trendTableRow{Version: rep.Release.Version, SUS: num1(rep.SUS.Mean), N: rep.Participants.N, TooFew: few}
		for _, t := range current.Definition.Tasks {
			val := "—"
			for _, r := range rep.Tasks {
				if r.Key == t.Key {
					val = pct(r.SuccessRate)
				}
			}
			tr.Success = append(tr.Success, val)
		}
		v.TrendRows = append(v.TrendRows, tr)
	}
}

// clickMark is one click drawn on a click map.
type clickMark struct {
	X, Y float64
	Hit  bool
	D    string // the cross's path, for misclicks
}

// clickMap is the clicks of one task's attempts on one screen.
type clickMap struct {
	ID                  string // the fragment that leads to it
	ScreenID            int64
	Key, Title          string
	Width, Height       int
	R                   float64
	Marks               []clickMark
	Total, Hits, Misses int
	Summary             string // "5 clicks: 4 on links, 1 misclick."
	Capped              bool
}

// clickMapID is the fragment of task's click map of screen.
func clickMapID(task, screen string) string { return "click-map-" + task + "-" + screen }

// taskClickMaps draws the clicks of task's attempts on each screen they
// clicked, in the release's screen order, at most maxClickMarks a map.
func taskClickMaps(def *sandpit.Definition, task string, points map[string][]store.ClickPoint) []clickMap {
	var maps []clickMap
	for _, sc := range def.Screens {
		if len(points[sc.Key]) == 0 {
			continue
		}
		m := clickMap{ID: clickMapID(task, sc.Key), ScreenID: sc.ID, Key: sc.Key, Title: sc.Title, Width: sc.Width, Height: sc.Height,
			R: math.Max(3, float64(sc.Width)/170)}
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
		m.Summary = fmt.Sprintf("%s: %d on links, %s.", plural(m.Total, "click", "clicks"), m.Hits, plural(m.Misses, "misclick", "misclicks"))
		maps = append(maps, m)
	}
	return maps
}
