package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// taskJSON is a task as a clinician sees it.
type taskJSON struct {
	Key      string `json:"key"`
	Title    string `json:"title"`
	Scenario string `json:"scenario"`
}

// trialScreenJSON is the screen a clinician is shown.
type trialScreenJSON struct {
	Key      string `json:"key"`
	Title    string `json:"title"`
	ImageURL string `json:"image_url"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
}

func toTrialScreen(def *sandpit.Definition, key string) trialScreenJSON {
	sc := def.Screen(key)
	if sc == nil {
		return trialScreenJSON{Key: key}
	}
	return trialScreenJSON{Key: sc.Key, Title: sc.Title, ImageURL: screenImageURL(sc.ID), Width: sc.Width, Height: sc.Height}
}

// handleAPITrialsAvailable lists the open releases the caller may take.
func (s *Server) handleAPITrialsAvailable(c echo.Context) error {
	u, err := apiUser(c)
	if err != nil {
		return err
	}
	list, err := s.store.AvailableReleases(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	type item struct {
		ReleaseID   int64      `json:"release_id"`
		Workflow    string     `json:"workflow"`
		Team        string     `json:"team"`
		Version     string     `json:"version"`
		Notes       string     `json:"notes"`
		Tasks       int        `json:"tasks"`
		PublishedAt *time.Time `json:"published_at"`
		TrialID     *int64     `json:"trial_id"`
		Completed   bool       `json:"completed"`
	}
	out := []item{}
	if u.Has(sandpit.RoleClinician) {
		for _, r := range list {
			out = append(out, item{r.ReleaseID, r.WorkflowTitle, r.TeamName, r.Version, r.Notes, r.Tasks, r.PublishedAt, r.TrialID, r.CompletedAt != nil})
		}
	}
	return c.JSON(http.StatusOK, out)
}

// handleAPITrialCreate consents to and starts a trial of a release.
func (s *Server) handleAPITrialCreate(c echo.Context) error {
	u, releaseID, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req struct {
		Consent struct {
			Accepted    bool `json:"accepted"`
			ResearchUse bool `json:"research_use"`
		} `json:"consent"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, created, err := s.startTrial(c, u, releaseID, req.Consent.Accepted, req.Consent.ResearchUse)
	if err != nil {
		return err
	}
	def, err := s.store.PublishedDefinition(c.Request().Context(), t.ReleaseID)
	if err != nil {
		return err
	}
	tasks := []taskJSON{}
	for _, task := range def.Tasks {
		tasks = append(tasks, taskJSON{task.Key, task.Title, task.Scenario})
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, map[string]any{"id": t.ID, "release_id": t.ReleaseID, "consent_version": t.ConsentVersion,
		"research_use": t.ResearchUse, "tasks": tasks})
}

// trialTaskParams reads the caller, the trial id and the task key.
func trialTaskParams(c echo.Context) (*sandpit.User, int64, string, error) {
	u, id, err := apiUserAndID(c)
	return u, id, c.Param("key"), err
}

// handleAPIAttemptStart starts a task, or returns where the attempt is.
func (s *Server) handleAPIAttemptStart(c echo.Context) error {
	u, id, key, err := trialTaskParams(c)
	if err != nil {
		return err
	}
	_, w, err := s.trialWrite(c, u, id, key)
	if err != nil {
		return err
	}
	a, err := s.store.StartAttempt(c.Request().Context(), w)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"screen": toTrialScreen(w.Def, a.Screen), "done": a.Done(), "paused": a.Paused()})
}

