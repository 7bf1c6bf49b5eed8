package app_test

import (
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// Every grant has a matching revoke (issue 14): removing a product owner
// and revoking a researcher's grant, each allowed to whoever may grant it;
// a team the actor cannot see is not found, as for adding.
func TestRevokePermissions(t *testing.T) {
	checkPermissions(t, []permissionCase{
		{name: "RemoveMember", writes: true, want: with(only(sandpit.ENOTFOUND, kindAdmin, kindOwner), kindResearcher, sandpit.EFORBIDDEN),
			run: func(w *world, a app.Actor) error {
				return w.app.Identity.RemoveMember(w.ctx, a, w.team.ID, w.actors[kindOwner].ID())
			}},
		{name: "RevokeResearcher", writes: true, want: with(with(only(sandpit.ENOTFOUND, kindAdmin), kindOwner, sandpit.EFORBIDDEN), kindResearcher, sandpit.EFORBIDDEN),
			run: func(w *world, a app.Actor) error {
				return w.app.Identity.RevokeResearcher(w.ctx, a, w.team.ID, w.actors[kindResearcher].ID())
			}},
	})
}

func TestRevocations(t *testing.T) {
	w := newWorld(t)
	admin := w.actors[kindAdmin]
	t.Run("a removed product owner no longer manages the team", func(t *testing.T) {
		owner := w.actors[kindOwner]
		w.must(w.app.Identity.RemoveMember(w.ctx, admin, w.team.ID, owner.ID()))
		if again := w.actor(owner.User.Email); sandpit.CanManageTeam(again.User, w.team.ID) {
			t.Error("still manages the team")
		}
		e := w.audited(sandpit.AuditMemberRemoved)
		if len(e) != 1 || !strings.Contains(e[0].Detail, `"Medicines"`) || !strings.Contains(e[0].Detail, owner.User.Email) || e[0].TeamID == nil || *e[0].TeamID != w.team.ID {
			t.Errorf("audit = %+v, want the team and the person named", e)
		}
		if err := w.app.Identity.RemoveMember(w.ctx, admin, w.team.ID, owner.ID()); sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
			t.Errorf("removing again: %v, want ENOTFOUND", err)
		}
	})
	t.Run("a revoked researcher no longer sees the team", func(t *testing.T) {
		r := w.actors[kindResearcher]
		w.must(w.app.Identity.RevokeResearcher(w.ctx, admin, w.team.ID, r.ID()))
		if again := w.actor(r.User.Email); sandpit.CanViewTeam(again.User, w.team.ID) {
			t.Error("still sees the team")
		}
		e := w.audited(sandpit.AuditResearcherRevok)
		if len(e) != 1 || !strings.Contains(e[0].Detail, `"Medicines"`) || !strings.Contains(e[0].Detail, r.User.Email) {
			t.Errorf("audit = %+v, want the team and the person named", e)
		}
	})
	t.Run("making a clinician a product owner grants the role, audited with the team", func(t *testing.T) {
		c := w.clinician()
		if _, err := w.app.Identity.AddMember(w.ctx, admin, w.team.ID, c.User.Email); err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, e := range w.audited(sandpit.AuditRoleGranted) {
			if e.SubjectID != nil && *e.SubjectID == c.ID() && strings.Contains(e.Detail, "product_owner") && strings.Contains(e.Detail, `"Medicines"`) {
				found = true
			}
		}
		if !found {
			t.Errorf("no role_granted entry naming the team: %+v", w.audited(sandpit.AuditRoleGranted))
		}
		added := w.audited(sandpit.AuditMemberAdded)
		if len(added) == 0 || !strings.Contains(added[0].Detail, `"Medicines"`) {
			t.Errorf("member added = %+v, want the team named", added)
		}
	})
	t.Run("team creation names the team", func(t *testing.T) {
		if _, err := w.app.Identity.CreateTeam(w.ctx, admin, "Renal"); err != nil {
			t.Fatal(err)
		}
		if e := w.audited(sandpit.AuditTeamCreated); len(e) == 0 || !strings.Contains(e[0].Detail, `"Renal"`) {
			t.Errorf("audit = %+v", e)
		}
	})
	t.Run("a password change revokes the user's API tokens", func(t *testing.T) {
		owner := w.actors[kindOtherOwner]
		w.setPassword(owner)
		tok, err := w.app.Identity.CreateToken(w.ctx, owner, "Nightly export")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Identity.ChangePassword(w.ctx, owner, app.PasswordChange{Current: testPassword, New: "another long passphrase"}); err != nil {
			t.Fatal(err)
		}
		if tokens, err := w.st.Tokens(w.ctx, owner.ID()); err != nil || len(tokens) != 0 {
			t.Errorf("tokens after a password change: %v (%v), want none", tokens, err)
		}
		if _, _, err := w.st.UserByToken(w.ctx, sandpit.APITokenHash(tok.Token)); err == nil {
			t.Error("the token still signs in")
		}
	})
}
