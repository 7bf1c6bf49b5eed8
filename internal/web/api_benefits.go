package web

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/stats"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// workflowPatchRequest is the body of PATCH /workflows/{id}: only the
// fields present change; "staff_count": null clears the count.
type workflowPatchRequest struct {
	Title            *string         `json:"title"`
	Description      *string         `json:"description"`
	ConsentText      *string         `json:"consent_text"`
	StaffCount       json.RawMessage `json:"staff_count"`
	StaffCountSource *string         `json:"staff_count_source"`
}

// handleAPIWorkflowUpdate changes a workflow's fields and staff count.
func (s *Server) handleAPIWorkflowUpdate(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req workflowPatchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	patch := app.WorkflowPatch{Title: req.Title, Description: req.Description, ConsentText: req.ConsentText, StaffCountSource: req.StaffCountSource}
	if req.StaffCount != nil {
		patch.SetStaffCount = true
		if err := json.Unmarshal(req.StaffCount, &patch.StaffCount); err != nil {
			return sandpit.Invalid("Check the workflow.", sandpit.OutOfRange("staff_count", 1, sandpit.MaxStaffCount))
		}
	}
	w, err := s.app.Authoring.UpdateWorkflow(c.Request().Context(), actorOf(c), id, patch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWorkflowJSON(w))
}

func toReleaseRef(r *store.ReleaseRef) *releaseRefJSON {
	if r == nil {
		return nil
	}
	return &releaseRefJSON{r.ID, r.Version}
}

// benefitsJSON is GET /benefits.
type benefitsJSON struct {
	Workflows    []workflowBenefitsJSON `json:"workflows"`
	Teams        []teamBenefitsJSON     `json:"teams"`
	HoursPerYear *float64               `json:"hours_per_year"`
	HoursCI      *stats.Interval        `json:"hours_ci"`
}

type teamBenefitsJSON struct {
	ID           int64           `json:"id"`
	Name         string          `json:"name"`
	HoursPerYear *float64        `json:"hours_per_year"`
	HoursCI      *stats.Interval `json:"hours_ci"`
}

type workflowBenefitsJSON struct {
	ID               int64                 `json:"id"`
	Title            string                `json:"title"`
	Team             teamJSON              `json:"team"`
	StaffCount       *int                  `json:"staff_count"`
	StaffCountSource string                `json:"staff_count_source"`
	Baseline         *releaseRefJSON       `json:"baseline"`
	Release          *releaseRefJSON       `json:"release"`
	Tasks            []taskBenefitsJSON    `json:"tasks"`
	SUS              *findings.DiffFigures `json:"sus"`
	HoursPerYear     *float64              `json:"hours_per_year"`
	HoursCI          *stats.Interval       `json:"hours_ci"`
	Reason           *string               `json:"reason"` // why there is no figure
}

type taskBenefitsJSON struct {
	Key               string          `json:"key"`
	Title             string          `json:"title"`
	DailyFrequency    float64         `json:"daily_frequency"`
	TimeSavedS        *float64        `json:"time_saved_s"`
	TimeSavedCI       *stats.Interval `json:"time_saved_ci"`
	HoursPerYear      *float64        `json:"hours_per_year"`
	HoursCI           *stats.Interval `json:"hours_ci"`
	SuccessDifference *float64        `json:"success_difference"`
	SuccessCI         *stats.Interval `json:"success_ci"`
	SuccessVerdict    *string         `json:"success_verdict"`
	TimeVerdict       *string         `json:"time_verdict"`
}

func toBenefitsJSON(c *app.BenefitsCase) benefitsJSON {
	out := benefitsJSON{Workflows: []workflowBenefitsJSON{}, Teams: []teamBenefitsJSON{}, HoursPerYear: c.HoursPerYear, HoursCI: c.HoursCI}
	for _, t := range c.Teams {
		out.Teams = append(out.Teams, teamBenefitsJSON{t.ID, t.Name, t.HoursPerYear, t.HoursCI})
	}
	for _, w := range c.Workflows {
		j := workflowBenefitsJSON{ID: w.ID, Title: w.Title, Team: teamJSON{w.TeamID, w.TeamName}, StaffCount: w.StaffCount,
			StaffCountSource: w.StaffCountSource, Baseline: toReleaseRef(w.Baseline), Release: toReleaseRef(w.Release),
			Tasks: []taskBenefitsJSON{}, SUS: w.SUS, HoursPerYear: w.HoursPerYear, HoursCI: w.HoursCI}
		if w.Reason != "" {
			reason := w.Reason
			j.Reason = &reason
		}
		for _, t := range w.Tasks {
			tj := taskBenefitsJSON{Key: t.Key, Title: t.Title, DailyFrequency: t.DailyFrequency, HoursPerYear: t.HoursPerYear, HoursCI: t.HoursCI,
				SuccessDifference: t.SuccessDifference, SuccessCI: t.SuccessCI, SuccessVerdict: t.SuccessVerdict, TimeVerdict: t.TimeVerdict}
			if t.Savings != nil {
				tj.TimeSavedS, tj.TimeSavedCI = t.TimeSavedS, t.TimeSavedCI
			}
			j.Tasks = append(j.Tasks, tj)
		}
		out.Workflows = append(out.Workflows, j)
	}
	return out
}

