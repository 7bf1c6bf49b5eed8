package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
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

// taskFormView returns the task form of draft release r filled with t.
func (s *Server) taskFormView(c echo.Context, f *app.TaskForm, t sandpit.Task, frequency string, editing string) taskFormView {
	r, id := f.Release, f.Release.ID
	title := "Add a task"
	action := releasePath(id) + "/tasks"
	if editing != "" {
		title, action = "Edit task", releasePath(id)+"/tasks/"+editing
	}
	v := taskFormView{Layout: s.layout(c, title), Release: r, Workflow: f.Workflow, Action: action, Editing: editing != "", Original: editing,
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
	return v
}

// showTaskForm shows the form to add a task to draft release :id, or to
// change its task key when key is set.
func (s *Server) showTaskForm(c echo.Context, key string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f, err := s.app.Authoring.TaskForm(c.Request().Context(), actorOf(c), id, key)
	if err != nil {
		return s.releaseRefusal(c, id, err)
	}
	var t sandpit.Task
	frequency := ""
	if f.Task != nil {
		t, frequency = *f.Task, strconv.FormatFloat(f.Task.DailyFrequency, 'f', -1, 64)
	}
	return s.render(c, http.StatusOK, "task/form", s.taskFormView(c, f, t, frequency, key))
}

// handleTaskNew shows the form to add a task to a draft release.
func (s *Server) handleTaskNew(c echo.Context) error {
	return s.showTaskForm(c, "")
}

// handleTaskEdit shows the form to change a task of a draft release.
func (s *Server) handleTaskEdit(c echo.Context) error {
	return s.showTaskForm(c, c.Param("key"))
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
var taskOrder = []string{"title", "scenario", "start", "success", "optimal_path", "daily_frequency", "key"}

// taskSentences are the error summary's words for the task form.
var taskSentences = formSentences{
	"key": {sandpit.FieldTaken: "Another task of this release has this short name: choose another or leave it blank",
		sandpit.FieldFormat: "Enter a short name of 1 to 64 characters of a-z, 0-9, _ and -, or leave it blank", sandpit.FieldTooMany: "A release may have at most {max} tasks: delete one first"},
	"title":           {sandpit.FieldRequired: "Enter a title for the task", sandpit.FieldTooLong: "Title must be {max} characters or fewer"},
	"scenario":        {sandpit.FieldTooLong: "Scenario must be {max} characters or fewer"},
	"start":           {"": "Select the screen the task starts on"},
	"success":         {sandpit.FieldRequired: "Select at least one screen that means the task is done", "": "Select success screens from this release's screens"},
	"optimal_path":    {"": "Select the best path's steps from this release's screens"},
	"daily_frequency": {"": "Enter how many times a day the task is done, a number from 0 to 100000, like 12 or 0.5"},
}

// saveTask reads the task form and stores the task, replacing the task
// called replacing when it is not empty.
func (s *Server) saveTask(c echo.Context, replacing string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := c.Request().ParseForm(); err != nil {
		return sandpit.Errorf(sandpit.EMALFORMED, "The form could not be read.")
	}
	form := c.Request().Form
	in := app.TaskInput{Key: form.Get("key"), Title: form.Get("title"), Scenario: form.Get("scenario"), Start: form.Get("start"),
		Success: form["success"], OptimalPath: form["optimal_path"], DailyFrequency: strings.TrimSpace(form.Get("daily_frequency"))}
	err = s.app.Authoring.SaveTask(c.Request().Context(), actorOf(c), id, replacing, in)
	if errs, ok := fieldErrors(err, taskOrder, taskSentences); ok {
		f, ferr := s.app.Authoring.TaskForm(c.Request().Context(), actorOf(c), id, replacing)
		if ferr != nil {
			return ferr
		}
		t := sandpit.Task{Key: strings.TrimSpace(in.Key), Title: strings.TrimSpace(in.Title), Scenario: strings.TrimSpace(in.Scenario),
			Start: in.Start, Success: in.Success}
		for _, k := range in.OptimalPath {
			if k = strings.TrimSpace(k); k != "" {
				t.OptimalPath = append(t.OptimalPath, k)
			}
		}
		view := s.taskFormView(c, f, t, in.DailyFrequency, replacing)
		view.Errors = errs
		return s.render(c, formStatus(errs), "task/form", view)
	}
	if err != nil {
		return s.releaseRefusal(c, id, err)
	}
	return seeOther(c, releasePath(id)+"?done=task-saved")
}

// handleTaskDelete removes a task from a draft release.
func (s *Server) handleTaskDelete(c echo.Context) error {
	return s.changeDraft(c, s.app.Authoring.DeleteTask, "task-deleted")
}
