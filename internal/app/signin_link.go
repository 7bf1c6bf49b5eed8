package app

import (
	"context"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// SignInLinkLife is how long a break-glass sign-in link works.
const SignInLinkLife = 15 * time.Minute

// CreateSignInLinkFromTerminal makes a one-time link that signs admin email
// in without a password or an identity provider, as `sandpit admin
// sign-in-link` does: the way in when password sign-in is off and the
// provider is down. Only the terminal may (actor is nobody), and only for
// an enabled admin.
func (i *Identity) CreateSignInLinkFromTerminal(ctx context.Context, actor Actor, email string) (*sandpit.User, *PasswordLink, error) {
	if err := allow(actor.User == nil); err != nil {
		return nil, nil, err
	}
	u, _, err := i.store.UserByEmail(ctx, email)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled || !sandpit.CanAdminister(u) {
		return nil, nil, sandpit.Errorf(sandpit.ECONFLICT, "Only an enabled admin can be given a sign-in link.")
	}
	token, hash := sandpit.NewAPIToken()
	link := &PasswordLink{Token: token, Expires: i.cfg.Now().Add(SignInLinkLife)}
	entry := actor.entry(sandpit.AuditSignInLink)
	entry.Detail = "sandpit admin sign-in-link"
	if err := i.store.CreateSignInLink(ctx, u.ID, hash, link.Expires, entry); err != nil {
		return nil, nil, err
	}
	return u, link, nil
}

// SignInByLink spends sign-in link token and returns its admin, whose
// session the caller starts: ENOTFOUND for a link used, expired or unknown,
// and for an account no longer an enabled admin.
func (i *Identity) SignInByLink(ctx context.Context, actor Actor, token string) (*sandpit.User, error) {
	entry := actor.entry(sandpit.AuditSignIn)
	entry.Detail = "one-time sign-in link"
	u, err := i.store.UseSignInLink(ctx, sandpit.APITokenHash(token), entry)
	if err != nil {
		return nil, err
	}
	if u.Disabled || !sandpit.CanAdminister(u) {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Link not found.")
	}
	return u, nil
}