// handleAPIClick records a click and answers with the screen shown next.
func (s *Server) handleAPIClick(c echo.Context) error {
	u, id, key, err := trialTaskParams(c)
	if err != nil {
		return err
	}
	var req struct {
		Seq *int `json:"seq"`
		X   *int `json:"x"`
		Y   *int `json:"y"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	for name, v := range map[string]*int{"seq": req.Seq, "x": req.X, "y": req.Y} {
		if v == nil {
			fields[name] = "is required"
		}
	}
	if len(fields) > 0 {
		return sandpit.InvalidMessages("Send seq, x and y.", fields)
	}
	_, w, err := s.trialWrite(c, u, id, key)
	if err != nil {
		return err
	}
	ans, err := s.store.RecordClick(c.Request().Context(), w, *req.Seq, *req.X, *req.Y)
	if err != nil {
		return err
	}
	body := map[string]any{"hit": ans.Hit, "screen": toTrialScreen(w.Def, ans.Screen), "done": ans.Done}
	if ans.Done {
		body["outcome"] = ans.Outcome
	}
	return c.JSON(http.StatusOK, body)
}

// updateAttempt applies change to the caller's attempt and answers with its
// state.
func (s *Server) apiUpdateAttempt(c echo.Context, change func(a *sandpit.Attempt, now time.Time) error) error {
	u, id, key, err := trialTaskParams(c)
	if err != nil {
		return err
	}
	_, w, err := s.trialWrite(c, u, id, key)
	if err != nil {
		return err
	}
	a, err := s.store.UpdateAttempt(c.Request().Context(), w, change)
	if err != nil {
		return err
	}
	body := map[string]any{"done": a.Done(), "paused": a.Paused(), "interruptions": a.Interruptions}
	if a.Done() {
		body["outcome"] = a.Outcome
	}
	return c.JSON(http.StatusOK, body)
}

// handleAPIGiveUp ends the attempt: "I'm stuck".
func (s *Server) handleAPIGiveUp(c echo.Context) error {
	return s.apiUpdateAttempt(c, func(a *sandpit.Attempt, now time.Time) error { return a.GiveUp(now) })
}

// handleAPIPause pauses the attempt: "I've been interrupted".
func (s *Server) handleAPIPause(c echo.Context) error {
	return s.apiUpdateAttempt(c, func(a *sandpit.Attempt, now time.Time) error { return a.Pause(now) })
}

// handleAPIResume resumes a paused attempt.
func (s *Server) handleAPIResume(c echo.Context) error {
	return s.apiUpdateAttempt(c, func(a *sandpit.Attempt, now time.Time) error {
		if a.Done() {
			return sandpit.Errorf(sandpit.ECONFLICT, "This task is finished already.")
		}
		a.Resume(now)
		return nil
	})
}

// handleAPIRating records the SEQ rating of a finished task.
func (s *Server) handleAPIRating(c echo.Context) error {
	var req struct {
		Ease    *int   `json:"ease"`
		Comment string `json:"comment"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Ease == nil {
		return sandpit.InvalidMessages("Send the ease rating.", map[string]string{"ease": "is required, 1 to 7"})
	}
	return s.apiUpdateAttempt(c, func(a *sandpit.Attempt, _ time.Time) error { return a.Rate(*req.Ease, req.Comment) })
}

// handleAPIReportCreate records a problem pinned to a screen.
func (s *Server) handleAPIReportCreate(c echo.Context) error {
	u, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req struct {
		Task          string `json:"task"`
		Screen        string `json:"screen"`
		X             *int   `json:"x"`
		Y             *int   `json:"y"`
		Category      string `json:"category"`
		Severity      int    `json:"severity"`
		SafetyConcern bool   `json:"safety_concern"`
		Text          string `json:"text"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.X == nil || req.Y == nil {
		return sandpit.InvalidMessages("Send where the pin is.", map[string]string{"x": "x and y are required"})
	}
	r, err := s.createReport(c, u, id, sandpit.Report{TaskKey: req.Task, Screen: req.Screen, X: *req.X, Y: *req.Y, Category: req.Category,
		Severity: req.Severity, SafetyConcern: req.SafetyConcern, Text: req.Text})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": r.ID, "finding_id": r.FindingID})
}

// handleAPISUS records the SUS answers.
func (s *Server) handleAPISUS(c echo.Context) error {
	u, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req struct {
		Answers []int `json:"answers"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	score, err := s.answerSUS(c, u, id, req.Answers)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"score": score})
}

// handleAPITrialComplete finishes the trial.
func (s *Server) handleAPITrialComplete(c echo.Context) error {
	u, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	_, w, err := s.trialWrite(c, u, id, "")
	if err != nil {
		return err
	}
	if err := s.store.CompleteTrial(c.Request().Context(), w); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "completed": true})
}

// handleAPITrialWithdraw deletes the caller's trial and everything in it.
func (s *Server) handleAPITrialWithdraw(c echo.Context) error {
	u, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	if err := s.store.WithdrawTrial(c.Request().Context(), id, u.ID, auditEntry(c, sandpit.AuditWithdraw)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleAPIMyFeedback lists the caller's reports and what became of them.
func (s *Server) handleAPIMyFeedback(c echo.Context) error {
	u, err := apiUser(c)
	if err != nil {
		return err
	}
	list, err := s.store.FeedbackOf(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	type ref struct {
		ID      int64  `json:"id"`
		Version string `json:"version"`
	}
	type finding struct {
		ID       int64  `json:"id"`
		Title    string `json:"title"`
		Status   string `json:"status"`
		Response string `json:"response"`
	}
	type item struct {
		ID            int64     `json:"id"`
		Release       ref       `json:"release"`
		Task          string    `json:"task"`
		Screen        string    `json:"screen"`
		Category      string    `json:"category"`
		Severity      int       `json:"severity"`
		SafetyConcern bool      `json:"safety_concern"`
		Text          string    `json:"text"`
		CreatedAt     time.Time `json:"created_at"`
		Finding       finding   `json:"finding"`
	}
	out := []item{}
	for _, f := range list {
		out = append(out, item{f.ReportID, ref{f.ReleaseID, f.Version}, f.TaskKey, f.Screen, f.Category, f.Severity, f.SafetyConcern, f.Text,
			f.CreatedAt, finding{f.FindingID, f.FindingTitle, f.FindingStatus, f.FindingResponse}})
	}
	return c.JSON(http.StatusOK, out)
}
