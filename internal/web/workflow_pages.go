package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// statusTag is how a release status shows as an NHS.UK tag.
type statusTag struct {
	Label string
	Class string
}

// tagFor returns the tag of release status st.
func tagFor(st sandpit.ReleaseStatus) statusTag {
	switch st {
	case sandpit.StatusDraft:
		return statusTag{"Draft", "nhsuk-tag--grey"}
	case sandpit.StatusOpen:
		return statusTag{"Open for trials", "nhsuk-tag--green"}
	case sandpit.StatusClosed:
		return statusTag{"Closed", "nhsuk-tag--blue"}
	}
	return statusTag{string(st), "nhsuk-tag--grey"}
}

// problemLink is one entry of an error summary that lists problems rather
// than form fields: a sentence and the anchor it leads to.
type problemLink struct {
	Href    string
	Message string
}

// workflowPath is the page about workflow id.
func workflowPath(id int64) string { return "/workflows/" + strconv.FormatInt(id, 10) }

// releasePath is the page about release id.
func releasePath(id int64) string { return "/releases/" + strconv.FormatInt(id, 10) }

// workflowListItem is one row of the workflow list.
type workflowListItem struct {
	sandpit.Workflow
	Latest *sandpit.ReleaseSummary
	Tag    statusTag
}

// teamLink is a team the user may create workflows in.
type teamLink struct {
	ID   int64
	Name string
}

// workflowListView lists the workflows the user may see.
type workflowListView struct {
	Layout
	Workflows []workflowListItem
	Teams     []teamLink
}

