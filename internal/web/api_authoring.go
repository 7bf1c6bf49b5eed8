package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// workflowJSON is a workflow as the API shows it.
type workflowJSON struct {
	ID             int64         `json:"id"`
	Team           teamJSON      `json:"team"`
	Title          string        `json:"title"`
	Description    string        `json:"description"`
	ConsentText    string        `json:"consent_text"`
	ConsentVersion int           `json:"consent_version"`
	StaffCount     *int          `json:"staff_count"`
	StaffSource    string        `json:"staff_count_source"`
	CreatedAt      time.Time     `json:"created_at"`
	Releases       []releaseItem `json:"releases"`
}

type teamJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type releaseItem struct {
	ID          int64      `json:"id"`
	Version     string     `json:"version"`
	Baseline    bool       `json:"baseline"`
	Status      string     `json:"status"`
	Screens     int        `json:"screens"`
	Tasks       int        `json:"tasks"`
	CreatedAt   time.Time  `json:"created_at"`
	PublishedAt *time.Time `json:"published_at"`
}

func toWorkflowJSON(w *sandpit.Workflow) workflowJSON {
	j := workflowJSON{ID: w.ID, Team: teamJSON{w.TeamID, w.TeamName}, Title: w.Title, Description: w.Description,
		ConsentText: w.ConsentText, ConsentVersion: w.ConsentVersion, StaffCount: w.StaffCount.Count, StaffSource: w.StaffCount.Source,
		CreatedAt: w.CreatedAt, Releases: []releaseItem{}}
	for _, r := range w.Releases {
		j.Releases = append(j.Releases, releaseItem{ID: r.ID, Version: r.Version, Baseline: r.Baseline, Status: string(r.Status),
			Screens: r.Screens, Tasks: r.Tasks, CreatedAt: r.CreatedAt, PublishedAt: r.PublishedAt})
	}
	return j
}

// releaseJSON is a release as the API shows it: its definition, with image
// links instead of images.
type releaseJSON struct {
	ID          int64          `json:"id"`
	WorkflowID  int64          `json:"workflow_id"`
	Version     string         `json:"version"`
	Notes       string         `json:"notes"`
	Baseline    bool           `json:"baseline"`
	Status      string         `json:"status"`
	CreatedAt   time.Time      `json:"created_at"`
	PublishedAt *time.Time     `json:"published_at"`
	ClosedAt    *time.Time     `json:"closed_at"`
	Screens     []screenJSON   `json:"screens"`
	Tasks       []sandpit.Task `json:"tasks"`
}

type screenJSON struct {
	ID       int64             `json:"id"`
	Key      string            `json:"key"`
	Title    string            `json:"title"`
	ImageURL string            `json:"image_url"`
	Width    int               `json:"width"`
	Height   int               `json:"height"`
	Hotspots []sandpit.Hotspot `json:"hotspots"`
}

func toReleaseJSON(r *sandpit.Release) releaseJSON {
	j := releaseJSON{ID: r.ID, WorkflowID: r.WorkflowID, Version: r.Version, Notes: r.Notes, Baseline: r.Baseline, Status: string(r.Status),
		CreatedAt: r.CreatedAt, PublishedAt: r.PublishedAt, ClosedAt: r.ClosedAt, Screens: []screenJSON{}, Tasks: r.Tasks}
	for _, sc := range r.Screens {
		j.Screens = append(j.Screens, screenJSON{ID: sc.ID, Key: sc.Key, Title: sc.Title, ImageURL: screenImageURL(sc.ID),
			Width: sc.Width, Height: sc.Height, Hotspots: sc.Hotspots})
	}
	return j
}

// screenImageURL is where a screen's image is served.
func screenImageURL(id int64) string { return fmt.Sprintf("/api/v1/screens/%d/image", id) }

// workflowRequest is the body of POST /teams/{id}/workflows.
type workflowRequest struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	ConsentText string `json:"consent_text"`
}

// handleAPIWorkflowCreate creates a workflow in a team.
func (s *Server) handleAPIWorkflowCreate(c echo.Context) error {
	_, teamID, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var req workflowRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	w, err := s.app.Authoring.CreateWorkflow(c.Request().Context(), actorOf(c), teamID,
		sandpit.WorkflowInput{Title: req.Title, Description: req.Description, ConsentText: req.ConsentText})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toWorkflowJSON(w))
}

// handleAPIWorkflowList lists the workflows the caller may see.
func (s *Server) handleAPIWorkflowList(c echo.Context) error {
	if _, err := apiUser(c); err != nil {
		return err
	}
	list, err := s.app.Authoring.Workflows(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	out := make([]workflowJSON, 0, len(list.Workflows))
	for i := range list.Workflows {
		out = append(out, toWorkflowJSON(&list.Workflows[i]))
	}
	return c.JSON(http.StatusOK, out)
}

// handleAPIWorkflowShow shows a workflow with its releases.
func (s *Server) handleAPIWorkflowShow(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	w, err := s.app.Authoring.Workflow(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWorkflowJSON(w.Workflow))
}

// handleAPIReleaseCreate imports a release definition as a new draft.
func (s *Server) handleAPIReleaseCreate(c echo.Context) error {
	_, workflowID, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var def sandpit.Definition
	if err := decodeJSON(c, &def); err != nil {
		return err
	}
	r, err := s.app.Authoring.ImportRelease(c.Request().Context(), actorOf(c), workflowID, def)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toReleaseJSON(r))
}

// handleAPIReleaseDefinition exports a release's whole definition, images
// included.
func (s *Server) handleAPIReleaseDefinition(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	def, err := s.app.Authoring.Definition(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, def.Definition)
}

// handleAPIReleaseReplace replaces a draft release's definition.
func (s *Server) handleAPIReleaseReplace(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	var def sandpit.Definition
	if err := decodeJSON(c, &def); err != nil {
		return err
	}
	r, err := s.app.Authoring.ReplaceDefinition(c.Request().Context(), actorOf(c), id, def)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toReleaseJSON(r))
}

// handleAPIReleaseShow shows a release without its images.
func (s *Server) handleAPIReleaseShow(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	r, err := s.app.Authoring.Release(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toReleaseJSON(r.Release))
}

// handleAPIReleasePublish opens a draft release for trials.
func (s *Server) handleAPIReleasePublish(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	if err := s.app.Authoring.Publish(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": string(sandpit.StatusOpen)})
}

// handleAPIReleaseClose ends trials of an open release.
func (s *Server) handleAPIReleaseClose(c echo.Context) error {
	_, id, err := apiUserAndID(c)
	if err != nil {
		return err
	}
	if err := s.app.Authoring.Close(c.Request().Context(), actorOf(c), id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": string(sandpit.StatusClosed)})
}

// handleAPIScreenImage serves a screen's image to the people who may see its
// release.
func (s *Server) handleAPIScreenImage(c echo.Context) error {
	if _, err := apiUser(c); err != nil {
		return err
	}
	return s.serveScreenImage(c)
}

// serveScreenImage answers with the image of screen :id, if the caller may
// see its release. Images of published releases never change, so browsers
// may keep them; a draft's may, so they revalidate by ETag.
func (s *Server) serveScreenImage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	img, err := s.app.Authoring.ScreenImage(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	etag := strconv.Quote(img.Hash)
	h.Set("ETag", etag)
	if img.Draft {
		h.Set("Cache-Control", "private, no-cache")
	} else {
		h.Set("Cache-Control", "private, max-age=31536000, immutable")
	}
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, img.ContentType, img.Data)
}
