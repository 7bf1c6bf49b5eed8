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

// MaxTeamNameLength is the longest name a team may have, in characters.
const MaxTeamNameLength = 120

// TeamNameError returns why name cannot name a team, as an error on the
// field "name", or nil.
func TeamNameError(name string) *FieldError {
	var f FieldError
	switch n := utf8.RuneCountInString(strings.TrimSpace(name)); {
	case n == 0:
		f = Required("name")
	case n > MaxTeamNameLength:
		f = TooLong("name", MaxTeamNameLength)
	default:
		return nil
	}
	return &f
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
