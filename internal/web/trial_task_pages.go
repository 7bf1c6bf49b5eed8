package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// hintAfter is how many misclicks in a row offer to show the clickable
// areas.
const hintAfter = 3

// taskScreenView is one task of a trial: the screen shown now, or the
// paused page.
type taskScreenView struct {
	Layout
	TrialID    int64
	Workflow   *sandpit.Workflow
	Version    string
	Task       *sandpit.Task
	TaskNumber int
	TaskCount  int
	Screen     *sandpit.Screen
	Seq        int
	Paused     bool
	Missed     bool // the last click was not on a clickable area
	Hint       bool // the last clicks were all misses
	ShowAreas  bool // the clickable areas are outlined on the screen
	Links      []previewLink
	Areas      []sandpit.Hotspot
}

// ReportHref is the link to report a problem on the screen shown.
func (v taskScreenView) ReportHref() string {
	return fmt.Sprintf("%s/report?task=%s&screen=%s", trialPath(v.TrialID), url.QueryEscape(v.Task.Key), url.QueryEscape(v.Screen.Key))
}

// taskOf returns task :key of the trial in tc, or ENOTFOUND.
func taskOf(c echo.Context, tc *trialContext) (*sandpit.Task, int, error) {
	for i := range tc.Def.Tasks {
		if tc.Def.Tasks[i].Key == c.Param("key") {
			return &tc.Def.Tasks[i], i + 1, nil
		}
	}
	return nil, 0, sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
}

// taskScreenView returns the page of attempt a at task.
func (s *Server) taskScreenView(c echo.Context, tc *trialContext, task *sandpit.Task, number int, a *sandpit.Attempt) (taskScreenView, error) {
	v := taskScreenView{Layout: s.trialLayout(c, task.Title), TrialID: tc.Trial.ID, Workflow: tc.Workflow, Version: tc.Version,
		Task: task, TaskNumber: number, TaskCount: len(tc.Def.Tasks), Seq: a.LastSeq + 1, Paused: a.Paused(),
		Missed: c.QueryParam("miss") == "1", ShowAreas: c.QueryParam("show") == "areas"}
	v.Screen = tc.Def.Screen(a.Screen)
	if v.Screen == nil {
		return v, fmt.Errorf("web: attempt %d is on unknown screen %q", a.ID, a.Screen)
	}
	if v.Paused {
		v.Title = "Paused: " + task.Title
		return v, nil
	}
	v.Links = hotspotLinks(tc.Def, v.Screen)
	if v.ShowAreas {
		v.Areas = v.Screen.Hotspots
	}
	if a.Misclicks >= hintAfter {
		clicks, err := s.store.ClicksOf(c.Request().Context(), a.ID)
		if err != nil {
			return v, err
		}
		if n := len(clicks); n >= hintAfter {
			v.Hint = true
			for _, cl := range clicks[n-hintAfter:] {
				v.Hint = v.Hint && !cl.Hit
			}
		}
	}
	return v, nil
}

// loadTask loads the caller's trial :id and its task :key.
func (s *Server) loadTask(c echo.Context) (*trialContext, *sandpit.Task, int, error) {
	_, tc, err := s.loadTrial(c, c.Param("key"))
	if err != nil {
		return nil, nil, 0, err
	}
	task, number, err := taskOf(c, tc)
	if err != nil {
		return nil, nil, 0, err
	}
	return tc, task, number, nil
}

// handleTaskScreen shows a task: its scenario and the screen the clinician
// is on, starting the attempt on the first visit. A finished task goes to
// its rating; a paused one offers to resume.
func (s *Server) handleTaskScreen(c echo.Context) error {
	tc, task, number, err := s.loadTask(c)
	if err != nil {
		return err
	}
	if tc.Trial.Completed() {
		return c.Redirect(http.StatusSeeOther, trialPath(tc.Trial.ID))
	}
	a, err := s.store.StartAttempt(c.Request().Context(), tc.Write)
	if err != nil {
		return err
	}
	if a.Done() {
		return c.Redirect(http.StatusSeeOther, ratingPath(tc.Trial.ID, task.Key))
	}
	if !tc.Write.Open {
		return sandpit.Errorf(sandpit.ECONFLICT, "This release is closed to trials, so nothing more can be recorded.")
	}
	view, err := s.taskScreenView(c, tc, task, number, a)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "trial/task", view)
}

// clickPoint reads where a click on the screen was, in image pixels: x and
// y as the script sets them, else click.x and click.y as an image button
// posts them, else the centre of the hotspot chosen from the list. ok is
// false when the form says nowhere.
func clickPoint(c echo.Context, screen *sandpit.Screen) (x, y int, ok bool) {
	for _, names := range [][2]string{{"x", "y"}, {"click.x", "click.y"}} {
		xs, ys := strings.TrimSpace(c.FormValue(names[0])), strings.TrimSpace(c.FormValue(names[1]))
		if xs == "" && ys == "" {
			continue
		}
		x, xerr := strconv.Atoi(xs)
		y, yerr := strconv.Atoi(ys)
		return x, y, xerr == nil && yerr == nil
	}
	v := c.FormValue("hotspot")
	if v == "" {
		return 0, 0, false
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		return 0, 0, false
	}
	if screen == nil || i < 0 || i >= len(screen.Hotspots) {
		// Outside the screen: the store answers a retry as the first time,
		// and refuses anything else.
		return -1, -1, true
	}
	h := screen.Hotspots[i]
	return h.X + h.W/2, h.Y + h.H/2, true
}

