package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
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
	u := currentUser(c)
	ctx := c.Request().Context()
	list, err := s.visibleWorkflows(c, u)
	if err != nil {
		return err
	}
	ids := make([]int64, len(list))
	for i, w := range list {
		ids[i] = w.ID
	}
	latest, err := s.store.LatestReleases(ctx, ids)
	if err != nil {
		return err
	}
	view := workflowListView{Layout: s.layout(c, "Workflows")}
	for _, w := range list {
		item := workflowListItem{Workflow: w}
		if r, ok := latest[w.ID]; ok {
			item.Latest, item.Tag = &r, tagFor(r.Status)
		}
		view.Workflows = append(view.Workflows, item)
	}
	if sandpit.CanAdminister(u) {
		teams, err := s.store.Teams(ctx)
		if err != nil {
			return err
		}
		for _, t := range teams {
			view.Teams = append(view.Teams, teamLink{t.ID, t.Name})
		}
	} else {
		for _, m := range u.Teams {
			if sandpit.CanEditWorkflows(u, m.TeamID) {
				view.Teams = append(view.Teams, teamLink{m.TeamID, m.TeamName})
			}
		}
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

// editableTeam returns team :id if u may create workflows in it: ENOTFOUND
// for people who may not see it, EFORBIDDEN for those who may only look.
func (s *Server) editableTeam(c echo.Context, u *sandpit.User) (*sandpit.Team, error) {
	teamID, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	team, err := s.store.Team(c.Request().Context(), teamID)
	if err != nil {
		return nil, err
	}
	if !sandpit.CanViewTeam(u, team.ID) {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Team not found.")
	}
	if err := allow(sandpit.CanEditWorkflows(u, team.ID)); err != nil {
		return nil, err
	}
	return team, nil
}

// handleWorkflowNew shows the form to create a workflow in a team.
func (s *Server) handleWorkflowNew(c echo.Context) error {
	team, err := s.editableTeam(c, currentUser(c))
	if err != nil {
		return err
	}
	view := workflowFormView{Layout: s.layout(c, "Create a workflow"), TeamName: team.Name,
		Action: fmt.Sprintf("/teams/%d/workflows", team.ID), Back: "/workflows"}
	return s.render(c, http.StatusOK, "workflow/form", view)
}

// workflowOrder is the order of the workflow form's fields.
var workflowOrder = []string{"title", "description", "consent_text"}

// workflowSentences are the error summary's words for the workflow form.
var workflowSentences = formSentences{
	"title":        {"": "Enter a title of at most 200 characters"},
	"consent_text": {"": "Enter the participant information clinicians agree to before a trial, of at most 10000 characters"},
}

// workflowInput reads the workflow form.
func workflowInput(c echo.Context) sandpit.WorkflowInput {
	return sandpit.WorkflowInput{Title: c.FormValue("title"), Description: c.FormValue("description"), ConsentText: c.FormValue("consent_text")}
}

// handleWorkflowCreate creates a workflow in a team.
func (s *Server) handleWorkflowCreate(c echo.Context) error {
	u := currentUser(c)
	team, err := s.editableTeam(c, u)
	if err != nil {
		return err
	}
	in := workflowInput(c)
	id, err := s.createWorkflow(c, u, team.ID, in)
	if errs, ok := fieldErrors(err, workflowOrder, workflowSentences); ok {
		view := workflowFormView{Layout: s.layout(c, "Create a workflow"), TeamName: team.Name,
			Action: fmt.Sprintf("/teams/%d/workflows", team.ID), Back: "/workflows",
			Title: in.Title, Description: in.Description, ConsentText: in.ConsentText}
		view.Errors = errs
		return s.render(c, formStatus(errs), "workflow/form", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, workflowPath(id)+"?done=workflow-created")
}

// handleWorkflowEdit shows the form to change a workflow.
func (s *Server) handleWorkflowEdit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.workflowFor(c, currentUser(c), id, true)
	if err != nil {
		return err
	}
	view := workflowFormView{Layout: s.layout(c, "Edit workflow"), TeamName: w.TeamName, Editing: true,
		Action: workflowPath(w.ID), Back: workflowPath(w.ID), Title: w.Title, Description: w.Description, ConsentText: w.ConsentText}
	return s.render(c, http.StatusOK, "workflow/form", view)
}

// handleWorkflowUpdate saves a workflow; a changed consent text becomes a
// new consent version.
func (s *Server) handleWorkflowUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.workflowFor(c, currentUser(c), id, true)
	if err != nil {
		return err
	}
	in := workflowInput(c)
	err = in.Validate()
	if err == nil {
		err = s.store.UpdateWorkflow(c.Request().Context(), w.ID, in)
	}
	if errs, ok := fieldErrors(err, workflowOrder, workflowSentences); ok {
		view := workflowFormView{Layout: s.layout(c, "Edit workflow"), TeamName: w.TeamName, Editing: true,
			Action: workflowPath(w.ID), Back: workflowPath(w.ID), Title: in.Title, Description: in.Description, ConsentText: in.ConsentText}
		view.Errors = errs
		return s.render(c, formStatus(errs), "workflow/form", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, workflowPath(w.ID)+"?done=workflow-saved")
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
}

// workflowShowView returns the page about workflow id as u sees it.
func (s *Server) workflowShowView(c echo.Context, u *sandpit.User, id int64) (workflowShowView, error) {
	w, err := s.workflowFor(c, u, id, false)
	if err != nil {
		return workflowShowView{}, err
	}
	consents, err := s.store.ConsentVersions(c.Request().Context(), w.ID)
	if err != nil {
		return workflowShowView{}, err
	}
	v := workflowShowView{Layout: s.layout(c, w.Title), Workflow: w, CanEdit: sandpit.CanEditWorkflows(u, w.TeamID)}
	if len(consents) > 1 {
		v.EarlierConsent = consents[1:]
	}
	for _, r := range w.Releases {
		v.Releases = append(v.Releases, workflowReleaseItem{ReleaseSummary: r, Tag: tagFor(r.Status)})
	}
	return v, nil
}

// versionProblem returns why a release version label cannot be used, as a
// sentence, or "": the rule of Definition.Validate.
func versionProblem(version string) string {
	switch n := utf8.RuneCountInString(version); {
	case n == 0:
		return "Enter a version label, like 0.3"
	case n > sandpit.MaxVersionLabel:
		return fmt.Sprintf("Version must be at most %d characters", sandpit.MaxVersionLabel)
	}
	return ""
}

// handleReleaseCreate starts a new draft release of a workflow: a copy of
// its newest release, or an empty one.
func (s *Server) handleReleaseCreate(c echo.Context) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.workflowFor(c, u, id, true)
	if err != nil {
		return err
	}
	version, notes := strings.TrimSpace(c.FormValue("version")), strings.TrimSpace(c.FormValue("notes"))
	var errs FieldErrors
	if p := versionProblem(version); p != "" {
		errs.Add("version", p)
	}
	if utf8.RuneCountInString(notes) > sandpit.MaxText {
		errs.Add("notes", fmt.Sprintf("Notes must be at most %d characters", sandpit.MaxText))
	}
	var newID int64
	if !errs.Any() {
		latest, lerr := s.store.LatestRelease(ctx, w.ID)
		if lerr != nil {
			return lerr
		}
		if latest != 0 {
			newID, err = s.store.CopyRelease(ctx, latest, version, notes)
		} else {
			newID, err = s.store.CreateRelease(ctx, w.ID, sandpit.Definition{Version: version, Notes: notes}, store.Images{})
		}
		if fe, ok := fieldErrors(err, []string{"version", "notes"}, nil); ok {
			errs = fe
		} else if err != nil {
			return err
		}
	}
	if errs.Any() {
		view, verr := s.workflowShowView(c, u, w.ID)
		if verr != nil {
			return verr
		}
		view.Errors, view.Version, view.Notes = errs, version, notes
		return s.render(c, conflictStatus(err, errs), "workflow/show", view)
	}
	return seeOther(c, releasePath(newID)+"?done=release-created")
}

