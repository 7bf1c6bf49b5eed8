package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// adminPageSize is how many rows an admin list shows a page.
const adminPageSize = 50

// maxPage is the highest page number a list accepts, far past any real list,
// so that an offset can never overflow.
const maxPage = 1_000_000

// pager is the previous and next links of a paged list.
type pager struct {
	Page     int
	Pages    int
	Prev     string // the previous page's link, or ""
	Next     string // the next page's link, or ""
	PrevPage int
	NextPage int
}

// pageParam reads ?page=N, a whole number from 1; anything else is page 1.
func pageParam(c echo.Context) int {
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 || page > maxPage {
		return 1
	}
	return page
}

// newPager returns the links around page of a list of total rows at path,
// keeping the query's other values, such as filters.
func newPager(path string, query url.Values, page int, total int64) pager {
	pages := int((total + adminPageSize - 1) / adminPageSize)
	p := pager{Page: page, Pages: max(pages, 1)}
	link := func(n int) string {
		q := url.Values{}
		for k, v := range query {
			if k != "page" && len(v) > 0 && v[0] != "" {
				q.Set(k, v[0])
			}
		}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return path
		}
		return path + "?" + q.Encode()
	}
	if page > 1 {
		p.PrevPage = min(page-1, p.Pages)
		p.Prev = link(p.PrevPage)
	}
	if page < pages {
		p.NextPage = page + 1
		p.Next = link(p.NextPage)
	}
	return p
}

// userListView is the admin's list of users.
type userListView struct {
	Layout
	Users []store.UserListItem
	Total int64
	Pager pager
}

// handleAdminUserList lists every user, a page at a time.
func (s *Server) handleAdminUserList(c echo.Context) error {
	page := pageParam(c)
	list, err := s.app.Identity.Users(c.Request().Context(), actorOf(c), (page-1)*adminPageSize, adminPageSize)
	if err != nil {
		return err
	}
	view := userListView{Layout: s.layout(c, "Users"), Users: list.Users, Total: list.Total,
		Pager: newPager("/admin/users", c.QueryParams(), page, list.Total)}
	return s.render(c, http.StatusOK, "admin/user_list", view)
}

// roleOption is one role checkbox or option.
type roleOption struct {
	Value   string
	Label   string
	Checked bool
}

// userNewView is the admin's form to create a user.
type userNewView struct {
	Layout
	Name              string
	Email             string
	Roles             []roleOption
	Profession        string
	Setting           string
	YearsExperience   string
	LegacyFamiliarity string
	Professions       []string
	Settings          []string
}

// userNewView returns the create-a-user form with the roles in checked
// ticked.
func (s *Server) userNewView(c echo.Context, checked []string) userNewView {
	v := userNewView{Layout: s.layout(c, "Create a user"), Professions: sandpit.Professions(), Settings: sandpit.Settings()}
	for _, r := range sandpit.Roles() {
		v.Roles = append(v.Roles, roleOption{Value: string(r), Label: r.Label(), Checked: slices.Contains(checked, string(r))})
	}
	return v
}

// handleAdminUserNew shows the form to create a user; requireAdmin has let
// only admins this far.
func (s *Server) handleAdminUserNew(c echo.Context) error {
	return s.render(c, http.StatusOK, "admin/user_new", s.userNewView(c, nil))
}

// userSentences are the error summary's words for the create-a-user form.
var userSentences = formSentences{
	"email":              registerSentences["email"],
	"name":               {"": "Enter the person's full name"},
	"roles":              {"": "Select at least one role"},
	"profile":            {"": "Enter a professional profile for a clinician"},
	"profession":         {"": "Select the person's profession"},
	"setting":            {"": "Select the care setting the person works in"},
	"years_experience":   registerSentences["years_experience"],
	"legacy_familiarity": {"": "Select how well the person knows the system in use today"},
}

// userOrder is the order of the create-a-user form's fields.
var userOrder = []string{"name", "email", "roles", "profile", "profile.profession", "profile.setting", "profile.years_experience", "profile.legacy_familiarity"}

