package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// taskScreenView is one task of a trial: its scenario with "Start task",
// the screen shown now, or the paused page.
type taskScreenView struct {
	Layout
	TrialID    int64
	Workflow   *sandpit.Workflow
	Version    string
	Task       *sandpit.Task
	TaskNumber int
	TaskCount  int
	Started    bool // the attempt is under way: else the scenario and "Start task"
	Screen     *sandpit.Screen
	Seq        int
	Paused     bool
	Missed     bool // the last click was not on a clickable area
	Keyboard   bool // the screen image was activated from the keyboard: no point, so the list is offered
	Reported   bool // a problem report was just sent
	Hint       bool // the last clicks were all misses
	ShowAreas  bool // the clickable areas are outlined on the screen
	ListMode   bool // the list of the screen's links is shown
	Links      []trialLink
	Areas      []sandpit.Hotspot
}

// trialLink is one entry of the list of a screen's links in a trial.
type trialLink struct {
	Index int
	Text  string
}

// trialLinks lists screen's links for a clinician: each by its label, or
// else by its position ("Link 3 of 5"), never by where it leads, which
// would give the task's answer away.
func trialLinks(screen *sandpit.Screen) []trialLink {
	links := make([]trialLink, len(screen.Hotspots))
	for i, h := range screen.Hotspots {
		text := strings.TrimSpace(h.Label)
		if text == "" {
			text = fmt.Sprintf("Link %d of %d", i+1, len(screen.Hotspots))
		}
		links[i] = trialLink{Index: i, Text: text}
	}
	return links
}

// TaskHref is the task page.
func (v taskScreenView) TaskHref() string { return taskPath(v.TrialID, v.Task.Key) }

// ListHref is the task page with the list of the screen's links, landing
// on the screen: the list comes right after the task's name and actions.
func (v taskScreenView) ListHref() string { return v.TaskHref() + "?list=1" + screenAnchor }

// taskScreenView returns the page of the task in tv.
func (s *Server) taskScreenView(c echo.Context, tv *app.TaskView) (taskScreenView, error) {
	v := taskScreenView{Layout: s.trialLayout(c, tv.Task.Title), TrialID: tv.Trial.ID, Workflow: tv.Workflow, Version: tv.Def.Version,
		Task: tv.Task, TaskNumber: tv.Number, TaskCount: len(tv.Def.Tasks)}
	a := tv.Attempt
	if a == nil {
		return v, nil
	}
	v.Started, v.Seq, v.Paused = true, a.LastSeq+1, a.Paused()
	v.Missed, v.Keyboard, v.Reported = c.QueryParam("miss") == "1", c.QueryParam("keyboard") == "1", c.QueryParam("done") == "reported"
	v.ShowAreas, v.Hint = c.QueryParam("show") == "areas", tv.Hint
	v.ListMode = c.QueryParam("list") == "1" || v.Keyboard
	v.Screen = tv.Def.Screen(a.Screen)
	if v.Screen == nil {
		return v, fmt.Errorf("web: attempt %d is on unknown screen %q", a.ID, a.Screen)
	}
	if v.Paused {
		v.Title = "Paused: " + tv.Task.Title
		return v, nil
	}
	v.Links = trialLinks(v.Screen)
	if v.ShowAreas {
		v.Areas = v.Screen.Hotspots
	}
	return v, nil
}

// trialTask reads the trial :id and task :key of the path.
func trialTask(c echo.Context) (int64, string, error) {
	id, err := pathID(c, "id")
	return id, c.Param("key"), err
}

// handleTaskScreen shows a task: its scenario and "Start task" until the
// attempt is started, then the screen the clinician is on. It changes
// nothing. A finished task goes to its rating; a paused one offers to
// resume.
func (s *Server) handleTaskScreen(c echo.Context) error {
	id, key, err := trialTask(c)
	if err != nil {
		return err
	}
	tv, err := s.app.Trials.Task(c.Request().Context(), actorOf(c), id, key)
	switch {
	case err != nil:
		return err
	case tv.Trial.Completed():
		return c.Redirect(http.StatusSeeOther, trialPath(id))
	case tv.Attempt != nil && tv.Attempt.Done():
		return c.Redirect(http.StatusSeeOther, ratingPath(id, key))
	}
	view, err := s.taskScreenView(c, tv)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "trial/task", view)
}

// screenAnchor is the fragment that lands a task page on its screen, with
// the task's name and actions above it.
const screenAnchor = "#screen"

// handleTaskStart starts the attempt's clock once the clinician has read
// the scenario, and shows the screen.
func (s *Server) handleTaskStart(c echo.Context) error {
	start := func(ctx context.Context, a app.Actor, id int64, key string) (*sandpit.Attempt, error) {
		st, err := s.app.Trials.StartAttempt(ctx, a, id, key)
		if err != nil {
			return nil, err
		}
		return st.Attempt, nil
	}
	return s.updateTask(c, start, onScreen)
}

