// Package demo loads Sandpit's demo data: one account for each role and the
// demo team. Loading it again changes nothing.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// TeamName is the demo product team.
const TeamName = "Medicines Optimisation"

// Account is a demo account as printed at start.
type Account struct {
	Role     sandpit.Role
	Email    string
	Name     string
	Password string
}

// Accounts are the demo accounts, one per role. Their passwords are printed
// at start: demo data is for trying Sandpit out, never for real use.
func Accounts() []Account {
	return []Account{
		{sandpit.RoleClinician, "clinician@demo.sandpit.test", "Ada Okafor (demo nurse)", "demo-clinician-password"},
		{sandpit.RoleProductOwner, "owner@demo.sandpit.test", "Sam Patel (demo product owner)", "demo-owner-password"},
		{sandpit.RoleResearcher, "researcher@demo.sandpit.test", "Ruth Evans (demo researcher)", "demo-researcher-password"},
		{sandpit.RoleSafetyOfficer, "safety@demo.sandpit.test", "Tom Hughes (demo safety officer)", "demo-safety-password"},
		{sandpit.RoleAdmin, "admin@demo.sandpit.test", "Alex Morgan (demo admin)", "demo-admin-password"},
	}
}

// Seed creates whatever demo data is missing. hash hashes a password for
// storage. The demo's history is laid out over the two calendar months
// before the current one (Europe/London), so that every time it records lies
// in the past and the monthly show-and-tells of both months have something
// true to show.
func Seed(ctx context.Context, st *store.Store, hash func(string) (string, error)) error {
	users := map[sandpit.Role]*sandpit.User{}
	for _, a := range Accounts() {
		u, _, err := st.UserByEmail(ctx, a.Email)
		if sandpit.ErrorCode(err) == sandpit.ENOTFOUND {
			u, err = createAccount(ctx, st, a, hash)
		}
		if err != nil {
			return fmt.Errorf("demo: %s: %w", a.Email, err)
		}
		users[a.Role] = u
	}
	tl := newTimeline(st.Now())
	admin, owner := users[sandpit.RoleAdmin], users[sandpit.RoleProductOwner]
	for _, plan := range workflowPlans(tl) {
		team, err := st.TeamByName(ctx, plan.team)
		if sandpit.ErrorCode(err) == sandpit.ENOTFOUND {
			team, err = st.WithClock(tl.fixed(plan.created.Add(-time.Hour))).CreateTeam(ctx, plan.team,
				sandpit.AuditEntry{Action: sandpit.AuditTeamCreated, ActorID: &admin.ID, Detail: "demo data"})
		}
		if err != nil {
			return fmt.Errorf("demo: team: %w", err)
		}
		if err := seedWorkflow(ctx, st, team.ID, owner, plan); err != nil {
			return err
		}
		if err := seedTrials(ctx, st, team.ID, users[sandpit.RoleClinician], plan); err != nil {
			return err
		}
		roles := []sandpit.Role{sandpit.RoleProductOwner}
		if plan.title == WorkflowTitle {
			roles = append(roles, sandpit.RoleResearcher)
		}
		for _, role := range roles {
			u := users[role]
			if inTeam(u, team.ID, role) {
				continue
			}
			action := sandpit.AuditMemberAdded
			if role == sandpit.RoleResearcher {
				action = sandpit.AuditResearcherGrant
			}
			if err := st.AddToTeam(ctx, team.ID, u.ID, role, sandpit.AuditEntry{Action: action, ActorID: &admin.ID, Detail: "demo data"}); err != nil {
				return fmt.Errorf("demo: add %s to team: %w", u.Email, err)
			}
		}
		if err := seedShowAndTells(ctx, st, team.ID, owner, plan.held); err != nil {
			return err
		}
	}
	return nil
}

// timeline is the demo's two months of history: m2, two calendar months
// before the current one, and m1, the month before it.
type timeline struct {
	now    time.Time
	m2, m1 sandpit.Month
}

func newTimeline(now time.Time) timeline {
	m1 := sandpit.MonthOf(now).Prev()
	return timeline{now: now, m2: m1.Prev(), m1: m1}
}

// at is day of month m at hour:minute in London.
func (timeline) at(m sandpit.Month, day, hour, minute int) time.Time {
	return time.Date(m.Year, m.Month, day, hour, minute, 0, 0, sandpit.London)
}

// fixed is a clock that always reads t.
func (timeline) fixed(t time.Time) func() time.Time { return func() time.Time { return t } }

// workflowPlan is a demo workflow and its history.
type workflowPlan struct {
	team                        string
	title, description, consent string
	staff                       int
	staffSource                 string
	created                     time.Time
	releases                    []releasePlan
	held                        []heldPlan // monthly show-and-tells held
	emailPrefix                 string     // of its synthetic clinicians
	clinicianVersion            string     // the release the demo clinician takes, if any
	definitions                 func() ([]sandpit.Definition, error)
}

