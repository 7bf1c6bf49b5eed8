package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

func TestAdminCreate(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	env := map[string]string{"SANDPIT_DATABASE_URL": url, "SANDPIT_PASSWORD_COST": "4"}
	getenv := func(name string) string { return env[name] }
	create := func(email, name, stdin string) (string, error) {
		var stdout bytes.Buffer
		err := run(ctx, []string{"sandpit", "admin", "create", "--email", email, "--name", name}, getenv, strings.NewReader(stdin), &stdout, io.Discard)
		return stdout.String(), err
	}

	t.Run("creates an admin with the password from standard input", func(t *testing.T) {
		out, err := create("First.Admin@example.nhs.uk", "First Admin", "a long and unusual passphrase\n")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "Created admin First.Admin@example.nhs.uk") {
			t.Errorf("stdout = %q", out)
		}
		st := storetest.Open(t, url, time.Now)
		u, hash, err := st.UserByEmail(ctx, "first.admin@example.nhs.uk")
		if err != nil {
			t.Fatal(err)
		}
		if !u.Has(sandpit.RoleAdmin) || !sandpit.PasswordMatches(hash, "a long and unusual passphrase") {
			t.Errorf("user %+v is not an admin with that password", u)
		}
	})
	tests := []struct {
		name, email, stdin, want string
	}{
		{"refuses a short password", "second@example.nhs.uk", "short\n", "password: must be at least 12 characters"},
		{"refuses a common password", "second@example.nhs.uk", "password1234\n", "password: is too common"},
		{"refuses the email as password", "second.admin@nhs.net", "second.admin@nhs.net\n", "password: must not be your email address"},
		{"refuses no password at all", "second@example.nhs.uk", "", "password: must be at least 12 characters"},
		{"refuses a bad email", "not-an-email", "a long and unusual passphrase\n", "email: enter an email address in the correct format"},
		{"refuses an email already taken, in any case", "FIRST.ADMIN@example.nhs.uk", "another long passphrase\n", "already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := create(tt.email, "Second Admin", tt.stdin)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	t.Run("refuses without the create subcommand", func(t *testing.T) {
		err := run(ctx, []string{"sandpit", "admin"}, getenv, strings.NewReader(""), io.Discard, io.Discard)
		if err == nil {
			t.Fatal("want a usage error")
		}
	})
}