// handleAdminUserCreate creates a user with the roles the admin chose, and
// a professional profile when they are a clinician or one was entered.
func (s *Server) handleAdminUserCreate(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	checked := form["roles"]
	view := s.userNewView(c, checked)
	view.Name, view.Email = strings.TrimSpace(form.Get("name")), strings.TrimSpace(form.Get("email"))
	view.Profession, view.Setting = form.Get("profession"), form.Get("setting")
	view.YearsExperience, view.LegacyFamiliarity = strings.TrimSpace(form.Get("years_experience")), form.Get("legacy_familiarity")
	n := sandpit.NewUser{Email: view.Email, Name: view.Name}
	for _, r := range checked {
		n.Roles = append(n.Roles, sandpit.Role(r))
	}
	if slices.Contains(n.Roles, sandpit.RoleClinician) || view.Profession != "" || view.Setting != "" || view.YearsExperience != "" || view.LegacyFamiliarity != "" {
		n.Profile = formProfile(view.Profession, view.Setting, view.YearsExperience, view.LegacyFamiliarity)
	}
	u, link, err := s.app.Identity.CreateUserWithLink(c.Request().Context(), actorOf(c), n)
	if errs, ok := fieldErrors(err, userOrder, userSentences); ok {
		view.Errors = errs
		return s.render(c, formStatus(errs), "admin/user_new", view)
	}
	if err != nil {
		return err
	}
	return s.renderUserLink(c, http.StatusCreated, u, link, true)
}

// handleAdminUserPasswordLink makes another one-time link for a user to set
// their password and shows it, once.
func (s *Server) handleAdminUserPasswordLink(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u, link, err := s.app.Identity.NewPasswordLink(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return s.renderUserLink(c, http.StatusOK, u, link, false)
}

// renderUserLink shows an admin the one-time link of account u: the link is
// a secret shown once, on this answer, never in a URL the browser keeps.
func (s *Server) renderUserLink(c echo.Context, status int, u *sandpit.User, link *app.PasswordLink, created bool) error {
	return s.render(c, status, "admin/user_link", userLinkView{Layout: s.layout(c, "Send "+u.Name+" their link"),
		Subject: u, Link: s.setPasswordURL(link.Token), Expires: link.Expires, Created: created})
}

// userLinkView shows an admin the one-time link of an account they made.
type userLinkView struct {
	Layout
	Subject *sandpit.User
	Link    string
	Expires time.Time
	Created bool // the account was made with it, rather than given a new one
}

// setPasswordURL is the address of the page where link token sets a
// password.
func (s *Server) setPasswordURL(token string) string {
	return strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + "/set-password/" + token
}

// setPasswordView is the page where a one-time link sets a password.
type setPasswordView struct {
	Layout
	Subject *sandpit.User // nil when the link does not work
	Token   string
}

// setPasswordSentences are the set-password form's error sentences.
var setPasswordSentences = formSentences{"password": passwordSentences("Password")}

// handleSetPasswordShow shows the form a one-time link opens, or says the
// link does not work.
func (s *Server) handleSetPasswordShow(c echo.Context) error {
	token := c.Param("token")
	u, err := s.app.Identity.PasswordLinkUser(c.Request().Context(), actorOf(c), token)
	if err != nil && sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
		return err
	}
	status := http.StatusOK
	if u == nil {
		status = http.StatusNotFound
	}
	return s.render(c, status, "account/set_password", setPasswordView{Layout: s.layout(c, "Set your password"), Subject: u, Token: token})
}

