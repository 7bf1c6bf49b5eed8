package sandpit

import "time"

// Audit actions: the security- and research-relevant things Sandpit records.
const (
	AuditSignIn          = "sign_in"
	AuditSignInFailed    = "sign_in_failed"
	AuditSignOut         = "sign_out"
	AuditRegister        = "register"
	AuditUserCreated     = "user_created"
	AuditRoleGranted     = "role_granted"
	AuditRoleRemoved     = "role_removed"
	AuditUserDisabled    = "user_disabled"
	AuditPasswordChanged = "password_changed"
	AuditPasswordLink    = "password_link_created"
	AuditProfileUpdated  = "profile_updated"
	AuditTeamCreated     = "team_created"
	AuditMemberAdded     = "team_member_added"
	AuditResearcherGrant = "researcher_granted"
	AuditMemberRemoved   = "team_member_removed"
	AuditResearcherRevok = "researcher_revoked"
	AuditTokenCreated    = "token_created"
	AuditTokenRevoked    = "token_revoked"
)

// AuditActions lists every audit action, for filters.
func AuditActions() []string {
	return []string{AuditSignIn, AuditSignInFailed, AuditSignOut, AuditRegister, AuditUserCreated,
		AuditRoleGranted, AuditRoleRemoved, AuditUserDisabled, AuditPasswordChanged, AuditPasswordLink, AuditProfileUpdated,
		AuditTeamCreated, AuditMemberAdded, AuditResearcherGrant, AuditMemberRemoved, AuditResearcherRevok, AuditTokenCreated, AuditTokenRevoked,
		AuditSSOSignIn, AuditIdentityLinked, AuditIdentityUnlinked, AuditSignInLink,
		AuditWorkflowCreated, AuditReleasePublish, AuditReleaseClosed, AuditHotspotsSaved, AuditConsent, AuditWithdraw,
		AuditFindingUpdated, AuditFindingsMerged, AuditReportMoved, AuditSafetyTriaged, AuditExport,
		AuditInvited, AuditTargetsSet, AuditUnsubscribed,
		AuditWorkflowUpdated, AuditShowAndTellHeld}
}

// AuditEvent is one append-only record of an action.
type AuditEvent struct {
	ID        int64
	At        time.Time
	ActorID   *int64 // who did it; nil when nobody was signed in
	Actor     string // the actor's email, for display
	Action    string
	SubjectID *int64 // the user acted upon, if any
	Subject   string
	TeamID    *int64
	IP        string
	Detail    string
}

// AuditEntry is what an action asks to be recorded; the store adds the time.
type AuditEntry struct {
	ActorID   *int64
	Action    string
	SubjectID *int64
	TeamID    *int64
	IP        string
	Detail    string
}

// Authoring audit actions.
const (
	AuditWorkflowCreated = "workflow_created"
	AuditReleasePublish  = "release_published"
	AuditReleaseClosed   = "release_closed"
	// AuditHotspotsSaved records a screen's hotspots replaced as a whole.
	AuditHotspotsSaved = "hotspots_saved"
)

// AuditExport records a research export: who, of what, in which format and
// how many rows of each table.
const AuditExport = "data_exported"

// Trial audit actions.
const (
	AuditConsent  = "trial_consent"
	AuditWithdraw = "trial_withdrawn"
)