// handleAPIBenefits answers the benefits case of the caller's teams.
func (s *Server) handleAPIBenefits(c echo.Context) error {
	if _, err := apiUser(c); err != nil {
		return err
	}
	bc, err := s.app.Benefits.Case(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toBenefitsJSON(bc))
}

// monthShowAndTellJSON is GET /teams/{id}/show-and-tell?month=YYYY-MM.
type monthShowAndTellJSON struct {
	Month           string                  `json:"month"`
	Team            teamJSON                `json:"team"`
	Releases        []monthReleaseJSON      `json:"releases"`
	Participants    participantsJSON        `json:"participants"`
	FindingsFixed   []monthFindingJSON      `json:"findings_fixed"`
	FindingsPlanned []monthFindingJSON      `json:"findings_planned"`
	Comparisons     []releaseComparisonJSON `json:"comparisons"`
	HoursPerYear    *float64                `json:"hours_per_year"`
	HoursCI         *stats.Interval         `json:"hours_ci"`
	// HoursBefore is the figure at the start of the month, to show how it
	// moved.
	HoursBefore *float64     `json:"hours_per_year_before"`
	Held        *heldJSON    `json:"held"`
	Benefits    benefitsJSON `json:"benefits"`
}

type participantsJSON struct {
	N            int            `json:"n"`
	ByProfession map[string]int `json:"by_profession"`
}

type monthReleaseJSON struct {
	ID          int64    `json:"id"`
	Version     string   `json:"version"`
	Baseline    bool     `json:"baseline"`
	Status      string   `json:"status"`
	Notes       string   `json:"notes"`
	PublishedAt string   `json:"published_at"`
	Workflow    teamJSON `json:"workflow"`
}

type monthFindingJSON struct {
	ID            int64  `json:"id"`
	Workflow      string `json:"workflow"`
	Title         string `json:"title"`
	Status        string `json:"status"`
	Severity      int    `json:"severity"`
	SafetyConcern bool   `json:"safety_concern"`
	Response      string `json:"response"`
}

type releaseComparisonJSON struct {
	Release  releaseRefJSON       `json:"release"`
	Workflow teamJSON             `json:"workflow"`
	Previous *findings.Comparison `json:"previous"`
	Baseline *findings.Comparison `json:"baseline"`
}

type heldJSON struct {
	On        string `json:"on"`
	Attendees int    `json:"attendees"`
}

func toMonthFindings(list []store.MonthFinding) []monthFindingJSON {
	out := []monthFindingJSON{}
	for _, f := range list {
		out = append(out, monthFindingJSON{f.ID, f.WorkflowTitle, f.Title, f.Status, f.Severity, f.SafetyConcern, f.Response})
	}
	return out
}

func toMonthShowAndTellJSON(m *app.MonthShowAndTell) monthShowAndTellJSON {
	out := monthShowAndTellJSON{Month: m.Month.String(), Team: teamJSON{m.Team.ID, m.Team.Name}, Releases: []monthReleaseJSON{},
		Participants: participantsJSON{N: m.ParticipantsTotal(), ByProfession: map[string]int{}}, FindingsFixed: toMonthFindings(m.Fixed),
		FindingsPlanned: toMonthFindings(m.Planned), Comparisons: []releaseComparisonJSON{}, HoursPerYear: m.Benefits.HoursPerYear,
		HoursCI: m.Benefits.HoursCI, HoursBefore: m.Before.HoursPerYear, Benefits: toBenefitsJSON(m.Benefits)}
	for _, r := range m.Releases {
		out.Releases = append(out.Releases, monthReleaseJSON{r.ID, r.Version, r.Baseline, r.Status, r.Notes,
			r.PublishedAt.UTC().Format("2006-01-02T15:04:05Z07:00"), teamJSON{r.WorkflowID, r.WorkflowTitle}})
	}
	for _, g := range m.Participants {
		out.Participants.ByProfession[g.Profession] = g.N
	}
	for _, rc := range m.Comparisons {
		out.Comparisons = append(out.Comparisons, releaseComparisonJSON{releaseRefJSON{rc.Release.ID, rc.Release.Version},
			teamJSON{rc.Release.WorkflowID, rc.Release.WorkflowTitle}, rc.Previous, rc.Baseline})
	}
	if m.Held != nil {
		out.Held = &heldJSON{m.Held.On, m.Held.Attendees}
	}
	return out
}

// handleAPITeamShowAndTell answers a team's show-and-tell of a month.
func (s *Server) handleAPITeamShowAndTell(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	m, err := s.app.Benefits.ShowAndTell(c.Request().Context(), actorOf(c), id, c.QueryParam("month"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMonthShowAndTellJSON(m))
}

// showAndTellRequest is the body of PUT /teams/{id}/show-and-tells/{month}.
type showAndTellRequest struct {
	On        string `json:"on"`
	Attendees int    `json:"attendees"`
}

// handleAPIShowAndTellRecord records that a team's monthly show-and-tell
// was held.
func (s *Server) handleAPIShowAndTellRecord(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req showAndTellRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	h, err := s.app.Benefits.RecordShowAndTell(c.Request().Context(), actorOf(c), id, c.Param("month"),
		sandpit.ShowAndTellSession{On: req.On, Attendees: req.Attendees})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"month": h.Month, "on": h.On, "attendees": h.Attendees})
}
