package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// Rate limits on failed sign-ins and on registrations.
const (
	FailedSignInWindow     = 15 * time.Minute
	FailedSignInPerAccount = 5
	// FailedSignInPerIP failures from one address within the window slow
	// that address rather than stop it: each further attempt must wait
	// twice as long after the last failure (1 s, 2 s, 4 s, … up to
	// MaxSignInDelay), so a whole trust behind one NAT is never locked out
	// while each account keeps its own limit.
	FailedSignInPerIP  = 50
	MaxSignInDelay     = time.Minute
	RegistrationWindow = time.Hour
	RegistrationsPerIP = 100

	// The kinds of rate event, as the store counts them.
	RateSignInAccount = "signin_account"
	RateSignInIP      = "signin_ip"
	RateRegisterIP    = "register_ip"
)

// accountStore keeps accounts: users, their passwords, roles, profiles and
// sessions.
type accountStore interface {
	CreateUser(ctx context.Context, n sandpit.NewUser, passwordHash string, entry sandpit.AuditEntry) (*sandpit.User, error)
	User(ctx context.Context, id int64) (*sandpit.User, error)
	UserByEmail(ctx context.Context, email string) (*sandpit.User, string, error)
	PasswordHash(ctx context.Context, id int64) (string, error)
	Users(ctx context.Context, offset, limit int) ([]store.UserListItem, int64, error)
	GrantRole(ctx context.Context, id int64, role sandpit.Role, entry sandpit.AuditEntry) error
	RemoveRole(ctx context.Context, id int64, role sandpit.Role, entry sandpit.AuditEntry) error
	DisableUser(ctx context.Context, id int64, entry sandpit.AuditEntry) error
	SetPassword(ctx context.Context, id int64, passwordHash string, entry sandpit.AuditEntry) (int64, error)
	EndSessions(ctx context.Context, id int64, entry sandpit.AuditEntry) error
	UpdateProfile(ctx context.Context, id int64, name string, profile *sandpit.Profile, entry sandpit.AuditEntry) error
	CreateUserWithLink(ctx context.Context, n sandpit.NewUser, passwordHash, linkHash string, expires time.Time, entry, linkEntry sandpit.AuditEntry) (*sandpit.User, error)
	PasswordLinkUser(ctx context.Context, hash string) (*sandpit.User, error)
	CreatePasswordLink(ctx context.Context, userID int64, hash string, expires time.Time, entry sandpit.AuditEntry) error
	UsePasswordLink(ctx context.Context, hash, passwordHash string, entry sandpit.AuditEntry) (int64, error)
	CreateUserWithIdentity(ctx context.Context, n sandpit.NewUser, id sandpit.ExternalIdentity, entry, linkEntry sandpit.AuditEntry) (*sandpit.User, error)
	IdentityUser(ctx context.Context, issuer, subject string) (*sandpit.User, *sandpit.ExternalIdentity, error)
	Identities(ctx context.Context, userID int64) ([]sandpit.ExternalIdentity, error)
	LinkIdentity(ctx context.Context, userID int64, id sandpit.ExternalIdentity, entry sandpit.AuditEntry) error
	UnlinkIdentity(ctx context.Context, userID, id int64, allowed func(linked int) bool, entry sandpit.AuditEntry) error
	CreateSignInLink(ctx context.Context, userID int64, hash string, expires time.Time, entry sandpit.AuditEntry) error
	UseSignInLink(ctx context.Context, hash string, entry sandpit.AuditEntry) (*sandpit.User, error)
}

// teamStore keeps teams and who is in them.
type teamStore interface {
	CreateTeam(ctx context.Context, name string, entry sandpit.AuditEntry) (*sandpit.Team, error)
	Team(ctx context.Context, id int64) (*sandpit.Team, error)
	Teams(ctx context.Context) ([]store.TeamListItem, error)
	TeamPeople(ctx context.Context, id int64) ([]store.TeamPerson, error)
	AddToTeam(ctx context.Context, teamID, userID int64, role sandpit.Role, entry sandpit.AuditEntry) error
	RemoveFromTeam(ctx context.Context, teamID, userID int64, role sandpit.Role, entry sandpit.AuditEntry) error
}

