package demo

import (
	"bytes"
	"image"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/ocr/ocrtest"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestReleases(t *testing.T) {
	defs, err := Releases()
	if err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, d := range defs {
		versions = append(versions, d.Version)
	}
	if want := []string{"legacy", "0.1", "0.2"}; !slices.Equal(versions, want) {
		t.Fatalf("versions %v, want %v", versions, want)
	}
	for i := range defs {
		d := &defs[i]
		t.Run(d.Version, func(t *testing.T) {
			if err := d.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if ps := d.PublishProblems(); len(ps) > 0 {
				t.Errorf("PublishProblems: %+v", ps)
			}
			if d.Baseline != (d.Version == "legacy") {
				t.Errorf("Baseline = %v", d.Baseline)
			}
			if strings.TrimSpace(d.Notes) == "" {
				t.Error("no notes")
			}
			if n := len(d.Screens); n < 4 || n > 6 {
				t.Errorf("%d screens, want 4 to 6", n)
			}
			var keys []string
			for _, task := range d.Tasks {
				keys = append(keys, task.Key)
			}
			if want := []string{"reconcile", "allergy"}; !slices.Equal(keys, want) {
				t.Errorf("task keys %v, want %v", keys, want)
			}
			for _, s := range d.Screens {
				checkScreen(t, s, s.Key != "ward_list")
			}
		})
	}
	t.Run("legacy paths are longer than 0.2's", func(t *testing.T) {
		for _, key := range []string{"reconcile", "allergy"} {
			legacy, v2 := defs[0].Task(key), defs[2].Task(key)
			if len(legacy.OptimalPath) <= len(v2.OptimalPath) {
				t.Errorf("%s: legacy path %v is not longer than 0.2's %v", key, legacy.OptimalPath, v2.OptimalPath)
			}
		}
	})
}

// checkScreen checks a screen's image and hotspots.
func checkScreen(t *testing.T, s sandpit.Screen, needsBack bool) {
	t.Helper()
	data, err := sandpit.ParseDataURI(s.Image)
	if err != nil {
		t.Errorf("%s: image: %v", s.Key, err)
		return
	}
	img, err := sandpit.CheckImage(data)
	if err != nil {
		t.Errorf("%s: image %v", s.Key, err)
		return
	}
	if img.ContentType != "image/png" || img.Width != s.Width || img.Height != s.Height {
		t.Errorf("%s: image is %s %d × %d, screen says %d × %d", s.Key, img.ContentType, img.Width, img.Height, s.Width, s.Height)
	}
	if len(data) > 1<<20 {
		t.Errorf("%s: image is %d bytes", s.Key, len(data))
	}
	pixels, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Errorf("%s: decode: %v", s.Key, err)
		return
	}
	back := false
	for _, h := range s.Hotspots {
		if h.Label == "" {
			t.Errorf("%s: hotspot to %s has no label", s.Key, h.Target)
		}
		if h.Target == s.Key {
			t.Errorf("%s: hotspot %q leads to its own screen", s.Key, h.Label)
		}
		if strings.HasPrefix(h.Label, "Back") {
			back = true
		}
		if !drawn(pixels, h) {
			t.Errorf("%s: hotspot %q is over a blank area", s.Key, h.Label)
		}
	}
	if needsBack && !back {
		t.Errorf("%s: no Back hotspot", s.Key)
	}
}

// drawn reports whether anything is drawn inside a hotspot: a button has a
// border or a label, so more than one colour.
func drawn(img image.Image, h sandpit.Hotspot) bool {
	r0, g0, b0, _ := img.At(h.X, h.Y).RGBA()
	for y := h.Y; y < h.Y+h.H; y++ {
		for x := h.X; x < h.X+h.W; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r != r0 || g != g0 || b != b0 {
				return true
			}
		}
	}
	return false
}

