package app

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// PasswordLinkLife is how long a one-time link to set a password works.
const PasswordLinkLife = 7 * 24 * time.Hour

// PasswordLink is a one-time link's secret, for /set-password/{token}, and
// when it stops working.
type PasswordLink struct {
	Token   string
	Expires time.Time
}

// CreateUserWithLink creates a user as CreateUser does, but with no password
// anyone knows, not even the admin: it returns a one-time link, good for
// PasswordLinkLife, for the person to set their own (issue 14). Admins only.
func (i *Identity) CreateUserWithLink(ctx context.Context, actor Actor, n sandpit.NewUser) (*sandpit.User, *PasswordLink, error) {
	if err := i.RequireAdmin(ctx, actor); err != nil {
		return nil, nil, err
	}
	if err := i.accountsWithPasswords(); err != nil {
		return nil, nil, err
	}
	// A password of 260 random bits that nobody is told: the account can
	// only be signed in to once its person has used the link.
	n.Password = rand.Text() + rand.Text()
	if err := n.Validate(); err != nil {
		return nil, nil, err
	}
	hash, err := sandpit.HashPassword(n.Password, i.cfg.PasswordCost)
	if err != nil {
		return nil, nil, err
	}
	link, linkHash := i.newPasswordLink()
	u, err := i.store.CreateUserWithLink(ctx, n, hash, linkHash, link.Expires, actor.entry(sandpit.AuditUserCreated), actor.entry(sandpit.AuditPasswordLink))
	if err != nil {
		return nil, nil, err
	}
	return u, link, nil
}

// NewPasswordLink makes another one-time link for user id to set their
// password, for when the first ran out or was lost; links made before keep
// working until used or expired. Admins only; a disabled account gets none.
func (i *Identity) NewPasswordLink(ctx context.Context, actor Actor, id int64) (*sandpit.User, *PasswordLink, error) {
	u, err := i.User(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	if err := i.accountsWithPasswords(); err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, sandpit.Errorf(sandpit.ECONFLICT, "This account is disabled: it cannot be given a link.")
	}
	link, hash := i.newPasswordLink()
	if err := i.store.CreatePasswordLink(ctx, u.ID, hash, link.Expires, actor.entry(sandpit.AuditPasswordLink)); err != nil {
		return nil, nil, err
	}
	return u, link, nil
}

// newPasswordLink is a fresh link, good for PasswordLinkLife, and the hash
// stored for it.
func (i *Identity) newPasswordLink() (*PasswordLink, string) {
	token, hash := sandpit.NewAPIToken()
	return &PasswordLink{Token: token, Expires: i.cfg.Now().Add(PasswordLinkLife)}, hash
}

// PasswordLinkUser returns who link token is for while it is unused and
// unexpired (ENOTFOUND otherwise), for the page that sets the password.
// Anyone holding the link may: it is the proof.
func (i *Identity) PasswordLinkUser(ctx context.Context, actor Actor, token string) (*sandpit.User, error) {
	if err := i.passwordsAllowed(); err != nil {
		return nil, err
	}
	return i.store.PasswordLinkUser(ctx, sandpit.APITokenHash(token))
}

// SetPasswordByLink sets the password of link token's user to password and
// spends the link; as any new password, it ends their sessions and revokes
// their API tokens.
func (i *Identity) SetPasswordByLink(ctx context.Context, actor Actor, token, password string) error {
	u, err := i.PasswordLinkUser(ctx, actor, token)
	if err != nil {
		return err
	}
	if f := sandpit.PasswordError("password", password, u.Email); f != nil {
		return sandpit.Invalid("Choose another password.", *f)
	}
	hash, err := sandpit.HashPassword(password, i.cfg.PasswordCost)
	if err != nil {
		return err
	}
	_, err = i.store.UsePasswordLink(ctx, sandpit.APITokenHash(token), hash, actor.entry(sandpit.AuditPasswordChanged))
	return err
}
