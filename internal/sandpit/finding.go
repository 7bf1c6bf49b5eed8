package sandpit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Finding statuses, as PRODUCT.md lists them: new → accepted → planned →
// fixed | wont_fix.
const (
	FindingNew      = "new"
	FindingAccepted = "accepted"
	FindingPlanned  = "planned"
	FindingFixed    = "fixed"
	FindingWontFix  = "wont_fix"
	// FindingPersisting is never stored: a fixed finding that received a
	// report from a release published after it was marked fixed shows so
	// until the product owner acts on it.
	FindingPersisting = "persisting"
)

// Limits of a finding's curated text, in characters.
const (
	MaxFindingTitle = 200
	MaxTriageNote   = 2000
)

// FindingStatuses lists the statuses a product owner may set.
func FindingStatuses() []string {
	return []string{FindingNew, FindingAccepted, FindingPlanned, FindingFixed, FindingWontFix}
}

// FindingStatusLabel is a finding status's name for people.
func FindingStatusLabel(st string) string {
	switch st {
	case FindingNew:
		return "New"
	case FindingAccepted:
		return "Accepted"
	case FindingPlanned:
		return "Planned"
	case FindingFixed:
		return "Fixed"
	case FindingWontFix:
		return "Will not fix"
	case FindingPersisting:
		return "Persisting"
	}
	return OptionLabel(st)
}

// FindingState is what a product owner curates of a finding.
type FindingState struct {
	Title    string // "" until set: the title then comes from the earliest report
	Severity *int   // nil until set: the severity is then the highest reported
	Status   string
	Response string // the public answer, "you said, we did"
	Reason   string // why it will not be fixed
}

// FindingUpdate is a change to a finding; nil fields stay as they are.
type FindingUpdate struct {
	Title    *string
	Severity *int
	Status   *string
	Response *string
	Reason   *string
}

// Validate checks each field given.
func (u FindingUpdate) Validate() error {
	var fields []FieldError
	if u.Title != nil && utf8.RuneCountInString(strings.TrimSpace(*u.Title)) > MaxFindingTitle {
		fields = append(fields, TooLong("title", MaxFindingTitle))
	}
	if u.Severity != nil && (*u.Severity < 1 || *u.Severity > 4) {
		fields = append(fields, OutOfRange("severity", 1, 4))
	}
	if u.Status != nil && !slices.Contains(FindingStatuses(), *u.Status) {
		fields = append(fields, OneOf("status", FindingStatuses()))
	}
	if u.Response != nil && utf8.RuneCountInString(*u.Response) > MaxFreeText {
		fields = append(fields, TooLong("response", MaxFreeText))
	}
	switch {
	case u.Reason != nil && utf8.RuneCountInString(*u.Reason) > MaxFreeText:
		fields = append(fields, TooLong("reason", MaxFreeText))
	case u.Status != nil && *u.Status == FindingWontFix && (u.Reason == nil || strings.TrimSpace(*u.Reason) == ""):
		fields = append(fields, Required("reason"))
	}
	if len(fields) > 0 {
		return Invalid("Check the finding.", fields...)
	}
	for _, f := range []struct {
		name string
		text *string
	}{{"title", u.Title}, {"response", u.Response}, {"reason", u.Reason}} {
		if f.text != nil && RealPatientIdentifier(*f.text) {
			return ErrPatientIdentifier(f.name)
		}
	}
	return nil
}

// SafetyTriage is a safety concern report of a finding and its triage.
type SafetyTriage struct {
	ReportID int64
	Triage   string
}

// Triaged reports whether a safety officer has given the concern a verdict.
func (t SafetyTriage) Triaged() bool {
	return t.Triage == TriageHazardLogged || t.Triage == TriageNotAHazard
}

// Apply returns cur changed by u. concerns are the finding's reports
// flagged as safety concerns. A finding marked will-not-fix needs a reason;
// so does one holding safety concerns that is marked fixed, and it can be
// closed (fixed or will-not-fix) only once a safety officer has triaged
// every concern (PRODUCT.md: safety concerns are closed by safety). The
// reason is kept only while it is needed.
func (u FindingUpdate) Apply(cur FindingState, concerns []SafetyTriage) (FindingState, error) {
	if err := u.Validate(); err != nil {
		return cur, err
	}
	closing := u.Status != nil && (*u.Status == FindingFixed || *u.Status == FindingWontFix)
	if closing && len(concerns) > 0 {
		var untriaged []int64
		for _, c := range concerns {
			if !c.Triaged() {
				untriaged = append(untriaged, c.ReportID)
			}
		}
		if len(untriaged) > 0 {
			return cur, Conflict(fmt.Sprintf("A safety officer must triage the safety concerns in this finding (reports %s) before it can be closed.", joinIDs(untriaged)),
				FieldError{Field: "status", Code: FieldUntriaged, Params: Params{"reports": untriaged}})
		}
	}
	next := cur
	if u.Title != nil {
		next.Title = strings.TrimSpace(*u.Title)
	}
	if u.Severity != nil {
		next.Severity = u.Severity
	}
	if u.Status != nil {
		next.Status = *u.Status
	}
	if u.Response != nil {
		next.Response = strings.TrimSpace(*u.Response)
	}
	if u.Reason != nil {
		next.Reason = strings.TrimSpace(*u.Reason)
	}
	needsReason := next.Status == FindingWontFix || (next.Status == FindingFixed && len(concerns) > 0)
	if !needsReason {
		next.Reason = ""
	} else if next.Reason == "" {
		return cur, Invalid("Check the finding.", Required("reason"))
	}
	return next, nil
}

