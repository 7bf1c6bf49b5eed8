package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"slices"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// WorkflowTitle is the demo workflow.
const WorkflowTitle = "Medicines reconciliation on admission"

// WorkflowDescription says what the demo workflow is for.
const WorkflowDescription = "When a patient is admitted, a nurse or pharmacist reconciles the medicines " +
	"they took at home against the GP record, the patient and their relatives, decides for each one " +
	"whether to continue, stop or change it, and checks allergies before anything new is prescribed. " +
	"In today's ward system this means several screens, small buttons and allergies hidden on a " +
	"separate tab. These prototypes try to make both jobs quicker and safer. Every patient shown is " +
	"synthetic, with an NHS number from the 999 test range."

// ConsentText is the participant information clinicians accept before
// trialling the demo workflow.
const ConsentText = `Participant information: medicines reconciliation usability trial

What is this? We are testing prototype screens for reconciling medicines on admission and checking allergies. We are testing the design, not you.

The patients are not real. Every patient, NHS number and record in this trial is synthetic (made up). Do not enter any real patient information.

Taking part is voluntary. You can stop at any time, skip any task, and withdraw without giving a reason and without any effect on your job or training.

What we record: where and when you click, how long each task takes, whether you finish it, the ratings you give and any comments you type. We do not record your screen, camera or microphone.

How it is used: the product team sees results for each prototype version to improve the design. Results are only shared with researchers in pseudonymised form, and only if you agree to research use; otherwise they are used for design decisions alone.

Questions or concerns: contact the Medicines Optimisation team through the Sandpit help page.`

// Screen sizes, task keys and scenarios. The demo is set on Thursday 12
// June, which every age, date and time on the screens agrees with.
const (
	demoWidth         = 1024
	demoHeight        = 700
	legacyWidth       = 1024
	legacyHeight      = 768
	reconcileTaskKey  = "reconcile"
	allergyTaskKey    = "allergy"
	reconcileScenario = "Mrs Asha Patel (synthetic patient, NHS number 999 123 4567) was admitted to Ward 7B " +
		"this morning. You have checked her GP record and spoken to her and her daughter. Record her " +
		"medicines reconciliation: continue amlodipine, metformin, atorvastatin, paracetamol and " +
		"latanoprost, stop ramipril, and change furosemide to 20 mg once daily. Start at the ward list."
	allergyScenario = "Mr David Jones (synthetic patient, NHS number 999 765 4321) has pneumonia and the " +
		"doctor wants to prescribe co-amoxiclav. Find out whether he has a penicillin allergy. " +
		"Start at the ward list."
)

// Releases returns the three demo releases, oldest first: the legacy
// system as it is today (the baseline), then redesigns 0.1 and 0.2. The
// screen images are drawn once, the slow part of seeding; each call gets
// its own copy of the releases, to change as it likes.
func Releases() ([]sandpit.Definition, error) {
	b, err := built()
	if err != nil {
		return nil, err
	}
	defs := make([]sandpit.Definition, len(b.defs))
	for i, d := range b.defs {
		d.Screens = slices.Clone(d.Screens)
		for j := range d.Screens {
			d.Screens[j].Hotspots = slices.Clone(d.Screens[j].Hotspots)
		}
		d.Tasks = slices.Clone(d.Tasks)
		for j := range d.Tasks {
			d.Tasks[j].Success, d.Tasks[j].OptimalPath = slices.Clone(d.Tasks[j].Success), slices.Clone(d.Tasks[j].OptimalPath)
		}
		defs[i] = d
	}
	return defs, nil
}

// drawnReleases is the demo releases as buildReleases drew them, with the
// text on their screens.
type drawnReleases struct {
	defs  []sandpit.Definition
	texts []string
}

// built draws the demo releases the first time it is called and keeps
// them for the life of the process (1.7 MB of images, in demo mode only);
// the images (strings) are shared, nothing else may be.
var built = sync.OnceValues(func() (drawnReleases, error) {
	defs, texts, err := buildReleases()
	return drawnReleases{defs, texts}, err
})

// buildReleases returns the releases and every piece of text drawn on
// their screens.
func buildReleases() ([]sandpit.Definition, []string, error) {
	t, err := loadTypefaces()
	if err != nil {
		return nil, nil, fmt.Errorf("demo: fonts: %w", err)
	}
	b := &builder{t: t}
	defs := []sandpit.Definition{
		{
			Version:  "legacy",
			Baseline: true,
			Notes: "Today's ward system as it is, recorded as the baseline. Medicines reconciliation is a " +
				"separate form opened from the drug chart; allergies are on the Alerts tab of the patient " +
				"summary. Small grey buttons and dense tables.",
			Screens: b.screens(legacyWidth, legacyHeight, []screenSpec{
				{"ward_list", "Ward census (legacy)", b.legacyWardList},
				{"record", "Patient summary: Mr Jones (legacy)", b.legacyRecord},
				{"allergies", "Alerts tab: Mr Jones (legacy)", b.legacyAllergies},
				{"meds", "Drug chart: Mrs Patel (legacy)", b.legacyMeds},
				{"reconcile", "Medicines reconciliation form MR1: Mrs Patel (legacy)", b.legacyReconcile},
				{"done", "Record saved (legacy)", b.legacyDone},
			}),
			Tasks: tasks(
				[]string{"ward_list", "meds", "reconcile", "done"},
				[]string{"ward_list", "record", "allergies"}, "allergies"),
		},
		{
			Version: "0.1",
			Notes: "First redesign of the legacy system: NHS-style layout with larger text and buttons, a " +
				"patient banner with a SYNTHETIC PATIENT marker on every screen, a clearer medicines list, " +
				"and a reconciliation form with continue, stop or change for each medicine and the sources " +
				"checked. Navigation is the same as the legacy system, so allergies are still a separate section.",
			Screens: b.screens(demoWidth, demoHeight, []screenSpec{
				{"ward_list", "Ward list", b.wardList(false)},
				{"record", "Patient summary: Mr Jones", b.record(false)},
				{"allergies", "Allergies: Mr Jones", b.allergies(false)},
				{"meds", "Medicines: Mrs Patel", b.meds(false)},
				{"reconcile", "Medicines reconciliation: Mrs Patel", b.reconcile(false)},
				{"done", "Reconciliation complete", b.done(false)},
			}),
			Tasks: tasks(
				[]string{"ward_list", "meds", "reconcile", "done"},
				[]string{"ward_list", "record", "allergies"}, "allergies"),
		},
		{
			Version: "0.2",
			Notes: "Since 0.1: allergies are now at the top of the patient summary and in the patient banner, " +
				"because clinicians in 0.1 took too long to find them. Reconciliation can be started straight " +
				"from the ward list with a Reconcile medicines button, and the form shows the patient's " +
				"allergy status. The full allergy page and the medicines list are still there.",
			Screens: b.screens(demoWidth, demoHeight, []screenSpec{
				{"ward_list", "Ward list", b.wardList(true)},
				{"record", "Patient summary with allergies: Mr Jones", b.record(true)},
				{"allergies", "Allergy details: Mr Jones", b.allergies(true)},
				{"meds", "Medicines: Mrs Patel", b.meds(true)},
				{"reconcile", "Medicines reconciliation: Mrs Patel", b.reconcile(true)},
				{"done", "Reconciliation complete", b.done(true)},
			}),
			Tasks: tasks(
				[]string{"ward_list", "reconcile", "done"},
				[]string{"ward_list", "record"}, "record"),
		},
	}
	if b.err != nil {
		return nil, nil, b.err
	}
	return defs, b.texts, nil
}

