package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// FindingEvidence is what one release contributed to a finding.
type FindingEvidence struct {
	ReleaseID    int64
	Version      string
	Participants int // distinct trials of the release with a report in it
	Reports      int
}

// FindingSummary is a finding of a workflow as the findings board shows it.
type FindingSummary struct {
	ID            int64
	WorkflowID    int64
	Title         string // the product owner's, else from the earliest report
	OwnTitle      string // the product owner's, "" when not set
	Category      string // of the earliest report
	Severity      int    // the product owner's, else the highest reported
	OwnSeverity   *int
	SafetyConcern bool
	Status        string // as shown: persisting is derived
	StoredStatus  string // as the product owner set it
	Response      string
	Reason        string
	CreatedAt     time.Time
	FixedAt       *time.Time
	Participants  int     // distinct trials of the workflow with a report in it
	Reports       int     // reports in it
	Frequency     float64 // participants / trials of the workflow
	Evidence      []FindingEvidence
}

// WorkflowFindings returns the findings of workflow id holding at least one
// report, in METRICS.md's order: safety concerns first, then higher
// severity, then higher frequency, then oldest; none when the workflow's
// team is out of scope.
func (s *Store) WorkflowFindings(ctx context.Context, scope Scope, workflowID int64) ([]FindingSummary, error) {
	cond, args := scope.condition("w.team_id", "")
	var ok []int64
	if err := s.read.WithContext(ctx).Raw(`SELECT w.id FROM workflows w WHERE w.id = ? AND `+cond, append([]any{workflowID}, args...)...).Scan(&ok).Error; err != nil {
		return nil, fmt.Errorf("store: workflow %d: %w", workflowID, err)
	}
	if len(ok) == 0 {
		return []FindingSummary{}, nil
	}
	return s.findingSummaries(ctx, workflowID, scope.ResearchOnly, "f.workflow_id = ?", workflowID)
}

// findingSummaries summarises the findings of workflowID that match where,
// each from its facts; with researchOnly, from consented trials only.
func (s *Store) findingSummaries(ctx context.Context, workflowID int64, researchOnly bool, where string, arg int64) ([]FindingSummary, error) {
	db := s.read.WithContext(ctx)
	facts, err := findingFacts(db, researchOnly, where, arg)
	if err != nil {
		return nil, err
	}
	var trials int64
	if err := db.Raw(`SELECT COUNT(*) FROM trials t JOIN releases rel ON rel.id = t.release_id WHERE rel.workflow_id = ? AND `+consentFilter("t", researchOnly),
		workflowID).Scan(&trials).Error; err != nil {
		return nil, fmt.Errorf("store: trials of workflow %d: %w", workflowID, err)
	}
	out := make([]FindingSummary, 0, len(facts))
	for _, f := range facts {
		fields := f.Fields()
		sum := FindingSummary{ID: f.ID, WorkflowID: workflowID, Title: fields.Title, OwnTitle: f.State.Title, Category: fields.Category,
			Severity: fields.Severity, OwnSeverity: f.State.Severity, SafetyConcern: fields.SafetyConcern, Status: fields.Status,
			StoredStatus: f.State.Status, Response: f.State.Response, Reason: f.State.Reason, CreatedAt: f.CreatedAt, FixedAt: f.FixedAt,
			Participants: f.participants(), Reports: f.reports()}
		for _, rel := range f.Releases {
			sum.Evidence = append(sum.Evidence, FindingEvidence{ReleaseID: rel.ReleaseID, Version: rel.Version, Participants: rel.Participants, Reports: rel.Reports})
		}
		if trials > 0 {
			sum.Frequency = float64(sum.Participants) / float64(trials)
		}
		out = append(out, sum)
	}
	SortFindingSummaries(out)
	return out, nil
}

