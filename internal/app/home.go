package app

import (
	"context"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// homeStore is what Home needs of the store.
type homeStore interface {
	AvailableReleases(ctx context.Context, userID int64) ([]store.AvailableRelease, error)
	TeamReleases(ctx context.Context, scope store.Scope, since time.Time) ([]store.TeamRelease, error)
	SafetyTriageCounts(ctx context.Context) (map[string]int, error)
	AuditEvents(ctx context.Context, f store.AuditFilter) ([]sandpit.AuditEvent, int64, error)
	ReleaseMetaIn(ctx context.Context, id int64, scope store.Scope) (*store.ReleaseMeta, error)
	Release(ctx context.Context, id int64) (*sandpit.Release, error)
	Workflow(ctx context.Context, id int64) (*sandpit.Workflow, error)
}

// Home is the use cases of arriving: the page after sign-in, with a
// section for each of the person's roles, and the invitation a signed-out
// person follows.
type Home struct {
	store homeStore
	now   func() time.Time
}

func newHome(st *store.Store, cfg Config) *Home { return &Home{store: st, now: cfg.Now} }

// NewFindingsWindow is how far back a finding counts as new on a product
// owner's home page.
const NewFindingsWindow = 7 * 24 * time.Hour

// RecentAuditEvents is how many audit events an admin's home page shows.
const RecentAuditEvents = 5

// Dashboard is the home page of a signed-in person: one section per role
// they hold; a section they have no role for is nil.
type Dashboard struct {
	Clinician *ClinicianHome
	Owner     *OwnerHome
	Safety    *SafetyHome
	Admin     *AdminHome
}

// ClinicianHome is a clinician's trials in progress and the open trials
// they have not started.
type ClinicianHome struct {
	InProgress []store.AvailableRelease
	Open       []store.AvailableRelease
}

// OwnerHome is a product owner's teams' workflows, each with its open
// releases, and the time after which findings count as new.
type OwnerHome struct {
	Releases []store.TeamRelease
	Since    time.Time
}

// SafetyHome is how many safety concerns await a safety officer: not
// looked at yet, and under review.
type SafetyHome struct {
	Open        int
	UnderReview int
}

// AdminHome is the newest audit events.
type AdminHome struct {
	Events []sandpit.AuditEvent
	Total  int64
}

// Dashboard returns the caller's home page, a section for each role.
func (h *Home) Dashboard(ctx context.Context, a Actor) (*Dashboard, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	d := &Dashboard{}
	var err error
	if a.User.Has(sandpit.RoleClinician) {
		if d.Clinician, err = h.clinician(ctx, a); err != nil {
			return nil, err
		}
	}
	if a.User.Has(sandpit.RoleProductOwner) {
		if d.Owner, err = h.owner(ctx, a); err != nil {
			return nil, err
		}
	}
	if a.User.Has(sandpit.RoleSafetyOfficer) && sandpit.CanTriageSafety(a.User) {
		counts, err := h.store.SafetyTriageCounts(ctx)
		if err != nil {
			return nil, err
		}
		d.Safety = &SafetyHome{Open: counts[sandpit.TriageOpen], UnderReview: counts[sandpit.TriageUnderReview]}
	}
	if sandpit.CanAdminister(a.User) {
		events, total, err := h.store.AuditEvents(ctx, store.AuditFilter{Limit: RecentAuditEvents})
		if err != nil {
			return nil, err
		}
		d.Admin = &AdminHome{Events: events, Total: total}
	}
	return d, nil
}

// clinician is the caller's trials in progress and the open releases they
// have not started; finished trials are in My feedback.
func (h *Home) clinician(ctx context.Context, a Actor) (*ClinicianHome, error) {
	list, err := h.store.AvailableReleases(ctx, a.ID())
	if err != nil {
		return nil, err
	}
	c := &ClinicianHome{}
	for _, r := range list {
		switch {
		case r.TrialID == nil && sandpit.CanTakeTrial(a.User, sandpit.StatusOpen):
			c.Open = append(c.Open, r)
		case r.TrialID != nil && r.CompletedAt == nil:
			c.InProgress = append(c.InProgress, r)
		}
	}
	return c, nil
}

// owner is the workflows of the teams the caller is a product owner of,
// scoped to those teams.
func (h *Home) owner(ctx context.Context, a Actor) (*OwnerHome, error) {
	sc := store.Scope{Teams: []int64{}}
	for _, m := range a.User.Teams {
		if a.User.IsMember(m.TeamID) && sandpit.CanEditWorkflows(a.User, m.TeamID) {
			sc.Teams = append(sc.Teams, m.TeamID)
		}
	}
	since := h.now().Add(-NewFindingsWindow)
	list, err := h.store.TeamReleases(ctx, sc, since)
	if err != nil {
		return nil, err
	}
	return &OwnerHome{Releases: list, Since: since}, nil
}

// Invitation is what an invite link offers: an open release of a workflow,
// its team and how many tasks it has.
type Invitation struct {
	ReleaseID int64
	Workflow  string
	Version   string
	Team      string
	Tasks     int
}

// Invitation returns what the invite link to release id offers, to anyone,
// signed in or not: ENOTFOUND unless the release is open.
func (h *Home) Invitation(ctx context.Context, a Actor, releaseID int64) (*Invitation, error) {
	m, err := h.store.ReleaseMetaIn(ctx, releaseID, store.Scope{OpenReleases: true})
	if err != nil {
		return nil, err
	}
	if err := visible(sandpit.CanSeeInvitation(m.Status), "Release"); err != nil {
		return nil, err
	}
	r, err := h.store.Release(ctx, releaseID)
	if err != nil {
		return nil, err
	}
	wf, err := h.store.Workflow(ctx, m.WorkflowID)
	if err != nil {
		return nil, err
	}
	return &Invitation{ReleaseID: releaseID, Workflow: wf.Title, Version: r.Version, Team: wf.TeamName, Tasks: len(r.Tasks)}, nil
}