// tasks returns the two demo tasks with a release's optimal paths.
func tasks(reconcilePath, allergyPath []string, allergySuccess string) []sandpit.Task {
	return []sandpit.Task{
		{
			Key:            reconcileTaskKey,
			Title:          "Reconcile Mrs Patel's medicines on admission",
			Scenario:       reconcileScenario,
			Start:          "ward_list",
			Success:        []string{"done"},
			OptimalPath:    reconcilePath,
			DailyFrequency: 12,
		},
		{
			Key:            allergyTaskKey,
			Title:          "Check whether Mr Jones has a penicillin allergy",
			Scenario:       allergyScenario,
			Start:          "ward_list",
			Success:        []string{allergySuccess},
			OptimalPath:    allergyPath,
			DailyFrequency: 30,
		},
	}
}

// patient is a synthetic patient. Every NHS number is from the 999 test
// range, which is never issued to a real person.
type patient struct {
	surname, given, title string
	dob, dobLong          string
	age                   int
	sex                   string
	nhs                   string
	bed                   int
	admitted, edd         string
	consultant            string
	alert                 string
}

func (p patient) name() string { return fmt.Sprintf("%s, %s (%s)", p.surname, p.given, p.title) }

var (
	patel = patient{"PATEL", "Asha", "Mrs", "14-Mar-1948", "14 Mar 1948", 77, "F", "999 123 4567", 1, "12-Jun 09:40", "TBC", "Dr R. Evans (demo)", "MedRec"}
	jones = patient{"JONES", "David", "Mr", "02-Nov-1956", "2 Nov 1956", 68, "M", "999 765 4321", 2, "11-Jun 22:15", "15-Jun", "Dr R. Evans (demo)", ""}
	// ward is Ward 7B's census; a zero patient is an empty bed.
	ward = []patient{
		patel,
		jones,
		{"OKONKWO", "Grace", "Ms", "21-Jul-1962", "21 Jul 1962", 62, "F", "999 000 0001", 3, "10-Jun 14:05", "13-Jun", "Dr M. Shah (demo)", ""},
		{"SMITH", "Harold", "Mr", "30-Jan-1939", "30 Jan 1939", 86, "M", "999 000 0002", 4, "09-Jun 18:30", "14-Jun", "Dr M. Shah (demo)", "Falls"},
		{bed: 5},
		{"NOWAK", "Zofia", "Mrs", "05-Sep-1971", "5 Sep 1971", 53, "F", "999 000 0003", 6, "11-Jun 11:20", "13-Jun", "Dr R. Evans (demo)", ""},
		{"HUGHES", "Owen", "Mr", "17-Apr-1950", "17 Apr 1950", 75, "M", "999 000 0004", 7, "08-Jun 03:50", "16-Jun", "Dr M. Shah (demo)", "IV abx"},
		{"KHAN", "Imran", "Mr", "08-Dec-1983", "8 Dec 1983", 41, "M", "999 000 0005", 8, "12-Jun 02:10", "14-Jun", "Dr R. Evans (demo)", ""},
		{"BROWN", "Elsie", "Miss", "25-May-1944", "25 May 1944", 81, "F", "999 000 0006", 9, "07-Jun 16:45", "TBC", "Dr M. Shah (demo)", "Falls"},
		{bed: 10},
		{"ADEYEMI", "Tunde", "Mr", "11-Feb-1958", "11 Feb 1958", 67, "M", "999 000 0007", 11, "10-Jun 20:30", "14-Jun", "Dr R. Evans (demo)", ""},
		{"MURPHY", "Siobhan", "Mrs", "19-Oct-1967", "19 Oct 1967", 57, "F", "999 000 0008", 12, "09-Jun 08:15", "13-Jun", "Dr M. Shah (demo)", "Diab"},
		{"LLOYD", "Gareth", "Mr", "03-Aug-1949", "3 Aug 1949", 75, "M", "999 000 0009", 13, "11-Jun 15:00", "17-Jun", "Dr R. Evans (demo)", ""},
		{"CHEN", "Mei", "Ms", "27-Jun-1990", "27 Jun 1990", 34, "F", "999 000 0010", 14, "12-Jun 07:25", "13-Jun", "Dr M. Shah (demo)", ""},
	}
)

// medicine is one of Mrs Patel's medicines before admission, with the
// reconciliation decision the scenario asks for.
type medicine struct {
	drug, dose, route, frequency, source string
	decision                             int // 0 continue, 1 stop, 2 change
	note                                 string
}

var patelMedicines = []medicine{
	{"Amlodipine", "5 mg", "Oral", "Once daily, morning", "GP record, patient", 0, ""},
	{"Ramipril", "5 mg", "Oral", "Once daily, morning", "GP record", 1, "Stop: acute kidney injury"},
	{"Metformin", "500 mg", "Oral", "Twice daily with food", "GP record, patient", 0, ""},
	{"Atorvastatin", "20 mg", "Oral", "Once daily, night", "GP record", 0, ""},
	{"Furosemide", "40 mg", "Oral", "Once daily, morning", "GP record, daughter", 2, "Change to 20 mg"},
	{"Paracetamol", "1 g", "Oral", "Up to 4 times daily, when required", "Patient", 0, ""},
	{"Latanoprost 0.005%", "1 drop", "Eye, both", "Once daily, night", "Daughter", 0, ""},
}

var decisions = []string{"Continue", "Stop", "Change"}

// Colours: NHS identity for the prototypes, classic grey for the legacy
// system.
var (
	nhsBlue      = color.RGBA{0x00, 0x5e, 0xb8, 0xff}
	nhsDarkBlue  = color.RGBA{0x00, 0x30, 0x87, 0xff}
	nhsGreen     = color.RGBA{0x00, 0x7f, 0x3b, 0xff}
	nhsDarkGreen = color.RGBA{0x00, 0x40, 0x1e, 0xff}
	nhsRed       = color.RGBA{0xd5, 0x28, 0x1b, 0xff}
	nhsPaleRed   = color.RGBA{0xfb, 0xe9, 0xe7, 0xff}
	nhsYellow    = color.RGBA{0xff, 0xeb, 0x3b, 0xff}
	nhsWarm      = color.RGBA{0xff, 0xb8, 0x1c, 0xff}
	nhsText      = color.RGBA{0x21, 0x2b, 0x32, 0xff}
	nhsSecondary = color.RGBA{0x4c, 0x62, 0x72, 0xff}
	nhsBorder    = color.RGBA{0xd8, 0xdd, 0xe0, 0xff}
	nhsPage      = color.RGBA{0xf0, 0xf4, 0xf5, 0xff}
	nhsPaleGrey  = color.RGBA{0xe8, 0xed, 0xee, 0xff}
	white        = color.RGBA{0xff, 0xff, 0xff, 0xff}
	black        = color.RGBA{0x00, 0x00, 0x00, 0xff}

	winFace     = color.RGBA{0xd4, 0xd0, 0xc8, 0xff}
	winShadow   = color.RGBA{0x80, 0x80, 0x80, 0xff}
	winDark     = color.RGBA{0x40, 0x40, 0x40, 0xff}
	winTitle    = color.RGBA{0x0a, 0x24, 0x6a, 0xff}
	winHeader   = color.RGBA{0xc0, 0xc0, 0xc0, 0xff}
	winStripe   = color.RGBA{0xee, 0xee, 0xee, 0xff}
	winInfo     = color.RGBA{0xff, 0xff, 0xe1, 0xff}
	winSelected = color.RGBA{0x31, 0x6a, 0xc5, 0xff}
	winRed      = color.RGBA{0xc0, 0x00, 0x00, 0xff}
	winGrey     = color.RGBA{0x70, 0x70, 0x70, 0xff}
)

// typeface is a font face; bold emboldens a face that has no bold, such as
// the legacy bitmap font, by drawing it twice.
type typeface struct {
	face font.Face
	bold bool
}

type typefaces struct {
	legacy, legacyBold                     typeface
	small, body, bold, h2, h1, title, name typeface
}

