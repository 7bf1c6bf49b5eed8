package sandpit

import (
	_ "embed"
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

// Validate returns what is wrong with the profile, naming each bad field
// with prefix, such as "profile.".
func (p Profile) Validate(prefix string) []FieldError {
	var fields []FieldError
	if !slices.Contains(Professions(), p.Profession) {
		fields = append(fields, OneOf(prefix+"profession", Professions()))
	}
	if !slices.Contains(Settings(), p.Setting) {
		fields = append(fields, OneOf(prefix+"setting", Settings()))
	}
	if p.YearsExperience < 0 || p.YearsExperience > 70 {
		fields = append(fields, OutOfRange(prefix+"years_experience", 0, 70))
	}
	if p.LegacyFamiliarity < 1 || p.LegacyFamiliarity > 5 {
		fields = append(fields, OutOfRange(prefix+"legacy_familiarity", 1, 5))
	}
	return fields
}

// MinPasswordLength is the shortest password Sandpit accepts.
const MinPasswordLength = 12

//go:embed common_passwords.txt
var commonPasswordList string

// MaxPasswordLength is the longest password Sandpit accepts, in bytes.
const MaxPasswordLength = 256

// PasswordError returns what makes password too weak for the account with
// email, as an error on field, or nil when it is fine. An empty password is
// too short, not missing: forms that ask for one check that first.
func PasswordError(field, password, email string) *FieldError {
	var f FieldError
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		f = TooShort(field, MinPasswordLength)
	case len(password) > MaxPasswordLength:
		f = TooLong(field, MaxPasswordLength)
	case strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(email)):
		f = FieldError{Field: field, Code: FieldSameEmail}
	case isCommonPassword(password):
		f = FieldError{Field: field, Code: FieldCommon}
	default:
		return nil
	}
	return &f
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

// MaxNameLength is the longest name a user may have, in characters.
const MaxNameLength = 200

// EmailError returns why email is not a usable address, as an error on
// field, or nil.
func EmailError(field, email string) *FieldError {
	if email == "" {
		f := Required(field)
		return &f
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") || len(email) > 254 {
		return &FieldError{Field: field, Code: FieldEmail}
	}
	return nil
}

// NameError returns why name cannot be a person's name, as an error on
// field, or nil.
func NameError(field, name string) *FieldError {
	var f FieldError
	switch n := utf8.RuneCountInString(strings.TrimSpace(name)); {
	case n == 0:
		f = Required(field)
	case n > MaxNameLength:
		f = TooLong(field, MaxNameLength)
	default:
		// Names also come from the terminal (sandpit admin create), not
		// only through the HTTP edge's text check.
		if tf, bad := CheckText(field, name, TextLine); bad {
			return &tf
		}
		return nil
	}
	return &f
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
	var fields []FieldError
	for _, f := range []*FieldError{EmailError("email", n.Email), NameError("name", n.Name), PasswordError("password", n.Password, n.Email)} {
		if f != nil {
			fields = append(fields, *f)
		}
	}
	if len(n.Roles) == 0 {
		fields = append(fields, Required("roles"))
	}
	for _, r := range n.Roles {
		if !r.Valid() {
			fields = append(fields, OneOf("roles", roleNames()))
			break
		}
	}
	if slices.Contains(n.Roles, RoleClinician) && n.Profile == nil {
		fields = append(fields, Required("profile"))
	}
	if n.Profile != nil {
		fields = append(fields, n.Profile.Validate("profile.")...)
	}
	if len(fields) > 0 {
		return Invalid("Check the details you entered.", fields...)
	}
	return nil
}

// roleNames are the roles as the API names them.
func roleNames() []string {
	var names []string
	for _, r := range Roles() {
		names = append(names, string(r))
	}
	return names
}

// RoleError returns an error on field unless role is one of Sandpit's.
func RoleError(field string, role Role) *FieldError {
	if role.Valid() {
		return nil
	}
	f := OneOf(field, roleNames())
	return &f
}
