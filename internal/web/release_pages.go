package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// screenItem is one row of a release's screens table.
type screenItem struct {
	sandpit.Screen
	Number      int
	First, Last bool
}

// taskItem is one row of a release's tasks table.
type taskItem struct {
	sandpit.Task
	StartTitle  string
	SuccessText string
	PathText    string
	Frequency   string
}

// releaseView is the page about one release: its summary, screens, tasks
// and, for its team's editors while it is a draft, the forms to change it.
type releaseView struct {
	Layout
	Release    *sandpit.Release
	Workflow   *sandpit.Workflow
	Tag        statusTag
	IsEditor   bool // may publish, close and change drafts
	Editable   bool // an editor, and the release is a draft
	CanPreview bool
	InviteURL  string // the link editors share with clinicians while the release is open
	Screens    []screenItem
	Tasks      []taskItem
	// The details form.
	Version  string
	Notes    string
	Baseline bool
	// The screen upload form.
	ScreenKey   string
	ScreenTitle string
	Problems    []problemLink
	// Answered are the workflow's findings the team has planned or fixed,
	// with their public response: "you said, we did".
	Answered []store.FindingSummary
}

// screenTitle returns the title of screen key of def, or the key itself.
func screenTitle(def *sandpit.Definition, key string) string {
	if sc := def.Screen(key); sc != nil {
		return sc.Title
	}
	return key
}

// screenTitles returns the titles of the screens keys, in order.
func screenTitles(def *sandpit.Definition, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = screenTitle(def, k)
	}
	return out
}

// releaseView returns the page about release id as u sees it.
func (s *Server) releaseView(c echo.Context, u *sandpit.User, id int64) (releaseView, error) {
	ctx := c.Request().Context()
	m, err := s.releaseFor(c, u, id, accessRead)
	if err != nil {
		return releaseView{}, err
	}
	r, err := s.store.Release(ctx, m.ID)
	if err != nil {
		return releaseView{}, err
	}
	w, err := s.store.Workflow(ctx, r.WorkflowID)
	if err != nil {
		return releaseView{}, err
	}
	v := releaseView{Layout: s.layout(c, fmt.Sprintf("%s release %s", w.Title, r.Version)), Release: r, Workflow: w,
		Tag: tagFor(r.Status), IsEditor: sandpit.CanEditWorkflows(u, m.TeamID), CanPreview: len(r.PublishProblems()) == 0,
		Version: r.Version, Notes: r.Notes, Baseline: r.Baseline}
	v.Editable = v.IsEditor && !r.Published()
	findings, err := s.store.WorkflowFindings(ctx, sandpit.ReadScope(u), r.WorkflowID)
	if err != nil {
		return releaseView{}, err
	}
	for _, f := range findings {
		if f.StoredStatus == "planned" || f.StoredStatus == "fixed" {
			v.Answered = append(v.Answered, f)
		}
	}
	if v.IsEditor && r.Status == sandpit.StatusOpen && s.cfg.BaseURL != nil {
		v.InviteURL = strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + releasePath(r.ID) + "/invite"
	}
	for i, sc := range r.Screens {
		v.Screens = append(v.Screens, screenItem{Screen: sc, Number: i + 1, First: i == 0, Last: i == len(r.Screens)-1})
	}
	for _, t := range r.Tasks {
		v.Tasks = append(v.Tasks, taskItem{Task: t, StartTitle: screenTitle(&r.Definition, t.Start),
			SuccessText: strings.Join(screenTitles(&r.Definition, t.Success), ", "),
			PathText:    strings.Join(screenTitles(&r.Definition, t.OptimalPath), " → "),
			Frequency:   strconv.FormatFloat(t.DailyFrequency, 'f', -1, 64)})
	}
	return v, nil
}

// editableDraft returns release :id if u may change it: ENOTFOUND or
// EFORBIDDEN as releaseFor decides, ECONFLICT once it is published. The
// store checks the status again as it writes.
func (s *Server) editableDraft(c echo.Context, u *sandpit.User) (*store.ReleaseMeta, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	m, err := s.releaseFor(c, u, id, accessEdit)
	if err != nil {
		return nil, err
	}
	if m.Status != sandpit.StatusDraft {
		return m, sandpit.Errorf(sandpit.ECONFLICT, "This release is published and can no longer change. Start a new release to make changes.")
	}
	return m, nil
}

// changeDraft applies change to the draft release :id and the screen or
// task :key, then returns to the release page with the confirmation done;
// a refusal shows the release page saying why.
func (s *Server) changeDraft(c echo.Context, change func(ctx context.Context, releaseID int64, key string) error, done string) error {
	u := currentUser(c)
	m, err := s.editableDraft(c, u)
	if err != nil {
		return s.releaseRefusal(c, u, metaID(m), err)
	}
	if err := change(c.Request().Context(), m.ID, c.Param("key")); err != nil {
		return s.releaseRefusal(c, u, m.ID, err)
	}
	return seeOther(c, releasePath(m.ID)+"?done="+done)
}

