package web

import (
	"io/fs"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// largeBodies are the routes whose bodies carry images, with the most
// each may send: the 1 MB limit of every other body does not apply, the
// text check reads no more, and the route's own limit answers first.
var largeBodies = map[string]int64{
	"/api/v1/workflows/:id/releases":  maxDefinitionBytes,
	"/api/v1/releases/:id/definition": maxDefinitionBytes,
	"/workflows/:id/releases/import":  maxDefinitionBytes,
	"/releases/:id/screens":           maxScreenBytes,
	"/releases/:id/screens/:key":      maxScreenBytes,
}

// maxScreenBytes bounds a screen upload: a 5 MB image and its form fields.
const maxScreenBytes = 6 << 20

// screenLimit bounds a screen upload to maxScreenBytes.
var screenLimit = middleware.BodyLimit("6M")

// maxDefinitionBytes bounds a release definition's body. Up to 100 screens
// of 5 MB would be more, but a definition that large belongs in several
// releases: reading one holds about twice its size (the text and the
// images it carries), and four imports at once must stay well inside
// 300 MB.
const maxDefinitionBytes = 16 << 20

// definitionLimit refuses a definition body over maxDefinitionBytes with a
// 413 that names the limit: at once when its length is declared, else as
// soon as reading passes it.
func definitionLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > maxDefinitionBytes {
			return definitionTooLarge()
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, maxDefinitionBytes)
		return next(c)
	}
}

// definitionTooLarge is the answer to a definition over the limit.
func definitionTooLarge() error {
	return sandpit.Errorf(sandpit.ETOOLARGE, "A release definition may be at most %d MB, images included: split its screens over several releases.", maxDefinitionBytes>>20)
}

