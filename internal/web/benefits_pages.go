package web

import (
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/export"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/stats"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// britishNumbers writes numbers as people in the UK read them: 12,345.
var britishNumbers = message.NewPrinter(language.BritishEnglish)

// hoursv writes a number of hours rounded to the hour, with thousands
// separated and a real minus sign.
func hoursv(v float64) string {
	r := math.Round(v)
	if r < 0 {
		return "−" + britishNumbers.Sprintf("%d", int64(-r))
	}
	return britishNumbers.Sprintf("%d", int64(r))
}

// hoursText is a figure in hours, or "—".
func hoursText(p *float64) string {
	if p == nil {
		return "—"
	}
	return hoursv(*p) + " hours"
}

// rangeText is an interval of hours: "5,000 to 20,000 hours", or "—".
func rangeText(ci *stats.Interval) string {
	if ci == nil {
		return "—"
	}
	return hoursv(ci[0]) + " to " + hoursv(ci[1]) + " hours"
}

// londonDate writes t as a day in London: "26 November 2026".
func londonDate(t time.Time) string { return t.In(sandpit.London).Format("2 January 2006") }

// benefitsTaskRow is one task of a workflow's benefits, in plain words.
type benefitsTaskRow struct {
	Title          string
	DailyFrequency string
	TimeSaved      string // "about 19.6 s per task (95% interval …)" or why there is none
	Hours, Range   string
	Success, Time  change
}

// benefitsWorkflowRow is one workflow's benefits in plain words.
type benefitsWorkflowRow struct {
	ID                int64
	Title, TeamName   string
	Staff, Source     string
	Baseline, Release string
	Hours, Range      string
	Tasks             []benefitsTaskRow
	SUS               change
	Reason            string // why it has no figure
}

// benefitsBar is one bar of the benefits chart, in the chart's units.
type benefitsBar struct {
	Label       string
	Value       string
	X, Width    float64 // the bar, from the zero line
	Low, High   float64 // the interval's ends
	HasInterval bool
}

// benefitsView is the benefits page.
type benefitsView struct {
	Layout
	AsOf         string
	Total, Range string
	HasTotal     bool
	Teams        []app.TeamBenefits
	Workflows    []benefitsWorkflowRow
	NotCountable []benefitsWorkflowRow
	Bars         []benefitsBar
	ZeroX        float64
}

// HoursText writes a figure in hours for the template.
func (benefitsView) HoursText(p *float64) string { return hoursText(p) }

// RangeText writes an interval of hours for the template.
func (benefitsView) RangeText(ci *stats.Interval) string { return rangeText(ci) }

// reasonWords says why workflow w has no figure, and what would give it one.
func reasonWords(w app.WorkflowBenefits) string {
	switch w.Reason {
	case app.ReasonNoBaseline:
		return "No baseline yet: publish a release that records the legacy system as it is, marked as the baseline."
	case app.ReasonNoRelease:
		return "No release has been published since the baseline yet."
	case app.ReasonTooFew:
		for _, t := range w.Tasks {
			if t.TimeN.TooFew() {
				return fmt.Sprintf("Too few to compare yet: “%s” has %s in release %s and %s in %s; each needs at least %d.",
					t.Title, successfulAttempts(t.TimeN.B), w.Release.Version, successfulAttempts(t.TimeN.A), w.Baseline.Version, stats.MinPerSide)
			}
		}
		return fmt.Sprintf("Release %s has no task in common with %s to compare.", w.Release.Version, w.Baseline.Version)
	case app.ReasonNoStaffCount:
		return "No staff count yet: add how many staff do this job on the workflow page."
	}
	return ""
}

// successfulAttempts is "1 successful attempt" or "n successful attempts".
func successfulAttempts(n int) string {
	if n == 1 {
		return "1 successful attempt"
	}
	return fmt.Sprintf("%d successful attempts", n)
}

// newBenefitsRow is workflow w in plain words.
func newBenefitsRow(w app.WorkflowBenefits) benefitsWorkflowRow {
	row := benefitsWorkflowRow{ID: w.ID, Title: w.Title, TeamName: w.TeamName, Source: w.StaffCountSource, Hours: hoursText(w.HoursPerYear),
		Range: rangeText(w.HoursCI), Reason: reasonWords(w), Staff: "Not known yet"}
	if w.StaffCount != nil {
		row.Staff = britishNumbers.Sprintf("%d", *w.StaffCount)
	}
	if w.Baseline != nil {
		row.Baseline = w.Baseline.Version
	}
	if w.Release != nil {
		row.Release = w.Release.Version
	}
	pp := func(v float64) string { return strconv.FormatFloat(math.Round(v*100), 'f', 0, 64) + " points" }
	ratio := func(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) + "× the time" }
	for _, t := range w.Tasks {
		tr := benefitsTaskRow{Title: t.Title, DailyFrequency: strconv.FormatFloat(t.DailyFrequency, 'f', -1, 64), Hours: hoursText(t.HoursPerYear),
			Range: rangeText(t.HoursCI), Success: newChange(t.SuccessN, t.SuccessDifference, t.SuccessCI, t.SuccessVerdict, func(v float64) string { return signed(v, pp) }),
			Time: newChange(t.TimeN, t.TimeRatio, t.TimeCI, t.TimeVerdict, ratio)}
		switch {
		case t.Savings != nil && t.TimeSavedS != nil:
			tr.TimeSaved = savingWords(*t.TimeSavedS, t.TimeSavedCI, "s", "per task")
		default:
			tr.TimeSaved = tooFewWords(t.TimeN)
			if tr.TimeSaved == "" {
				tr.TimeSaved = "No figure"
			}
			tr.Hours, tr.Range = "Too few to compare", ""
		}
		row.Tasks = append(row.Tasks, tr)
	}
	if w.SUS != nil {
		row.SUS = newChange(w.SUS.N, w.SUS.Difference, w.SUS.CI, w.SUS.Verdict, func(x float64) string { return signed1(x) + " points" })
	}
	return row
}

