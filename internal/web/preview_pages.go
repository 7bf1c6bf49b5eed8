package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// Preview lets a release's team and researchers click through it as a
// clinician would, before or after publishing. Nothing is recorded.

// previewProblems are the problems a preview shows above it: linked to
// where they are fixed for those who may fix them.
type previewProblems struct {
	Problems []problemLink
	Fixable  bool
	Brief    bool // counted, with a link to them, rather than listed
}

// newPreviewProblems returns the problems of preview p.
func newPreviewProblems(p *app.Preview) previewProblems {
	v := previewProblems{Fixable: p.CanEdit && !p.Release.Published()}
	for _, problem := range p.Problems {
		v.Problems = append(v.Problems, problemLink{problemFix(p.Release.ID, problem), problem.Message()})
	}
	return v
}

// previewListView lists a release's tasks to preview.
type previewListView struct {
	Layout
	Release  *sandpit.Release
	Workflow *sandpit.Workflow
	previewProblems
}

// handleReleasePreview lists the tasks of a release, each with a link to
// start it in preview.
func (s *Server) handleReleasePreview(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.app.Authoring.Preview(c.Request().Context(), actorOf(c), id, "", "")
	if err != nil {
		return err
	}
	view := previewListView{Layout: s.layout(c, fmt.Sprintf("Preview %s release %s", p.Workflow.Title, p.Version)), Release: p.Release, Workflow: p.Workflow,
		previewProblems: newPreviewProblems(p)}
	return s.render(c, http.StatusOK, "preview/list", view)
}

// previewLink is one clickable area of a screen in preview, as a button.
type previewLink struct {
	Index int
	Text  string
}

// previewScreenView is one screen of a task in preview.
type previewScreenView struct {
	Layout
	Release  *sandpit.Release
	Workflow *sandpit.Workflow
	Task     *sandpit.Task
	Screen   *sandpit.Screen
	Links    []previewLink
	Missed   bool // the last click was not on a clickable area
	Complete bool // the screen is one of the task's success screens
	previewProblems
}

// previewScreenView is the page of preview p.
func (s *Server) previewScreenView(c echo.Context, p *app.Preview) previewScreenView {
	v := previewScreenView{Layout: s.layout(c, "Preview: "+p.Task.Title), Release: p.Release, Workflow: p.Workflow, Task: p.Task, Screen: p.Screen,
		Complete: p.Complete(), previewProblems: newPreviewProblems(p)}
	v.Brief = true
	v.Sandbox = true
	v.Links = hotspotLinks(&p.Definition, p.Screen)
	return v
}

// hotspotLinks lists screen's hotspots as buttons for keyboard and screen
// reader users, named by their labels.
func hotspotLinks(def *sandpit.Definition, screen *sandpit.Screen) []previewLink {
	var links []previewLink
	for i, h := range screen.Hotspots {
		text := h.Label
		if strings.TrimSpace(text) == "" {
			text = "Go to " + screenTitle(def, h.Target)
		}
		links = append(links, previewLink{Index: i, Text: text})
	}
	return links
}

// handleReleasePreviewScreen shows one screen of a task in preview: the
// task's start screen unless ?screen names another.
func (s *Server) handleReleasePreviewScreen(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.app.Authoring.Preview(c.Request().Context(), actorOf(c), id, c.Param("task"), c.QueryParam("screen"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "preview/screen", s.previewScreenView(c, p))
}

// handleReleasePreviewClick follows a click on a screen in preview: a
// point of the image (click.x and click.y, as an image button posts them)
// or a clickable area chosen from the list (hotspot). A hit goes to the
// hotspot's screen; a miss shows the same screen again, saying so.
func (s *Server) handleReleasePreviewClick(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	where := func(sc *sandpit.Screen) (int, int, bool) { return clickPoint(c, sc) }
	p, hit, err := s.app.Authoring.PreviewClick(c.Request().Context(), actorOf(c), id, c.Param("task"), c.FormValue("screen"), where)
	switch {
	case sandpit.ErrorCode(err) == sandpit.EINVALID && p != nil:
		view := s.previewScreenView(c, p)
		msg := "Select a point inside the screen image"
		if c.FormValue("hotspot") != "" {
			msg = "Select one of the clickable areas listed below the screen"
		}
		view.Errors.Add("click", msg)
		return s.render(c, http.StatusUnprocessableEntity, "preview/screen", view)
	case err != nil:
		return err
	case hit == nil:
		view := s.previewScreenView(c, p)
		view.Missed = true
		return s.render(c, http.StatusOK, "preview/screen", view)
	}
	return seeOther(c, fmt.Sprintf("%s/preview/%s?screen=%s", releasePath(id), url.PathEscape(p.Task.Key), url.QueryEscape(hit.Target)))
}
