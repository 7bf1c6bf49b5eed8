package sandpit

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ReleaseStatus is where a release is in its life: draft → open → closed.
type ReleaseStatus string

// Release statuses.
const (
	StatusDraft  ReleaseStatus = "draft"
	StatusOpen   ReleaseStatus = "open"
	StatusClosed ReleaseStatus = "closed"
)

// Workflow is one clinical job to be done, owned by a team, with the consent
// text clinicians accept before a trial.
type Workflow struct {
	ID             int64
	TeamID         int64
	TeamName       string
	Title          string
	Description    string
	ConsentVersion int
	ConsentText    string
	StaffCount     StaffCount // for the benefits case
	CreatedAt      time.Time
	Releases       []ReleaseSummary // newest first
}

// ConsentVersion is one version of a workflow's consent text.
type ConsentVersion struct {
	Version   int
	Text      string
	CreatedAt time.Time
}

// ReleaseSummary is a release as its workflow lists it.
type ReleaseSummary struct {
	ID          int64
	Version     string
	Baseline    bool
	Status      ReleaseStatus
	Screens     int
	Tasks       int
	CreatedAt   time.Time
	PublishedAt *time.Time
}

// Release is a version of a workflow's prototype. Once published (open or
// closed) it never changes.
type Release struct {
	ID          int64
	WorkflowID  int64
	TeamID      int64
	Definition  // without images; see Screen.ImageURL
	Status      ReleaseStatus
	CreatedAt   time.Time
	PublishedAt *time.Time
	ClosedAt    *time.Time
}

// Published reports whether the release is open or closed: immutable.
func (r *Release) Published() bool { return r.Status != StatusDraft }

// Definition is a whole release as JSON carries it: screens with their
// hotspots, and tasks, linked by keys.
type Definition struct {
	Version  string   `json:"version"`
	Notes    string   `json:"notes"`
	Baseline bool     `json:"baseline"`
	Screens  []Screen `json:"screens"`
	Tasks    []Task   `json:"tasks"`
}

// Screen is one step of the prototype: an image with hotspots.
type Screen struct {
	ID       int64     `json:"-"`
	Key      string    `json:"key"`
	Title    string    `json:"title"`
	Image    string    `json:"image,omitempty"` // a data URI in definitions
	Width    int       `json:"-"`
	Height   int       `json:"-"`
	Hotspots []Hotspot `json:"hotspots"`
}

// Hotspot is a rectangle in image pixels leading to another screen.
type Hotspot struct {
	X      int    `json:"x"`
	Y      int    `json:"y"`
	W      int    `json:"w"`
	H      int    `json:"h"`
	Target string `json:"target"`
	Label  string `json:"label"`
}

// Contains reports whether image pixel (px, py) is inside h.
func (h Hotspot) Contains(px, py int) bool {
	// Compared by differences, never x + w, which wraps with 64-bit inputs.
	return h.X <= px && px-h.X < h.W && h.Y <= py && py-h.Y < h.H
}

// Within reports whether h lies inside an image of width × height, checked
// without overflow whatever h holds.
func (h Hotspot) Within(width, height int) bool {
	return h.X >= 0 && h.Y >= 0 && h.W > 0 && h.H > 0 &&
		h.X <= width && h.W <= width-h.X && h.Y <= height && h.H <= height-h.Y
}

// Task is a scenario a clinician attempts on the prototype.
type Task struct {
	Key            string   `json:"key"`
	Title          string   `json:"title"`
	Scenario       string   `json:"scenario"`
	Start          string   `json:"start"`
	Success        []string `json:"success"`
	OptimalPath    []string `json:"optimal_path"`
	DailyFrequency float64  `json:"daily_frequency"`
}

// IsOptimal reports whether path, a list of screen keys, is the task's
// optimal path: the rule that makes an attempt direct and a common path
// "optimal" in reports.
func (t *Task) IsOptimal(path []string) bool { return slices.Equal(path, t.OptimalPath) }

// Screen returns the screen with key, or nil.
func (d *Definition) Screen(key string) *Screen {
	for i := range d.Screens {
		if d.Screens[i].Key == key {
			return &d.Screens[i]
		}
	}
	return nil
}

