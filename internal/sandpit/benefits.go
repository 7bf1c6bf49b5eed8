package sandpit

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Benefits and monthly show-and-tell audit actions.
const (
	AuditWorkflowUpdated = "workflow_updated"
	AuditShowAndTellHeld = "show_and_tell_held"
)

// Bounds of the benefits figures people type.
const (
	MaxStaffCount        = 10_000_000 // more staff than the NHS employs is a typing error
	MaxStaffCountSource  = 200        // characters
	MaxShowAndTellPeople = 100_000
)

const staffCountSourceField = "staff_count_source"

// StaffCount is how many staff in the organisation do a workflow's job, and
// where that number comes from ("ESR headcount, Nov 2026"): with each task's
// daily frequency it turns time saved per task into hours a year.
type StaffCount struct {
	Count  *int // nil: not known yet
	Source string
}

// Validate checks the count (a whole number from 1, or none) and its source.
// A count needs a source: a business case must say what it rests on.
func (s *StaffCount) Validate() []FieldError {
	s.Source = strings.TrimSpace(s.Source)
	var fields []FieldError
	if s.Count != nil && (*s.Count < 1 || *s.Count > MaxStaffCount) {
		fields = append(fields, OutOfRange("staff_count", 1, MaxStaffCount))
	}
	switch n := utf8.RuneCountInString(s.Source); {
	case n > MaxStaffCountSource:
		fields = append(fields, TooLong(staffCountSourceField, MaxStaffCountSource))
	case n == 0 && s.Count != nil:
		fields = append(fields, Required(staffCountSourceField))
	}
	return fields
}

// Month is a calendar month in Europe/London, the period of a monthly
// show-and-tell.
type Month struct {
	Year  int
	Month time.Month
}

// ParseMonth reads "YYYY-MM", naming field when it is not a month.
func ParseMonth(field, s string) (Month, error) {
	t, err := time.ParseInLocation("2006-01", strings.TrimSpace(s), London)
	if err != nil || t.Year() < 2000 || t.Year() > 9999 {
		return Month{}, Invalid("Check the month.", BadFormat(field, "YYYY-MM"))
	}
	return Month{t.Year(), t.Month()}, nil
}

// MonthOf is the London calendar month holding instant t.
func MonthOf(t time.Time) Month {
	l := t.In(London)
	return Month{l.Year(), l.Month()}
}

// Start is the month's first instant: midnight in London on its first day.
func (m Month) Start() time.Time { return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, London) }

// End is the next month's first instant; the month is [Start, End).
func (m Month) End() time.Time { return m.Next().Start() }

// Next is the month after m.
func (m Month) Next() Month { return MonthOf(time.Date(m.Year, m.Month+1, 1, 12, 0, 0, 0, London)) }

// Prev is the month before m.
func (m Month) Prev() Month { return MonthOf(time.Date(m.Year, m.Month-1, 1, 12, 0, 0, 0, London)) }

// Before reports whether m comes before o.
func (m Month) Before(o Month) bool {
	return m.Year < o.Year || (m.Year == o.Year && m.Month < o.Month)
}

// String is "YYYY-MM".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Label is the month as people read it: "October 2026".
func (m Month) Label() string { return fmt.Sprintf("%s %d", m.Month, m.Year) }

// ShowAndTellSession records that a team's monthly show-and-tell was held:
// on which day (in London) and how many people came.
type ShowAndTellSession struct {
	On        string // YYYY-MM-DD
	Attendees int
}

// Validate checks the session of month held, as of now: a real day no
// earlier than the month's start and not in the future, and at least one
// attendee.
func (s *ShowAndTellSession) Validate(month Month, now time.Time) error {
	s.On = strings.TrimSpace(s.On)
	var fields []FieldError
	day, err := time.ParseInLocation(time.DateOnly, s.On, London)
	switch {
	case s.On == "":
		fields = append(fields, Required("on"))
	case err != nil:
		fields = append(fields, BadFormat("on", "YYYY-MM-DD"))
	case day.Before(month.Start()) || day.After(now):
		fields = append(fields, FieldError{Field: "on", Code: FieldOutOfRange,
			Params: Params{"min": month.Start().Format(time.DateOnly), "max": now.In(London).Format(time.DateOnly)}})
	}
	if s.Attendees < 1 || s.Attendees > MaxShowAndTellPeople {
		fields = append(fields, OutOfRange("attendees", 1, MaxShowAndTellPeople))
	}
	if len(fields) > 0 {
		return Invalid("Check the show-and-tell.", fields...)
	}
	return nil
}

// CanReadBenefits reports whether u may read the benefits case of team's
// workflows: the team's product owners and admins.
func CanReadBenefits(u *User, teamID int64) bool { return CanManageTeam(u, teamID) }

// CanReadShowAndTell reports whether u may open team's monthly
// show-and-tell and its archive: the team's product owners and admins.
func CanReadShowAndTell(u *User, teamID int64) bool { return CanManageTeam(u, teamID) }

// CanRecordShowAndTell reports whether u may record that team's monthly
// show-and-tell was held: the team's product owners (and admins, who may
// act for any team).
func CanRecordShowAndTell(u *User, teamID int64) bool { return CanManageTeam(u, teamID) }

// BenefitsScope is the teams whose benefits u may read, CanReadBenefits as a
// set for queries.
func BenefitsScope(u *User) TeamScope {
	if CanAdminister(u) {
		return TeamScope{All: true}
	}
	s := TeamScope{TeamIDs: []int64{}}
	if u == nil {
		return s
	}
	for _, m := range u.Teams {
		if CanReadBenefits(u, m.TeamID) && !slices.Contains(s.TeamIDs, m.TeamID) {
			s.TeamIDs = append(s.TeamIDs, m.TeamID)
		}
	}
	return s
}
