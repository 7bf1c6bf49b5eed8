package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// findingPath is the page about finding id.
func findingPath(id int64) string { return "/findings/" + strconv.FormatInt(id, 10) }

// findingStatusTag is how a finding status, persisting included, shows as
// an NHS.UK tag.
func findingStatusTag(st string) statusTag {
	if st == sandpit.FindingPersisting {
		return statusTag{"Persisting", "nhsuk-tag--red"}
	}
	t := findingTag(st)
	if st == sandpit.FindingNew {
		t.Label = "New"
	}
	return t
}

// severityTag is how a severity shows as an NHS.UK tag.
func severityTag(sev int) statusTag {
	class := "nhsuk-tag--grey"
	switch sev {
	case 2:
		class = "nhsuk-tag--yellow"
	case 3:
		class = "nhsuk-tag--orange"
	case 4:
		class = "nhsuk-tag--red"
	}
	return statusTag{fmt.Sprintf("%d %s", sev, sandpit.SeverityLabel(sev)), class}
}

// findingItem is a finding as the pages show it.
type findingItem struct {
	store.FindingSummary
	Rank          int
	StatusTag     statusTag
	SeverityTag   statusTag
	CategoryLabel string
	Percent       string // frequency, as a percentage
}

func toFindingItem(i int, f store.FindingSummary) findingItem {
	return findingItem{FindingSummary: f, Rank: i + 1, StatusTag: findingStatusTag(f.Status), SeverityTag: severityTag(f.Severity),
		CategoryLabel: sandpit.CategoryLabel(f.Category), Percent: fmt.Sprintf("%.0f%%", f.Frequency*100)}
}

// findingsBoardView is a workflow's findings board.
type findingsBoardView struct {
	Layout
	Workflow  *sandpit.Workflow
	Findings  []findingItem
	CanCurate bool
}

