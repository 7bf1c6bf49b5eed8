package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"image"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// screenOrder is the order of the screen upload form's fields.
var screenOrder = []string{"title", "image", "key"}

// screenSentences are the error summary's words for the screen forms.
var screenSentences = formSentences{
	"key": {sandpit.FieldTaken: "Another screen of this release has this short name: choose another or leave it blank",
		sandpit.FieldFormat: "Enter a short name of 1 to 64 characters of a-z, 0-9, _ and -, or leave it blank"},
	"title": {sandpit.FieldRequired: "Enter a title for the screen", sandpit.FieldTooLong: "Title must be {max} characters or fewer"},
	"image": {
		sandpit.FieldRequired:         "Select an image of the screen, a PNG or JPEG file",
		sandpit.FieldFormat:           "The image must be {format}",
		sandpit.FieldFileSize:         "The image must be {max_mb} MB or smaller; this one is {mb} MB",
		sandpit.FieldImageSize:        "The image must be {max} × {max} pixels or smaller; this one is {width} × {height}",
		sandpit.FieldScreenIdentifier: "The image shows what looks like a real NHS number (marked in red below): remove patient identifiers from the screen and use synthetic patients only",
		sandpit.FieldTooMany:          "A release may have at most {max} screens: delete one first",
		sandpit.FieldPixels:           "With this image the release's screens would hold {millions} million pixels; the most is {max_millions} million: use smaller images",
	},
}

// readScreenForm reads a screen form: its key, title and uploaded image
// (nil when no file was sent).
func readScreenForm(c echo.Context) (app.ScreenInput, error) {
	in := app.ScreenInput{Key: strings.TrimSpace(c.FormValue("key")), Title: strings.TrimSpace(c.FormValue("title"))}
	data, err := uploadedFile(c, "image", sandpit.MaxImageBytes)
	switch sandpit.ErrorCode(err) {
	case "", sandpit.EINVALID:
	default:
		return in, err
	}
	in.Image = data
	return in, nil
}

// handleScreenCreate adds a screen, uploaded as an image, to a draft
// release.
func (s *Server) handleScreenCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in, err := readScreenForm(c)
	if err != nil {
		return err
	}
	key, err := s.app.Authoring.AddScreen(c.Request().Context(), actorOf(c), id, in)
	if errs, ok := fieldErrors(err, screenOrder, screenSentences); ok {
		view, verr := s.releaseView(c, id)
		if verr != nil {
			return verr
		}
		view.Errors, view.ScreenKey, view.ScreenTitle = errs, in.Key, in.Title
		view.RefusedScreen = showRefusedScreen(c, in.Image, err)
		return s.render(c, formStatus(errs), "release/show", view)
	}
	if err != nil {
		return s.releaseRefusal(c, id, err)
	}
	return seeOther(c, screenPath(id, key)+"?done=screen-added")
}

// hotspotRow is one row of the hotspot form, as stored or as typed.
type hotspotRow struct {
	Index      int
	Number     int
	New        bool // the empty row for adding a hotspot
	Template   bool // the row the editor's script copies for each hotspot drawn
	X, Y, W, H string
	Target     string
	Label      string
	Remove     bool
	Errors     map[string]string // by field: x, y, w, h, target, label
}

// Err returns the row's error for field, or "".
func (r hotspotRow) Err(field string) string { return r.Errors[field] }

// ID returns the id of the row's input for field, like x-0; the template
// row's ids end in "{slot}", which the script makes unique.
func (r hotspotRow) ID(field string) string {
	if r.Template {
		return field + "-{slot}"
	}
	return field + "-" + strconv.Itoa(r.Index)
}

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
	// LeadsTo is the screen a new hotspot should lead to, when the author
	// came from a publish problem saying no hotspot leads there.
	LeadsTo *targetOption
	// Template is the row the editor's script copies for each hotspot drawn.
	Template hotspotRow
}