// tokenStore keeps the hashes of API tokens; every call is scoped to the
// token's owner.
type tokenStore interface {
	CreateToken(ctx context.Context, userID int64, label, hash string, entry sandpit.AuditEntry) (*store.Token, error)
	Tokens(ctx context.Context, userID int64) ([]store.Token, error)
	RevokeToken(ctx context.Context, userID, id int64, entry sandpit.AuditEntry) error
	UserByToken(ctx context.Context, hash string) (*sandpit.User, int64, error)
}

// auditStore keeps the audit log and the counts rate limits are kept by.
type auditStore interface {
	Audit(ctx context.Context, entry sandpit.AuditEntry) error
	AuditEvents(ctx context.Context, f store.AuditFilter) ([]sandpit.AuditEvent, int64, error)
	RateCount(ctx context.Context, kind, key string, window time.Duration) (int64, time.Time, error)
	RateNewest(ctx context.Context, kind, key string) (time.Time, error)
	RecordRateEvents(ctx context.Context, events []store.RateEvent, entry sandpit.AuditEntry) error
}

// identityStore is everything Identity needs of the store.
type identityStore interface {
	accountStore
	teamStore
	tokenStore
	auditStore
}

// Identity is the use cases of signing in, registration, accounts, API
// tokens, users, roles, teams, grants and the audit log.
type Identity struct {
	store identityStore
	cfg   Config
	// dummyHash is compared when no account has the email, so that a
	// missing account takes as long to refuse as a wrong password.
	dummyHash string
	// sso is the configured OpenID Providers.
	sso []*ssoProvider
}

func newIdentity(st *store.Store, cfg Config) *Identity {
	dummy, err := sandpit.HashPassword(rand.Text(), cfg.PasswordCost)
	if err != nil {
		panic(fmt.Sprintf("app: %v", err))
	}
	i := &Identity{store: st, cfg: cfg, dummyHash: dummy}
	for _, p := range cfg.SSO {
		i.sso = append(i.sso, &ssoProvider{cfg: p})
	}
	return i
}

// RateLimitError is ERATELIMITED, with how long to wait before trying again.
type RateLimitError struct {
	Wait time.Duration
	Err  *sandpit.Error
}

// Error returns the domain error's text.
func (e *RateLimitError) Error() string { return e.Err.Error() }

// Unwrap returns the domain error, so that sandpit.ErrorCode sees it.
func (e *RateLimitError) Unwrap() error { return e.Err }

// errBadCredentials is the one answer to a failed sign-in, whether or not
// the email exists.
var errBadCredentials = &sandpit.Error{Code: sandpit.EUNAUTHORIZED, Message: "The email address or password is not right.",
	Fields: []sandpit.FieldError{{Field: "email", Code: sandpit.FieldCredentials}}}

// rateLimited returns a RateLimitError when the counted events of kind for
// key have reached limit within window.
func (i *Identity) rateLimited(ctx context.Context, kind, key string, limit int64, window time.Duration) error {
	n, free, err := i.store.RateCount(ctx, kind, key, window)
	if err != nil {
		return err
	}
	if n < limit {
		return nil
	}
	wait := max(int(math.Ceil(free.Sub(i.cfg.Now()).Seconds())), 1)
	minutes := (wait + 59) / 60
	plural := "s"
	if minutes == 1 {
		plural = ""
	}
	return &RateLimitError{Wait: time.Duration(wait) * time.Second,
		Err: sandpit.Errorf(sandpit.ERATELIMITED, "Too many attempts. Wait %d minute%s and try again.", minutes, plural)}
}