// handleTaskReport opens the problem-report form from a running attempt,
// pausing its clock: the time spent writing is not time on the task
// (METRICS.md). Sending or cancelling the report resumes it.
func (s *Server) handleTaskReport(c echo.Context) error {
	return s.updateTask(c, s.app.Trials.Pause, func(id int64, key string, a *sandpit.Attempt) string {
		return fmt.Sprintf("%s/report?task=%s&screen=%s&paused=1", trialPath(id), url.QueryEscape(key), url.QueryEscape(a.Screen))
	})
}

// clickPoint reads where a click (of the release preview, in
// preview_pages.go) on the screen was, in image pixels: x and
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

// clickForm reads a click on the screen: x and y as the script sets them
// (image pixels), else click.x and click.y as an image button posts them,
// else the number of the link chosen from the list. What is missing or not
// a number is left nil. keyboard is true for an image button activated
// from the keyboard, which posts (0, 0): not a click (METRICS.md).
func clickForm(c echo.Context, args *app.ClickArgs) (keyboard bool) {
	if seq, err := atoiField(c.FormValue("seq")); err == nil {
		args.Seq = &seq
	}
	if link := strings.TrimSpace(c.FormValue("link")); link != "" {
		args.Via = sandpit.ViaList
		if i, err := strconv.Atoi(link); err == nil {
			args.Link = &i
		}
		return false
	}
	args.Via = sandpit.ViaPointer
	for _, names := range [][2]string{{"x", "y"}, {"click.x", "click.y"}} {
		xs, ys := strings.TrimSpace(c.FormValue(names[0])), strings.TrimSpace(c.FormValue(names[1]))
		if xs == "" && ys == "" {
			continue
		}
		if names[0] == "click.x" && xs == "0" && ys == "0" {
			return true
		}
		if x, err := strconv.Atoi(xs); err == nil {
			args.X = &x
		}
		if y, err := strconv.Atoi(ys); err == nil {
			args.Y = &y
		}
		return false
	}
	return false
}

// clickSentences are the click form's error sentences: the page has one
// place for them, "click".
var clickSentences = formSentences{
	"seq":  {"": "Select a point on the screen, or use the list of this screen's links"},
	"x":    {sandpit.FieldRequired: "Select a point on the screen, or use the list of this screen's links", "": "Select a point inside the screen image"},
	"y":    {sandpit.FieldRequired: "Select a point on the screen, or use the list of this screen's links", "": "Select a point inside the screen image"},
	"link": {"": "Select one of the links in the list"},
}

// handleTaskClick records a click on the screen, or on a link of the list,
// and shows what it leads to, landing on the screen. A click sent twice is
// recorded once; a click from a stale page goes back to the task as it is
// now; the image activated from the keyboard records nothing and offers
// the list of links.
func (s *Server) handleTaskClick(c echo.Context) error {
	id, key, err := trialTask(c)
	if err != nil {
		return err
	}
	args := app.ClickArgs{TrialID: id, Task: key}
	if clickForm(c, &args) {
		return seeOther(c, taskPath(id, key)+"?keyboard=1"+screenAnchor)
	}
	list := args.Via == sandpit.ViaList || c.FormValue("list") == "1"
	ans, err := s.app.Trials.Click(c.Request().Context(), actorOf(c), args)
	switch sandpit.ErrorCode(err) {
	case "":
	case sandpit.ECONFLICT:
		return seeOther(c, taskPath(id, key)+screenAnchor)
	case sandpit.EINVALID:
		errs, _ := fieldErrors(err, []string{"seq", "x", "y", "link"}, clickSentences)
		tv, verr := s.app.Trials.Task(c.Request().Context(), actorOf(c), id, key)
		if verr != nil {
			return verr
		}
		if tv.Trial.Completed() || tv.Attempt == nil || tv.Attempt.Done() {
			return seeOther(c, taskPath(id, key))
		}
		view, verr := s.taskScreenView(c, tv)
		if verr != nil {
			return verr
		}
		view.ListMode = view.ListMode || list
		// The page has one place for a click's error: the first field's.
		message := clickSentences["x"][""]
		if l := errs.List(); len(l) > 0 {
			message = l[0].Message
		}
		view.Errors.Add("click", message)
		return s.render(c, http.StatusUnprocessableEntity, "trial/task", view)
	default:
		return err
	}
	query := url.Values{}
	if list {
		query.Set("list", "1")
	}
	if !ans.Hit {
		query.Set("miss", "1")
	}
	switch {
	case ans.Done:
		return seeOther(c, ratingPath(id, key))
	case len(query) > 0:
		return seeOther(c, taskPath(id, key)+"?"+query.Encode()+screenAnchor)
	}
	return seeOther(c, taskPath(id, key)+screenAnchor)
}

// onScreen is the task page landed on its screen.
func onScreen(id int64, key string, _ *sandpit.Attempt) string {
	return taskPath(id, key) + screenAnchor
}

