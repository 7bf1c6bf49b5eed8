package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// The clinician's pages: open trials, consent, the sandbox itself (tasks,
// clicks, ratings, reports, the SUS questionnaire), finishing, "My
// feedback" and withdrawal. They make the same domain calls as the JSON API
// in api_trials.go.

// trialPath is the home page of trial id.
func trialPath(id int64) string { return "/trials/" + strconv.FormatInt(id, 10) }

// taskPath is the page of task key in trial id.
func taskPath(id int64, key string) string { return trialPath(id) + "/tasks/" + url.PathEscape(key) }

// ratingPath is the rating page of task key in trial id.
func ratingPath(id int64, key string) string { return taskPath(id, key) + "/rating" }

// minutesFor is the time a trial of tasks tasks takes: three minutes a task
// and two for the questionnaire.
func minutesFor(tasks int) int { return 3*tasks + 2 }

// trialContext is what every page of one trial shows: the trial, its
// release's definition and workflow.
type trialContext struct {
	Trial    *sandpit.Trial
	Write    store.TrialWrite
	Def      *sandpit.Definition
	Workflow *sandpit.Workflow
	Version  string
}

// loadTrial loads the caller's trial :id for task key ("" for none).
// Another person's trial is ENOTFOUND.
func (s *Server) loadTrial(c echo.Context, key string) (*sandpit.User, *trialContext, error) {
	u := currentUser(c)
	id, err := pathID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	t, w, err := s.trialWrite(c, u, id, key)
	if err != nil {
		return nil, nil, err
	}
	ctx := c.Request().Context()
	m, err := s.store.ReleaseMeta(ctx, t.ReleaseID)
	if err != nil {
		return nil, nil, err
	}
	wf, err := s.store.Workflow(ctx, m.WorkflowID)
	if err != nil {
		return nil, nil, err
	}
	return u, &trialContext{Trial: t, Write: w, Def: w.Def, Workflow: wf, Version: w.Def.Version}, nil
}

// trialLayout is the layout of a page of a trial: the prototype banner
// shows.
func (s *Server) trialLayout(c echo.Context, title string) Layout {
	l := s.layout(c, title)
	l.Sandbox = true
	return l
}

// outcomeWords says how an attempt ended in plain words.
func outcomeWords(o sandpit.Outcome) string {
	switch o {
	case sandpit.OutcomeDirect:
		return "finished by the quickest route"
	case sandpit.OutcomeIndirect:
		return "finished by another route"
	case sandpit.OutcomeGaveUp:
		return "you told us you were stuck"
	}
	return string(o)
}

// ---- Open trials ----

// trialListItem is one open release on the list of trials.
type trialListItem struct {
	store.AvailableRelease
	Minutes   int
	Started   bool
	Completed bool
	TrialHref string
}

// trialListView is the list of open trials.
type trialListView struct {
	Layout
	Clinician bool
	Items     []trialListItem
}

// handleTrialList lists the open releases a clinician may take, newest
// first, with where the caller is in each.
func (s *Server) handleTrialList(c echo.Context) error {
	u := currentUser(c)
	view := trialListView{Layout: s.layout(c, "Open trials"), Clinician: u.Has(sandpit.RoleClinician)}
	if view.Clinician {
		list, err := s.store.AvailableReleases(c.Request().Context(), u.ID)
		if err != nil {
			return err
		}
		for _, r := range list {
			item := trialListItem{AvailableRelease: r, Minutes: minutesFor(r.Tasks), Started: r.TrialID != nil, Completed: r.CompletedAt != nil}
			if r.TrialID != nil {
				item.TrialHref = trialPath(*r.TrialID)
			}
			view.Items = append(view.Items, item)
		}
	}
	return s.render(c, http.StatusOK, "trial/list", view)
}