// slowedDown returns a RateLimitError when address ip has failed
// FailedSignInPerIP times or more within the window and its last failure
// was less than the delay ago: 1 s after the limit, doubling with each
// further failure, up to MaxSignInDelay.
func (i *Identity) slowedDown(ctx context.Context, ip string) error {
	n, _, err := i.store.RateCount(ctx, RateSignInIP, ip, FailedSignInWindow)
	if err != nil || n < FailedSignInPerIP {
		return err
	}
	delay := MaxSignInDelay
	if over := n - FailedSignInPerIP; over < 6 {
		delay = min(time.Second<<over, MaxSignInDelay)
	}
	last, err := i.store.RateNewest(ctx, RateSignInIP, ip)
	if err != nil {
		return err
	}
	wait := last.Add(delay).Sub(i.cfg.Now())
	if wait <= 0 {
		return nil
	}
	seconds := max(int(math.Ceil(wait.Seconds())), 1)
	plural := "s"
	if seconds == 1 {
		plural = ""
	}
	return &RateLimitError{Wait: time.Duration(seconds) * time.Second,
		Err: sandpit.Errorf(sandpit.ERATELIMITED, "Too many failed sign-ins from your network. Wait %d second%s and try again.", seconds, plural)}
}

// authenticate checks email and password against the limits and the
// accounts. A failure is counted against the account and the client's
// address and audited, in one transaction.
func (i *Identity) authenticate(ctx context.Context, actor Actor, email, password string) (*sandpit.User, error) {
	account := strings.ToLower(strings.TrimSpace(email))
	if err := i.rateLimited(ctx, RateSignInAccount, account, FailedSignInPerAccount, FailedSignInWindow); err != nil {
		return nil, err
	}
	if err := i.slowedDown(ctx, actor.IP); err != nil {
		return nil, err
	}
	u, hash, err := i.store.UserByEmail(ctx, account)
	if err != nil && sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
		return nil, err
	}
	if u == nil {
		hash = i.dummyHash
	}
	match := sandpit.PasswordMatches(hash, password)
	if u != nil && match && !u.Disabled {
		return u, nil
	}
	// Whoever is signed in, the failure is nobody's: the attempt names an
	// account, not an actor.
	entry := Actor{IP: actor.IP}.entry(sandpit.AuditSignInFailed)
	entry.Detail = "email " + account
	if u != nil {
		entry.SubjectID = &u.ID
	}
	events := []store.RateEvent{{Kind: RateSignInAccount, Key: account}, {Kind: RateSignInIP, Key: actor.IP}}
	if err := i.store.RecordRateEvents(ctx, events, entry); err != nil {
		return nil, err
	}
	return nil, errBadCredentials
}

// credentialFields names an empty email or password.
func credentialFields(email, password string) []sandpit.FieldError {
	var fields []sandpit.FieldError
	if strings.TrimSpace(email) == "" {
		fields = append(fields, sandpit.Required("email"))
	}
	if password == "" {
		fields = append(fields, sandpit.Required("password"))
	}
	return fields
}

// SignIn is an email address and password typed to sign in.
type SignIn struct {
	Email    string
	Password string
}

// SignIn checks the email and password and audits the sign-in; the caller
// starts the session of the user it returns. Wrong credentials are
// EUNAUTHORIZED, too many of them ERATELIMITED (a RateLimitError).
func (i *Identity) SignIn(ctx context.Context, actor Actor, in SignIn) (*sandpit.User, error) {
	if err := i.passwordsAllowed(); err != nil {
		return nil, err
	}
	if fields := credentialFields(in.Email, in.Password); len(fields) > 0 {
		return nil, sandpit.Invalid("Enter your email address and password.", fields...)
	}
	u, err := i.authenticate(ctx, actor, in.Email, in.Password)
	if err != nil {
		return nil, err
	}
	entry := Actor{User: u, IP: actor.IP}.entry(sandpit.AuditSignIn)
	entry.SubjectID = &u.ID
	if err := i.store.Audit(ctx, entry); err != nil {
		return nil, err
	}
	return u, nil
}

// SignOut ends every session of the actor, if anyone is signed in: their
// session epoch moves on.
func (i *Identity) SignOut(ctx context.Context, actor Actor) error {
	if actor.User == nil {
		return nil
	}
	entry := actor.entry(sandpit.AuditSignOut)
	entry.SubjectID = &actor.User.ID
	return i.store.EndSessions(ctx, actor.User.ID, entry)
}

