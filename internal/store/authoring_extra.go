package store

import (
	"context"
	"fmt"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// LatestReleases returns the newest release of each of the workflows
// listed, by workflow id; a workflow without releases is absent.
func (s *Store) LatestReleases(ctx context.Context, workflowIDs []int64) (map[int64]sandpit.ReleaseSummary, error) {
	out := map[int64]sandpit.ReleaseSummary{}
	if len(workflowIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		WorkflowID int64
		sandpit.ReleaseSummary
	}
	err := s.read.WithContext(ctx).Raw(`SELECT r.workflow_id, r.id, r.version, r.baseline, r.status, r.created_at, r.published_at
		FROM releases r WHERE r.id IN (SELECT MAX(id) FROM releases WHERE workflow_id IN ? GROUP BY workflow_id)`, workflowIDs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: latest releases: %w", err)
	}
	for _, r := range rows {
		out[r.WorkflowID] = r.ReleaseSummary
	}
	return out, nil
}
