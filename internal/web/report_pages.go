package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// reportPageView builds the usability report page of release id.
func (s *Server) reportPageView(c echo.Context, id int64) (*reportPageView, error) {
	p, err := s.app.Reports.ReleasePage(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return nil, err
	}
	layout := s.layout(c, fmt.Sprintf("Usability report: %s release %s", p.Workflow.Title, p.Release.Version))
	return newReportPageView(layout, p), nil
}

// handleShowAndTell shows a release's report in big type, one section a
// slide, for projecting or printing.
func (s *Server) handleShowAndTell(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.app.Reports.ShowAndTell(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	layout := s.layout(c, fmt.Sprintf("Show and tell: %s release %s", p.Workflow.Title, p.Release.Version))
	st := showAndTellView{reportPageView: newReportPageView(layout, p.ReleasePage)}
	for i, f := range st.Findings {
		if i < 3 {
			f.Quote = p.Quotes[f.ID]
			st.Top = append(st.Top, f)
		}
	}
	for _, f := range p.YouSaid {
		st.YouSaid = append(st.YouSaid, youSaidItem{Title: f.Title, StatusLabel: sandpit.FindingStatusLabel(f.Status), Response: f.Response})
	}
	if n := p.Next; n != nil {
		st.Next = &nextRelease{Version: n.Version, Notes: n.Notes, Open: n.Status == sandpit.StatusOpen, Closed: n.Status == sandpit.StatusClosed}
	}
	return s.render(c, http.StatusOK, "report/show_and_tell", st)
}