// handleTrialInvite follows the invite link product owners share: to the
// caller's trial of the release if they have one, else to its consent page.
func (s *Server) handleTrialInvite(c echo.Context) error {
	u := currentUser(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := s.store.ReleaseMeta(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if !sandpit.CanSeeRelease(u, m.TeamID, m.Status) {
		return sandpit.Errorf(sandpit.ENOTFOUND, "Release not found.")
	}
	t, err := s.store.TrialFor(c.Request().Context(), id, u.ID)
	if err != nil {
		return err
	}
	if t != nil {
		return c.Redirect(http.StatusSeeOther, trialPath(t.ID))
	}
	return c.Redirect(http.StatusSeeOther, releasePath(id)+"/consent")
}

// ---- Consent ----

// consentView is the consent page of a release.
type consentView struct {
	Layout
	ReleaseID   int64
	Workflow    *sandpit.Workflow
	Version     string
	Tasks       int
	Minutes     int
	CanTake     bool
	Accepted    bool
	ResearchUse bool
}

// consentView returns the consent page of release :id, or the caller's
// trial of it when they have one.
func (s *Server) consentView(c echo.Context, u *sandpit.User) (consentView, *sandpit.Trial, error) {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return consentView{}, nil, err
	}
	m, err := s.store.ReleaseMeta(ctx, id)
	if err != nil {
		return consentView{}, nil, err
	}
	if !sandpit.CanSeeRelease(u, m.TeamID, m.Status) {
		return consentView{}, nil, sandpit.Errorf(sandpit.ENOTFOUND, "Release not found.")
	}
	t, err := s.store.TrialFor(ctx, id, u.ID)
	if err != nil || t != nil {
		return consentView{}, t, err
	}
	r, err := s.store.Release(ctx, id)
	if err != nil {
		return consentView{}, nil, err
	}
	w, err := s.store.Workflow(ctx, m.WorkflowID)
	if err != nil {
		return consentView{}, nil, err
	}
	v := consentView{Layout: s.layout(c, "Take part in a trial of "+w.Title), ReleaseID: id, Workflow: w, Version: r.Version,
		Tasks: len(r.Tasks), Minutes: minutesFor(len(r.Tasks)), CanTake: sandpit.CanTakeTrial(u, m.Status)}
	return v, nil, nil
}

// handleConsentShow shows a workflow's participant information and the
// consent form for one of its releases.
func (s *Server) handleConsentShow(c echo.Context) error {
	view, t, err := s.consentView(c, currentUser(c))
	if err != nil {
		return err
	}
	if t != nil {
		return c.Redirect(http.StatusSeeOther, trialPath(t.ID))
	}
	return s.render(c, http.StatusOK, "trial/consent", view)
}

// handleConsentSubmit records consent and starts the trial.
func (s *Server) handleConsentSubmit(c echo.Context) error {
	u := currentUser(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	accepted, research := c.FormValue("accepted") != "", c.FormValue("research_use") != ""
	t, _, err := s.startTrial(c, u, id, accepted, research)
	if sandpit.ErrorCode(err) == sandpit.EINVALID {
		view, existing, verr := s.consentView(c, u)
		if verr != nil {
			return verr
		}
		if existing != nil {
			return seeOther(c, trialPath(existing.ID))
		}
		view.ResearchUse = research
		view.Errors.Add("accepted", "Tick “I agree to take part” to start the trial")
		return s.render(c, http.StatusUnprocessableEntity, "trial/consent", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, trialPath(t.ID))
}

// ---- The trial's home ----

// trialTaskItem is one task on the trial's home page.
type trialTaskItem struct {
	Key, Title, Scenario string
	Status               string
	TagClass             string
	Href                 string
	LinkHint             string
}

// trialView is a trial's home page.
type trialView struct {
	Layout
	ID          int64
	Workflow    *sandpit.Workflow
	Version     string
	Tasks       []trialTaskItem
	AllDone     bool
	SUSAnswered bool
	Completed   bool
	CompletedAt *time.Time
	Open        bool
}

// trialView returns the home page of the trial in tc.
func (s *Server) trialView(c echo.Context, tc *trialContext) (trialView, error) {
	attempts, err := s.store.Attempts(c.Request().Context(), tc.Trial.ID)
	if err != nil {
		return trialView{}, err
	}
	v := trialView{Layout: s.trialLayout(c, "Your trial of "+tc.Workflow.Title), ID: tc.Trial.ID, Workflow: tc.Workflow, Version: tc.Version,
		AllDone: true, SUSAnswered: tc.Trial.SUSScore != nil, Completed: tc.Trial.Completed(), CompletedAt: tc.Trial.CompletedAt, Open: tc.Write.Open}
	for _, task := range tc.Def.Tasks {
		item := trialTaskItem{Key: task.Key, Title: task.Title, Scenario: task.Scenario, Href: taskPath(tc.Trial.ID, task.Key)}
		a := attempts[task.Key]
		switch {
		case a == nil:
			item.Status, item.TagClass, item.LinkHint = "Not started", "nhsuk-tag--white", "Start this task"
			v.AllDone = false
		case a.Done():
			item.Status, item.TagClass = "Done", "nhsuk-tag--green"
			item.Href = ratingPath(tc.Trial.ID, task.Key)
			item.LinkHint = "Done: " + outcomeWords(a.Outcome) + "."
			if a.Ease == nil {
				item.LinkHint += " Rate how easy it was."
			} else {
				item.LinkHint += fmt.Sprintf(" You rated it %d out of 7.", *a.Ease)
			}
		case a.Paused():
			item.Status, item.TagClass, item.LinkHint = "Paused", "nhsuk-tag--yellow", "Continue where you left off"
			v.AllDone = false
		default:
			item.Status, item.TagClass, item.LinkHint = "In progress", "nhsuk-tag--blue", "Continue where you left off"
			v.AllDone = false
		}
		if v.Completed {
			item.Href = ""
		}
		v.Tasks = append(v.Tasks, item)
	}
	return v, nil
}

// handleTrialShow shows a trial's tasks and what is left to do.
func (s *Server) handleTrialShow(c echo.Context) error {
	_, tc, err := s.loadTrial(c, "")
	if err != nil {
		return err
	}
	view, err := s.trialView(c, tc)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "trial/show", view)
}

// handleTrialComplete finishes the trial, or shows what is missing.
func (s *Server) handleTrialComplete(c echo.Context) error {
	_, tc, err := s.loadTrial(c, "")
	if err != nil {
		return err
	}
	err = s.store.CompleteTrial(c.Request().Context(), tc.Write)
	if sandpit.ErrorCode(err) == sandpit.EINVALID {
		view, verr := s.trialView(c, tc)
		if verr != nil {
			return verr
		}
		fields := sandpit.ErrorFields(err)
		for _, task := range tc.Def.Tasks {
			if _, ok := fields["tasks."+task.Key]; ok {
				view.Errors.Add("task-"+task.Key, fmt.Sprintf("Finish the task “%s”, or tell us you are stuck", task.Title))
			}
		}
		if _, ok := fields["sus"]; ok {
			view.Errors.Add("questionnaire", "Answer the questionnaire about the prototype")
		}
		return s.render(c, http.StatusUnprocessableEntity, "trial/show", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, trialPath(tc.Trial.ID)+"/done")
}

// trialDoneView is the thank-you page of a finished trial.
type trialDoneView struct {
	Layout
	ID       int64
	Workflow *sandpit.Workflow
	Version  string
}

// handleTrialDone thanks the clinician and says what happens next.
func (s *Server) handleTrialDone(c echo.Context) error {
	_, tc, err := s.loadTrial(c, "")
	if err != nil {
		return err
	}
	if !tc.Trial.Completed() {
		return c.Redirect(http.StatusSeeOther, trialPath(tc.Trial.ID))
	}
	return s.render(c, http.StatusOK, "trial/done", trialDoneView{Layout: s.trialLayout(c, "Trial complete"), ID: tc.Trial.ID,
		Workflow: tc.Workflow, Version: tc.Version})
}
