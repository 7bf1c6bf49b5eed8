package app_test

import (
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

func newPerson(email string) sandpit.NewUser {
	return sandpit.NewUser{Email: email, Name: "Omar Owner", Roles: []sandpit.Role{sandpit.RoleProductOwner}}
}

func TestPasswordLinkPermissions(t *testing.T) {
	checkPermissions(t, []permissionCase{
		{name: "CreateUserWithLink", want: only(sandpit.EFORBIDDEN, kindAdmin), writes: true, run: func(w *world, a app.Actor) error {
			_, _, err := w.app.Identity.CreateUserWithLink(w.ctx, a, newPerson("omar@example.nhs.uk"))
			return err
		}},
		{name: "NewPasswordLink", want: only(sandpit.EFORBIDDEN, kindAdmin), writes: true, run: func(w *world, a app.Actor) error {
			_, _, err := w.app.Identity.NewPasswordLink(w.ctx, a, w.actors[kindClinician].ID())
			return err
		}},
	})
}

// TestPasswordLink follows an account an admin makes: nobody can sign in to
// it until its person uses the link; the link works once, and not after
// seven days; using it ends sessions and API tokens like any new password.
func TestPasswordLink(t *testing.T) {
	w := newWorld(t)
	anyone := app.Actor{IP: "192.0.2.9"}
	u, link, err := w.app.Identity.CreateUserWithLink(w.ctx, w.actors[kindAdmin], newPerson("omar@example.nhs.uk"))
	if err != nil {
		t.Fatal(err)
	}
	if want := w.clock.Now().Add(7 * 24 * time.Hour); !link.Expires.Equal(want) {
		t.Errorf("the link works until %v, want %v", link.Expires, want)
	}
	if got, err := w.app.Identity.PasswordLinkUser(w.ctx, anyone, link.Token); err != nil || got.ID != u.ID {
		t.Fatalf("the link is for %+v, %v", got, err)
	}
	if err := w.app.Identity.SetPasswordByLink(w.ctx, anyone, link.Token, "short"); sandpit.ErrorCode(err) != sandpit.EINVALID {
		t.Errorf("a weak password: %v", err)
	}
	pw := "omar's long passphrase"
	if err := w.app.Identity.SetPasswordByLink(w.ctx, anyone, link.Token, pw); err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Identity.SignIn(w.ctx, anyone, app.SignIn{Email: u.Email, Password: pw}); err != nil {
		t.Errorf("sign in with the password set: %v", err)
	}
	if err := w.app.Identity.SetPasswordByLink(w.ctx, anyone, link.Token, "a second long passphrase"); sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
		t.Errorf("the link used twice: %v", err)
	}
	events, _, err := w.st.AuditEvents(w.ctx, sandpitFilter(u.Email))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Action] = true
	}
	for _, action := range []string{sandpit.AuditUserCreated, sandpit.AuditPasswordLink, sandpit.AuditPasswordChanged} {
		if !seen[action] {
			t.Errorf("no %s entry in %+v", action, events)
		}
	}

	t.Run("a new link works when the first is spent; a disabled account gets none", func(t *testing.T) {
		_, again, err := w.app.Identity.NewPasswordLink(w.ctx, w.actors[kindAdmin], u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.app.Identity.SetPasswordByLink(w.ctx, anyone, again.Token, "a third long passphrase"); err != nil {
			t.Errorf("the new link: %v", err)
		}
		if err := w.app.Identity.DisableUser(w.ctx, w.actors[kindAdmin], u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.app.Identity.NewPasswordLink(w.ctx, w.actors[kindAdmin], u.ID); sandpit.ErrorCode(err) != sandpit.ECONFLICT {
			t.Errorf("a link for a disabled account: %v", err)
		}
	})

	t.Run("a link runs out after seven days", func(t *testing.T) {
		_, link, err := w.app.Identity.CreateUserWithLink(w.ctx, w.actors[kindAdmin], newPerson("late@example.nhs.uk"))
		if err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(7*24*time.Hour + time.Second)
		if err := w.app.Identity.SetPasswordByLink(w.ctx, anyone, link.Token, "a long enough passphrase"); sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
			t.Errorf("an expired link: %v", err)
		}
	})
}

func sandpitFilter(email string) store.AuditFilter {
	return store.AuditFilter{Email: email, Limit: 100}
}
