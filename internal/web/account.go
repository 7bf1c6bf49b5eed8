package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// maxTokenLabel is the longest label an API token may have, in characters.
const maxTokenLabel = 100

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
}

// accountView returns the account page of the signed-in user, filled with
// what is stored.
func (s *Server) accountView(c echo.Context) (accountView, error) {
	u := currentUser(c)
	v := accountView{Layout: s.layout(c, "Your account"), Name: u.Name,
		Professions: sandpit.Professions(), Settings: sandpit.Settings()}
	if p := u.Profile; p != nil {
		v.HasProfile = true
		v.Profession, v.Setting = p.Profession, p.Setting
		v.YearsExperience, v.LegacyFamiliarity = strconv.Itoa(p.YearsExperience), strconv.Itoa(p.LegacyFamiliarity)
	}
	tokens, err := s.store.Tokens(c.Request().Context(), u.ID)
	if err != nil {
		return v, err
	}
	v.Tokens = tokens
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

// profileSentences are the error summary's words for the profile form's
// fields; the name keeps the domain's own message.
var profileSentences = formSentences{
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
	u := currentUser(c)
	view, err := s.accountView(c)
	if err != nil {
		return err
	}
	view.Name = strings.TrimSpace(c.FormValue("name"))
	fields := map[string]string{}
	if p := sandpit.NameProblem(view.Name); p != "" {
		fields["name"] = p
	}
	var profile *sandpit.Profile
	if view.HasProfile {
		view.Profession, view.Setting = c.FormValue("profession"), c.FormValue("setting")
		view.YearsExperience, view.LegacyFamiliarity = strings.TrimSpace(c.FormValue("years_experience")), c.FormValue("legacy_familiarity")
		profile = formProfile(view.Profession, view.Setting, view.YearsExperience, view.LegacyFamiliarity)
		profile.Validate(fields, "profile.")
	}
	if len(fields) > 0 {
		errs, _ := fieldErrors(sandpit.InvalidMessages("Check your profile.", fields), profileOrder, profileSentences)
		view.Errors = errs
		return s.render(c, formStatus(errs), "account/show", view)
	}
	if err := s.store.UpdateProfile(c.Request().Context(), u.ID, view.Name, profile, auditEntry(c, sandpit.AuditProfileUpdated)); err != nil {
		return err
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

// handleAccountPasswordChange changes the signed-in user's password. Every
// other session of theirs ends; this browser gets a new session.
func (s *Server) handleAccountPasswordChange(c echo.Context) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	current, next := c.FormValue("current_password"), c.FormValue("new_password")
	var errs FieldErrors
	if current == "" {
		errs.Add("current_password", "Enter your current password")
	} else if ok, err := s.checkCurrentPassword(c, u, current); err != nil {
		if sandpit.ErrorCode(err) != sandpit.ERATELIMITED {
			return err
		}
		view, verr := s.accountView(c)
		if verr != nil {
			return verr
		}
		view.Errors.Add("current_password", sandpit.ErrorMessage(err))
		return s.render(c, http.StatusTooManyRequests, "account/show", view)
	} else if !ok {
		errs.Add("current_password", "Your current password is not right")
	}
	if next == "" {
		errs.Add("new_password", "Enter a new password")
	} else if p := sandpit.PasswordProblem(next, u.Email); p != "" {
		errs.Add("new_password", sentence("new_password", p))
	}
	if errs.Any() {
		view, err := s.accountView(c)
		if err != nil {
			return err
		}
		view.Errors = errs
		return s.render(c, formStatus(errs), "account/show", view)
	}
	hash, err := s.hashPassword(next)
	if err != nil {
		return err
	}
	epoch, err := s.store.SetPassword(ctx, u.ID, hash, auditEntry(c, sandpit.AuditPasswordChanged))
	if err != nil {
		return err
	}
	if err := s.startSession(c, u, epoch); err != nil {
		return err
	}
	return seeOther(c, "/account?done=password")
}

// checkCurrentPassword reports whether password is u's. Wrong guesses count
// against the account's failed sign-ins, so that a borrowed session cannot be
// used to guess the password faster than the sign-in form allows.
func (s *Server) checkCurrentPassword(c echo.Context, u *sandpit.User, password string) (bool, error) {
	ctx := c.Request().Context()
	account := strings.ToLower(u.Email)
	if err := s.rateLimited(ctx, c, rateSignInAccount, account, failedSignInPerAccount, failedSignInWindow); err != nil {
		return false, err
	}
	hash, err := s.store.PasswordHash(ctx, u.ID)
	if err != nil {
		return false, err
	}
	if sandpit.PasswordMatches(hash, password) {
		return true, nil
	}
	entry := auditEntry(c, sandpit.AuditSignInFailed)
	entry.SubjectID, entry.Detail = &u.ID, "wrong current password when changing password"
	events := []store.RateEvent{{Kind: rateSignInAccount, Key: account}}
	if err := s.store.RecordRateEvents(ctx, events, entry); err != nil {
		return false, err
	}
	return false, nil
}

// handleAccountTokenCreate creates an API token for the signed-in user and
// shows it on the account page, this once: only its hash is kept.
func (s *Server) handleAccountTokenCreate(c echo.Context) error {
	u := currentUser(c)
	label := strings.TrimSpace(c.FormValue("label"))
	var errs FieldErrors
	switch n := utf8.RuneCountInString(label); {
	case n == 0:
		errs.Add("label", "Enter a label for the token, like the name of the script that will use it")
	case n > maxTokenLabel:
		errs.Add("label", "Label must be at most 100 characters")
	}
	if errs.Any() {
		view, err := s.accountView(c)
		if err != nil {
			return err
		}
		view.Errors, view.Label = errs, label
		return s.render(c, formStatus(errs), "account/show", view)
	}
	token, hash := newToken()
	entry := auditEntry(c, sandpit.AuditTokenCreated)
	entry.SubjectID = &u.ID
	if _, err := s.store.CreateToken(c.Request().Context(), u.ID, label, hash, entry); err != nil {
		return err
	}
	view, err := s.accountView(c)
	if err != nil {
		return err
	}
	view.NewToken, view.NewTokenLabel = token, label
	// The page holds a secret: no cache may keep it.
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, "account/show", view)
}

// handleAccountTokenRevoke stops one of the signed-in user's API tokens
// working.
func (s *Server) handleAccountTokenRevoke(c echo.Context) error {
	u := currentUser(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	entry := auditEntry(c, sandpit.AuditTokenRevoked)
	entry.SubjectID = &u.ID
	if err := s.store.RevokeToken(c.Request().Context(), u.ID, id, entry); err != nil {
		return err
	}
	return seeOther(c, "/account?done=token-revoked")
}