// Register creates a clinician account, when registration is open, at most
// RegistrationsPerIP an hour from one address.
func (i *Identity) Register(ctx context.Context, actor Actor, n sandpit.NewUser) (*sandpit.User, error) {
	if err := i.passwordsAllowed(); err != nil {
		return nil, err
	}
	if !i.cfg.OpenRegistration {
		return nil, sandpit.Errorf(sandpit.EFORBIDDEN, "Registration is closed. Ask a Sandpit administrator for an account.")
	}
	if err := i.rateLimited(ctx, RateRegisterIP, actor.IP, RegistrationsPerIP, RegistrationWindow); err != nil {
		return nil, err
	}
	// Every attempt counts, valid or not.
	if err := i.store.RecordRateEvents(ctx, []store.RateEvent{{Kind: RateRegisterIP, Key: actor.IP}}, sandpit.AuditEntry{}); err != nil {
		return nil, err
	}
	n.Roles = []sandpit.Role{sandpit.RoleClinician}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	hash, err := sandpit.HashPassword(n.Password, i.cfg.PasswordCost)
	if err != nil {
		return nil, err
	}
	return i.store.CreateUser(ctx, n, hash, actor.entry(sandpit.AuditRegister))
}

// Me is the signed-in actor.
func (i *Identity) Me(ctx context.Context, actor Actor) (*sandpit.User, error) {
	if err := signedIn(actor); err != nil {
		return nil, err
	}
	return actor.User, nil
}

// Account is the signed-in user's account: who they are and their API
// tokens.
type Account struct {
	User   *sandpit.User
	Tokens []store.Token
	// Identities are the accounts at identity providers linked to this one.
	Identities []LinkedIdentity
	// Linkable are the providers not linked yet.
	Linkable []SSOChoice
	// HasPassword says the user has a password and may sign in with it.
	HasPassword bool
}

// Account returns the actor's account.
func (i *Identity) Account(ctx context.Context, actor Actor) (*Account, error) {
	if err := signedIn(actor); err != nil {
		return nil, err
	}
	tokens, err := i.store.Tokens(ctx, actor.User.ID)
	if err != nil {
		return nil, err
	}
	ids, err := i.store.Identities(ctx, actor.User.ID)
	if err != nil {
		return nil, err
	}
	hasPassword, err := i.passwordUsable(ctx, actor.User.ID)
	if err != nil {
		return nil, err
	}
	a := &Account{User: actor.User, Tokens: tokens, HasPassword: hasPassword}
	for _, p := range i.sso {
		linked := false
		for _, id := range ids {
			if id.Provider == p.cfg.Name {
				linked = true
			}
		}
		if !linked {
			a.Linkable = append(a.Linkable, SSOChoice{Name: p.cfg.Name, Label: p.cfg.Label})
		}
	}
	for _, id := range ids {
		label := id.Provider
		if p, err := i.provider(id.Provider); err == nil {
			label = p.cfg.Label
		}
		a.Identities = append(a.Identities, LinkedIdentity{ExternalIdentity: id, Label: label})
	}
	return a, nil
}

// ProfileUpdate is a new name and, for a user who has one, a new
// professional profile.
type ProfileUpdate struct {
	Name    string
	Profile *sandpit.Profile
}

// UpdateProfile saves the actor's name and, if they have one, their
// professional profile; a profile sent by a user without one is ignored.
func (i *Identity) UpdateProfile(ctx context.Context, actor Actor, in ProfileUpdate) error {
	if err := signedIn(actor); err != nil {
		return err
	}
	name := strings.TrimSpace(in.Name)
	var fields []sandpit.FieldError
	if f := sandpit.NameError("name", name); f != nil {
		fields = append(fields, *f)
	}
	profile := in.Profile
	if actor.User.Profile == nil {
		profile = nil
	}
	if profile != nil {
		fields = append(fields, profile.Validate("profile.")...)
	}
	if len(fields) > 0 {
		return sandpit.Invalid("Check your profile.", fields...)
	}
	return i.store.UpdateProfile(ctx, actor.User.ID, name, profile, actor.entry(sandpit.AuditProfileUpdated))
}

