package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// choice is one radio of a group: the first takes the group's name as its
// id, so the error summary can link to it.
type choice struct {
	ID, Value, Label, Hint string
	Checked                bool
}

// choices builds a radio group called name from values, labels and hints,
// with chosen checked.
func choices(name string, values, labels, hints []string, chosen string) []choice {
	out := make([]choice, len(values))
	for i, v := range values {
		id := name
		if i > 0 {
			id = name + "-" + v
		}
		out[i] = choice{ID: id, Value: v, Label: labels[i], Checked: v == chosen}
		if hints != nil {
			out[i].Hint = hints[i]
		}
	}
	return out
}

// categoryHints explains each report category in a line.
var categoryHints = map[string]string{
	"navigation":          "You could not tell where to go next, or a button or link did not do what you expected.",
	"terminology":         "Words, abbreviations or labels that are unclear or not the ones clinicians use.",
	"missing_information": "Something you needed to see or record was not there.",
	"layout":              "Hard to read or to find things: the order, grouping, size or crowding of the screen.",
	"workflow_fit":        "The steps do not match how the work is really done.",
	"safety":              "Could lead to a wrong decision or to harm.",
	"accessibility":       "Hard to use with a keyboard, screen reader, magnification or with colour vision differences.",
	"performance":         "Slow, or felt slow to use.",
	"other":               "Anything else.",
}

// severityHints explains each severity in a line.
var severityHints = []string{
	"Looks wrong but does not slow you down.",
	"Slows you down.",
	"You could not finish, or got a wrong result.",
	"Could lead to harm or a serious error.",
}

// reportView is the form to pin a problem to a screen.
type reportView struct {
	Layout
	TrialID       int64
	Task          *sandpit.Task
	Screen        *sandpit.Screen
	X, Y          string
	MaxX, MaxY    int // the last pixel across and down
	Categories    []choice
	Severities    []choice
	SafetyConcern bool
	Text          string
	MaxChars      int
	BackHref      string
}

// reportView returns the report form of screen in tc, for task if any,
// filled with f.
func (s *Server) reportView(c echo.Context, tc *trialContext, task *sandpit.Task, screen *sandpit.Screen, f reportForm) reportView {
	v := reportView{Layout: s.trialLayout(c, "Report a problem on "+screen.Title), TrialID: tc.Trial.ID, Task: task, Screen: screen,
		X: f.X, Y: f.Y, MaxX: screen.Width - 1, MaxY: screen.Height - 1, SafetyConcern: f.SafetyConcern, Text: f.Text, MaxChars: sandpit.MaxFreeText, BackHref: trialPath(tc.Trial.ID)}
	if task != nil {
		v.BackHref = taskPath(tc.Trial.ID, task.Key)
	}
	cats := sandpit.ReportCategories()
	labels, hints := make([]string, len(cats)), make([]string, len(cats))
	for i, cat := range cats {
		labels[i], hints[i] = sandpit.CategoryLabel(cat), categoryHints[cat]
	}
	v.Categories = choices("category", cats, labels, hints, f.Category)
	var values, sevLabels []string
	for i := 1; i <= 4; i++ {
		values = append(values, strconv.Itoa(i))
		sevLabels = append(sevLabels, fmt.Sprintf("%d %s", i, sandpit.SeverityLabel(i)))
	}
	v.Severities = choices("severity", values, sevLabels, severityHints, f.Severity)
	return v
}

// reportForm is what the report form posted.
type reportForm struct {
	X, Y, Category, Severity, Text string
	SafetyConcern                  bool
}

// reportTarget loads the caller's trial :id with the task and screen the
// report is about, from task and screen in the query or the form.
func (s *Server) reportTarget(c echo.Context) (*trialContext, *sandpit.Task, *sandpit.Screen, error) {
	key := c.FormValue("task")
	_, tc, err := s.loadTrial(c, key)
	if err != nil {
		return nil, nil, nil, err
	}
	var task *sandpit.Task
	if key != "" {
		if task = tc.Def.Task(key); task == nil {
			return nil, nil, nil, sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
		}
	}
	screen := tc.Def.Screen(c.FormValue("screen"))
	if screen == nil {
		return nil, nil, nil, sandpit.Errorf(sandpit.ENOTFOUND, "Screen not found.")
	}
	return tc, task, screen, nil
}

