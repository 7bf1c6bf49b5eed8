package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

type workflowRow struct {
	ID          int64
	TeamID      int64
	Title       string
	Description string
	// StaffCount and StaffCountSource are how many staff do the job, for
	// the benefits case.
	StaffCount       *int
	StaffCountSource string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (workflowRow) TableName() string { return "workflows" }

type consentRow struct {
	ID         int64
	WorkflowID int64
	Version    int
	Text       string
	CreatedAt  time.Time
}

func (consentRow) TableName() string { return "consent_versions" }

// CreateWorkflow stores a validated workflow of team teamID with version 1
// of its consent text, recording entry.
func (s *Store) CreateWorkflow(ctx context.Context, teamID int64, in sandpit.WorkflowInput, entry sandpit.AuditEntry) (int64, error) {
	now := s.Now()
	row := workflowRow{TeamID: teamID, Title: in.Title, Description: in.Description, CreatedAt: now, UpdatedAt: now}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Create(&consentRow{WorkflowID: row.ID, Version: 1, Text: in.ConsentText, CreatedAt: now}).Error; err != nil {
			return err
		}
		entry.TeamID, entry.Detail = &teamID, fmt.Sprintf("workflow %d %q", row.ID, in.Title)
		return s.audit(tx, entry)
	})
	if err != nil {
		return 0, fmt.Errorf("store: create workflow: %w", err)
	}
	return row.ID, nil
}

// UpdateWorkflow saves a workflow's title, description and staff count,
// and, when the consent text changed, adds a new consent version (earlier
// versions stay), recording entry, in one transaction.
func (s *Store) UpdateWorkflow(ctx context.Context, id int64, in sandpit.WorkflowInput, staff sandpit.StaffCount, entry sandpit.AuditEntry) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		now := s.Now()
		res := tx.Model(&workflowRow{}).Where("id = ?", id).Updates(map[string]any{"title": in.Title, "description": in.Description,
			"staff_count": staff.Count, "staff_count_source": staff.Source, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return sandpit.Errorf(sandpit.ENOTFOUND, "Workflow not found.")
		}
		if err := s.audit(tx, entry); err != nil {
			return err
		}
		var current consentRow
		if err := tx.Where("workflow_id = ?", id).Order("version DESC").Take(&current).Error; err != nil {
			return err
		}
		if current.Text == in.ConsentText {
			return nil
		}
		return tx.Create(&consentRow{WorkflowID: id, Version: current.Version + 1, Text: in.ConsentText, CreatedAt: now}).Error
	})
	if err != nil {
		return fmt.Errorf("store: update workflow %d: %w", id, err)
	}
	return nil
}

// Scope is what a caller may read: the workflows and releases of the teams
// listed, or of every team when All is set, and with OpenReleases any
// release open for trials; with ResearchOnly, only the trials of clinicians
// who agreed to research use count. The app layer works it out from the
// permission rules; reads that take a scope cannot return anything outside
// it.
type Scope struct {
	All          bool
	Teams        []int64
	OpenReleases bool
	ResearchOnly bool
}

// consentFilter is the condition on the trials aliased alias that keeps
// only the trials of clinicians who agreed to research use, when
// researchOnly: what researchers and research exports see (PRODUCT.md).
// Every read of trial data a researcher may see goes through it.
func consentFilter(alias string, researchOnly bool) string {
	if researchOnly {
		return alias + ".research_use"
	}
	return "TRUE"
}

