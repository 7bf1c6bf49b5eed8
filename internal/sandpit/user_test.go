package sandpit_test

import (
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestPasswordError(t *testing.T) {
	tests := []struct {
		password, email string
		want            string // the code; "" for none
	}{
		{"a long and unusual passphrase", "nurse@example.nhs.uk", ""},
		{"elevenchars", "nurse@example.nhs.uk", sandpit.FieldTooShort},
		{"ééééééééééé", "nurse@example.nhs.uk", sandpit.FieldTooShort}, // 11 characters, 22 bytes
		{"Nurse@Example.nhs.uk", "nurse@example.nhs.uk", sandpit.FieldSameEmail},
		{"Password1234", "nurse@example.nhs.uk", sandpit.FieldCommon},
		{"QWERTYUIOP123", "nurse@example.nhs.uk", sandpit.FieldCommon},
		{strings.Repeat("x", 257), "nurse@example.nhs.uk", sandpit.FieldTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.password, func(t *testing.T) {
			got := ""
			if f := sandpit.PasswordError("password", tt.password, tt.email); f != nil {
				got = f.Code
			}
			if got != tt.want {
				t.Errorf("PasswordError code = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEmailError(t *testing.T) {
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
			if f := sandpit.EmailError("email", email); (f == nil) != ok {
				t.Errorf("EmailError(%q) = %v", email, f)
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
		codes := map[string]string{}
		for _, f := range sandpit.FieldErrorsOf(err) {
			codes[f.Field] = f.Code
		}
		want := map[string]string{"email": sandpit.FieldEmail, "name": sandpit.FieldRequired, "password": sandpit.FieldTooShort,
			"roles": sandpit.FieldOneOf, "profile.profession": sandpit.FieldOneOf, "profile.setting": sandpit.FieldOneOf,
			"profile.years_experience": sandpit.FieldOutOfRange, "profile.legacy_familiarity": sandpit.FieldOutOfRange}
		for f, code := range want {
			if codes[f] != code {
				t.Errorf("%s: code %q, want %q (%v)", f, codes[f], code, codes)
			}
		}
	})
	t.Run("a clinician needs a profile", func(t *testing.T) {
		n := sandpit.NewUser{Email: "n@nhs.net", Name: "N", Password: "a long and unusual passphrase", Roles: []sandpit.Role{sandpit.RoleClinician}}
		if f := sandpit.FieldErrorsOf(n.Validate()); len(f) != 1 || f[0].Field != "profile" || f[0].Code != sandpit.FieldRequired {
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
