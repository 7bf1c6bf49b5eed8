package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// accountView is the signed-in user's account page: their profile, password,
// API tokens and sign-out.
type accountView struct {
	Layout
	Name              string
	HasProfile        bool
	Profession        string
	Setting           string
	YearsExperience   string
	LegacyFamiliarity string
	Professions       []string
	Settings          []string
	Tokens            []store.Token
	Label             string // the label typed for a new token
	NewToken          string // a token just created, shown this once
	NewTokenLabel     string
	Identities        []app.LinkedIdentity
	Linkable          []app.SSOChoice
	HasPassword       bool
}

// accountView returns the account page of the signed-in user, filled with
// what is stored.
func (s *Server) accountView(c echo.Context) (accountView, error) {
	acct, err := s.app.Identity.Account(c.Request().Context(), actorOf(c))
	if err != nil {
		return accountView{}, err
	}
	u := acct.User
	v := accountView{Layout: s.layout(c, "Your account"), Name: u.Name,
		Professions: sandpit.Professions(), Settings: sandpit.Settings(), Tokens: acct.Tokens,
		Identities: acct.Identities, Linkable: acct.Linkable, HasPassword: acct.HasPassword}
	if p := u.Profile; p != nil {
		v.HasProfile = true
		v.Profession, v.Setting = p.Profession, p.Setting
		v.YearsExperience, v.LegacyFamiliarity = strconv.Itoa(p.YearsExperience), strconv.Itoa(p.LegacyFamiliarity)
	}
	return v, nil
}

// handleAccountShow shows the signed-in user's account.
func (s *Server) handleAccountShow(c echo.Context) error {
	view, err := s.accountView(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "account/show", view)
}

// renderAccount shows the account page with the errors of err, or returns
// err when it is not a form's error.
func (s *Server) renderAccount(c echo.Context, err error, order []string, table formSentences, fill func(*accountView)) error {
	errs, ok := fieldErrors(err, order, table)
	if !ok {
		return err
	}
	view, verr := s.accountView(c)
	if verr != nil {
		return verr
	}
	fill(&view)
	view.Errors = errs
	return s.render(c, formStatus(errs), "account/show", view)
}

// profileSentences are the error summary's words for the profile form's
// fields.
var profileSentences = formSentences{
	"name":               {sandpit.FieldRequired: "Enter your name", sandpit.FieldTooLong: "Name must be {max} characters or fewer"},
	"profession":         registerSentences["profession"],
	"setting":            registerSentences["setting"],
	"years_experience":   registerSentences["years_experience"],
	"legacy_familiarity": registerSentences["legacy_familiarity"],
}

// profileOrder is the order of the profile form's fields.
var profileOrder = []string{"name", "profile.profession", "profile.setting", "profile.years_experience", "profile.legacy_familiarity"}

// handleAccountProfileUpdate saves the signed-in user's name and, if they
// have one, their professional profile.
func (s *Server) handleAccountProfileUpdate(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	profession, setting := c.FormValue("profession"), c.FormValue("setting")
	years, familiarity := strings.TrimSpace(c.FormValue("years_experience")), c.FormValue("legacy_familiarity")
	in := app.ProfileUpdate{Name: name}
	if u := currentUser(c); u != nil && u.Profile != nil {
		in.Profile = formProfile(profession, setting, years, familiarity)
	}
	err := s.app.Identity.UpdateProfile(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return s.renderAccount(c, err, profileOrder, profileSentences, func(v *accountView) {
			v.Name = name
			if v.HasProfile {
				v.Profession, v.Setting, v.YearsExperience, v.LegacyFamiliarity = profession, setting, years, familiarity
			}
		})
	}
	return seeOther(c, "/account?done=profile")
}

// formProfile builds a profile from the words typed into a form; a number
// that is not one becomes -1, which Validate refuses.
func formProfile(profession, setting, years, familiarity string) *sandpit.Profile {
	y, err := atoiField(years)
	if err != nil {
		y = -1
	}
	f, err := atoiField(familiarity)
	if err != nil {
		f = -1
	}
	return &sandpit.Profile{Profession: profession, Setting: setting, YearsExperience: y, LegacyFamiliarity: f}
}

// passwordChangeSentences are the password form's error sentences.
var passwordChangeSentences = formSentences{
	"current_password": {sandpit.FieldRequired: "Enter your current password", sandpit.FieldCredentials: "Your current password is not right"},
	"new_password":     passwordSentences("New password"),
}

// handleAccountPasswordChange changes the signed-in user's password. Every
// other session of theirs ends; this browser gets a new session.
func (s *Server) handleAccountPasswordChange(c echo.Context) error {
	in := app.PasswordChange{Current: c.FormValue("current_password"), New: c.FormValue("new_password")}
	epoch, err := s.app.Identity.ChangePassword(c.Request().Context(), actorOf(c), in)
	if sandpit.ErrorCode(retryAfter(c, err)) == sandpit.ERATELIMITED {
		view, verr := s.accountView(c)
		if verr != nil {
			return verr
		}
		view.Errors.Add("current_password", sandpit.ErrorMessage(err))
		return s.render(c, http.StatusTooManyRequests, "account/show", view)
	}
	if err != nil {
		return s.renderAccount(c, err, []string{"current_password", "new_password"}, passwordChangeSentences, func(*accountView) {})
	}
	if err := s.startSession(c, currentUser(c), epoch); err != nil {
		return err
	}
	return seeOther(c, "/account?done=password")
}

// tokenSentences are the new-token form's error sentences.
var tokenSentences = formSentences{
	"label": {sandpit.FieldRequired: "Enter a label for the token, like the name of the script that will use it",
		sandpit.FieldTooLong: "Label must be {max} characters or fewer"},
}

// handleAccountTokenCreate creates an API token for the signed-in user and
// shows it on the account page, this once: only its hash is kept.
func (s *Server) handleAccountTokenCreate(c echo.Context) error {
	label := strings.TrimSpace(c.FormValue("label"))
	token, err := s.app.Identity.CreateToken(c.Request().Context(), actorOf(c), label)
	if err != nil {
		return s.renderAccount(c, err, []string{"label"}, tokenSentences, func(v *accountView) { v.Label = label })
	}
	view, err := s.accountView(c)
	if err != nil {
		return err
	}
	view.NewToken, view.NewTokenLabel = token.Token, token.Label
	// The page holds a secret: no cache may keep it.
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, "account/show", view)
}

// handleAccountTokenRevoke stops one of the signed-in user's API tokens
// working.
func (s *Server) handleAccountTokenRevoke(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.app.Identity.RevokeToken(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return seeOther(c, "/account?done=token-revoked")
}
