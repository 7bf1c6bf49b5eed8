package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// Preview lets a release's team and researchers click through it as a
// clinician would, before or after publishing. Nothing is recorded.

// previewRelease returns release :id for previewing by u: its team and
// researchers may preview any release that could be published.
func (s *Server) previewRelease(c echo.Context, u *sandpit.User) (*sandpit.Release, *sandpit.Workflow, error) {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	m, err := s.releaseFor(c, u, id, accessRead)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.store.Release(ctx, m.ID)
	if err != nil {
		return nil, nil, err
	}
	if len(r.PublishProblems()) > 0 {
		return nil, nil, sandpit.Errorf(sandpit.ECONFLICT, "This release cannot be previewed until the problems listed when publishing it are fixed.")
	}
	w, err := s.store.Workflow(ctx, r.WorkflowID)
	if err != nil {
		return nil, nil, err
	}
	return r, w, nil
}

// previewListView lists a release's tasks to preview.
type previewListView struct {
	Layout
	Release  *sandpit.Release
	Workflow *sandpit.Workflow
}

// handleReleasePreview lists the tasks of a release, each with a link to
// start it in preview.
func (s *Server) handleReleasePreview(c echo.Context) error {
	r, w, err := s.previewRelease(c, currentUser(c))
	if err != nil {
		return err
	}
	view := previewListView{Layout: s.layout(c, fmt.Sprintf("Preview %s release %s", w.Title, r.Version)), Release: r, Workflow: w}
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
}

// previewScreenView returns screen key of task t in preview.
func (s *Server) previewScreenView(c echo.Context, r *sandpit.Release, w *sandpit.Workflow, t *sandpit.Task, key string) (previewScreenView, error) {
	sc := r.Screen(key)
	if sc == nil {
		return previewScreenView{}, sandpit.Errorf(sandpit.ENOTFOUND, "Screen not found.")
	}
	v := previewScreenView{Layout: s.layout(c, "Preview: "+t.Title), Release: r, Workflow: w, Task: t, Screen: sc,
		Complete: slices.Contains(t.Success, sc.Key)}
	v.Sandbox = true
	v.Links = hotspotLinks(&r.Definition, sc)
	return v, nil
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

// previewTask returns the release, workflow and task :task for previewing.
func (s *Server) previewTask(c echo.Context) (*sandpit.Release, *sandpit.Workflow, *sandpit.Task, error) {
	r, w, err := s.previewRelease(c, currentUser(c))
	if err != nil {
		return nil, nil, nil, err
	}
	t := r.Task(c.Param("task"))
	if t == nil {
		return nil, nil, nil, sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
	}
	return r, w, t, nil
}

// handleReleasePreviewScreen shows one screen of a task in preview: the
// task's start screen unless ?screen names another.
func (s *Server) handleReleasePreviewScreen(c echo.Context) error {
	r, w, t, err := s.previewTask(c)
	if err != nil {
		return err
	}
	key := c.QueryParam("screen")
	if key == "" {
		key = t.Start
	}
	view, err := s.previewScreenView(c, r, w, t, key)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "preview/screen", view)
}

// handleReleasePreviewClick follows a click on a screen in preview: a
// point of the image (click.x and click.y, as an image button posts them)
// or a clickable area chosen from the list (hotspot). A hit goes to the
// hotspot's screen; a miss shows the same screen again, saying so.
func (s *Server) handleReleasePreviewClick(c echo.Context) error {
	r, w, t, err := s.previewTask(c)
	if err != nil {
		return err
	}
	view, err := s.previewScreenView(c, r, w, t, c.FormValue("screen"))
	if err != nil {
		return err
	}
	sc := view.Screen
	x, y, ok := clickPoint(c, sc)
	if !ok || x < 0 || y < 0 || x >= sc.Width || y >= sc.Height {
		msg := "Select a point inside the screen image"
		if c.FormValue("hotspot") != "" {
			msg = "Select one of the clickable areas listed below the screen"
		}
		view.Errors.Add("click", msg)
		return s.render(c, http.StatusUnprocessableEntity, "preview/screen", view)
	}
	hit := sc.Hit(x, y)
	if hit == nil {
		view.Missed = true
		return s.render(c, http.StatusOK, "preview/screen", view)
	}
	return seeOther(c, fmt.Sprintf("%s/preview/%s?screen=%s", releasePath(r.ID), url.PathEscape(t.Key), url.QueryEscape(hit.Target)))
}
