package app

import (
	"context"
	"strings"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// Session limits, checked on the server whatever the cookie says.
const (
	SessionIdle     = 8 * time.Hour
	SessionAbsolute = 7 * 24 * time.Hour
)

// Session is what a session cookie says: who signed in, at which of their
// session epochs, when, and when they were last seen.
type Session struct {
	UserID  int64
	Epoch   int64
	Created time.Time
	Seen    time.Time
}

// ResumeSession returns the user of session s, or nil when the session has
// ended: past its idle or absolute timeout, of a disabled or deleted
// account, or from before the account's session epoch moved on (a password
// change or an admin ending every session).
func (i *Identity) ResumeSession(ctx context.Context, s Session) (*sandpit.User, error) {
	now := i.cfg.Now()
	if now.Sub(s.Created) > SessionAbsolute || now.Sub(s.Seen) > SessionIdle {
		return nil, nil
	}
	u, err := i.store.User(ctx, s.UserID)
	switch {
	case sandpit.ErrorCode(err) == sandpit.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	case u.Disabled || u.SessionEpoch != s.Epoch:
		return nil, nil
	}
	return u, nil
}

// Authenticate returns the user of API token token and the token's id:
// EUNAUTHORIZED for a token that is unknown or revoked.
func (i *Identity) Authenticate(ctx context.Context, token string) (*sandpit.User, int64, error) {
	return i.store.UserByToken(ctx, sandpit.APITokenHash(strings.TrimSpace(token)))
}