// Task returns the task with key, or nil.
func (d *Definition) Task(key string) *Task {
	for i := range d.Tasks {
		if d.Tasks[i].Key == key {
			return &d.Tasks[i]
		}
	}
	return nil
}

// Hit returns the first hotspot of screen containing (px, py), or nil:
// where hotspots overlap, the first listed wins.
func (s *Screen) Hit(px, py int) *Hotspot {
	for i := range s.Hotspots {
		if s.Hotspots[i].Contains(px, py) {
			return &s.Hotspots[i]
		}
	}
	return nil
}

var keyPattern = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

// KeyFormat describes what a screen or task key may be.
const KeyFormat = "1 to 64 characters of a-z, 0-9, _ and -"

// ValidKey reports whether key may be a screen or task key.
func ValidKey(key string) bool { return keyPattern.MatchString(key) }

// CheckKey returns the field error of field holding key, when key cannot be
// a screen or task key.
func CheckKey(field, key string) (FieldError, bool) {
	if ValidKey(key) {
		return FieldError{}, false
	}
	return BadFormat(field, KeyFormat), true
}

// CheckTitle returns the field error of field holding a screen, task or
// workflow title, when it is empty or too long.
func CheckTitle(field, title string) (FieldError, bool) {
	switch n := utf8.RuneCountInString(strings.TrimSpace(title)); {
	case n == 0:
		return Required(field), true
	case n > MaxTitle:
		return TooLong(field, MaxTitle), true
	}
	return FieldError{}, false
}

// CheckVersion returns the field error of a release's version label, when
// it is empty or too long.
func CheckVersion(field, version string) (FieldError, bool) {
	switch n := utf8.RuneCountInString(strings.TrimSpace(version)); {
	case n == 0:
		return Required(field), true
	case n > MaxVersionLabel:
		return TooLong(field, MaxVersionLabel), true
	}
	return FieldError{}, false
}

// Place is where in a definition a field error is: the 1-based numbers of
// the screen, its hotspot or the task (0 when none), and the attribute,
// such as "key" or "image", or a whole field such as "version".
type Place struct {
	Screen, Hotspot, Task int
	Attribute             string
}

// Place returns where in a definition f is.
func (f FieldError) Place() Place {
	number := func(name string) int {
		if i, ok := f.Params[name].(int); ok {
			return i + 1
		}
		return 0
	}
	p := Place{Screen: number("screen"), Hotspot: number("hotspot"), Task: number("task"), Attribute: f.Text("attribute")}
	if p.Attribute == "" && p.Screen == 0 && p.Task == 0 {
		p.Attribute = f.Field
	}
	return p
}

// placed is f moved to a place of a definition: field is its full name,
// the rest of the place goes into its parameters.
func placed(f FieldError, field, attribute string, where ...any) FieldError {
	params := Params{}
	for k, v := range f.Params {
		params[k] = v
	}
	params["attribute"] = attribute
	for i := 0; i+1 < len(where); i += 2 {
		params[where[i].(string)] = where[i+1]
	}
	return FieldError{Field: field, Code: f.Code, Params: params}
}

// onScreen places f on attribute of screen i.
func onScreen(i int, attribute string, f FieldError) FieldError {
	return placed(f, fmt.Sprintf("screens[%d].%s", i, attribute), attribute, "screen", i)
}

// onHotspot places f on attribute ("" for the whole) of hotspot j of
// screen i.
func onHotspot(i, j int, attribute string, f FieldError) FieldError {
	field := fmt.Sprintf("screens[%d].hotspots[%d]", i, j)
	if attribute != "" {
		field += "." + attribute
	}
	return placed(f, field, attribute, "screen", i, "hotspot", j)
}

// onTask places f on attribute of task i.
func onTask(i int, attribute string, f FieldError) FieldError {
	return placed(f, fmt.Sprintf("tasks[%d].%s", i, attribute), attribute, "task", i)
}

