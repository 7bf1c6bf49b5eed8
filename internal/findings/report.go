package findings

import (
	"sort"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/stats"
)

// Report is a release's usability report, as API.md shows it. A figure
// that cannot be computed is null.
type Report struct {
	Release      ReleaseRef    `json:"release"`
	Participants Participants  `json:"participants"`
	Tasks        []TaskReport  `json:"tasks"`
	SUS          SUSReport     `json:"sus"`
	Findings     []FindingItem `json:"findings"`
	Comparisons  Comparisons   `json:"comparisons"`
}

// ReleaseRef names a release.
type ReleaseRef struct {
	ID       int64  `json:"id"`
	Version  string `json:"version"`
	Baseline bool   `json:"baseline"`
}

// Participants counts the release's trials.
type Participants struct {
	N            int            `json:"n"`
	ByProfession map[string]int `json:"by_profession"`
	BySetting    map[string]int `json:"by_setting"`
}

// TaskReport is one task's figures.
type TaskReport struct {
	Key          string          `json:"key"`
	Title        string          `json:"title"`
	Attempts     int             `json:"attempts"`
	Direct       int             `json:"direct"`
	Indirect     int             `json:"indirect"`
	GaveUp       int             `json:"gave_up"`
	Assisted     int             `json:"assisted"` // attempts with an outcome that used the list of links
	SuccessRate  *float64        `json:"success_rate"`
	SuccessCI    *stats.Interval `json:"success_ci"`
	DirectRate   *float64        `json:"direct_rate"`
	MisclickRate float64         `json:"misclick_rate"`
	Time         TimeFigures     `json:"time_s"`
	Ease         MeanFigures     `json:"ease"`
}

// TimeFigures are the times of successful attempts, in seconds.
type TimeFigures struct {
	N       int             `json:"n"`
	Geomean *float64        `json:"geomean"`
	CI      *stats.Interval `json:"ci"`
}

// MeanFigures are a mean with its interval.
type MeanFigures struct {
	N    int             `json:"n"`
	Mean *float64        `json:"mean"`
	CI   *stats.Interval `json:"ci"`
}

// SUSReport is the release's SUS.
type SUSReport struct {
	N     int             `json:"n"`
	Mean  *float64        `json:"mean"`
	SD    *float64        `json:"sd"`
	CI    *stats.Interval `json:"ci"`
	Grade *string         `json:"grade"`
}

// FindingItem is a finding as a release report lists it.
type FindingItem struct {
	ID            int64   `json:"id"`
	Title         string  `json:"title"`
	Category      string  `json:"category"`
	Severity      int     `json:"severity"`
	Participants  int     `json:"participants"`
	Frequency     float64 `json:"frequency"`
	SafetyConcern bool    `json:"safety_concern"`
	Status        string  `json:"status"`
	Response      string  `json:"response"`
}

// Comparisons compare the release with the previous one and the baseline.
type Comparisons struct {
	Previous *Comparison `json:"previous"`
	Baseline *Comparison `json:"baseline"`
}

// Comparison is release B against an earlier release A.
type Comparison struct {
	Release ReleaseRef       `json:"release"`
	Tasks   []TaskComparison `json:"tasks"`
	SUS     DiffFigures      `json:"sus"`
}

// TaskComparison compares one task matched by key. Each figure is null
// when either side has fewer than stats.MinPerSide observations (METRICS.md
// "Too few to compare"); the counts on each side are kept, out of the JSON,
// for pages to say so.
type TaskComparison struct {
	Key               string          `json:"key"`
	SuccessDifference *float64        `json:"success_difference"`
	SuccessCI         *stats.Interval `json:"success_ci"`
	SuccessVerdict    *string         `json:"success_verdict"`
	TimeRatio         *float64        `json:"time_ratio"`
	TimeCI            *stats.Interval `json:"time_ci"`
	TimeVerdict       *string         `json:"time_verdict"`
	EaseDifference    *float64        `json:"ease_difference"`
	EaseCI            *stats.Interval `json:"ease_ci"`
	EaseVerdict       *string         `json:"ease_verdict"`
	*Savings                          // against the baseline only
	SuccessN          Sides           `json:"-"` // attempts with an outcome
	TimeN             Sides           `json:"-"` // successful attempts
	EaseN             Sides           `json:"-"` // ratings
}

