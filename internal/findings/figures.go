package findings

import "time"

// Figures are the raw figures of one release's report, aggregated by
// the database: counts per group, and one number per finished attempt or
// trial where a statistic needs the values themselves (never the clicks).
type Figures struct {
	ReleaseID    int64
	Participants []ParticipantCount
	Outcomes     []OutcomeCount
	Durations    map[string][]float64 // task key → seconds of successful attempts
	Ease         map[string][]float64 // task key → SEQ ratings
	SUS          []float64
	Findings     []FindingFigures
}

// ParticipantCount counts a release's trials by profession and setting.
type ParticipantCount struct {
	Profession string
	Setting    string
	N          int
}

// OutcomeCount counts one task's finished attempts with one outcome, with
// their pointer clicks (on the screen image: only these can miss) and
// misclicks, and how many of them were assisted (used the list of links).
type OutcomeCount struct {
	TaskKey   string
	Outcome   string
	N         int
	Clicks    int
	Misclicks int
	Assisted  int
}

// FindingFigures is one finding as seen from one release: its fields as
// sandpit.FindingFacts.Fields derives them from every report in it, and the
// release's own share of it.
type FindingFigures struct {
	ID            int64
	Title         string
	Category      string
	Severity      int
	SafetyConcern bool
	Status        string
	Response      string
	Participants  int // distinct trials of the release with a report in it
	CreatedAt     time.Time
}
