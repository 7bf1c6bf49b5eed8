package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
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
	// Links is the list of the screen's links a clinician may use instead
	// of the image: each by its label or position, never its target.
	Links []trialLinkJSON `json:"links"`
}

// trialLinkJSON is one link of a screen's list.
type trialLinkJSON struct {
	Index int    `json:"index"`
	Label string `json:"label"`
}

func toTrialScreen(def *sandpit.Definition, key string) trialScreenJSON {
	sc := def.Screen(key)
	if sc == nil {
		return trialScreenJSON{Key: key, Links: []trialLinkJSON{}}
	}
	links := []trialLinkJSON{}
	for _, l := range trialLinks(sc) {
		links = append(links, trialLinkJSON{Index: l.Index, Label: l.Text})
	}
	return trialScreenJSON{Key: sc.Key, Title: sc.Title, ImageURL: screenImageURL(sc.ID), Width: sc.Width, Height: sc.Height, Links: links}
}

// handleAPITrialsAvailable lists the open releases the caller may take.
func (s *Server) handleAPITrialsAvailable(c echo.Context) error {
	if _, err := apiUser(c); err != nil {
		return err
	}
	av, err := s.app.Trials.Available(c.Request().Context(), actorOf(c))
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
	for _, r := range av.Releases {
		out = append(out, item{r.ReleaseID, r.WorkflowTitle, r.TeamName, r.Version, r.Notes, r.Tasks, r.PublishedAt, r.TrialID, r.CompletedAt != nil})
	}
	return c.JSON(http.StatusOK, out)
}

// handleAPITrialCreate consents to and starts a trial of a release.
func (s *Server) handleAPITrialCreate(c echo.Context) error {
	_, releaseID, err := apiUserAndID(c)
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
	st, err := s.app.Trials.Start(c.Request().Context(), actorOf(c),
		app.StartArgs{ReleaseID: releaseID, Accepted: req.Consent.Accepted, ResearchUse: req.Consent.ResearchUse})
	if err != nil {
		return err
	}
	tasks := []taskJSON{}
	for _, task := range st.Tasks {
		tasks = append(tasks, taskJSON{task.Key, task.Title, task.Scenario})
	}
	status := http.StatusOK
	if st.Created {
		status = http.StatusCreated
	}
	t := st.Trial
	return c.JSON(status, map[string]any{"id": t.ID, "release_id": t.ReleaseID, "consent_version": t.ConsentVersion,
		"research_use": t.ResearchUse, "tasks": tasks})
}

// trialTaskParams reads the trial id and the task key, once the caller has
// shown a token.
func trialTaskParams(c echo.Context) (int64, string, error) {
	_, id, err := apiUserAndID(c)
	return id, c.Param("key"), err
}

// handleAPIAttemptStart starts a task, or returns where the attempt is.
func (s *Server) handleAPIAttemptStart(c echo.Context) error {
	id, key, err := trialTaskParams(c)
	if err != nil {
		return err
	}
	st, err := s.app.Trials.StartAttempt(c.Request().Context(), actorOf(c), id, key)
	if err != nil {
		return err
	}
	a := st.Attempt
	return c.JSON(http.StatusOK, map[string]any{"screen": toTrialScreen(st.Def, a.Screen), "done": a.Done(), "paused": a.Paused()})
}

