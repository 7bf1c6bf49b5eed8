package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
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
	Release   *sandpit.Release
	Workflow  *sandpit.Workflow
	Tag       statusTag
	IsEditor  bool   // may publish, close and change drafts
	Editable  bool   // an editor, and the release is a draft
	InviteURL string // the link editors share with clinicians while the release is open
	Screens   []screenItem
	Tasks     []taskItem
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
	// ProblemCount is how many problems stop the release being published.
	ProblemCount int
	// Recruitment is who was invited and took part, by profession against
	// the targets, for the team's product owners.
	Recruitment *recruitmentPanel
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

// releaseView returns the page about release id as the user sees it.
func (s *Server) releaseView(c echo.Context, id int64) (releaseView, error) {
	rv, err := s.app.Authoring.Release(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return releaseView{}, err
	}
	r := rv.Release
	v := releaseView{Layout: s.layout(c, fmt.Sprintf("%s release %s", rv.Workflow.Title, r.Version)), Release: r, Workflow: rv.Workflow,
		Tag: tagFor(r.Status), IsEditor: rv.CanEdit, Editable: rv.Editable(),
		Version: r.Version, Notes: r.Notes, Baseline: r.Baseline, Answered: rv.Answered, ProblemCount: len(rv.Problems)}
	if v.IsEditor && r.Status == sandpit.StatusOpen && s.cfg.BaseURL != nil {
		v.InviteURL = strings.TrimSuffix(s.cfg.BaseURL.String(), "/") + releasePath(r.ID) + "/invite"
	}
	if v.IsEditor {
		rec, err := s.app.Recruitment.Status(c.Request().Context(), actorOf(c), id)
		if err != nil {
			return releaseView{}, err
		}
		v.Recruitment = recruitmentPanelOf(rec)
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

// changeDraft calls change on the draft release :id and the screen or task
// :key, then returns to the release page with the confirmation done; a
// refusal shows the release page saying why.
func (s *Server) changeDraft(c echo.Context, change func(ctx context.Context, a app.Actor, releaseID int64, key string) error, done string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := change(c.Request().Context(), actorOf(c), id, c.Param("key")); err != nil {
		return s.releaseRefusal(c, id, err)
	}
	return seeOther(c, releasePath(id)+"?done="+done)
}

// releaseRefusal answers a failed change to release id: a conflict with its
// status shows the release page with the service's message (409); any
// other error is returned as it is.
func (s *Server) releaseRefusal(c echo.Context, id int64, err error) error {
	if sandpit.ErrorCode(err) != sandpit.ECONFLICT || id == 0 {
		return err
	}
	view, verr := s.releaseView(c, id)
	if verr != nil {
		return verr
	}
	msg := sandpit.ErrorMessage(err)
	view.Problems = []problemLink{{"#release-summary", msg}}
	view.Errors.Add("release-summary", msg)
	return s.render(c, http.StatusConflict, "release/show", view)
}

// handleReleaseDetailsUpdate changes a draft release's version label,
// notes and baseline flag.
func (s *Server) handleReleaseDetailsUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d := app.ReleaseDetails{Version: strings.TrimSpace(c.FormValue("version")), Notes: strings.TrimSpace(c.FormValue("notes")),
		Baseline: c.FormValue("baseline") != ""}
	err = s.app.Authoring.UpdateReleaseDetails(c.Request().Context(), actorOf(c), id, d)
	errs, ok := fieldErrors(err, releaseDetailsOrder, releaseDetailsSentences)
	switch {
	case ok:
		view, verr := s.releaseView(c, id)
		if verr != nil {
			return verr
		}
		view.Errors, view.Version, view.Notes, view.Baseline = errs, d.Version, d.Notes, d.Baseline
		return s.render(c, conflictStatus(err, errs), "release/show", view)
	case err != nil:
		return s.releaseRefusal(c, id, err)
	}
	return seeOther(c, releasePath(id)+"?done=release-saved")
}

// handleReleaseClose ends trials of an open release.
func (s *Server) handleReleaseClose(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.app.Authoring.Close(c.Request().Context(), actorOf(c), id); err != nil {
		return s.releaseRefusal(c, id, err)
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
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	def, err := s.app.Authoring.Definition(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	name := strings.Trim(slug(def.WorkflowTitle)+"-"+slug(def.Version), "-")
	if name == "" {
		name = "release"
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.json"`, name))
	c.Response().Header().Set(echo.HeaderCacheControl, "private, no-store")
	return c.JSON(http.StatusOK, def.Definition)
}

// handleScreenImage serves a screen's image to the people who may see its
// release.
func (s *Server) handleScreenImage(c echo.Context) error {
	return s.serveScreenImage(c)
}