// Sides counts the observations of a comparison's earlier release A and
// its release B.
type Sides struct{ A, B int }

// TooFew reports whether either side has too few observations to compare.
func (n Sides) TooFew() bool { return stats.TooFew(n.A, n.B) }

// Savings is a task's time saved against the baseline release, in seconds
// per task and hours per staff member a year, with 95% intervals; all null
// when the time ratio is.
type Savings struct {
	TimeSavedS             *float64        `json:"time_saved_s"`
	TimeSavedCI            *stats.Interval `json:"time_saved_ci"`
	HoursSavedPerStaffYear *float64        `json:"hours_saved_per_staff_year"`
	HoursSavedCI           *stats.Interval `json:"hours_saved_ci"`
}

// DiffFigures is a difference with its interval and verdict.
type DiffFigures struct {
	Difference *float64        `json:"difference"`
	CI         *stats.Interval `json:"ci"`
	Verdict    *string         `json:"verdict"`
	N          Sides           `json:"-"`
}

// WorkingDays is the working days a staff member has in a year, for the
// time saved against the legacy system.
const WorkingDays = stats.WorkingDays

// Side is one release's figures with its definition, for building reports.
type Side struct {
	Ref     ReleaseRef
	Def     *sandpit.Definition
	Figures *Figures
}

// Build makes the report of release b, comparing it with previous and
// baseline when they are not nil.
func Build(b Side, previous, baseline *Side) Report {
	r := Report{Release: b.Ref, Participants: participants(b.Figures), Tasks: []TaskReport{}, Findings: []FindingItem{}}
	for _, t := range b.Def.Tasks {
		r.Tasks = append(r.Tasks, taskReport(t, b.Figures))
	}
	r.SUS = susReport(b.Figures.SUS)
	for _, f := range b.Figures.Findings {
		item := FindingItem{ID: f.ID, Title: f.Title, Category: f.Category, Severity: f.Severity, Participants: f.Participants,
			SafetyConcern: f.SafetyConcern, Status: f.Status, Response: f.Response}
		if r.Participants.N > 0 {
			item.Frequency = float64(f.Participants) / float64(r.Participants.N)
		}
		r.Findings = append(r.Findings, item)
	}
	SortFindings(r.Findings, b.Figures.Findings)
	if previous != nil {
		c := compare(*previous, b, false)
		r.Comparisons.Previous = &c
	}
	if baseline != nil {
		c := compare(*baseline, b, true)
		r.Comparisons.Baseline = &c
	}
	return r
}

// Place is what decides a finding's place in every list of findings.
type Place struct {
	ID            int64
	SafetyConcern bool
	Severity      int
	Frequency     float64
	CreatedAt     time.Time
}

