package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
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
	// Paused says the form paused the attempt at Task when it opened:
	// sending resumes it, and cancelling is a button that resumes it.
	Paused bool
}

// reportView returns the report form of the screen in rt, filled with f.
func (s *Server) reportView(c echo.Context, rt *app.ReportTarget, f reportForm) reportView {
	id, screen := rt.Trial.ID, rt.Screen
	v := reportView{Layout: s.trialLayout(c, "Report a problem on "+screen.Title), TrialID: id, Task: rt.Task, Screen: screen,
		X: f.X, Y: f.Y, MaxX: screen.Width - 1, MaxY: screen.Height - 1, SafetyConcern: f.SafetyConcern, Text: f.Text, MaxChars: sandpit.MaxFreeText, BackHref: trialPath(id)}
	if rt.Task != nil {
		v.BackHref = taskPath(id, rt.Task.Key)
		v.Paused = f.Paused
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
	Paused                         bool // opened from a running attempt, which it paused
}

// reportTarget loads the caller's trial :id with the task and screen the
// report is about, from task and screen in the query or the form.
func (s *Server) reportTarget(c echo.Context) (*app.ReportTarget, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.app.Trials.ReportForm(c.Request().Context(), actorOf(c), id, c.FormValue("task"), c.FormValue("screen"))
}

// handleReportShow shows the form to pin a problem to a screen.
func (s *Server) handleReportShow(c echo.Context) error {
	rt, err := s.reportTarget(c)
	if err != nil {
		return err
	}
	if rt.Trial.Completed() {
		return c.Redirect(http.StatusSeeOther, trialPath(rt.Trial.ID))
	}
	return s.render(c, http.StatusOK, "trial/report", s.reportView(c, rt, reportForm{Paused: c.QueryParam("paused") == "1"}))
}

// reportSentences are the report form's error sentences for a pin on
// screen; the pin's x and y share the field "x", and any field the form
// does not show is told under "text".
func reportSentences(screen *sandpit.Screen) formSentences {
	pin := map[string]string{
		sandpit.FieldRequired: "Select where the problem is on the screen, or type the position of the pin",
		"":                    fmt.Sprintf("The pin must be on the screen: across from 0 to %d, and down from 0 to %d", screen.Width-1, screen.Height-1),
	}
	return formSentences{
		"x":        pin,
		"y":        pin,
		"category": {"": "Select what kind of problem it is"},
		"severity": {"": "Select how serious the problem is"},
		"text": {
			sandpit.FieldRequired:  "Describe what happened",
			sandpit.FieldTooLong:   "What happened must be {max} characters or fewer",
			sandpit.FieldPatientID: patientIDSentence,
		},
	}
}

// handleReportSubmit records the problem and goes back to the task.
func (s *Server) handleReportSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := reportForm{X: strings.TrimSpace(c.FormValue("x")), Y: strings.TrimSpace(c.FormValue("y")), Category: c.FormValue("category"),
		Severity: c.FormValue("severity"), Text: c.FormValue("text"), SafetyConcern: c.FormValue("safety_concern") != "",
		Paused: c.FormValue("resume") == "1"}
	args := app.ReportArgs{TrialID: id, Task: c.FormValue("task"), Screen: c.FormValue("screen"), Category: f.Category,
		SafetyConcern: f.SafetyConcern, Text: f.Text, Resume: f.Paused}
	x, xerr := strconv.Atoi(f.X)
	y, yerr := strconv.Atoi(f.Y)
	switch {
	case xerr == nil && yerr == nil:
		args.X, args.Y = &x, &y
	case f.X != "" || f.Y != "":
		// Typed but not a position: off the screen, as before.
		off := -1
		args.X, args.Y = &off, &off
	}
	args.Severity, _ = strconv.Atoi(f.Severity)
	_, err = s.app.Trials.Report(c.Request().Context(), actorOf(c), args)
	if sandpit.ErrorCode(err) == sandpit.EINVALID {
		rt, verr := s.reportTarget(c)
		if verr != nil {
			return verr
		}
		errs, _ := fieldErrors(err, []string{"x", "y", "category", "severity", "text"}, reportSentences(rt.Screen))
		view := s.reportView(c, rt, f)
		view.Errors = formFields(errs, map[string]string{"y": "x"}, []string{"x", "category", "severity", "text"}, "text")
		return s.render(c, http.StatusUnprocessableEntity, "trial/report", view)
	}
	if err != nil {
		return err
	}
	if args.Task != "" {
		return seeOther(c, taskPath(id, args.Task)+"?done=reported"+screenAnchor)
	}
	return seeOther(c, trialPath(id)+"?done=reported")
}

