package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// auditListView is the audit log, filtered by a user's email and an action.
type auditListView struct {
	Layout
	Email   string
	Action  string
	Actions []string
	Events  []sandpit.AuditEvent
	Total   int64
	Pager   pager
}

// handleAdminAuditList shows the audit log, newest first, a page at a time.
func (s *Server) handleAdminAuditList(c echo.Context) error {
	page := pageParam(c)
	log, err := s.app.Identity.AuditLog(c.Request().Context(), actorOf(c),
		store.AuditFilter{Email: c.QueryParam("email"), Action: c.QueryParam("action"), Offset: (page - 1) * adminPageSize, Limit: adminPageSize})
	if err != nil {
		return err
	}
	email, action := log.Filter.Email, log.Filter.Action
	filters := url.Values{}
	if email != "" {
		filters.Set("email", email)
	}
	if action != "" {
		filters.Set("action", action)
	}
	view := auditListView{Layout: s.layout(c, "Audit log"), Email: email, Action: action, Actions: sandpit.AuditActions(),
		Events: log.Events, Total: log.Total, Pager: newPager("/admin/audit", filters, page, log.Total)}
	return s.render(c, http.StatusOK, "admin/audit_list", view)
}
