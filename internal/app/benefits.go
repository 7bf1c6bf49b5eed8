package app

import (
	"context"
	"sort"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/stats"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// benefitsStore is what Benefits needs of the store.
type benefitsStore interface {
	Team(ctx context.Context, id int64) (*sandpit.Team, error)
	BenefitsWorkflows(ctx context.Context, scope store.Scope, until *time.Time) ([]store.BenefitsWorkflow, error)
	TeamReleasesPublished(ctx context.Context, teamID int64, from, to time.Time) ([]store.MonthRelease, error)
	TeamParticipants(ctx context.Context, teamID int64, from, to time.Time) (map[string]int, error)
	TeamFindingsActedOn(ctx context.Context, teamID int64, from, to time.Time) (fixed, planned []store.MonthFinding, err error)
	RecordShowAndTell(ctx context.Context, teamID int64, month string, held sandpit.ShowAndTellSession, by int64, entry sandpit.AuditEntry) error
	ShowAndTells(ctx context.Context, teamID int64) (map[string]store.HeldShowAndTell, error)
	TeamFirstPublished(ctx context.Context, teamID int64) (*time.Time, error)
}

// Benefits is the use cases of the organisation's benefits case and each
// team's monthly show-and-tell.
type Benefits struct {
	store   benefitsStore
	reports *Reports
	now     func() time.Time
}

func newBenefits(st *store.Store, cfg Config, reports *Reports) *Benefits {
	return &Benefits{store: st, reports: reports, now: cfg.Now}
}

// Why a workflow has no benefits figure.
const (
	ReasonNoBaseline   = "no_baseline"    // no baseline (legacy) release published
	ReasonNoRelease    = "no_release"     // nothing published after the baseline
	ReasonTooFew       = "too_few"        // no task's time has enough observations to compare
	ReasonNoStaffCount = "no_staff_count" // nobody has said how many staff do the job
)

// BenefitsCase is the hours a year the organisation would save by leaving
// its legacy systems: per workflow and task, per team and in all, each with
// its 95% interval. Totals add the figures and the bounds of the intervals:
// a conservative range.
type BenefitsCase struct {
	Workflows    []WorkflowBenefits
	Teams        []TeamBenefits
	HoursPerYear *float64
	HoursCI      *stats.Interval
}

// Countable returns the workflows with a figure.
func (c *BenefitsCase) Countable() []WorkflowBenefits { return c.filter(true) }

// NotCountable returns the workflows without a figure, each with its
// reason.
func (c *BenefitsCase) NotCountable() []WorkflowBenefits { return c.filter(false) }

func (c *BenefitsCase) filter(countable bool) []WorkflowBenefits {
	var out []WorkflowBenefits
	for _, w := range c.Workflows {
		if (w.Reason == "") == countable {
			out = append(out, w)
		}
	}
	return out
}

// TeamBenefits is a team's total.
type TeamBenefits struct {
	ID           int64
	Name         string
	HoursPerYear *float64
	HoursCI      *stats.Interval
}

// WorkflowBenefits is one workflow's part of the benefits case: the
// comparison of its latest release with its baseline and the hours it
// saves a year, or the reason it has no figure.
type WorkflowBenefits struct {
	ID               int64
	Title            string
	TeamID           int64
	TeamName         string
	StaffCount       *int
	StaffCountSource string
	Baseline         *store.ReleaseRef
	Release          *store.ReleaseRef
	Tasks            []TaskBenefits
	SUS              *findings.DiffFigures // the release's SUS against the baseline
	HoursPerYear     *float64
	HoursCI          *stats.Interval
	Reason           string // "" when it has a figure
}

// TaskBenefits is one task's time saved against the baseline and what it
// comes to a year for the organisation, with its success-rate change.
type TaskBenefits struct {
	Key            string
	Title          string
	DailyFrequency float64
	findings.TaskComparison
	HoursPerYear *float64 // time saved × daily frequency × 225 ÷ 3600 × staff count
	HoursCI      *stats.Interval
}

// Case returns the benefits case of the teams a may read it for: every team
// for admins, their own teams for product owners.
func (b *Benefits) Case(ctx context.Context, a Actor) (*BenefitsCase, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	sc := sandpit.BenefitsScope(a.User)
	if err := allow(sc.All || len(sc.TeamIDs) > 0); err != nil {
		return nil, err
	}
	return b.benefits(ctx, store.Scope{All: sc.All, Teams: sc.TeamIDs}, nil)
}

// benefits is the benefits case of the workflows in scope, from the
// releases published before until (nil: every release published).
func (b *Benefits) benefits(ctx context.Context, scope store.Scope, until *time.Time) (*BenefitsCase, error) {
	list, err := b.store.BenefitsWorkflows(ctx, scope, until)
	if err != nil {
		return nil, err
	}
	c := &BenefitsCase{}
	for _, w := range list {
		wb, err := b.workflow(ctx, w)
		if err != nil {
			return nil, err
		}
		c.Workflows = append(c.Workflows, wb)
		if len(c.Teams) == 0 || c.Teams[len(c.Teams)-1].ID != w.TeamID {
			c.Teams = append(c.Teams, TeamBenefits{ID: w.TeamID, Name: w.TeamName})
		}
		t := &c.Teams[len(c.Teams)-1]
		t.HoursPerYear, t.HoursCI = addHours(t.HoursPerYear, t.HoursCI, wb.HoursPerYear, wb.HoursCI)
		c.HoursPerYear, c.HoursCI = addHours(c.HoursPerYear, c.HoursCI, wb.HoursPerYear, wb.HoursCI)
	}
	return c, nil
}

// workflow works out w's benefits from the baseline comparison of its
// latest release, as its report makes it.
func (b *Benefits) workflow(ctx context.Context, w store.BenefitsWorkflow) (WorkflowBenefits, error) {
	wb := WorkflowBenefits{ID: w.ID, Title: w.Title, TeamID: w.TeamID, TeamName: w.TeamName, StaffCount: w.StaffCount.Count,
		StaffCountSource: w.StaffCount.Source, Baseline: w.Baseline, Release: w.Release}
	switch {
	case w.Baseline == nil:
		wb.Reason = ReasonNoBaseline
		return wb, nil
	case w.Release == nil:
		wb.Reason = ReasonNoRelease
		return wb, nil
	}
	cmp, def, err := b.reports.againstBaseline(ctx, w.Release.ID, w.Baseline.ID)
	if err != nil {
		return wb, err
	}
	wb.SUS = &cmp.SUS
	compared := false
	for _, tc := range cmp.Tasks {
		t := def.Task(tc.Key)
		tb := TaskBenefits{Key: tc.Key, Title: t.Title, DailyFrequency: t.DailyFrequency, TaskComparison: tc}
		if tc.Savings != nil && tc.Savings.HoursSavedPerStaffYear != nil {
			compared = true
			if staff := w.StaffCount.Count; staff != nil {
				n := float64(*staff)
				h := *tc.Savings.HoursSavedPerStaffYear * n
				tb.HoursPerYear = &h
				if ci := tc.Savings.HoursSavedCI; ci != nil {
					tb.HoursCI = &stats.Interval{ci[0] * n, ci[1] * n}
				}
				wb.HoursPerYear, wb.HoursCI = addHours(wb.HoursPerYear, wb.HoursCI, tb.HoursPerYear, tb.HoursCI)
			}
		}
		wb.Tasks = append(wb.Tasks, tb)
	}
	switch {
	case !compared:
		wb.Reason, wb.HoursPerYear, wb.HoursCI = ReasonTooFew, nil, nil
	case w.StaffCount.Count == nil:
		wb.Reason = ReasonNoStaffCount
	}
	return wb, nil
}

// addHours adds figure h with interval ci to the total sum with its
// interval: figures add, and so do the bounds of their intervals. A nil
// figure adds nothing.
func addHours(sum *float64, sumCI *stats.Interval, h *float64, ci *stats.Interval) (*float64, *stats.Interval) {
	if h == nil {
		return sum, sumCI
	}
	total := *h
	if sum != nil {
		total += *sum
	}
	var lo, hi float64
	if sumCI != nil {
		lo, hi = sumCI[0], sumCI[1]
	} else if sum != nil {
		lo, hi = *sum, *sum
	}
	if ci != nil {
		lo, hi = lo+ci[0], hi+ci[1]
	} else {
		lo, hi = lo+*h, hi+*h
	}
	return &total, &stats.Interval{lo, hi}
}

// MonthShowAndTell is what changed in a team's calendar month (Europe/
// London) across its workflows, for the monthly show-and-tell.
type MonthShowAndTell struct {
	Team         *sandpit.Team
	Month        sandpit.Month
	Releases     []store.MonthRelease
	Participants []StaffGroup
	Fixed        []store.MonthFinding
	Planned      []store.MonthFinding
	Comparisons  []ReleaseComparisons
	// Benefits is the team's benefits case from the releases published by
	// the end of the month; Before by its start, to say how it moved.
	Benefits *BenefitsCase
	Before   *BenefitsCase
	Held     *store.HeldShowAndTell
	CanEdit  bool // may record that it was held
}

// StaffGroup counts the clinicians of one profession who took part.
type StaffGroup struct {
	Profession string
	N          int
}

// ParticipantsTotal counts every clinician who took part.
func (m *MonthShowAndTell) ParticipantsTotal() int {
	n := 0
	for _, g := range m.Participants {
		n += g.N
	}
	return n
}

// ReleaseComparisons is a release published in the month compared with
// the workflow's previous release and its baseline, as its report does.
type ReleaseComparisons struct {
	Release  store.MonthRelease
	Tasks    map[string]string // task key → title
	Previous *findings.Comparison
	Baseline *findings.Comparison
}

// team returns team teamID if a may read its show-and-tells: ENOTFOUND for
// people who may not see the team, EFORBIDDEN for those who may only look.
func (b *Benefits) team(ctx context.Context, a Actor, teamID int64, can func(*sandpit.User, int64) bool) (*sandpit.Team, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	t, err := b.store.Team(ctx, teamID)
	if err != nil {
		return nil, err
	}
	if err := visible(sandpit.CanViewTeam(a.User, t.ID), "Team"); err != nil {
		return nil, err
	}
	return t, allow(can(a.User, t.ID))
}

// pastMonth reads month, which must not lie after the current one.
func (b *Benefits) pastMonth(raw string) (sandpit.Month, error) {
	m, err := sandpit.ParseMonth("month", raw)
	if err != nil {
		return m, err
	}
	if sandpit.MonthOf(b.now()).Before(m) {
		return m, sandpit.Invalid("Choose a month that has started.", sandpit.FieldError{Field: "month", Code: sandpit.FieldOutOfRange,
			Params: sandpit.Params{"min": "2000-01", "max": sandpit.MonthOf(b.now()).String()}})
	}
	return m, nil
}

// ShowAndTell returns team teamID's show-and-tell of month (YYYY-MM).
func (b *Benefits) ShowAndTell(ctx context.Context, a Actor, teamID int64, month string) (*MonthShowAndTell, error) {
	t, err := b.team(ctx, a, teamID, sandpit.CanReadShowAndTell)
	if err != nil {
		return nil, err
	}
	m, err := b.pastMonth(month)
	if err != nil {
		return nil, err
	}
	from, to := m.Start(), m.End()
	out := &MonthShowAndTell{Team: t, Month: m, CanEdit: sandpit.CanRecordShowAndTell(a.User, t.ID)}
	if out.Releases, err = b.store.TeamReleasesPublished(ctx, t.ID, from, to); err != nil {
		return nil, err
	}
	groups, err := b.store.TeamParticipants(ctx, t.ID, from, to)
	if err != nil {
		return nil, err
	}
	for p, n := range groups {
		out.Participants = append(out.Participants, StaffGroup{p, n})
	}
	sort.Slice(out.Participants, func(i, j int) bool {
		x, y := out.Participants[i], out.Participants[j]
		return x.N > y.N || (x.N == y.N && x.Profession < y.Profession)
	})
	if out.Fixed, out.Planned, err = b.store.TeamFindingsActedOn(ctx, t.ID, from, to); err != nil {
		return nil, err
	}
	for _, r := range out.Releases {
		if r.Baseline {
			continue
		}
		rep, err := b.reports.build(ctx, r.ID, false)
		if err != nil {
			return nil, err
		}
		rc := ReleaseComparisons{Release: r, Tasks: map[string]string{}, Previous: rep.Comparisons.Previous, Baseline: rep.Comparisons.Baseline}
		for _, task := range rep.Tasks {
			rc.Tasks[task.Key] = task.Title
		}
		out.Comparisons = append(out.Comparisons, rc)
	}
	scope := store.Scope{Teams: []int64{t.ID}}
	if out.Benefits, err = b.benefits(ctx, scope, &to); err != nil {
		return nil, err
	}
	if out.Before, err = b.benefits(ctx, scope, &from); err != nil {
		return nil, err
	}
	held, err := b.store.ShowAndTells(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	if h, ok := held[m.String()]; ok {
		out.Held = &h
	}
	return out, nil
}

// RecordShowAndTell records that team teamID held its show-and-tell of
// month (YYYY-MM), and returns the session.
func (b *Benefits) RecordShowAndTell(ctx context.Context, a Actor, teamID int64, month string, s sandpit.ShowAndTellSession) (*store.HeldShowAndTell, error) {
	t, err := b.team(ctx, a, teamID, sandpit.CanRecordShowAndTell)
	if err != nil {
		return nil, err
	}
	m, err := b.pastMonth(month)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(m, b.now()); err != nil {
		return nil, err
	}
	if err := b.store.RecordShowAndTell(ctx, t.ID, m.String(), s, a.ID(), a.teamEntry(sandpit.AuditShowAndTellHeld, t.ID)); err != nil {
		return nil, err
	}
	return &store.HeldShowAndTell{Month: m.String(), On: s.On, Attendees: s.Attendees}, nil
}

// Rhythm is a team's monthly show-and-tells, from the month it first
// published a release to this one, newest first.
type Rhythm struct {
	Team    *sandpit.Team
	Months  []RhythmMonth
	Held    int // months held
	Missed  int // past months not held
	CanEdit bool
}

// RhythmMonth is one month of a team's rhythm.
type RhythmMonth struct {
	Month   sandpit.Month
	Held    *store.HeldShowAndTell
	Current bool // this month: not missed yet
}

// Rhythm returns team teamID's months of show-and-tell.
func (b *Benefits) Rhythm(ctx context.Context, a Actor, teamID int64) (*Rhythm, error) {
	t, err := b.team(ctx, a, teamID, sandpit.CanReadShowAndTell)
	if err != nil {
		return nil, err
	}
	return b.rhythm(ctx, t, sandpit.CanRecordShowAndTell(a.User, t.ID))
}

func (b *Benefits) rhythm(ctx context.Context, t *sandpit.Team, canEdit bool) (*Rhythm, error) {
	r := &Rhythm{Team: t, CanEdit: canEdit}
	first, err := b.store.TeamFirstPublished(ctx, t.ID)
	if err != nil || first == nil {
		return r, err
	}
	held, err := b.store.ShowAndTells(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	now := sandpit.MonthOf(b.now())
	for m, n := sandpit.MonthOf(*first), 0; !now.Before(m) && n < 240; m, n = m.Next(), n+1 {
		rm := RhythmMonth{Month: m, Current: m == now}
		if h, ok := held[m.String()]; ok {
			rm.Held = &h
			r.Held++
		} else if !rm.Current {
			r.Missed++
		}
		r.Months = append([]RhythmMonth{rm}, r.Months...)
	}
	return r, nil
}

// TeamRhythm returns the rhythm of team teamID for its admin page; nil for
// people who may not read the team's show-and-tells.
func (b *Benefits) TeamRhythm(ctx context.Context, a Actor, teamID int64) (*Rhythm, error) {
	t, err := b.store.Team(ctx, teamID)
	if err != nil || !sandpit.CanReadShowAndTell(a.User, t.ID) {
		return nil, err
	}
	return b.rhythm(ctx, t, sandpit.CanRecordShowAndTell(a.User, t.ID))
}
