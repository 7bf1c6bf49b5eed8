package web

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Layout is what the base layout reads; every page's view embeds it.
type Layout struct {
	Title   string // the page's own title; "Sandpit" follows it
	Sandbox bool   // shows the prototype banner
}

// render answers with page rendered from data.
func (s *Server) render(c echo.Context, status int, page string, data any) error {
	var buf bytes.Buffer
	if err := s.renderer.Render(&buf, page, data); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// homeView is the home page.
type homeView struct {
	Layout
}

// handleHome shows what Sandpit is and who it is for.
func (s *Server) handleHome(c echo.Context) error {
	return s.render(c, http.StatusOK, "home/show", homeView{Layout: Layout{Title: "Clinician co-design for NHS product teams"}})
}
