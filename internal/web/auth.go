package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// Rate limits on failed sign-ins and on registrations.
const (
	failedSignInWindow     = 15 * time.Minute
	failedSignInPerAccount = 5
	failedSignInPerIP      = 50
	registrationWindow     = time.Hour
	registrationsPerIP     = 100

	rateSignInAccount = "signin_account"
	rateSignInIP      = "signin_ip"
	rateRegisterIP    = "register_ip"
)

// hashPassword hashes a password for storage.
func (s *Server) hashPassword(password string) (string, error) {
	return sandpit.HashPassword(password, s.cfg.PasswordCost)
}

// rateLimited returns ERATELIMITED, with the seconds to wait, when the
// counted events of kind for key have reached limit within window.
func (s *Server) rateLimited(ctx context.Context, c echo.Context, kind, key string, limit int64, window time.Duration) error {
	n, free, err := s.store.RateCount(ctx, kind, key, window)
	if err != nil {
		return err
	}
	if n < limit {
		return nil
	}
	wait := int(math.Ceil(free.Sub(s.store.Now()).Seconds()))
	wait = max(wait, 1)
	c.Response().Header().Set("Retry-After", fmt.Sprint(wait))
	minutes := (wait + 59) / 60
	return sandpit.Errorf(sandpit.ERATELIMITED, "Too many attempts. Wait %d minute%s and try again.", minutes, plural(minutes))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// errBadCredentials is the one answer to a failed sign-in, whether or not
// the email exists.
var errBadCredentials = &sandpit.Error{Code: sandpit.EUNAUTHORIZED, Message: "The email address or password is not right.",
	Fields: []sandpit.FieldError{{Field: "email", Code: sandpit.FieldCredentials}}}

// authenticate checks email and password against the limits and the
// accounts. A failure is counted against the account and the client's
// address and audited, in one transaction.
func (s *Server) authenticate(c echo.Context, email, password string) (*sandpit.User, error) {
	ctx := c.Request().Context()
	account, ip := strings.ToLower(strings.TrimSpace(email)), c.RealIP()
	if err := s.rateLimited(ctx, c, rateSignInAccount, account, failedSignInPerAccount, failedSignInWindow); err != nil {
		return nil, err
	}
	if err := s.rateLimited(ctx, c, rateSignInIP, ip, failedSignInPerIP, failedSignInWindow); err != nil {
		return nil, err
	}
	u, hash, err := s.store.UserByEmail(ctx, account)
	if err != nil && sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
		return nil, err
	}
	if u == nil {
		hash = s.dummyHash
	}
	match := sandpit.PasswordMatches(hash, password)
	if u != nil && match && !u.Disabled {
		return u, nil
	}
	entry := sandpit.AuditEntry{Action: sandpit.AuditSignInFailed, IP: ip, Detail: "email " + account}
	if u != nil {
		entry.SubjectID = &u.ID
	}
	events := []store.RateEvent{{Kind: rateSignInAccount, Key: account}, {Kind: rateSignInIP, Key: ip}}
	if err := s.store.RecordRateEvents(ctx, events, entry); err != nil {
		return nil, err
	}
	return nil, errBadCredentials
}

// registrationAllowed counts a registration attempt from the client's
// address and refuses it past the hourly limit.
func (s *Server) registrationAllowed(c echo.Context) error {
	ctx := c.Request().Context()
	ip := c.RealIP()
	if err := s.rateLimited(ctx, c, rateRegisterIP, ip, registrationsPerIP, registrationWindow); err != nil {
		return err
	}
	return s.store.RecordRateEvents(ctx, []store.RateEvent{{Kind: rateRegisterIP, Key: ip}}, sandpit.AuditEntry{})
}

// register creates a clinician account.
func (s *Server) register(c echo.Context, n sandpit.NewUser) (*sandpit.User, error) {
	if !s.cfg.OpenRegistration {
		return nil, sandpit.Errorf(sandpit.EFORBIDDEN, "Registration is closed. Ask a Sandpit administrator for an account.")
	}
	if err := s.registrationAllowed(c); err != nil {
		return nil, err
	}
	n.Roles = []sandpit.Role{sandpit.RoleClinician}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	return s.store.CreateUser(c.Request().Context(), n, hash, auditEntry(c, sandpit.AuditRegister))
}

// tokenPrefix marks Sandpit API tokens, so that leaked ones are easy to
// find in logs and code.
const tokenPrefix = "sandpit_"

// newToken returns a new API token and the hash stored for it.
func newToken() (token, hash string) {
	token = tokenPrefix + strings.ToLower(rand.Text()+rand.Text())
	return token, tokenHash(token)
}

// tokenHash is the stored form of token. Tokens carry 260 random bits, so a
// plain SHA-256 is enough; no salt or stretching is needed.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
