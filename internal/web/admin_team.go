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

// teamListView is the admin's list of teams, with the form to create one.
type teamListView struct {
	Layout
	Teams []store.TeamListItem
	Name  string // the name typed for a new team
}

// teamListView returns the list of teams.
func (s *Server) teamListView(c echo.Context) (teamListView, error) {
	teams, err := s.app.Identity.Teams(c.Request().Context(), actorOf(c))
	return teamListView{Layout: s.layout(c, "Teams"), Teams: teams}, err
}

// handleAdminTeamList lists every team.
func (s *Server) handleAdminTeamList(c echo.Context) error {
	view, err := s.teamListView(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin/team_list", view)
}

// teamSentences are the create-a-team form's error sentences.
var teamSentences = formSentences{"name": {sandpit.FieldRequired: "Enter a team name",
	sandpit.FieldTooLong: "Team name must be {max} characters or fewer", sandpit.FieldTaken: "A team with this name already exists"}}

// memberSentences are the add-a-person form's error sentences.
var memberSentences = formSentences{"email": {sandpit.FieldRequired: "Enter the email address of someone with a Sandpit account",
	sandpit.FieldUnknown: "No Sandpit account has this email address; create the account first",
	sandpit.FieldMember:  "This person is in the team already"}}

// handleAdminTeamCreate creates a team.
func (s *Server) handleAdminTeamCreate(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	t, err := s.app.Identity.CreateTeam(c.Request().Context(), actorOf(c), name)
	if errs, ok := fieldErrors(err, []string{"name"}, teamSentences); ok {
		view, verr := s.teamListView(c)
		if verr != nil {
			return verr
		}
		view.Name, view.Errors = name, errs
		return s.render(c, conflictStatus(err, errs), "admin/team_list", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, teamPath(t.ID)+"?done=team-created")
}

// teamPath is the admin's page about team id.
func teamPath(id int64) string {
	return "/admin/teams/" + strconv.FormatInt(id, 10)
}

// teamShowView is the admin's page about one team: its product owners and
// researchers, and forms to add more.
type teamShowView struct {
	Layout
	Team            *sandpit.Team
	Owners          []store.TeamPerson
	Researchers     []store.TeamPerson
	MemberEmail     string
	ResearcherEmail string
	// Rhythm is the team's monthly show-and-tells: months held and missed.
	Rhythm *app.Rhythm
}

// teamShowView returns the page about team id.
func (s *Server) teamShowView(c echo.Context, id int64) (teamShowView, error) {
	tp, err := s.app.Identity.Team(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return teamShowView{}, err
	}
	rhythm, err := s.app.Benefits.TeamRhythm(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return teamShowView{}, err
	}
	return teamShowView{Layout: s.layout(c, tp.Team.Name), Team: tp.Team, Owners: tp.Owners, Researchers: tp.Researchers, Rhythm: rhythm}, nil
}

// handleAdminTeamShow shows one team.
func (s *Server) handleAdminTeamShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	view, err := s.teamShowView(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin/team_show", view)
}

// handleAdminTeamMemberAdd makes a user, found by email, a product owner of
// the team.
func (s *Server) handleAdminTeamMemberAdd(c echo.Context) error {
	return s.adminAddToTeam(c, s.app.Identity.AddMember, "member_email")
}

// handleAdminTeamResearcherAdd grants a user, found by email, research
// access to the team.
func (s *Server) handleAdminTeamResearcherAdd(c echo.Context) error {
	return s.adminAddToTeam(c, s.app.Identity.GrantResearcher, "researcher_email")
}

// adminAddToTeam adds the person whose email is in the form's field to the
// team with add, or shows the team page with the error next to that field.
func (s *Server) adminAddToTeam(c echo.Context, add addToTeamFunc, field string) error {
	teamID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	email := strings.TrimSpace(c.FormValue(field))
	_, err = add(c.Request().Context(), actorOf(c), teamID, email)
	if errs, ok := fieldErrors(err, []string{"email"}, memberSentences); ok {
		view, verr := s.teamShowView(c, teamID)
		if verr != nil {
			return verr
		}
		for _, fe := range errs.List() {
			name := fe.Field
			if name == "email" {
				name = field
			}
			view.Errors.Add(name, fe.Message)
		}
		if field == "member_email" {
			view.MemberEmail = email
		} else {
			view.ResearcherEmail = email
		}
		return s.render(c, conflictStatus(err, errs), "admin/team_show", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, teamPath(teamID)+"?done=member-added")
}

// handleAdminTeamMemberRemove takes a product owner out of the team.
func (s *Server) handleAdminTeamMemberRemove(c echo.Context) error {
	return s.adminRemoveFromTeam(c, s.app.Identity.RemoveMember, "member-removed")
}

// handleAdminTeamResearcherRevoke takes away a researcher's access to the
// team.
func (s *Server) handleAdminTeamResearcherRevoke(c echo.Context) error {
	return s.adminRemoveFromTeam(c, s.app.Identity.RevokeResearcher, "researcher-revoked")
}

// adminRemoveFromTeam takes the person in the path out of the team with
// remove and goes back to the team's page, saying done.
func (s *Server) adminRemoveFromTeam(c echo.Context, remove removeFromTeamFunc, done string) error {
	teamID, err := pathID(c, "id")
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
	return seeOther(c, teamPath(teamID)+"?done="+done)
}