// releasePlan is when a demo release was made, published and closed, and
// when its trials ran.
type releasePlan struct {
	version              string
	created, published   time.Time
	closed               *time.Time // nil: still open
	trialsFrom, trialsTo time.Time
	trials               *trialPlan     // nil: no trials yet
	targets              map[string]int // participants wanted by profession, if set
}

// heldPlan is a monthly show-and-tell the team held.
type heldPlan struct {
	month     sandpit.Month
	day       int
	attendees int
}

func ptr[T any](v T) *T { return &v }

// workflowPlans are the demo workflows: medicines reconciliation, whose
// latest release 0.2 has just opened, and allergy checks before
// prescribing, compared with the legacy system in the previous month.
func workflowPlans(tl timeline) []workflowPlan {
	m2, m1 := tl.m2, tl.m1
	plans := trialPlans()
	return []workflowPlan{
		{team: TeamName, title: WorkflowTitle, description: WorkflowDescription, consent: ConsentText,
			staff: 420, staffSource: "ESR headcount of admitting ward nurses and pharmacists, " + m1.Label(),
			created: tl.at(m2, 1, 9, 30), emailPrefix: "demo-trial-", clinicianVersion: "0.1", definitions: Releases,
			releases: []releasePlan{
				{version: "legacy", created: tl.at(m2, 1, 10, 0), published: tl.at(m2, 2, 9, 0), closed: ptr(tl.at(m2, 13, 17, 0)),
					trialsFrom: tl.at(m2, 2, 9, 30), trialsTo: tl.at(m2, 12, 16, 0), trials: &plans[0]},
				{version: "0.1", created: tl.at(m2, 9, 11, 0), published: tl.at(m2, 14, 9, 0), closed: ptr(tl.at(m1, 10, 17, 0)),
					trialsFrom: tl.at(m2, 14, 10, 0), trialsTo: tl.at(m1, 8, 16, 0), trials: &plans[1]},
				{version: "0.2", created: tl.at(m1, 12, 10, 0), published: tl.at(m1, 20, 9, 0),
					targets: map[string]int{"nurse": 8, "pharmacist": 4, "doctor": 2}},
			},
			held: []heldPlan{{m2, 27, 14}, {m1, 26, 23}}},
		{team: SecondTeamName, title: SecondWorkflowTitle, description: SecondWorkflowDescription, consent: SecondConsentText,
			staff: 1450, staffSource: "ESR headcount of prescribers (doctors, nurse and pharmacist prescribers), " + m1.Label(),
			created: tl.at(m2, 16, 14, 0), emailPrefix: "demo-trial-allergy-", definitions: allergyReleases,
			releases: []releasePlan{
				{version: "legacy", created: tl.at(m2, 16, 15, 0), published: tl.at(m2, 20, 9, 0), closed: ptr(tl.at(m1, 3, 17, 0)),
					trialsFrom: tl.at(m2, 20, 9, 30), trialsTo: tl.at(m1, 2, 16, 0), trials: &plans[2]},
				// Closed, so that 0.2 of medicines reconciliation stays the one
				// trial open to the demo clinician.
				{version: "1.0", created: tl.at(m1, 1, 10, 0), published: tl.at(m1, 5, 9, 0), closed: ptr(tl.at(m1, 25, 17, 0)),
					trialsFrom: tl.at(m1, 5, 9, 30), trialsTo: tl.at(m1, 24, 16, 0), trials: &plans[3]},
			},
			held: []heldPlan{{m1, 27, 9}}},
	}
}

// seedShowAndTells records the team's monthly show-and-tells that were held.
func seedShowAndTells(ctx context.Context, st *store.Store, teamID int64, owner *sandpit.User, held []heldPlan) error {
	have, err := st.ShowAndTells(ctx, teamID)
	if err != nil {
		return err
	}
	for _, h := range held {
		if _, ok := have[h.month.String()]; ok {
			continue
		}
		on := time.Date(h.month.Year, h.month.Month, h.day, 14, 0, 0, 0, sandpit.London)
		s := sandpit.ShowAndTellSession{On: on.Format(time.DateOnly), Attendees: h.attendees}
		if err := s.Validate(h.month, st.Now()); err != nil {
			return fmt.Errorf("demo: show-and-tell of %s: %w", h.month, err)
		}
		err := st.WithClock(func() time.Time { return on.Add(2 * time.Hour) }).RecordShowAndTell(ctx, teamID, h.month.String(), s, owner.ID,
			sandpit.AuditEntry{Action: sandpit.AuditShowAndTellHeld, ActorID: &owner.ID})
		if err != nil {
			return fmt.Errorf("demo: show-and-tell of %s: %w", h.month, err)
		}
	}
	return nil
}