// joinIDs is ids as "12, 14".
func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}

// Triage statuses of a safety concern.
const (
	TriageOpen         = "open"
	TriageUnderReview  = "under_review"
	TriageHazardLogged = "hazard_logged"
	TriageNotAHazard   = "not_a_hazard"
)

// TriageStatuses lists the triage statuses, in the order of the work.
func TriageStatuses() []string {
	return []string{TriageOpen, TriageUnderReview, TriageHazardLogged, TriageNotAHazard}
}

// TriageLabel is a triage status's name for people.
func TriageLabel(st string) string {
	switch st {
	case TriageOpen:
		return "Open"
	case TriageUnderReview:
		return "Under review"
	case TriageHazardLogged:
		return "Hazard logged"
	case TriageNotAHazard:
		return "Not a hazard"
	}
	return OptionLabel(st)
}

// Triage is a safety officer's verdict on a safety concern.
type Triage struct {
	Status string
	Note   string
}

// Validate checks the triage status and note.
func (t *Triage) Validate() error {
	var fields []FieldError
	if !slices.Contains(TriageStatuses(), t.Status) {
		fields = append(fields, OneOf("status", TriageStatuses()))
	}
	t.Note = strings.TrimSpace(t.Note)
	if utf8.RuneCountInString(t.Note) > MaxTriageNote {
		fields = append(fields, TooLong("note", MaxTriageNote))
	}
	if len(fields) > 0 {
		return Invalid("Check the triage.", fields...)
	}
	if RealPatientIdentifier(t.Note) {
		return ErrPatientIdentifier("note")
	}
	return nil
}

// CanCurateFindings reports whether u may change, merge and answer the
// findings of team's workflows: the team's product owners and admins.
func CanCurateFindings(u *User, teamID int64) bool { return CanEditWorkflows(u, teamID) }

// CanReadFindings reports whether u may read the findings of team's
// workflows: the team, its researchers and admins.
func CanReadFindings(u *User, teamID int64) bool { return CanViewTeam(u, teamID) }

// CanTriageSafety reports whether u may see and triage every safety concern
// of every team: safety officers and admins.
func CanTriageSafety(u *User) bool { return u.Has(RoleSafetyOfficer) || CanAdminister(u) }

// Curation audit actions.
const (
	AuditFindingUpdated = "finding_updated"
	AuditFindingsMerged = "findings_merged"
	AuditReportMoved    = "report_moved"
	AuditSafetyTriaged  = "safety_triaged"
)

// FindingReportFacts are what the finding rule needs of a finding's
// earliest report.
type FindingReportFacts struct {
	Category string
	Text     string
}

// FindingReleaseFacts are what a finding's reports from one release add up
// to.
type FindingReleaseFacts struct {
	ReleaseID     int64
	Version       string
	PublishedAt   *time.Time // when the release was published
	Reports       int        // how many
	Participants  int        // distinct trials they came from
	Severity      int        // the highest severity reported
	SafetyConcern bool       // whether any is flagged
}

// FindingFacts are everything a finding's shown fields are derived from:
// what the product owner curated, its earliest report, and what its reports
// from each release add up to, whatever release they came from.
type FindingFacts struct {
	ID        int64
	CreatedAt time.Time
	State     FindingState
	FixedAt   *time.Time            // when it was last marked fixed
	First     *FindingReportFacts   // the earliest report; nil with none
	Releases  []FindingReleaseFacts // one per release with a report in it, in the order of their first report
}

// FindingFields are a finding's fields as every view shows them.
type FindingFields struct {
	Title         string
	Category      string
	Severity      int
	SafetyConcern bool
	Status        string
}

// Fields derives what every view shows of the finding (METRICS.md, "A
// finding is one thing across its workflow"): the product owner's title,
// else one made from the earliest report; the category of the earliest
// report; the product owner's severity, else the highest reported; a
// safety concern when any report is flagged; and the status, which is
// persisting while a fixed finding holds a report from a release published
// after it was marked fixed.
func (f FindingFacts) Fields() FindingFields {
	out := FindingFields{Title: f.State.Title, Status: f.State.Status}
	if f.First != nil {
		out.Category = f.First.Category
		if out.Title == "" {
			out.Title = ReportTitle(f.First.Text)
		}
	}
	for _, r := range f.Releases {
		out.Severity = max(out.Severity, r.Severity)
		out.SafetyConcern = out.SafetyConcern || r.SafetyConcern
		if f.State.Status == FindingFixed && f.FixedAt != nil && r.PublishedAt != nil && r.PublishedAt.After(*f.FixedAt) {
			out.Status = FindingPersisting
		}
	}
	if f.State.Severity != nil {
		out.Severity = *f.State.Severity
	}
	return out
}

// ReportTitle makes a finding's title from a report's text: its first
// sentence, at most 80 characters.
func ReportTitle(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	if i := strings.IndexAny(t, ".!?\n"); i > 0 {
		t = t[:i]
	}
	if r := []rune(t); len(r) > 80 {
		t = strings.TrimSpace(string(r[:77])) + "…"
	}
	return t
}