// handleWorkflowList lists the workflows of the teams the user may see, with
// links to create one in each team they may edit.
func (s *Server) handleWorkflowList(c echo.Context) error {
	list, err := s.app.Authoring.Workflows(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	view := workflowListView{Layout: s.layout(c, "Workflows")}
	for _, w := range list.Workflows {
		item := workflowListItem{Workflow: w}
		if r, ok := list.Latest[w.ID]; ok {
			item.Latest, item.Tag = &r, tagFor(r.Status)
		}
		view.Workflows = append(view.Workflows, item)
	}
	for _, t := range list.Teams {
		view.Teams = append(view.Teams, teamLink{t.ID, t.Name})
	}
	return s.render(c, http.StatusOK, "workflow/list", view)
}

// workflowFormView is the form to create or change a workflow.
type workflowFormView struct {
	Layout
	Action      string
	Back        string
	TeamName    string
	Editing     bool
	Title       string
	Description string
	ConsentText string
}

// newWorkflowForm is the form to create a workflow in team, filled with in.
func (s *Server) newWorkflowForm(c echo.Context, team *sandpit.Team, in sandpit.WorkflowInput) workflowFormView {
	return workflowFormView{Layout: s.layout(c, "Create a workflow"), TeamName: team.Name,
		Action: fmt.Sprintf("/teams/%d/workflows", team.ID), Back: "/workflows",
		Title: in.Title, Description: in.Description, ConsentText: in.ConsentText}
}

// handleWorkflowNew shows the form to create a workflow in a team.
func (s *Server) handleWorkflowNew(c echo.Context) error {
	teamID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	team, err := s.app.Authoring.WorkflowTeam(c.Request().Context(), actorOf(c), teamID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "workflow/form", s.newWorkflowForm(c, team, sandpit.WorkflowInput{}))
}

// workflowOrder is the order of the workflow form's fields.
var workflowOrder = []string{"title", "description", "consent_text"}

// workflowSentences are the error summary's words for the workflow form.
var workflowSentences = formSentences{
	"title":        {sandpit.FieldRequired: "Enter a title", sandpit.FieldTooLong: "Title must be {max} characters or fewer"},
	"description":  {sandpit.FieldTooLong: "Description must be {max} characters or fewer"},
	"consent_text": {sandpit.FieldRequired: "Enter the participant information clinicians agree to before a trial", sandpit.FieldTooLong: "Participant information must be {max} characters or fewer"},
}

// workflowInput reads the workflow form.
func workflowInput(c echo.Context) sandpit.WorkflowInput {
	return sandpit.WorkflowInput{Title: c.FormValue("title"), Description: c.FormValue("description"), ConsentText: c.FormValue("consent_text")}
}

// handleWorkflowCreate creates a workflow in a team.
func (s *Server) handleWorkflowCreate(c echo.Context) error {
	teamID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in := workflowInput(c)
	w, err := s.app.Authoring.CreateWorkflow(c.Request().Context(), actorOf(c), teamID, in)
	if errs, ok := fieldErrors(err, workflowOrder, workflowSentences); ok {
		team, terr := s.app.Authoring.WorkflowTeam(c.Request().Context(), actorOf(c), teamID)
		if terr != nil {
			return terr
		}
		view := s.newWorkflowForm(c, team, in)
		view.Errors = errs
		return s.render(c, formStatus(errs), "workflow/form", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, workflowPath(w.ID)+"?done=workflow-created")
}

// editWorkflowForm is the form to change workflow w, filled with in.
func (s *Server) editWorkflowForm(c echo.Context, w *sandpit.Workflow, in sandpit.WorkflowInput) workflowFormView {
	return workflowFormView{Layout: s.layout(c, "Edit workflow"), TeamName: w.TeamName, Editing: true,
		Action: workflowPath(w.ID), Back: workflowPath(w.ID), Title: in.Title, Description: in.Description, ConsentText: in.ConsentText}
}

// handleWorkflowEdit shows the form to change a workflow.
func (s *Server) handleWorkflowEdit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.app.Authoring.EditWorkflow(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	in := sandpit.WorkflowInput{Title: w.Title, Description: w.Description, ConsentText: w.ConsentText}
	return s.render(c, http.StatusOK, "workflow/form", s.editWorkflowForm(c, w, in))
}

// handleWorkflowUpdate saves a workflow; a changed consent text becomes a
// new consent version.
func (s *Server) handleWorkflowUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in := workflowInput(c)
	_, err = s.app.Authoring.UpdateWorkflow(c.Request().Context(), actorOf(c), id,
		app.WorkflowPatch{Title: &in.Title, Description: &in.Description, ConsentText: &in.ConsentText})
	if errs, ok := fieldErrors(err, workflowOrder, workflowSentences); ok {
		w, werr := s.app.Authoring.EditWorkflow(c.Request().Context(), actorOf(c), id)
		if werr != nil {
			return werr
		}
		view := s.editWorkflowForm(c, w, in)
		view.Errors = errs
		return s.render(c, formStatus(errs), "workflow/form", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, workflowPath(id)+"?done=workflow-saved")
}

// workflowReleaseItem is one row of a workflow's releases table.
type workflowReleaseItem struct {
	sandpit.ReleaseSummary
	Tag statusTag
}

// workflowShowView is the page about one workflow.
type workflowShowView struct {
	Layout
	Workflow       *sandpit.Workflow
	EarlierConsent []sandpit.ConsentVersion
	Releases       []workflowReleaseItem
	CanEdit        bool
	Version        string // typed for a new release
	Notes          string
	Problems       []problemLink // an import's problems
	// StaffCount and StaffCountSource are the staff count form's fields.
	StaffCount, StaffCountSource string
}

// workflowShowView returns the page about workflow id as the user sees it.
func (s *Server) workflowShowView(c echo.Context, id int64) (workflowShowView, error) {
	w, err := s.app.Authoring.Workflow(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return workflowShowView{}, err
	}
	v := workflowShowView{Layout: s.layout(c, w.Title), Workflow: w.Workflow, CanEdit: w.CanEdit, EarlierConsent: w.EarlierConsent,
		StaffCountSource: w.StaffCount.Source}
	if n := w.StaffCount.Count; n != nil {
		v.StaffCount = strconv.Itoa(*n)
	}
	for _, r := range w.Releases {
		v.Releases = append(v.Releases, workflowReleaseItem{ReleaseSummary: r, Tag: tagFor(r.Status)})
	}
	return v, nil
}

// staffCountSentences are the error summary's words for the staff count
// form.
var staffCountSentences = formSentences{
	"staff_count":        {"": "Enter the number of staff as a whole number from 1 to 10,000,000, or leave it empty if you do not know it yet"},
	"staff_count_source": {sandpit.FieldRequired: "Enter where the staff count comes from, like “ESR headcount, Nov 2026”", sandpit.FieldTooLong: "Where the staff count comes from must be {max} characters or fewer"},
}

// handleWorkflowStaffCount saves how many staff do a workflow's job, and
// where the number comes from; an empty count clears it.
func (s *Server) handleWorkflowStaffCount(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	rawCount, source := strings.TrimSpace(c.FormValue("staff_count")), c.FormValue("staff_count_source")
	patch := app.WorkflowPatch{SetStaffCount: true, StaffCountSource: &source}
	if rawCount != "" {
		n, cerr := atoiField(strings.ReplaceAll(rawCount, ",", ""))
		if cerr != nil {
			n = 0 // not a whole number: refused as out of range
		}
		patch.StaffCount = &n
	}
	_, err = s.app.Authoring.UpdateWorkflow(c.Request().Context(), actorOf(c), id, patch)
	if errs, ok := fieldErrors(err, []string{"staff_count", "staff_count_source"}, staffCountSentences); ok {
		view, verr := s.workflowShowView(c, id)
		if verr != nil {
			return verr
		}
		view.Errors, view.StaffCount, view.StaffCountSource = errs, rawCount, source
		return s.render(c, formStatus(errs), "workflow/show", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, workflowPath(id)+"?done=staff-count-saved#staff-count")
}

// releaseDetailsOrder is the order of the release details form's fields.
var releaseDetailsOrder = []string{"version", "notes"}

// releaseDetailsSentences are the error summary's words for the forms that
// start a release or change its details.
var releaseDetailsSentences = formSentences{
	"version": {sandpit.FieldRequired: "Enter a version label, like 0.3", sandpit.FieldTooLong: "Version must be {max} characters or fewer"},
	"notes":   {sandpit.FieldTooLong: "Notes must be {max} characters or fewer"},
}

// handleReleaseCreate starts a new draft release of a workflow: a copy of
// its newest release, or an empty one.
func (s *Server) handleReleaseCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d := app.ReleaseDetails{Version: strings.TrimSpace(c.FormValue("version")), Notes: strings.TrimSpace(c.FormValue("notes"))}
	newID, err := s.app.Authoring.StartRelease(c.Request().Context(), actorOf(c), id, d)
	if errs, ok := fieldErrors(err, releaseDetailsOrder, releaseDetailsSentences); ok {
		view, verr := s.workflowShowView(c, id)
		if verr != nil {
			return verr
		}
		view.Errors, view.Version, view.Notes = errs, d.Version, d.Notes
		return s.render(c, conflictStatus(err, errs), "workflow/show", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, releasePath(newID)+"?done=release-created")
}

// handleReleaseImport creates a draft release from an uploaded definition
// file, as exported from a release page or written for the API.
func (s *Server) handleReleaseImport(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var problems []problemLink
	var status = http.StatusUnprocessableEntity
	data, err := uploadedFile(c, "definition", 0)
	var def sandpit.Definition
	switch {
	case err != nil && sandpit.ErrorCode(err) == sandpit.EINVALID:
		problems = append(problems, problemLink{"#definition", "Select a release definition file (.json) to import"})
	case err != nil:
		return err
	default:
		if jerr := json.Unmarshal(data, &def); jerr != nil {
			problems = append(problems, problemLink{"#definition", "The file is not a release definition: " + jsonProblem(jerr)})
		}
	}
	var r *sandpit.Release
	if problems == nil {
		r, err = s.app.Authoring.ImportRelease(c.Request().Context(), actorOf(c), id, def)
		switch sandpit.ErrorCode(err) {
		case "":
		case sandpit.EINVALID:
			for _, p := range definitionProblems(sandpit.FieldErrorsOf(err)) {
				problems = append(problems, problemLink{"#definition", p})
			}
		case sandpit.ECONFLICT:
			status = http.StatusConflict
			problems = append(problems, problemLink{"#definition", sandpit.ErrorMessage(err)})
		default:
			return err
		}
	}
	if problems != nil {
		view, verr := s.workflowShowView(c, id)
		if verr != nil {
			return verr
		}
		view.Problems = problems
		view.Errors.Add("definition", problems[0].Message)
		return s.render(c, status, "workflow/show", view)
	}
	return seeOther(c, releasePath(r.ID)+"?done=release-imported")
}

// uploadedFile reads the file of multipart field name, at most limit bytes
// (no limit when 0) and one more, so a caller can tell an oversized file.
// A missing file is EINVALID; a body over the route's limit keeps its 413.
func uploadedFile(c echo.Context, name string, limit int64) ([]byte, error) {
	fh, err := c.FormFile(name)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, sandpit.Errorf(sandpit.ETOOLARGE, "The upload is too large.")
		}
		return nil, sandpit.Invalid("Select a file.", sandpit.Required(name))
	}
	if limit == 0 && fh.Size == 0 {
		return nil, sandpit.Invalid("Select a file.", sandpit.Required(name))
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if limit > 0 {
		r = io.LimitReader(f, limit+1)
	}
	return io.ReadAll(r)
}

// jsonProblem describes a JSON decoding error without Go's type names.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("it is not valid JSON (%s, at byte %d).", syn.Error(), syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("the field %q has the wrong kind of value.", typ.Field)
		}
		return "it is not a JSON object."
	}
	return "it is not valid JSON."
}

// definitionProblems turns a definition's field errors into sentences, like
// "Screen 2 image: must be a PNG or JPEG image", in the definition's order.
func definitionProblems(fields []sandpit.FieldError) []string {
	out := make([]string, 0, len(fields))
	seen := map[string]bool{}
	for _, f := range fields {
		if seen[f.Field] {
			continue
		}
		seen[f.Field] = true
		out = append(out, placeWords(f.Place())+": "+f.Phrase())
	}
	return out
}

// placeWords names a place in a definition, like "Screen 2 hotspot 1
// label".
func placeWords(p sandpit.Place) string {
	var words []string
	switch {
	case p.Screen > 0:
		words = append(words, fmt.Sprintf("Screen %d", p.Screen))
		if p.Hotspot > 0 {
			words = append(words, fmt.Sprintf("hotspot %d", p.Hotspot))
		}
	case p.Task > 0:
		words = append(words, fmt.Sprintf("Task %d", p.Task))
	}
	if p.Attribute != "" {
		words = append(words, strings.ReplaceAll(p.Attribute, "_", " "))
	}
	out := strings.Join(words, " ")
	if out == "" {
		return out
	}
	return strings.ToUpper(out[:1]) + out[1:]
}