// updateTask runs one of the attempt's use cases (start, give up, pause,
// resume) and redirects to where the attempt then belongs: a conflict (a
// finished or unstarted task) goes back to the task page, which knows where
// it is; a finished task to its rating; else to next.
func (s *Server) updateTask(c echo.Context, action func(ctx context.Context, a app.Actor, id int64, key string) (*sandpit.Attempt, error),
	next func(id int64, key string, a *sandpit.Attempt) string) error {
	id, key, err := trialTask(c)
	if err != nil {
		return err
	}
	a, err := action(c.Request().Context(), actorOf(c), id, key)
	switch {
	case sandpit.ErrorCode(err) == sandpit.ECONFLICT:
		return seeOther(c, taskPath(id, key))
	case err != nil:
		return err
	case a.Done():
		return seeOther(c, ratingPath(id, key))
	}
	return seeOther(c, next(id, key, a))
}

// handleTaskStuck ends the task as gave_up: "I'm stuck".
func (s *Server) handleTaskStuck(c echo.Context) error {
	return s.updateTask(c, s.app.Trials.GiveUp, onScreen)
}

// handleTaskPause stops the task's clock: "I've been interrupted".
func (s *Server) handleTaskPause(c echo.Context) error {
	return s.updateTask(c, s.app.Trials.Pause, onScreen)
}

// handleTaskResume restarts a paused task's clock.
func (s *Server) handleTaskResume(c echo.Context) error {
	return s.updateTask(c, s.app.Trials.Resume, onScreen)
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

// ratingView returns the rating page of the attempt in tv with ease and
// comment chosen.
func (s *Server) ratingView(c echo.Context, tv *app.TaskView, ease, comment string) ratingView {
	a := tv.Attempt
	v := ratingView{Layout: s.trialLayout(c, "How easy was “"+tv.Task.Title+"”?"), TrialID: tv.Trial.ID, Task: tv.Task,
		Outcome: outcomeWords(a.Outcome), GaveUp: a.Outcome == sandpit.OutcomeGaveUp, Comment: comment, MaxChars: sandpit.MaxFreeText}
	for i := sandpit.MinEase; i <= sandpit.MaxEase; i++ {
		o := easeOption{ID: "ease-" + strconv.Itoa(i), Value: strconv.Itoa(i), Label: strconv.Itoa(i)}
		if i == sandpit.MinEase {
			o.ID, o.Label = "ease", strconv.Itoa(i)+" Very difficult"
		}
		if i == sandpit.MaxEase {
			o.Label = strconv.Itoa(i) + " Very easy"
		}
		o.Checked = o.Value == ease
		v.Options = append(v.Options, o)
	}
	return v
}

// handleRatingShow asks how difficult or easy a finished task was.
func (s *Server) handleRatingShow(c echo.Context) error {
	id, key, err := trialTask(c)
	if err != nil {
		return err
	}
	tv, err := s.app.Trials.Rating(c.Request().Context(), actorOf(c), id, key)
	switch {
	case err != nil:
		return err
	case tv.Trial.Completed():
		return c.Redirect(http.StatusSeeOther, trialPath(id))
	case tv.Attempt == nil:
		return c.Redirect(http.StatusSeeOther, taskPath(id, key))
	}
	ease := ""
	if tv.Attempt.Ease != nil {
		ease = strconv.Itoa(*tv.Attempt.Ease)
	}
	return s.render(c, http.StatusOK, "trial/rating", s.ratingView(c, tv, ease, tv.Attempt.Comment))
}

// ratingSentences are the rating form's error sentences.
var ratingSentences = formSentences{
	"ease": {"": "Select how difficult or easy the task was, from 1 to 7"},
	"comment": {
		sandpit.FieldTooLong:   "Your comment must be {max} characters or fewer",
		sandpit.FieldPatientID: patientIDSentence,
	},
}

// patientIDSentence is the page's sentence for free text holding an NHS
// number.
const patientIDSentence = "Remove the NHS number: Sandpit must never hold real patient identifiers. Use the synthetic patient's details instead"

// handleRatingSubmit records the rating and goes on to the next task
// without an outcome, or back to the trial.
func (s *Server) handleRatingSubmit(c echo.Context) error {
	id, key, err := trialTask(c)
	if err != nil {
		return err
	}
	easeText, comment := strings.TrimSpace(c.FormValue("ease")), c.FormValue("comment")
	args := app.RateArgs{TrialID: id, Task: key, Comment: comment}
	if ease, err := strconv.Atoi(easeText); err == nil {
		args.Ease = &ease
	}
	r, err := s.app.Trials.Rate(c.Request().Context(), actorOf(c), args)
	switch sandpit.ErrorCode(err) {
	case "":
		if r.Next != "" {
			return seeOther(c, taskPath(id, r.Next))
		}
		return seeOther(c, trialPath(id))
	case sandpit.ECONFLICT:
		return seeOther(c, taskPath(id, key))
	case sandpit.EINVALID:
	default:
		return err
	}
	errs, _ := fieldErrors(err, []string{"ease", "comment"}, ratingSentences)
	tv, err := s.app.Trials.Rating(c.Request().Context(), actorOf(c), id, key)
	if err != nil {
		return err
	}
	if tv.Attempt == nil {
		return seeOther(c, taskPath(id, key))
	}
	view := s.ratingView(c, tv, easeText, comment)
	view.Errors = errs
	return s.render(c, http.StatusUnprocessableEntity, "trial/rating", view)
}
