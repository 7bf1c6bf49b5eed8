package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// publishView is the page before publishing a draft release: every problem
// to fix first, each linked to where it is fixed, or, when there is none,
// the confirmation of what clinicians will see.
type publishView struct {
	Layout
	Release  *sandpit.Release
	Workflow *sandpit.Workflow
	Problems []problemLink
	Screens  int
	Hotspots int
}

// publishView returns the publish page of draft release id.
func (s *Server) publishView(c echo.Context, id int64) (publishView, error) {
	rv, err := s.app.Authoring.PublishCheck(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return publishView{}, err
	}
	r := rv.Release
	title := fmt.Sprintf("Publish release %s", r.Version)
	if len(rv.Problems) > 0 {
		title = fmt.Sprintf("Release %s cannot be published yet", r.Version)
	}
	v := publishView{Layout: s.layout(c, title), Release: r, Workflow: rv.Workflow, Screens: len(r.Screens)}
	for _, sc := range r.Screens {
		v.Hotspots += len(sc.Hotspots)
	}
	for _, p := range rv.Problems {
		v.Problems = append(v.Problems, problemLink{problemFix(r.ID, p), p.Message()})
	}
	return v, nil
}

// problemFix is the link to where publish problem p of release id is
// fixed: the hotspot editor of its screen, at the hotspot or, for a
// missing link, at a new hotspot already leading to the right screen; the
// task's form at the field; or the release page.
func problemFix(id int64, p sandpit.Problem) string {
	switch {
	case p.Screen != "" && p.Hotspot > 0:
		field := "x"
		if p.Kind == sandpit.ProblemHotspotTarget {
			field = "target"
		}
		return screenPath(id, p.Screen) + "#" + field + "-" + strconv.Itoa(p.Hotspot-1)
	case p.Screen != "":
		return screenPath(id, p.Screen) + "?leads_to=" + url.QueryEscape(p.Target) + "#fix"
	case p.Task != "":
		field := "optimal_path"
		switch p.Kind {
		case sandpit.ProblemStartMissing:
			field = "start"
		case sandpit.ProblemNoSuccess, sandpit.ProblemSuccessMissing:
			field = "success"
		}
		return fmt.Sprintf("%s/tasks/%s#%s", releasePath(id), url.PathEscape(p.Task), field)
	case p.Kind == sandpit.ProblemNoTasks:
		return releasePath(id) + "/tasks/new"
	}
	return releasePath(id) + "#add-screen"
}

// handleReleasePublish opens a draft release for trials once its editor
// confirms; when it has problems, the publish page lists them again.
func (s *Server) handleReleasePublish(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	err = s.app.Authoring.Publish(c.Request().Context(), actorOf(c), id)
	switch sandpit.ErrorCode(err) {
	case "":
		return seeOther(c, releasePath(id)+"?done=published")
	case sandpit.EINVALID:
		view, verr := s.publishView(c, id)
		if verr != nil {
			return verr
		}
		return s.render(c, http.StatusUnprocessableEntity, "release/publish", view)
	}
	return s.releaseRefusal(c, id, err)
}
