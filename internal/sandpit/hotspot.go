package sandpit

import (
	"strconv"
	"unicode/utf8"
)

// shapeErrors lists what is wrong with h as any hotspot may be, in a
// definition or from the hotspot editor: each error's Field is its
// attribute, or "" for the whole hotspot.
func (h Hotspot) shapeErrors() []FieldError {
	var fields []FieldError
	if h.W <= 0 || h.H <= 0 || h.X < 0 || h.Y < 0 {
		fields = append(fields, BadFormat("", "x and y of 0 or more and a width and height above 0"))
	}
	// Coordinates and sizes are bounded by the largest image, so nothing
	// later can overflow (x + w wraps with 64-bit inputs) and PostgreSQL's
	// integer columns hold every value.
	bound := func(attribute string, v, min int) {
		if v > MaxImageSide {
			fields = append(fields, OutOfRange(attribute, min, MaxImageSide))
		}
	}
	bound("x", h.X, 0)
	bound("y", h.Y, 0)
	bound("w", h.W, 1)
	bound("h", h.H, 1)
	if utf8.RuneCountInString(h.Label) > MaxTitle {
		fields = append(fields, TooLong("label", MaxTitle))
	}
	for _, text := range []struct{ field, value string }{{"target", h.Target}, {"label", h.Label}} {
		if f, bad := CheckText(text.field, text.value, TextKindOf(text.field)); bad {
			fields = append(fields, f)
		}
	}
	return fields
}

// CheckHotspots checks hs as the whole set of hotspots of screen sc of d,
// as the hotspot editor saves them: each as a definition's hotspot must be
// (Validate), and also inside sc's image and leading to a screen of d,
// which an imported definition need only be by the time it is published.
// It returns nil, or EINVALID naming every problem: each field error is
// named "hotspots[j].attribute", with j in Params["hotspot"] and the
// attribute in Params["attribute"] (see FieldError.Place); an error about
// a hotspot's edge carries the image's side in Params["edge"].
func (d *Definition) CheckHotspots(sc *Screen, hs []Hotspot) error {
	var fields []FieldError
	at := func(j int, f FieldError) {
		attribute := f.Field
		field := "hotspots[" + strconv.Itoa(j) + "]"
		if attribute != "" {
			field += "." + attribute
		}
		fields = append(fields, placed(f, field, attribute, "hotspot", j))
	}
	if len(hs) > MaxHotspots {
		fields = append(fields, TooMany("hotspots", MaxHotspots))
	}
	for j, h := range hs {
		shape := h.shapeErrors()
		for _, f := range shape {
			at(j, f)
		}
		if len(shape) == 0 && !h.Within(sc.Width, sc.Height) {
			// Shapes are bounded by MaxImageSide here, so x + w cannot wrap.
			if h.X+h.W > sc.Width {
				f := OutOfRange("w", 1, max(sc.Width-h.X, 1))
				f.Params["edge"] = sc.Width
				at(j, f)
			}
			if h.Y+h.H > sc.Height {
				f := OutOfRange("h", 1, max(sc.Height-h.Y, 1))
				f.Params["edge"] = sc.Height
				at(j, f)
			}
		}
		if d.Screen(h.Target) == nil {
			at(j, Unknown("target", "screen"))
		}
	}
	if len(fields) > 0 {
		return Invalid("Check the hotspots.", fields...)
	}
	return nil
}
