package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// signInView is the sign-in page.
type signInView struct {
	Layout
	Email string
	Next  string
}

// handleSignInShow shows the sign-in form.
func (s *Server) handleSignInShow(c echo.Context) error {
	if currentUser(c) != nil {
		return seeOther(c, localPath(c.QueryParam("next")))
	}
	return s.render(c, http.StatusOK, "session/new", signInView{Layout: s.layout(c, "Sign in"), Next: localPath(c.QueryParam("next"))})
}

// handleSignInSubmit signs a user in with a new session.
func (s *Server) handleSignInSubmit(c echo.Context) error {
	view := signInView{Layout: s.layout(c, "Sign in"), Email: strings.TrimSpace(c.FormValue("email")), Next: localPath(c.FormValue("next"))}
	password := c.FormValue("password")
	if view.Email == "" {
		view.Errors.Add("email", "Enter your email address")
	}
	if password == "" {
		view.Errors.Add("password", "Enter your password")
	}
	if view.Errors.Any() {
		return s.render(c, http.StatusUnprocessableEntity, "session/new", view)
	}
	u, err := s.authenticate(c, view.Email, password)
	switch sandpit.ErrorCode(err) {
	case "":
	case sandpit.EUNAUTHORIZED:
		view.Errors.Add("email", "The email address or password is not right")
		return s.render(c, http.StatusUnauthorized, "session/new", view)
	case sandpit.ERATELIMITED:
		view.Errors.Add("email", sandpit.ErrorMessage(err))
		return s.render(c, http.StatusTooManyRequests, "session/new", view)
	default:
		return err
	}
	if err := s.store.Audit(c.Request().Context(), sandpit.AuditEntry{ActorID: &u.ID, SubjectID: &u.ID, Action: sandpit.AuditSignIn, IP: c.RealIP()}); err != nil {
		return err
	}
	if err := s.startSession(c, u, u.SessionEpoch); err != nil {
		return err
	}
	return seeOther(c, view.Next)
}

// handleSignOut ends every session of the user: the session epoch moves on.
func (s *Server) handleSignOut(c echo.Context) error {
	if u := currentUser(c); u != nil {
		entry := auditEntry(c, sandpit.AuditSignOut)
		entry.SubjectID = &u.ID
		if err := s.store.EndSessions(c.Request().Context(), u.ID, entry); err != nil {
			return err
		}
	}
	s.clearSession(c)
	return seeOther(c, "/sign-in?done=signed-out")
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
}

func (s *Server) registerView(c echo.Context) registerView {
	return registerView{Layout: s.layout(c, "Register as a clinician"), Open: s.cfg.OpenRegistration,
		Professions: sandpit.Professions(), Settings: sandpit.Settings(), Next: localPath(c.QueryParam("next"))}
}

// handleRegisterShow shows the registration form.
func (s *Server) handleRegisterShow(c echo.Context) error {
	return s.render(c, http.StatusOK, "registration/new", s.registerView(c))
}

// registerSentences are the error summary's words for each field.
var registerSentences = formSentences{
	"email": {"": "Enter an email address in the correct format, like name@example.nhs.uk",
		sandpit.FieldTaken: "An account with this email address already exists"},
	"name":               {"": "Enter your full name"},
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
	u, err := s.register(c, n)
	if errs, ok := fieldErrors(err, registerOrder, registerSentences); ok {
		view.Errors = errs
		return s.render(c, formStatus(errs), "registration/new", view)
	}
	if sandpit.ErrorCode(err) == sandpit.ERATELIMITED {
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
