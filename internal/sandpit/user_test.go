package sandpit_test

import (
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestPasswordProblem(t *testing.T) {
	tests := []struct {
		password, email string
		want            string // part of the problem; "" for none
	}{
		{"a long and unusual passphrase", "nurse@example.nhs.uk", ""},
		{"elevenchars", "nurse@example.nhs.uk", "at least 12"},
		{"ééééééééééé", "nurse@example.nhs.uk", "at least 12"}, // 11 characters, 22 bytes
		{"Nurse@Example.nhs.uk", "nurse@example.nhs.uk", "email"},
		{"Password1234", "nurse@example.nhs.uk", "too common"},
		{"QWERTYUIOP123", "nurse@example.nhs.uk", "too common"},
		{strings.Repeat("x", 257), "nurse@example.nhs.uk", "at most 256"},
	}
	for _, tt := range tests {
		t.Run(tt.password, func(t *testing.T) {
			got := sandpit.PasswordProblem(tt.password, tt.email)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("PasswordProblem = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEmailProblem(t *testing.T) {
	for email, ok := range map[string]bool{
		"nurse@example.nhs.uk": true,
		"a.b+c@nhs.net":        true,
		"":                     false,
		"nurse":                false,
		"nurse@localhost":      false,
		"Nurse <n@nhs.net>":    false,
		"n@nhs.net\n":          false,
	} {
		t.Run(email, func(t *testing.T) {
			if got := sandpit.EmailProblem(email) == ""; got != ok {
				t.Errorf("EmailProblem(%q) = %q", email, sandpit.EmailProblem(email))
			}
		})
	}
}

func TestNewUserValidate(t *testing.T) {
	good := sandpit.Profile{Profession: "nurse", Setting: "acute", YearsExperience: 0, LegacyFamiliarity: 1}
	t.Run("a clinician with a profile is valid", func(t *testing.T) {
		p := good
		n := sandpit.NewUser{Email: " nurse@example.nhs.uk ", Name: " Nina ", Password: "a long and unusual passphrase", Roles: []sandpit.Role{sandpit.RoleClinician}, Profile: &p}
		if err := n.Validate(); err != nil {
			t.Fatal(err)
		}
		if n.Email != "nurse@example.nhs.uk" || n.Name != "Nina" {
			t.Errorf("not trimmed: %q %q", n.Email, n.Name)
		}
	})
	t.Run("every bad field is named at once", func(t *testing.T) {
		n := sandpit.NewUser{Email: "x", Password: "short", Roles: []sandpit.Role{"wizard"},
			Profile: &sandpit.Profile{Profession: "wizard", Setting: "moon", YearsExperience: -1, LegacyFamiliarity: 6}}
		err := n.Validate()
		if sandpit.ErrorCode(err) != sandpit.EINVALID {
			t.Fatalf("err = %v", err)
		}
		fields := sandpit.ErrorFields(err)
		for _, f := range []string{"email", "name", "password", "roles", "profile.profession", "profile.setting", "profile.years_experience", "profile.legacy_familiarity"} {
			if fields[f] == "" {
				t.Errorf("%s not named: %v", f, fields)
			}
		}
	})
	t.Run("a clinician needs a profile", func(t *testing.T) {
		n := sandpit.NewUser{Email: "n@nhs.net", Name: "N", Password: "a long and unusual passphrase", Roles: []sandpit.Role{sandpit.RoleClinician}}
		if sandpit.ErrorFields(n.Validate())["profile"] == "" {
			t.Error("no profile error")
		}
	})
	t.Run("a product owner needs no profile", func(t *testing.T) {
		n := sandpit.NewUser{Email: "o@nhs.net", Name: "O", Password: "a long and unusual passphrase", Roles: []sandpit.Role{sandpit.RoleProductOwner}}
		if err := n.Validate(); err != nil {
			t.Error(err)
		}
	})
}

func TestPermissions(t *testing.T) {
	const team, other = 1, 2
	user := func(roles []sandpit.Role, teams ...sandpit.TeamMembership) *sandpit.User {
		return &sandpit.User{ID: 9, Roles: roles, Teams: teams}
	}
	member := sandpit.TeamMembership{TeamID: team, Role: sandpit.RoleProductOwner}
	researcher := sandpit.TeamMembership{TeamID: team, Role: sandpit.RoleResearcher}
	disabledAdmin := user([]sandpit.Role{sandpit.RoleAdmin})
	disabledAdmin.Disabled = true
	tests := []struct {
		name                               string
		u                                  *sandpit.User
		admin, manage, grant, view, viewOt bool
	}{
		{"nobody", nil, false, false, false, false, false},
		{"clinician", user([]sandpit.Role{sandpit.RoleClinician}), false, false, false, false, false},
		{"product owner of the team", user([]sandpit.Role{sandpit.RoleProductOwner}, member), false, true, false, true, false},
		{"product owner of no team", user([]sandpit.Role{sandpit.RoleProductOwner}), false, false, false, false, false},
		{"researcher of the team", user([]sandpit.Role{sandpit.RoleResearcher}, researcher), false, false, false, true, false},
		{"safety officer", user([]sandpit.Role{sandpit.RoleSafetyOfficer}), false, false, false, false, false},
		{"admin", user([]sandpit.Role{sandpit.RoleAdmin}), true, true, true, true, true},
		{"disabled admin", disabledAdmin, false, false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := [5]bool{sandpit.CanAdminister(tt.u), sandpit.CanManageTeam(tt.u, team), sandpit.CanGrantResearcher(tt.u),
				sandpit.CanViewTeam(tt.u, team), sandpit.CanViewTeam(tt.u, other)}
			want := [5]bool{tt.admin, tt.manage, tt.grant, tt.view, tt.viewOt}
			if got != want {
				t.Errorf("CanAdminister, CanManageTeam, CanGrantResearcher, CanViewTeam, CanViewTeam(other) = %v, want %v", got, want)
			}
		})
	}
}
