package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// ssoCookie keeps, encrypted and signed like the session, a sign-in sent
// to an identity provider (state, nonce, PKCE verifier) and then a new
// account waiting for its profile. app.Identity decides when either
// expires; the cookie itself lasts no longer than the longer of the two.
const (
	ssoCookie     = "sandpit_sso"
	keyPending    = "pending"
	keyNewAccount = "new_account"
	// keyProvider is the session value naming the provider a session was
	// signed in through, for signing out there too.
	keyProvider = "provider"
)

// ssoSession returns the SSO cookie's session, new when the browser sent
// none or a bad one.
func (s *Server) ssoSession(c echo.Context) *sessions.Session {
	sess, err := s.sessions.Get(c.Request(), ssoCookie)
	if err != nil {
		sess = sessions.NewSession(s.sessions, ssoCookie)
	}
	opts := *s.sessions.Options
	opts.MaxAge = int(app.SSOProfileLife.Seconds())
	sess.Options = &opts
	return sess
}

// ssoValue reads the JSON value key of the SSO cookie into v, reporting
// whether there was one.
func ssoValue(sess *sessions.Session, key string, v any) bool {
	raw, ok := sess.Values[key].(string)
	return ok && json.Unmarshal([]byte(raw), v) == nil
}

// saveSSO sets (or, with v nil, removes) value key of the SSO cookie.
func (s *Server) saveSSO(c echo.Context, sess *sessions.Session, key string, v any) error {
	if v == nil {
		delete(sess.Values, key)
	} else {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		sess.Values[key] = string(raw)
	}
	sess.Options.MaxAge = int(app.SSOProfileLife.Seconds())
	if len(sess.Values) == 0 {
		sess.Options.MaxAge = -1
	}
	return sess.Save(c.Request(), c.Response())
}

// handleSSOStart sends the browser to the provider to sign in.
func (s *Server) handleSSOStart(c echo.Context) error {
	return s.startSSO(c, false)
}

// handleSSOLink sends a signed-in user to the provider to link their
// account there to this one.
func (s *Server) handleSSOLink(c echo.Context) error {
	return s.startSSO(c, true)
}

// startSSO begins a sign-in (or a link) at provider :provider.
func (s *Server) startSSO(c echo.Context, link bool) error {
	next := localPath(c.FormValue("next"))
	if link {
		next = "/account"
	}
	start, err := s.app.Identity.BeginSSO(c.Request().Context(), actorOf(c), c.Param("provider"), link, next)
	if err != nil {
		return s.ssoFailed(c, err)
	}
	if err := s.saveSSO(c, s.ssoSession(c), keyPending, start.Pending); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, start.URL)
}

// handleSSOCallback is where the provider sends the browser back.
func (s *Server) handleSSOCallback(c echo.Context) error {
	sess := s.ssoSession(c)
	var pending *app.SSOPending
	var p app.SSOPending
	if ssoValue(sess, keyPending, &p) {
		pending = &p
	}
	// The state is spent whatever happens: a second use of this answer
	// finds none.
	if err := s.saveSSO(c, sess, keyPending, nil); err != nil {
		return err
	}
	cb := app.SSOCallback{State: c.QueryParam("state"), Code: c.QueryParam("code"), Error: c.QueryParam("error")}
	res, err := s.app.Identity.FinishSSO(c.Request().Context(), actorOf(c), c.Param("provider"), pending, cb)
	if err != nil {
		return s.ssoFailed(c, err)
	}
	switch {
	case res.Linked:
		return seeOther(c, "/account?done=linked")
	case res.NewAccount != nil:
		if err := s.saveSSO(c, sess, keyNewAccount, res.NewAccount); err != nil {
			return err
		}
		return seeOther(c, "/sign-in/sso/profile")
	}
	if err := s.startSessionVia(c, res.User, res.User.SessionEpoch, res.Provider.Name); err != nil {
		return err
	}
	return seeOther(c, localPath(p.Next))
}

// ssoErrorView is the page of a sign-in that did not finish.
type ssoErrorView struct {
	Layout
	Kind     string
	Provider app.SSOChoice
	Password bool // password sign-in is on
}

