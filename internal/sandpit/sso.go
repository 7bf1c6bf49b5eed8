package sandpit

import (
	"slices"
	"strings"
	"time"
)

// Single sign-on audit actions (issue 17).
const (
	AuditSSOSignIn        = "sign_in_sso"
	AuditIdentityLinked   = "identity_linked"
	AuditIdentityUnlinked = "identity_unlinked"
	AuditSignInLink       = "sign_in_link_created"
)

// ExternalIdentity is an account at an organisation's identity provider
// (NHS CIS2, Microsoft Entra ID) linked to a Sandpit user: the provider's
// issuer and its subject name one person for good, whatever their email.
type ExternalIdentity struct {
	ID       int64
	UserID   int64
	Provider string // the configured provider's name, e.g. "nhsmail"
	Issuer   string
	Subject  string
	Email    string // as the provider gave it at linking, for the account page
	Created  time.Time
}

// CanLinkIdentity reports whether u may link an identity provider's
// account to their own: any signed-in, enabled user, who has proved both
// by being signed in here and signing in there.
func CanLinkIdentity(u *User) bool { return u != nil && !u.Disabled }

// CanUnlinkIdentity reports whether u may unlink one of their identities:
// only when a way to sign in is left, another linked identity or a password
// they may still use.
func CanUnlinkIdentity(u *User, linked int, passwordUsable bool) bool {
	return CanLinkIdentity(u) && (linked > 1 || passwordUsable)
}

// SSORoles returns the roles a provider's role claim values map to under
// mapping (claim value → role), without duplicates. Admin is never taken
// from a claim: it stays with Sandpit's admins and their terminal.
func SSORoles(values []string, mapping map[string]Role) []Role {
	var roles []Role
	for _, v := range values {
		r, ok := mapping[strings.TrimSpace(v)]
		if ok && r.Valid() && r != RoleAdmin && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	return roles
}

// ProfessionFromJobRole guesses the profession of a job role such as "Staff
// Nurse" or "Consultant Physician", for prefilling the profile a person
// confirms; "" when it cannot tell.
func ProfessionFromJobRole(jobRole string) string {
	words := strings.Fields(strings.ToLower(jobRole))
	for _, p := range []struct {
		profession string
		words      []string
	}{
		{"midwife", []string{"midwife", "midwifery"}},
		{"nurse", []string{"nurse", "nursing", "sister", "matron"}},
		{"pharmacist", []string{"pharmacist"}},
		{"doctor", []string{"doctor", "consultant", "registrar", "gp", "physician", "surgeon", "fy1", "fy2"}},
		{"healthcare_assistant", []string{"hca", "assistant"}},
		{"allied_health", []string{"physiotherapist", "paramedic", "radiographer", "dietitian", "therapist", "podiatrist"}},
	} {
		for _, w := range words {
			if slices.Contains(p.words, strings.Trim(w, ",.()")) {
				return p.profession
			}
		}
	}
	return ""
}