// handleFindingsBoard lists a workflow's findings in order, with their
// tags and evidence per release.
func (s *Server) handleFindingsBoard(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	board, err := s.app.Findings.Board(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	view := findingsBoardView{Layout: s.layout(c, "Findings: "+board.Workflow.Title), Workflow: board.Workflow, CanCurate: board.CanCurate}
	for i, f := range board.Findings {
		view.Findings = append(view.Findings, toFindingItem(i, f))
	}
	return s.render(c, http.StatusOK, "finding/board", view)
}

// pin is a report's pin on a screen.
type pin struct {
	N      int // the report's number on the page
	X, Y   int
	Radius int
}

// evidenceScreen is one screen of one release with the pins reported on it.
type evidenceScreen struct {
	ReleaseID     int64
	Version       string
	Key           string
	Title         string
	ImageID       int64
	Width, Height int
	Pins          []pin
}

// findingReportItem is one report of a finding page.
type findingReportItem struct {
	store.FindingReport
	N             int
	ScreenTitle   string
	TaskTitle     string
	SeverityLabel string
	CategoryLabel string
}

// option is one choice of a select, radios or checkboxes.
type option struct {
	Value    string
	Label    string
	Hint     string
	Selected bool
}

// findingShowView is the page about one finding.
type findingShowView struct {
	Layout
	Finding   *store.FindingDetail
	Item      findingItem
	Reports   []findingReportItem
	Screens   []evidenceScreen
	Others    []findingItem // the workflow's other findings
	CanCurate bool
	ForSafety bool // read by a safety officer, who came from the safety list
	// Untriaged counts the safety concerns a safety officer has yet to
	// triage: until then the finding cannot be closed.
	Untriaged int
	// The curation form. OwnTitle is the curated title, apart from the
	// layout's page title.
	OwnTitle   string
	Severities []option
	Statuses   []option
	Reason     string
	Response   string
	FormError  string // the merge or move form's error, shown in the summary
}

// findingShowView builds the page about finding id as the caller sees it.
func (s *Server) findingShowView(c echo.Context, id int64) (findingShowView, error) {
	p, err := s.app.Findings.Finding(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return findingShowView{}, err
	}
	d := p.Finding
	v := findingShowView{Layout: s.layout(c, d.Title), Finding: d, Item: toFindingItem(0, d.FindingSummary),
		CanCurate: p.CanCurate, ForSafety: p.ForSafety, OwnTitle: d.OwnTitle, Reason: d.Reason, Response: d.Response}
	screens := map[string]int{} // release/key → index in v.Screens
	for i, r := range d.Quotes {
		rel := p.Releases[r.ReleaseID]
		item := findingReportItem{FindingReport: r, N: i + 1, ScreenTitle: r.Screen, SeverityLabel: sandpit.SeverityLabel(r.Severity),
			CategoryLabel: sandpit.CategoryLabel(r.Category)}
		if t := rel.Task(r.TaskKey); t != nil {
			item.TaskTitle = t.Title
		}
		if sc := rel.Screen(r.Screen); sc != nil {
			item.ScreenTitle = sc.Title
			key := fmt.Sprintf("%d/%s", r.ReleaseID, r.Screen)
			at, ok := screens[key]
			if !ok {
				at = len(v.Screens)
				screens[key] = at
				v.Screens = append(v.Screens, evidenceScreen{ReleaseID: r.ReleaseID, Version: r.Version, Key: sc.Key, Title: sc.Title,
					ImageID: sc.ID, Width: sc.Width, Height: sc.Height})
			}
			radius := max(8, min(sc.Width, sc.Height)/40)
			v.Screens[at].Pins = append(v.Screens[at].Pins, pin{N: i + 1, X: r.X, Y: r.Y, Radius: radius})
		}
		v.Reports = append(v.Reports, item)
		if r.SafetyConcern && !(sandpit.SafetyTriage{Triage: r.Triage}).Triaged() {
			v.Untriaged++
		}
	}
	for i, f := range p.Others {
		v.Others = append(v.Others, toFindingItem(i, f))
	}
	sev := d.Severity
	if d.OwnSeverity != nil {
		sev = *d.OwnSeverity
	}
	for n := 1; n <= 4; n++ {
		v.Severities = append(v.Severities, option{Value: strconv.Itoa(n), Label: fmt.Sprintf("%d %s", n, sandpit.SeverityLabel(n)), Selected: n == sev})
	}
	v.Statuses = statusOptions(d.StoredStatus)
	return v, nil
}

// statusOptions are the status radios with current checked.
func statusOptions(current string) []option {
	hints := map[string]string{
		sandpit.FindingNew:      "Not looked at yet.",
		sandpit.FindingAccepted: "The team agrees this is a problem.",
		sandpit.FindingPlanned:  "A fix is planned for a coming release.",
		sandpit.FindingFixed:    "Fixed in a release. New reports from a later release will show it as persisting.",
		sandpit.FindingWontFix:  "The team will not change this. Say why.",
	}
	var out []option
	for _, st := range sandpit.FindingStatuses() {
		out = append(out, option{Value: st, Label: sandpit.FindingStatusLabel(st), Hint: hints[st], Selected: st == current})
	}
	return out
}

// findingOrder is the order of the curation form's fields.
var findingOrder = []string{"title", "severity", "status", "reason", "response"}

// findingSentences are the error summary's words for the curation form.
var findingSentences = formSentences{
	"title":    {sandpit.FieldTooLong: "Title must be {max} characters or fewer"},
	"severity": {"": "Select how serious the finding is"},
	"status": {"": "Select a status",
		sandpit.FieldUntriaged: "A safety officer must triage the safety concerns in this finding (report {reports}) before it can be closed"},
	"reason": {sandpit.FieldRequired: "Enter why the finding is closed",
		sandpit.FieldTooLong: "Reason must be {max} characters or fewer"},
	"response": {sandpit.FieldTooLong: "Response must be {max} characters or fewer"},
}

// handleFindingUpdate saves the curation form.
func (s *Server) handleFindingUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	title, response, reason, status := c.FormValue("title"), c.FormValue("response"), c.FormValue("reason"), c.FormValue("status")
	upd := sandpit.FindingUpdate{Title: &title, Response: &response, Status: &status, Reason: &reason}
	var errs FieldErrors
	if raw := strings.TrimSpace(c.FormValue("severity")); raw != "" {
		if n, err := atoiField(raw); err == nil {
			upd.Severity = &n
		} else {
			errs.Add("severity", findingSentences["severity"][""])
		}
	}
	var saveErr error
	if !errs.Any() {
		_, saveErr = s.app.Findings.Update(c.Request().Context(), actorOf(c), id, upd)
		if e, ok := fieldErrors(saveErr, findingOrder, findingSentences); ok {
			errs = e
		} else if saveErr != nil {
			return saveErr
		}
	}
	if errs.Any() {
		view, err := s.findingShowView(c, id)
		if err != nil {
			return err
		}
		view.Errors, view.OwnTitle, view.Reason, view.Response = errs, title, reason, response
		view.Statuses = statusOptions(status)
		for i := range view.Severities {
			view.Severities[i].Selected = view.Severities[i].Value == strings.TrimSpace(c.FormValue("severity"))
		}
		return s.render(c, conflictStatus(saveErr, errs), "finding/show", view)
	}
	return seeOther(c, findingPath(id)+"?done=finding-saved")
}

