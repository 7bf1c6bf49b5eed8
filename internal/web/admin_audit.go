package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

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
	if err := allow(sandpit.CanAdminister(currentUser(c))); err != nil {
		return err
	}
	email := strings.TrimSpace(c.QueryParam("email"))
	action := c.QueryParam("action")
	if !slices.Contains(sandpit.AuditActions(), action) {
		action = ""
	}
	page := pageParam(c)
	events, total, err := s.store.AuditEvents(c.Request().Context(),
		store.AuditFilter{Email: email, Action: action, Offset: (page - 1) * adminPageSize, Limit: adminPageSize})
	if err != nil {
		return err
	}
	filters := url.Values{}
	if email != "" {
		filters.Set("email", email)
	}
	if action != "" {
		filters.Set("action", action)
	}
	view := auditListView{Layout: s.layout(c, "Audit log"), Email: email, Action: action, Actions: sandpit.AuditActions(),
		Events: events, Total: total, Pager: newPager("/admin/audit", filters, page, total)}
	return s.render(c, http.StatusOK, "admin/audit_list", view)
}
