package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// pathStep is one select of the optimal path.
type pathStep struct {
	ID     string
	Number int
	Value  string
}

// successOption is one checkbox of the success screens.
type successOption struct {
	ID      string
	Key     string
	Title   string
	Checked bool
}

// taskFormView is the form to add or change a task of a draft release.
type taskFormView struct {
	Layout
	Release        *sandpit.Release
	Workflow       *sandpit.Workflow
	Action         string
	Editing        bool
	Original       string // the key of the task being changed
	Key            string
	Title          string
	Scenario       string
	Start          string
	Success        []successOption
	Steps          []pathStep
	Screens        []targetOption
	DailyFrequency string
}

// taskFormView returns the task form of release id filled with t.
func (s *Server) taskFormView(c echo.Context, id int64, t sandpit.Task, frequency string, editing string) (taskFormView, error) {
	ctx := c.Request().Context()
	r, err := s.store.Release(ctx, id)
	if err != nil {
		return taskFormView{}, err
	}
	w, err := s.store.Workflow(ctx, r.WorkflowID)
	if err != nil {
		return taskFormView{}, err
	}
	title := "Add a task"
	action := releasePath(id) + "/tasks"
	if editing != "" {
		title, action = "Edit task", releasePath(id)+"/tasks/"+editing
	}
	v := taskFormView{Layout: s.layout(c, title), Release: r, Workflow: w, Action: action, Editing: editing != "", Original: editing,
		Key: t.Key, Title: t.Title, Scenario: t.Scenario, Start: t.Start, DailyFrequency: frequency}
	for i, sc := range r.Screens {
		v.Screens = append(v.Screens, targetOption{sc.Key, sc.Title})
		id := "success"
		if i > 0 {
			id = "success-" + strconv.Itoa(i+1)
		}
		v.Success = append(v.Success, successOption{ID: id, Key: sc.Key, Title: sc.Title, Checked: slices.Contains(t.Success, sc.Key)})
	}
	steps := max(len(r.Screens), len(t.OptimalPath), 1)
	for i := range steps {
		id := "optimal_path"
		if i > 0 {
			id = "optimal_path-" + strconv.Itoa(i+1)
		}
		step := pathStep{ID: id, Number: i + 1}
		if i < len(t.OptimalPath) {
			step.Value = t.OptimalPath[i]
		}
		v.Steps = append(v.Steps, step)
	}
	return v, nil
}

// handleTaskNew shows the form to add a task to a draft release.
func (s *Server) handleTaskNew(c echo.Context) error {
	u := currentUser(c)
	m, err := s.editableDraft(c, u)
	if err != nil {
		return s.releaseRefusal(c, u, metaID(m), err)
	}
	view, err := s.taskFormView(c, m.ID, sandpit.Task{}, "", "")
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "task/form", view)
}

// handleTaskEdit shows the form to change a task of a draft release.
func (s *Server) handleTaskEdit(c echo.Context) error {
	u := currentUser(c)
	m, err := s.editableDraft(c, u)
	if err != nil {
		return s.releaseRefusal(c, u, metaID(m), err)
	}
	r, err := s.store.Release(c.Request().Context(), m.ID)
	if err != nil {
		return err
	}
	t := r.Task(c.Param("key"))
	if t == nil {
		return sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
	}
	view, err := s.taskFormView(c, m.ID, *t, strconv.FormatFloat(t.DailyFrequency, 'f', -1, 64), t.Key)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "task/form", view)
}

// handleTaskCreate adds a task to a draft release.
func (s *Server) handleTaskCreate(c echo.Context) error {
	return s.saveTask(c, "")
}

// handleTaskUpdate changes a task of a draft release; its key may change.
func (s *Server) handleTaskUpdate(c echo.Context) error {
	return s.saveTask(c, c.Param("key"))
}

// taskOrder is the order of the task form's fields.
var taskOrder = []string{"key", "title", "scenario", "start", "success", "optimal_path", "daily_frequency"}

// saveTask reads the task form and stores the task, replacing the task
// called replacing when it is not empty.
func (s *Server) saveTask(c echo.Context, replacing string) error {
	u := currentUser(c)
	m, err := s.editableDraft(c, u)
	if err != nil {
		return s.releaseRefusal(c, u, metaID(m), err)
	}
	r, err := s.store.Release(c.Request().Context(), m.ID)
	if err != nil {
		return err
	}
	if replacing != "" && r.Task(replacing) == nil {
		return sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
	}
	if err := c.Request().ParseForm(); err != nil {
		return sandpit.Errorf(sandpit.EMALFORMED, "The form could not be read.")
	}
	form := c.Request().Form
	t := sandpit.Task{Key: strings.TrimSpace(form.Get("key")), Title: strings.TrimSpace(form.Get("title")),
		Scenario: strings.TrimSpace(form.Get("scenario")), Start: form.Get("start"), Success: []string{}, OptimalPath: []string{}}
	for _, k := range form["success"] {
		if k != "" && !slices.Contains(t.Success, k) {
			t.Success = append(t.Success, k)
		}
	}
	for _, k := range form["optimal_path"] {
		if k = strings.TrimSpace(k); k != "" {
			t.OptimalPath = append(t.OptimalPath, k)
		}
	}
	frequency := strings.TrimSpace(form.Get("daily_frequency"))

	var errs FieldErrors
	if p := sandpit.KeyProblem(t.Key); p != "" {
		errs.Add("key", sentence("key", p))
	}
	if p := titleProblem(t.Title, "task"); p != "" {
		errs.Add("title", p)
	}
	if utf8.RuneCountInString(t.Scenario) > sandpit.MaxText {
		errs.Add("scenario", fmt.Sprintf("The scenario must be at most %d characters", sandpit.MaxText))
	}
	if r.Screen(t.Start) == nil {
		errs.Add("start", "Select the screen the task starts on")
	}
	if len(t.Success) == 0 {
		errs.Add("success", "Select at least one screen that means the task is done")
	}
	for _, k := range t.Success {
		if r.Screen(k) == nil {
			errs.Add("success", "Select success screens from this release's screens")
		}
	}
	for _, k := range t.OptimalPath {
		if r.Screen(k) == nil {
			errs.Add("optimal_path", "Select the optimal path's steps from this release's screens")
		}
	}
	if f, err := strconv.ParseFloat(frequency, 64); frequency == "" || err != nil || f < 0 || f > 100000 {
		errs.Add("daily_frequency", "Enter how many times a day the task is done, a number from 0 to 100000, like 12 or 0.5")
	} else {
		t.DailyFrequency = f
	}
	if !errs.Any() {
		err = s.store.SaveTask(c.Request().Context(), m.ID, replacing, t)
		if fe, ok := fieldErrors(err, taskOrder, nil); ok {
			errs = fe
		} else if err != nil {
			return s.releaseRefusal(c, u, m.ID, err)
		}
	}
	if errs.Any() {
		view, verr := s.taskFormView(c, m.ID, t, frequency, replacing)
		if verr != nil {
			return verr
		}
		view.Errors = errs
		return s.render(c, formStatus(errs), "task/form", view)
	}
	return seeOther(c, releasePath(m.ID)+"?done=task-saved")
}

// handleTaskDelete removes a task from a draft release.
func (s *Server) handleTaskDelete(c echo.Context) error {
	return s.changeDraft(c, s.store.DeleteTask, "task-deleted")
}