// loadTypefaces makes the faces afresh: opentype faces are not safe for
// concurrent use, and Releases may be called concurrently.
func loadTypefaces() (*typefaces, error) {
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, err
	}
	face := func(f *opentype.Font, size float64) (typeface, error) {
		ff, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		return typeface{face: ff}, err
	}
	t := &typefaces{legacy: typeface{face: basicfont.Face7x13}, legacyBold: typeface{face: basicfont.Face7x13, bold: true}}
	for _, f := range []struct {
		dst  *typeface
		font *opentype.Font
		size float64
	}{
		{&t.small, regular, 14}, {&t.body, regular, 16}, {&t.bold, bold, 16},
		{&t.h2, bold, 20}, {&t.h1, bold, 26}, {&t.title, bold, 30}, {&t.name, bold, 22},
	} {
		if *f.dst, err = face(f.font, f.size); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// builder draws screens, collecting the text drawn and the first error.
type builder struct {
	t     *typefaces
	texts []string
	err   error
}

type screenSpec struct {
	key, title string
	draw       func(c *canvas)
}

func (b *builder) screens(w, h int, specs []screenSpec) []sandpit.Screen {
	screens := make([]sandpit.Screen, 0, len(specs))
	for _, s := range specs {
		c := &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h)), b: b}
		s.draw(c)
		var buf bytes.Buffer
		if err := png.Encode(&buf, c.img); err != nil && b.err == nil {
			b.err = fmt.Errorf("demo: screen %s: %w", s.key, err)
		}
		screens = append(screens, sandpit.Screen{
			Key: s.key, Title: s.title,
			Image: sandpit.DataURI("image/png", buf.Bytes()),
			Width: w, Height: h,
			Hotspots: c.hotspots,
		})
	}
	return screens
}

// canvas is one screen being drawn, with its hotspots.
type canvas struct {
	img      *image.RGBA
	b        *builder
	hotspots []sandpit.Hotspot
}

func (c *canvas) fill(x, y, w, h int, col color.Color) {
	draw.Draw(c.img, image.Rect(x, y, x+w, y+h), image.NewUniform(col), image.Point{}, draw.Src)
}

// outline draws a border t pixels thick just inside the rectangle.
func (c *canvas) outline(x, y, w, h, t int, col color.Color) {
	c.fill(x, y, w, t, col)
	c.fill(x, y+h-t, w, t, col)
	c.fill(x, y, t, h, col)
	c.fill(x+w-t, y, t, h, col)
}

// box fills a rectangle and draws a 1 pixel border.
func (c *canvas) box(x, y, w, h int, bg, border color.Color) {
	c.fill(x, y, w, h, bg)
	c.outline(x, y, w, h, 1, border)
}

