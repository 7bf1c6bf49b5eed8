package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// The clinician's pages: open trials, consent, the sandbox itself (tasks,
// clicks, ratings, reports, the SUS questionnaire), finishing, "My
// feedback" and withdrawal. Each calls the same app.Trials use case as the
// JSON API in api_trials.go.

// trialPath is the home page of trial id.
func trialPath(id int64) string { return "/trials/" + strconv.FormatInt(id, 10) }

// taskPath is the page of task key in trial id.
func taskPath(id int64, key string) string { return trialPath(id) + "/tasks/" + url.PathEscape(key) }

// ratingPath is the rating page of task key in trial id.
func ratingPath(id int64, key string) string { return taskPath(id, key) + "/rating" }

// minutesFor is the time a trial of tasks tasks takes: three minutes a task
// and two for the questionnaire.
func minutesFor(tasks int) int { return 3*tasks + 2 }

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
	Full      string // the release has enough of the caller's profession for now
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
	av, err := s.app.Trials.Available(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	view := trialListView{Layout: s.layout(c, "Open trials"), Clinician: av.Clinician}
	for _, r := range av.Releases {
		item := trialListItem{AvailableRelease: r, Minutes: minutesFor(r.Tasks), Started: r.TrialID != nil, Completed: r.CompletedAt != nil,
			Full: av.Full[r.ReleaseID]}
		if r.TrialID != nil {
			item.TrialHref = trialPath(*r.TrialID)
		}
		view.Items = append(view.Items, item)
	}
	return s.render(c, http.StatusOK, "trial/list", view)
}

// handleTrialInvite follows the invite link product owners share: to the
// caller's trial of the release if they have one, else to its consent page;
// someone signed out sees what the invitation is for first.
func (s *Server) handleTrialInvite(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if currentUser(c) == nil {
		return s.handleInvitation(c, id)
	}
	t, err := s.app.Trials.Invite(c.Request().Context(), actorOf(c), id)
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
	Full        string // the release has enough of the caller's profession
	Accepted    bool
	ResearchUse bool
}

// consentView returns the consent page of release :id, or the caller's
// trial of it when they have one.
func (s *Server) consentView(c echo.Context) (consentView, *sandpit.Trial, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return consentView{}, nil, err
	}
	f, err := s.app.Trials.Consent(c.Request().Context(), actorOf(c), id)
	if err != nil || f.Trial != nil {
		return consentView{}, f.Trial, err
	}
	v := consentView{Layout: s.layout(c, "Take part in a trial of "+f.Workflow.Title), ReleaseID: id, Workflow: f.Workflow, Version: f.Version,
		Tasks: f.Tasks, Minutes: minutesFor(f.Tasks), CanTake: f.CanTake, Full: f.Full}
	return v, nil, nil
}

// handleConsentShow shows a workflow's participant information and the
// consent form for one of its releases.
func (s *Server) handleConsentShow(c echo.Context) error {
	view, t, err := s.consentView(c)
	if err != nil {
		return err
	}
	if t != nil {
		return c.Redirect(http.StatusSeeOther, trialPath(t.ID))
	}
	return s.render(c, http.StatusOK, "trial/consent", view)
}

// consentSentences are the consent form's error sentences.
var consentSentences = formSentences{
	"consent.accepted": {"": "Tick “I agree to take part” to start the trial"},
}

// handleConsentSubmit records consent and starts the trial.
func (s *Server) handleConsentSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	research := c.FormValue("research_use") != ""
	st, err := s.app.Trials.Start(c.Request().Context(), actorOf(c),
		app.StartArgs{ReleaseID: id, Accepted: c.FormValue("accepted") != "", ResearchUse: research})
	if errs, ok := fieldErrors(err, nil, consentSentences); ok && sandpit.ErrorCode(err) == sandpit.EINVALID {
		view, existing, verr := s.consentView(c)
		if verr != nil {
			return verr
		}
		if existing != nil {
			return seeOther(c, trialPath(existing.ID))
		}
		view.ResearchUse = research
		view.Errors = renamed(errs, map[string]string{"consent.accepted": "accepted"})
		return s.render(c, http.StatusUnprocessableEntity, "trial/consent", view)
	}
	if sandpit.ErrorCode(err) == sandpit.ECONFLICT {
		// The release reached its target for the caller's profession
		// while they read the form: the page now says so.
		view, existing, verr := s.consentView(c)
		if verr != nil {
			return verr
		}
		if existing != nil {
			return seeOther(c, trialPath(existing.ID))
		}
		return s.render(c, http.StatusConflict, "trial/consent", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, trialPath(st.Trial.ID))
}