// Before reports whether a finding at a comes before one at b, as every page
// and the API show them: safety concerns first, then higher severity, then
// higher frequency, then oldest.
func (a Place) Before(b Place) bool {
	switch {
	case a.SafetyConcern != b.SafetyConcern:
		return a.SafetyConcern
	case a.Severity != b.Severity:
		return a.Severity > b.Severity
	case a.Frequency != b.Frequency:
		return a.Frequency > b.Frequency
	case !a.CreatedAt.Equal(b.CreatedAt):
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.ID < b.ID
}

// SortFindings orders a report's findings by Place.
func SortFindings(items []FindingItem, figures []FindingFigures) {
	created := map[int64]time.Time{}
	for _, f := range figures {
		created[f.ID] = f.CreatedAt
	}
	place := func(f FindingItem) Place {
		return Place{ID: f.ID, SafetyConcern: f.SafetyConcern, Severity: f.Severity, Frequency: f.Frequency, CreatedAt: created[f.ID]}
	}
	sort.SliceStable(items, func(i, j int) bool { return place(items[i]).Before(place(items[j])) })
}

func participants(f *Figures) Participants {
	p := Participants{ByProfession: map[string]int{}, BySetting: map[string]int{}}
	for _, c := range f.Participants {
		p.N += c.N
		p.ByProfession[c.Profession] += c.N
		p.BySetting[c.Setting] += c.N
	}
	return p
}

func taskReport(t sandpit.Task, f *Figures) TaskReport {
	tr := TaskReport{Key: t.Key, Title: t.Title}
	clicks, misclicks := 0, 0
	for _, o := range f.Outcomes {
		if o.TaskKey != t.Key {
			continue
		}
		tr.Attempts += o.N
		tr.Assisted += o.Assisted
		clicks, misclicks = clicks+o.Clicks, misclicks+o.Misclicks
		switch sandpit.Outcome(o.Outcome) {
		case sandpit.OutcomeDirect:
			tr.Direct += o.N
		case sandpit.OutcomeIndirect:
			tr.Indirect += o.N
		case sandpit.OutcomeGaveUp:
			tr.GaveUp += o.N
		}
	}
	if tr.Attempts > 0 {
		success := float64(tr.Direct+tr.Indirect) / float64(tr.Attempts)
		direct := float64(tr.Direct) / float64(tr.Attempts)
		tr.SuccessRate, tr.DirectRate = &success, &direct
	}
	tr.SuccessCI = stats.AdjustedWald(tr.Direct+tr.Indirect, tr.Attempts)
	if clicks > 0 {
		tr.MisclickRate = float64(misclicks) / float64(clicks)
	}
	times := f.Durations[t.Key]
	tr.Time.N = len(times)
	tr.Time.Geomean, tr.Time.CI = stats.Geomean(times)
	ease := f.Ease[t.Key]
	tr.Ease = MeanFigures{N: len(ease), Mean: stats.Mean(ease), CI: stats.MeanCI(ease, 1, 7)}
	return tr
}

func susReport(scores []float64) SUSReport {
	s := SUSReport{N: len(scores), Mean: stats.Mean(scores), SD: stats.SD(scores), CI: stats.MeanCI(scores, 0, 100)}
	if s.Mean != nil {
		g := stats.SUSGrade(*s.Mean)
		s.Grade = &g
	}
	return s
}

// compare compares b with the earlier release a, tasks matched by key;
// against the baseline it adds the time saved. The rules of METRICS.md
// (at least 5 a side, intervals inside the scale) are the stats package's.
func compare(a, b Side, withSavings bool) Comparison {
	c := Comparison{Release: a.Ref, Tasks: []TaskComparison{}}
	for _, t := range b.Def.Tasks {
		if a.Def.Task(t.Key) == nil {
			continue
		}
		ta, tb := taskReport(*a.Def.Task(t.Key), a.Figures), taskReport(t, b.Figures)
		timesA, timesB := a.Figures.Durations[t.Key], b.Figures.Durations[t.Key]
		easeA, easeB := a.Figures.Ease[t.Key], b.Figures.Ease[t.Key]
		tc := TaskComparison{Key: t.Key, SuccessN: Sides{ta.Attempts, tb.Attempts}, TimeN: Sides{len(timesA), len(timesB)},
			EaseN: Sides{len(easeA), len(easeB)}}
		success := stats.CompareSuccess(ta.Direct+ta.Indirect, ta.Attempts, tb.Direct+tb.Indirect, tb.Attempts)
		tc.SuccessDifference, tc.SuccessCI, tc.SuccessVerdict = success.Value, success.CI, success.Verdict
		ratio := stats.CompareTimes(timesA, timesB)
		tc.TimeRatio, tc.TimeCI, tc.TimeVerdict = ratio.Value, ratio.CI, ratio.Verdict
		ease := stats.CompareMeans(easeA, easeB, 6)
		tc.EaseDifference, tc.EaseCI, tc.EaseVerdict = ease.Value, ease.CI, ease.Verdict
		if withSavings {
			saved := stats.TimeSaved(timesA, timesB, t.DailyFrequency)
			tc.Savings = &Savings{TimeSavedS: saved.Seconds, TimeSavedCI: saved.SecondsCI, HoursSavedPerStaffYear: saved.Hours, HoursSavedCI: saved.HoursCI}
		}
		c.Tasks = append(c.Tasks, tc)
	}
	sus := stats.CompareMeans(a.Figures.SUS, b.Figures.SUS, 100)
	c.SUS = DiffFigures{Difference: sus.Value, CI: sus.CI, Verdict: sus.Verdict, N: Sides{len(a.Figures.SUS), len(b.Figures.SUS)}}
	return c
}
