// Package demo loads Sandpit's demo data: one account for each role and the
// demo team. Loading it again changes nothing.
package demo

import (
	"context"
	"fmt"

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
// storage.
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
	team, err := st.TeamByName(ctx, TeamName)
	if sandpit.ErrorCode(err) == sandpit.ENOTFOUND {
		team, err = st.CreateTeam(ctx, TeamName, sandpit.AuditEntry{Action: sandpit.AuditTeamCreated, ActorID: &users[sandpit.RoleAdmin].ID, Detail: "demo data"})
	}
	if err != nil {
		return fmt.Errorf("demo: team: %w", err)
	}
	if err := seedWorkflow(ctx, st, team.ID, users[sandpit.RoleProductOwner]); err != nil {
		return err
	}
	if err := seedTrials(ctx, st, team.ID, users[sandpit.RoleClinician]); err != nil {
		return err
	}
	for _, role := range []sandpit.Role{sandpit.RoleProductOwner, sandpit.RoleResearcher} {
		u := users[role]
		if inTeam(u, team.ID, role) {
			continue
		}
		action := sandpit.AuditMemberAdded
		if role == sandpit.RoleResearcher {
			action = sandpit.AuditResearcherGrant
		}
		if err := st.AddToTeam(ctx, team.ID, u.ID, role, sandpit.AuditEntry{Action: action, ActorID: &users[sandpit.RoleAdmin].ID, Detail: "demo data"}); err != nil {
			return fmt.Errorf("demo: add %s to team: %w", u.Email, err)
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

// seedWorkflow creates the demo workflow and whichever of its releases are
// missing: legacy (the baseline) and 0.1 closed, 0.2 open for trials.
func seedWorkflow(ctx context.Context, st *store.Store, teamID int64, owner *sandpit.User) error {
	list, err := st.Workflows(ctx, []int64{teamID}, false)
	if err != nil {
		return err
	}
	var workflowID int64
	for _, w := range list {
		if w.Title == WorkflowTitle {
			workflowID = w.ID
		}
	}
	entry := func(action string) sandpit.AuditEntry {
		return sandpit.AuditEntry{Action: action, ActorID: &owner.ID, Detail: "demo data"}
	}
	if workflowID == 0 {
		in := sandpit.WorkflowInput{Title: WorkflowTitle, Description: WorkflowDescription, ConsentText: ConsentText}
		if err := in.Validate(); err != nil {
			return fmt.Errorf("demo: workflow: %w", err)
		}
		if workflowID, err = st.CreateWorkflow(ctx, teamID, in, entry(sandpit.AuditWorkflowCreated)); err != nil {
			return fmt.Errorf("demo: workflow: %w", err)
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
	if have["legacy"] && have["0.1"] && have["0.2"] {
		return nil // drawing the screens again would be wasted
	}
	defs, err := Releases()
	if err != nil {
		return fmt.Errorf("demo: releases: %w", err)
	}
	for i, def := range defs {
		if have[def.Version] {
			continue
		}
		images, err := def.CheckImages()
		if err != nil {
			return fmt.Errorf("demo: release %s: %w", def.Version, err)
		}
		id, err := st.CreateRelease(ctx, workflowID, def, images)
		if err != nil {
			return fmt.Errorf("demo: release %s: %w", def.Version, err)
		}
		if err := st.SetReleaseStatus(ctx, id, sandpit.StatusDraft, sandpit.StatusOpen, entry(sandpit.AuditReleasePublish)); err != nil {
			return err
		}
		if i < len(defs)-1 {
			if err := st.SetReleaseStatus(ctx, id, sandpit.StatusOpen, sandpit.StatusClosed, entry(sandpit.AuditReleaseClosed)); err != nil {
				return err
			}
		}
	}
	return nil
}