// formFields returns errs with the fields in names renamed, and any field
// not among shown told under other: a form shows only the fields it has.
func formFields(errs FieldErrors, names map[string]string, shown []string, other string) FieldErrors {
	var out FieldErrors
	for _, e := range errs.List() {
		field := e.Field
		if n, ok := names[field]; ok {
			field = n
		}
		if !slices.Contains(shown, field) {
			field = other
		}
		out.Add(field, e.Message)
	}
	return out
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

// susView returns the questionnaire of trial id with answers chosen (by
// name) and errs.
func (s *Server) susView(c echo.Context, id int64, answers map[string]string, errs FieldErrors) susView {
	v := susView{Layout: s.trialLayout(c, "Questionnaire about the prototype"), TrialID: id}
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
	tv, err := s.showTrial(c)
	if err != nil {
		return err
	}
	if tv.Trial.Completed() {
		return c.Redirect(http.StatusSeeOther, trialPath(tv.Trial.ID))
	}
	answers := map[string]string{}
	for i, a := range tv.Trial.SUS {
		answers["q"+strconv.Itoa(i+1)] = strconv.Itoa(a)
	}
	return s.render(c, http.StatusOK, "trial/sus", s.susView(c, tv.Trial.ID, answers, FieldErrors{}))
}

// susSentences are the questionnaire's error sentences, one per statement,
// with the domain's name of each answer and the form's.
func susSentences() (formSentences, []string, map[string]string) {
	table := formSentences{}
	var order []string
	names := map[string]string{}
	for i := range sandpit.SUSStatements() {
		f := sandpit.SUSField(i)
		table[f] = map[string]string{"": fmt.Sprintf("Select how much you agree with statement %d", i+1)}
		order = append(order, f)
		names[f] = "q" + strconv.Itoa(i+1)
	}
	return table, order, names
}

// handleSUSSubmit scores and stores the answers, every one required.
func (s *Server) handleSUSSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	answers := map[string]string{}
	values := make([]int, len(sandpit.SUSStatements()))
	for i := range values {
		name := "q" + strconv.Itoa(i+1)
		answers[name] = c.FormValue(name)
		// A missing answer is 0, which the domain refuses as out of range.
		values[i], _ = strconv.Atoi(answers[name])
	}
	_, err = s.app.Trials.SUS(c.Request().Context(), actorOf(c), id, values)
	if sandpit.ErrorCode(err) == sandpit.EINVALID {
		table, order, names := susSentences()
		errs, _ := fieldErrors(err, order, table)
		return s.render(c, http.StatusUnprocessableEntity, "trial/sus", s.susView(c, id, answers, renamed(errs, names)))
	}
	if err != nil {
		return err
	}
	return seeOther(c, trialPath(id)+"?done=sus")
}

// ---- My feedback ----

// feedbackItem is one of the caller's reports with what became of it.
type feedbackItem struct {
	store.Feedback
	Heading       string // the first sentence of the clinician's own words
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
	fb, err := s.app.Trials.Feedback(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	view := feedbackView{Layout: s.layout(c, "My feedback"), Trials: fb.Trials}
	for _, f := range fb.Items {
		view.Items = append(view.Items, feedbackItem{Feedback: f.Feedback, Heading: sandpit.ReportTitle(f.Text), ScreenTitle: f.ScreenTitle, CategoryLabel: sandpit.CategoryLabel(f.Category),
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
	tv, err := s.showTrial(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "trial/withdraw", withdrawView{Layout: s.trialLayout(c, "Withdraw from this trial"),
		ID: tv.Trial.ID, Workflow: tv.Workflow, Version: tv.Def.Version, Started: tv.Trial.ConsentedAt})
}

// handleWithdrawSubmit deletes the trial and everything recorded in it.
func (s *Server) handleWithdrawSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.app.Trials.Withdraw(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return seeOther(c, "/feedback?done=withdrawn")
}