// PasswordChange is the current password, as proof, and the new one.
type PasswordChange struct {
	Current string
	New     string
}

// ChangePassword changes the actor's password and ends every session of
// theirs, returning the new session epoch so the caller can keep its own.
// Wrong current passwords count against the account's failed sign-ins, so
// that a borrowed session cannot be used to guess the password faster than
// signing in allows.
func (i *Identity) ChangePassword(ctx context.Context, actor Actor, in PasswordChange) (int64, error) {
	if err := signedIn(actor); err != nil {
		return 0, err
	}
	if err := i.passwordsAllowed(); err != nil {
		return 0, err
	}
	u := actor.User
	var fields []sandpit.FieldError
	if in.Current == "" {
		fields = append(fields, sandpit.Required("current_password"))
	} else if ok, err := i.checkPassword(ctx, actor, in.Current); err != nil {
		return 0, err
	} else if !ok {
		fields = append(fields, sandpit.FieldError{Field: "current_password", Code: sandpit.FieldCredentials})
	}
	if in.New == "" {
		fields = append(fields, sandpit.Required("new_password"))
	} else if f := sandpit.PasswordError("new_password", in.New, u.Email); f != nil {
		fields = append(fields, *f)
	}
	if len(fields) > 0 {
		return 0, sandpit.Invalid("Check your passwords.", fields...)
	}
	hash, err := sandpit.HashPassword(in.New, i.cfg.PasswordCost)
	if err != nil {
		return 0, err
	}
	return i.store.SetPassword(ctx, u.ID, hash, actor.entry(sandpit.AuditPasswordChanged))
}

// checkPassword reports whether password is the actor's, counting and
// auditing a wrong one as a failed sign-in.
func (i *Identity) checkPassword(ctx context.Context, actor Actor, password string) (bool, error) {
	u := actor.User
	account := strings.ToLower(u.Email)
	if err := i.rateLimited(ctx, RateSignInAccount, account, FailedSignInPerAccount, FailedSignInWindow); err != nil {
		return false, err
	}
	hash, err := i.store.PasswordHash(ctx, u.ID)
	if err != nil {
		return false, err
	}
	if sandpit.PasswordMatches(hash, password) {
		return true, nil
	}
	entry := actor.entry(sandpit.AuditSignInFailed)
	entry.SubjectID, entry.Detail = &u.ID, "wrong current password when changing password"
	if err := i.store.RecordRateEvents(ctx, []store.RateEvent{{Kind: RateSignInAccount, Key: account}}, entry); err != nil {
		return false, err
	}
	return false, nil
}

// NewToken is an API token just created: the secret, shown this once, and
// whose it is.
type NewToken struct {
	Token string
	Label string
	User  *sandpit.User
}

// labelField names a label that is too long.
func labelField(label string) []sandpit.FieldError {
	if utf8.RuneCountInString(label) > sandpit.MaxTokenLabel {
		return []sandpit.FieldError{sandpit.TooLong("label", sandpit.MaxTokenLabel)}
	}
	return nil
}

// createToken stores a new token of u labelled label, audited as done by
// actor.
func (i *Identity) createToken(ctx context.Context, actor Actor, u *sandpit.User, label string) (*NewToken, error) {
	token, hash := sandpit.NewAPIToken()
	entry := actor.entry(sandpit.AuditTokenCreated)
	entry.SubjectID = &u.ID
	if _, err := i.store.CreateToken(ctx, u.ID, label, hash, entry); err != nil {
		return nil, err
	}
	return &NewToken{Token: token, Label: label, User: u}, nil
}

// CreateToken creates an API token for the actor, labelled so they can tell
// it from others. Only its hash is kept.
func (i *Identity) CreateToken(ctx context.Context, actor Actor, label string) (*NewToken, error) {
	if err := signedIn(actor); err != nil {
		return nil, err
	}
	label = strings.TrimSpace(label)
	fields := labelField(label)
	if label == "" {
		fields = append(fields, sandpit.Required("label"))
	}
	if len(fields) > 0 {
		return nil, sandpit.Invalid("Enter a label for the token.", fields...)
	}
	return i.createToken(ctx, actor, actor.User, label)
}

