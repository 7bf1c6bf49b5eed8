package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// showPage is the handler rendering page with the view build makes of the
// path's :id; build asks the service, which checks that the caller may see
// it.
func showPage[V any](s *Server, page string, build func(echo.Context, int64) (V, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		view, err := build(c, id)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, page, view)
	}
}

// Layout is what the base layout reads; every page's view embeds it.
type Layout struct {
	Title   string        // the page's own title; "Sandpit" follows it
	Sandbox bool          // shows the prototype banner
	User    *sandpit.User // the signed-in user, or nil
	CSRF    string        // the token every form posts as _csrf
	Errors  FieldErrors   // the form's errors, for the error summary
	Flash   string        // a confirmation to show at the top of the page
	// ScreensUnchecked says uploaded screens are not read for NHS numbers
	// (SANDPIT_OCR=off); the upload forms say so.
	ScreensUnchecked bool
	// RefusedScreen is an upload refused for showing an NHS number, shown
	// with the number's box marked; it was not stored.
	RefusedScreen *refusedScreen
}

// layout returns the layout of a page titled title for this request.
func (s *Server) layout(c echo.Context, title string) Layout {
	token, _ := c.Get(csrfContextKey).(string)
	return Layout{Title: title, User: currentUser(c), CSRF: token, Flash: flashMessage(c.QueryParam("done")),
		ScreensUnchecked: !s.app.Authoring.ScreensChecked()}
}

// flashMessage is the confirmation shown after a redirect with ?done=key.
// Only these fixed sentences can appear, so a crafted link cannot put words
// on a Sandpit page.
func flashMessage(key string) string {
	if n, ok := strings.CutPrefix(key, "invited-"); ok {
		return invitedMessage(n)
	}
	switch key {
	case "targets":
		return "The recruitment targets have been saved."
	case "signed-out":
		return "You have signed out."
	case "linked":
		return "Your account has been linked. You can now sign in with it."
	case "unlinked":
		return "The account has been unlinked. You can no longer sign in with it."
	case "password-set":
		return "Your password has been set. Sign in with it now."
	case "registered":
		return "Your account has been created and you are signed in."
	case "profile":
		return "Your profile has been saved."
	case "password":
		return "Your password has been changed. You have been signed out everywhere else, and your API tokens have been revoked."
	case "token-revoked":
		return "The API token has been revoked."
	case "user-created":
		return "The user has been created."
	case "roles":
		return "The roles have been changed."
	case "disabled":
		return "The user has been disabled and signed out everywhere."
	case "team-created":
		return "The team has been created."
	case "member-added":
		return "The person has been added to the team."
	case "member-removed":
		return "The product owner has been removed from the team."
	case "researcher-revoked":
		return "The researcher's access to the team has been revoked."
	case "workflow-created":
		return "The workflow has been created."
	case "workflow-saved":
		return "The workflow has been saved."
	case "staff-count-saved":
		return "The staff count has been saved."
	case "show-and-tell-held":
		return "The show-and-tell has been recorded as held."
	case "release-created":
		return "The release has been started."
	case "release-imported":
		return "The release has been imported."
	case "release-saved":
		return "The release details have been saved."
	case "published":
		return "The release has been published and is open for trials."
	case "closed":
		return "The release has been closed."
	case "screen-added":
		return "The screen has been added. Now draw its hotspots."
	case "screen-saved":
		return "The screen has been saved."
	case "screen-moved":
		return "The screen has been moved."
	case "screen-deleted":
		return "The screen has been deleted."
	case "hotspots-saved":
		return "The hotspots have been saved."
	case "task-saved":
		return "The task has been saved."
	case "task-deleted":
		return "The task has been deleted."
	case "reported":
		return "Thank you. Your report has been sent to the product team."
	case "sus":
		return "Thank you. Your answers to the questionnaire have been saved."
	case "finding-saved":
		return "The finding has been saved."
	case "findings-merged":
		return "The findings have been merged into this one."
	case "report-moved":
		return "The report has been moved to this finding."
	case "triaged":
		return "The triage has been saved."
	case "withdrawn":
		return "You have withdrawn from the trial. Everything you recorded in it has been deleted."
	}
	return ""
}

// render answers with page rendered from data.
func (s *Server) render(c echo.Context, status int, page string, data any) error {
	var buf bytes.Buffer
	if err := s.renderer.Render(&buf, page, data); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// formStatus is the status of a form page: 200 when fresh, 422 with errors.
func formStatus(errs FieldErrors) int {
	if errs.Any() {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// conflictStatus is the status of a form page shown again with errs: 409
// when err is a conflict with what is stored, else as formStatus.
func conflictStatus(err error, errs FieldErrors) int {
	if sandpit.ErrorCode(err) == sandpit.ECONFLICT {
		return http.StatusConflict
	}
	return formStatus(errs)
}

// invitedMessage confirms that n invitations are on their way.
func invitedMessage(n string) string {
	switch n {
	case "0":
		return "Everyone on the list had been invited already, so no email was sent."
	case "1":
		return "1 invitation is on its way. Addresses invited before were skipped."
	}
	if _, err := strconv.Atoi(n); err != nil {
		return ""
	}
	return n + " invitations are on their way. Addresses invited before were skipped."
}
