package web

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPI describes the JSON API (OpenAPI 3.1).
//
//go:embed openapi.json
var openAPI []byte

// handleAPIOpenAPI serves the API's OpenAPI description.
func (s *Server) handleAPIOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPI)
}