// findingFactsSQL reads the curation of the findings that match a condition
// (%[1]s, on findings f) and what their reports that the consent filter
// (%[2]s, on trials t) keeps add up to: one row per finding and release it
// has reports from (g), by finding id and then in the order of each
// release's first report. A release's first report is the one with the
// lowest id at its earliest time, found in the index; the finding's
// earliest report is the first of those (place 1), and its text is the only
// text read.
const findingFactsSQL = `SELECT f.id, f.workflow_id, f.created_at, f.title, f.severity, f.status, f.response, f.status_reason, f.fixed_at,
		g.release_id, rel.version, rel.published_at, g.reports, g.participants, g.max_severity, g.safety_concern,
		fr.category AS first_category, fr.text AS first_text
	FROM (SELECT g.*, ROW_NUMBER() OVER (PARTITION BY g.finding_id ORDER BY g.first_at, g.first_id) AS place
		FROM (SELECT g.*, (SELECT MIN(r1.id) FROM reports r1 JOIN trials t ON t.id = r1.trial_id
				WHERE r1.finding_id = g.finding_id AND r1.created_at = g.first_at AND t.release_id = g.release_id AND %[2]s) AS first_id
			FROM (SELECT r.finding_id, t.release_id, COUNT(*) AS reports, COUNT(DISTINCT r.trial_id) AS participants,
					MAX(r.severity) AS max_severity, MAX(CASE WHEN r.safety_concern THEN 1 ELSE 0 END) AS safety_concern, MIN(r.created_at) AS first_at
				FROM reports r JOIN trials t ON t.id = r.trial_id
				WHERE r.finding_id IN (SELECT f.id FROM findings f WHERE %[1]s) AND %[2]s
				GROUP BY r.finding_id, t.release_id) g) g) g
	JOIN findings f ON f.id = g.finding_id
	JOIN releases rel ON rel.id = g.release_id
	LEFT JOIN reports fr ON fr.id = g.first_id AND g.place = 1
	ORDER BY f.id, g.place`

// findingFactsRow is one row of findingFactsSQL.
type findingFactsRow struct {
	ID            int64
	WorkflowID    int64
	CreatedAt     time.Time
	Title         string
	Severity      *int
	Status        string
	Response      string
	StatusReason  string
	FixedAt       *time.Time
	ReleaseID     int64
	Version       string
	PublishedAt   *time.Time
	Reports       int
	Participants  int
	MaxSeverity   int
	SafetyConcern int
	FirstCategory *string // of the finding's earliest report, on the row of its release
	FirstText     *string
}

// findingWithReports is a finding's facts with its workflow.
type findingWithReports struct {
	sandpit.FindingFacts
	workflowID int64
}

// share returns what release id contributed to f, nil for nothing.
func (f *findingWithReports) share(id int64) *sandpit.FindingReleaseFacts {
	for i := range f.Releases {
		if f.Releases[i].ReleaseID == id {
			return &f.Releases[i]
		}
	}
	return nil
}

// participants is how many distinct trials f's reports came from: a trial
// is of one release, so the sum over the releases.
func (f *findingWithReports) participants() int {
	n := 0
	for _, r := range f.Releases {
		n += r.Participants
	}
	return n
}

// reports is how many reports f holds.
func (f *findingWithReports) reports() int {
	n := 0
	for _, r := range f.Releases {
		n += r.Reports
	}
	return n
}