// Limits on what a release may hold.
const (
	MaxScreens      = 100
	MaxTasks        = 50
	MaxHotspots     = 100 // per screen
	MaxVersionLabel = 40
	MaxTitle        = 200
	MaxText         = 10000
	// MaxDailyFrequency is the most times a day a task may be done.
	MaxDailyFrequency = 100000
)

// Validate checks a definition's shape, naming every problem at once: what
// a draft may hold. Publishing asks more (PublishProblems). Images are
// checked by their bytes elsewhere (CheckImage).
func (d *Definition) Validate() error {
	if fields := d.fieldErrors(); len(fields) > 0 {
		return Invalid("Check the release definition.", fields...)
	}
	return nil
}

// fieldErrors lists what is wrong with d's shape, in the definition's order.
func (d *Definition) fieldErrors() []FieldError {
	var fields []FieldError
	add := func(f FieldError, bad bool) {
		if bad {
			fields = append(fields, f)
		}
	}
	d.Version = strings.TrimSpace(d.Version)
	if f, bad := CheckVersion("version", d.Version); bad {
		add(placed(f, "version", "version"), true)
	}
	add(placed(TooLong("notes", MaxText), "notes", "notes"), utf8.RuneCountInString(d.Notes) > MaxText)
	add(placed(TooMany("screens", MaxScreens), "screens", "screens"), len(d.Screens) > MaxScreens)
	add(placed(TooMany("tasks", MaxTasks), "tasks", "tasks"), len(d.Tasks) > MaxTasks)
	seen := map[string]bool{}
	for i, s := range d.Screens {
		if f, bad := CheckKey("key", s.Key); bad {
			add(onScreen(i, "key", f), true)
		} else if seen[s.Key] {
			add(onScreen(i, "key", Taken("key")), true)
		}
		seen[s.Key] = true
		if f, bad := CheckTitle("title", s.Title); bad {
			add(onScreen(i, "title", f), true)
		}
		add(onScreen(i, "hotspots", TooMany("hotspots", MaxHotspots)), len(s.Hotspots) > MaxHotspots)
		for j, h := range s.Hotspots {
			for _, f := range h.shapeErrors() {
				add(onHotspot(i, j, f.Field, f), true)
			}
		}
	}
	taskKeys := map[string]bool{}
	for i, t := range d.Tasks {
		if f, bad := CheckKey("key", t.Key); bad {
			add(onTask(i, "key", f), true)
		} else if taskKeys[t.Key] {
			add(onTask(i, "key", Taken("key")), true)
		}
		taskKeys[t.Key] = true
		if f, bad := CheckTitle("title", t.Title); bad {
			add(onTask(i, "title", f), true)
		}
		add(onTask(i, "scenario", TooLong("scenario", MaxText)), utf8.RuneCountInString(t.Scenario) > MaxText)
		add(onTask(i, "daily_frequency", OutOfRange("daily_frequency", 0, MaxDailyFrequency)), t.DailyFrequency < 0 || t.DailyFrequency > MaxDailyFrequency)
	}
	return append(fields, d.textErrors()...)
}

// textErrors checks every text of d with CheckText: a definition arrives
// whole as a file or from the demo as well as through the API, so the
// check at the HTTP edge cannot be the only one.
func (d *Definition) textErrors() []FieldError {
	var fields []FieldError
	check := func(field, value string, place func(FieldError) FieldError) {
		if f, bad := CheckText(field, value, TextKindOf(field)); bad {
			fields = append(fields, place(f))
		}
	}
	top := func(f FieldError) FieldError { return placed(f, f.Field, f.Field) }
	check("version", d.Version, top)
	check("notes", d.Notes, top)
	for i, s := range d.Screens {
		screen := func(a string) func(FieldError) FieldError {
			return func(f FieldError) FieldError { return onScreen(i, a, f) }
		}
		check("key", s.Key, screen("key"))
		check("title", s.Title, screen("title"))
		for j, h := range s.Hotspots {
			hotspot := func(a string) func(FieldError) FieldError {
				return func(f FieldError) FieldError { return onHotspot(i, j, a, f) }
			}
			check("target", h.Target, hotspot("target"))
			check("label", h.Label, hotspot("label"))
		}
	}
	for i, t := range d.Tasks {
		task := func(a string) func(FieldError) FieldError {
			return func(f FieldError) FieldError { return onTask(i, a, f) }
		}
		check("key", t.Key, task("key"))
		check("title", t.Title, task("title"))
		check("scenario", t.Scenario, task("scenario"))
		check("start", t.Start, task("start"))
		for _, k := range t.Success {
			check("success", k, task("success"))
		}
		for _, k := range t.OptimalPath {
			check("optimal_path", k, task("optimal_path"))
		}
	}
	return fields
}