// releaseRefusal answers a failed change to release id: a conflict with its
// status shows the release page with the store's message (409); any other
// error is returned as it is.
func (s *Server) releaseRefusal(c echo.Context, u *sandpit.User, id int64, err error) error {
	if sandpit.ErrorCode(err) != sandpit.ECONFLICT || id == 0 {
		return err
	}
	view, verr := s.releaseView(c, u, id)
	if verr != nil {
		return verr
	}
	msg := sandpit.ErrorMessage(err)
	view.Problems = []problemLink{{"#release-summary", msg}}
	view.Errors.Add("release-summary", msg)
	return s.render(c, http.StatusConflict, "release/show", view)
}

// metaID is m's id, or 0 when m is nil.
func metaID(m *store.ReleaseMeta) int64 {
	if m == nil {
		return 0
	}
	return m.ID
}

// handleReleaseDetailsUpdate changes a draft release's version label,
// notes and baseline flag.
func (s *Server) handleReleaseDetailsUpdate(c echo.Context) error {
	u := currentUser(c)
	m, err := s.editableDraft(c, u)
	if err != nil {
		return s.releaseRefusal(c, u, metaID(m), err)
	}
	version, notes := strings.TrimSpace(c.FormValue("version")), strings.TrimSpace(c.FormValue("notes"))
	baseline := c.FormValue("baseline") != ""
	var errs FieldErrors
	if p := versionProblem(version); p != "" {
		errs.Add("version", p)
	}
	if utf8.RuneCountInString(notes) > sandpit.MaxText {
		errs.Add("notes", fmt.Sprintf("Notes must be at most %d characters", sandpit.MaxText))
	}
	if !errs.Any() {
		err = s.store.UpdateReleaseDetails(c.Request().Context(), m.ID, version, notes, baseline)
		if fe, ok := fieldErrors(err, []string{"version", "notes"}, nil); ok {
			errs = fe
		} else if err != nil {
			return s.releaseRefusal(c, u, m.ID, err)
		}
	}
	if errs.Any() {
		view, verr := s.releaseView(c, u, m.ID)
		if verr != nil {
			return verr
		}
		view.Errors, view.Version, view.Notes, view.Baseline = errs, version, notes, baseline
		return s.render(c, conflictStatus(err, errs), "release/show", view)
	}
	return seeOther(c, releasePath(m.ID)+"?done=release-saved")
}

// problemField matches the start of a publish problem's field, like
// screens[2] or tasks[0].
var problemField = regexp.MustCompile(`^(screens|tasks)\[(\d+)\]`)

// problemAnchor returns where on the release page a publish problem about
// field is: the screen's or task's row, or the table.
func problemAnchor(r *sandpit.Release, field string) string {
	m := problemField.FindStringSubmatch(field)
	if m == nil {
		if strings.HasPrefix(field, "tasks") {
			return "#tasks"
		}
		return "#screens"
	}
	i, _ := strconv.Atoi(m[2])
	switch {
	case m[1] == "screens" && i < len(r.Screens):
		return "#screen-" + r.Screens[i].Key
	case m[1] == "tasks" && i < len(r.Tasks):
		return "#task-" + r.Tasks[i].Key
	}
	return "#" + m[1]
}

// handleReleasePublish opens a draft release for trials, or shows the
// release page listing every reason it cannot be yet.
func (s *Server) handleReleasePublish(c echo.Context) error {
	u := currentUser(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	err = s.publishRelease(c, u, id)
	switch sandpit.ErrorCode(err) {
	case "":
		return seeOther(c, releasePath(id)+"?done=published")
	case sandpit.EINVALID:
		view, verr := s.releaseView(c, u, id)
		if verr != nil {
			return verr
		}
		for _, p := range view.Release.PublishProblems() {
			view.Problems = append(view.Problems, problemLink{problemAnchor(view.Release, p.Field), p.Message})
			view.Errors.Add(p.Field, p.Message)
		}
		return s.render(c, http.StatusUnprocessableEntity, "release/show", view)
	}
	return s.releaseRefusal(c, u, id, err)
}

// handleReleaseClose ends trials of an open release.
func (s *Server) handleReleaseClose(c echo.Context) error {
	u := currentUser(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.closeRelease(c, u, id); err != nil {
		return s.releaseRefusal(c, u, id, err)
	}
	return seeOther(c, releasePath(id)+"?done=closed")
}

// slugPart matches what a download's file name may not hold.
var slugPart = regexp.MustCompile(`[^a-z0-9]+`)

// slug turns s into lower-case letters, digits and single hyphens.
func slug(s string) string {
	return strings.Trim(slugPart.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// handleReleaseExport downloads a release's whole definition, images
// included, as a JSON file the import form and the API accept.
func (s *Server) handleReleaseExport(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := s.releaseFor(c, currentUser(c), id, accessRead)
	if err != nil {
		return err
	}
	def, err := s.store.Definition(ctx, m.ID)
	if err != nil {
		return err
	}
	w, err := s.store.Workflow(ctx, m.WorkflowID)
	if err != nil {
		return err
	}
	name := strings.Trim(slug(w.Title)+"-"+slug(def.Version), "-")
	if name == "" {
		name = "release"
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.json"`, name))
	c.Response().Header().Set(echo.HeaderCacheControl, "private, no-store")
	return c.JSON(http.StatusOK, def)
}

// handleScreenImage serves a screen's image to the people who may see its
// release.
func (s *Server) handleScreenImage(c echo.Context) error {
	return s.serveScreenImage(c, currentUser(c))
}