// TestReleasesAreDeterministic draws the releases again and checks that
// the images Releases keeps are the same bytes, and that a caller changing
// its copy changes no other caller's.
func TestReleasesAreDeterministic(t *testing.T) {
	a, _, err := buildReleases()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Releases()
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		for j := range a[i].Screens {
			if a[i].Screens[j].Image != b[i].Screens[j].Image {
				t.Errorf("%s %s: image differs between calls", a[i].Version, a[i].Screens[j].Key)
			}
		}
	}
	b[0].Version, b[0].Screens[0].Hotspots[0].X, b[0].Tasks[0].OptimalPath[0] = "changed", -1, "changed"
	c, err := Releases()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, c) {
		t.Error("a caller's change to its releases reached the next caller's")
	}
}

// realNHSNumbers returns the NHS numbers in s outside the 999 test range,
// as the one scanner free text and screens go through finds them.
func realNHSNumbers(s string) []string {
	var bad []string
	for _, h := range sandpit.RealIdentifiers(s) {
		bad = append(bad, s[h.Start:h.End])
	}
	return bad
}

func TestOnlyTestRangeNHSNumbers(t *testing.T) {
	if got := realNHSNumbers("NHS number 943 476 5919 and 999 123 4567"); !slices.Equal(got, []string{"943 476 5919"}) {
		t.Fatalf("checker found %v", got)
	}
	b, err := built()
	if err != nil {
		t.Fatal(err)
	}
	defs, drawnText := b.defs, b.texts
	texts := map[string]string{"workflow title": WorkflowTitle, "workflow description": WorkflowDescription, "consent text": ConsentText}
	for _, d := range defs {
		texts[d.Version+" notes"] = d.Notes
		for _, s := range d.Screens {
			texts[d.Version+" "+s.Key+" title"] = s.Title
			for _, h := range s.Hotspots {
				texts[d.Version+" "+s.Key+" hotspot "+h.Target] += h.Label + "\n"
			}
		}
		for _, task := range d.Tasks {
			texts[d.Version+" "+task.Key+" task"] = task.Title + "\n" + task.Scenario
		}
	}
	texts["text drawn on screens"] = strings.Join(drawnText, "\n")
	for where, s := range texts {
		if bad := realNHSNumbers(s); len(bad) > 0 {
			t.Errorf("%s has NHS numbers outside the 999 test range: %v", where, bad)
		}
	}
	for _, want := range []string{"999 123 4567", "999 765 4321"} {
		if !strings.Contains(texts["text drawn on screens"], want) {
			t.Errorf("no screen shows %s", want)
		}
	}
	reconcile := defs[0].Task("reconcile")
	if !strings.Contains(reconcile.Scenario, "999 123 4567") {
		t.Errorf("reconcile scenario lacks the synthetic NHS number: %q", reconcile.Scenario)
	}
	if !strings.Contains(texts["text drawn on screens"], "SYNTHETIC PATIENT") {
		t.Error("no screen is marked SYNTHETIC PATIENT")
	}
}

func TestWorkflowText(t *testing.T) {
	w := sandpit.WorkflowInput{Title: WorkflowTitle, Description: WorkflowDescription, ConsentText: ConsentText}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestDemoScreensPassOCR reads every demo screen as an upload would be read:
// they show 999 numbers only, so none may be refused.
func TestDemoScreensPassOCR(t *testing.T) {
	ts := ocrtest.Tesseract(t)
	defs, err := Releases()
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	read := map[string]bool{} // releases share screens: read each once
	for _, d := range defs {
		for _, sc := range d.Screens {
			if read[sc.Image] {
				continue
			}
			read[sc.Image] = true
			data, err := sandpit.ParseDataURI(sc.Image)
			if err != nil {
				t.Fatal(err)
			}
			words, err := ts.ReadWords(t.Context(), data)
			if err != nil {
				t.Fatal(err)
			}
			if boxes := sandpit.ScreenIdentifiers(words); len(boxes) > 0 {
				t.Errorf("%s %s: OCR finds a real NHS number at %v", d.Version, sc.Key, boxes)
			}
			for _, w := range words {
				if w.Text == "999" {
					shown++
				}
			}
		}
	}
	// The demo's synthetic numbers (999 123 4567, 999 765 4321) fail
	// Modulus 11, so the scanner passes them either way; that OCR reads
	// them shows it reads these screens at all.
	if shown == 0 {
		t.Error("OCR read no 999 number on any demo screen")
	}
}