// TokenRequest is an email address and password exchanged for an API token,
// with an optional label.
type TokenRequest struct {
	Email    string
	Password string
	Label    string
}

// CreateTokenBySignIn exchanges an email address and password for an API
// token, under the same limits as signing in.
func (i *Identity) CreateTokenBySignIn(ctx context.Context, actor Actor, in TokenRequest) (*NewToken, error) {
	if err := i.passwordsAllowed(); err != nil {
		return nil, err
	}
	label := strings.TrimSpace(in.Label)
	fields := append(credentialFields(in.Email, in.Password), labelField(label)...)
	if len(fields) > 0 {
		return nil, sandpit.Invalid("Send an email and password.", fields...)
	}
	u, err := i.authenticate(ctx, actor, in.Email, in.Password)
	if err != nil {
		return nil, err
	}
	if label == "" {
		label = "API token created " + i.cfg.Now().In(sandpit.London).Format(time.DateOnly)
	}
	return i.createToken(ctx, Actor{User: u, IP: actor.IP}, u, label)
}

// RevokeToken stops token id of the actor's working; another's token is
// ENOTFOUND.
func (i *Identity) RevokeToken(ctx context.Context, actor Actor, id int64) error {
	if err := signedIn(actor); err != nil {
		return err
	}
	entry := actor.entry(sandpit.AuditTokenRevoked)
	entry.SubjectID = &actor.User.ID
	return i.store.RevokeToken(ctx, actor.User.ID, id, entry)
}

// RequireAdmin is EFORBIDDEN unless the actor may administer Sandpit: the
// check in front of every admin page.
func (i *Identity) RequireAdmin(ctx context.Context, actor Actor) error {
	return allow(sandpit.CanAdminister(actor.User))
}

// UserList is a page of the user list and how many users there are.
type UserList struct {
	Users []store.UserListItem
	Total int64
}

// Users lists every user, newest first, limit at a time from offset.
func (i *Identity) Users(ctx context.Context, actor Actor, offset, limit int) (*UserList, error) {
	if err := i.RequireAdmin(ctx, actor); err != nil {
		return nil, err
	}
	users, total, err := i.store.Users(ctx, offset, limit)
	if err != nil {
		return nil, err
	}
	return &UserList{Users: users, Total: total}, nil
}

// User returns user id, their roles and teams.
func (i *Identity) User(ctx context.Context, actor Actor, id int64) (*sandpit.User, error) {
	if err := i.RequireAdmin(ctx, actor); err != nil {
		return nil, err
	}
	return i.store.User(ctx, id)
}

// CreateUser creates a user with any roles.
func (i *Identity) CreateUser(ctx context.Context, actor Actor, n sandpit.NewUser) (*sandpit.User, error) {
	if err := i.RequireAdmin(ctx, actor); err != nil {
		return nil, err
	}
	if err := i.accountsWithPasswords(); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	hash, err := sandpit.HashPassword(n.Password, i.cfg.PasswordCost)
	if err != nil {
		return nil, err
	}
	return i.store.CreateUser(ctx, n, hash, actor.entry(sandpit.AuditUserCreated))
}

// CreateAdminFromTerminal creates an admin, as `sandpit admin create` does
// for the first one. Only the terminal may: the actor is nobody signed in,
// whose operator can read the database anyway; no web route calls it, and
// any signed-in actor is refused.
func (i *Identity) CreateAdminFromTerminal(ctx context.Context, actor Actor, n sandpit.NewUser) (*sandpit.User, error) {
	if err := allow(actor.User == nil); err != nil {
		return nil, err
	}
	n.Roles = []sandpit.Role{sandpit.RoleAdmin}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	hash, err := sandpit.HashPassword(n.Password, i.cfg.PasswordCost)
	if err != nil {
		return nil, err
	}
	entry := actor.entry(sandpit.AuditUserCreated)
	entry.Detail = "sandpit admin create"
	return i.store.CreateUser(ctx, n, hash, entry)
}