// condition is the SQL condition, with its arguments, that column
// teamCol (and, for releases, statusCol) lies within the scope.
func (sc Scope) condition(teamCol, statusCol string) (string, []any) {
	if sc.All {
		return "1 = 1", nil
	}
	conds, args := []string{"1 = 0"}, []any{}
	if len(sc.Teams) > 0 {
		conds = append(conds, teamCol+" IN ?")
		args = append(args, sc.Teams)
	}
	if sc.OpenReleases && statusCol != "" {
		conds = append(conds, statusCol+" = ?")
		args = append(args, string(sandpit.StatusOpen))
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// everything is the scope of Sandpit itself, for reads not made for a
// caller.
var everything = Scope{All: true}

// Workflow returns workflow id with its current consent text and its
// releases, newest first.
func (s *Store) Workflow(ctx context.Context, id int64) (*sandpit.Workflow, error) {
	return s.WorkflowIn(ctx, id, everything)
}

// WorkflowIn returns workflow id as Workflow does, if it is within scope:
// ENOTFOUND otherwise, as if it did not exist.
func (s *Store) WorkflowIn(ctx context.Context, id int64, scope Scope) (*sandpit.Workflow, error) {
	cond, args := scope.condition("w.team_id", "")
	list, err := s.workflows(ctx, "w.id = ? AND "+cond, append([]any{id}, args...)...)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Workflow not found.")
	}
	w := &list[0]
	db := s.read.WithContext(ctx)
	err = db.Raw(`SELECT r.id, r.version, r.baseline, r.status, r.created_at, r.published_at,
			(SELECT COUNT(*) FROM screens sc WHERE sc.release_id = r.id) AS screens,
			(SELECT COUNT(*) FROM tasks t WHERE t.release_id = r.id) AS tasks
		FROM releases r WHERE r.workflow_id = ? ORDER BY r.id DESC`, id).Scan(&w.Releases).Error
	if err != nil {
		return nil, fmt.Errorf("store: releases of workflow %d: %w", id, err)
	}
	return w, nil
}

// ConsentVersion returns the version of workflow id's consent text that a
// clinician agrees to now: its latest. A workflow has one from its start.
func (s *Store) ConsentVersion(ctx context.Context, id int64) (int, error) {
	var version *int
	if err := s.read.WithContext(ctx).Raw(`SELECT MAX(version) FROM consent_versions WHERE workflow_id = ?`, id).Row().Scan(&version); err != nil {
		return 0, fmt.Errorf("store: consent version of %d: %w", id, err)
	}
	if version == nil {
		return 0, sandpit.Errorf(sandpit.ENOTFOUND, "Workflow not found.")
	}
	return *version, nil
}

// ConsentVersions returns every consent text of workflow id, newest first.
func (s *Store) ConsentVersions(ctx context.Context, id int64) ([]sandpit.ConsentVersion, error) {
	var rows []consentRow
	if err := s.read.WithContext(ctx).Where("workflow_id = ?", id).Order("version DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: consent versions of %d: %w", id, err)
	}
	versions := make([]sandpit.ConsentVersion, len(rows))
	for i, r := range rows {
		versions[i] = sandpit.ConsentVersion{Version: r.Version, Text: r.Text, CreatedAt: r.CreatedAt}
	}
	return versions, nil
}

// Workflows returns the workflows of the teams listed, or of every team
// when all is set, by team then title.
func (s *Store) Workflows(ctx context.Context, teamIDs []int64, all bool) ([]sandpit.Workflow, error) {
	if all {
		return s.workflows(ctx, "1 = 1")
	}
	if len(teamIDs) == 0 {
		return nil, nil
	}
	return s.workflows(ctx, "w.team_id IN ?", teamIDs)
}

func (s *Store) workflows(ctx context.Context, where string, args ...any) ([]sandpit.Workflow, error) {
	var rows []struct {
		Workflow       workflowRow `gorm:"embedded"`
		TeamName       string
		ConsentVersion int
		ConsentText    string
	}
	err := s.read.WithContext(ctx).Table("workflows w").
		Select(`w.*, t.name AS team_name, c.version AS consent_version, c.text AS consent_text`).
		Joins("JOIN teams t ON t.id = w.team_id").
		Joins("JOIN consent_versions c ON c.workflow_id = w.id AND c.version = (SELECT MAX(version) FROM consent_versions c2 WHERE c2.workflow_id = w.id)").
		Where(where, args...).Order("t.name_lower, lower(w.title), w.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: workflows: %w", err)
	}
	list := make([]sandpit.Workflow, len(rows))
	for i, r := range rows {
		w := r.Workflow
		list[i] = sandpit.Workflow{ID: w.ID, TeamID: w.TeamID, TeamName: r.TeamName, Title: w.Title, Description: w.Description,
			ConsentVersion: r.ConsentVersion, ConsentText: r.ConsentText, CreatedAt: w.CreatedAt,
			StaffCount: sandpit.StaffCount{Count: w.StaffCount, Source: w.StaffCountSource}}
	}
	return list, nil
}
