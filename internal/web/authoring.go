package web

import (
	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// accessRead is the access to a release that releaseFor checks: reading
// its definition, as its team and researchers may.
const accessRead = 1

// releaseFor returns what permission checks need of release id, if u may
// read it. It is kept for the adapters of areas not yet moved into their
// own services (exports, release reports); app.Authoring decides.
func (s *Server) releaseFor(c echo.Context, u *sandpit.User, id int64, _ int) (*store.ReleaseMeta, error) {
	return s.app.Authoring.ReleaseMeta(c.Request().Context(), app.Actor{User: u, IP: c.RealIP()}, id)
}

// workflowFor returns workflow id if u may see it. It is kept for the
// adapters of areas not yet moved into their own services (exports);
// app.Authoring decides.
func (s *Server) workflowFor(c echo.Context, u *sandpit.User, id int64, _ bool) (*sandpit.Workflow, error) {
	v, err := s.app.Authoring.Workflow(c.Request().Context(), app.Actor{User: u, IP: c.RealIP()}, id)
	if err != nil {
		return nil, err
	}
	return v.Workflow, nil
}
