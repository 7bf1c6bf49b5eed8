package app

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// Single sign-on with OpenID Connect (issue 17): the authorization code flow
// with PKCE, state and nonce, the ID token checked by go-oidc (issuer,
// audience, expiry, signature against the provider's published keys, which
// it fetches again when a token names a key it has not seen).

// SSO timings.
const (
	// SSOStartLife is how long a sign-in begun here may take at the
	// provider before its state expires.
	SSOStartLife = 10 * time.Minute
	// SSOProfileLife is how long a person signed in for the first time has
	// to confirm their profile.
	SSOProfileLife = 30 * time.Minute
	// ssoTimeout bounds each request to a provider.
	ssoTimeout = 10 * time.Second
	// maxDiscoveryWait is the longest pause between discovery attempts.
	maxDiscoveryWait = time.Minute
)

// SSOProvider is one configured OpenID Provider.
type SSOProvider struct {
	Name         string // lower case, from SANDPIT_OIDC_<NAME>_…; in URLs
	Label        string // "NHS Care Identity", for "Sign in with …"
	Issuer       string
	ClientID     string
	ClientSecret string
	// PrivateKey, when set, authenticates Sandpit to the token endpoint with
	// a signed client assertion (private_key_jwt, as NHS CIS2 asks)
	// instead of the secret; KeyID names its public key at the provider.
	PrivateKey crypto.Signer
	KeyID      string
	Scopes     []string // besides openid
	// RoleClaim names a claim listing the person's roles at the
	// organisation; RoleMap maps its values to Sandpit roles. Off when
	// RoleClaim is empty.
	RoleClaim string
	RoleMap   map[string]sandpit.Role
	// JobRoleClaim names a claim holding a job title, to prefill the
	// profession of a new account.
	JobRoleClaim string
}

// ssoProvider is a configured provider and, once discovery has worked, its
// client.
type ssoProvider struct {
	cfg SSOProvider

	mu         sync.Mutex
	provider   *oidc.Provider
	oauth      *oauth2.Config
	verifier   *oidc.IDTokenVerifier
	endSession string
}

// client returns the provider's OAuth client and ID token verifier,
// discovering the provider first if that has not worked yet.
func (p *ssoProvider) client(ctx context.Context, redirectBase string) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider == nil {
		ctx, cancel := context.WithTimeout(ctx, ssoTimeout)
		defer cancel()
		provider, err := oidc.NewProvider(ctx, p.cfg.Issuer)
		if err != nil {
			return nil, nil, err
		}
		var meta struct {
			EndSession string `json:"end_session_endpoint"`
		}
		if err := provider.Claims(&meta); err != nil {
			return nil, nil, err
		}
		p.provider, p.endSession = provider, meta.EndSession
		p.verifier = provider.Verifier(&oidc.Config{ClientID: p.cfg.ClientID})
		p.oauth = &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: provider.Endpoint(),
			RedirectURL: redirectBase + "/sign-in/sso/" + p.cfg.Name + "/callback",
			Scopes:      append([]string{oidc.ScopeOpenID}, p.cfg.Scopes...)}
		if p.cfg.PrivateKey != nil {
			p.oauth.ClientSecret = ""
			p.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		}
	}
	return p.oauth, p.verifier, nil
}