// screenView returns the hotspot editor of screen :key of release id.
func (s *Server) screenView(c echo.Context, id int64) (screenView, error) {
	sv, err := s.app.Authoring.Screen(c.Request().Context(), actorOf(c), id, c.Param("key"))
	if err != nil {
		return screenView{}, err
	}
	r, sc := sv.Release, sv.Screen
	v := screenView{Layout: s.layout(c, "Screen: "+sc.Title), Release: r, Workflow: sv.Workflow, Screen: sc,
		Editable: sv.Editable(), Title: sc.Title}
	for _, t := range r.Screens {
		v.Targets = append(v.Targets, targetOption{t.Key, t.Title})
		if t.Key == c.QueryParam("leads_to") {
			v.LeadsTo = &targetOption{t.Key, t.Title}
		}
	}
	v.Template = hotspotRow{Template: true}
	if v.LeadsTo != nil {
		v.Template.Target = v.LeadsTo.Key
	}
	for i, h := range sc.Hotspots {
		v.Hotspots = append(v.Hotspots, hotspotItem{Hotspot: h, Number: i + 1, TargetTitle: screenTitle(&r.Definition, h.Target)})
		v.Rows = append(v.Rows, hotspotRow{Index: i, Number: i + 1, X: strconv.Itoa(h.X), Y: strconv.Itoa(h.Y),
			W: strconv.Itoa(h.W), H: strconv.Itoa(h.H), Target: h.Target, Label: h.Label})
	}
	blank := hotspotRow{Index: len(v.Rows), Number: len(v.Rows) + 1, New: true}
	blank.Target = v.Template.Target
	v.Rows = append(v.Rows, blank)
	return v, nil
}

// screenPath is the hotspot editor of screen key of release id.
func screenPath(id int64, key string) string {
	return fmt.Sprintf("%s/screens/%s", releasePath(id), key)
}

// handleScreenUpdate renames a screen of a draft release and, when a new
// image is uploaded, replaces its image.
func (s *Server) handleScreenUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	key := c.Param("key")
	in, err := readScreenForm(c)
	if err != nil {
		return err
	}
	err = s.app.Authoring.UpdateScreen(c.Request().Context(), actorOf(c), id, key, in)
	if errs, ok := fieldErrors(err, screenOrder, screenSentences); ok {
		view, verr := s.screenView(c, id)
		if verr != nil {
			return verr
		}
		view.Errors, view.Title = errs, in.Title
		view.RefusedScreen = showRefusedScreen(c, in.Image, err)
		return s.render(c, formStatus(errs), "screen/edit", view)
	}
	if err != nil {
		return s.releaseRefusal(c, id, err)
	}
	return seeOther(c, screenPath(id, key)+"?done=screen-saved")
}

// handleScreenMove moves a screen of a draft release one place up or down
// the list.
func (s *Server) handleScreenMove(c echo.Context) error {
	return s.changeDraft(c, func(ctx context.Context, a app.Actor, id int64, key string) error {
		return s.app.Authoring.MoveScreen(ctx, a, id, key, c.FormValue("direction"))
	}, "screen-moved")
}

// handleScreenDelete removes a screen from a draft release, unless hotspots
// or tasks use it: then the release page says which.
func (s *Server) handleScreenDelete(c echo.Context) error {
	return s.changeDraft(c, s.app.Authoring.DeleteScreen, "screen-deleted")
}

// formAt returns the i-th value of a repeated form field, or "".
func formAt(values []string, i int) string {
	if i < len(values) {
		return strings.TrimSpace(values[i])
	}
	return ""
}

// hotspotFields are a hotspot row's fields, in the order the form shows
// them.
var hotspotFields = []string{"x", "y", "w", "h", "target", "label"}

// hotspotSentences are the words for the hotspot form's errors, by the
// row's field.
var hotspotSentences = formSentences{
	"x":        {"": "Enter x as a whole number of 0 or more", sandpit.FieldOutOfRange: "x must be at most the image's width, {edge}"},
	"y":        {"": "Enter y as a whole number of 0 or more", sandpit.FieldOutOfRange: "y must be at most the image's height, {edge}"},
	"w":        {sandpit.FieldFormat: "Enter the width as a whole number of 1 or more", sandpit.FieldOutOfRange: "The hotspot must fit inside the image: x plus the width must be at most {edge}"},
	"h":        {sandpit.FieldFormat: "Enter the height as a whole number of 1 or more", sandpit.FieldOutOfRange: "The hotspot must fit inside the image: y plus the height must be at most {edge}"},
	"target":   {"": "Select the screen the hotspot leads to"},
	"label":    {sandpit.FieldTooLong: "Label must be {max} characters or fewer"},
	"hotspots": {sandpit.FieldTooMany: "A screen may have at most {max} hotspots: remove some"},
}