// ssoFailed shows the page of what to do after a failed sign-in, logging
// the cause (which never holds a token) at INFO: these are people's and
// providers' mishaps, not Sandpit's faults.
func (s *Server) ssoFailed(c echo.Context, err error) error {
	var se *app.SSOError
	if !errors.As(err, &se) {
		return err
	}
	s.log.Info("single sign-on did not finish", "provider", se.Provider.Name, "kind", se.Kind, "cause", errText(se.Err),
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	status := http.StatusBadRequest
	title := "You are not signed in"
	switch se.Kind {
	case app.SSOUnavailable:
		status, title = http.StatusServiceUnavailable, se.Provider.Label+" sign-in is not working at the moment"
	case app.SSOExpired:
		title = "Your sign-in has expired"
	case app.SSOCancelled:
		title = "You did not sign in"
	case app.SSODisabled:
		status, title = http.StatusForbidden, "Your Sandpit account is disabled"
	case app.SSOTaken:
		status, title = http.StatusConflict, "This account is linked to someone else"
	case app.SSONotVerified, app.SSORefused:
		title = "Sandpit could not confirm your sign-in"
	}
	return s.render(c, status, "session/sso_error", ssoErrorView{Layout: s.layout(c, title), Kind: se.Kind, Provider: se.Provider,
		Password: s.app.Identity.PasswordSignIn()})
}

// errText is err's message, or "".
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// ssoProfileView is the profile a person signing in for the first time
// confirms.
type ssoProfileView struct {
	Layout
	Provider          string // the provider's label
	Name              string
	Email             string
	EmailFromProvider bool
	Profession        string
	Setting           string
	YearsExperience   string
	LegacyFamiliarity string
	Professions       []string
	Settings          []string
}

// newAccount returns the new account waiting for its profile, or nil.
func (s *Server) newAccount(c echo.Context) (*sessions.Session, *app.SSONewAccount) {
	sess := s.ssoSession(c)
	var na app.SSONewAccount
	if !ssoValue(sess, keyNewAccount, &na) {
		return sess, nil
	}
	return sess, &na
}

// providerLabel is the label of provider name.
func (s *Server) providerLabel(name string) string {
	for _, p := range s.app.Identity.SSOProviders() {
		if p.Name == name {
			return p.Label
		}
	}
	return name
}

// handleSSOProfileShow asks a person signed in for the first time for
// their professional profile, prefilled from what the provider said.
func (s *Server) handleSSOProfileShow(c echo.Context) error {
	_, na := s.newAccount(c)
	if na == nil {
		return s.ssoFailed(c, &app.SSOError{Kind: app.SSOExpired})
	}
	return s.render(c, http.StatusOK, "session/sso_profile", ssoProfileView{Layout: s.layout(c, "Tell us about your work"),
		Provider: s.providerLabel(na.Provider), Name: na.Name, Email: na.Email, EmailFromProvider: na.Email != "", Profession: na.Profession,
		Professions: sandpit.Professions(), Settings: sandpit.Settings()})
}

// ssoProfileOrder is the order of the profile form's fields.
var ssoProfileOrder = []string{"name", "email", "profile.profession", "profile.setting", "profile.years_experience", "profile.legacy_familiarity"}

// handleSSOProfileSubmit creates the account and signs the person in.
func (s *Server) handleSSOProfileSubmit(c echo.Context) error {
	sess, na := s.newAccount(c)
	if na == nil {
		return s.ssoFailed(c, &app.SSOError{Kind: app.SSOExpired})
	}
	view := ssoProfileView{Layout: s.layout(c, "Tell us about your work"), Provider: s.providerLabel(na.Provider),
		Name: strings.TrimSpace(c.FormValue("name")), Email: na.Email, EmailFromProvider: na.Email != "",
		Profession: c.FormValue("profession"), Setting: c.FormValue("setting"),
		YearsExperience: strings.TrimSpace(c.FormValue("years_experience")), LegacyFamiliarity: c.FormValue("legacy_familiarity"),
		Professions: sandpit.Professions(), Settings: sandpit.Settings()}
	if !view.EmailFromProvider {
		view.Email = strings.TrimSpace(c.FormValue("email"))
	}
	years, yearsErr := atoiField(view.YearsExperience)
	if yearsErr != nil {
		years = -1
	}
	familiarity, _ := atoiField(view.LegacyFamiliarity)
	in := app.SSOProfile{Name: view.Name, Email: view.Email, Profile: sandpit.Profile{Profession: view.Profession, Setting: view.Setting,
		YearsExperience: years, LegacyFamiliarity: familiarity}}
	u, err := s.app.Identity.CreateSSOAccount(c.Request().Context(), actorOf(c), na, in)
	if errs, ok := fieldErrors(err, ssoProfileOrder, ssoProfileSentences); ok {
		view.Errors = errs
		return s.render(c, formStatus(errs), "session/sso_profile", view)
	}
	if err != nil {
		return err
	}
	if err := s.saveSSO(c, sess, keyNewAccount, nil); err != nil {
		return err
	}
	if err := s.startSessionVia(c, u, u.SessionEpoch, na.Provider); err != nil {
		return err
	}
	if next := localPath(na.Next); next != "/" {
		return seeOther(c, next)
	}
	return seeOther(c, "/account?done=registered")
}

// ssoProfileSentences are the profile form's error sentences.
var ssoProfileSentences = formSentences{
	"name": registerSentences["name"],
	"email": {"": "Enter an email address in the correct format, like name@example.nhs.uk",
		sandpit.FieldTaken: "A Sandpit account already has this email address. Sign in to it with your password, then link your organisation's account from your account page"},
	"profession":         registerSentences["profession"],
	"setting":            registerSentences["setting"],
	"years_experience":   registerSentences["years_experience"],
	"legacy_familiarity": registerSentences["legacy_familiarity"],
}

// handleIdentityUnlink unlinks one of the user's provider accounts.
func (s *Server) handleIdentityUnlink(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return sandpit.Errorf(sandpit.ENOTFOUND, "Linked account not found.")
	}
	if err := s.app.Identity.UnlinkIdentity(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return seeOther(c, "/account?done=unlinked")
}

// signOutURL is where to sign out of the provider the session came
// through too, or "".
func (s *Server) signOutURL(c echo.Context, provider string) string {
	if provider == "" {
		return ""
	}
	back := baseURL(s.cfg.BaseURL) + "/sign-in?done=signed-out"
	return s.app.Identity.SSOSignOutURL(c.Request().Context(), provider, back)
}

// signInLinkView is the break-glass sign-in page.
type signInLinkView struct {
	Layout
	Token string
	Spent bool // the link was used or has expired
}

// handleSignInLinkShow asks the holder of a break-glass link to confirm,
// so that a mail scanner fetching the link does not spend it.
func (s *Server) handleSignInLinkShow(c echo.Context) error {
	return s.render(c, http.StatusOK, "session/link", signInLinkView{Layout: s.layout(c, "Sign in with a one-time link"), Token: c.Param("token")})
}

// handleSignInLinkSubmit spends the link and signs its admin in.
func (s *Server) handleSignInLinkSubmit(c echo.Context) error {
	u, err := s.app.Identity.SignInByLink(c.Request().Context(), actorOf(c), c.Param("token"))
	if sandpit.ErrorCode(err) == sandpit.ENOTFOUND {
		return s.render(c, http.StatusNotFound, "session/link", signInLinkView{Layout: s.layout(c, "This sign-in link has been used or has expired"), Spent: true})
	}
	if err != nil {
		return err
	}
	if err := s.startSession(c, u, u.SessionEpoch); err != nil {
		return err
	}
	return seeOther(c, "/admin/users")
}

// signedOutQuery is the sign-in page's query after signing out of a
// session that came through provider.
func signedOutQuery(provider string) string {
	q := url.Values{"done": {"signed-out"}}
	if provider != "" {
		q.Set("from", provider)
	}
	return q.Encode()
}