func createAccount(ctx context.Context, st *store.Store, a Account, hash func(string) (string, error)) (*sandpit.User, error) {
	n := sandpit.NewUser{Email: a.Email, Name: a.Name, Password: a.Password, Roles: []sandpit.Role{a.Role}}
	if a.Role == sandpit.RoleClinician {
		n.Profile = &sandpit.Profile{Profession: "nurse", Setting: "acute", YearsExperience: 8, LegacyFamiliarity: 4}
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	h, err := hash(a.Password)
	if err != nil {
		return nil, err
	}
	return st.CreateUser(ctx, n, h, sandpit.AuditEntry{Action: sandpit.AuditUserCreated, Detail: "demo data"})
}

func inTeam(u *sandpit.User, teamID int64, role sandpit.Role) bool {
	if role == sandpit.RoleResearcher {
		return u.IsResearcherOf(teamID)
	}
	return u.IsMember(teamID)
}

// seedWorkflow creates the plan's workflow and whichever of its releases
// are missing, each made, published and closed at its time in the plan.
func seedWorkflow(ctx context.Context, st *store.Store, teamID int64, owner *sandpit.User, plan workflowPlan) error {
	workflowID, err := workflowByTitle(ctx, st, teamID, plan.title)
	if err != nil {
		return err
	}
	entry := func(action string) sandpit.AuditEntry {
		return sandpit.AuditEntry{Action: action, ActorID: &owner.ID, TeamID: &teamID, Detail: "demo data"}
	}
	at := func(t time.Time) *store.Store { return st.WithClock(func() time.Time { return t }) }
	if workflowID == 0 {
		in := sandpit.WorkflowInput{Title: plan.title, Description: plan.description, ConsentText: plan.consent}
		if err := in.Validate(); err != nil {
			return fmt.Errorf("demo: workflow: %w", err)
		}
		if workflowID, err = at(plan.created).CreateWorkflow(ctx, teamID, in, entry(sandpit.AuditWorkflowCreated)); err != nil {
			return fmt.Errorf("demo: workflow: %w", err)
		}
		staff := sandpit.StaffCount{Count: &plan.staff, Source: plan.staffSource}
		if f := staff.Validate(); len(f) > 0 {
			return fmt.Errorf("demo: staff count: %v", f)
		}
		if err := at(plan.created.Add(time.Hour)).UpdateWorkflow(ctx, workflowID, in, staff, entry(sandpit.AuditWorkflowUpdated)); err != nil {
			return fmt.Errorf("demo: staff count: %w", err)
		}
	}
	w, err := st.Workflow(ctx, workflowID)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, r := range w.Releases {
		have[r.Version] = true
	}
	missing := false
	for _, r := range plan.releases {
		missing = missing || !have[r.version]
	}
	if !missing {
		return nil // drawing the screens again would be wasted
	}
	defs, err := plan.definitions()
	if err != nil {
		return fmt.Errorf("demo: releases: %w", err)
	}
	for i, def := range defs {
		rp := plan.releases[i]
		if have[def.Version] {
			continue
		}
		images, err := def.CheckImages()
		if err != nil {
			return fmt.Errorf("demo: release %s: %w", def.Version, err)
		}
		id, err := at(rp.created).CreateRelease(ctx, workflowID, def, images)
		if err != nil {
			return fmt.Errorf("demo: release %s: %w", def.Version, err)
		}
		if err := at(rp.published).SetReleaseStatus(ctx, id, sandpit.StatusDraft, sandpit.StatusOpen, entry(sandpit.AuditReleasePublish)); err != nil {
			return err
		}
		if len(rp.targets) > 0 {
			if err := at(rp.published).SetTargets(ctx, id, rp.targets, entry(sandpit.AuditTargetsSet)); err != nil {
				return fmt.Errorf("demo: release %s's targets: %w", def.Version, err)
			}
		}
		if rp.closed != nil {
			if err := at(*rp.closed).SetReleaseStatus(ctx, id, sandpit.StatusOpen, sandpit.StatusClosed, entry(sandpit.AuditReleaseClosed)); err != nil {
				return err
			}
		}
	}
	return nil
}

// workflowByTitle returns the id of team teamID's workflow titled title, or
// 0 when it has none.
func workflowByTitle(ctx context.Context, st *store.Store, teamID int64, title string) (int64, error) {
	list, err := st.Workflows(ctx, []int64{teamID}, false)
	if err != nil {
		return 0, err
	}
	for _, w := range list {
		if w.Title == title {
			return w.ID, nil
		}
	}
	return 0, nil
}
