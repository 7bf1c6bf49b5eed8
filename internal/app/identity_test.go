package app_test

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// testPassword is the password setPassword gives an actor.
const testPassword = "a long and unusual passphrase"

// setPassword gives the actor testPassword, so that they can sign in.
func (w *world) setPassword(a app.Actor) {
	w.t.Helper()
	hash, err := sandpit.HashPassword(testPassword, bcrypt.MinCost)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.st.SetPassword(w.ctx, a.ID(), hash, sandpit.AuditEntry{Action: sandpit.AuditPasswordChanged}); err != nil {
		w.t.Fatal(err)
	}
}

// openApp is the world's application with registration open.
func (w *world) openApp() *app.App {
	return app.New(w.st, app.Config{PasswordCost: bcrypt.MinCost, PseudonymKey: []byte("test pseudonym key"),
		OpenRegistration: true, Now: w.clock.Now})
}

// audited returns the audit events with action, newest first.
func (w *world) audited(action string) []sandpit.AuditEvent {
	w.t.Helper()
	events, _, err := w.st.AuditEvents(w.ctx, store.AuditFilter{Action: action, Limit: 100})
	if err != nil {
		w.t.Fatal(err)
	}
	return events
}

// newClinician is a valid clinician about to register or be created.
func newClinician(email string) sandpit.NewUser {
	return sandpit.NewUser{Email: email, Name: "New Clinician", Password: testPassword, Roles: []sandpit.Role{sandpit.RoleClinician},
		Profile: &sandpit.Profile{Profession: "midwife", Setting: "community", YearsExperience: 7, LegacyFamiliarity: 4}}
}

// fieldCodes maps each field of err's domain error to its code.
func fieldCodes(err error) map[string]string {
	codes := map[string]string{}
	for _, f := range sandpit.FieldErrorsOf(err) {
		codes[f.Field] = f.Code
	}
	return codes
}