// ProblemKind is what stops a release from being published.
type ProblemKind string

// Problem kinds.
const (
	ProblemNoScreens      ProblemKind = "no_screens"      // the release has no screen
	ProblemNoTasks        ProblemKind = "no_tasks"        // the release has no task
	ProblemHotspotOutside ProblemKind = "hotspot_outside" // a hotspot reaches outside its image
	ProblemHotspotTarget  ProblemKind = "hotspot_target"  // a hotspot leads to no screen of the release
	ProblemStartMissing   ProblemKind = "start_missing"   // a task starts on no screen of the release
	ProblemNoSuccess      ProblemKind = "no_success"      // a task has no success screen
	ProblemSuccessMissing ProblemKind = "success_missing" // a task succeeds on no screen of the release
	ProblemNoPath         ProblemKind = "no_path"         // a task has no best (optimal) path
	ProblemPathMissing    ProblemKind = "path_missing"    // a task's path visits no screen of the release
	ProblemPathStart      ProblemKind = "path_start"      // a task's path does not begin on its start screen
	ProblemPathEnd        ProblemKind = "path_end"        // a task's path does not end on a success screen
	ProblemNoLink         ProblemKind = "no_link"         // no hotspot leads from one step of a path to the next
)

// Problem is one reason a release cannot be published: what is wrong, the
// titles that name it, and where it is fixed.
type Problem struct {
	Kind  ProblemKind
	Field string // e.g. "tasks[0].optimal_path", or "screens" or "tasks" for the whole list
	// Where to fix it: on screen Screen (at its hotspot Hotspot, 1-based,
	// when not 0), or else in task Task; the release itself when both are
	// empty.
	Screen  string
	Hotspot int
	Task    string
	Target  string // for ProblemNoLink: the key of the screen a new hotspot should lead to
	// What the sentence names.
	ScreenTitle   string // the screen it is on
	HotspotLabel  string // the hotspot's label, or ""
	TaskTitle     string // the task it is about
	TargetTitle   string // the screen a hotspot should lead to, or a task's start screen
	Width, Height int    // the screen's image, for hotspots outside it
}

// Message is p as a sentence a person can act on, naming screens and tasks
// by their titles: the one place publish problems are worded.
func (p Problem) Message() string {
	task := fmt.Sprintf("task '%s'", p.TaskTitle)
	switch p.Kind {
	case ProblemNoScreens:
		return "Add at least one screen"
	case ProblemNoTasks:
		return "Add at least one task"
	case ProblemHotspotOutside:
		return fmt.Sprintf("On '%s', %s reaches outside the image, which is %d × %d pixels: move it or make it smaller", p.ScreenTitle, p.hotspotName(), p.Width, p.Height)
	case ProblemHotspotTarget:
		return fmt.Sprintf("On '%s', %s leads to a screen that is not in this release: choose where it leads", p.ScreenTitle, p.hotspotName())
	case ProblemStartMissing:
		return fmt.Sprintf("Choose the start screen of %s: the one it had is not in this release", task)
	case ProblemNoSuccess:
		return fmt.Sprintf("Choose at least one success screen for %s", task)
	case ProblemSuccessMissing:
		return fmt.Sprintf("Choose the success screens of %s again: one of them is not in this release", task)
	case ProblemNoPath:
		return fmt.Sprintf("Choose the best path of %s: the screens an expert goes through, in order", task)
	case ProblemPathMissing:
		return fmt.Sprintf("Choose the best path of %s again: it goes through a screen that is not in this release", task)
	case ProblemPathStart:
		return fmt.Sprintf("The best path of %s must begin on its start screen, '%s'", task, p.TargetTitle)
	case ProblemPathEnd:
		return fmt.Sprintf("The best path of %s must end on one of its success screens", task)
	case ProblemNoLink:
		return fmt.Sprintf("On '%s', no hotspot leads to '%s', so %s can't follow its best path", p.ScreenTitle, p.TargetTitle, task)
	}
	return "Check the release"
}

