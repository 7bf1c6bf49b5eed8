package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// screenOrder is the order of the screen upload form's fields.
var screenOrder = []string{"key", "title", "image"}

// readScreenImage reads and checks the uploaded image of field "image". A
// missing file gives nil and no error when optional. Problems with the
// image are returned as the sentence for the field.
func readScreenImage(c echo.Context, optional bool) (*sandpit.CheckedImage, string, error) {
	data, err := uploadedFile(c, "image", sandpit.MaxImageBytes)
	switch sandpit.ErrorCode(err) {
	case "":
	case sandpit.EINVALID:
		if optional {
			return nil, "", nil
		}
		return nil, "Select an image of the screen, a PNG or JPEG file", nil
	default:
		return nil, "", err
	}
	if optional && len(data) == 0 {
		return nil, "", nil
	}
	img, cerr := sandpit.CheckImage(data)
	if cerr != nil {
		return nil, "The image " + cerr.Error(), nil
	}
	return img, "", nil
}

// readScreenForm reads the title and the uploaded image of a screen form,
// adding their problems to errs. The image may be missing when optional.
func readScreenForm(c echo.Context, optional bool, errs *FieldErrors) (string, *sandpit.CheckedImage, error) {
	title := strings.TrimSpace(c.FormValue("title"))
	if p := titleProblem(title, "screen"); p != "" {
		errs.Add("title", p)
	}
	img, problem, err := readScreenImage(c, optional)
	if problem != "" {
		errs.Add("image", problem)
	}
	return title, img, err
}

// titleProblem returns why a screen or task title cannot be used, or "".
func titleProblem(title, what string) string {
	if n := utf8.RuneCountInString(title); n == 0 || n > sandpit.MaxTitle {
		return fmt.Sprintf("Enter a title for the %s of at most %d characters", what, sandpit.MaxTitle)
	}
	return ""
}