// benefitsChart lays out one bar per workflow with a figure, with its
// interval, on a 640-unit-wide scale from the lowest to the highest figure
// or bound (and zero).
func benefitsChart(list []app.WorkflowBenefits) (bars []benefitsBar, zero float64) {
	const left, width = 8.0, 620.0
	lo, hi := 0.0, 0.0
	for _, w := range list {
		lo, hi = math.Min(lo, *w.HoursPerYear), math.Max(hi, *w.HoursPerYear)
		if w.HoursCI != nil {
			lo, hi = math.Min(lo, w.HoursCI[0]), math.Max(hi, w.HoursCI[1])
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	x := func(v float64) float64 { return left + (v-lo)/(hi-lo)*width }
	zero = x(0)
	for _, w := range list {
		b := benefitsBar{Label: w.Title, Value: hoursText(w.HoursPerYear) + " a year"}
		b.X, b.Width = math.Min(zero, x(*w.HoursPerYear)), math.Abs(x(*w.HoursPerYear)-zero)
		if w.HoursCI != nil {
			b.HasInterval, b.Low, b.High = true, x(w.HoursCI[0]), x(w.HoursCI[1])
		}
		bars = append(bars, b)
	}
	return bars, zero
}

// benefitsPageView is the benefits page of the signed-in user.
func (s *Server) benefitsPageView(c echo.Context) (*benefitsView, error) {
	bc, err := s.app.Benefits.Case(c.Request().Context(), actorOf(c))
	if err != nil {
		return nil, err
	}
	v := &benefitsView{Layout: s.layout(c, "Benefits of leaving legacy systems"), AsOf: londonDate(time.Now()), Teams: bc.Teams,
		Total: hoursText(bc.HoursPerYear), Range: rangeText(bc.HoursCI), HasTotal: bc.HoursPerYear != nil}
	for _, w := range bc.Countable() {
		v.Workflows = append(v.Workflows, newBenefitsRow(w))
	}
	for _, w := range bc.NotCountable() {
		v.NotCountable = append(v.NotCountable, newBenefitsRow(w))
	}
	v.Bars, v.ZeroX = benefitsChart(bc.Countable())
	return v, nil
}

// handleBenefits shows the benefits case.
func (s *Server) handleBenefits(c echo.Context) error {
	v, err := s.benefitsPageView(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "benefits/show", v)
}

// benefitsColumns are the columns of the benefits CSV.
var benefitsColumns = []string{"level", "team", "workflow", "staff_count", "staff_count_source", "baseline", "release", "task",
	"daily_frequency", "time_saved_s", "time_saved_ci_low", "time_saved_ci_high", "hours_per_year", "hours_ci_low", "hours_ci_high",
	"success_difference", "success_verdict", "time_verdict", "reason"}

// handleBenefitsCSV downloads the benefits figures as CSV, unrounded: a row
// per task, per workflow, per team and for the organisation.
func (s *Server) handleBenefitsCSV(c echo.Context) error {
	bc, err := s.app.Benefits.Case(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	bound := func(ci *stats.Interval, i int) string {
		if ci == nil {
			return ""
		}
		return strconv.FormatFloat(ci[i], 'f', -1, 64)
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="sandpit-benefits.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	w.UseCRLF = true
	write := func(cells ...string) {
		for i := range cells {
			cells[i] = export.Neutralise(cells[i])
		}
		_ = w.Write(cells)
	}
	write(benefitsColumns...)
	for _, wb := range bc.Workflows {
		staff, base, rel := "", "", ""
		if wb.StaffCount != nil {
			staff = strconv.Itoa(*wb.StaffCount)
		}
		if wb.Baseline != nil {
			base = wb.Baseline.Version
		}
		if wb.Release != nil {
			rel = wb.Release.Version
		}
		for _, t := range wb.Tasks {
			var saved *float64
			var savedCI *stats.Interval
			if t.Savings != nil {
				saved, savedCI = t.TimeSavedS, t.TimeSavedCI
			}
			write("task", wb.TeamName, wb.Title, staff, wb.StaffCountSource, base, rel, t.Key, strconv.FormatFloat(t.DailyFrequency, 'f', -1, 64),
				num(saved), bound(savedCI, 0), bound(savedCI, 1), num(t.HoursPerYear), bound(t.HoursCI, 0), bound(t.HoursCI, 1),
				num(t.SuccessDifference), str(t.SuccessVerdict), str(t.TimeVerdict), "")
		}
		write("workflow", wb.TeamName, wb.Title, staff, wb.StaffCountSource, base, rel, "", "", "", "", "",
			num(wb.HoursPerYear), bound(wb.HoursCI, 0), bound(wb.HoursCI, 1), "", "", "", wb.Reason)
	}
	for _, t := range bc.Teams {
		write("team", t.Name, "", "", "", "", "", "", "", "", "", "", num(t.HoursPerYear), bound(t.HoursCI, 0), bound(t.HoursCI, 1), "", "", "", "")
	}
	write("organisation", "", "", "", "", "", "", "", "", "", "", "", num(bc.HoursPerYear), bound(bc.HoursCI, 0), bound(bc.HoursCI, 1), "", "", "", "")
	w.Flush()
	return w.Error()
}

// monthComparison is a release of the month compared, in plain words.
type monthComparison struct {
	Release  store.MonthRelease
	Previous *comparisonView
	Baseline *comparisonView
}

// monthFindingRow is a finding acted on in the month.
type monthFindingRow struct {
	store.MonthFinding
	StatusLabel string
}

// monthShowAndTellView is a team's monthly show-and-tell page.
type monthShowAndTellView struct {
	Layout
	M            *app.MonthShowAndTell
	Month        string // "October 2026"
	MonthKey     string // "2026-10"
	PrevMonth    string
	NextMonth    string // "" for the current month
	Current      bool   // the month has not ended
	PrevLabel    string // "September 2026"
	NextLabel    string
	Releases     []monthReleaseRow
	Fixed        []monthFindingRow
	Planned      []monthFindingRow
	Comparisons  []monthComparison
	Hours, Range string
	HasHours     bool
	Moved        string // how the figure moved since the start of the month
	Held         string // "Held on 26 November 2026 with 23 people", or ""
	// The record-the-session form's fields.
	Day, MonthField, Year, Attendees string
}

// monthReleaseRow is a release published in the month.
type monthReleaseRow struct {
	store.MonthRelease
	Published string
}

// movedWords says how the team's figure moved from before to after.
func movedWords(before, after *float64) string {
	switch {
	case after == nil && before == nil:
		return "There is no figure yet, at the start or the end of the month."
	case after == nil:
		return fmt.Sprintf("At the start of the month it was %s a year; the releases published since have too few trials to compare yet.", hoursText(before))
	case before == nil:
		return "This is the team's first figure."
	}
	d := *after - *before
	switch {
	case math.Round(d) > 0:
		return fmt.Sprintf("Up %s from %s a year at the start of the month.", hoursText(&d), hoursText(before))
	case math.Round(d) < 0:
		d = -d
		return fmt.Sprintf("Down %s from %s a year at the start of the month.", hoursText(&d), hoursText(before))
	}
	return "Unchanged since the start of the month."
}

// monthShowAndTellView builds the page of team id's show-and-tell of the
// month in the query (this month by default).
func (s *Server) monthShowAndTellView(c echo.Context, id int64, month string) (*monthShowAndTellView, error) {
	if month == "" {
		month = sandpit.MonthOf(time.Now()).String()
	}
	m, err := s.app.Benefits.ShowAndTell(c.Request().Context(), actorOf(c), id, month)
	if err != nil {
		return nil, err
	}
	v := &monthShowAndTellView{Layout: s.layout(c, m.Team.Name+": show-and-tell, "+m.Month.Label()), M: m, Month: m.Month.Label(),
		MonthKey: m.Month.String(), PrevMonth: m.Month.Prev().String(), PrevLabel: m.Month.Prev().Label(), NextLabel: m.Month.Next().Label(), Hours: hoursText(m.Benefits.HoursPerYear),
		Range: rangeText(m.Benefits.HoursCI), HasHours: m.Benefits.HoursPerYear != nil, Moved: movedWords(m.Before.HoursPerYear, m.Benefits.HoursPerYear)}
	v.Current = m.Month == sandpit.MonthOf(time.Now())
	if !v.Current {
		v.NextMonth = m.Month.Next().String()
	}
	for _, r := range m.Releases {
		v.Releases = append(v.Releases, monthReleaseRow{r, londonDate(r.PublishedAt)})
	}
	for _, f := range m.Fixed {
		v.Fixed = append(v.Fixed, monthFindingRow{f, sandpit.FindingStatusLabel(f.Status)})
	}
	for _, f := range m.Planned {
		v.Planned = append(v.Planned, monthFindingRow{f, sandpit.FindingStatusLabel(f.Status)})
	}
	for _, rc := range m.Comparisons {
		v.Comparisons = append(v.Comparisons, monthComparison{Release: rc.Release, Previous: comparisonOf(rc.Previous, rc.Tasks),
			Baseline: comparisonOf(rc.Baseline, rc.Tasks)})
	}
	if h := m.Held; h != nil {
		people := "people"
		if h.Attendees == 1 {
			people = "person"
		}
		on, _ := time.ParseInLocation(time.DateOnly, h.On, sandpit.London)
		v.Held = fmt.Sprintf("Held on %s with %s %s.", londonDate(on), britishNumbers.Sprintf("%d", h.Attendees), people)
		v.Day, v.MonthField, v.Year, v.Attendees = strconv.Itoa(on.Day()), strconv.Itoa(int(on.Month())), strconv.Itoa(on.Year()), strconv.Itoa(h.Attendees)
	}
	return v, nil
}

// handleTeamShowAndTell shows a team's show-and-tell of a month.
func (s *Server) handleTeamShowAndTell(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := s.monthShowAndTellView(c, id, c.QueryParam("month"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "showandtell/month", v)
}

// heldOrder and heldSentences are the record-the-session form's fields and
// error sentences.
var (
	heldOrder     = []string{"on", "attendees"}
	heldSentences = formSentences{
		"on": {sandpit.FieldRequired: "Enter the date the show-and-tell was held", sandpit.FieldFormat: "Enter a real date, like 26 11 2026",
			sandpit.FieldOutOfRange: "Enter a date from the start of the month ({min}) up to today ({max})"},
		"attendees": {"": "Enter how many people came, as a whole number from 1"},
	}
)

// handleShowAndTellRecord records that a team's monthly show-and-tell was
// held.
func (s *Server) handleShowAndTellRecord(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	month := c.Param("month")
	day, mon, year, people := strings.TrimSpace(c.FormValue("on-day")), strings.TrimSpace(c.FormValue("on-month")),
		strings.TrimSpace(c.FormValue("on-year")), strings.TrimSpace(c.FormValue("attendees"))
	held := sandpit.ShowAndTellSession{}
	if day != "" || mon != "" || year != "" {
		d, derr := strconv.Atoi(day)
		m, merr := strconv.Atoi(mon)
		y, yerr := strconv.Atoi(year)
		held.On = "not a date"
		if derr == nil && merr == nil && yerr == nil {
			t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, sandpit.London)
			if t.Day() == d && int(t.Month()) == m && t.Year() == y {
				held.On = t.Format(time.DateOnly)
			}
		}
	}
	if n, aerr := atoiField(people); aerr == nil {
		held.Attendees = n
	}
	_, err = s.app.Benefits.RecordShowAndTell(c.Request().Context(), actorOf(c), id, month, held)
	if errs, ok := fieldErrors(err, heldOrder, heldSentences); ok {
		if errs.Get("month") != "" {
			return err
		}
		v, verr := s.monthShowAndTellView(c, id, month)
		if verr != nil {
			return verr
		}
		v.Errors, v.Day, v.MonthField, v.Year, v.Attendees = errs, day, mon, year, people
		return s.render(c, formStatus(errs), "showandtell/month", v)
	}
	if err != nil {
		return err
	}
	return seeOther(c, fmt.Sprintf("/teams/%d/show-and-tell?month=%s&done=show-and-tell-held#held", id, month))
}

// rhythmView is a team's archive of monthly show-and-tells.
type rhythmView struct {
	Layout
	R    *app.Rhythm
	Rows []rhythmRow
}

// rhythmRow is one month of the archive.
type rhythmRow struct {
	Month, Key, Held string
	Missed, Current  bool
}

// rhythmRows writes a team's months in plain words.
func rhythmRows(r *app.Rhythm) []rhythmRow {
	var rows []rhythmRow
	for _, m := range r.Months {
		row := rhythmRow{Month: m.Month.Label(), Key: m.Month.String(), Current: m.Current, Missed: m.Held == nil && !m.Current}
		if h := m.Held; h != nil {
			on, _ := time.ParseInLocation(time.DateOnly, h.On, sandpit.London)
			row.Held = fmt.Sprintf("Held on %s, %s attending", londonDate(on), britishNumbers.Sprintf("%d", h.Attendees))
		}
		rows = append(rows, row)
	}
	return rows
}

// handleShowAndTellArchive lists a team's monthly show-and-tells.
func (s *Server) handleShowAndTellArchive(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	r, err := s.app.Benefits.Rhythm(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "showandtell/archive", rhythmView{Layout: s.layout(c, r.Team.Name+": monthly show-and-tells"), R: r, Rows: rhythmRows(r)})
}