// hotspotName names p's hotspot by its number and label.
func (p Problem) hotspotName() string {
	if p.HotspotLabel != "" {
		return fmt.Sprintf("hotspot %d (%s)", p.Hotspot, p.HotspotLabel)
	}
	return fmt.Sprintf("hotspot %d", p.Hotspot)
}

// PublishProblems lists every reason d cannot be run by clinicians yet;
// none means it can be published.
func (d *Definition) PublishProblems() []Problem {
	var ps []Problem
	add := func(p Problem) { ps = append(ps, p) }
	if len(d.Screens) == 0 {
		add(Problem{Kind: ProblemNoScreens, Field: "screens"})
	}
	if len(d.Tasks) == 0 {
		add(Problem{Kind: ProblemNoTasks, Field: "tasks"})
	}
	for i, s := range d.Screens {
		for j, h := range s.Hotspots {
			at := fmt.Sprintf("screens[%d].hotspots[%d]", i, j)
			p := Problem{Field: at, Screen: s.Key, Hotspot: j + 1, ScreenTitle: s.Title, HotspotLabel: h.Label, Width: s.Width, Height: s.Height}
			if !h.Within(s.Width, s.Height) {
				p.Kind = ProblemHotspotOutside
				add(p)
			}
			if d.Screen(h.Target) == nil {
				p.Kind, p.Field = ProblemHotspotTarget, at+".target"
				add(p)
			}
		}
	}
	for i, t := range d.Tasks {
		at := fmt.Sprintf("tasks[%d]", i)
		problem := func(kind ProblemKind, attribute string) Problem {
			return Problem{Kind: kind, Field: at + "." + attribute, Task: t.Key, TaskTitle: t.Title}
		}
		if d.Screen(t.Start) == nil {
			add(problem(ProblemStartMissing, "start"))
		}
		if len(t.Success) == 0 {
			add(problem(ProblemNoSuccess, "success"))
		}
		if slices.ContainsFunc(t.Success, func(k string) bool { return d.Screen(k) == nil }) {
			add(problem(ProblemSuccessMissing, "success"))
		}
		if len(t.OptimalPath) == 0 {
			add(problem(ProblemNoPath, "optimal_path"))
			continue
		}
		if slices.ContainsFunc(t.OptimalPath, func(k string) bool { return d.Screen(k) == nil }) {
			add(problem(ProblemPathMissing, "optimal_path"))
		}
		if t.OptimalPath[0] != t.Start {
			p := problem(ProblemPathStart, "optimal_path")
			if sc := d.Screen(t.Start); sc != nil {
				p.TargetTitle = sc.Title
			}
			add(p)
		}
		if last := t.OptimalPath[len(t.OptimalPath)-1]; !slices.Contains(t.Success, last) {
			add(problem(ProblemPathEnd, "optimal_path"))
		}
		for j := 1; j < len(t.OptimalPath); j++ {
			from, to := d.Screen(t.OptimalPath[j-1]), d.Screen(t.OptimalPath[j])
			if from == nil || to == nil || slices.ContainsFunc(from.Hotspots, func(h Hotspot) bool { return h.Target == to.Key }) {
				continue
			}
			// Fixed on the screen the step leaves, by a hotspot to the next.
			p := problem(ProblemNoLink, "optimal_path")
			p.Screen, p.ScreenTitle, p.Target, p.TargetTitle, p.Task = from.Key, from.Title, to.Key, to.Title, ""
			add(p)
		}
	}
	return ps
}

// WorkflowInput is what a product owner types for a workflow.
type WorkflowInput struct {
	Title       string
	Description string
	ConsentText string
}

