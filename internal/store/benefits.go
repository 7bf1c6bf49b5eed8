package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// WithClock returns the store writing times from now instead of its own
// clock, sharing its connections, its writer and its kept reads: the demo
// data records two months of history as it happened.
func (s *Store) WithClock(now func() time.Time) *Store {
	return &Store{dialect: s.dialect, location: s.location, write: s.write.Session(&gorm.Session{NowFunc: func() time.Time { return now().UTC() }}),
		read: s.read, prepared: s.prepared, now: now, batcher: s.batcher, hot: s.hot}
}

// ReleaseRef names a release of a workflow.
type ReleaseRef struct {
	ID          int64
	Version     string
	PublishedAt time.Time
}

// BenefitsWorkflow is a workflow of the benefits case with the two releases
// its figure compares: the most recently published baseline and the latest
// non-baseline release published after it (nil when there is none).
type BenefitsWorkflow struct {
	sandpit.Workflow
	Baseline *ReleaseRef
	Release  *ReleaseRef
}

// BenefitsWorkflows returns the workflows within scope, by team then title,
// with the releases of their benefits figure among those published before
// until (nil: every published release).
func (s *Store) BenefitsWorkflows(ctx context.Context, scope Scope, until *time.Time) ([]BenefitsWorkflow, error) {
	cond, args := scope.condition("w.team_id", "")
	list, err := s.workflows(ctx, cond, args...)
	if err != nil {
		return nil, err
	}
	out := make([]BenefitsWorkflow, len(list))
	if len(list) == 0 {
		return out, nil
	}
	ids := make([]int64, len(list))
	at := map[int64]int{}
	for i, w := range list {
		ids[i], at[w.ID] = w.ID, i
		out[i].Workflow = w
	}
	var rows []struct {
		ID          int64
		WorkflowID  int64
		Version     string
		Baseline    bool
		PublishedAt time.Time
	}
	q := s.read.WithContext(ctx).Table("releases").Select("id, workflow_id, version, baseline, published_at").
		Where("workflow_id IN ? AND published_at IS NOT NULL", ids)
	if until != nil {
		q = q.Where("published_at < ?", until.UTC())
	}
	err = q.Order("published_at, id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: benefits releases: %w", err)
	}
	for _, r := range rows { // oldest first: the last one seen wins
		w := &out[at[r.WorkflowID]]
		ref := &ReleaseRef{ID: r.ID, Version: r.Version, PublishedAt: r.PublishedAt}
		if r.Baseline {
			w.Baseline = ref
		}
	}
	for _, r := range rows {
		w := &out[at[r.WorkflowID]]
		if !r.Baseline && w.Baseline != nil && r.PublishedAt.After(w.Baseline.PublishedAt) {
			w.Release = &ReleaseRef{ID: r.ID, Version: r.Version, PublishedAt: r.PublishedAt}
		}
	}
	return out, nil
}

// MonthRelease is a release published in a month, with its workflow.
type MonthRelease struct {
	ID            int64
	Version       string
	Notes         string
	Baseline      bool
	Status        string
	PublishedAt   time.Time
	WorkflowID    int64
	WorkflowTitle string
}

// TeamReleasesPublished returns the releases of team teamID's workflows
// published in [from, to), oldest first.
func (s *Store) TeamReleasesPublished(ctx context.Context, teamID int64, from, to time.Time) ([]MonthRelease, error) {
	var list []MonthRelease
	err := s.read.WithContext(ctx).Raw(`SELECT r.id, r.version, r.notes, r.baseline, r.status, r.published_at, w.id AS workflow_id, w.title AS workflow_title
		FROM releases r JOIN workflows w ON w.id = r.workflow_id
		WHERE w.team_id = ? AND r.published_at >= ? AND r.published_at < ? ORDER BY r.published_at, r.id`, teamID, from.UTC(), to.UTC()).Scan(&list).Error
	if err != nil {
		return nil, fmt.Errorf("store: releases of team %d published from %v: %w", teamID, from, err)
	}
	return list, nil
}

// TeamParticipants counts the clinicians who started a trial of team
// teamID's releases in [from, to), by profession (staff group).
func (s *Store) TeamParticipants(ctx context.Context, teamID int64, from, to time.Time) (map[string]int, error) {
	var rows []struct {
		Profession string
		N          int
	}
	err := s.read.WithContext(ctx).Raw(`SELECT COALESCE(u.profession, 'other') AS profession, COUNT(DISTINCT t.user_id) AS n
		FROM trials t JOIN users u ON u.id = t.user_id JOIN releases r ON r.id = t.release_id JOIN workflows w ON w.id = r.workflow_id
		WHERE w.team_id = ? AND t.consented_at >= ? AND t.consented_at < ? GROUP BY COALESCE(u.profession, 'other')`, teamID, from.UTC(), to.UTC()).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: participants of team %d: %w", teamID, err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Profession] = r.N
	}
	return out, nil
}

// MonthFinding is a finding the team acted on in a month, with its answer.
type MonthFinding struct {
	ID            int64
	WorkflowTitle string
	Title         string
	Status        string
	Severity      int
	SafetyConcern bool
	Response      string
}