// GrantRole gives user id role; a role held already changes nothing.
func (i *Identity) GrantRole(ctx context.Context, actor Actor, id int64, role sandpit.Role) error {
	if err := i.RequireAdmin(ctx, actor); err != nil {
		return err
	}
	if _, err := i.store.User(ctx, id); err != nil {
		return err
	}
	if f := sandpit.RoleError("role", role); f != nil {
		return sandpit.Invalid("Select a role to grant.", *f)
	}
	entry := actor.entry(sandpit.AuditRoleGranted)
	entry.Detail = string(role)
	return i.store.GrantRole(ctx, id, role, entry)
}

// RemoveRole takes role from user id. Sandpit keeps at least one admin:
// removing the last one's admin role is ECONFLICT.
func (i *Identity) RemoveRole(ctx context.Context, actor Actor, id int64, role sandpit.Role) error {
	if err := i.RequireAdmin(ctx, actor); err != nil {
		return err
	}
	if !role.Valid() {
		return sandpit.Errorf(sandpit.ENOTFOUND, "Not found.")
	}
	if _, err := i.store.User(ctx, id); err != nil {
		return err
	}
	entry := actor.entry(sandpit.AuditRoleRemoved)
	entry.Detail = string(role)
	return i.store.RemoveRole(ctx, id, role, entry)
}

// DisableUser stops user id signing in and ends their sessions and API
// tokens. An admin cannot disable themselves: ECONFLICT.
func (i *Identity) DisableUser(ctx context.Context, actor Actor, id int64) error {
	if err := i.RequireAdmin(ctx, actor); err != nil {
		return err
	}
	if _, err := i.store.User(ctx, id); err != nil {
		return err
	}
	if id == actor.ID() {
		return sandpit.Conflict("You cannot disable your own account. Ask another admin to do it.")
	}
	return i.store.DisableUser(ctx, id, actor.entry(sandpit.AuditUserDisabled))
}

// Teams lists every team by name.
func (i *Identity) Teams(ctx context.Context, actor Actor) ([]store.TeamListItem, error) {
	if err := i.RequireAdmin(ctx, actor); err != nil {
		return nil, err
	}
	return i.store.Teams(ctx)
}

// CreateTeam creates a team; its name is unique without case.
func (i *Identity) CreateTeam(ctx context.Context, actor Actor, name string) (*sandpit.Team, error) {
	if err := i.RequireAdmin(ctx, actor); err != nil {
		return nil, err
	}
	if f := sandpit.TeamNameError(name); f != nil {
		return nil, sandpit.Invalid("Check the team name.", *f)
	}
	return i.store.CreateTeam(ctx, strings.TrimSpace(name), actor.entry(sandpit.AuditTeamCreated))
}

// TeamPeople is a team with its product owners and researchers.
type TeamPeople struct {
	Team        *sandpit.Team
	Owners      []store.TeamPerson
	Researchers []store.TeamPerson
}

// Team returns team id with its people.
func (i *Identity) Team(ctx context.Context, actor Actor, id int64) (*TeamPeople, error) {
	if err := i.RequireAdmin(ctx, actor); err != nil {
		return nil, err
	}
	team, err := i.store.Team(ctx, id)
	if err != nil {
		return nil, err
	}
	people, err := i.store.TeamPeople(ctx, id)
	if err != nil {
		return nil, err
	}
	tp := &TeamPeople{Team: team}
	for _, p := range people {
		switch p.Role {
		case sandpit.RoleProductOwner:
			tp.Owners = append(tp.Owners, p)
		case sandpit.RoleResearcher:
			tp.Researchers = append(tp.Researchers, p)
		}
	}
	return tp, nil
}

// AddMember makes the person with email a product owner of team teamID:
// the team's product owners and admins may.
func (i *Identity) AddMember(ctx context.Context, actor Actor, teamID int64, email string) (*sandpit.User, error) {
	return i.addToTeam(ctx, actor, teamID, email, sandpit.RoleProductOwner)
}

// GrantResearcher gives the person with email research access to team
// teamID: admins may.
func (i *Identity) GrantResearcher(ctx context.Context, actor Actor, teamID int64, email string) (*sandpit.User, error) {
	return i.addToTeam(ctx, actor, teamID, email, sandpit.RoleResearcher)
}