// handleReportShow shows the form to pin a problem to a screen.
func (s *Server) handleReportShow(c echo.Context) error {
	tc, task, screen, err := s.reportTarget(c)
	if err != nil {
		return err
	}
	if tc.Trial.Completed() {
		return c.Redirect(http.StatusSeeOther, trialPath(tc.Trial.ID))
	}
	if !tc.Write.Open {
		return sandpit.Errorf(sandpit.ECONFLICT, "This release is closed to trials, so nothing more can be recorded.")
	}
	return s.render(c, http.StatusOK, "trial/report", s.reportView(c, tc, task, screen, reportForm{}))
}

// handleReportSubmit records the problem and goes back to the task.
func (s *Server) handleReportSubmit(c echo.Context) error {
	tc, task, screen, err := s.reportTarget(c)
	if err != nil {
		return err
	}
	f := reportForm{X: strings.TrimSpace(c.FormValue("x")), Y: strings.TrimSpace(c.FormValue("y")), Category: c.FormValue("category"),
		Severity: c.FormValue("severity"), Text: c.FormValue("text"), SafetyConcern: c.FormValue("safety_concern") != ""}
	r := sandpit.Report{Screen: screen.Key, X: -1, Y: -1, Category: f.Category, SafetyConcern: f.SafetyConcern, Text: f.Text}
	if task != nil {
		r.TaskKey = task.Key
	}
	x, xerr := strconv.Atoi(f.X)
	y, yerr := strconv.Atoi(f.Y)
	if xerr == nil && yerr == nil {
		r.X, r.Y = x, y
	}
	r.Severity, _ = strconv.Atoi(f.Severity)
	_, err = s.createReport(c, currentUser(c), tc.Trial.ID, r)
	if sandpit.ErrorCode(err) == sandpit.EINVALID {
		fields := sandpit.ErrorFields(err)
		var errs FieldErrors
		if _, ok := fields["x"]; ok {
			if f.X == "" && f.Y == "" {
				errs.Add("x", "Select where the problem is on the screen, or type the position of the pin")
			} else {
				errs.Add("x", fmt.Sprintf("The pin must be on the screen: across from 0 to %d, and down from 0 to %d", screen.Width-1, screen.Height-1))
			}
		}
		if _, ok := fields["category"]; ok {
			errs.Add("category", "Select what kind of problem it is")
		}
		if _, ok := fields["severity"]; ok {
			errs.Add("severity", "Select how serious the problem is")
		}
		if msg, ok := fields["text"]; ok {
			errs.Add("text", freeTextSentence("text", msg))
		}
		for field, msg := range fields {
			if field != "x" && field != "category" && field != "severity" && field != "text" {
				errs.Add("text", sentence(field, msg))
			}
		}
		view := s.reportView(c, tc, task, screen, f)
		view.Errors = errs
		return s.render(c, http.StatusUnprocessableEntity, "trial/report", view)
	}
	if err != nil {
		return err
	}
	if task != nil {
		return seeOther(c, taskPath(tc.Trial.ID, task.Key)+"?done=reported")
	}
	return seeOther(c, trialPath(tc.Trial.ID)+"?done=reported")
}

// ---- SUS ----

// susItem is one statement of the SUS questionnaire.
type susItem struct {
	Name      string // q1 … q10
	Number    int
	Statement string
	Options   []choice
	Error     string
}

// susView is the System Usability Scale questionnaire.
type susView struct {
	Layout
	TrialID int64
	Items   []susItem
}

// susLabels are the five answers to each SUS statement.
var susLabels = []string{"1 Strongly disagree", "2 Disagree", "3 Neither agree nor disagree", "4 Agree", "5 Strongly agree"}

// susView returns the questionnaire with answers chosen (by name) and errs.
func (s *Server) susView(c echo.Context, tc *trialContext, answers map[string]string, errs FieldErrors) susView {
	v := susView{Layout: s.trialLayout(c, "Questionnaire about the prototype"), TrialID: tc.Trial.ID}
	v.Errors = errs
	for i, st := range sandpit.SUSStatements() {
		name := "q" + strconv.Itoa(i+1)
		v.Items = append(v.Items, susItem{Name: name, Number: i + 1, Statement: st, Error: errs.Get(name),
			Options: choices(name, []string{"1", "2", "3", "4", "5"}, susLabels, nil, answers[name])})
	}
	return v
}

// handleSUSShow shows the ten SUS statements.
func (s *Server) handleSUSShow(c echo.Context) error {
	_, tc, err := s.loadTrial(c, "")
	if err != nil {
		return err
	}
	if tc.Trial.Completed() {
		return c.Redirect(http.StatusSeeOther, trialPath(tc.Trial.ID))
	}
	answers := map[string]string{}
	for i, a := range tc.Trial.SUS {
		answers["q"+strconv.Itoa(i+1)] = strconv.Itoa(a)
	}
	return s.render(c, http.StatusOK, "trial/sus", s.susView(c, tc, answers, FieldErrors{}))
}