// line draws a straight line th pixels thick.
func (c *canvas) line(x0, y0, x1, y1, th int, col color.Color) {
	steps := max(abs(x1-x0), abs(y1-y0), 1)
	for i := 0; i <= steps; i++ {
		x := x0 + (x1-x0)*i/steps
		y := y0 + (y1-y0)*i/steps
		c.fill(x-th/2, y-th/2, th, th, col)
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// text draws s with its top at y and returns its width.
func (c *canvas) text(f typeface, x, y int, col color.Color, s string) int {
	c.b.texts = append(c.b.texts, s)
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: f.face}
	base := y + f.face.Metrics().Ascent.Ceil()
	d.Dot = fixed.P(x, base)
	d.DrawString(s)
	if f.bold {
		d.Dot = fixed.P(x+1, base)
		d.DrawString(s)
	}
	return textWidth(f, s)
}

// lines draws lines of text from y, gap pixels apart.
func (c *canvas) lines(f typeface, x, y, gap int, col color.Color, ss ...string) {
	for i, s := range ss {
		c.text(f, x, y+i*gap, col, s)
	}
}

func textWidth(f typeface, s string) int {
	w := font.MeasureString(f.face, s).Ceil()
	if f.bold {
		w++
	}
	return w
}

func textHeight(f typeface) int {
	m := f.face.Metrics()
	return m.Ascent.Ceil() + m.Descent.Ceil()
}

// centred draws s centred in a rectangle.
func (c *canvas) centred(f typeface, x, y, w, h int, col color.Color, s string) {
	c.text(f, x+(w-textWidth(f, s))/2, y+(h-textHeight(f))/2, col, s)
}

// link makes a rectangle a hotspot leading to target.
func (c *canvas) link(x, y, w, h int, target, label string) {
	c.hotspots = append(c.hotspots, sandpit.Hotspot{X: x, Y: y, W: w, H: h, Target: target, Label: label})
}

// ---- Prototype (NHS-style) components ----

// header draws the blue header bar and the synthetic-data strip.
func (b *builder) header(c *canvas, v2 bool) {
	t := b.t
	c.fill(0, 0, demoWidth, demoHeight, nhsPage)
	c.fill(0, 0, demoWidth, 60, nhsBlue)
	c.text(t.h2, 32, 18, white, "Ward 7B Care Record")
	version := "Prototype 0.1"
	if v2 {
		version = "Prototype 0.2"
	}
	x := 32 + textWidth(t.h2, "Ward 7B Care Record") + 16
	c.box(x, 18, textWidth(t.small, version)+16, 24, nhsDarkBlue, nhsDarkBlue)
	c.text(t.small, x+8, 22, white, version)
	user := "Ada Okafor, Staff Nurse (demo)"
	c.text(t.body, demoWidth-32-textWidth(t.body, user), 21, white, user)
	c.fill(0, 60, demoWidth, 24, nhsYellow)
	c.centred(t.bold, 0, 60, demoWidth, 24, nhsText, "SYNTHETIC DATA: prototype for usability testing. No real patients are shown.")
}

// banner draws the patient banner under the header; allergies, if set,
// is shown in it.
func (b *builder) banner(c *canvas, p patient, allergy string, allergyBad bool) {
	t := b.t
	c.fill(0, 84, demoWidth, 80, white)
	c.fill(0, 163, demoWidth, 1, nhsBorder)
	c.text(t.name, 32, 96, nhsText, p.name())
	sex := map[string]string{"F": "Female", "M": "Male"}[p.sex]
	c.text(t.body, 32, 132, nhsSecondary, fmt.Sprintf("Born %s (%d)  ·  %s  ·  NHS number %s  ·  Ward 7B, bed %d", p.dobLong, p.age, sex, p.nhs, p.bed))
	badge := "SYNTHETIC PATIENT"
	bw := textWidth(t.bold, badge) + 20
	c.box(demoWidth-32-bw, 94, bw, 28, nhsYellow, nhsText)
	c.centred(t.bold, demoWidth-32-bw, 94, bw, 28, nhsText, badge)
	if allergy != "" {
		bg, fg := nhsPaleGrey, nhsText
		if allergyBad {
			bg, fg = nhsRed, white
		}
		aw := textWidth(t.bold, allergy) + 20
		c.box(demoWidth-32-aw, 128, aw, 28, bg, bg)
		c.centred(t.bold, demoWidth-32-aw, 128, aw, 28, fg, allergy)
	}
}

// button draws an NHS primary (green) button with its shadow, all of it a
// hotspot.
func (b *builder) button(c *canvas, x, y, w int, label, target, hotspot string) int {
	if w == 0 {
		w = textWidth(b.t.bold, label) + 32
	}
	c.fill(x, y, w, 44, nhsDarkGreen)
	c.fill(x, y, w, 40, nhsGreen)
	c.centred(b.t.bold, x, y, w, 40, white, label)
	if target != "" {
		c.link(x, y, w, 44, target, hotspot)
	}
	return w
}

// secondary draws an outlined button, a hotspot if target is set.
func (b *builder) secondary(c *canvas, x, y, w, h int, label, target, hotspot string) int {
	if w == 0 {
		w = textWidth(b.t.bold, label) + 24
	}
	c.box(x, y, w, h, white, nhsBlue)
	c.outline(x, y, w, h, 2, nhsBlue)
	c.centred(b.t.bold, x, y, w, h, nhsBlue, label)
	if target != "" {
		c.link(x, y, w, h, target, hotspot)
	}
	return w
}

// back draws a back button under the banner.
func (b *builder) back(c *canvas, label, target, hotspot string) {
	b.secondary(c, 32, 176, 0, 36, "‹ "+label, target, hotspot)
}

// card draws a white card with a heading and returns where its content
// starts.
func (b *builder) card(c *canvas, x, y, w, h int, heading string) int {
	c.box(x, y, w, h, white, nhsBorder)
	if heading == "" {
		return y + 16
	}
	c.text(b.t.h2, x+20, y+16, nhsText, heading)
	return y + 52
}

// chip draws a small coloured label and returns its width.
func (b *builder) chip(c *canvas, x, y int, label string, bg, fg color.Color) int {
	w := textWidth(b.t.small, label) + 16
	c.box(x, y, w, 24, bg, bg)
	c.centred(b.t.small, x, y, w, 24, fg, label)
	return w
}

// ---- Prototype screens ----

func (b *builder) wardList(v2 bool) func(*canvas) {
	return func(c *canvas) {
		t := b.t
		b.header(c, v2)
		c.text(t.h1, 32, 100, nhsText, "Ward 7B – Acute Medical Unit")
		c.text(t.body, 32, 136, nhsSecondary, "Thursday 12 June  ·  8 patients  ·  2 admitted in the last 24 hours")
		x, y, w := 32, 166, 960
		c.box(x, y, w, 40+8*56, white, nhsBorder)
		c.fill(x+1, y+1, w-2, 39, nhsPaleGrey)
		cols := []struct {
			x     int
			title string
		}{{48, "Bed"}, {100, "Patient"}, {346, "NHS number"}, {480, "Admitted"}, {596, "Status"}, {800, "Open"}}
		for _, col := range cols {
			c.text(t.bold, col.x, y+11, nhsText, col.title)
		}
		y += 40
		n := 0
		for _, p := range ward[:9] { // the first 8 patients; empty beds are not listed
			if p.surname == "" {
				continue
			}
			row := y + n*56
			n++
			if row > y {
				c.fill(x+1, row, w-2, 1, nhsBorder)
			}
			c.text(t.bold, 48, row+18, nhsText, fmt.Sprint(p.bed))
			c.text(t.bold, 100, row+8, nhsText, p.name())
			c.text(t.small, 100, row+30, nhsSecondary, fmt.Sprintf("Born %s (%d)", p.dobLong, p.age))
			c.text(t.body, 346, row+18, nhsText, p.nhs)
			c.text(t.body, 480, row+18, nhsText, strings.Replace(p.admitted, "-", " ", 1))
			switch {
			case p.nhs == patel.nhs && v2:
				bw := textWidth(t.bold, "Reconcile medicines") + 20
				c.fill(596, row+10, bw, 36, nhsDarkGreen)
				c.fill(596, row+10, bw, 33, nhsGreen)
				c.centred(t.bold, 596, row+10, bw, 33, white, "Reconcile medicines")
				c.link(596, row+10, bw, 36, "reconcile", "Reconcile Mrs Patel's medicines")
			case p.nhs == patel.nhs:
				b.chip(c, 596, row+16, "Medicines to reconcile", nhsWarm, nhsText)
			case p.nhs == jones.nhs:
				b.chip(c, 596, row+16, "Antibiotics due", nhsWarm, nhsText)
			case p.alert == "Falls":
				b.chip(c, 596, row+16, "Falls risk", nhsPaleGrey, nhsText)
			case p.alert == "IV abx":
				b.chip(c, 596, row+16, "IV antibiotics", nhsPaleGrey, nhsText)
			}
			rw := b.secondary(c, 800, row+10, 0, 36, "Record", "", "")
			mw := b.secondary(c, 800+rw+8, row+10, 0, 36, "Medicines", "", "")
			switch p.nhs {
			case jones.nhs:
				c.link(800, row+10, rw, 36, "record", "Open Mr Jones's record")
			case patel.nhs:
				c.link(800+rw+8, row+10, mw, 36, "meds", "Open Mrs Patel's medicines")
			}
		}
	}
}

// allergyRows are Mr Jones's allergies and intolerances.
var allergyRows = []struct {
	substance, reaction, detail string
	severe                      bool
}{
	{"Penicillin", "Anaphylaxis", "Severe  ·  confirmed  ·  GP record, 3 Jun 2019", true},
	{"Codeine", "Vomiting", "Intolerance, mild  ·  likely  ·  ward pharmacist, 2 Feb 2021", false},
	{"Elastoplast", "Skin rash", "Mild  ·  likely  ·  patient report, 14 Sep 2022", false},
}

func (b *builder) record(v2 bool) func(*canvas) {
	return func(c *canvas) {
		t := b.t
		b.header(c, v2)
		if v2 {
			b.banner(c, jones, "ALLERGY: PENICILLIN", true)
		} else {
			b.banner(c, jones, "", false)
		}
		b.back(c, "Back to ward list", "ward_list", "Back to ward list")
		admission := []string{
			"Admitted 11 June, 22:15, through the emergency department",
			"Working diagnosis: community-acquired pneumonia (CURB-65: 2)",
			"Consultant: Dr R. Evans (demo)  ·  Acute Medicine",
			"Expected discharge: 15 June",
		}
		obs := []string{
			"NEWS2 score: 6 (urgent review)",
			"Temperature 38.1 °C  ·  Heart rate 104",
			"Blood pressure 128/76  ·  Respiratory rate 24",
			"Oxygen saturation 93% on air",
		}
		problems := "COPD (mild)  ·  Type 2 diabetes, diet controlled  ·  Hypertension"
		if v2 {
			y := 228
			c.box(32, y, 960, 152, white, nhsRed)
			c.fill(32, y, 8, 152, nhsRed)
			c.text(t.h2, 60, y+14, nhsRed, "Allergies and adverse reactions (3)")
			for i, a := range allergyRows {
				row := y + 50 + i*30
				col := nhsText
				if a.severe {
					col = nhsRed
				}
				w := c.text(t.bold, 60, row, col, a.substance+": "+a.reaction)
				c.text(t.body, 60+w+16, row, nhsSecondary, a.detail)
			}
			b.secondary(c, 770, y+14, 200, 36, "Allergy details", "allergies", "View Mr Jones's allergy details")
			cy := b.card(c, 32, 396, 472, 176, "Admission")
			c.lines(t.small, 52, cy, 28, nhsText, admission...)
			cy = b.card(c, 520, 396, 472, 176, "Latest observations, 06:00")
			c.lines(t.small, 540, cy, 28, nhsText, obs...)
			cy = b.card(c, 32, 588, 960, 96, "Problems")
			c.text(t.body, 52, cy, nhsText, problems)
			bx := 620
			for _, l := range []string{"Medicines", "Results", "Notes"} {
				bx += b.secondary(c, bx, 612, 0, 40, l, "", "") + 12
			}
			return
		}
		c.text(t.h1, 32, 228, nhsText, "Patient summary")
		cy := b.card(c, 32, 272, 472, 196, "Admission")
		c.lines(t.small, 52, cy, 30, nhsText, admission...)
		cy = b.card(c, 520, 272, 472, 196, "Latest observations, 06:00")
		c.lines(t.small, 540, cy, 30, nhsText, obs...)
		cy = b.card(c, 32, 484, 472, 196, "Problems")
		c.lines(t.body, 52, cy, 30, nhsText, "COPD (mild)", "Type 2 diabetes, diet controlled", "Hypertension")
		cy = b.card(c, 520, 484, 472, 196, "More in this record")
		b.secondary(c, 540, cy, 212, 44, "Medicines", "", "")
		b.secondary(c, 764, cy, 212, 44, "Allergies and alerts", "allergies", "Open Mr Jones's allergies and alerts")
		b.secondary(c, 540, cy+60, 212, 44, "Results", "", "")
		b.secondary(c, 764, cy+60, 212, 44, "Clinical notes", "", "")
	}
}

func (b *builder) allergies(v2 bool) func(*canvas) {
	return func(c *canvas) {
		t := b.t
		b.header(c, v2)
		if v2 {
			b.banner(c, jones, "ALLERGY: PENICILLIN", true)
		} else {
			b.banner(c, jones, "", false)
		}
		b.back(c, "Back to patient summary", "record", "Back to Mr Jones's summary")
		c.text(t.h1, 32, 228, nhsText, "Allergies and adverse reactions")
		y := 272
		for _, a := range allergyRows {
			h := 84
			stripe := nhsWarm
			if a.severe {
				h, stripe = 132, nhsRed
			}
			c.box(32, y, 960, h, white, nhsBorder)
			c.fill(32, y, 8, h, stripe)
			col := nhsText
			if a.severe {
				col = nhsRed
			}
			c.text(t.h2, 60, y+14, col, a.substance)
			c.text(t.bold, 300, y+17, nhsText, "Reaction: "+a.reaction)
			c.text(t.body, 60, y+48, nhsSecondary, a.detail)
			if a.severe {
				c.text(t.body, 60, y+78, nhsText, "Do not give any penicillin, including co-amoxiclav, flucloxacillin")
				c.text(t.body, 60, y+100, nhsText, "and piperacillin with tazobactam. Check with a pharmacist before any beta-lactam.")
			}
			y += h + 12
		}
		c.text(t.small, 32, y+4, nhsSecondary, "Inactive: Latex, refuted by the allergy clinic, 2020.")
		b.secondary(c, 812, y, 180, 36, "Ward list", "ward_list", "Back to ward list")
	}
}

func (b *builder) meds(v2 bool) func(*canvas) {
	return func(c *canvas) {
		t := b.t
		b.header(c, v2)
		if v2 {
			b.banner(c, patel, "No known drug allergies", false)
			b.back(c, "Back to reconciliation", "reconcile", "Back to Mrs Patel's reconciliation")
		} else {
			b.banner(c, patel, "", false)
			b.back(c, "Back to ward list", "ward_list", "Back to ward list")
		}
		c.text(t.h1, 32, 228, nhsText, "Medicines before admission")
		c.text(t.body, 32, 262, nhsSecondary, "From the GP record (Summary Care Record), the patient and her daughter. Checked 12 June, 09:55.")
		x, y := 32, 292
		c.box(x, y, 960, 40+len(patelMedicines)*40, white, nhsBorder)
		c.fill(x+1, y+1, 958, 39, nhsPaleGrey)
		cols := []int{52, 262, 372, 482, 762}
		for i, h := range []string{"Medicine", "Dose", "Route", "Frequency", "Source"} {
			c.text(t.bold, cols[i], y+11, nhsText, h)
		}
		for i, m := range patelMedicines {
			row := y + 40 + i*40
			if i > 0 {
				c.fill(x+1, row, 958, 1, nhsBorder)
			}
			for j, s := range []string{m.drug, m.dose, m.route, m.frequency, m.source} {
				f := t.body
				if j == 0 {
					f = t.bold
				}
				c.text(f, cols[j], row+11, nhsText, s)
			}
		}
		by := y + 40 + len(patelMedicines)*40 + 20
		if v2 {
			b.button(c, 32, by, 0, "Continue reconciliation", "reconcile", "Continue Mrs Patel's reconciliation")
			b.secondary(c, 812, by, 180, 40, "Ward list", "ward_list", "Back to ward list")
		} else {
			b.button(c, 32, by, 0, "Start medicines reconciliation", "reconcile", "Start Mrs Patel's medicines reconciliation")
		}
	}
}

func (b *builder) reconcile(v2 bool) func(*canvas) {
	return func(c *canvas) {
		t := b.t
		b.header(c, v2)
		if v2 {
			b.banner(c, patel, "No known drug allergies", false)
			b.back(c, "Back to ward list", "ward_list", "Back to ward list")
			b.secondary(c, 300, 176, 0, 36, "Medicines list", "meds", "Open Mrs Patel's medicines list")
		} else {
			b.banner(c, patel, "", false)
			b.back(c, "Back to medicines", "meds", "Back to Mrs Patel's medicines")
		}
		c.text(t.h1, 32, 224, nhsText, "Medicines reconciliation")
		x, y, w := 32, 262, 664
		rowH := 52
		c.box(x, y, w, 36+len(patelMedicines)*rowH, white, nhsBorder)
		c.fill(x+1, y+1, w-2, 35, nhsPaleGrey)
		c.text(t.bold, 48, y+9, nhsText, "Medicine")
		c.text(t.bold, 420, y+9, nhsText, "Decision")
		for i, m := range patelMedicines {
			row := y + 36 + i*rowH
			if i > 0 {
				c.fill(x+1, row, w-2, 1, nhsBorder)
			}
			c.text(t.bold, 48, row+7, nhsText, m.drug+" "+m.dose)
			sub := m.route + "  ·  " + m.frequency
			if m.note != "" {
				sub = m.note
			}
			col := nhsSecondary
			if m.decision != 0 {
				col = nhsRed
			}
			c.text(t.small, 48, row+29, col, sub)
			for j, d := range decisions {
				bx := 420 + j*90
				if j == m.decision {
					c.box(bx, row+10, 86, 32, nhsBlue, nhsBlue)
					c.centred(t.bold, bx, row+10, 86, 32, white, d)
				} else {
					c.box(bx, row+10, 86, 32, white, nhsSecondary)
					c.centred(t.body, bx, row+10, 86, 32, nhsText, d)
				}
			}
		}
		cy := b.card(c, 712, 262, 280, 200, "Sources checked")
		for i, s := range []struct {
			label string
			done  bool
		}{{"GP record (SCR)", true}, {"Patient", true}, {"Relative: daughter", true}, {"Patient's own drugs", false}} {
			by := cy + i*34
			c.box(732, by, 24, 24, white, nhsText)
			c.outline(732, by, 24, 24, 2, nhsText)
			if s.done {
				c.line(737, by+12, 742, by+18, 3, nhsText)
				c.line(742, by+18, 751, by+6, 3, nhsText)
			}
			c.text(t.body, 766, by+3, nhsText, s.label)
		}
		c.text(t.small, 712, 476, nhsSecondary, "2 changes will go to the ward")
		c.text(t.small, 712, 496, nhsSecondary, "pharmacist for checking.")
		b.button(c, 712, 532, 280, "Confirm reconciliation", "done", "Confirm Mrs Patel's reconciliation")
	}
}

func (b *builder) done(v2 bool) func(*canvas) {
	return func(c *canvas) {
		t := b.t
		b.header(c, v2)
		if v2 {
			b.banner(c, patel, "No known drug allergies", false)
		} else {
			b.banner(c, patel, "", false)
		}
		c.fill(32, 190, 960, 130, nhsGreen)
		c.centred(t.title, 32, 210, 960, 40, white, "Medicines reconciliation complete")
		c.centred(t.h2, 32, 262, 960, 30, white, "Reference MR-0042  ·  12 June, 10:41  ·  Ada Okafor (demo)")
		cy := b.card(c, 32, 340, 960, 230, "What happens next")
		c.lines(t.body, 52, cy+4, 32, nhsText,
			"•  Ramipril is stopped because of acute kidney injury. Review before discharge.",
			"•  Furosemide is changed to 20 mg once daily.",
			"•  5 medicines continue unchanged and are on the drug chart.",
			"•  The ward pharmacist will check the 2 changes within 24 hours.",
			"•  Sources checked: GP record, patient and her daughter.")
		b.button(c, 32, 596, 0, "Back to ward list", "ward_list", "Back to ward list")
	}
}

// ---- Legacy (grey) components ----

// legacyFrame draws the legacy application window: title bar, menus,
// toolbar and status bar. On any screen but the ward list the toolbar's
// Ward button leads back to it.
func (b *builder) legacyFrame(c *canvas, title string, wardButton bool) {
	t := b.t
	c.fill(0, 0, legacyWidth, legacyHeight, winFace)
	c.fill(0, 0, legacyWidth, 22, winTitle)
	c.text(t.legacyBold, 6, 5, white, "PAS-Clinical 4.2.17 - "+title)
	for i, s := range []string{"_", "o", "x"} {
		x := legacyWidth - 58 + i*18
		b.bevel(c, x, 4, 16, 14, s)
	}
	x := 8
	for _, m := range []string{"File", "Edit", "View", "Patient", "Orders", "Results", "Reports", "Tools", "Window", "Help"} {
		x += c.text(t.legacy, x, 26, black, m) + 14
	}
	c.fill(0, 42, legacyWidth, 1, winShadow)
	c.fill(0, 43, legacyWidth, 1, white)
	x = 6
	for i, s := range []string{"Ward", "Find Pt", "Print", "Refresh", "Orders", "Results", "Notes", "Help"} {
		b.bevel(c, x, 46, 54, 20, s)
		if i == 0 && wardButton {
			c.link(x, 46, 54, 20, "ward_list", "Back to ward list (Ward toolbar button)")
		}
		x += 56
	}
	c.text(t.legacyBold, 520, 50, winRed, "*** TEST SYSTEM - ALL PATIENT DATA IS SYNTHETIC ***")
	c.fill(0, 69, legacyWidth, 1, winShadow)
	y := legacyHeight - 20
	x = 2
	for _, s := range []string{"Ready", "User: DEMO.NURSE", "Ward: 7B", "Site: DEMO GENERAL (TEST)", "F1=Help F5=Refresh", "12/06 10:42"} {
		w := textWidth(t.legacy, s) + 16
		c.box(x, y+2, w, 17, winFace, winShadow)
		c.text(t.legacy, x+8, y+4, black, s)
		x += w + 2
	}
}

// bevel draws a raised grey button.
func (b *builder) bevel(c *canvas, x, y, w, h int, label string) {
	c.fill(x, y, w, h, winDark)
	c.fill(x, y, w-1, h-1, white)
	c.fill(x+1, y+1, w-2, h-2, winShadow)
	c.fill(x+1, y+1, w-3, h-3, winFace)
	c.centred(b.t.legacy, x, y, w, h, black, label)
}

// legacyButton draws a raised button that is a hotspot.
func (b *builder) legacyButton(c *canvas, x, y, w, h int, label, target, hotspot string) {
	b.bevel(c, x, y, w, h, label)
	c.link(x, y, w, h, target, hotspot)
}

// sunken draws a sunken panel.
func (c *canvas) sunken(x, y, w, h int, bg color.Color) {
	c.fill(x, y, w, h, white)
	c.fill(x, y, w-1, h-1, winShadow)
	c.fill(x+1, y+1, w-2, h-2, bg)
}

// legacyBanner draws the pale yellow patient banner.
func (b *builder) legacyBanner(c *canvas, p patient) {
	t := b.t
	c.box(6, 74, legacyWidth-12, 40, winInfo, black)
	w := c.text(t.legacyBold, 12, 78, black, p.name())
	c.text(t.legacy, 12+w+14, 78, black, fmt.Sprintf("DOB: %s (%dy)  Sex: %s  NHS No: %s  MRN: SYN-%04d", p.dob, p.age, p.sex, p.nhs, p.bed))
	c.text(t.legacy, 12, 95, black, fmt.Sprintf("Ward: 7B ACUTE MED UNIT  Bed: %02d  Cons: %s  Adm: %s  Alerts: see Alerts tab", p.bed, p.consultant, p.admitted))
	c.fill(legacyWidth-172, 78, 160, 32, winRed)
	c.centred(t.legacyBold, legacyWidth-172, 78, 160, 16, white, "SYNTHETIC PATIENT")
	c.centred(t.legacy, legacyWidth-172, 94, 160, 16, white, "TEST DATA ONLY")
}

// legacyTabs draws the patient tabs, active highlighted; links maps tab
// names to hotspots.
func (b *builder) legacyTabs(c *canvas, active string, links map[string][2]string) {
	t := b.t
	x := 6
	for _, tab := range []string{"Summary", "Demographics", "Encounters", "Results", "Orders", "Drug Chart", "Alerts", "Notes", "Documents"} {
		w := textWidth(t.legacy, tab) + 14
		y, h := 122, 18
		if tab == active {
			y, h = 118, 22
			c.fill(x, y, w, h, white)
			c.outline(x, y, w, h, 1, winDark)
			c.fill(x+1, y+h-1, w-2, 1, white)
			c.centred(t.legacyBold, x, y, w, h, black, tab)
		} else {
			b.bevel(c, x, y, w, h, tab)
		}
		if l, ok := links[tab]; ok {
			c.link(x, y, w, h, l[0], l[1])
		}
		x += w + 1
	}
}

// legacyGrid draws a dense table and returns the y below it.
func (b *builder) legacyGrid(c *canvas, x, y int, widths []int, headers []string, rows [][]string, rowH int) int {
	t := b.t
	total := 0
	for _, w := range widths {
		total += w
	}
	c.fill(x, y, total, rowH, winHeader)
	cx := x
	for i, h := range headers {
		c.outline(cx, y, widths[i], rowH, 1, winShadow)
		c.text(t.legacyBold, cx+3, y+(rowH-13)/2, black, h)
		cx += widths[i]
	}
	for r, row := range rows {
		ry := y + (r+1)*rowH
		bg := white
		if r%2 == 1 {
			bg = winStripe
		}
		c.fill(x, ry, total, rowH, bg)
		cx = x
		for i, s := range row {
			c.fill(cx+widths[i]-1, ry, 1, rowH, winHeader)
			col := color.Color(black)
			if strings.HasPrefix(s, "!") {
				s, col = s[1:], winRed
			}
			if s != "" {
				c.text(t.legacy, cx+3, ry+(rowH-13)/2, col, s)
			}
			cx += widths[i]
		}
		c.fill(x, ry+rowH-1, total, 1, winHeader)
	}
	end := y + (len(rows)+1)*rowH
	c.outline(x, y, total, end-y, 1, winDark)
	return end
}

// ---- Legacy screens ----

func (b *builder) legacyWardList(c *canvas) {
	t := b.t
	b.legacyFrame(c, "[Ward Census: 7B ACUTE MEDICAL UNIT]", false)
	c.text(t.legacy, 8, 78, black, "Ward:")
	c.sunken(48, 74, 200, 20, white)
	c.text(t.legacy, 52, 78, black, "7B - ACUTE MEDICAL UNIT")
	b.bevel(c, 232, 76, 14, 16, "v")
	c.text(t.legacy, 262, 78, black, "Consultant:")
	c.sunken(346, 74, 160, 20, white)
	c.text(t.legacy, 350, 78, black, "<ALL>")
	b.bevel(c, 490, 76, 14, 16, "v")
	c.text(t.legacy, 520, 78, black, "Show: (*) Current  ( ) Discharged  ( ) Expected")
	b.bevel(c, 868, 74, 40, 20, "Go")
	headers := []string{"Bed", "Patient Name", "NHS No", "DOB", "Age", "Sex", "Consultant", "Admitted", "EDD", "Alerts", "Actions"}
	widths := []int{34, 160, 96, 86, 32, 30, 140, 98, 54, 52, 226}
	var rows [][]string
	for _, p := range ward {
		if p.surname == "" {
			rows = append(rows, []string{fmt.Sprintf("%02d", p.bed), "-- EMPTY --", "", "", "", "", "", "", "", "", ""})
			continue
		}
		alert := p.alert
		if alert != "" {
			alert = "!" + alert
		}
		rows = append(rows, []string{fmt.Sprintf("%02d", p.bed), p.name(), p.nhs, p.dob, fmt.Sprint(p.age), p.sex, p.consultant, p.admitted, p.edd, alert, ""})
	}
	gy := 104
	rowH := 20
	end := b.legacyGrid(c, 8, gy, widths, headers, rows, rowH)
	ax := 8
	for _, w := range widths[:len(widths)-1] {
		ax += w
	}
	for i, p := range ward {
		if p.surname == "" {
			continue
		}
		ry := gy + (i+1)*rowH + 3
		bx := ax + 4
		for _, btn := range []struct {
			label string
			w     int
		}{{"Summ", 36}, {"Drugs", 42}, {"Notes", 42}, {"Obs", 30}, {"Disch", 42}} {
			b.bevel(c, bx, ry, btn.w, 14, btn.label)
			switch {
			case p.nhs == jones.nhs && btn.label == "Summ":
				c.link(bx, ry, btn.w, 14, "record", "Open Mr Jones's summary (Summ button)")
			case p.nhs == patel.nhs && btn.label == "Drugs":
				c.link(bx, ry, btn.w, 14, "meds", "Open Mrs Patel's drug chart (Drugs button)")
			}
			bx += btn.w + 2
		}
	}
	y := end + 10
	c.sunken(8, y, 500, legacyHeight-30-y, white)
	c.text(t.legacyBold, 14, y+6, black, "OUTSTANDING WARD TASKS (7)")
	c.lines(t.legacy, 14, y+26, 17, black,
		"01 PATEL     Medicines reconciliation NOT STARTED (adm 09:40)",
		"02 JONES     Antibiotic prescription awaiting review",
		"04 SMITH     Falls assessment due 14:00",
		"07 HUGHES    IV antibiotics due 12:00 - check cannula",
		"08 KHAN      Medicines reconciliation NOT STARTED (adm 02:10)",
		"09 BROWN     Lying/standing BP due",
		"14 CHEN      Discharge letter to be completed")
	c.sunken(516, y, 500, legacyHeight-30-y, white)
	c.text(t.legacyBold, 522, y+6, black, "WARD SUMMARY")
	c.lines(t.legacy, 522, y+26, 17, black,
		"Beds: 14   Occupied: 12   Empty: 2   Closed: 0",
		"Expected admissions: 3   Expected discharges: 2",
		"NEWS2 >= 5: 2 patients (beds 02, 07)",
		"Isolation: 0   Falls risk: 2",
		"",
		"Messages: Pharmacy ward round 11:00. Please complete",
		"med rec within 24h of admission (Trust policy MM-07).")
}

func (b *builder) legacyRecord(c *canvas) {
	t := b.t
	b.legacyFrame(c, "[Patient Summary: JONES, David]", true)
	b.legacyBanner(c, jones)
	b.legacyTabs(c, "Summary", map[string][2]string{"Alerts": {"allergies", "Open the Alerts tab"}})
	c.sunken(6, 140, legacyWidth-12, 570, white)
	col := func(x, y int, heading string, ls ...string) {
		c.text(t.legacyBold, x, y, winSelected, heading)
		c.fill(x, y+15, 480, 1, winHeader)
		c.lines(t.legacy, x, y+20, 16, black, ls...)
	}
	col(14, 148, "ADMISSION DETAILS",
		"Admitted:        11-Jun 22:15 via ED (majors)",
		"Presenting:      Productive cough, fever, breathless x3 days",
		"Working dx:      Community-acquired pneumonia, CURB-65: 2",
		"Consultant:      Dr R. Evans (demo)    Specialty: ACUTE MED",
		"EDD:             15-Jun              Pathway: RESP-CAP",
		"Resus status:    For full escalation (see Documents)")
	col(14, 276, "ACTIVE PROBLEMS",
		"COPD (mild)                              since 2015",
		"Type 2 diabetes mellitus - diet controlled  since 2018",
		"Essential hypertension                   since 2009")
	col(14, 360, "PENDING ORDERS",
		"CXR PA                     REPORTED - see Results",
		"Antibiotics                AWAITING PRESCRIBER REVIEW",
		"Sputum culture             SENT 11-Jun 23:40",
		"Blood cultures x2          SENT 11-Jun 23:10")
	col(14, 460, "NEXT OF KIN",
		"Mrs Carol JONES (wife) - telephone on Demographics tab",
		"Lives with wife, independent with ADLs, ex-smoker")
	col(520, 148, "LATEST OBS (12-Jun 06:00)",
		"Temp 38.1 C   HR 104   BP 128/76   RR 24",
		"SpO2 93% on air   ACVPU: A   NEWS2: 6 (!)",
		"Next obs due: 07:00 (OVERDUE)")
	col(520, 228, "RECENT RESULTS",
		"CRP      187 mg/L   (H)      11-Jun 23:05",
		"WCC      15.2       (H)      11-Jun 23:05",
		"Creat    92 umol/L           11-Jun 23:05",
		"eGFR     >60                 11-Jun 23:05",
		"Lactate  1.8 mmol/L          11-Jun 22:40")
	col(520, 344, "RECENT NOTES",
		"12-Jun 07:10  Nursing   Settled night, O2 weaned",
		"11-Jun 23:30  FY1       Clerking - see Notes tab",
		"11-Jun 22:15  ED        Handover to AMU")
	c.text(t.legacy, 14, 690, winGrey, "Allergy status is recorded on the Alerts tab.")
	b.legacyButton(c, 8, legacyHeight-48, 60, 22, "<< Back", "ward_list", "Back to ward list")
	b.bevel(c, 70, legacyHeight-48, 60, 22, "Print")
	b.bevel(c, 132, legacyHeight-48, 60, 22, "Close")
}

func (b *builder) legacyAllergies(c *canvas) {
	t := b.t
	b.legacyFrame(c, "[Alerts: JONES, David]", true)
	b.legacyBanner(c, jones)
	b.legacyTabs(c, "Alerts", map[string][2]string{"Summary": {"record", "Back to summary (Summary tab)"}})
	c.sunken(6, 140, legacyWidth-12, 570, white)
	c.text(t.legacyBold, 14, 148, black, "Alerts (5)   Filter: [All types  v]   [x] Show inactive")
	end := b.legacyGrid(c, 12, 168, []int{90, 250, 100, 70, 80, 50, 150, 90, 100},
		[]string{"Type", "Description", "Reaction", "Severity", "Certainty", "Onset", "Recorded by", "Date", "Status"},
		[][]string{
			{"CLINICAL", "FALLS RISK", "-", "-", "-", "-", "Nurse (demo)", "12-Jun-2025", "ACTIVE"},
			{"!ALLERGY", "!PENICILLIN (ALL PENICILLINS)", "!Anaphylaxis", "!SEVERE", "Confirmed", "1998", "GP import", "03-Jun-2019", "ACTIVE"},
			{"INTOLERANCE", "CODEINE", "Vomiting", "Mild", "Likely", "-", "Pharm. (demo)", "02-Feb-2021", "ACTIVE"},
			{"ALLERGY", "ELASTOPLAST", "Skin rash", "Mild", "Likely", "-", "Patient report", "14-Sep-2022", "ACTIVE"},
			{"ALLERGY", "LATEX", "-", "-", "Refuted", "-", "Allergy clinic", "20-Jan-2020", "INACTIVE"},
		}, 20)
	c.text(t.legacy, 14, end+8, winGrey, "Double-click a row to view details. Inactive alerts are shown for reference only.")
	c.text(t.legacy, 14, end+26, winGrey, "Source codes: GP = GP Connect import, PT = patient report, PH = pharmacy.")
	b.legacyButton(c, 8, legacyHeight-48, 60, 22, "<< Back", "record", "Back to Mr Jones's summary")
	b.bevel(c, 70, legacyHeight-48, 60, 22, "Add...")
	b.bevel(c, 132, legacyHeight-48, 60, 22, "Amend...")
	b.bevel(c, 194, legacyHeight-48, 60, 22, "Print")
}

func (b *builder) legacyMeds(c *canvas) {
	t := b.t
	b.legacyFrame(c, "[Drug Chart: PATEL, Asha]", true)
	b.legacyBanner(c, patel)
	b.legacyTabs(c, "Drug Chart", nil)
	c.sunken(6, 140, legacyWidth-12, 570, white)
	c.text(t.legacyBold, 14, 148, black, "Regular medicines  (view: ALL  v)")
	c.text(t.legacyBold, 600, 148, winRed, "Med rec status: NOT STARTED")
	rows := make([][]string, 0, len(patelMedicines))
	for _, m := range patelMedicines {
		rows = append(rows, []string{strings.ToUpper(m.drug), m.dose, strings.ToUpper(m.route), m.frequency, "12-Jun", "Dr K. Ali (demo)", "PRE-ADM", "ACTIVE"})
	}
	end := b.legacyGrid(c, 12, 168, []int{160, 70, 90, 250, 70, 130, 80, 80},
		[]string{"Drug", "Dose", "Route", "Frequency", "Start", "Prescriber", "Source", "Status"}, rows, 20)
	c.text(t.legacyBold, 14, end+14, black, "As required (PRN)")
	end = b.legacyGrid(c, 12, end+32, []int{160, 70, 90, 250, 70, 130, 80, 80},
		[]string{"Drug", "Dose", "Route", "Frequency", "Start", "Prescriber", "Source", "Status"},
		[][]string{{"ONDANSETRON", "4 mg", "IV/ORAL", "Up to 3 times daily PRN", "12-Jun", "Dr K. Ali (demo)", "NEW", "ACTIVE"}}, 20)
	c.text(t.legacy, 14, end+12, winGrey, "Pre-admission medicines were transcribed from the GP summary at clerking and have not been reconciled.")
	x := 8
	for _, s := range []string{"Prescribe...", "Amend...", "Suspend", "Discontinue", "Med Rec...", "Print", "<< Back"} {
		w := textWidth(t.legacy, s) + 16
		switch s {
		case "Med Rec...":
			b.legacyButton(c, x, legacyHeight-48, w, 22, s, "reconcile", "Open the medicines reconciliation form (Med Rec button)")
		case "<< Back":
			b.legacyButton(c, x, legacyHeight-48, w, 22, s, "ward_list", "Back to ward list")
		default:
			b.bevel(c, x, legacyHeight-48, w, 22, s)
		}
		x += w + 2
	}
}

func (b *builder) legacyReconcile(c *canvas) {
	t := b.t
	b.legacyFrame(c, "[Medicines Reconciliation (Form MR1): PATEL, Asha]", true)
	b.legacyBanner(c, patel)
	c.sunken(6, 120, legacyWidth-12, 590, white)
	c.text(t.legacyBold, 14, 128, black, "MEDICINES RECONCILIATION - FORM MR1 (rev. 3)")
	c.text(t.legacy, 14, 148, black, "Sources checked:")
	x := 130
	for _, s := range []struct {
		label string
		on    bool
	}{{"GP record (SCR)", true}, {"Patient", true}, {"Relative/carer", true}, {"Pt own drugs", false}, {"Care home MAR", false}, {"Other:", false}} {
		c.sunken(x, 148, 13, 13, white)
		if s.on {
			c.text(t.legacyBold, x+3, 148, black, "x")
		}
		x += 18 + c.text(t.legacy, x+18, 148, black, s.label) + 14
	}
	c.sunken(x, 146, 120, 18, white)
	c.text(t.legacy, 14, 168, black, "Relative name/relationship:")
	c.sunken(210, 166, 240, 18, white)
	c.text(t.legacy, 214, 169, black, "Priya PATEL (daughter)")
	c.text(t.legacy, 470, 168, black, "Key: C = Continue   S = Stop   A = Amend (enter new dose in Comment)")
	widths := []int{150, 70, 90, 250, 28, 28, 28, 320}
	headers := []string{"Drug", "Dose", "Route", "Frequency", "C", "S", "A", "Comment"}
	rows := make([][]string, 0, len(patelMedicines))
	for _, m := range patelMedicines {
		note := m.note
		if m.decision == 2 {
			note = "Reduce to 20 mg OD"
		}
		rows = append(rows, []string{strings.ToUpper(m.drug), m.dose, strings.ToUpper(m.route), m.frequency, "", "", "", note})
	}
	gy := 192
	end := b.legacyGrid(c, 12, gy, widths, headers, rows, 22)
	for i, m := range patelMedicines {
		ry := gy + (i+1)*22
		rx := 12 + 150 + 70 + 90 + 250
		for j := range 3 {
			cx := rx + j*28 + 8
			c.sunken(cx, ry+5, 12, 12, white)
			if j == m.decision {
				c.fill(cx+3, ry+8, 6, 6, black)
			}
		}
	}
	y := end + 16
	c.text(t.legacy, 14, y, black, "Discrepancies identified:")
	c.sunken(200, y-2, 500, 18, white)
	c.text(t.legacy, 204, y+1, black, "2 (ramipril withheld - AKI; furosemide dose reduced)")
	c.text(t.legacy, 14, y+26, black, "Reconciled by:")
	c.sunken(200, y+24, 200, 18, white)
	c.text(t.legacy, 204, y+27, black, "DEMO.NURSE")
	c.text(t.legacy, 420, y+26, black, "Date/time:")
	c.sunken(500, y+24, 120, 18, white)
	c.text(t.legacy, 504, y+27, black, "12/06 10:38")
	c.text(t.legacy, 14, y+52, black, "Additional comments:")
	c.sunken(14, y+70, 700, 60, white)
	c.text(t.legacy, 14, y+140, winRed, "All fields must be completed before signing. Form cannot be edited after signing.")
	b.legacyButton(c, 8, legacyHeight-48, 86, 22, "Save & Sign", "done", "Save and sign the reconciliation form")
	b.bevel(c, 96, legacyHeight-48, 80, 22, "Save Draft")
	b.legacyButton(c, 178, legacyHeight-48, 60, 22, "Cancel", "meds", "Back to the drug chart (Cancel)")
}

func (b *builder) legacyDone(c *canvas) {
	t := b.t
	b.legacyFrame(c, "[Medicines Reconciliation (Form MR1): PATEL, Asha]", true)
	b.legacyBanner(c, patel)
	c.sunken(6, 120, legacyWidth-12, 590, winStripe)
	c.text(t.legacy, 14, 128, winGrey, "MEDICINES RECONCILIATION - FORM MR1 (rev. 3)")
	x, y, w, h := 312, 280, 400, 160
	c.fill(x+4, y+4, w, h, winShadow)
	c.fill(x, y, w, h, winFace)
	c.outline(x, y, w, h, 1, winDark)
	c.fill(x+2, y+2, w-4, 18, winTitle)
	c.text(t.legacyBold, x+6, y+5, white, "PAS-Clinical")
	c.fill(x+20, y+40, 32, 32, winSelected)
	c.centred(t.legacyBold, x+20, y+40, 32, 32, white, "i")
	c.lines(t.legacy, x+68, y+38, 16, black,
		"Form MR1 saved and signed.",
		"Record number: MR1-00042",
		"Pharmacy has been notified (queue 7B).",
		"Changes: 2. Please update the drug chart.")
	b.legacyButton(c, x+w/2-30, y+h-34, 60, 22, "OK", "ward_list", "Back to ward list (OK)")
}
