package sandpit

import (
	_ "embed"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user may do in Sandpit; a user may hold several.
type Role string

// Roles.
const (
	RoleClinician     Role = "clinician"
	RoleProductOwner  Role = "product_owner"
	RoleResearcher    Role = "researcher"
	RoleSafetyOfficer Role = "safety_officer"
	RoleAdmin         Role = "admin"
)

// Roles lists every role in the order pages show them.
func Roles() []Role {
	return []Role{RoleClinician, RoleProductOwner, RoleResearcher, RoleSafetyOfficer, RoleAdmin}
}

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case RoleClinician:
		return "Clinician"
	case RoleProductOwner:
		return "Product owner"
	case RoleResearcher:
		return "Researcher"
	case RoleSafetyOfficer:
		return "Safety officer"
	case RoleAdmin:
		return "Admin"
	}
	return string(r)
}

// Valid reports whether r is one of Sandpit's roles.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// User is a person who signs in to Sandpit.
type User struct {
	ID           int64
	Email        string
	Name         string
	Roles        []Role
	Profile      *Profile // a clinician's professional profile; nil for others
	Disabled     bool
	SessionEpoch int64 // moves on to end every session of the user
	CreatedAt    time.Time
	Teams        []TeamMembership
}

// Has reports whether u holds role.
func (u *User) Has(role Role) bool {
	return u != nil && !u.Disabled && slices.Contains(u.Roles, role)
}

// Profile is a clinician's professional profile.
type Profile struct {
	Profession        string
	Setting           string
	YearsExperience   int
	LegacyFamiliarity int // 1 (never used it) to 5 (expert)
}

// Professions a clinician may have, as API.md lists them.
func Professions() []string {
	return []string{"doctor", "nurse", "midwife", "pharmacist", "allied_health", "healthcare_assistant", "other"}
}

// Settings a clinician may work in, as API.md lists them.
func Settings() []string {
	return []string{"acute", "primary_care", "community", "mental_health", "ambulance", "other"}
}

// OptionLabel is the name for people of a profession or setting value.
func OptionLabel(value string) string {
	switch value {
	case "allied_health":
		return "Allied health professional"
	case "healthcare_assistant":
		return "Healthcare assistant"
	case "acute":
		return "Acute (hospital)"
	case "primary_care":
		return "Primary care"
	case "mental_health":
		return "Mental health"
	}
	if value == "" {
		return ""
	}
	return strings.ToUpper(value[:1]) + strings.ReplaceAll(value[1:], "_", " ")
}

// Validate checks the profile, naming each bad field with prefix.
func (p Profile) Validate(fields map[string]string, prefix string) {
	if !slices.Contains(Professions(), p.Profession) {
		fields[prefix+"profession"] = "must be one of " + strings.Join(Professions(), ", ")
	}
	if !slices.Contains(Settings(), p.Setting) {
		fields[prefix+"setting"] = "must be one of " + strings.Join(Settings(), ", ")
	}
	if p.YearsExperience < 0 || p.YearsExperience > 70 {
		fields[prefix+"years_experience"] = "must be a whole number from 0 to 70"
	}
	if p.LegacyFamiliarity < 1 || p.LegacyFamiliarity > 5 {
		fields[prefix+"legacy_familiarity"] = "must be 1 to 5"
	}
}

// MinPasswordLength is the shortest password Sandpit accepts.
const MinPasswordLength = 12

//go:embed common_passwords.txt
var commonPasswordList string

// PasswordProblem returns why password is too weak for the account with
// email, or "" when it is fine.
func PasswordProblem(password, email string) string {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return fmt.Sprintf("must be at least %d characters", MinPasswordLength)
	case len(password) > 256:
		return "must be at most 256 characters"
	case strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(email)):
		return "must not be your email address"
	case isCommonPassword(password):
		return "is too common; choose a password others are unlikely to guess"
	}
	return ""
}

func isCommonPassword(password string) bool {
	p := strings.ToLower(password)
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" && line[0] != '#' && line == p {
			return true
		}
	}
	return false
}

// NormalizeEmail trims an email address; comparisons ignore case.
func NormalizeEmail(email string) string { return strings.TrimSpace(email) }

// EmailProblem returns why email is not a usable address, or "".
func EmailProblem(email string) string {
	if email == "" {
		return "enter an email address"
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") || len(email) > 254 {
		return "enter an email address in the correct format, like name@example.nhs.uk"
	}
	return ""
}

// NameProblem returns why name is not usable, or "".
func NameProblem(name string) string {
	switch n := utf8.RuneCountInString(strings.TrimSpace(name)); {
	case n == 0:
		return "enter a name"
	case n > 200:
		return "must be at most 200 characters"
	}
	return ""
}

// NewUser is a user about to be created, by registration or by an admin.
type NewUser struct {
	Email    string
	Name     string
	Password string
	Roles    []Role
	Profile  *Profile
}

// Validate checks every field at once, naming each bad one.
func (n *NewUser) Validate() error {
	n.Email, n.Name = NormalizeEmail(n.Email), strings.TrimSpace(n.Name)
	fields := map[string]string{}
	if p := EmailProblem(n.Email); p != "" {
		fields["email"] = p
	}
	if p := NameProblem(n.Name); p != "" {
		fields["name"] = p
	}
	if p := PasswordProblem(n.Password, n.Email); p != "" {
		fields["password"] = p
	}
	if len(n.Roles) == 0 {
		fields["roles"] = "choose at least one role"
	}
	for _, r := range n.Roles {
		if !r.Valid() {
			fields["roles"] = fmt.Sprintf("%q is not a role", r)
		}
	}
	if slices.Contains(n.Roles, RoleClinician) && n.Profile == nil {
		fields["profile"] = "a clinician needs a professional profile"
	}
	if n.Profile != nil {
		n.Profile.Validate(fields, "profile.")
	}
	if len(fields) > 0 {
		return InvalidMessages("Check the details you entered.", fields)
	}
	return nil
}
