package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// handleAPIReleaseReport answers with a release's usability report.
func (s *Server) handleAPIReleaseReport(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	r, err := s.app.Reports.Release(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
