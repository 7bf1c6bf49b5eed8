package sandpit

import "slices"

// The permission rules. Pages and the API both call these; nothing else
// decides who may do what.

// CanAdminister reports whether u may manage users, teams and grants and
// read the audit log.
func CanAdminister(u *User) bool { return u.Has(RoleAdmin) }

// CanManageTeam reports whether u may add members to team: an admin or one
// of the team's product owners.
func CanManageTeam(u *User, teamID int64) bool {
	return CanAdminister(u) || (u.Has(RoleProductOwner) && u.IsMember(teamID))
}

// CanGrantResearcher reports whether u may grant researchers access to a
// team's reports and exports.
func CanGrantResearcher(u *User) bool { return CanAdminister(u) }

// CanViewTeam reports whether u may see team: its members, researchers and
// admins.
func CanViewTeam(u *User, teamID int64) bool {
	return CanManageTeam(u, teamID) || (u.Has(RoleResearcher) && u.IsResearcherOf(teamID))
}

// CanEditWorkflows reports whether u may create and change the workflows and
// draft releases of team, and publish and close its releases: the team's
// product owners and admins.
func CanEditWorkflows(u *User, teamID int64) bool { return CanManageTeam(u, teamID) }

// CanSeeRelease reports whether u may see a release of team in status: the
// team and its researchers always, clinicians while it is open for trials.
func CanSeeRelease(u *User, teamID int64, status ReleaseStatus) bool {
	return CanViewTeam(u, teamID) || (status == StatusOpen && u.Has(RoleClinician))
}

// CanTakeTrial reports whether u may start a trial of a release in status:
// clinicians, while it is open.
func CanTakeTrial(u *User, status ReleaseStatus) bool {
	return u.Has(RoleClinician) && status == StatusOpen
}

// CanExportResearchData reports whether u may download the pseudonymised
// research exports of team's workflows: the team, its researchers and
// admins.
func CanExportResearchData(u *User, teamID int64) bool { return CanViewTeam(u, teamID) }

// CanReadReports reports whether u may read the usability reports of team's
// releases: the team, its researchers and admins.
func CanReadReports(u *User, teamID int64) bool { return CanViewTeam(u, teamID) }

// TeamScope is the teams whose data someone may read, as a set for queries:
// every team, or the ones listed.
type TeamScope struct {
	All     bool
	TeamIDs []int64
}

// Has reports whether the scope holds team.
func (s TeamScope) Has(teamID int64) bool { return s.All || slices.Contains(s.TeamIDs, teamID) }

// ReadScope is the teams u may see, CanViewTeam as a set: stores narrow
// their reads of team data to it, so that a check forgotten elsewhere
// still shows nothing it should not.
func ReadScope(u *User) TeamScope {
	if CanAdminister(u) {
		return TeamScope{All: true}
	}
	s := TeamScope{TeamIDs: []int64{}}
	if u == nil {
		return s
	}
	for _, m := range u.Teams {
		if CanViewTeam(u, m.TeamID) && !slices.Contains(s.TeamIDs, m.TeamID) {
			s.TeamIDs = append(s.TeamIDs, m.TeamID)
		}
	}
	return s
}

// ResearchDataOnly reports whether u reads team's trial data as research
// data: a researcher granted to the team who is not also one of its product
// owners or an admin sees only the trials of clinicians who agreed to
// research use, as the exports hold (PRODUCT.md).
func ResearchDataOnly(u *User, teamID int64) bool {
	return u.Has(RoleResearcher) && u.IsResearcherOf(teamID) && !CanManageTeam(u, teamID)
}

// CanInviteClinicians reports whether u may email invitations to a release
// of team: the team's product owners and admins.
func CanInviteClinicians(u *User, teamID int64) bool { return CanManageTeam(u, teamID) }

// CanSetRecruitmentTargets reports whether u may set how many clinicians of
// each profession a release of team wants: the team's product owners and
// admins.
func CanSetRecruitmentTargets(u *User, teamID int64) bool { return CanManageTeam(u, teamID) }

// CanSeeRecruitment reports whether u may see who was invited to and took
// part in the releases of team, by profession: the team's product owners
// and admins.
func CanSeeRecruitment(u *User, teamID int64) bool { return CanManageTeam(u, teamID) }

// CanSeeInvitation reports whether anyone, signed in or not, may read what
// an invite link to a release in status offers: its workflow's title, the
// version, the team and how long it takes. Only open releases invite.
func CanSeeInvitation(status ReleaseStatus) bool { return status == StatusOpen }
