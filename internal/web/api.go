package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// contextToken is the echo context key of the API token's id.
const contextToken = "token_id"

// apiAuth authenticates API requests by bearer token only: the API never
// reads the session cookie, so it needs no CSRF token. A request without a
// token goes on anonymous; one with a bad token is refused.
func (s *Server) apiAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			return next(c)
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="sandpit"`)
			return sandpit.Errorf(sandpit.EUNAUTHORIZED, "Send the API token as Authorization: Bearer <token>.")
		}
		u, id, err := s.app.Identity.Authenticate(c.Request().Context(), token)
		if err != nil {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="sandpit", error="invalid_token"`)
			return err
		}
		c.Set(contextUser, u)
		c.Set(contextToken, id)
		return next(c)
	}
}

// apiUser returns the token's user, or EUNAUTHORIZED.
func apiUser(c echo.Context) (*sandpit.User, error) {
	if u := currentUser(c); u != nil {
		return u, nil
	}
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="sandpit"`)
	return nil, sandpit.Errorf(sandpit.EUNAUTHORIZED, "This needs an API token: POST /api/v1/tokens with your email and password, then send Authorization: Bearer <token>.")
}

// apiUserAndID returns the token's user and the id path parameter: what
// most API handlers start with.
func apiUserAndID(c echo.Context) (*sandpit.User, int64, error) {
	u, err := apiUser(c)
	if err != nil {
		return nil, 0, err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return nil, 0, err
	}
	return u, id, nil
}

// pathID reads the id path parameter; a malformed one is ENOTFOUND, like a
// missing object.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, sandpit.Errorf(sandpit.ENOTFOUND, "Not found.")
	}
	return id, nil
}

// userJSON is a user as the API shows them.
type userJSON struct {
	ID      int64        `json:"id"`
	Email   string       `json:"email"`
	Name    string       `json:"name"`
	Roles   []string     `json:"roles"`
	Profile *profileJSON `json:"profile"`
	Teams   []teamRef    `json:"teams"`
}

type profileJSON struct {
	Profession        string `json:"profession"`
	Setting           string `json:"setting"`
	YearsExperience   int    `json:"years_experience"`
	LegacyFamiliarity int    `json:"legacy_familiarity"`
}

type teamRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

func toUserJSON(u *sandpit.User) userJSON {
	j := userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Roles: []string{}, Teams: []teamRef{}}
	for _, r := range u.Roles {
		j.Roles = append(j.Roles, string(r))
	}
	if p := u.Profile; p != nil {
		j.Profile = &profileJSON{p.Profession, p.Setting, p.YearsExperience, p.LegacyFamiliarity}
	}
	for _, t := range u.Teams {
		j.Teams = append(j.Teams, teamRef{ID: t.TeamID, Name: t.TeamName, Role: string(t.Role)})
	}
	return j
}

func (p *profileJSON) domain() *sandpit.Profile {
	if p == nil {
		return nil
	}
	return &sandpit.Profile{Profession: p.Profession, Setting: p.Setting, YearsExperience: p.YearsExperience, LegacyFamiliarity: p.LegacyFamiliarity}
}

// tokenRequest is the body of POST /tokens.
type tokenRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Label    string `json:"label"`
}

// handleAPITokenCreate exchanges an email and password for an API token.
func (s *Server) handleAPITokenCreate(c echo.Context) error {
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.app.Identity.CreateTokenBySignIn(c.Request().Context(), actorOf(c),
		app.TokenRequest{Email: req.Email, Password: req.Password, Label: req.Label})
	if err != nil {
		return retryAfter(c, err)
	}
	return c.JSON(http.StatusCreated, map[string]any{"token": t.Token, "user": toUserJSON(t.User)})
}

// handleAPITokenRevokeCurrent stops the token of this request working.
func (s *Server) handleAPITokenRevokeCurrent(c echo.Context) error {
	if _, err := apiUser(c); err != nil {
		return err
	}
	id, _ := c.Get(contextToken).(int64)
	if err := s.app.Identity.RevokeToken(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleAPIMe shows the caller.
func (s *Server) handleAPIMe(c echo.Context) error {
	if _, err := apiUser(c); err != nil {
		return err
	}
	u, err := s.app.Identity.Me(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUserJSON(u))
}

// newUserRequest is the body of POST /register and POST /users; roles are
// read only by POST /users.
type newUserRequest struct {
	Email    string       `json:"email"`
	Name     string       `json:"name"`
	Password string       `json:"password"`
	Roles    []string     `json:"roles"`
	Profile  *profileJSON `json:"profile"`
}

func (r newUserRequest) domain(roles []sandpit.Role) sandpit.NewUser {
	return sandpit.NewUser{Email: r.Email, Name: r.Name, Password: r.Password, Roles: roles, Profile: r.Profile.domain()}
}

// handleAPIRegister registers a clinician.
func (s *Server) handleAPIRegister(c echo.Context) error {
	var req newUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Profile == nil {
		// Validate names the missing profile's fields one by one.
		req.Profile = &profileJSON{}
	}
	u, err := s.app.Identity.Register(c.Request().Context(), actorOf(c), req.domain(nil))
	if err != nil {
		return retryAfter(c, err)
	}
	return c.JSON(http.StatusCreated, toUserJSON(u))
}

// handleAPIUserCreate lets an admin create a user with any roles.
func (s *Server) handleAPIUserCreate(c echo.Context) error {
	if _, err := apiUser(c); err != nil {
		return err
	}
	var req newUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	roles := make([]sandpit.Role, len(req.Roles))
	for i, r := range req.Roles {
		roles[i] = sandpit.Role(r)
	}
	n := req.domain(roles)
	if n.Password != "" {
		u, err := s.app.Identity.CreateUser(c.Request().Context(), actorOf(c), n)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, toUserJSON(u))
	}
	// Without a password, the person sets their own through a one-time
	// link, which the answer carries once.
	u, link, err := s.app.Identity.CreateUserWithLink(c.Request().Context(), actorOf(c), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, struct {
		userJSON
		SetPasswordURL     string    `json:"set_password_url"`
		SetPasswordExpires time.Time `json:"set_password_expires"`
	}{toUserJSON(u), s.setPasswordURL(link.Token), link.Expires})
}

// handleAPITeamCreate lets an admin create a team.
func (s *Server) handleAPITeamCreate(c echo.Context) error {
	if _, err := apiUser(c); err != nil {
		return err
	}
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.app.Identity.CreateTeam(c.Request().Context(), actorOf(c), req.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": t.ID, "name": t.Name})
}

// handleAPITeamMemberAdd makes a user a product owner of the team.
func (s *Server) handleAPITeamMemberAdd(c echo.Context) error {
	return s.apiAddToTeam(c, sandpit.RoleProductOwner, s.app.Identity.AddMember)
}

// handleAPITeamResearcherAdd grants a user research access to the team.
func (s *Server) handleAPITeamResearcherAdd(c echo.Context) error {
	return s.apiAddToTeam(c, sandpit.RoleResearcher, s.app.Identity.GrantResearcher)
}

// handleAPITeamMemberRemove takes a product owner out of the team.
func (s *Server) handleAPITeamMemberRemove(c echo.Context) error {
	return s.apiRemoveFromTeam(c, s.app.Identity.RemoveMember)
}

// handleAPITeamResearcherRevoke takes away a researcher's access to the
// team.
func (s *Server) handleAPITeamResearcherRevoke(c echo.Context) error {
	return s.apiRemoveFromTeam(c, s.app.Identity.RevokeResearcher)
}

// removeFromTeamFunc is the use case that takes a person out of a team.
type removeFromTeamFunc func(ctx context.Context, actor app.Actor, teamID, userID int64) error

// apiRemoveFromTeam takes the person in the path out of the team with
// remove, answering 204.
func (s *Server) apiRemoveFromTeam(c echo.Context, remove removeFromTeamFunc) error {
	_, teamID, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	userID, err := pathID(c, "user")
	if err != nil {
		return err
	}
	if err := remove(c.Request().Context(), actorOf(c), teamID, userID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// addToTeamFunc is the use case that adds a person, by email, to a team.
type addToTeamFunc func(ctx context.Context, actor app.Actor, teamID int64, email string) (*sandpit.User, error)

// apiAddToTeam adds the person whose email is in the body to the team with
// add, which gives them role.
func (s *Server) apiAddToTeam(c echo.Context, role sandpit.Role, add addToTeamFunc) error {
	_, teamID, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req struct {
		Email string `json:"email"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	person, err := add(c.Request().Context(), actorOf(c), teamID, req.Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"team_id": teamID, "user": toUserJSON(person), "role": string(role)})
}