// handleTaskClick records a click on the screen and shows what it leads
// to. A click sent twice is recorded once; a click from a stale page goes
// back to the task as it is now.
func (s *Server) handleTaskClick(c echo.Context) error {
	tc, task, number, err := s.loadTask(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	attempts, err := s.store.Attempts(ctx, tc.Trial.ID)
	if err != nil {
		return err
	}
	a := attempts[task.Key]
	if a == nil {
		return seeOther(c, taskPath(tc.Trial.ID, task.Key))
	}
	refuse := func(message string) error {
		view, verr := s.taskScreenView(c, tc, task, number, a)
		if verr != nil {
			return verr
		}
		view.Errors.Add("click", message)
		return s.render(c, http.StatusUnprocessableEntity, "trial/task", view)
	}
	seq, err := atoiField(c.FormValue("seq"))
	if err != nil {
		return refuse("Select a point on the screen, or one of the clickable areas listed below it")
	}
	x, y, ok := clickPoint(c, tc.Def.Screen(a.Screen))
	if !ok {
		return refuse("Select a point on the screen, or one of the clickable areas listed below it")
	}
	ans, err := s.store.RecordClick(ctx, tc.Write, seq, x, y)
	switch sandpit.ErrorCode(err) {
	case "":
	case sandpit.ECONFLICT:
		return seeOther(c, taskPath(tc.Trial.ID, task.Key))
	case sandpit.EINVALID:
		return refuse("Select a point inside the screen image")
	default:
		return err
	}
	switch {
	case ans.Done:
		return seeOther(c, ratingPath(tc.Trial.ID, task.Key))
	case !ans.Hit:
		return seeOther(c, taskPath(tc.Trial.ID, task.Key)+"?miss=1")
	}
	return seeOther(c, taskPath(tc.Trial.ID, task.Key))
}

// updateTask applies change to the caller's attempt at task :key and
// redirects to where the attempt then belongs: a conflict (a finished or
// unstarted task) goes back to the task page, which knows where it is.
func (s *Server) updateTask(c echo.Context, change func(a *sandpit.Attempt, now time.Time) error) error {
	tc, task, _, err := s.loadTask(c)
	if err != nil {
		return err
	}
	a, err := s.store.UpdateAttempt(c.Request().Context(), tc.Write, change)
	switch {
	case sandpit.ErrorCode(err) == sandpit.ECONFLICT:
		return seeOther(c, taskPath(tc.Trial.ID, task.Key))
	case err != nil:
		return err
	case a.Done():
		return seeOther(c, ratingPath(tc.Trial.ID, task.Key))
	}
	return seeOther(c, taskPath(tc.Trial.ID, task.Key))
}

// handleTaskStuck ends the task as gave_up: "I'm stuck".
func (s *Server) handleTaskStuck(c echo.Context) error {
	return s.updateTask(c, func(a *sandpit.Attempt, now time.Time) error { return a.GiveUp(now) })
}

// handleTaskPause stops the task's clock: "I've been interrupted".
func (s *Server) handleTaskPause(c echo.Context) error {
	return s.updateTask(c, func(a *sandpit.Attempt, now time.Time) error { return a.Pause(now) })
}

// handleTaskResume restarts a paused task's clock.
func (s *Server) handleTaskResume(c echo.Context) error {
	return s.updateTask(c, func(a *sandpit.Attempt, now time.Time) error {
		if a.Done() {
			return sandpit.Errorf(sandpit.ECONFLICT, "This task is finished already.")
		}
		a.Resume(now)
		return nil
	})
}

// ---- Rating ----

// easeOption is one radio of the SEQ rating.
type easeOption struct {
	ID, Value, Label string
	Checked          bool
}

// ratingView is the SEQ question after a task.
type ratingView struct {
	Layout
	TrialID  int64
	Task     *sandpit.Task
	Outcome  string
	GaveUp   bool
	Options  []easeOption
	Comment  string
	MaxChars int
}

// ratingView returns the rating page of task with ease and comment chosen.
func (s *Server) ratingView(c echo.Context, tc *trialContext, task *sandpit.Task, a *sandpit.Attempt, ease, comment string) ratingView {
	v := ratingView{Layout: s.trialLayout(c, "How easy was “"+task.Title+"”?"), TrialID: tc.Trial.ID, Task: task,
		Outcome: outcomeWords(a.Outcome), GaveUp: a.Outcome == sandpit.OutcomeGaveUp, Comment: comment, MaxChars: sandpit.MaxFreeText}
	for i := 1; i <= 7; i++ {
		o := easeOption{ID: "ease-" + strconv.Itoa(i), Value: strconv.Itoa(i), Label: strconv.Itoa(i)}
		if i == 1 {
			o.ID, o.Label = "ease", "1 Very difficult"
		}
		if i == 7 {
			o.Label = "7 Very easy"
		}
		o.Checked = o.Value == ease
		v.Options = append(v.Options, o)
	}
	return v
}

// ratedAttempt loads the caller's finished attempt at task :key; an
// unfinished one is nil.
func (s *Server) ratedAttempt(c echo.Context) (*trialContext, *sandpit.Task, *sandpit.Attempt, error) {
	tc, task, _, err := s.loadTask(c)
	if err != nil {
		return nil, nil, nil, err
	}
	attempts, err := s.store.Attempts(c.Request().Context(), tc.Trial.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	a := attempts[task.Key]
	if a != nil && !a.Done() {
		a = nil
	}
	return tc, task, a, nil
}

// handleRatingShow asks how difficult or easy a finished task was.
func (s *Server) handleRatingShow(c echo.Context) error {
	tc, task, a, err := s.ratedAttempt(c)
	if err != nil {
		return err
	}
	if tc.Trial.Completed() {
		return c.Redirect(http.StatusSeeOther, trialPath(tc.Trial.ID))
	}
	if a == nil {
		return c.Redirect(http.StatusSeeOther, taskPath(tc.Trial.ID, task.Key))
	}
	ease := ""
	if a.Ease != nil {
		ease = strconv.Itoa(*a.Ease)
	}
	return s.render(c, http.StatusOK, "trial/rating", s.ratingView(c, tc, task, a, ease, a.Comment))
}

// handleRatingSubmit records the rating and goes on to the next task
// without an outcome, or back to the trial.
func (s *Server) handleRatingSubmit(c echo.Context) error {
	tc, task, a, err := s.ratedAttempt(c)
	if err != nil {
		return err
	}
	if a == nil {
		return seeOther(c, taskPath(tc.Trial.ID, task.Key))
	}
	easeText, comment := strings.TrimSpace(c.FormValue("ease")), c.FormValue("comment")
	var errs FieldErrors
	ease, perr := strconv.Atoi(easeText)
	if perr != nil {
		errs.Add("ease", "Select how difficult or easy the task was, from 1 to 7")
	}
	if p := sandpit.FreeTextProblem(comment); p != "" {
		errs.Add("comment", fmt.Sprintf("Your comment must be %d characters or fewer", sandpit.MaxFreeText))
	}
	if !errs.Any() {
		_, err = s.store.UpdateAttempt(c.Request().Context(), tc.Write, func(a *sandpit.Attempt, _ time.Time) error { return a.Rate(ease, comment) })
		switch sandpit.ErrorCode(err) {
		case "":
			return seeOther(c, s.nextAfter(c, tc))
		case sandpit.ECONFLICT:
			return seeOther(c, taskPath(tc.Trial.ID, task.Key))
		case sandpit.EINVALID:
			fields := sandpit.ErrorFields(err)
			if _, ok := fields["ease"]; ok {
				errs.Add("ease", "Select how difficult or easy the task was, from 1 to 7")
			}
			if msg, ok := fields["comment"]; ok {
				errs.Add("comment", freeTextSentence("comment", msg))
			}
		default:
			return err
		}
	}
	return s.render(c, http.StatusUnprocessableEntity, "trial/rating", s.ratingView(c, tc, task, a, easeText, comment).withErrors(errs))
}

// withErrors returns v showing errs.
func (v ratingView) withErrors(errs FieldErrors) ratingView { v.Errors = errs; return v }

// freeTextSentence turns the domain's refusal of free text into a
// sentence for the field's error message.
func freeTextSentence(field, msg string) string {
	switch {
	case strings.Contains(msg, "NHS number"):
		return "Remove the NHS number: Sandpit must never hold real patient identifiers. Use the synthetic patient's details instead"
	case strings.Contains(msg, "at most"):
		if field == "comment" {
			return fmt.Sprintf("Your comment must be %d characters or fewer", sandpit.MaxFreeText)
		}
		return fmt.Sprintf("What happened must be %d characters or fewer", sandpit.MaxFreeText)
	case field == "text":
		return "Describe what happened"
	}
	return sentence(field, msg)
}

// nextAfter is where a clinician goes after rating a task: the first task
// without an outcome, else the trial's home page.
func (s *Server) nextAfter(c echo.Context, tc *trialContext) string {
	attempts, err := s.store.Attempts(c.Request().Context(), tc.Trial.ID)
	if err != nil {
		return trialPath(tc.Trial.ID)
	}
	for _, task := range tc.Def.Tasks {
		if a := attempts[task.Key]; a == nil || !a.Done() {
			return taskPath(tc.Trial.ID, task.Key)
		}
	}
	return trialPath(tc.Trial.ID)
}