// routes lists Sandpit's whole HTTP surface.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.securityHeaders)
	e.Use(middleware.RequestID())
	e.Use(s.requestLog())
	e.Use(recoverPanics())
	// Every body is small but release definitions and screen uploads, which
	// carry images and set their own limits.
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "1M", Skipper: func(c echo.Context) bool {
		_, large := largeBodies[c.Path()]
		return large
	}}))

	// Operations.
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)

	// Assets: Sandpit's own, and the NHS.UK frontend's images at the path its
	// stylesheet expects.
	e.Group("/static", cacheFor(time.Hour)).StaticFS("/", s.static)
	if assets, err := fs.Sub(s.static, "vendor/nhsuk/assets"); err == nil {
		e.Group("/assets", cacheFor(24*time.Hour)).StaticFS("/", assets)
	}

	// The JSON API: bearer tokens only, no cookies, so no CSRF.
	// The text check runs behind authentication, so that a stranger's large
	// body is refused before anything reads it.
	api := e.Group("/api/v1", s.apiAuth, s.checkText)
	api.GET("/openapi.json", s.handleAPIOpenAPI)
	api.POST("/tokens", s.handleAPITokenCreate)
	api.DELETE("/tokens/current", s.handleAPITokenRevokeCurrent)
	api.GET("/me", s.handleAPIMe)
	api.POST("/register", s.handleAPIRegister, s.idempotent)
	api.POST("/users", s.handleAPIUserCreate, s.idempotent)
	api.POST("/teams", s.handleAPITeamCreate, s.idempotent)
	api.POST("/teams/:id/members", s.handleAPITeamMemberAdd, s.idempotent)
	api.POST("/teams/:id/researchers", s.handleAPITeamResearcherAdd, s.idempotent)
	api.DELETE("/teams/:id/members/:user", s.handleAPITeamMemberRemove)
	api.DELETE("/teams/:id/researchers/:user", s.handleAPITeamResearcherRevoke)
	api.POST("/teams/:id/workflows", s.handleAPIWorkflowCreate, s.idempotent)
	api.GET("/workflows", s.handleAPIWorkflowList)
	api.GET("/workflows/:id", s.handleAPIWorkflowShow)
	api.PATCH("/workflows/:id", s.handleAPIWorkflowUpdate)
	api.POST("/workflows/:id/releases", s.handleAPIReleaseCreate, definitionLimit, s.idempotent)
	api.GET("/releases/:id", s.handleAPIReleaseShow)
	api.GET("/releases/:id/definition", s.handleAPIReleaseDefinition)
	api.PUT("/releases/:id/definition", s.handleAPIReleaseReplace, definitionLimit)
	api.POST("/releases/:id/publish", s.handleAPIReleasePublish)
	api.POST("/releases/:id/close", s.handleAPIReleaseClose)
	api.POST("/releases/:id/invitations", s.handleAPIInvite, s.idempotent)
	api.PUT("/releases/:id/targets", s.handleAPITargetsSet)
	api.GET("/releases/:id/recruitment", s.handleAPIRecruitment)
	api.GET("/screens/:id/image", s.handleAPIScreenImage)
	api.GET("/trials/available", s.handleAPITrialsAvailable)
	api.POST("/releases/:id/trials", s.handleAPITrialCreate, s.idempotent)
	api.POST("/trials/:id/tasks/:key/start", s.handleAPIAttemptStart)
	api.POST("/trials/:id/tasks/:key/clicks", s.handleAPIClick)
	api.POST("/trials/:id/tasks/:key/give-up", s.handleAPIGiveUp)
	api.POST("/trials/:id/tasks/:key/pause", s.handleAPIPause)
	api.POST("/trials/:id/tasks/:key/resume", s.handleAPIResume)
	api.POST("/trials/:id/tasks/:key/rating", s.handleAPIRating)
	api.POST("/trials/:id/reports", s.handleAPIReportCreate, s.idempotent)
	api.POST("/trials/:id/sus", s.handleAPISUS)
	api.POST("/trials/:id/complete", s.handleAPITrialComplete)
	api.DELETE("/trials/:id", s.handleAPITrialWithdraw)
	api.GET("/me/feedback", s.handleAPIMyFeedback)
	api.GET("/releases/:id/report", s.handleAPIReleaseReport)
	api.GET("/workflows/:id/findings", s.handleAPIFindingList)
	api.PATCH("/findings/:id", s.handleAPIFindingUpdate)
	api.POST("/findings/:id/merge", s.handleAPIFindingMerge)
	api.GET("/safety-concerns", s.handleAPISafetyConcerns)
	api.PATCH("/safety-concerns/:id", s.handleAPISafetyTriage)
	api.GET("/releases/:id/export", s.handleExportDownload(app.ExportRelease))
	api.GET("/workflows/:id/export", s.handleExportDownload(app.ExportWorkflow))
	api.GET("/benefits", s.handleAPIBenefits)
	api.GET("/teams/:id/show-and-tell", s.handleAPITeamShowAndTell)
	api.PUT("/teams/:id/show-and-tells/:month", s.handleAPIShowAndTellRecord)

	// Pages: the session cookie and a CSRF token on every form.
	pages := e.Group("", s.csrf(), s.loadSession, s.checkText)
	pages.GET("/", s.handleHome)
	pages.GET("/register", s.handleRegisterShow)
	pages.POST("/register", s.handleRegisterSubmit)
	pages.GET("/sign-in", s.handleSignInShow)
	pages.POST("/sign-in", s.handleSignInSubmit)
	pages.POST("/sign-out", s.handleSignOut)
	pages.POST("/sign-in/sso/:provider", s.handleSSOStart)
	pages.GET("/sign-in/sso/:provider/callback", s.handleSSOCallback)
	pages.GET("/sign-in/sso/profile", s.handleSSOProfileShow)
	pages.POST("/sign-in/sso/profile", s.handleSSOProfileSubmit)
	pages.GET("/sign-in/link/:token", s.handleSignInLinkShow)
	pages.POST("/sign-in/link/:token", s.handleSignInLinkSubmit)
	pages.GET("/set-password/:token", s.handleSetPasswordShow)
	pages.POST("/set-password/:token", s.handleSetPasswordSubmit)
	// Unsubscribe links work signed out: the signed token is the proof.
	pages.GET("/unsubscribe/:token", s.handleUnsubscribeShow)
	pages.POST("/unsubscribe/:token", s.handleUnsubscribeSubmit)

	account := pages.Group("/account", s.requireUser)
	account.GET("", s.handleAccountShow)
	account.POST("/profile", s.handleAccountProfileUpdate)
	account.POST("/password", s.handleAccountPasswordChange)
	account.POST("/tokens", s.handleAccountTokenCreate)
	account.POST("/tokens/:id/revoke", s.handleAccountTokenRevoke)
	account.POST("/sso/:provider/link", s.handleSSOLink)
	account.POST("/identities/:id/unlink", s.handleIdentityUnlink)

	// Authoring: product teams build workflows and releases.
	// A group without a prefix would catch every unknown path for its
	// middleware, so these routes take requireUser one by one.
	author := pages
	author.GET("/workflows", s.handleWorkflowList, s.requireUser)
	author.GET("/teams/:id/workflows/new", s.handleWorkflowNew, s.requireUser)
	author.POST("/teams/:id/workflows", s.handleWorkflowCreate, s.requireUser)
	author.GET("/workflows/:id", showPage(s, "workflow/show", s.workflowShowView), s.requireUser)
	author.GET("/workflows/:id/edit", s.handleWorkflowEdit, s.requireUser)
	author.POST("/workflows/:id", s.handleWorkflowUpdate, s.requireUser)
	author.POST("/workflows/:id/staff-count", s.handleWorkflowStaffCount, s.requireUser)
	author.POST("/workflows/:id/releases", s.handleReleaseCreate, s.requireUser)
	author.POST("/workflows/:id/releases/import", s.handleReleaseImport, s.requireUser, definitionLimit)
	author.GET("/releases/:id", showPage(s, "release/show", s.releaseView), s.requireUser)
	author.POST("/releases/:id/details", s.handleReleaseDetailsUpdate, s.requireUser)
	author.POST("/releases/:id/screens", s.handleScreenCreate, s.requireUser, screenLimit)
	author.GET("/releases/:id/screens/:key", showPage(s, "screen/edit", s.screenView), s.requireUser)
	author.POST("/releases/:id/screens/:key", s.handleScreenUpdate, s.requireUser, screenLimit)
	author.POST("/releases/:id/screens/:key/move", s.handleScreenMove, s.requireUser)
	author.POST("/releases/:id/screens/:key/delete", s.handleScreenDelete, s.requireUser)
	author.POST("/releases/:id/screens/:key/hotspots", s.handleHotspotsSave, s.requireUser)
	author.GET("/releases/:id/tasks/new", s.handleTaskNew, s.requireUser)
	author.POST("/releases/:id/tasks", s.handleTaskCreate, s.requireUser)
	author.GET("/releases/:id/tasks/:key", s.handleTaskEdit, s.requireUser)
	author.POST("/releases/:id/tasks/:key", s.handleTaskUpdate, s.requireUser)
	author.POST("/releases/:id/tasks/:key/delete", s.handleTaskDelete, s.requireUser)
	author.GET("/releases/:id/publish", showPage(s, "release/publish", s.publishView), s.requireUser)
	author.POST("/releases/:id/publish", s.handleReleasePublish, s.requireUser)
	author.POST("/releases/:id/close", s.handleReleaseClose, s.requireUser)
	author.GET("/releases/:id/invitations", showPage(s, "release/invitations", s.invitationPage), s.requireUser)
	author.POST("/releases/:id/invitations", s.handleInvitationSubmit, s.requireUser)
	author.GET("/releases/:id/targets", s.handleTargetsShow, s.requireUser)
	author.POST("/releases/:id/targets", s.handleTargetsSubmit, s.requireUser)
	author.GET("/releases/:id/definition.json", s.handleReleaseExport, s.requireUser)
	author.GET("/releases/:id/preview", s.handleReleasePreview, s.requireUser)
	author.GET("/releases/:id/preview/:task", s.handleReleasePreviewScreen, s.requireUser)
	author.POST("/releases/:id/preview/:task", s.handleReleasePreviewClick, s.requireUser)
	author.GET("/screens/:id/image", s.handleScreenImage, s.requireUser)

	// Trials: clinicians take open releases in the sandbox.
	pages.GET("/trials", s.handleTrialList, s.requireUser)
	pages.GET("/releases/:id/invite", s.handleTrialInvite)
	pages.GET("/releases/:id/consent", s.handleConsentShow, s.requireUser)
	pages.POST("/releases/:id/consent", s.handleConsentSubmit, s.requireUser)
	pages.GET("/trials/:id", s.handleTrialShow, s.requireUser)
	pages.GET("/trials/:id/tasks/:key", s.handleTaskScreen, s.requireUser)
	pages.POST("/trials/:id/tasks/:key/start", s.handleTaskStart, s.requireUser)
	pages.POST("/trials/:id/tasks/:key/click", s.handleTaskClick, s.requireUser)
	pages.POST("/trials/:id/tasks/:key/report", s.handleTaskReport, s.requireUser)
	pages.POST("/trials/:id/tasks/:key/stuck", s.handleTaskStuck, s.requireUser)
	pages.POST("/trials/:id/tasks/:key/pause", s.handleTaskPause, s.requireUser)
	pages.POST("/trials/:id/tasks/:key/resume", s.handleTaskResume, s.requireUser)
	pages.GET("/trials/:id/tasks/:key/rating", s.handleRatingShow, s.requireUser)
	pages.POST("/trials/:id/tasks/:key/rating", s.handleRatingSubmit, s.requireUser)
	pages.GET("/trials/:id/report", s.handleReportShow, s.requireUser)
	pages.POST("/trials/:id/report", s.handleReportSubmit, s.requireUser)
	pages.GET("/trials/:id/sus", s.handleSUSShow, s.requireUser)
	pages.POST("/trials/:id/sus", s.handleSUSSubmit, s.requireUser)
	pages.POST("/trials/:id/complete", s.handleTrialComplete, s.requireUser)
	pages.GET("/trials/:id/done", s.handleTrialDone, s.requireUser)
	pages.GET("/trials/:id/withdraw", s.handleWithdrawShow, s.requireUser)
	pages.POST("/trials/:id/withdraw", s.handleWithdrawSubmit, s.requireUser)
	pages.GET("/feedback", s.handleFeedbackList, s.requireUser)

	// Findings and reports: product teams see what clinicians found, and
	// answer it.
	pages.GET("/releases/:id/report", showPage(s, "report/show", s.reportPageView), s.requireUser)
	pages.GET("/releases/:id/show-and-tell", s.handleShowAndTell, s.requireUser)
	pages.GET("/workflows/:id/findings", s.handleFindingsBoard, s.requireUser)
	pages.GET("/findings/:id", showPage(s, "finding/show", s.findingShowView), s.requireUser)
	pages.POST("/findings/:id", s.handleFindingUpdate, s.requireUser)
	pages.POST("/findings/:id/merge", s.handleFindingMerge, s.requireUser)
	pages.POST("/reports/:id/move", s.handleReportMove, s.requireUser)
	pages.GET("/safety-concerns", s.handleSafetyConcerns, s.requireUser)
	pages.POST("/safety-concerns/:id/triage", s.handleSafetyTriage, s.requireUser)

	// Benefits and monthly show-and-tells: what leaving legacy is worth,
	// for the organisation, and each team's monthly rhythm.
	pages.GET("/benefits", s.handleBenefits, s.requireUser)
	pages.GET("/benefits.csv", s.handleBenefitsCSV, s.requireUser)
	pages.GET("/teams/:id/show-and-tell", s.handleTeamShowAndTell, s.requireUser)
	pages.GET("/teams/:id/show-and-tells", s.handleShowAndTellArchive, s.requireUser)
	pages.POST("/teams/:id/show-and-tells/:month", s.handleShowAndTellRecord, s.requireUser)

	// Research exports: the team and its researchers download pseudonymised
	// data sets.
	pages.GET("/releases/:id/export", s.handleExportPage(app.ExportRelease), s.requireUser)
	pages.GET("/releases/:id/export/download", s.handleExportDownload(app.ExportRelease), s.requireUser)
	pages.GET("/workflows/:id/export", s.handleExportPage(app.ExportWorkflow), s.requireUser)
	pages.GET("/workflows/:id/export/download", s.handleExportDownload(app.ExportWorkflow), s.requireUser)

	admin := pages.Group("/admin", s.requireUser, s.requireAdmin)
	admin.GET("/users", s.handleAdminUserList)
	admin.GET("/users/new", s.handleAdminUserNew)
	admin.POST("/users", s.handleAdminUserCreate)
	admin.GET("/users/:id", s.handleAdminUserShow)
	admin.POST("/users/:id/roles", s.handleAdminUserRoleGrant)
	admin.POST("/users/:id/roles/:role/remove", s.handleAdminUserRoleRemove)
	admin.POST("/users/:id/disable", s.handleAdminUserDisable)
	admin.POST("/users/:id/password-link", s.handleAdminUserPasswordLink)
	admin.GET("/teams", s.handleAdminTeamList)
	admin.POST("/teams", s.handleAdminTeamCreate)
	admin.GET("/teams/:id", s.handleAdminTeamShow)
	admin.POST("/teams/:id/members", s.handleAdminTeamMemberAdd)
	admin.POST("/teams/:id/researchers", s.handleAdminTeamResearcherAdd)
	admin.POST("/teams/:id/members/:user/remove", s.handleAdminTeamMemberRemove)
	admin.POST("/teams/:id/researchers/:user/revoke", s.handleAdminTeamResearcherRevoke)
	admin.GET("/audit", s.handleAdminAuditList)
}