// wantCodes fails unless err has code and exactly the field codes want.
func wantCodes(t *testing.T, err error, code string, want map[string]string) {
	t.Helper()
	if got := sandpit.ErrorCode(err); got != code {
		t.Fatalf("code %q (%v), want %q", got, err, code)
	}
	got := fieldCodes(err)
	if len(got) != len(want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	for f, c := range want {
		if got[f] != c {
			t.Errorf("%s: code %q, want %q (all: %v)", f, got[f], c, got)
		}
	}
}

// everyone is the expectation that every kind of actor succeeds.
func everyone() map[string]string { return only("") }

func TestIdentityPermissions(t *testing.T) {
	checkPermissions(t, []permissionCase{
		{name: "SignIn", writes: true, want: everyone(), run: func(w *world, a app.Actor) error {
			w.setPassword(a)
			_, err := w.app.Identity.SignIn(w.ctx, a, app.SignIn{Email: a.User.Email, Password: testPassword})
			return err
		}},
		{name: "SignOut", writes: true, want: everyone(), run: func(w *world, a app.Actor) error {
			return w.app.Identity.SignOut(w.ctx, a)
		}},
		{name: "Register", writes: true, want: everyone(), run: func(w *world, a app.Actor) error {
			_, err := w.openApp().Identity.Register(w.ctx, a, newClinician("new@example.nhs.uk"))
			return err
		}},
		{name: "Register while closed", writes: true, want: only(sandpit.EFORBIDDEN), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.Register(w.ctx, a, newClinician("new@example.nhs.uk"))
			return err
		}},
		{name: "Me", want: everyone(), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.Me(w.ctx, a)
			return err
		}},
		{name: "Account", want: everyone(), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.Account(w.ctx, a)
			return err
		}},
		{name: "UpdateProfile", writes: true, want: everyone(), run: func(w *world, a app.Actor) error {
			return w.app.Identity.UpdateProfile(w.ctx, a, app.ProfileUpdate{Name: "A New Name",
				Profile: &sandpit.Profile{Profession: "doctor", Setting: "acute", YearsExperience: 10, LegacyFamiliarity: 5}})
		}},
		{name: "ChangePassword", writes: true, want: everyone(), run: func(w *world, a app.Actor) error {
			w.setPassword(a)
			_, err := w.app.Identity.ChangePassword(w.ctx, a, app.PasswordChange{Current: testPassword, New: "another long passphrase"})
			return err
		}},
		{name: "CreateToken", writes: true, want: everyone(), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.CreateToken(w.ctx, a, "Nightly export")
			return err
		}},
		{name: "CreateTokenBySignIn", writes: true, want: everyone(), run: func(w *world, a app.Actor) error {
			w.setPassword(a)
			_, err := w.app.Identity.CreateTokenBySignIn(w.ctx, a, app.TokenRequest{Email: a.User.Email, Password: testPassword})
			return err
		}},
		{name: "RevokeToken", writes: true, want: everyone(), run: func(w *world, a app.Actor) error {
			tok, err := w.app.Identity.CreateToken(w.ctx, a, "Nightly export")
			if err != nil {
				return err
			}
			acct, err := w.app.Identity.Account(w.ctx, a)
			if err != nil || len(acct.Tokens) != 1 || acct.Tokens[0].Label != tok.Label {
				w.t.Fatalf("account %+v, %v", acct, err)
			}
			return w.app.Identity.RevokeToken(w.ctx, a, acct.Tokens[0].ID)
		}},
		{name: "RequireAdmin", want: only(sandpit.EFORBIDDEN, kindAdmin), run: func(w *world, a app.Actor) error {
			return w.app.Identity.RequireAdmin(w.ctx, a)
		}},
		{name: "Users", want: only(sandpit.EFORBIDDEN, kindAdmin), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.Users(w.ctx, a, 0, 50)
			return err
		}},
		{name: "User", want: only(sandpit.EFORBIDDEN, kindAdmin), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.User(w.ctx, a, w.actors[kindClinician].ID())
			return err
		}},
		{name: "CreateUser", writes: true, want: only(sandpit.EFORBIDDEN, kindAdmin), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.CreateUser(w.ctx, a, newClinician("new@example.nhs.uk"))
			return err
		}},
		{name: "CreateAdminFromTerminal", writes: true, want: only(sandpit.EFORBIDDEN), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.CreateAdminFromTerminal(w.ctx, a, sandpit.NewUser{Email: "new@example.nhs.uk", Name: "New Admin", Password: testPassword})
			return err
		}},
		{name: "GrantRole", writes: true, want: only(sandpit.EFORBIDDEN, kindAdmin), run: func(w *world, a app.Actor) error {
			return w.app.Identity.GrantRole(w.ctx, a, w.actors[kindClinician].ID(), sandpit.RoleSafetyOfficer)
		}},
		{name: "RemoveRole", writes: true, want: only(sandpit.EFORBIDDEN, kindAdmin), run: func(w *world, a app.Actor) error {
			return w.app.Identity.RemoveRole(w.ctx, a, w.actors[kindSafety].ID(), sandpit.RoleSafetyOfficer)
		}},
		{name: "DisableUser", writes: true, want: only(sandpit.EFORBIDDEN, kindAdmin), run: func(w *world, a app.Actor) error {
			return w.app.Identity.DisableUser(w.ctx, a, w.actors[kindClinician].ID())
		}},
		{name: "Teams", want: only(sandpit.EFORBIDDEN, kindAdmin), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.Teams(w.ctx, a)
			return err
		}},
		{name: "CreateTeam", writes: true, want: only(sandpit.EFORBIDDEN, kindAdmin), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.CreateTeam(w.ctx, a, "Ward round")
			return err
		}},
		{name: "Team", want: only(sandpit.EFORBIDDEN, kindAdmin), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.Team(w.ctx, a, w.team.ID)
			return err
		}},
		{name: "AddMember", writes: true,
			want: with(with(only(sandpit.ENOTFOUND, kindAdmin, kindOwner), kindResearcher, sandpit.EFORBIDDEN), kindOtherOwner, sandpit.ENOTFOUND),
			run: func(w *world, a app.Actor) error {
				_, err := w.app.Identity.AddMember(w.ctx, a, w.team.ID, "safety_officer@example.nhs.uk")
				return err
			}},
		{name: "GrantResearcher", writes: true,
			want: with(with(only(sandpit.ENOTFOUND, kindAdmin), kindOwner, sandpit.EFORBIDDEN), kindResearcher, sandpit.EFORBIDDEN),
			run: func(w *world, a app.Actor) error {
				_, err := w.app.Identity.GrantResearcher(w.ctx, a, w.team.ID, "other_researcher@example.nhs.uk")
				return err
			}},
		{name: "AuditLog", want: only(sandpit.EFORBIDDEN, kindAdmin), run: func(w *world, a app.Actor) error {
			_, err := w.app.Identity.AuditLog(w.ctx, a, store.AuditFilter{Limit: 50})
			return err
		}},
	})
}