// handleScreenCreate adds a screen, uploaded as an image, to a draft
// release.
func (s *Server) handleScreenCreate(c echo.Context) error {
	u := currentUser(c)
	m, err := s.editableDraft(c, u)
	if err != nil {
		return s.releaseRefusal(c, u, metaID(m), err)
	}
	key := strings.TrimSpace(c.FormValue("key"))
	var errs FieldErrors
	if p := sandpit.KeyProblem(key); p != "" {
		errs.Add("key", sentence("key", p))
	}
	title, img, err := readScreenForm(c, false, &errs)
	if err != nil {
		return err
	}
	if !errs.Any() {
		err = s.store.AddScreen(c.Request().Context(), m.ID, key, title, img)
		if fe, ok := fieldErrors(err, screenOrder, nil); ok {
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
		view.Errors, view.ScreenKey, view.ScreenTitle = errs, key, title
		return s.render(c, formStatus(errs), "release/show", view)
	}
	return seeOther(c, fmt.Sprintf("%s/screens/%s?done=screen-added", releasePath(m.ID), key))
}

// hotspotRow is one row of the hotspot form, as stored or as typed.
type hotspotRow struct {
	Index      int
	Number     int
	New        bool // the empty row for adding a hotspot
	X, Y, W, H string
	Target     string
	Label      string
	Remove     bool
	Errors     map[string]string // by field: x, y, w, h, target, label
}

// Err returns the row's error for field, or "".
func (r hotspotRow) Err(field string) string { return r.Errors[field] }

// ID returns the id of the row's input for field, like x-0.
func (r hotspotRow) ID(field string) string { return field + "-" + strconv.Itoa(r.Index) }

// HasErrors reports whether any field of the row has an error.
func (r hotspotRow) HasErrors() bool { return len(r.Errors) > 0 }

// targetOption is a screen a hotspot may lead to.
type targetOption struct {
	Key   string
	Title string
}

// hotspotItem is a stored hotspot as the read-only table shows it.
type hotspotItem struct {
	sandpit.Hotspot
	Number      int
	TargetTitle string
}

// screenView is the hotspot editor: a screen's image, its hotspots and,
// for editors of a draft, the forms to change them and the screen.
type screenView struct {
	Layout
	Release  *sandpit.Release
	Workflow *sandpit.Workflow
	Screen   *sandpit.Screen
	Editable bool
	Rows     []hotspotRow
	Hotspots []hotspotItem
	Targets  []targetOption
	Title    string // typed into the rename form
}

// screenView returns the hotspot editor of screen :key of release id.
func (s *Server) screenView(c echo.Context, u *sandpit.User, id int64) (screenView, error) {
	ctx := c.Request().Context()
	m, err := s.releaseFor(c, u, id, accessRead)
	if err != nil {
		return screenView{}, err
	}
	r, err := s.store.Release(ctx, m.ID)
	if err != nil {
		return screenView{}, err
	}
	sc := r.Screen(c.Param("key"))
	if sc == nil {
		return screenView{}, sandpit.Errorf(sandpit.ENOTFOUND, "Screen not found.")
	}
	w, err := s.store.Workflow(ctx, r.WorkflowID)
	if err != nil {
		return screenView{}, err
	}
	v := screenView{Layout: s.layout(c, "Screen: "+sc.Title), Release: r, Workflow: w, Screen: sc,
		Editable: sandpit.CanEditWorkflows(u, m.TeamID) && !r.Published(), Title: sc.Title}
	for _, t := range r.Screens {
		v.Targets = append(v.Targets, targetOption{t.Key, t.Title})
	}
	for i, h := range sc.Hotspots {
		v.Hotspots = append(v.Hotspots, hotspotItem{Hotspot: h, Number: i + 1, TargetTitle: screenTitle(&r.Definition, h.Target)})
		v.Rows = append(v.Rows, hotspotRow{Index: i, Number: i + 1, X: strconv.Itoa(h.X), Y: strconv.Itoa(h.Y),
			W: strconv.Itoa(h.W), H: strconv.Itoa(h.H), Target: h.Target, Label: h.Label})
	}
	v.Rows = append(v.Rows, hotspotRow{Index: len(v.Rows), Number: len(v.Rows) + 1, New: true})
	return v, nil
}

// screenPath is the hotspot editor of screen key of release id.
func screenPath(id int64, key string) string {
	return fmt.Sprintf("%s/screens/%s", releasePath(id), key)
}

// handleScreenUpdate renames a screen of a draft release and, when a new
// image is uploaded, replaces its image.
func (s *Server) handleScreenUpdate(c echo.Context) error {
	u := currentUser(c)
	m, err := s.editableDraft(c, u)
	if err != nil {
		return s.releaseRefusal(c, u, metaID(m), err)
	}
	view, err := s.screenView(c, u, m.ID)
	if err != nil {
		return err
	}
	var errs FieldErrors
	title, img, err := readScreenForm(c, true, &errs)
	if err != nil {
		return err
	}
	if !errs.Any() {
		err = s.store.UpdateScreen(c.Request().Context(), m.ID, view.Screen.Key, title, img)
		if fe, ok := fieldErrors(err, []string{"title", "image"}, nil); ok {
			errs = fe
		} else if err != nil {
			return s.releaseRefusal(c, u, m.ID, err)
		}
	}
	if errs.Any() {
		view.Errors, view.Title = errs, title
		return s.render(c, formStatus(errs), "screen/edit", view)
	}
	return seeOther(c, screenPath(m.ID, view.Screen.Key)+"?done=screen-saved")
}

// handleScreenMove moves a screen of a draft release one place up or down
// the list.
func (s *Server) handleScreenMove(c echo.Context) error {
	return s.changeDraft(c, func(ctx context.Context, id int64, key string) error {
		switch c.FormValue("direction") {
		case "up":
			return s.store.MoveScreen(ctx, id, key, -1)
		case "down":
			return s.store.MoveScreen(ctx, id, key, 1)
		}
		return sandpit.Errorf(sandpit.EMALFORMED, "Choose to move the screen up or down.")
	}, "screen-moved")
}

// handleScreenDelete removes a screen from a draft release, unless hotspots
// or tasks use it: then the release page says which.
func (s *Server) handleScreenDelete(c echo.Context) error {
	return s.changeDraft(c, s.store.DeleteScreen, "screen-deleted")
}

// formAt returns the i-th value of a repeated form field, or "".
func formAt(values []string, i int) string {
	if i < len(values) {
		return strings.TrimSpace(values[i])
	}
	return ""
}

// hotspotNumber reads one number of a hotspot row: a whole number of at
// least min, or a sentence saying what to type.
func hotspotNumber(value, name string, min int) (int, string) {
	n, err := strconv.Atoi(value)
	if err != nil || n < min {
		return 0, fmt.Sprintf("Enter %s as a whole number of %d or more", name, min)
	}
	return n, ""
}

// readHotspots reads the hotspot form's rows, checks each against screen sc
// of release r, and returns the hotspots to keep, the rows as typed and
// their errors.
func readHotspots(c echo.Context, r *sandpit.Release, sc *sandpit.Screen) ([]sandpit.Hotspot, []hotspotRow, FieldErrors, error) {
	if err := c.Request().ParseForm(); err != nil {
		return nil, nil, FieldErrors{}, sandpit.Errorf(sandpit.EMALFORMED, "The form could not be read.")
	}
	form := c.Request().Form
	xs, ys, ws, hs, targets, labels := form["x"], form["y"], form["w"], form["h"], form["target"], form["label"]
	n := max(len(xs), len(ys), len(ws), len(hs), len(targets), len(labels))
	if n > sandpit.MaxHotspots+1 {
		n = sandpit.MaxHotspots + 1
	}
	removed := map[int]bool{}
	for _, v := range form["remove"] {
		if i, err := strconv.Atoi(v); err == nil {
			removed[i] = true
		}
	}
	var keep []sandpit.Hotspot
	var rows []hotspotRow
	var errs FieldErrors
	blankRow := false
	for i := range n {
		row := hotspotRow{Index: i, Number: i + 1, X: formAt(xs, i), Y: formAt(ys, i), W: formAt(ws, i), H: formAt(hs, i),
			Target: formAt(targets, i), Label: formAt(labels, i), Remove: removed[i], Errors: map[string]string{}}
		if row.X == "" && row.Y == "" && row.W == "" && row.H == "" {
			row.New, blankRow = true, true
			rows = append(rows, row)
			continue
		}
		if row.Remove {
			rows = append(rows, row)
			continue
		}
		x, px := hotspotNumber(row.X, "x", 0)
		y, py := hotspotNumber(row.Y, "y", 0)
		w, pw := hotspotNumber(row.W, "the width", 1)
		h, ph := hotspotNumber(row.H, "the height", 1)
		for field, p := range map[string]string{"x": px, "y": py, "w": pw, "h": ph} {
			if p != "" {
				row.Errors[field] = p
			}
		}
		if px == "" && pw == "" && x+w > sc.Width {
			row.Errors["w"] = fmt.Sprintf("The hotspot must fit inside the image: x plus the width must be at most %d", sc.Width)
		}
		if py == "" && ph == "" && y+h > sc.Height {
			row.Errors["h"] = fmt.Sprintf("The hotspot must fit inside the image: y plus the height must be at most %d", sc.Height)
		}
		if r.Screen(row.Target) == nil {
			row.Errors["target"] = "Select the screen the hotspot leads to"
		}
		if utf8.RuneCountInString(row.Label) > sandpit.MaxTitle {
			row.Errors["label"] = fmt.Sprintf("The label must be at most %d characters", sandpit.MaxTitle)
		}
		for _, field := range []string{"x", "y", "w", "h", "target", "label"} {
			if p := row.Errors[field]; p != "" {
				errs.Add(row.ID(field), fmt.Sprintf("Hotspot %d: %s", row.Number, lowerFirst(p)))
			}
		}
		keep = append(keep, sandpit.Hotspot{X: x, Y: y, W: w, H: h, Target: row.Target, Label: row.Label})
		rows = append(rows, row)
	}
	if len(keep) > sandpit.MaxHotspots {
		errs.Add(hotspotRow{Index: 0}.ID("x"), fmt.Sprintf("A screen may have at most %d hotspots: remove some", sandpit.MaxHotspots))
	}
	if !blankRow {
		rows = append(rows, hotspotRow{Index: len(rows), Number: len(rows) + 1, New: true})
	}
	return keep, rows, errs, nil
}

// lowerFirst lowers the first letter of a sentence, to follow a prefix.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// handleHotspotsSave replaces the hotspots of a screen of a draft release
// with the rows of the hotspot form, or shows every problem with them.
func (s *Server) handleHotspotsSave(c echo.Context) error {
	u := currentUser(c)
	m, err := s.editableDraft(c, u)
	if err != nil {
		return s.releaseRefusal(c, u, metaID(m), err)
	}
	view, err := s.screenView(c, u, m.ID)
	if err != nil {
		return err
	}
	keep, rows, errs, err := readHotspots(c, view.Release, view.Screen)
	if err != nil {
		return err
	}
	if !errs.Any() {
		err = s.store.SetHotspots(c.Request().Context(), m.ID, view.Screen.Key, slices.Clip(keep))
		if err != nil {
			return s.releaseRefusal(c, u, m.ID, err)
		}
		return seeOther(c, screenPath(m.ID, view.Screen.Key)+"?done=hotspots-saved")
	}
	view.Errors, view.Rows = errs, rows
	return s.render(c, formStatus(errs), "screen/edit", view)
}
