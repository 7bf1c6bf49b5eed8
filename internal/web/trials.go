package web

import (
	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// The trial actions the pages and the API share.

// trialWrite loads what a write to u's trial id needs. Another person's
// trial is ENOTFOUND.
func (s *Server) trialWrite(c echo.Context, u *sandpit.User, id int64, task string) (*sandpit.Trial, store.TrialWrite, error) {
	ctx := c.Request().Context()
	t, err := s.store.Trial(ctx, id, u.ID)
	if err != nil {
		return nil, store.TrialWrite{}, err
	}
	m, err := s.store.ReleaseMeta(ctx, t.ReleaseID)
	if err != nil {
		return nil, store.TrialWrite{}, err
	}
	def, err := s.store.PublishedDefinition(ctx, t.ReleaseID)
	if err != nil {
		return nil, store.TrialWrite{}, err
	}
	return t, store.TrialWrite{TrialID: t.ID, UserID: u.ID, TaskKey: task, Def: def, Open: m.Status == sandpit.StatusOpen}, nil
}

// startTrial records u's consent to release id and starts their trial, or
// returns the trial they have.
func (s *Server) startTrial(c echo.Context, u *sandpit.User, releaseID int64, accepted, researchUse bool) (*sandpit.Trial, bool, error) {
	ctx := c.Request().Context()
	m, err := s.store.ReleaseMeta(ctx, releaseID)
	if err != nil {
		return nil, false, err
	}
	if !sandpit.CanSeeRelease(u, m.TeamID, m.Status) {
		return nil, false, sandpit.Errorf(sandpit.ENOTFOUND, "Release not found.")
	}
	if existing, err := s.store.TrialFor(ctx, releaseID, u.ID); err != nil || existing != nil {
		return existing, false, err
	}
	if err := allow(sandpit.CanTakeTrial(u, m.Status)); err != nil {
		return nil, false, sandpit.Errorf(sandpit.EFORBIDDEN, "Only clinicians can take part in trials, and only while the release is open.")
	}
	if !accepted {
		return nil, false, sandpit.InvalidMessages("Agree to take part to start the trial.", map[string]string{"consent.accepted": "tick to agree to take part"})
	}
	w, err := s.store.Workflow(ctx, m.WorkflowID)
	if err != nil {
		return nil, false, err
	}
	return s.store.StartTrial(ctx, releaseID, u.ID, w.ConsentVersion, researchUse, auditEntry(c, sandpit.AuditConsent))
}

// createReport validates and stores a report of u's trial id.
func (s *Server) createReport(c echo.Context, u *sandpit.User, id int64, r sandpit.Report) (*sandpit.Report, error) {
	t, w, err := s.trialWrite(c, u, id, r.TaskKey)
	if err != nil {
		return nil, err
	}
	if err := r.Validate(w.Def); err != nil {
		return nil, err
	}
	m, err := s.store.ReleaseMeta(c.Request().Context(), t.ReleaseID)
	if err != nil {
		return nil, err
	}
	return s.store.CreateReport(c.Request().Context(), w, m.WorkflowID, r)
}

// answerSUS scores and stores u's SUS answers for trial id.
func (s *Server) answerSUS(c echo.Context, u *sandpit.User, id int64, answers []int) (float64, error) {
	score, err := sandpit.SUSScore(answers)
	if err != nil {
		return 0, err
	}
	_, w, err := s.trialWrite(c, u, id, "")
	if err != nil {
		return 0, err
	}
	return score, s.store.SaveSUS(c.Request().Context(), w, answers, score)
}