func TestIdentityNobodySignedIn(t *testing.T) {
	w := newWorld(t)
	nobody := app.Actor{IP: "192.0.2.9"}
	id := w.app.Identity
	for name, run := range map[string]func() error{
		"Me":             func() error { _, err := id.Me(w.ctx, nobody); return err },
		"Account":        func() error { _, err := id.Account(w.ctx, nobody); return err },
		"UpdateProfile":  func() error { return id.UpdateProfile(w.ctx, nobody, app.ProfileUpdate{Name: "X"}) },
		"ChangePassword": func() error { _, err := id.ChangePassword(w.ctx, nobody, app.PasswordChange{}); return err },
		"CreateToken":    func() error { _, err := id.CreateToken(w.ctx, nobody, "x"); return err },
		"RevokeToken":    func() error { return id.RevokeToken(w.ctx, nobody, 1) },
	} {
		t.Run(name+" needs someone signed in", func(t *testing.T) {
			if code := sandpit.ErrorCode(run()); code != sandpit.EUNAUTHORIZED {
				t.Errorf("code %q, want %q", code, sandpit.EUNAUTHORIZED)
			}
		})
	}
	for name, run := range map[string]func() error{
		"RequireAdmin": func() error { return id.RequireAdmin(w.ctx, nobody) },
		"Users":        func() error { _, err := id.Users(w.ctx, nobody, 0, 10); return err },
		"CreateTeam":   func() error { _, err := id.CreateTeam(w.ctx, nobody, "Ward round"); return err },
		"AuditLog":     func() error { _, err := id.AuditLog(w.ctx, nobody, store.AuditFilter{Limit: 10}); return err },
	} {
		t.Run(name+" is refused to nobody", func(t *testing.T) {
			if code := sandpit.ErrorCode(run()); code != sandpit.EFORBIDDEN {
				t.Errorf("code %q, want %q", code, sandpit.EFORBIDDEN)
			}
		})
	}
	t.Run("signing out nobody does nothing", func(t *testing.T) {
		if err := id.SignOut(w.ctx, nobody); err != nil {
			t.Fatal(err)
		}
		if n := len(w.audited(sandpit.AuditSignOut)); n != 0 {
			t.Errorf("%d sign-outs audited", n)
		}
	})
}

