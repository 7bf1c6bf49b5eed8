package sandpit

import (
	"strings"
	"unicode/utf8"
)

// Team is a product team: it owns workflows, has product-owner members and
// granted researchers.
type Team struct {
	ID   int64
	Name string
}

// TeamMembership is a user's place in a team.
type TeamMembership struct {
	TeamID   int64
	TeamName string
	Role     Role // RoleProductOwner (a member) or RoleResearcher (granted)
}

// TeamNameProblem returns why name cannot name a team, or "".
func TeamNameProblem(name string) string {
	switch n := utf8.RuneCountInString(strings.TrimSpace(name)); {
	case n == 0:
		return "enter a team name"
	case n > 120:
		return "must be at most 120 characters"
	}
	return ""
}

// IsMember reports whether u is a product-owner member of team.
func (u *User) IsMember(teamID int64) bool {
	return u.inTeam(teamID, RoleProductOwner)
}

// IsResearcherOf reports whether u was granted research access to team.
func (u *User) IsResearcherOf(teamID int64) bool {
	return u.inTeam(teamID, RoleResearcher)
}

func (u *User) inTeam(teamID int64, role Role) bool {
	if u == nil || u.Disabled {
		return false
	}
	for _, m := range u.Teams {
		if m.TeamID == teamID && m.Role == role {
			return true
		}
	}
	return false
}