// formIDs reads the whole numbers of form field name.
func formIDs(c echo.Context, name string) []int64 {
	form, err := c.FormParams()
	if err != nil {
		return nil
	}
	var ids []int64
	for _, v := range form[name] {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// renderFindingProblems shows finding id again with the merge or move
// form's errors.
func (s *Server) renderFindingProblems(c echo.Context, id int64, errs FieldErrors) error {
	view, err := s.findingShowView(c, id)
	if err != nil {
		return err
	}
	view.Errors = errs
	return s.render(c, http.StatusUnprocessableEntity, "finding/show", view)
}

// mergeSentences are the merge form's error sentences.
var mergeSentences = formSentences{"from": {
	sandpit.FieldRequired: "Select the findings to merge into this one",
	sandpit.FieldUnknown:  "Select other findings of this workflow to merge into this one",
}}

// handleFindingMerge moves the reports of the findings checked into this
// one.
func (s *Server) handleFindingMerge(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	_, err = s.app.Findings.Merge(c.Request().Context(), actorOf(c), id, formIDs(c, "from"))
	if errs, ok := fieldErrors(err, []string{"from"}, mergeSentences); ok {
		return s.renderFindingProblems(c, id, errs)
	}
	if err != nil {
		return err
	}
	return seeOther(c, findingPath(id)+"?done=findings-merged")
}

// moveSentences are the move-a-report form's error sentences.
var moveSentences = formSentences{"to": {"": "Select a finding of the same workflow to move the report to"}}

// handleReportMove moves one report into another finding of the workflow.
func (s *Server) handleReportMove(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	to, _ := strconv.ParseInt(strings.TrimSpace(c.FormValue("to")), 10, 64)
	m, err := s.app.Findings.MoveReport(c.Request().Context(), actorOf(c), id, to)
	if errs, ok := fieldErrors(err, []string{"to"}, moveSentences); ok && m != nil {
		// The form names its control after the report it moves.
		var named FieldErrors
		for _, e := range errs.List() {
			named.Add(fmt.Sprintf("to-%d", id), e.Message)
		}
		return s.renderFindingProblems(c, m.ID, named)
	}
	if err != nil {
		return err
	}
	return seeOther(c, findingPath(to)+"?done=report-moved")
}

// safetyItem is one safety concern of the safety officer's page.
type safetyItem struct {
	app.Concern
	TriageTag     statusTag
	StatusTag     statusTag
	SeverityLabel string
	CategoryLabel string
	Options       []option
	Note          string
	Error         string
}

// safetyView is the safety officer's page.
type safetyView struct {
	Layout
	Items   []safetyItem
	Filter  []option // the triage statuses to show, "" for all
	Showing string   // the triage status shown, "" for all
}

// triageTag is how a triage status shows as an NHS.UK tag.
func triageTag(st string) statusTag {
	class := map[string]string{sandpit.TriageOpen: "nhsuk-tag--red", sandpit.TriageUnderReview: "nhsuk-tag--yellow",
		sandpit.TriageHazardLogged: "nhsuk-tag--blue", sandpit.TriageNotAHazard: "nhsuk-tag--green"}[st]
	if class == "" {
		class = "nhsuk-tag--grey"
	}
	return statusTag{sandpit.TriageLabel(st), class}
}

// safetyPage returns the safety officer's page.
func (s *Server) safetyPage(c echo.Context) (safetyView, error) {
	showing := c.QueryParam("triage")
	list, err := s.app.Safety.Concerns(c.Request().Context(), actorOf(c), showing)
	if err != nil {
		return safetyView{}, err
	}
	view := safetyView{Layout: s.layout(c, "Safety concerns"), Showing: showing,
		Filter: []option{{Value: "", Label: "Every triage status", Selected: showing == ""}}}
	for _, st := range sandpit.TriageStatuses() {
		view.Filter = append(view.Filter, option{Value: st, Label: sandpit.TriageLabel(st), Selected: st == showing})
	}
	for _, r := range list {
		item := safetyItem{Concern: r, TriageTag: triageTag(r.Triage), StatusTag: findingStatusTag(r.FindingStatus),
			SeverityLabel: sandpit.SeverityLabel(r.Severity), CategoryLabel: sandpit.CategoryLabel(r.Category), Note: r.TriageNote}
		for _, st := range sandpit.TriageStatuses() {
			item.Options = append(item.Options, option{Value: st, Label: sandpit.TriageLabel(st), Selected: st == r.Triage})
		}
		view.Items = append(view.Items, item)
	}
	return view, nil
}

// handleSafetyConcerns lists every safety concern of every team, newest
// first, with a triage form each, for safety officers.
func (s *Server) handleSafetyConcerns(c echo.Context) error {
	view, err := s.safetyPage(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "safety/list", view)
}

// triageSentences are the triage form's error sentences.
var triageSentences = formSentences{
	"status": {"": "Select a triage status"},
	"note":   {sandpit.FieldTooLong: "Note must be {max} characters or fewer"},
}

// handleSafetyTriage records the triage of one safety concern.
func (s *Server) handleSafetyTriage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	t := sandpit.Triage{Status: c.FormValue("status"), Note: c.FormValue("note")}
	_, err = s.app.Safety.Triage(c.Request().Context(), actorOf(c), id, t)
	if errs, ok := fieldErrors(err, []string{"status", "note"}, triageSentences); ok {
		view, verr := s.safetyPage(c)
		if verr != nil {
			return verr
		}
		for i := range view.Items {
			if view.Items[i].ID != id {
				continue
			}
			view.Items[i].Note = c.FormValue("note")
			for j := range view.Items[i].Options {
				view.Items[i].Options[j].Selected = view.Items[i].Options[j].Value == t.Status
			}
			// Each concern's form names its controls after the concern.
			for _, e := range errs.List() {
				view.Items[i].Error = e.Message
				view.Errors.Add(fmt.Sprintf("%s-%d", e.Field, id), e.Message)
			}
		}
		return s.render(c, http.StatusUnprocessableEntity, "safety/list", view)
	}
	if err != nil {
		return err
	}
	return seeOther(c, fmt.Sprintf("/safety-concerns?done=triaged#report-%d", id))
}