// renamed returns errs with the fields in names renamed: the domain's name
// of a field to the form's.
func renamed(errs FieldErrors, names map[string]string) FieldErrors {
	var out FieldErrors
	for _, e := range errs.List() {
		field := e.Field
		if n, ok := names[field]; ok {
			field = n
		}
		out.Add(field, e.Message)
	}
	return out
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

// trialView returns the home page of the trial in tv.
func (s *Server) trialView(c echo.Context, tv *app.TrialView) trialView {
	v := trialView{Layout: s.trialLayout(c, "Your trial of "+tv.Workflow.Title), ID: tv.Trial.ID, Workflow: tv.Workflow, Version: tv.Def.Version,
		AllDone: true, SUSAnswered: tv.Trial.SUSScore != nil, Completed: tv.Trial.Completed(), CompletedAt: tv.Trial.CompletedAt, Open: tv.Open}
	for _, task := range tv.Def.Tasks {
		item := trialTaskItem{Key: task.Key, Title: task.Title, Scenario: task.Scenario, Href: taskPath(tv.Trial.ID, task.Key)}
		a := tv.Attempts[task.Key]
		switch {
		case a == nil:
			item.Status, item.TagClass, item.LinkHint = "Not started", "nhsuk-tag--white", "Start this task"
			v.AllDone = false
		case a.Done():
			item.Status, item.TagClass = "Done", "nhsuk-tag--green"
			item.Href = ratingPath(tv.Trial.ID, task.Key)
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
	return v
}

// showTrial loads the caller's trial :id with its attempts.
func (s *Server) showTrial(c echo.Context) (*app.TrialView, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.app.Trials.Show(c.Request().Context(), actorOf(c), id)
}

// handleTrialShow shows a trial's tasks and what is left to do.
func (s *Server) handleTrialShow(c echo.Context) error {
	tv, err := s.showTrial(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "trial/show", s.trialView(c, tv))
}

// completeSentences are the sentences of what completing a trial still
// needs, for a release of tasks: each unfinished task, and the
// questionnaire.
func completeSentences(tasks []sandpit.Task) (formSentences, []string, map[string]string) {
	table := formSentences{"sus": {"": "Answer the questionnaire about the prototype"}}
	var order []string
	names := map[string]string{"sus": "questionnaire"}
	for _, task := range tasks {
		f := sandpit.TaskField(task.Key)
		table[f] = map[string]string{"": fmt.Sprintf("Finish the task “%s”, or tell us you are stuck", task.Title)}
		order = append(order, f)
		names[f] = "task-" + task.Key
	}
	return table, append(order, "sus"), names
}

// handleTrialComplete finishes the trial, or shows what is missing.
func (s *Server) handleTrialComplete(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	err = s.app.Trials.Complete(c.Request().Context(), actorOf(c), id)
	if sandpit.ErrorCode(err) == sandpit.EINVALID {
		tv, verr := s.showTrial(c)
		if verr != nil {
			return verr
		}
		table, order, names := completeSentences(tv.Def.Tasks)
		errs, _ := fieldErrors(err, order, table)
		view := s.trialView(c, tv)
		view.Errors = renamed(errs, names)
		return s.render(c, http.StatusUnprocessableEntity, "trial/show", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, trialPath(id)+"/done")
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
	tv, err := s.showTrial(c)
	if err != nil {
		return err
	}
	if !tv.Trial.Completed() {
		return c.Redirect(http.StatusSeeOther, trialPath(tv.Trial.ID))
	}
	return s.render(c, http.StatusOK, "trial/done", trialDoneView{Layout: s.trialLayout(c, "Trial complete"), ID: tv.Trial.ID,
		Workflow: tv.Workflow, Version: tv.Def.Version})
}
