package web

import (
	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// The authoring actions the pages and the API share: each checks who may do
// it to which object, then calls the store.

// workflowFor returns workflow id if u may see it (ENOTFOUND otherwise,
// even when it exists) and, when edit is set, change it (EFORBIDDEN).
func (s *Server) workflowFor(c echo.Context, u *sandpit.User, id int64, edit bool) (*sandpit.Workflow, error) {
	w, err := s.store.Workflow(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	if !sandpit.CanViewTeam(u, w.TeamID) {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Workflow not found.")
	}
	if edit {
		if err := allow(sandpit.CanEditWorkflows(u, w.TeamID)); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Release access levels.
const (
	accessSee  = iota // see it, as a clinician taking a trial may
	accessRead        // read its definition: its team and researchers
	accessEdit        // change, publish or close it: its team
)

// releaseFor returns what permission checks need of release id, if u has
// access to it: ENOTFOUND for people who may not see it at all.
func (s *Server) releaseFor(c echo.Context, u *sandpit.User, id int64, access int) (*store.ReleaseMeta, error) {
	m, err := s.store.ReleaseMeta(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	if !sandpit.CanSeeRelease(u, m.TeamID, m.Status) || (access >= accessRead && !sandpit.CanViewTeam(u, m.TeamID)) {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Release not found.")
	}
	if access == accessEdit {
		if err := allow(sandpit.CanEditWorkflows(u, m.TeamID)); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// createWorkflow creates a workflow in team teamID.
func (s *Server) createWorkflow(c echo.Context, u *sandpit.User, teamID int64, in sandpit.WorkflowInput) (int64, error) {
	team, err := s.store.Team(c.Request().Context(), teamID)
	if err != nil {
		return 0, err
	}
	if !sandpit.CanViewTeam(u, team.ID) {
		return 0, sandpit.Errorf(sandpit.ENOTFOUND, "Team not found.")
	}
	if err := allow(sandpit.CanEditWorkflows(u, team.ID)); err != nil {
		return 0, err
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	return s.store.CreateWorkflow(c.Request().Context(), team.ID, in, auditEntry(c, sandpit.AuditWorkflowCreated))
}

// importRelease creates a draft release of workflow id from def.
func (s *Server) importRelease(c echo.Context, u *sandpit.User, workflowID int64, def sandpit.Definition) (int64, error) {
	if _, err := s.workflowFor(c, u, workflowID, true); err != nil {
		return 0, err
	}
	images, err := def.CheckImages()
	if err != nil {
		return 0, err
	}
	return s.store.CreateRelease(c.Request().Context(), workflowID, def, images)
}

// replaceRelease replaces draft release id with def.
func (s *Server) replaceRelease(c echo.Context, u *sandpit.User, id int64, def sandpit.Definition) error {
	m, err := s.releaseFor(c, u, id, accessEdit)
	if err != nil {
		return err
	}
	if m.Status != sandpit.StatusDraft {
		return sandpit.Errorf(sandpit.ECONFLICT, "This release is published and can no longer change. Start a new release to make changes.")
	}
	images, err := def.CheckImages()
	if err != nil {
		return err
	}
	return s.store.ReplaceDefinition(c.Request().Context(), id, def, images)
}

// publishRelease opens draft release id for trials, or lists every reason
// it cannot be run yet.
func (s *Server) publishRelease(c echo.Context, u *sandpit.User, id int64) error {
	if _, err := s.releaseFor(c, u, id, accessEdit); err != nil {
		return err
	}
	r, err := s.store.Release(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if r.Published() {
		return sandpit.Errorf(sandpit.ECONFLICT, "This release is published already.")
	}
	if ps := r.PublishProblems(); len(ps) > 0 {
		return sandpit.ProblemsError(ps)
	}
	return s.store.SetReleaseStatus(c.Request().Context(), id, sandpit.StatusDraft, sandpit.StatusOpen, auditEntry(c, sandpit.AuditReleasePublish))
}

// closeRelease ends trials of open release id.
func (s *Server) closeRelease(c echo.Context, u *sandpit.User, id int64) error {
	if _, err := s.releaseFor(c, u, id, accessEdit); err != nil {
		return err
	}
	return s.store.SetReleaseStatus(c.Request().Context(), id, sandpit.StatusOpen, sandpit.StatusClosed, auditEntry(c, sandpit.AuditReleaseClosed))
}
