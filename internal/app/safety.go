package app

import (
	"context"
	"slices"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// safetyStore is what Safety needs of the store.
type safetyStore interface {
	SafetyConcerns(ctx context.Context) ([]store.SafetyConcern, error)
	TriageReport(ctx context.Context, reportID int64, t sandpit.Triage, entry sandpit.AuditEntry) error
	PublishedDefinition(ctx context.Context, releaseID int64) (*sandpit.Definition, error)
}

// Safety is the use cases of the safety concerns list and their triage.
type Safety struct {
	store safetyStore
}

func newSafety(st *store.Store, _ Config) *Safety { return &Safety{store: st} }

// Concern is a safety concern with the titles of its screen and task.
type Concern struct {
	store.SafetyConcern
	ScreenTitle string
	TaskTitle   string // "" when it was reported outside a task
}

// Concerns lists every safety concern of every team, newest first, or only
// those whose triage status is triage when it is not "": for safety
// officers and admins.
func (s *Safety) Concerns(ctx context.Context, a Actor, triage string) ([]Concern, error) {
	if err := allow(sandpit.CanTriageSafety(a.User)); err != nil {
		return nil, err
	}
	if triage != "" && !slices.Contains(sandpit.TriageStatuses(), triage) {
		return nil, sandpit.Invalid("Choose a triage status to show.", sandpit.OneOf("triage", sandpit.TriageStatuses()))
	}
	list, err := s.store.SafetyConcerns(ctx)
	if err != nil {
		return nil, err
	}
	out := []Concern{}
	defs := map[int64]*sandpit.Definition{}
	for _, c := range list {
		if triage != "" && c.Triage != triage {
			continue
		}
		def, ok := defs[c.ReleaseID]
		if !ok {
			if def, err = s.store.PublishedDefinition(ctx, c.ReleaseID); err != nil {
				return nil, err
			}
			defs[c.ReleaseID] = def
		}
		v := Concern{SafetyConcern: c, ScreenTitle: c.Screen}
		if sc := def.Screen(c.Screen); sc != nil {
			v.ScreenTitle = sc.Title
		}
		if t := def.Task(c.TaskKey); t != nil {
			v.TaskTitle = t.Title
		}
		out = append(out, v)
	}
	return out, nil
}

// Triage records a safety officer's verdict on safety concern reportID and
// returns the concern as it is now.
func (s *Safety) Triage(ctx context.Context, a Actor, reportID int64, t sandpit.Triage) (*Concern, error) {
	if err := allow(sandpit.CanTriageSafety(a.User)); err != nil {
		return nil, err
	}
	if err := s.store.TriageReport(ctx, reportID, t, a.entry(sandpit.AuditSafetyTriaged)); err != nil {
		return nil, err
	}
	list, err := s.Concerns(ctx, a, "")
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if c.ID == reportID {
			return &c, nil
		}
	}
	return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Safety concern not found.")
}