// handleAPIClick records a click and answers with the screen shown next.
func (s *Server) handleAPIClick(c echo.Context) error {
	id, key, err := trialTaskParams(c)
	if err != nil {
		return err
	}
	var req struct {
		Seq  *int   `json:"seq"`
		Via  string `json:"via"`
		X    *int   `json:"x"`
		Y    *int   `json:"y"`
		Link *int   `json:"link"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ans, err := s.app.Trials.Click(c.Request().Context(), actorOf(c),
		app.ClickArgs{TrialID: id, Task: key, Seq: req.Seq, Via: req.Via, X: req.X, Y: req.Y, Link: req.Link})
	if err != nil {
		return err
	}
	body := clickJSON{Hit: ans.Hit, Screen: toTrialScreen(ans.Def, ans.Screen), Done: ans.Done}
	if ans.Done {
		body.Outcome = ans.Outcome
	}
	return c.JSON(http.StatusOK, body)
}

// clickJSON is the answer to a click: a struct rather than a map, as it is
// the API's most frequent answer.
type clickJSON struct {
	Hit     bool            `json:"hit"`
	Screen  trialScreenJSON `json:"screen"`
	Done    bool            `json:"done"`
	Outcome sandpit.Outcome `json:"outcome,omitempty"` // once done
}

// attemptJSON answers with the state of attempt a.
func attemptJSON(c echo.Context, a *sandpit.Attempt) error {
	body := map[string]any{"done": a.Done(), "paused": a.Paused(), "interruptions": a.Interruptions}
	if a.Done() {
		body["outcome"] = a.Outcome
	}
	return c.JSON(http.StatusOK, body)
}

// apiAttemptAction runs one of the attempt's use cases (give up, pause,
// resume) and answers with the attempt's state.
func (s *Server) apiAttemptAction(c echo.Context, action func(ctx context.Context, a app.Actor, id int64, key string) (*sandpit.Attempt, error)) error {
	id, key, err := trialTaskParams(c)
	if err != nil {
		return err
	}
	a, err := action(c.Request().Context(), actorOf(c), id, key)
	if err != nil {
		return err
	}
	return attemptJSON(c, a)
}

// handleAPIGiveUp ends the attempt: "I'm stuck".
func (s *Server) handleAPIGiveUp(c echo.Context) error {
	return s.apiAttemptAction(c, s.app.Trials.GiveUp)
}

// handleAPIPause pauses the attempt: "I've been interrupted".
func (s *Server) handleAPIPause(c echo.Context) error {
	return s.apiAttemptAction(c, s.app.Trials.Pause)
}

// handleAPIResume resumes a paused attempt.
func (s *Server) handleAPIResume(c echo.Context) error {
	return s.apiAttemptAction(c, s.app.Trials.Resume)
}

// handleAPIRating records the SEQ rating of a finished task.
func (s *Server) handleAPIRating(c echo.Context) error {
	id, key, err := trialTaskParams(c)
	if err != nil {
		return err
	}
	var req struct {
		Ease    *int   `json:"ease"`
		Comment string `json:"comment"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.app.Trials.Rate(c.Request().Context(), actorOf(c), app.RateArgs{TrialID: id, Task: key, Ease: req.Ease, Comment: req.Comment})
	if err != nil {
		return err
	}
	return attemptJSON(c, r.Attempt)
}

// handleAPIReportCreate records a problem pinned to a screen.
func (s *Server) handleAPIReportCreate(c echo.Context) error {
	_, id, err := apiUserAndID(c)
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
	r, err := s.app.Trials.Report(c.Request().Context(), actorOf(c), app.ReportArgs{TrialID: id, Task: req.Task, Screen: req.Screen,
		X: req.X, Y: req.Y, Category: req.Category, Severity: req.Severity, SafetyConcern: req.SafetyConcern, Text: req.Text})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"id": r.ID, "finding_id": r.FindingID})
}

// handleAPISUS records the SUS answers.
func (s *Server) handleAPISUS(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req struct {
		Answers []int `json:"answers"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	score, err := s.app.Trials.SUS(c.Request().Context(), actorOf(c), id, req.Answers)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"score": score})
}

// handleAPITrialComplete finishes the trial.
func (s *Server) handleAPITrialComplete(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	if err := s.app.Trials.Complete(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"id": id, "completed": true})
}

// handleAPITrialWithdraw deletes the caller's trial and everything in it.
func (s *Server) handleAPITrialWithdraw(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	if err := s.app.Trials.Withdraw(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleAPIMyFeedback lists the caller's reports and what became of them.
func (s *Server) handleAPIMyFeedback(c echo.Context) error {
	if _, err := apiUser(c); err != nil {
		return err
	}
	fb, err := s.app.Trials.Feedback(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	type ref struct {
		ID      int64  `json:"id"`
		Version string `json:"version"`
	}
	type finding struct {
		ID       int64   `json:"id"`
		Title    *string `json:"title"` // null until the product owner sets one
		Status   string  `json:"status"`
		Response string  `json:"response"`
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
	for _, f := range fb.Items {
		var title *string
		if f.FindingTitle != "" {
			title = &f.FindingTitle
		}
		out = append(out, item{f.ReportID, ref{f.ReleaseID, f.Version}, f.TaskKey, f.Screen, f.Category, f.Severity, f.SafetyConcern, f.Text,
			f.CreatedAt, finding{f.FindingID, title, f.FindingStatus, f.FindingResponse}})
	}
	return c.JSON(http.StatusOK, out)
}
