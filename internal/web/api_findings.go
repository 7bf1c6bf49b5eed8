package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// The curation actions the pages and the API share: each checks who may do
// it to which finding, then calls the store.

// findingWorkflowFor returns workflow id if u may read its findings
// (ENOTFOUND otherwise, even when it exists).
func (s *Server) findingWorkflowFor(c echo.Context, u *sandpit.User, id int64) (*sandpit.Workflow, error) {
	w, err := s.store.Workflow(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	if !sandpit.CanReadFindings(u, w.TeamID) {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Workflow not found.")
	}
	return w, nil
}

// findingFor returns what permission checks need of finding id if u may
// read it (ENOTFOUND otherwise) and, when curate is set, curate it
// (EFORBIDDEN).
func (s *Server) findingFor(c echo.Context, u *sandpit.User, id int64, curate bool) (*store.FindingMeta, error) {
	m, err := s.store.FindingMeta(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	if !sandpit.CanReadFindings(u, m.TeamID) {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Finding not found.")
	}
	if curate {
		if err := allow(sandpit.CanCurateFindings(u, m.TeamID)); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// curationEntry is the audit entry of a curation action in team teamID.
func curationEntry(c echo.Context, action string, teamID int64) sandpit.AuditEntry {
	e := auditEntry(c, action)
	e.TeamID = &teamID
	return e
}

// updateFinding applies upd to finding id.
func (s *Server) updateFinding(c echo.Context, u *sandpit.User, id int64, upd sandpit.FindingUpdate) error {
	m, err := s.findingFor(c, u, id, true)
	if err != nil {
		return err
	}
	if err := upd.Validate(); err != nil {
		return err
	}
	return s.store.UpdateFinding(c.Request().Context(), id, upd, curationEntry(c, sandpit.AuditFindingUpdated, m.TeamID))
}

// mergeFindings moves the reports of findings from into finding into.
func (s *Server) mergeFindings(c echo.Context, u *sandpit.User, into int64, from []int64) error {
	m, err := s.findingFor(c, u, into, true)
	if err != nil {
		return err
	}
	return s.store.MergeFindings(c.Request().Context(), into, from, curationEntry(c, sandpit.AuditFindingsMerged, m.TeamID))
}

// moveReport moves report id into finding to.
func (s *Server) moveReport(c echo.Context, u *sandpit.User, reportID, to int64) (*store.FindingMeta, error) {
	m, err := s.store.ReportMeta(c.Request().Context(), reportID)
	if err != nil {
		return nil, err
	}
	if !sandpit.CanReadFindings(u, m.TeamID) {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Report not found.")
	}
	if err := allow(sandpit.CanCurateFindings(u, m.TeamID)); err != nil {
		return nil, err
	}
	return m, s.store.MoveReport(c.Request().Context(), reportID, to, curationEntry(c, sandpit.AuditReportMoved, m.TeamID))
}

// triageReport records a safety officer's triage of report id.
func (s *Server) triageReport(c echo.Context, u *sandpit.User, id int64, t sandpit.Triage) error {
	if err := allow(sandpit.CanTriageSafety(u)); err != nil {
		return err
	}
	return s.store.TriageReport(c.Request().Context(), id, t, auditEntry(c, sandpit.AuditSafetyTriaged))
}

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
	u, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	w, err := s.findingWorkflowFor(c, u, id)
	if err != nil {
		return err
	}
	list, err := s.store.WorkflowFindings(c.Request().Context(), w.ID)
	if err != nil {
		return err
	}
	out := make([]findingJSON, len(list))
	for i, f := range list {
		out[i] = toFindingJSON(f)
	}
	return c.JSON(http.StatusOK, out)
}

// apiFindingAnswer answers with finding id as it is now.
func (s *Server) apiFindingAnswer(c echo.Context, id int64) error {
	d, err := s.store.Finding(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toFindingJSON(d.FindingSummary))
}

// handleAPIFindingUpdate changes a finding's title, severity, status or
// response. A status of wont_fix needs a reason: "reason", or else the
// response given with it.
func (s *Server) handleAPIFindingUpdate(c echo.Context) error {
	u, id, err := apiUserAndID(c)
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
	if upd.Reason == nil && upd.Status != nil && *upd.Status == sandpit.FindingWontFix && upd.Response != nil {
		upd.Reason = upd.Response
	}
	if err := s.updateFinding(c, u, id, upd); err != nil {
		return err
	}
	return s.apiFindingAnswer(c, id)
}

// handleAPIFindingMerge moves the reports of other findings of the same
// workflow into this one.
func (s *Server) handleAPIFindingMerge(c echo.Context) error {
	u, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req struct {
		From []int64 `json:"from"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.mergeFindings(c, u, id, req.From); err != nil {
		return err
	}
	return s.apiFindingAnswer(c, id)
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

// handleAPISafetyConcerns lists every safety concern of every team, newest
// first, for safety officers.
func (s *Server) handleAPISafetyConcerns(c echo.Context) error {
	u, err := apiUser(c)
	if err != nil {
		return err
	}
	if err := allow(sandpit.CanTriageSafety(u)); err != nil {
		return err
	}
	list, err := s.store.SafetyConcerns(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]safetyConcernJSON, len(list))
	for i, r := range list {
		out[i] = safetyConcernJSON{ID: r.ID, Team: r.Team, Workflow: r.Workflow, Release: releaseRefJSON{r.ReleaseID, r.Version},
			Task: r.TaskKey, Screen: r.Screen, Category: r.Category, Severity: r.Severity, Text: r.Text, CreatedAt: r.CreatedAt,
			Triage: r.Triage, Finding: findingRefJSON{r.FindingID, r.FindingTitle, r.FindingStatus, r.FindingResponse}}
	}
	return c.JSON(http.StatusOK, out)
}
