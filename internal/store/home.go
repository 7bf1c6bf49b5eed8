package store

import (
	"context"
	"fmt"
	"time"
)

// TeamRelease is a workflow of a team with one of its open releases, as
// the product owner's home page lists them: ReleaseID is nil for a
// workflow with no open release.
type TeamRelease struct {
	WorkflowID    int64
	WorkflowTitle string
	TeamID        int64
	TeamName      string
	ReleaseID     *int64
	Version       string
	// Participants is how many clinicians started a trial of the release,
	// and Completed how many of them finished it.
	Participants int
	Completed    int
	// NewFindings is how many findings of the workflow were first made
	// since the time asked for and hold a report from the release.
	NewFindings int
}

// TeamReleases lists the workflows within scope, each with its open
// releases (newest first), by team, then title. Findings count as new
// when they were made at or after since.
func (s *Store) TeamReleases(ctx context.Context, scope Scope, since time.Time) ([]TeamRelease, error) {
	cond, args := scope.condition("w.team_id", "")
	list := []TeamRelease{}
	err := s.read.WithContext(ctx).Raw(`SELECT w.id AS workflow_id, w.title AS workflow_title, tm.id AS team_id, tm.name AS team_name,
			r.id AS release_id, COALESCE(r.version, '') AS version,
			(SELECT COUNT(*) FROM trials t WHERE t.release_id = r.id) AS participants,
			(SELECT COUNT(*) FROM trials t WHERE t.release_id = r.id AND t.completed_at IS NOT NULL) AS completed,
			(SELECT COUNT(DISTINCT f.id) FROM findings f
				JOIN reports rp ON rp.finding_id = f.id
				JOIN trials t ON t.id = rp.trial_id
				WHERE t.release_id = r.id AND f.created_at >= ?) AS new_findings
		FROM workflows w
		JOIN teams tm ON tm.id = w.team_id
		LEFT JOIN releases r ON r.workflow_id = w.id AND r.status = 'open'
		WHERE `+cond+`
		ORDER BY tm.name_lower, lower(w.title), w.id, r.id DESC`, append([]any{since.UTC()}, args...)...).Scan(&list).Error
	if err != nil {
		return nil, fmt.Errorf("store: team releases: %w", err)
	}
	return list, nil
}

// SafetyTriageCounts returns how many safety concerns, of every team, have
// each triage status; a status no concern has is absent.
func (s *Store) SafetyTriageCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Triage string
		N      int
	}
	err := s.read.WithContext(ctx).Raw(`SELECT triage, COUNT(*) AS n FROM reports WHERE safety_concern GROUP BY triage`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: safety triage counts: %w", err)
	}
	counts := make(map[string]int, len(rows))
	for _, r := range rows {
		counts[r.Triage] = r.N
	}
	return counts, nil
}