// Validate checks the workflow's fields, naming each bad one.
func (w *WorkflowInput) Validate() error {
	w.Title, w.Description, w.ConsentText = strings.TrimSpace(w.Title), strings.TrimSpace(w.Description), strings.TrimSpace(w.ConsentText)
	var fields []FieldError
	if f, bad := CheckTitle("title", w.Title); bad {
		fields = append(fields, f)
	}
	if utf8.RuneCountInString(w.Description) > MaxText {
		fields = append(fields, TooLong("description", MaxText))
	}
	switch n := utf8.RuneCountInString(w.ConsentText); {
	case n == 0:
		fields = append(fields, Required("consent_text"))
	case n > MaxText:
		fields = append(fields, TooLong("consent_text", MaxText))
	}
	if len(fields) > 0 {
		return Invalid("Check the workflow.", fields...)
	}
	return nil
}

// ProblemsError turns publish problems into one EINVALID error: each field
// with every sentence about it, in the order of the problems.
func ProblemsError(ps []Problem) error {
	var fields []FieldError
	at := map[string]int{}
	for _, p := range ps {
		i, ok := at[p.Field]
		if !ok {
			i = len(fields)
			at[p.Field] = i
			fields = append(fields, FieldError{Field: p.Field, Code: FieldNotRunnable, Params: Params{"problems": []string{}}})
		}
		fields[i].Params["problems"] = append(fields[i].Params["problems"].([]string), p.Message())
	}
	plural := "s"
	if len(ps) == 1 {
		plural = ""
	}
	return Invalid(fmt.Sprintf("The release cannot be published yet: %d problem%s to fix.", len(ps), plural), fields...)
}

// CheckImages validates d and decodes and checks every screen's image,
// naming every problem at once, with no bound on decodes at once (see
// CheckImagesWith).
func (d *Definition) CheckImages() (map[string]*CheckedImage, error) {
	return d.CheckImagesWith(nil)
}

// CheckImagesWith validates d and checks every screen's image, naming
// every problem at once. Every header is read first and the pixels are
// counted against MaxDefinitionPixels, so a costly definition is refused
// before one image is decoded; the images are then decoded one at a time,
// each under decoders' bound. It fills each screen's width and height,
// empties its Image (the bytes are in the map returned) and returns the
// images by screen key.
func (d *Definition) CheckImagesWith(decoders Decoders) (map[string]*CheckedImage, error) {
	fields := d.fieldErrors()
	type screenImage struct {
		data   []byte
		header ImageHeader
	}
	checked := make([]*screenImage, len(d.Screens))
	pixels := 0
	for i, sc := range d.Screens {
		data, err := ParseDataURI(sc.Image)
		// The bytes are all that is needed from here on: letting the text
		// go halves what a large definition holds.
		d.Screens[i].Image = ""
		if err == nil {
			var h ImageHeader
			if h, err = CheckImageHeader(data); err == nil {
				checked[i] = &screenImage{data: data, header: h}
				pixels += h.Pixels() // at most 100 × 4096², far inside an int
				continue
			}
		}
		for _, f := range FieldErrorsOf(err) {
			fields = append(fields, onScreen(i, "image", f))
		}
	}
	if pixels > MaxDefinitionPixels {
		fields = append(fields, placed(FieldError{Field: "screens", Code: FieldPixels,
			Params: Params{"millions": pixels / 1_000_000, "max_millions": MaxDefinitionPixels / 1_000_000}}, "screens", "screens"))
	}
	if len(fields) > 0 {
		return nil, Invalid("Check the release definition.", fields...)
	}
	images := map[string]*CheckedImage{}
	for i, sc := range d.Screens {
		var img *CheckedImage
		var err error
		decoders.decode(func() { img, err = decodeChecked(checked[i].data, checked[i].header) })
		checked[i] = nil // the decoded bytes are kept in img; let the rest go
		if err != nil {
			for _, f := range FieldErrorsOf(err) {
				fields = append(fields, onScreen(i, "image", f))
			}
			continue
		}
		images[sc.Key] = img
		d.Screens[i].Width, d.Screens[i].Height = img.Width, img.Height
	}
	if len(fields) > 0 {
		return nil, Invalid("Check the release definition.", fields...)
	}
	return images, nil
}