func TestIdentityAudit(t *testing.T) {
	t.Run("a sign-in is the user's, acting on themselves, from their address", func(t *testing.T) {
		w := newWorld(t)
		owner := w.actors[kindOwner]
		w.setPassword(owner)
		u, err := w.app.Identity.SignIn(w.ctx, app.Actor{IP: "198.51.100.7"}, app.SignIn{Email: " OWNER@example.nhs.uk ", Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		ev := w.audited(sandpit.AuditSignIn)
		if len(ev) != 1 || ev[0].ActorID == nil || *ev[0].ActorID != u.ID || ev[0].SubjectID == nil || *ev[0].SubjectID != u.ID || ev[0].IP != "198.51.100.7" {
			t.Errorf("events %+v", ev)
		}
	})
	t.Run("a failed sign-in has no actor, names the account and says the same for a missing one", func(t *testing.T) {
		w := newWorld(t)
		owner := w.actors[kindOwner]
		w.setPassword(owner)
		_, wrong := w.app.Identity.SignIn(w.ctx, app.Actor{IP: "198.51.100.7"}, app.SignIn{Email: owner.User.Email, Password: "wrong password!"})
		_, missing := w.app.Identity.SignIn(w.ctx, app.Actor{IP: "198.51.100.7"}, app.SignIn{Email: "nobody@example.nhs.uk", Password: "wrong password!"})
		if wrong.Error() != missing.Error() || sandpit.ErrorCode(wrong) != sandpit.EUNAUTHORIZED {
			t.Errorf("answers %v and %v", wrong, missing)
		}
		wantCodes(t, wrong, sandpit.EUNAUTHORIZED, map[string]string{"email": sandpit.FieldCredentials})
		ev := w.audited(sandpit.AuditSignInFailed)
		if len(ev) != 2 {
			t.Fatalf("events %+v", ev)
		}
		byOwner, byNobody := ev[1], ev[0]
		if byOwner.ActorID != nil || byOwner.SubjectID == nil || *byOwner.SubjectID != owner.ID() || byOwner.Detail != "email owner@example.nhs.uk" {
			t.Errorf("failure on the owner %+v", byOwner)
		}
		if byNobody.ActorID != nil || byNobody.SubjectID != nil || byNobody.Detail != "email nobody@example.nhs.uk" {
			t.Errorf("failure on nobody %+v", byNobody)
		}
	})
	t.Run("five failures lock the account, even with the right password, and say how long to wait", func(t *testing.T) {
		w := newWorld(t)
		owner := w.actors[kindOwner]
		w.setPassword(owner)
		for range app.FailedSignInPerAccount {
			if _, err := w.app.Identity.SignIn(w.ctx, owner, app.SignIn{Email: owner.User.Email, Password: "wrong password!"}); sandpit.ErrorCode(err) != sandpit.EUNAUTHORIZED {
				t.Fatal(err)
			}
		}
		_, err := w.app.Identity.SignIn(w.ctx, owner, app.SignIn{Email: owner.User.Email, Password: testPassword})
		var rl *app.RateLimitError
		if sandpit.ErrorCode(err) != sandpit.ERATELIMITED || !errors.As(err, &rl) || rl.Wait <= 0 || rl.Wait > app.FailedSignInWindow {
			t.Fatalf("err %v", err)
		}
		if n := len(w.audited(sandpit.AuditSignIn)); n != 0 {
			t.Errorf("%d sign-ins audited", n)
		}
		w.clock.Advance(app.FailedSignInWindow)
		if _, err := w.app.Identity.SignIn(w.ctx, owner, app.SignIn{Email: owner.User.Email, Password: testPassword}); err != nil {
			t.Errorf("after the window: %v", err)
		}
	})
	t.Run("a wrong current password counts as a failed sign-in of the account", func(t *testing.T) {
		w := newWorld(t)
		owner := w.actors[kindOwner]
		w.setPassword(owner)
		_, err := w.app.Identity.ChangePassword(w.ctx, owner, app.PasswordChange{Current: "wrong password!", New: "another long passphrase"})
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"current_password": sandpit.FieldCredentials})
		ev := w.audited(sandpit.AuditSignInFailed)
		if len(ev) != 1 || ev[0].ActorID == nil || *ev[0].ActorID != owner.ID() || *ev[0].SubjectID != owner.ID() {
			t.Errorf("events %+v", ev)
		}
		if n := len(w.audited(sandpit.AuditPasswordChanged)); n != 1 { // setPassword's own
			t.Errorf("%d password changes audited", n)
		}
	})
	t.Run("each change names who did it, to whom, and where", func(t *testing.T) {
		w := newWorld(t)
		admin, clinician := w.actors[kindAdmin], w.actors[kindClinician]
		idy := w.app.Identity
		created, err := idy.CreateUser(w.ctx, admin, newClinician("new@example.nhs.uk"))
		if err != nil {
			t.Fatal(err)
		}
		if err := idy.GrantRole(w.ctx, admin, created.ID, sandpit.RoleSafetyOfficer); err != nil {
			t.Fatal(err)
		}
		if err := idy.RemoveRole(w.ctx, admin, created.ID, sandpit.RoleSafetyOfficer); err != nil {
			t.Fatal(err)
		}
		team, err := idy.CreateTeam(w.ctx, admin, " Ward round ")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := idy.AddMember(w.ctx, admin, team.ID, "new@example.nhs.uk"); err != nil {
			t.Fatal(err)
		}
		if _, err := idy.GrantResearcher(w.ctx, admin, team.ID, "researcher@example.nhs.uk"); err != nil {
			t.Fatal(err)
		}
		if err := idy.DisableUser(w.ctx, admin, created.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := idy.CreateToken(w.ctx, clinician, "Nightly export"); err != nil {
			t.Fatal(err)
		}
		if err := idy.UpdateProfile(w.ctx, clinician, app.ProfileUpdate{Name: "Nina"}); err != nil {
			t.Fatal(err)
		}
		if err := idy.SignOut(w.ctx, clinician); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			action         string
			actor, subject int64
			team           int64
			detail         string
		}{
			{sandpit.AuditUserCreated, admin.ID(), created.ID, 0, ""},
			// The newest role_granted: adding the safety officer as a product
			// owner granted the role, naming the team.
			{sandpit.AuditRoleGranted, admin.ID(), created.ID, team.ID, `product_owner, with new@example.nhs.uk in team "Ward round"`},
			{sandpit.AuditRoleRemoved, admin.ID(), created.ID, 0, "safety_officer"},
			{sandpit.AuditTeamCreated, admin.ID(), 0, team.ID, ""},
			{sandpit.AuditMemberAdded, admin.ID(), created.ID, team.ID, ""},
			{sandpit.AuditResearcherGrant, admin.ID(), w.actors[kindResearcher].ID(), team.ID, ""},
			{sandpit.AuditUserDisabled, admin.ID(), created.ID, 0, ""},
			{sandpit.AuditTokenCreated, clinician.ID(), clinician.ID(), 0, `"Nightly export"`},
			{sandpit.AuditProfileUpdated, clinician.ID(), clinician.ID(), 0, ""},
			{sandpit.AuditSignOut, clinician.ID(), clinician.ID(), 0, ""},
		}
		for _, tt := range tests {
			t.Run(tt.action, func(t *testing.T) {
				ev := w.audited(tt.action)
				if len(ev) == 0 {
					t.Fatal("not audited")
				}
				e := ev[0]
				if e.ActorID == nil || *e.ActorID != tt.actor || e.IP != "192.0.2.1" {
					t.Errorf("actor %v from %q, want %d", e.ActorID, e.IP, tt.actor)
				}
				if (tt.subject == 0) != (e.SubjectID == nil) || e.SubjectID != nil && *e.SubjectID != tt.subject {
					t.Errorf("subject %v, want %d", e.SubjectID, tt.subject)
				}
				if (tt.team == 0) != (e.TeamID == nil) || e.TeamID != nil && *e.TeamID != tt.team {
					t.Errorf("team %v, want %d", e.TeamID, tt.team)
				}
				if !strings.Contains(e.Detail, tt.detail) {
					t.Errorf("detail %q, want %q in it", e.Detail, tt.detail)
				}
			})
		}
	})
	t.Run("a refused change is not audited", func(t *testing.T) {
		w := newWorld(t)
		before := len(w.audited(""))
		w.app.Identity.CreateUser(w.ctx, w.actors[kindOwner], newClinician("new@example.nhs.uk"))
		w.app.Identity.GrantResearcher(w.ctx, w.actors[kindOwner], w.team.ID, "clinician@example.nhs.uk")
		w.app.Identity.DisableUser(w.ctx, w.actors[kindAdmin], w.actors[kindAdmin].ID())
		if after := len(w.audited("")); after != before {
			t.Errorf("audit log went from %d to %d events", before, after)
		}
	})
	t.Run("the terminal creates an admin, as nobody", func(t *testing.T) {
		w := newWorld(t)
		u, err := w.app.Identity.CreateAdminFromTerminal(w.ctx, app.Actor{}, sandpit.NewUser{Email: "new@example.nhs.uk", Name: "New Admin",
			Password: testPassword, Roles: []sandpit.Role{sandpit.RoleClinician}})
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Roles) != 1 || !u.Has(sandpit.RoleAdmin) {
			t.Errorf("roles %v", u.Roles)
		}
		ev := w.audited(sandpit.AuditUserCreated)
		if ev[0].ActorID != nil || *ev[0].SubjectID != u.ID || ev[0].Detail != "sandpit admin create" {
			t.Errorf("event %+v", ev[0])
		}
	})
	t.Run("registering is the new user's own act", func(t *testing.T) {
		w := newWorld(t)
		u, err := w.openApp().Identity.Register(w.ctx, app.Actor{IP: "203.0.113.5"}, newClinician("new@example.nhs.uk"))
		if err != nil {
			t.Fatal(err)
		}
		if !u.Has(sandpit.RoleClinician) || len(u.Roles) != 1 {
			t.Errorf("roles %v", u.Roles)
		}
		ev := w.audited(sandpit.AuditRegister)
		if len(ev) != 1 || *ev[0].ActorID != u.ID || *ev[0].SubjectID != u.ID || ev[0].IP != "203.0.113.5" {
			t.Errorf("events %+v", ev)
		}
	})
	t.Run("revoking is refused for another's token", func(t *testing.T) {
		w := newWorld(t)
		if _, err := w.app.Identity.CreateToken(w.ctx, w.actors[kindOwner], "Mine"); err != nil {
			t.Fatal(err)
		}
		acct, err := w.app.Identity.Account(w.ctx, w.actors[kindOwner])
		if err != nil {
			t.Fatal(err)
		}
		err = w.app.Identity.RevokeToken(w.ctx, w.actors[kindAdmin], acct.Tokens[0].ID)
		if sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
			t.Errorf("err %v", err)
		}
		if n := len(w.audited(sandpit.AuditTokenRevoked)); n != 0 {
			t.Errorf("%d revocations audited", n)
		}
	})
}