// readHotspots reads the hotspot form's rows: the hotspots to keep, and
// every row as typed, for showing the form again.
func readHotspots(c echo.Context) ([]app.HotspotInput, []hotspotRow, error) {
	if err := c.Request().ParseForm(); err != nil {
		return nil, nil, sandpit.Errorf(sandpit.EMALFORMED, "The form could not be read.")
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
	var keep []app.HotspotInput
	var rows []hotspotRow
	blankRow := false
	for i := range n {
		row := hotspotRow{Index: i, Number: i + 1, X: formAt(xs, i), Y: formAt(ys, i), W: formAt(ws, i), H: formAt(hs, i),
			Target: formAt(targets, i), Label: formAt(labels, i), Remove: removed[i], Errors: map[string]string{}}
		rows = append(rows, row)
		if row.X == "" && row.Y == "" && row.W == "" && row.H == "" {
			rows[len(rows)-1].New, blankRow = true, true
			continue
		}
		if row.Remove {
			continue
		}
		keep = append(keep, app.HotspotInput{Row: i, X: row.X, Y: row.Y, W: row.W, H: row.H, Target: row.Target, Label: row.Label})
	}
	if !blankRow {
		rows = append(rows, hotspotRow{Index: len(rows), Number: len(rows) + 1, New: true})
	}
	return keep, rows, nil
}

// hotspotErrors puts the field errors of the hotspot form on its rows and
// lists them, row by row, for the error summary.
func hotspotErrors(err error, rows []hotspotRow) FieldErrors {
	var errs FieldErrors
	for _, f := range sandpit.FieldErrorsOf(err) {
		p := f.Place()
		if p.Hotspot == 0 {
			errs.Add(hotspotRow{Index: 0}.ID("x"), hotspotSentences.sentence(f.Field, f, true))
			continue
		}
		if i := p.Hotspot - 1; i < len(rows) {
			if _, ok := rows[i].Errors[p.Attribute]; !ok {
				rows[i].Errors[p.Attribute] = hotspotSentences.sentence(p.Attribute, f, true)
			}
		}
	}
	for _, row := range rows {
		for _, field := range hotspotFields {
			if msg := row.Errors[field]; msg != "" {
				errs.Add(row.ID(field), fmt.Sprintf("Hotspot %d: %s", row.Number, lowerFirst(msg)))
			}
		}
	}
	return errs
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
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	keep, rows, err := readHotspots(c)
	if err != nil {
		return err
	}
	key := c.Param("key")
	err = s.app.Authoring.SaveHotspots(c.Request().Context(), actorOf(c), id, key, keep)
	switch sandpit.ErrorCode(err) {
	case "":
		return seeOther(c, screenPath(id, key)+"?done=hotspots-saved")
	case sandpit.EINVALID:
		view, verr := s.screenView(c, id)
		if verr != nil {
			return verr
		}
		view.Errors, view.Rows = hotspotErrors(err, rows), rows
		return s.render(c, formStatus(view.Errors), "screen/edit", view)
	}
	return s.releaseRefusal(c, id, err)
}

// refusedScreen is an uploaded image refused for showing real NHS numbers,
// as the page shows it: the image itself with each number's box.
type refusedScreen struct {
	URI           template.URL
	Width, Height int
	Boxes         []sandpit.Box
}

// showRefusedScreen returns the refused upload for the page to show, or
// nil when err is not a refusal for an NHS number in it. The image is sent
// back inline, never stored, so this one answer lets the page load data:
// images.
func showRefusedScreen(c echo.Context, data []byte, err error) *refusedScreen {
	for _, f := range sandpit.FieldErrorsOf(err) {
		boxes, _ := f.Params["boxes"].([]sandpit.Box)
		if f.Code != sandpit.FieldScreenIdentifier || len(boxes) == 0 {
			continue
		}
		cfg, _, derr := image.DecodeConfig(bytes.NewReader(data))
		if derr != nil {
			return nil
		}
		c.Response().Header().Set("Content-Security-Policy", contentSecurityPolicy+"; img-src 'self' data:")
		return &refusedScreen{URI: template.URL(sandpit.DataURI(http.DetectContentType(data), data)), Width: cfg.Width, Height: cfg.Height, Boxes: boxes}
	}
	return nil
}

// hotspotRowView is one row of the hotspot form with the screens it may
// lead to, as the row's template takes it.
type hotspotRowView struct {
	hotspotRow
	Targets []targetOption
}

// RowView returns row r of the hotspot form ready for its template.
func (v screenView) RowView(r hotspotRow) hotspotRowView { return hotspotRowView{r, v.Targets} }