// handleSetPasswordSubmit sets the password a one-time link is for and
// sends the person to sign in.
func (s *Server) handleSetPasswordSubmit(c echo.Context) error {
	token := c.Param("token")
	err := s.app.Identity.SetPasswordByLink(c.Request().Context(), actorOf(c), token, c.FormValue("password"))
	if errs, ok := fieldErrors(err, []string{"password"}, setPasswordSentences); ok {
		u, uerr := s.app.Identity.PasswordLinkUser(c.Request().Context(), actorOf(c), token)
		if uerr != nil {
			return uerr
		}
		view := setPasswordView{Layout: s.layout(c, "Set your password"), Subject: u, Token: token}
		view.Errors = errs
		return s.render(c, formStatus(errs), "account/set_password", view)
	}
	if sandpit.ErrorCode(err) == sandpit.ENOTFOUND {
		return s.render(c, http.StatusNotFound, "account/set_password", setPasswordView{Layout: s.layout(c, "Set your password"), Token: token})
	}
	if err != nil {
		return err
	}
	return seeOther(c, "/sign-in?done=password-set")
}

// userShowView is the admin's page about one user.
type userShowView struct {
	Layout
	Subject   *sandpit.User
	Grantable []roleOption // the roles the user does not hold
	Self      bool         // the admin is looking at their own account
}

// userShowView returns the page about user id.
func (s *Server) userShowView(c echo.Context, id int64) (userShowView, error) {
	u, err := s.app.Identity.User(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return userShowView{}, err
	}
	v := userShowView{Layout: s.layout(c, u.Name), Subject: u, Self: actorOf(c).ID() == u.ID}
	for _, r := range sandpit.Roles() {
		if !slices.Contains(u.Roles, r) {
			v.Grantable = append(v.Grantable, roleOption{Value: string(r), Label: r.Label()})
		}
	}
	return v, nil
}

// renderUserShow shows the page about user id with the errors of err, from
// table, at status.
func (s *Server) renderUserShow(c echo.Context, id int64, status int, errs FieldErrors) error {
	view, err := s.userShowView(c, id)
	if err != nil {
		return err
	}
	view.Errors = errs
	return s.render(c, status, "admin/user_show", view)
}

// handleAdminUserShow shows one user, with forms to change their roles and
// to disable them.
func (s *Server) handleAdminUserShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	view, err := s.userShowView(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin/user_show", view)
}

// userPath is the admin's page about user id.
func userPath(id int64) string {
	return "/admin/users/" + strconv.FormatInt(id, 10)
}

// roleSentences are the grant-a-role form's error sentences.
var roleSentences = formSentences{"role": {"": "Select a role to grant"}}

// handleAdminUserRoleGrant gives a user a role.
func (s *Server) handleAdminUserRoleGrant(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	err = s.app.Identity.GrantRole(c.Request().Context(), actorOf(c), id, sandpit.Role(c.FormValue("role")))
	if errs, ok := fieldErrors(err, []string{"role"}, roleSentences); ok {
		return s.renderUserShow(c, id, formStatus(errs), errs)
	}
	if err != nil {
		return err
	}
	return seeOther(c, userPath(id)+"?done=roles")
}

// conflictOn is the error of a conflict with what is stored, such as the
// last admin's role, shown next to field.
func conflictOn(field string, err error) FieldErrors {
	var errs FieldErrors
	errs.Add(field, sandpit.ErrorMessage(err))
	return errs
}

// handleAdminUserRoleRemove takes a role from a user. Sandpit keeps at least
// one admin.
func (s *Server) handleAdminUserRoleRemove(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	err = s.app.Identity.RemoveRole(c.Request().Context(), actorOf(c), id, sandpit.Role(c.Param("role")))
	if sandpit.ErrorCode(err) == sandpit.ECONFLICT {
		return s.renderUserShow(c, id, http.StatusConflict, conflictOn("roles", err))
	}
	if err != nil {
		return err
	}
	return seeOther(c, userPath(id)+"?done=roles")
}

// handleAdminUserDisable stops a user signing in and ends their sessions and
// API tokens. An admin cannot disable themselves.
func (s *Server) handleAdminUserDisable(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	err = s.app.Identity.DisableUser(c.Request().Context(), actorOf(c), id)
	if sandpit.ErrorCode(err) == sandpit.ECONFLICT {
		return s.renderUserShow(c, id, http.StatusConflict, conflictOn("disable", err))
	}
	if err != nil {
		return err
	}
	return seeOther(c, userPath(id)+"?done=disabled")
}