func TestIdentityFieldErrors(t *testing.T) {
	w := newWorld(t)
	admin, owner, clinician := w.actors[kindAdmin], w.actors[kindOwner], w.actors[kindClinician]
	idy := w.app.Identity
	t.Run("signing in needs an email address and a password", func(t *testing.T) {
		_, err := idy.SignIn(w.ctx, app.Actor{}, app.SignIn{Email: " "})
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"email": sandpit.FieldRequired, "password": sandpit.FieldRequired})
	})
	t.Run("a token by sign-in names a long label before checking the password", func(t *testing.T) {
		_, err := idy.CreateTokenBySignIn(w.ctx, app.Actor{}, app.TokenRequest{Email: "owner@example.nhs.uk", Password: "x", Label: strings.Repeat("é", 101)})
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"label": sandpit.FieldTooLong})
		if f := sandpit.FieldErrorsOf(err)[0]; f.Int("max") != 100 {
			t.Errorf("params %v", f.Params)
		}
	})
	t.Run("a token needs a label of at most 100 characters", func(t *testing.T) {
		_, err := idy.CreateToken(w.ctx, owner, "  ")
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"label": sandpit.FieldRequired})
		_, err = idy.CreateToken(w.ctx, owner, strings.Repeat("x", 101))
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"label": sandpit.FieldTooLong})
	})
	t.Run("every bad field of a new user is named at once", func(t *testing.T) {
		_, err := idy.CreateUser(w.ctx, admin, sandpit.NewUser{Email: "x", Password: "short", Roles: []sandpit.Role{"wizard"},
			Profile: &sandpit.Profile{Profession: "wizard", Setting: "moon", YearsExperience: 71, LegacyFamiliarity: 0}})
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"email": sandpit.FieldEmail, "name": sandpit.FieldRequired,
			"password": sandpit.FieldTooShort, "roles": sandpit.FieldOneOf, "profile.profession": sandpit.FieldOneOf,
			"profile.setting": sandpit.FieldOneOf, "profile.years_experience": sandpit.FieldOutOfRange, "profile.legacy_familiarity": sandpit.FieldOutOfRange})
	})
	t.Run("a user needs a role, and a clinician a profile", func(t *testing.T) {
		n := newClinician("n@example.nhs.uk")
		n.Roles, n.Profile = nil, nil
		_, err := idy.CreateUser(w.ctx, admin, n)
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"roles": sandpit.FieldRequired})
		n.Roles = []sandpit.Role{sandpit.RoleClinician}
		_, err = idy.CreateUser(w.ctx, admin, n)
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"profile": sandpit.FieldRequired})
	})
	t.Run("a password may be neither common nor the email address", func(t *testing.T) {
		n := newClinician("n@example.nhs.uk")
		n.Password = "Password1234"
		_, err := idy.CreateUser(w.ctx, admin, n)
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"password": sandpit.FieldCommon})
		n.Password = "N@Example.nhs.uk"
		_, err = idy.CreateUser(w.ctx, admin, n)
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"password": sandpit.FieldSameEmail})
	})
	t.Run("an email taken in another case is a conflict", func(t *testing.T) {
		_, err := idy.CreateUser(w.ctx, admin, newClinician("Clinician@Example.nhs.uk"))
		wantCodes(t, err, sandpit.ECONFLICT, map[string]string{"email": sandpit.FieldTaken})
		_, err = w.openApp().Identity.Register(w.ctx, app.Actor{IP: "203.0.113.5"}, newClinician("CLINICIAN@example.nhs.uk"))
		wantCodes(t, err, sandpit.ECONFLICT, map[string]string{"email": sandpit.FieldTaken})
	})
	t.Run("a profile update names each bad field", func(t *testing.T) {
		err := idy.UpdateProfile(w.ctx, clinician, app.ProfileUpdate{Name: strings.Repeat("x", 201),
			Profile: &sandpit.Profile{Profession: "doctor", Setting: "moon", YearsExperience: -1, LegacyFamiliarity: 3}})
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"name": sandpit.FieldTooLong,
			"profile.setting": sandpit.FieldOneOf, "profile.years_experience": sandpit.FieldOutOfRange})
	})
	t.Run("a profile sent by someone without one is ignored", func(t *testing.T) {
		err := idy.UpdateProfile(w.ctx, owner, app.ProfileUpdate{Name: "Olu", Profile: &sandpit.Profile{Profession: "wizard"}})
		if err != nil {
			t.Fatal(err)
		}
		if u, _ := w.st.User(w.ctx, owner.ID()); u.Profile != nil || u.Name != "Olu" {
			t.Errorf("user %+v", u)
		}
	})
	t.Run("a password change needs both passwords, and a strong new one", func(t *testing.T) {
		_, err := idy.ChangePassword(w.ctx, clinician, app.PasswordChange{})
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"current_password": sandpit.FieldRequired, "new_password": sandpit.FieldRequired})
		w.setPassword(clinician)
		_, err = idy.ChangePassword(w.ctx, clinician, app.PasswordChange{Current: testPassword, New: "elevenchars"})
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"new_password": sandpit.FieldTooShort})
		if f := sandpit.FieldErrorsOf(err)[0]; f.Int("min") != sandpit.MinPasswordLength {
			t.Errorf("params %v", f.Params)
		}
	})
	t.Run("a team needs a name no other team has", func(t *testing.T) {
		_, err := idy.CreateTeam(w.ctx, admin, "  ")
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"name": sandpit.FieldRequired})
		_, err = idy.CreateTeam(w.ctx, admin, strings.Repeat("x", 121))
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"name": sandpit.FieldTooLong})
		_, err = idy.CreateTeam(w.ctx, admin, "MEDICINES")
		wantCodes(t, err, sandpit.ECONFLICT, map[string]string{"name": sandpit.FieldTaken})
	})
	t.Run("adding to a team needs the email of an account not in it", func(t *testing.T) {
		_, err := idy.AddMember(w.ctx, owner, w.team.ID, " ")
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"email": sandpit.FieldRequired})
		_, err = idy.AddMember(w.ctx, owner, w.team.ID, "nobody@example.nhs.uk")
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"email": sandpit.FieldUnknown})
		_, err = idy.AddMember(w.ctx, owner, w.team.ID, "owner@example.nhs.uk")
		wantCodes(t, err, sandpit.ECONFLICT, map[string]string{"email": sandpit.FieldMember})
	})
	t.Run("a role to grant must be one of Sandpit's", func(t *testing.T) {
		err := idy.GrantRole(w.ctx, admin, clinician.ID(), "wizard")
		wantCodes(t, err, sandpit.EINVALID, map[string]string{"role": sandpit.FieldOneOf})
	})
	t.Run("an unknown role to remove, or user, is not found", func(t *testing.T) {
		if err := idy.RemoveRole(w.ctx, admin, clinician.ID(), "wizard"); sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
			t.Errorf("unknown role: %v", err)
		}
		if err := idy.GrantRole(w.ctx, admin, 99999, sandpit.RoleAdmin); sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
			t.Errorf("unknown user: %v", err)
		}
	})
	t.Run("an admin can neither disable themselves nor remove the last admin role", func(t *testing.T) {
		if err := idy.DisableUser(w.ctx, admin, admin.ID()); sandpit.ErrorCode(err) != sandpit.ECONFLICT {
			t.Errorf("disable self: %v", err)
		}
		if err := idy.RemoveRole(w.ctx, admin, admin.ID(), sandpit.RoleAdmin); sandpit.ErrorCode(err) != sandpit.ECONFLICT {
			t.Errorf("last admin: %v", err)
		}
	})
	t.Run("the audit log ignores an action it does not know", func(t *testing.T) {
		page, err := idy.AuditLog(w.ctx, admin, store.AuditFilter{Email: " owner@example.nhs.uk ", Action: "wizardry", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if page.Filter.Action != "" || page.Filter.Email != "owner@example.nhs.uk" || page.Total == 0 {
			t.Errorf("page %+v", page)
		}
	})
}
