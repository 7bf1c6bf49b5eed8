package sandpit

import (
	"slices"
	"testing"
)

func TestSSORoles(t *testing.T) {
	mapping := map[string]Role{"Researcher": RoleResearcher, "Safety": RoleSafetyOfficer, "Boss": RoleAdmin, "Odd": Role("wizard")}
	got := SSORoles([]string{"Safety", " Researcher ", "Boss", "Odd", "Unknown", "Safety"}, mapping)
	if !slices.Equal(got, []Role{RoleSafetyOfficer, RoleResearcher}) {
		t.Errorf("roles %v, want safety officer then researcher, no admin, no duplicates", got)
	}
	if got := SSORoles(nil, mapping); got != nil {
		t.Errorf("no claim gave %v", got)
	}
}

func TestCanUnlinkIdentity(t *testing.T) {
	u := &User{ID: 1}
	for _, tt := range []struct {
		user     *User
		linked   int
		password bool
		want     bool
	}{
		{u, 1, false, false}, // the only way in
		{u, 1, true, true},
		{u, 2, false, true},
		{&User{ID: 2, Disabled: true}, 2, true, false},
		{nil, 2, true, false},
	} {
		if got := CanUnlinkIdentity(tt.user, tt.linked, tt.password); got != tt.want {
			t.Errorf("CanUnlinkIdentity(%+v, %d, %v) = %v", tt.user, tt.linked, tt.password, got)
		}
	}
}

func TestProfessionFromJobRole(t *testing.T) {
	for role, want := range map[string]string{
		"Staff Nurse": "nurse", "Ward Sister": "nurse", "Consultant Physician": "doctor", "GP": "doctor",
		"Community Midwife": "midwife", "Band 5 Physiotherapist": "allied_health", "Healthcare Assistant": "healthcare_assistant",
		"Pharmacist (Clinical)": "pharmacist", "Ward Clerk": "", "": "",
	} {
		if got := ProfessionFromJobRole(role); got != want {
			t.Errorf("ProfessionFromJobRole(%q) = %q, want %q", role, got, want)
		}
	}
}