// findingFacts reads the facts of the findings matching where (on findings
// f), in id order; with consented, only the reports of trials whose
// clinician agreed to research use count, as research exports need.
// Findings with no (counted) report are left out. The database adds the
// reports up, so what is read grows with findings and releases, not
// reports.
func findingFacts(db *gorm.DB, consented bool, where string, args ...any) ([]*findingWithReports, error) {
	var rows []findingFactsRow
	if err := db.Raw(fmt.Sprintf(findingFactsSQL, where, consentFilter("t", consented)), args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: finding facts: %w", err)
	}
	var out []*findingWithReports
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.ID {
			out = append(out, &findingWithReports{FindingFacts: sandpit.FindingFacts{ID: r.ID, CreatedAt: r.CreatedAt, FixedAt: r.FixedAt,
				State: sandpit.FindingState{Title: r.Title, Severity: r.Severity, Status: r.Status, Response: r.Response, Reason: r.StatusReason}},
				workflowID: r.WorkflowID})
		}
		f := out[len(out)-1]
		if r.FirstText != nil {
			f.First = &sandpit.FindingReportFacts{Category: *r.FirstCategory, Text: *r.FirstText}
		}
		f.Releases = append(f.Releases, sandpit.FindingReleaseFacts{ReleaseID: r.ReleaseID, Version: r.Version, PublishedAt: r.PublishedAt,
			Reports: r.Reports, Participants: r.Participants, Severity: r.MaxSeverity, SafetyConcern: r.SafetyConcern > 0})
	}
	return out, nil
}

// findingFactsOf reads the facts of the findings with the given ids, by id.
func findingFactsOf(db *gorm.DB, ids []int64) (map[int64]*findingWithReports, error) {
	out := map[int64]*findingWithReports{}
	if len(ids) == 0 {
		return out, nil
	}
	facts, err := findingFacts(db, false, "f.id IN ?", ids)
	if err != nil {
		return nil, err
	}
	for _, f := range facts {
		out[f.ID] = f
	}
	return out, nil
}

// SortFindingSummaries orders findings by findings.Place.
func SortFindingSummaries(list []FindingSummary) {
	place := func(f FindingSummary) findings.Place {
		return findings.Place{ID: f.ID, SafetyConcern: f.SafetyConcern, Severity: f.Severity, Frequency: f.Frequency, CreatedAt: f.CreatedAt}
	}
	sort.SliceStable(list, func(i, j int) bool { return place(list[i]).Before(place(list[j])) })
}

// FindingMeta is what permission checks need of a finding.
type FindingMeta struct {
	ID            int64
	WorkflowID    int64
	WorkflowTitle string
	TeamID        int64
}

