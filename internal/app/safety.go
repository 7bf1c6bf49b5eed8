package app

import (
	"context"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// safetyStore is what Safety needs of the store.
type safetyStore interface {
	SafetyConcerns(ctx context.Context) ([]store.SafetyConcern, error)
	TriageReport(ctx context.Context, reportID int64, t sandpit.Triage, entry sandpit.AuditEntry) error
}

// Safety is the use cases of the safety concerns list and their triage.
type Safety struct {
	store safetyStore
}

func newSafety(st *store.Store, _ Config) *Safety { return &Safety{store: st} }

// Concerns lists every safety concern of every team, newest first: for
// safety officers and admins.
func (s *Safety) Concerns(ctx context.Context, a Actor) ([]store.SafetyConcern, error) {
	if err := allow(sandpit.CanTriageSafety(a.User)); err != nil {
		return nil, err
	}
	return s.store.SafetyConcerns(ctx)
}

// Triage records a safety officer's verdict on safety concern reportID.
func (s *Safety) Triage(ctx context.Context, a Actor, reportID int64, t sandpit.Triage) error {
	if err := allow(sandpit.CanTriageSafety(a.User)); err != nil {
		return err
	}
	return s.store.TriageReport(ctx, reportID, t, a.entry(sandpit.AuditSafetyTriaged))
}
