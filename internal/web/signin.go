package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// signInView is the sign-in page.
type signInView struct {
	Layout
	Email     string
	Next      string
	Providers []app.SSOChoice
	Password  bool // password sign-in is on
	// SignOutURL signs out of the identity provider the session just
	// ended came through, when it offers that.
	SignOutURL   string
	SignOutLabel string
}

// signInView returns the sign-in page's view.
func (s *Server) signInView(c echo.Context, next string) signInView {
	return signInView{Layout: s.layout(c, "Sign in"), Next: localPath(next), Providers: s.app.Identity.SSOProviders(),
		Password: s.app.Identity.PasswordSignIn()}
}

// handleSignInShow shows the sign-in form.
func (s *Server) handleSignInShow(c echo.Context) error {
	if currentUser(c) != nil {
		return seeOther(c, localPath(c.QueryParam("next")))
	}
	view := s.signInView(c, c.QueryParam("next"))
	if from := c.QueryParam("from"); from != "" && c.QueryParam("done") == "signed-out" {
		view.SignOutURL, view.SignOutLabel = s.signOutURL(c, from), s.providerLabel(from)
	}
	return s.render(c, http.StatusOK, "session/new", view)
}

// signInSentences are the sign-in form's error sentences.
var signInSentences = formSentences{
	"email":    {sandpit.FieldRequired: "Enter your email address"},
	"password": {sandpit.FieldRequired: "Enter your password"},
}

// handleSignInSubmit signs a user in with a new session.
func (s *Server) handleSignInSubmit(c echo.Context) error {
	view := s.signInView(c, c.FormValue("next"))
	view.Email = strings.TrimSpace(c.FormValue("email"))
	u, err := s.app.Identity.SignIn(c.Request().Context(), actorOf(c), app.SignIn{Email: view.Email, Password: c.FormValue("password")})
	if errs, ok := fieldErrors(err, []string{"email", "password"}, signInSentences); ok {
		view.Errors = errs
		return s.renderSignIn(c, formStatus(errs), view)
	}
	switch sandpit.ErrorCode(retryAfter(c, err)) {
	case "":
	case sandpit.EUNAUTHORIZED:
		view.Errors.Add("email", "The email address or password is not right")
		return s.renderSignIn(c, http.StatusUnauthorized, view)
	case sandpit.ERATELIMITED:
		view.Errors.Add("email", sandpit.ErrorMessage(err))
		return s.renderSignIn(c, http.StatusTooManyRequests, view)
	default:
		return err
	}
	if err := s.startSession(c, u, u.SessionEpoch); err != nil {
		return err
	}
	return seeOther(c, view.Next)
}

// handleSignOut ends every session of the user: the session epoch moves on.
func (s *Server) handleSignOut(c echo.Context) error {
	sess, _ := s.sessions.Get(c.Request(), sessionCookie)
	provider, _ := sess.Values[keyProvider].(string)
	if err := s.app.Identity.SignOut(c.Request().Context(), actorOf(c)); err != nil {
		return err
	}
	s.clearSession(c)
	return seeOther(c, "/sign-in?"+signedOutQuery(provider))
}

// registerView is the clinician registration page.
type registerView struct {
	Layout
	Open              bool
	Email             string
	Name              string
	Profession        string
	Setting           string
	YearsExperience   string
	LegacyFamiliarity string
	Professions       []string
	Settings          []string
	Next              string
	Providers         []app.SSOChoice
}

func (s *Server) registerView(c echo.Context) registerView {
	return registerView{Layout: s.layout(c, "Register as a clinician"), Open: s.cfg.OpenRegistration && s.app.Identity.PasswordSignIn(),
		Providers:   s.app.Identity.SSOProviders(),
		Professions: sandpit.Professions(), Settings: sandpit.Settings(), Next: localPath(c.QueryParam("next"))}
}

// handleRegisterShow shows the registration form.
func (s *Server) handleRegisterShow(c echo.Context) error {
	return s.render(c, http.StatusOK, "registration/new", s.registerView(c))
}

// passwordSentences are the words for a new password that is too weak,
// after the field's name, such as "Password".
func passwordSentences(name string) map[string]string {
	return map[string]string{
		sandpit.FieldRequired:  "Enter a " + strings.ToLower(name),
		sandpit.FieldTooShort:  name + " must be at least {min} characters",
		sandpit.FieldTooLong:   name + " must be {max} characters or fewer",
		sandpit.FieldSameEmail: name + " must not be your email address",
		sandpit.FieldCommon:    name + " is too common; choose a password others are unlikely to guess",
	}
}

// registerSentences are the error summary's words for each field.
var registerSentences = formSentences{
	"email": {"": "Enter an email address in the correct format, like name@example.nhs.uk",
		sandpit.FieldTaken: "An account with this email address already exists"},
	"name":               {"": "Enter your full name"},
	"password":           passwordSentences("Password"),
	"profession":         {"": "Select your profession"},
	"setting":            {"": "Select the care setting you work in"},
	"years_experience":   {"": "Enter your years of experience as a whole number, like 5"},
	"legacy_familiarity": {"": "Select how well you know the system in use today"},
}

// registerOrder is the order of the registration form's fields.
var registerOrder = []string{"name", "email", "password", "profile.profession", "profile.setting", "profile.years_experience", "profile.legacy_familiarity"}

// handleRegisterSubmit registers a clinician and signs them in.
func (s *Server) handleRegisterSubmit(c echo.Context) error {
	view := s.registerView(c)
	view.Email, view.Name = strings.TrimSpace(c.FormValue("email")), strings.TrimSpace(c.FormValue("name"))
	view.Profession, view.Setting = c.FormValue("profession"), c.FormValue("setting")
	view.YearsExperience, view.LegacyFamiliarity = strings.TrimSpace(c.FormValue("years_experience")), c.FormValue("legacy_familiarity")
	view.Next = localPath(c.FormValue("next"))
	years, yearsErr := atoiField(view.YearsExperience)
	familiarity, _ := atoiField(view.LegacyFamiliarity)
	n := sandpit.NewUser{Email: view.Email, Name: view.Name, Password: c.FormValue("password"),
		Profile: &sandpit.Profile{Profession: view.Profession, Setting: view.Setting, YearsExperience: years, LegacyFamiliarity: familiarity}}
	if yearsErr != nil {
		n.Profile.YearsExperience = -1
	}
	u, err := s.app.Identity.Register(c.Request().Context(), actorOf(c), n)
	if errs, ok := fieldErrors(err, registerOrder, registerSentences); ok {
		view.Errors = errs
		return s.render(c, formStatus(errs), "registration/new", view)
	}
	if sandpit.ErrorCode(retryAfter(c, err)) == sandpit.ERATELIMITED {
		view.Errors.Add("email", sandpit.ErrorMessage(err))
		return s.render(c, http.StatusTooManyRequests, "registration/new", view)
	}
	if err != nil {
		return err
	}
	if err := s.startSession(c, u, u.SessionEpoch); err != nil {
		return err
	}
	if view.Next != "/" {
		return seeOther(c, view.Next)
	}
	return seeOther(c, "/account?done=registered")
}