// TeamFindingsActedOn returns the findings of team teamID's workflows
// marked fixed in [from, to), and those planned whose last change falls in
// it, each in the order of every finding list.
func (s *Store) TeamFindingsActedOn(ctx context.Context, teamID int64, from, to time.Time) (fixed, planned []MonthFinding, err error) {
	db := s.read.WithContext(ctx)
	from, to = from.UTC(), to.UTC()
	facts, err := findingFacts(db, false, `f.workflow_id IN (SELECT id FROM workflows WHERE team_id = ?)
		AND ((f.status = 'fixed' AND f.fixed_at >= ? AND f.fixed_at < ?) OR (f.status = 'planned' AND f.updated_at >= ? AND f.updated_at < ?))`,
		teamID, from, to, from, to)
	if err != nil {
		return nil, nil, fmt.Errorf("store: findings of team %d acted on: %w", teamID, err)
	}
	titles := map[int64]string{}
	if len(facts) > 0 {
		var rows []struct {
			ID    int64
			Title string
		}
		if err := db.Raw(`SELECT id, title FROM workflows WHERE team_id = ?`, teamID).Scan(&rows).Error; err != nil {
			return nil, nil, fmt.Errorf("store: workflows of team %d: %w", teamID, err)
		}
		for _, r := range rows {
			titles[r.ID] = r.Title
		}
	}
	type placed struct {
		MonthFinding
		created time.Time
	}
	var all []placed
	for _, f := range facts {
		fields := f.Fields()
		all = append(all, placed{MonthFinding{ID: f.ID, WorkflowTitle: titles[f.workflowID], Title: fields.Title, Status: f.State.Status,
			Severity: fields.Severity, SafetyConcern: fields.SafetyConcern, Response: f.State.Response}, f.CreatedAt})
	}
	place := func(p placed) findings.Place {
		return findings.Place{ID: p.ID, SafetyConcern: p.SafetyConcern, Severity: p.Severity, CreatedAt: p.created}
	}
	sort.SliceStable(all, func(i, j int) bool { return place(all[i]).Before(place(all[j])) })
	for _, f := range all {
		if f.Status == string(sandpit.FindingFixed) {
			fixed = append(fixed, f.MonthFinding)
		} else {
			planned = append(planned, f.MonthFinding)
		}
	}
	return fixed, planned, nil
}

// HeldShowAndTell is a monthly show-and-tell a team recorded as held.
type HeldShowAndTell struct {
	Month     string // YYYY-MM
	On        string // YYYY-MM-DD, in London
	Attendees int
}

type showAndTellRow struct {
	TeamID     int64
	Month      string
	HeldOn     string
	Attendees  int
	RecordedBy *int64
	RecordedAt time.Time
}

func (showAndTellRow) TableName() string { return "show_and_tells" }

// RecordShowAndTell records, or records again, that team teamID held its
// show-and-tell of month, with entry, in one transaction.
func (s *Store) RecordShowAndTell(ctx context.Context, teamID int64, month string, held sandpit.ShowAndTellSession, by int64, entry sandpit.AuditEntry) error {
	row := showAndTellRow{TeamID: teamID, Month: month, HeldOn: held.On, Attendees: held.Attendees, RecordedBy: &by, RecordedAt: s.Now()}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "team_id"}, {Name: "month"}},
			DoUpdates: clause.AssignmentColumns([]string{"held_on", "attendees", "recorded_by", "recorded_at"})}).Create(&row).Error
		if err != nil {
			return err
		}
		entry.TeamID = &teamID
		entry.Detail = fmt.Sprintf("show-and-tell of %s held on %s, %d attending", month, held.On, held.Attendees)
		return s.audit(tx, entry)
	})
	if err != nil {
		return fmt.Errorf("store: record show-and-tell of team %d: %w", teamID, err)
	}
	return nil
}

// ShowAndTells returns the show-and-tells team teamID recorded as held,
// by month.
func (s *Store) ShowAndTells(ctx context.Context, teamID int64) (map[string]HeldShowAndTell, error) {
	var rows []showAndTellRow
	if err := s.read.WithContext(ctx).Where("team_id = ?", teamID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: show-and-tells of team %d: %w", teamID, err)
	}
	out := map[string]HeldShowAndTell{}
	for _, r := range rows {
		out[r.Month] = HeldShowAndTell{Month: r.Month, On: r.HeldOn, Attendees: r.Attendees}
	}
	return out, nil
}

// TeamFirstPublished returns when team teamID first published a release,
// or nil when it never has: its monthly rhythm starts that month.
func (s *Store) TeamFirstPublished(ctx context.Context, teamID int64) (*time.Time, error) {
	var first []time.Time
	err := s.read.WithContext(ctx).Raw(`SELECT r.published_at FROM releases r JOIN workflows w ON w.id = r.workflow_id
		WHERE w.team_id = ? AND r.published_at IS NOT NULL ORDER BY r.published_at LIMIT 1`, teamID).Scan(&first).Error
	if err != nil {
		return nil, fmt.Errorf("store: first release of team %d: %w", teamID, err)
	}
	if len(first) == 0 {
		return nil, nil
	}
	return &first[0], nil
}