// clientAssertion is a signed JWT proving Sandpit is the client
// (RFC 7523), good for a minute, for the token endpoint.
func (p *ssoProvider) clientAssertion(now time.Time) (string, error) {
	alg := jose.RS256
	if _, ok := p.cfg.PrivateKey.Public().(*ecdsa.PublicKey); ok {
		alg = jose.ES256
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: p.cfg.PrivateKey},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", p.cfg.KeyID))
	if err != nil {
		return "", err
	}
	claims := jwt.Claims{Issuer: p.cfg.ClientID, Subject: p.cfg.ClientID, ID: rand.Text(),
		// The token endpoint, as CIS2 asks, and the issuer, which RFC 7523
		// also allows and some providers require.
		Audience: jwt.Audience{p.oauth.Endpoint.TokenURL, p.cfg.Issuer},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// SSOChoice is a provider as the sign-in page offers it.
type SSOChoice struct {
	Name  string
	Label string
}

// SSOProviders lists the configured providers, in configuration order.
func (i *Identity) SSOProviders() []SSOChoice {
	choices := make([]SSOChoice, len(i.sso))
	for n, p := range i.sso {
		choices[n] = SSOChoice{Name: p.cfg.Name, Label: p.cfg.Label}
	}
	return choices
}

// PasswordSignIn reports whether people may sign in, register and set
// passwords with passwords (SANDPIT_PASSWORD_SIGNIN).
func (i *Identity) PasswordSignIn() bool { return !i.cfg.NoPasswordSignIn }

// errPasswordsOff refuses every password route when password sign-in is off.
var errPasswordsOff = sandpit.Errorf(sandpit.EFORBIDDEN, "Signing in with a password is turned off here. Sign in with your organisation's account instead.")

// errAccountsBySSO refuses making accounts with passwords or set-password
// links when password sign-in is off.
var errAccountsBySSO = sandpit.Errorf(sandpit.EFORBIDDEN, "Password sign-in is turned off, so accounts are made when people first sign in with their organisation's account. Grant roles on their account once they have.")

// accountsWithPasswords is errAccountsBySSO when password sign-in is off.
func (i *Identity) accountsWithPasswords() error {
	if i.cfg.NoPasswordSignIn {
		return errAccountsBySSO
	}
	return nil
}

// passwordsAllowed is errPasswordsOff when password sign-in is off.
func (i *Identity) passwordsAllowed() error {
	if i.cfg.NoPasswordSignIn {
		return errPasswordsOff
	}
	return nil
}

// provider returns the configured provider name: ENOTFOUND for another.
func (i *Identity) provider(name string) (*ssoProvider, error) {
	for _, p := range i.sso {
		if p.cfg.Name == name {
			return p, nil
		}
	}
	return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Sign-in option not found.")
}

// DiscoverSSO discovers every configured provider, trying again after 1 s,
// 2 s, 4 s … up to a minute while any is down, until all have answered or
// ctx ends; failed reports each failed attempt. A provider down at start
// never stops Sandpit: its button says it is unavailable until it answers.
func (i *Identity) DiscoverSSO(ctx context.Context, failed func(provider string, err error)) {
	wait := time.Second
	for {
		down := 0
		for _, p := range i.sso {
			if _, _, err := p.client(ctx, i.cfg.BaseURL); err != nil {
				down++
				failed(p.cfg.Name, err)
			}
		}
		if down == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, maxDiscoveryWait)
	}
}

// SSO failure kinds, each with its own page of what to do.
const (
	SSOUnavailable = "unavailable" // the provider did not answer
	SSOExpired     = "expired"     // the state is missing, used, expired or wrong
	SSOCancelled   = "cancelled"   // the person said no at the provider
	SSORefused     = "refused"     // the provider answered with another error
	SSONotVerified = "not_verified"
	SSODisabled    = "disabled" // the Sandpit account is disabled
	SSOTaken       = "taken"    // linking an identity another account holds
)

// SSOError is a single sign-on that did not finish: Kind says which page
// to show; Err is the cause, for the log, never holding a token.
type SSOError struct {
	Kind     string
	Provider SSOChoice
	Err      error
}

func (e *SSOError) Error() string {
	if e.Err == nil {
		return "sso " + e.Provider.Name + ": " + e.Kind
	}
	return fmt.Sprintf("sso %s: %s: %v", e.Provider.Name, e.Kind, e.Err)
}

func (e *SSOError) Unwrap() error { return e.Err }

// ssoError is an SSOError of kind at provider p.
func ssoError(p *ssoProvider, kind string, err error) *SSOError {
	return &SSOError{Kind: kind, Provider: SSOChoice{Name: p.cfg.Name, Label: p.cfg.Label}, Err: err}
}

// SSOPending is a sign-in sent to a provider, kept (encrypted) in the
// browser until the provider sends the person back.
type SSOPending struct {
	Provider string
	State    string
	Nonce    string
	Verifier string // the PKCE code verifier
	Expires  time.Time
	// LinkUserID is the signed-in user asking to link the provider's
	// account to theirs; 0 to sign in.
	LinkUserID int64
	Next       string // the local path to return to
}

// SSOStart is where to send the browser and what to keep until it returns.
type SSOStart struct {
	URL     string
	Pending SSOPending
}

// BeginSSO starts signing in with provider name, or, when link is set,
// linking the provider's account to the signed-in actor's.
func (i *Identity) BeginSSO(ctx context.Context, actor Actor, name string, link bool, next string) (*SSOStart, error) {
	p, err := i.provider(name)
	if err != nil {
		return nil, err
	}
	pending := SSOPending{Provider: name, State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(),
		Expires: i.cfg.Now().Add(SSOStartLife), Next: next}
	if link {
		if err := signedIn(actor); err != nil {
			return nil, err
		}
		if err := allow(sandpit.CanLinkIdentity(actor.User)); err != nil {
			return nil, err
		}
		pending.LinkUserID = actor.User.ID
	}
	oauth, _, err := p.client(ctx, i.cfg.BaseURL)
	if err != nil {
		return nil, ssoError(p, SSOUnavailable, err)
	}
	url := oauth.AuthCodeURL(pending.State, oidc.Nonce(pending.Nonce), oauth2.S256ChallengeOption(pending.Verifier))
	return &SSOStart{URL: url, Pending: pending}, nil
}

// SSOCallback is what the provider sent the browser back with.
type SSOCallback struct {
	State string
	Code  string
	Error string // e.g. access_denied
}

// SSONewAccount is a person signed in at a provider for the first time,
// kept (encrypted) in the browser while they confirm their profile.
type SSONewAccount struct {
	Provider   string
	Issuer     string
	Subject    string
	Email      string
	Name       string
	Profession string
	Roles      []sandpit.Role // mapped from the provider's role claim
	Expires    time.Time
	Next       string
}

// SSOResult is a finished sign-in: the user to start a session for, or a
// new account to confirm, or a link made.
type SSOResult struct {
	User       *sandpit.User
	NewAccount *SSONewAccount
	Linked     bool
	Provider   SSOChoice
}

// ssoClaims are the ID token claims Sandpit reads.
type ssoClaims struct {
	Email      string `json:"email"`
	Name       string `json:"name"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
}

// FinishSSO checks the provider's answer against pending (nil when the
// browser brought none), exchanges the code, verifies the ID token and its
// nonce, and signs the person in, links their account, or asks for a new
// account's profile.
func (i *Identity) FinishSSO(ctx context.Context, actor Actor, name string, pending *SSOPending, cb SSOCallback) (*SSOResult, error) {
	p, err := i.provider(name)
	if err != nil {
		return nil, err
	}
	if pending == nil || pending.Provider != name || !i.cfg.Now().Before(pending.Expires) ||
		subtle.ConstantTimeCompare([]byte(pending.State), []byte(cb.State)) != 1 {
		return nil, ssoError(p, SSOExpired, nil)
	}
	switch {
	case cb.Error == "access_denied":
		return nil, ssoError(p, SSOCancelled, nil)
	case cb.Error != "":
		return nil, ssoError(p, SSORefused, errors.New("provider error "+cb.Error))
	case cb.Code == "":
		return nil, ssoError(p, SSOExpired, errors.New("no code"))
	}
	oauth, verifier, err := p.client(ctx, i.cfg.BaseURL)
	if err != nil {
		return nil, ssoError(p, SSOUnavailable, err)
	}
	opts := []oauth2.AuthCodeOption{oauth2.VerifierOption(pending.Verifier)}
	if p.cfg.PrivateKey != nil {
		assertion, err := p.clientAssertion(time.Now())
		if err != nil {
			return nil, err
		}
		opts = append(opts, oauth2.SetAuthURLParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
			oauth2.SetAuthURLParam("client_assertion", assertion))
	}
	exchangeCtx, cancel := context.WithTimeout(ctx, ssoTimeout)
	defer cancel()
	token, err := oauth.Exchange(exchangeCtx, cb.Code, opts...)
	if err != nil {
		// A used or foreign code is refused by the provider: start again.
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, ssoError(p, SSOExpired, fmt.Errorf("token endpoint: %s", re.ErrorCode))
		}
		return nil, ssoError(p, SSOUnavailable, errors.New("token endpoint did not answer"))
	}
	raw, _ := token.Extra("id_token").(string)
	if raw == "" {
		return nil, ssoError(p, SSONotVerified, errors.New("no ID token"))
	}
	idToken, err := verifier.Verify(ctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return nil, ssoError(p, SSOExpired, errors.New("ID token expired"))
		}
		// go-oidc's messages name the check that failed and never hold
		// the token.
		return nil, ssoError(p, SSONotVerified, err)
	}
	if subtle.ConstantTimeCompare([]byte(idToken.Nonce), []byte(pending.Nonce)) != 1 {
		return nil, ssoError(p, SSONotVerified, errors.New("nonce does not match"))
	}
	var claims ssoClaims
	var all map[string]any
	if err := idToken.Claims(&claims); err != nil {
		return nil, ssoError(p, SSONotVerified, err)
	}
	if err := idToken.Claims(&all); err != nil {
		return nil, ssoError(p, SSONotVerified, err)
	}
	choice := SSOChoice{Name: p.cfg.Name, Label: p.cfg.Label}
	identity := sandpit.ExternalIdentity{Provider: name, Issuer: idToken.Issuer, Subject: idToken.Subject, Email: sandpit.NormalizeEmail(claims.Email)}

	if pending.LinkUserID != 0 {
		if actor.User == nil || actor.User.ID != pending.LinkUserID {
			return nil, ssoError(p, SSOExpired, errors.New("link finished by another session"))
		}
		if err := allow(sandpit.CanLinkIdentity(actor.User)); err != nil {
			return nil, err
		}
		if err := i.store.LinkIdentity(ctx, actor.User.ID, identity, actor.entry(sandpit.AuditIdentityLinked)); err != nil {
			if sandpit.ErrorCode(err) == sandpit.ECONFLICT {
				return nil, ssoError(p, SSOTaken, nil)
			}
			return nil, err
		}
		return &SSOResult{User: actor.User, Linked: true, Provider: choice}, nil
	}

	roles := sandpit.SSORoles(claimStrings(all, p.cfg.RoleClaim), p.cfg.RoleMap)
	u, _, err := i.store.IdentityUser(ctx, identity.Issuer, identity.Subject)
	if sandpit.ErrorCode(err) == sandpit.ENOTFOUND {
		fullName := strings.TrimSpace(claims.Name)
		if fullName == "" {
			fullName = strings.TrimSpace(claims.GivenName + " " + claims.FamilyName)
		}
		var jobRole string
		if v := claimStrings(all, p.cfg.JobRoleClaim); len(v) > 0 {
			jobRole = v[0]
		}
		return &SSOResult{Provider: choice, NewAccount: &SSONewAccount{Provider: name, Issuer: identity.Issuer, Subject: identity.Subject,
			Email: identity.Email, Name: fullName, Profession: sandpit.ProfessionFromJobRole(jobRole), Roles: roles,
			Expires: i.cfg.Now().Add(SSOProfileLife), Next: pending.Next}}, nil
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, ssoError(p, SSODisabled, nil)
	}
	if err := i.grantMapped(ctx, actor, u, roles); err != nil {
		return nil, err
	}
	if len(roles) > 0 {
		if u, err = i.store.User(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	entry := Actor{User: u, IP: actor.IP}.entry(sandpit.AuditSSOSignIn)
	entry.SubjectID, entry.Detail = &u.ID, "provider "+name
	if err := i.store.Audit(ctx, entry); err != nil {
		return nil, err
	}
	return &SSOResult{User: u, Provider: choice}, nil
}

// grantMapped gives u each role the provider's claim maps to that they lack,
// audited as done through the provider.
func (i *Identity) grantMapped(ctx context.Context, actor Actor, u *sandpit.User, roles []sandpit.Role) error {
	for _, r := range roles {
		if u.Has(r) {
			continue
		}
		entry := Actor{User: u, IP: actor.IP}.entry(sandpit.AuditRoleGranted)
		entry.Detail = string(r) + " from the identity provider's role claim"
		if err := i.store.GrantRole(ctx, u.ID, r, entry); err != nil {
			return err
		}
	}
	return nil
}

// claimStrings reads claim name as a list of strings: a string, or an array
// of strings (other values are skipped); nil when name is empty or absent.
func claimStrings(all map[string]any, name string) []string {
	if name == "" {
		return nil
	}
	switch v := all[name].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// SSOProfile is the profile a person signing in for the first time
// confirms; Email counts only when the provider gave none.
type SSOProfile struct {
	Name    string
	Email   string
	Profile sandpit.Profile
}

// CreateSSOAccount creates the clinician account of a person signed in at a
// provider for the first time, linked to that provider's account, with no
// password, and audits the sign-in.
func (i *Identity) CreateSSOAccount(ctx context.Context, actor Actor, na *SSONewAccount, in SSOProfile) (*sandpit.User, error) {
	if na == nil || !i.cfg.Now().Before(na.Expires) {
		return nil, sandpit.Errorf(sandpit.ECONFLICT, "Your sign-in has expired. Sign in again.")
	}
	p, err := i.provider(na.Provider)
	if err != nil {
		return nil, err
	}
	email := na.Email
	if email == "" {
		email = in.Email
	}
	profile := in.Profile
	roles := append([]sandpit.Role{sandpit.RoleClinician}, na.Roles...)
	n := sandpit.NewUser{Email: email, Name: in.Name, Roles: roles, Profile: &profile}
	// No password is ever set: this one only satisfies the check of the
	// other fields, and is not stored.
	n.Password = rand.Text() + rand.Text()
	if err := n.Validate(); err != nil {
		return nil, err
	}
	identity := sandpit.ExternalIdentity{Provider: p.cfg.Name, Issuer: na.Issuer, Subject: na.Subject, Email: na.Email}
	entry := actor.entry(sandpit.AuditRegister)
	entry.Detail = "provider " + p.cfg.Name
	u, err := i.store.CreateUserWithIdentity(ctx, n, identity, entry, actor.entry(sandpit.AuditIdentityLinked))
	if err != nil {
		return nil, err
	}
	signIn := Actor{User: u, IP: actor.IP}.entry(sandpit.AuditSSOSignIn)
	signIn.SubjectID, signIn.Detail = &u.ID, "provider "+p.cfg.Name
	return u, i.store.Audit(ctx, signIn)
}

// LinkedIdentity is an identity on the account page, with its provider's
// label.
type LinkedIdentity struct {
	sandpit.ExternalIdentity
	Label string
}

// UnlinkIdentity removes the actor's linked identity id, keeping at least
// one way for them to sign in.
func (i *Identity) UnlinkIdentity(ctx context.Context, actor Actor, id int64) error {
	if err := signedIn(actor); err != nil {
		return err
	}
	passwordUsable, err := i.passwordUsable(ctx, actor.User.ID)
	if err != nil {
		return err
	}
	allowed := func(linked int) bool { return sandpit.CanUnlinkIdentity(actor.User, linked, passwordUsable) }
	return i.store.UnlinkIdentity(ctx, actor.User.ID, id, allowed, actor.entry(sandpit.AuditIdentityUnlinked))
}

// passwordUsable reports whether user id has a password and may sign in
// with it here.
func (i *Identity) passwordUsable(ctx context.Context, id int64) (bool, error) {
	if i.cfg.NoPasswordSignIn {
		return false, nil
	}
	hash, err := i.store.PasswordHash(ctx, id)
	return hash != "", err
}

// SSOSignOutURL is where to sign out of provider name too, returning to
// back afterwards, or "" when the provider offers no sign-out.
func (i *Identity) SSOSignOutURL(ctx context.Context, name, back string) string {
	p, err := i.provider(name)
	if err != nil {
		return ""
	}
	if _, _, err := p.client(ctx, i.cfg.BaseURL); err != nil || p.endSession == "" {
		return ""
	}
	u, err := url.Parse(p.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", p.cfg.ClientID)
	q.Set("post_logout_redirect_uri", back)
	u.RawQuery = q.Encode()
	return u.String()
}