// FindingMeta returns finding id's workflow and team, if its team is in
// scope (ENOTFOUND otherwise).
func (s *Store) FindingMeta(ctx context.Context, scope Scope, id int64) (*FindingMeta, error) {
	var m []FindingMeta
	cond, args := scope.condition("w.team_id", "")
	err := s.read.WithContext(ctx).Raw(`SELECT f.id, f.workflow_id, w.title AS workflow_title, w.team_id
		FROM findings f JOIN workflows w ON w.id = f.workflow_id WHERE f.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&m).Error
	if err != nil {
		return nil, fmt.Errorf("store: finding %d: %w", id, err)
	}
	if len(m) == 0 {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Finding not found.")
	}
	return &m[0], nil
}

// ReportMeta returns the finding, workflow and team of report id, if its
// team is in scope (ENOTFOUND otherwise).
func (s *Store) ReportMeta(ctx context.Context, scope Scope, id int64) (*FindingMeta, error) {
	var m []FindingMeta
	cond, args := scope.condition("w.team_id", "")
	err := s.read.WithContext(ctx).Raw(`SELECT f.id, f.workflow_id, w.title AS workflow_title, w.team_id
		FROM reports r JOIN findings f ON f.id = r.finding_id JOIN workflows w ON w.id = f.workflow_id WHERE r.id = ? AND `+cond,
		append([]any{id}, args...)...).Scan(&m).Error
	if err != nil {
		return nil, fmt.Errorf("store: report %d: %w", id, err)
	}
	if len(m) == 0 {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Report not found.")
	}
	return &m[0], nil
}

// FindingReport is one report of a finding: the evidence.
type FindingReport struct {
	ID            int64
	TrialID       int64
	ReleaseID     int64
	Version       string
	TaskKey       string
	Screen        string
	X, Y          int
	Category      string
	Severity      int
	SafetyConcern bool
	Triage        string // of a safety concern: a TriageStatuses value
	Text          string
	CreatedAt     time.Time
}

// FindingDetail is a finding with its reports.
type FindingDetail struct {
	FindingSummary
	TeamID        int64
	WorkflowTitle string
	Quotes        []FindingReport // its reports, oldest first
}

// Finding returns finding id with its reports, if its team is in scope
// (ENOTFOUND otherwise).
func (s *Store) Finding(ctx context.Context, scope Scope, id int64) (*FindingDetail, error) {
	meta, err := s.FindingMeta(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	list, err := s.findingSummaries(ctx, meta.WorkflowID, scope.ResearchOnly, "f.id = ?", id)
	if err != nil {
		return nil, err
	}
	d := &FindingDetail{TeamID: meta.TeamID, WorkflowTitle: meta.WorkflowTitle}
	switch {
	case len(list) > 0:
		d.FindingSummary = list[0]
	case scope.ResearchOnly:
		// Every report in it is of a clinician who declined research use.
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Finding not found.")
	default:
		var row findingRow
		if err := s.read.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
			return nil, fmt.Errorf("store: finding %d: %w", id, notFound(err, "Finding"))
		}
		d.FindingSummary = FindingSummary{ID: row.ID, WorkflowID: row.WorkflowID, Title: row.Title, OwnTitle: row.Title, Status: row.Status,
			StoredStatus: row.Status, Response: row.Response, CreatedAt: row.CreatedAt, FixedAt: row.FixedAt, OwnSeverity: row.Severity}
		if row.Severity != nil {
			d.Severity = *row.Severity
		}
	}
	err = s.read.WithContext(ctx).Raw(`SELECT r.id, r.trial_id, rel.id AS release_id, rel.version, r.task_key, r.screen, r.x, r.y,
			r.category, r.severity, r.safety_concern, r.triage, r.text, r.created_at
		FROM reports r JOIN trials t ON t.id = r.trial_id JOIN releases rel ON rel.id = t.release_id
		WHERE r.finding_id = ? AND `+consentFilter("t", scope.ResearchOnly)+` ORDER BY r.created_at, r.id`, id).Scan(&d.Quotes).Error
	if err != nil {
		return nil, fmt.Errorf("store: reports of finding %d: %w", id, err)
	}
	return d, nil
}

// curationRow is what a product owner curates of a finding, as stored.
type curationRow struct {
	ID           int64
	WorkflowID   int64
	Title        string
	Severity     *int
	Status       string
	Response     string
	StatusReason string
	FixedAt      *time.Time
}

func (curationRow) TableName() string { return "findings" }

// UpdateFinding applies u to finding id and records entry, in one
// transaction. Setting the status to fixed (again) marks the time, which
// ends persisting; any other status clears it.
//
// When digest is more than 0 and the status or the response changes, each
// clinician who reported into the finding gets it in their pending "you
// said, we did" digest, due digest from now at the latest, in the same
// transaction.
func (s *Store) UpdateFinding(ctx context.Context, id int64, u sandpit.FindingUpdate, digest time.Duration, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var row curationRow
		if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err, "Finding")
		}
		var concerns []sandpit.SafetyTriage
		if err := tx.Model(&reportRow{}).Select("id AS report_id, triage").Where("finding_id = ? AND safety_concern", id).Order("id").Scan(&concerns).Error; err != nil {
			return err
		}
		next, err := u.Apply(sandpit.FindingState{Title: row.Title, Severity: row.Severity, Status: row.Status, Response: row.Response, Reason: row.StatusReason}, concerns)
		if err != nil {
			return err
		}
		now := s.Now()
		fixedAt := row.FixedAt
		switch {
		case next.Status != sandpit.FindingFixed:
			fixedAt = nil
		case u.Status != nil || fixedAt == nil:
			fixedAt = &now
		}
		err = tx.Model(&curationRow{}).Where("id = ?", id).Updates(map[string]any{"title": next.Title, "severity": next.Severity,
			"status": next.Status, "response": next.Response, "status_reason": next.Reason, "fixed_at": fixedAt, "updated_at": now}).Error
		if err != nil {
			return err
		}
		var changed []string
		for name, given := range map[string]bool{"title": u.Title != nil, "severity": u.Severity != nil, "status": u.Status != nil,
			"response": u.Response != nil, "reason": u.Reason != nil} {
			if given {
				changed = append(changed, name)
			}
		}
		sort.Strings(changed)
		if digest > 0 && (next.Status != row.Status || next.Response != row.Response) {
			if err := s.queueDigest(tx, id, digest); err != nil {
				return err
			}
		}
		entry.Detail = fmt.Sprintf("finding %d: %s; status %s", id, strings.Join(changed, ", "), next.Status)
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: update finding %d: %w", id, err)
	}
	return nil
}

// MergeFindings moves every report of the findings from into finding into
// and deletes them, in one transaction with entry. Every finding must be of
// the same workflow.
func (s *Store) MergeFindings(ctx context.Context, into int64, from []int64, entry sandpit.AuditEntry) error {
	ids := []int64{}
	seen := map[int64]bool{}
	for _, id := range from {
		if id == into {
			return sandpit.Invalid("A finding cannot be merged into itself.", sandpit.Unknown("from", "other finding of this workflow"))
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return sandpit.Invalid("Choose the findings to merge into this one.", sandpit.Required("from"))
	}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var target curationRow
		if err := tx.Where("id = ?", into).Take(&target).Error; err != nil {
			return notFound(err, "Finding")
		}
		var rows []curationRow
		if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) != len(ids) {
			return sandpit.Invalid("Some of the findings to merge do not exist.", sandpit.Unknown("from", "other finding of this workflow"))
		}
		for _, r := range rows {
			if r.WorkflowID != target.WorkflowID {
				return sandpit.Invalid("Only findings of the same workflow can be merged.", sandpit.Unknown("from", "other finding of this workflow"))
			}
		}
		if err := tx.Model(&reportRow{}).Where("finding_id IN ?", ids).Update("finding_id", into).Error; err != nil {
			return err
		}
		// Two merges at once both read every finding before either deletes
		// (PostgreSQL's READ COMMITTED): the one whose delete finds the rows
		// already gone lost the race, and undoes its moves.
		del := tx.Where("id IN ?", ids).Delete(&curationRow{})
		if del.Error != nil {
			return del.Error
		}
		if del.RowsAffected != int64(len(ids)) {
			return sandpit.Errorf(sandpit.ECONFLICT, "These findings were merged by someone else at the same moment. Reload the page to see them.")
		}
		upd := tx.Model(&curationRow{}).Where("id = ?", into).Update("updated_at", s.Now())
		if upd.Error != nil {
			return upd.Error
		}
		if upd.RowsAffected != 1 {
			return sandpit.Errorf(sandpit.ENOTFOUND, "Finding not found.")
		}
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = fmt.Sprint(id)
		}
		entry.Detail = fmt.Sprintf("findings %s merged into %d", strings.Join(parts, ", "), into)
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: merge into finding %d: %w", into, err)
	}
	return nil
}

// MoveReport moves report id into finding to, of the same workflow, and
// deletes the finding it leaves when that is then empty, in one transaction
// with entry.
func (s *Store) MoveReport(ctx context.Context, reportID, to int64, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		var r reportRow
		if err := tx.Where("id = ?", reportID).Take(&r).Error; err != nil {
			return notFound(err, "Report")
		}
		if r.FindingID == to {
			return nil
		}
		var source, target curationRow
		if err := tx.Where("id = ?", r.FindingID).Take(&source).Error; err != nil {
			return notFound(err, "Finding")
		}
		if err := tx.Where("id = ?", to).Take(&target).Error; err != nil {
			return sandpit.Invalid("Choose a finding of the same workflow.", sandpit.Unknown("to", "finding of this workflow"))
		}
		if target.WorkflowID != source.WorkflowID {
			return sandpit.Invalid("Choose a finding of the same workflow.", sandpit.Unknown("to", "finding of this workflow"))
		}
		if err := tx.Model(&reportRow{}).Where("id = ?", reportID).Update("finding_id", to).Error; err != nil {
			return err
		}
		var left int64
		if err := tx.Model(&reportRow{}).Where("finding_id = ?", source.ID).Count(&left).Error; err != nil {
			return err
		}
		if left == 0 {
			if err := tx.Where("id = ?", source.ID).Delete(&curationRow{}).Error; err != nil {
				return err
			}
		}
		now := s.Now()
		if err := tx.Model(&curationRow{}).Where("id IN ?", []int64{source.ID, to}).Update("updated_at", now).Error; err != nil {
			return err
		}
		entry.Detail = fmt.Sprintf("report %d moved from finding %d to %d", reportID, source.ID, to)
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: move report %d: %w", reportID, err)
	}
	return nil
}

// SafetyConcern is a report flagged as a safety concern, with where it was
// raised and what became of it.
type SafetyConcern struct {
	ID              int64
	TeamID          int64
	Team            string
	WorkflowID      int64
	Workflow        string
	ReleaseID       int64
	Version         string
	TaskKey         string
	Screen          string
	Category        string
	Severity        int
	Text            string
	CreatedAt       time.Time
	Triage          string
	TriageNote      string
	TriagedAt       *time.Time
	FindingID       int64
	FindingTitle    string
	FindingStatus   string
	FindingResponse string
}

// SafetyConcerns returns every report flagged as a safety concern, of any
// team, newest first.
func (s *Store) SafetyConcerns(ctx context.Context) ([]SafetyConcern, error) {
	list := []SafetyConcern{}
	err := s.read.WithContext(ctx).Raw(`SELECT r.id, tm.id AS team_id, tm.name AS team, w.id AS workflow_id, w.title AS workflow,
			rel.id AS release_id, rel.version, r.task_key, r.screen, r.category, r.severity, r.text, r.created_at,
			r.triage, r.triage_note, r.triaged_at,
			f.id AS finding_id, f.response AS finding_response
		FROM reports r
		JOIN trials t ON t.id = r.trial_id
		JOIN releases rel ON rel.id = t.release_id
		JOIN workflows w ON w.id = rel.workflow_id
		JOIN teams tm ON tm.id = w.team_id
		JOIN findings f ON f.id = r.finding_id
		WHERE r.safety_concern
		ORDER BY r.created_at DESC, r.id DESC`).Scan(&list).Error
	if err != nil {
		return nil, fmt.Errorf("store: safety concerns: %w", err)
	}
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.FindingID
	}
	facts, err := findingFactsOf(s.read.WithContext(ctx), ids)
	if err != nil {
		return nil, err
	}
	for i, c := range list {
		fields := facts[c.FindingID].Fields()
		list[i].FindingTitle, list[i].FindingStatus = fields.Title, fields.Status
	}
	return list, nil
}

// TriageReport records a safety officer's triage of safety concern
// reportID, with entry, in one transaction.
func (s *Store) TriageReport(ctx context.Context, reportID int64, t sandpit.Triage, entry sandpit.AuditEntry) error {
	if err := t.Validate(); err != nil {
		return err
	}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&reportRow{}).Where("id = ? AND safety_concern", reportID).
			Updates(map[string]any{"triage": t.Status, "triage_note": t.Note, "triaged_at": s.Now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return sandpit.Errorf(sandpit.ENOTFOUND, "Safety concern not found.")
		}
		entry.Detail = fmt.Sprintf("report %d: %s", reportID, t.Status)
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: triage report %d: %w", reportID, err)
	}
	return nil
}
