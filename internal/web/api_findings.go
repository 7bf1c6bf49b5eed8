package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// releaseRefJSON names a release.
type releaseRefJSON struct {
	ID      int64  `json:"id"`
	Version string `json:"version"`
}

// evidenceJSON is what one release contributed to a finding.
type evidenceJSON struct {
	Release      releaseRefJSON `json:"release"`
	Participants int            `json:"participants"`
	Reports      int            `json:"reports"`
}

// findingJSON is a finding as the API shows it.
type findingJSON struct {
	ID            int64          `json:"id"`
	WorkflowID    int64          `json:"workflow_id"`
	Title         string         `json:"title"`
	Category      string         `json:"category"`
	Severity      int            `json:"severity"`
	SafetyConcern bool           `json:"safety_concern"`
	Status        string         `json:"status"`
	Response      string         `json:"response"`
	Reason        string         `json:"reason"`
	Participants  int            `json:"participants"`
	Reports       int            `json:"reports"`
	Frequency     float64        `json:"frequency"`
	CreatedAt     time.Time      `json:"created_at"`
	Evidence      []evidenceJSON `json:"evidence"`
}

func toFindingJSON(f store.FindingSummary) findingJSON {
	out := findingJSON{ID: f.ID, WorkflowID: f.WorkflowID, Title: f.Title, Category: f.Category, Severity: f.Severity, SafetyConcern: f.SafetyConcern,
		Status: f.Status, Response: f.Response, Reason: f.Reason, Participants: f.Participants, Reports: f.Reports, Frequency: f.Frequency,
		CreatedAt: f.CreatedAt, Evidence: []evidenceJSON{}}
	for _, e := range f.Evidence {
		out.Evidence = append(out.Evidence, evidenceJSON{releaseRefJSON{e.ReleaseID, e.Version}, e.Participants, e.Reports})
	}
	return out
}

// handleAPIFindingList lists a workflow's findings in order, with their
// evidence per release.
func (s *Server) handleAPIFindingList(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	board, err := s.app.Findings.Board(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	out := make([]findingJSON, len(board.Findings))
	for i, f := range board.Findings {
		out[i] = toFindingJSON(f)
	}
	return c.JSON(http.StatusOK, out)
}

// handleAPIFindingUpdate changes a finding's title, severity, status,
// response or reason.
func (s *Server) handleAPIFindingUpdate(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req struct {
		Title    *string `json:"title"`
		Severity *int    `json:"severity"`
		Status   *string `json:"status"`
		Response *string `json:"response"`
		Reason   *string `json:"reason"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	upd := sandpit.FindingUpdate{Title: req.Title, Severity: req.Severity, Status: req.Status, Response: req.Response, Reason: req.Reason}
	f, err := s.app.Findings.Update(c.Request().Context(), actorOf(c), id, upd)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFindingJSON(*f))
}

// handleAPIFindingMerge moves the reports of other findings of the same
// workflow into this one.
func (s *Server) handleAPIFindingMerge(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req struct {
		From []int64 `json:"from"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, err := s.app.Findings.Merge(c.Request().Context(), actorOf(c), id, req.From)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFindingJSON(*f))
}

// findingRefJSON names a finding and what became of it.
type findingRefJSON struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Response string `json:"response"`
}

// safetyConcernJSON is a safety concern as the API shows it.
type safetyConcernJSON struct {
	ID        int64          `json:"id"`
	Team      string         `json:"team"`
	Workflow  string         `json:"workflow"`
	Release   releaseRefJSON `json:"release"`
	Task      string         `json:"task"`
	Screen    string         `json:"screen"`
	Category  string         `json:"category"`
	Severity  int            `json:"severity"`
	Text      string         `json:"text"`
	CreatedAt time.Time      `json:"created_at"`
	Triage    string         `json:"triage"`
	Finding   findingRefJSON `json:"finding"`
}

func toSafetyConcernJSON(r app.Concern) safetyConcernJSON {
	return safetyConcernJSON{ID: r.ID, Team: r.Team, Workflow: r.Workflow, Release: releaseRefJSON{r.ReleaseID, r.Version},
		Task: r.TaskKey, Screen: r.Screen, Category: r.Category, Severity: r.Severity, Text: r.Text, CreatedAt: r.CreatedAt,
		Triage: r.Triage, Finding: findingRefJSON{r.FindingID, r.FindingTitle, r.FindingStatus, r.FindingResponse}}
}

// handleAPISafetyConcerns lists every safety concern of every team, newest
// first, or those of the triage status ?triage= names, for safety officers.
func (s *Server) handleAPISafetyConcerns(c echo.Context) error {
	if _, err := apiUser(c); err != nil {
		return err
	}
	list, err := s.app.Safety.Concerns(c.Request().Context(), actorOf(c), c.QueryParam("triage"))
	if err != nil {
		return err
	}
	out := make([]safetyConcernJSON, len(list))
	for i, r := range list {
		out[i] = toSafetyConcernJSON(r)
	}
	return c.JSON(http.StatusOK, out)
}

// handleAPISafetyTriage records a safety officer's triage of one safety
// concern and answers with the concern.
func (s *Server) handleAPISafetyTriage(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req struct {
		Triage string `json:"triage"`
		Note   string `json:"note"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	concern, err := s.app.Safety.Triage(c.Request().Context(), actorOf(c), id, sandpit.Triage{Status: req.Triage, Note: req.Note})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSafetyConcernJSON(*concern))
}
