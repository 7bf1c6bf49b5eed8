package store

import (
	"context"
	"fmt"
	"time"
)

// TrialSummary is one of a clinician's trials, as "My feedback" lists it.
type TrialSummary struct {
	TrialID       int64
	ReleaseID     int64
	Version       string
	WorkflowTitle string
	Status        string // the release's status
	ConsentedAt   time.Time
	CompletedAt   *time.Time
}

// TrialsOf returns every trial of user userID, newest first.
func (s *Store) TrialsOf(ctx context.Context, userID int64) ([]TrialSummary, error) {
	var list []TrialSummary
	err := s.read.WithContext(ctx).Raw(`SELECT t.id AS trial_id, r.id AS release_id, r.version, w.title AS workflow_title, r.status,
			t.consented_at, t.completed_at
		FROM trials t
		JOIN releases r ON r.id = t.release_id
		JOIN workflows w ON w.id = r.workflow_id
		WHERE t.user_id = ?
		ORDER BY t.consented_at DESC, t.id DESC`, userID).Scan(&list).Error
	if err != nil {
		return nil, fmt.Errorf("store: trials of %d: %w", userID, err)
	}
	return list, nil
}
