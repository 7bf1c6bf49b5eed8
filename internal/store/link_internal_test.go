package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/testdb"
)

// TestOneTimeLinksMigrated stores password and sign-in links as the
// database held them before 0016_one_time_links, migrates, and checks that
// each still works for what it was made for, and only that, once.
func TestOneTimeLinksMigrated(t *testing.T) {
	ctx := context.Background()
	clock := testdb.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	loc, err := ParseURL(testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, loc, clock.Now)
	before := slices.IndexFunc(migrations, func(m migration) bool { return m.version == "0016_one_time_links" })
	if err := s.migrate(ctx, migrations[:before]); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, sandpit.NewUser{Email: "ann@example.nhs.uk", Name: "Ann", Roles: []sandpit.Role{sandpit.RoleAdmin}},
		"not a hash", sandpit.AuditEntry{Action: sandpit.AuditUserCreated})
	if err != nil {
		t.Fatal(err)
	}
	now := clock.Now()
	for _, link := range []struct {
		table, hash string
		used        *time.Time
	}{{"password_links", "password", nil}, {"password_links", "spent", &now}, {"sign_in_links", "sign-in", nil}} {
		err := s.write.Exec(`INSERT INTO `+link.table+` (user_id, token_hash, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?)`,
			u.ID, link.hash, now, now.Add(time.Hour), link.used).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	notFound := func(what string, err error) {
		t.Helper()
		var e *sandpit.Error
		if !errors.As(err, &e) || e.Code != sandpit.ENOTFOUND {
			t.Errorf("%s: %v, want not found", what, err)
		}
	}
	if got, err := s.PasswordLinkUser(ctx, "password"); err != nil || got.ID != u.ID {
		t.Errorf("password link after the migration: %v, %v; want Ann", got, err)
	}
	_, err = s.PasswordLinkUser(ctx, "spent")
	notFound("a spent password link", err)
	_, err = s.PasswordLinkUser(ctx, "sign-in")
	notFound("a sign-in link used to set a password", err)
	_, err = s.UseSignInLink(ctx, "password", sandpit.AuditEntry{Action: sandpit.AuditSignIn})
	notFound("a password link used to sign in", err)
	if got, err := s.UseSignInLink(ctx, "sign-in", sandpit.AuditEntry{Action: sandpit.AuditSignIn}); err != nil || got.ID != u.ID {
		t.Errorf("sign-in link after the migration: %v, %v; want Ann", got, err)
	}
	_, err = s.UseSignInLink(ctx, "sign-in", sandpit.AuditEntry{Action: sandpit.AuditSignIn})
	notFound("a sign-in link used twice", err)
}