// handleReleaseImport creates a draft release from an uploaded definition
// file, as exported from a release page or written for the API.
func (s *Server) handleReleaseImport(c echo.Context) error {
	u := currentUser(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.workflowFor(c, u, id, true)
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
	var newID int64
	if problems == nil {
		newID, err = s.importRelease(c, u, w.ID, def)
		switch sandpit.ErrorCode(err) {
		case "":
		case sandpit.EINVALID:
			for _, p := range definitionProblems(sandpit.ErrorFields(err)) {
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
		view, verr := s.workflowShowView(c, u, w.ID)
		if verr != nil {
			return verr
		}
		view.Problems = problems
		view.Errors.Add("definition", problems[0].Message)
		return s.render(c, status, "workflow/show", view)
	}
	return seeOther(c, releasePath(newID)+"?done=release-imported")
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
		return nil, sandpit.InvalidMessages("Select a file.", map[string]string{name: "select a file"})
	}
	if limit == 0 && fh.Size == 0 {
		return nil, sandpit.InvalidMessages("Select a file.", map[string]string{name: "select a file"})
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

// fieldPart matches one step of a definition field name, like screens[1].
var fieldPart = regexp.MustCompile(`^([a-z_]+)\[(\d+)\]$`)

// readableField turns a definition field name such as
// "screens[1].hotspots[0].label" into words: "Screen 2 hotspot 1 label".
func readableField(field string) string {
	var words []string
	for _, part := range strings.Split(field, ".") {
		if m := fieldPart.FindStringSubmatch(part); m != nil {
			n, _ := strconv.Atoi(m[2])
			name := strings.TrimSuffix(strings.ReplaceAll(m[1], "_", " "), "s")
			words = append(words, fmt.Sprintf("%s %d", name, n+1))
		} else {
			words = append(words, strings.ReplaceAll(part, "_", " "))
		}
	}
	out := strings.Join(words, " ")
	if out == "" {
		return out
	}
	return strings.ToUpper(out[:1]) + out[1:]
}

// definitionProblems turns a definition's field errors into sentences, like
// "Screen 2 image: must be a PNG or JPEG image", in field order.
func definitionProblems(fields map[string]string) []string {
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Slice(names, func(i, j int) bool { return fieldSortKey(names[i]) < fieldSortKey(names[j]) })
	out := make([]string, len(names))
	for i, f := range names {
		out[i] = readableField(f) + ": " + fields[f]
	}
	return out
}

// digits matches the numbers in a field name.
var digits = regexp.MustCompile(`\d+`)

// fieldSortKey orders field names with their indexes as numbers, so that
// screens[10] follows screens[9].
func fieldSortKey(field string) string {
	return digits.ReplaceAllStringFunc(field, func(d string) string {
		if len(d) >= 6 {
			return d
		}
		return strings.Repeat("0", 6-len(d)) + d
	})
}