// handleSUSSubmit scores and stores the answers, every one required.
func (s *Server) handleSUSSubmit(c echo.Context) error {
	u, tc, err := s.loadTrial(c, "")
	if err != nil {
		return err
	}
	answers := map[string]string{}
	values := make([]int, 10)
	var errs FieldErrors
	for i := range 10 {
		name := "q" + strconv.Itoa(i+1)
		answers[name] = c.FormValue(name)
		v, err := strconv.Atoi(answers[name])
		if err != nil || v < 1 || v > 5 {
			errs.Add(name, fmt.Sprintf("Select how much you agree with statement %d", i+1))
			continue
		}
		values[i] = v
	}
	if errs.Any() {
		return s.render(c, http.StatusUnprocessableEntity, "trial/sus", s.susView(c, tc, answers, errs))
	}
	if _, err := s.answerSUS(c, u, tc.Trial.ID, values); err != nil {
		return err
	}
	return seeOther(c, trialPath(tc.Trial.ID)+"?done=sus")
}

// ---- My feedback ----

// feedbackItem is one of the caller's reports with what became of it.
type feedbackItem struct {
	store.Feedback
	ScreenTitle   string
	CategoryLabel string
	SeverityLabel string
	Status        statusTag
}

// feedbackView is "My feedback".
type feedbackView struct {
	Layout
	Items  []feedbackItem
	Trials []store.TrialSummary
}

// findingTag returns the tag of finding status st.
func findingTag(st string) statusTag {
	switch st {
	case "new":
		return statusTag{"Received", "nhsuk-tag--grey"}
	case "accepted":
		return statusTag{"Accepted", "nhsuk-tag--blue"}
	case "planned":
		return statusTag{"Planned", "nhsuk-tag--purple"}
	case "fixed":
		return statusTag{"Fixed", "nhsuk-tag--green"}
	case "wont_fix":
		return statusTag{"Will not fix", "nhsuk-tag--orange"}
	case "persisting":
		return statusTag{"Persisting", "nhsuk-tag--red"}
	}
	return statusTag{sandpit.OptionLabel(st), "nhsuk-tag--grey"}
}

// handleFeedbackList shows every report the caller made, what became of
// each, and their trials, each of which they may withdraw from.
func (s *Server) handleFeedbackList(c echo.Context) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	list, err := s.store.FeedbackOf(ctx, u.ID)
	if err != nil {
		return err
	}
	trials, err := s.store.TrialsOf(ctx, u.ID)
	if err != nil {
		return err
	}
	view := feedbackView{Layout: s.layout(c, "My feedback"), Trials: trials}
	for _, f := range list {
		title := f.Screen
		if def, err := s.store.PublishedDefinition(ctx, f.ReleaseID); err == nil {
			title = screenTitle(def, f.Screen)
		}
		view.Items = append(view.Items, feedbackItem{Feedback: f, ScreenTitle: title, CategoryLabel: sandpit.CategoryLabel(f.Category),
			SeverityLabel: sandpit.SeverityLabel(f.Severity), Status: findingTag(f.FindingStatus)})
	}
	return s.render(c, http.StatusOK, "feedback/list", view)
}

// ---- Withdrawal ----

// withdrawView confirms withdrawal from a trial.
type withdrawView struct {
	Layout
	ID       int64
	Workflow *sandpit.Workflow
	Version  string
	Started  time.Time
}

// handleWithdrawShow asks the clinician to confirm withdrawing.
func (s *Server) handleWithdrawShow(c echo.Context) error {
	_, tc, err := s.loadTrial(c, "")
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "trial/withdraw", withdrawView{Layout: s.trialLayout(c, "Withdraw from this trial"),
		ID: tc.Trial.ID, Workflow: tc.Workflow, Version: tc.Version, Started: tc.Trial.ConsentedAt})
}

// handleWithdrawSubmit deletes the trial and everything recorded in it.
func (s *Server) handleWithdrawSubmit(c echo.Context) error {
	u := currentUser(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.store.WithdrawTrial(c.Request().Context(), id, u.ID, auditEntry(c, sandpit.AuditWithdraw)); err != nil {
		return err
	}
	return seeOther(c, "/feedback?done=withdrawn")
}
