package web

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// The session cookie; app.Identity decides how long a session lasts.
const (
	sessionCookie = "sandpit_session"
	// sessionRefresh is how stale the last-seen time may get before the
	// cookie is written again.
	sessionRefresh = 5 * time.Minute
)

// Session values: ids and times only, never data.
const (
	keyUserID  = "uid"
	keySession = "sid"
	keyEpoch   = "epoch"
	keyCreated = "created"
	keySeen    = "seen"
)

// contextUser is the echo context key of the signed-in user.
const contextUser = "user"

// newCookieStore returns the session cookie store: each configured key
// derives a signing and an encryption key; the first pair signs, every pair
// verifies.
func newCookieStore(keys [][]byte, secure bool) *sessions.CookieStore {
	var pairs [][]byte
	for _, k := range keys {
		auth, err1 := hkdf.Key(sha256.New, k, nil, "sandpit session signing", 32)
		enc, err2 := hkdf.Key(sha256.New, k, nil, "sandpit session encryption", 32)
		if err1 != nil || err2 != nil {
			panic("web: hkdf cannot fail for 32-byte keys")
		}
		pairs = append(pairs, auth, enc)
	}
	store := sessions.NewCookieStore(pairs...)
	store.Options = &sessions.Options{Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
	// MaxAge sets the cookie's lifetime and the codecs' too, so an older
	// cookie is refused even if a browser kept it.
	store.MaxAge(int(app.SessionAbsolute.Seconds()))
	return store
}

// loadSession puts the signed-in user, if any, in the context. A session
// past its idle or absolute timeout, of a disabled user, or from before the
// user's session epoch moved on is cleared.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, _ := s.sessions.Get(c.Request(), sessionCookie)
		uid, ok := sess.Values[keyUserID].(int64)
		if !ok {
			return next(c)
		}
		now := s.store.Now().Unix()
		created, _ := sess.Values[keyCreated].(int64)
		seen, _ := sess.Values[keySeen].(int64)
		epoch, _ := sess.Values[keyEpoch].(int64)
		u, err := s.app.Identity.ResumeSession(c.Request().Context(),
			app.Session{UserID: uid, Epoch: epoch, Created: time.Unix(created, 0), Seen: time.Unix(seen, 0)})
		if err != nil {
			return err
		}
		if u == nil {
			s.clearSession(c)
			return next(c)
		}
		if now-seen > int64(sessionRefresh.Seconds()) {
			sess.Values[keySeen] = now
			if err := sess.Save(c.Request(), c.Response()); err != nil {
				return err
			}
		}
		c.Set(contextUser, u)
		return next(c)
	}
}

// startSession signs u in with a new session: a fresh id, whatever cookie
// the browser brought.
func (s *Server) startSession(c echo.Context, u *sandpit.User, epoch int64) error {
	return s.startSessionVia(c, u, epoch, "")
}

// startSessionVia signs u in with a new session, as startSession does,
// remembering the identity provider they signed in through ("" for none).
func (s *Server) startSessionVia(c echo.Context, u *sandpit.User, epoch int64, provider string) error {
	sess := sessions.NewSession(s.sessions, sessionCookie)
	opts := *s.sessions.Options
	sess.Options = &opts
	sess.IsNew = true
	now := s.store.Now().Unix()
	sess.Values[keyUserID] = u.ID
	sess.Values[keySession] = rand.Text()
	sess.Values[keyEpoch] = epoch
	sess.Values[keyCreated] = now
	sess.Values[keySeen] = now
	if provider != "" {
		sess.Values[keyProvider] = provider
	}
	return sess.Save(c.Request(), c.Response())
}

// clearSession tells the browser to drop the session cookie.
func (s *Server) clearSession(c echo.Context) {
	http.SetCookie(c.Response(), &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode})
}

// currentUser returns the signed-in user, or nil.
func currentUser(c echo.Context) *sandpit.User {
	u, _ := c.Get(contextUser).(*sandpit.User)
	return u
}

// requireUser sends a signed-out visitor to sign in, and back afterwards.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			if c.Request().Method != http.MethodGet {
				return sandpit.Errorf(sandpit.EUNAUTHORIZED, "Your session has ended. Sign in again.")
			}
			return c.Redirect(http.StatusSeeOther, "/sign-in?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return next(c)
	}
}

// actorOf is the signed-in user (or nobody) and the client's address, as
// the application layer takes them.
func actorOf(c echo.Context) app.Actor {
	return app.Actor{User: currentUser(c), IP: c.RealIP()}
}