// addToTeam checks the actor may add people to team teamID as role, finds
// the person by email and adds them. A team the actor may not see is
// ENOTFOUND.
func (i *Identity) addToTeam(ctx context.Context, actor Actor, teamID int64, email string, role sandpit.Role) (*sandpit.User, error) {
	team, err := i.store.Team(ctx, teamID)
	if err != nil {
		return nil, err
	}
	if err := visible(sandpit.CanViewTeam(actor.User, team.ID), "Team"); err != nil {
		return nil, err
	}
	allowed, action := sandpit.CanManageTeam(actor.User, team.ID), sandpit.AuditMemberAdded
	if role == sandpit.RoleResearcher {
		allowed, action = sandpit.CanGrantResearcher(actor.User), sandpit.AuditResearcherGrant
	}
	if err := allow(allowed); err != nil {
		return nil, err
	}
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, sandpit.Invalid("Enter the person's email address.", sandpit.Required("email"))
	}
	person, _, err := i.store.UserByEmail(ctx, email)
	if sandpit.ErrorCode(err) == sandpit.ENOTFOUND {
		return nil, sandpit.Invalid("No account has this email address.", sandpit.Unknown("email", "Sandpit account"))
	}
	if err != nil {
		return nil, err
	}
	// The store adds the team and the person to the entry.
	if err := i.store.AddToTeam(ctx, team.ID, person.ID, role, actor.entry(action)); err != nil {
		return nil, err
	}
	return i.store.User(ctx, person.ID)
}

// RemoveMember takes product owner userID out of team teamID, as
// AddMember's undoing: the team's product owners and admins may.
func (i *Identity) RemoveMember(ctx context.Context, actor Actor, teamID, userID int64) error {
	return i.removeFromTeam(ctx, actor, teamID, userID, sandpit.RoleProductOwner)
}

// RevokeResearcher takes away researcher userID's access to team teamID,
// as GrantResearcher's undoing: admins may.
func (i *Identity) RevokeResearcher(ctx context.Context, actor Actor, teamID, userID int64) error {
	return i.removeFromTeam(ctx, actor, teamID, userID, sandpit.RoleResearcher)
}

// removeFromTeam checks the actor may take people out of team teamID as
// role, as addToTeam checks adding them, and does. A team the actor may
// not see is ENOTFOUND.
func (i *Identity) removeFromTeam(ctx context.Context, actor Actor, teamID, userID int64, role sandpit.Role) error {
	team, err := i.store.Team(ctx, teamID)
	if err != nil {
		return err
	}
	if err := visible(sandpit.CanViewTeam(actor.User, team.ID), "Team"); err != nil {
		return err
	}
	allowed, action := sandpit.CanManageTeam(actor.User, team.ID), sandpit.AuditMemberRemoved
	if role == sandpit.RoleResearcher {
		allowed, action = sandpit.CanGrantResearcher(actor.User), sandpit.AuditResearcherRevok
	}
	if err := allow(allowed); err != nil {
		return err
	}
	// The store adds the team and the person to the entry.
	return i.store.RemoveFromTeam(ctx, team.ID, userID, role, actor.entry(action))
}

// AuditPage is a page of the audit log, the filter it was read with, and
// how many events match the filter in all.
type AuditPage struct {
	Events []sandpit.AuditEvent
	Total  int64
	Filter store.AuditFilter
}

// AuditLog returns a page of the audit log, newest first. An action that is
// not one of sandpit.AuditActions filters nothing.
func (i *Identity) AuditLog(ctx context.Context, actor Actor, f store.AuditFilter) (*AuditPage, error) {
	if err := i.RequireAdmin(ctx, actor); err != nil {
		return nil, err
	}
	f.Email = strings.TrimSpace(f.Email)
	if !slices.Contains(sandpit.AuditActions(), f.Action) {
		f.Action = ""
	}
	events, total, err := i.store.AuditEvents(ctx, f)
	if err != nil {
		return nil, err
	}
	return &AuditPage{Events: events, Total: total, Filter: f}, nil
}
