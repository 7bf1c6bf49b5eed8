package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// releaseReport builds release id's report for u, comparing it with the
// previous release and the baseline.
func (s *Server) releaseReport(c echo.Context, u *sandpit.User, id int64) (*findings.Report, error) {
	if _, err := s.releaseFor(c, u, id, accessRead); err != nil {
		return nil, err
	}
	side := func(id int64) (*findings.Side, error) {
		r, err := s.store.Release(c.Request().Context(), id)
		if err != nil {
			return nil, err
		}
		f, err := s.store.ReleaseFigures(c.Request().Context(), id)
		if err != nil {
			return nil, err
		}
		return &findings.Side{Ref: findings.ReleaseRef{ID: r.ID, Version: r.Version, Baseline: r.Baseline}, Def: &r.Definition, Figures: f}, nil
	}
	b, err := side(id)
	if err != nil {
		return nil, err
	}
	prevID, baseID, err := s.store.ComparableReleases(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	var prev, base *findings.Side
	if prevID != 0 {
		if prev, err = side(prevID); err != nil {
			return nil, err
		}
	}
	if baseID != 0 {
		if base, err = side(baseID); err != nil {
			return nil, err
		}
	}
	r := findings.Build(*b, prev, base)
	return &r, nil
}

// handleAPIReleaseReport answers with a release's usability report.
func (s *Server) handleAPIReleaseReport(c echo.Context) error {
	u, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	r, err := s.releaseReport(c, u, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
