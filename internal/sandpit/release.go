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
	return h.X <= px && px < h.X+h.W && h.Y <= py && py < h.Y+h.H
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

// KeyProblem returns why key cannot be a screen or task key, or "".
func KeyProblem(key string) string {
	if !keyPattern.MatchString(key) {
		return "must be 1 to 64 characters of a-z, 0-9, _ and -"
	}
	return ""
}

// Limits on what a release may hold.
const (
	MaxScreens      = 100
	MaxTasks        = 50
	MaxHotspots     = 100 // per screen
	MaxVersionLabel = 40
	MaxTitle        = 200
	MaxText         = 10000
)

// Validate checks a definition's shape, naming every problem at once: what
// a draft may hold. Publishing asks more (PublishProblems). Images are
// checked by their bytes elsewhere (CheckImage).
func (d *Definition) Validate() error {
	fields := map[string]string{}
	d.Version = strings.TrimSpace(d.Version)
	switch n := utf8.RuneCountInString(d.Version); {
	case n == 0:
		fields["version"] = "enter a version label, like 0.3"
	case n > MaxVersionLabel:
		fields["version"] = fmt.Sprintf("must be at most %d characters", MaxVersionLabel)
	}
	if utf8.RuneCountInString(d.Notes) > MaxText {
		fields["notes"] = fmt.Sprintf("must be at most %d characters", MaxText)
	}
	if len(d.Screens) > MaxScreens {
		fields["screens"] = fmt.Sprintf("must be at most %d", MaxScreens)
	}
	if len(d.Tasks) > MaxTasks {
		fields["tasks"] = fmt.Sprintf("must be at most %d", MaxTasks)
	}
	seen := map[string]bool{}
	for i, s := range d.Screens {
		at := fmt.Sprintf("screens[%d]", i)
		if p := KeyProblem(s.Key); p != "" {
			fields[at+".key"] = p
		} else if seen[s.Key] {
			fields[at+".key"] = fmt.Sprintf("%q is used by another screen", s.Key)
		}
		seen[s.Key] = true
		if t := strings.TrimSpace(s.Title); t == "" || utf8.RuneCountInString(t) > MaxTitle {
			fields[at+".title"] = fmt.Sprintf("must be 1 to %d characters", MaxTitle)
		}
		if len(s.Hotspots) > MaxHotspots {
			fields[at+".hotspots"] = fmt.Sprintf("must be at most %d", MaxHotspots)
		}
		for j, h := range s.Hotspots {
			hat := fmt.Sprintf("%s.hotspots[%d]", at, j)
			if h.W <= 0 || h.H <= 0 || h.X < 0 || h.Y < 0 {
				fields[hat] = "needs x and y of 0 or more and a width and height above 0"
			}
			if utf8.RuneCountInString(h.Label) > MaxTitle {
				fields[hat+".label"] = fmt.Sprintf("must be at most %d characters", MaxTitle)
			}
		}
	}
	taskKeys := map[string]bool{}
	for i, t := range d.Tasks {
		at := fmt.Sprintf("tasks[%d]", i)
		if p := KeyProblem(t.Key); p != "" {
			fields[at+".key"] = p
		} else if taskKeys[t.Key] {
			fields[at+".key"] = fmt.Sprintf("%q is used by another task", t.Key)
		}
		taskKeys[t.Key] = true
		if tt := strings.TrimSpace(t.Title); tt == "" || utf8.RuneCountInString(tt) > MaxTitle {
			fields[at+".title"] = fmt.Sprintf("must be 1 to %d characters", MaxTitle)
		}
		if utf8.RuneCountInString(t.Scenario) > MaxText {
			fields[at+".scenario"] = fmt.Sprintf("must be at most %d characters", MaxText)
		}
		if t.DailyFrequency < 0 || t.DailyFrequency > 100000 {
			fields[at+".daily_frequency"] = "must be from 0 to 100000"
		}
	}
	if len(fields) > 0 {
		return InvalidMessages("Check the release definition.", fields)
	}
	return nil
}

// Problem is one reason a release cannot be published, with where it is.
type Problem struct {
	Field   string // e.g. "tasks[0].optimal_path" or "screens[2].hotspots[1]"
	Message string // a sentence a person can act on
}

// PublishProblems lists every reason d cannot be run by clinicians yet;
// none means it can be published.
func (d *Definition) PublishProblems() []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if len(d.Screens) == 0 {
		add("screens", "Add at least one screen")
	}
	if len(d.Tasks) == 0 {
		add("tasks", "Add at least one task")
	}
	for i, s := range d.Screens {
		for j, h := range s.Hotspots {
			at := fmt.Sprintf("screens[%d].hotspots[%d]", i, j)
			name := hotspotName(s, j)
			if h.X < 0 || h.Y < 0 || h.X+h.W > s.Width || h.Y+h.H > s.Height {
				add(at, "%s on screen %q is outside its %d × %d image", name, s.Title, s.Width, s.Height)
			}
			if d.Screen(h.Target) == nil {
				add(at+".target", "%s on screen %q leads to %q, which is not a screen of this release", name, s.Title, h.Target)
			}
		}
	}
	for i, t := range d.Tasks {
		at := fmt.Sprintf("tasks[%d]", i)
		if d.Screen(t.Start) == nil {
			add(at+".start", "Task %q starts on %q, which is not a screen of this release", t.Title, t.Start)
		}
		if len(t.Success) == 0 {
			add(at+".success", "Task %q needs at least one success screen", t.Title)
		}
		for _, k := range t.Success {
			if d.Screen(k) == nil {
				add(at+".success", "Task %q succeeds on %q, which is not a screen of this release", t.Title, k)
			}
		}
		if len(t.OptimalPath) == 0 {
			add(at+".optimal_path", "Task %q needs an optimal path", t.Title)
			continue
		}
		for _, k := range t.OptimalPath {
			if d.Screen(k) == nil {
				add(at+".optimal_path", "Task %q's optimal path visits %q, which is not a screen of this release", t.Title, k)
			}
		}
		if t.OptimalPath[0] != t.Start {
			add(at+".optimal_path", "Task %q's optimal path must start at its start screen %q", t.Title, t.Start)
		}
		if last := t.OptimalPath[len(t.OptimalPath)-1]; !slices.Contains(t.Success, last) {
			add(at+".optimal_path", "Task %q's optimal path must end at one of its success screens", t.Title)
		}
		for j := 1; j < len(t.OptimalPath); j++ {
			from, to := d.Screen(t.OptimalPath[j-1]), t.OptimalPath[j]
			if from != nil && !slices.ContainsFunc(from.Hotspots, func(h Hotspot) bool { return h.Target == to }) {
				add(at+".optimal_path", "Task %q's optimal path goes from %q to %q, but no hotspot on %q leads there", t.Title, from.Key, to, from.Key)
			}
		}
	}
	return ps
}

func hotspotName(s Screen, i int) string {
	if l := s.Hotspots[i].Label; l != "" {
		return fmt.Sprintf("Hotspot %q", l)
	}
	return fmt.Sprintf("Hotspot %d", i+1)
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
	fields := map[string]string{}
	if n := utf8.RuneCountInString(w.Title); n == 0 || n > MaxTitle {
		fields["title"] = fmt.Sprintf("enter a title of at most %d characters", MaxTitle)
	}
	if utf8.RuneCountInString(w.Description) > MaxText {
		fields["description"] = fmt.Sprintf("must be at most %d characters", MaxText)
	}
	if n := utf8.RuneCountInString(w.ConsentText); n == 0 || n > MaxText {
		fields["consent_text"] = "enter the participant information clinicians agree to before a trial"
	}
	if len(fields) > 0 {
		return InvalidMessages("Check the workflow.", fields)
	}
	return nil
}

// ProblemsError turns publish problems into one EINVALID error: each field
// with every message about it.
func ProblemsError(ps []Problem) error {
	fields := map[string]string{}
	for _, p := range ps {
		if fields[p.Field] != "" {
			fields[p.Field] += "; "
		}
		fields[p.Field] += p.Message
	}
	return InvalidMessages(fmt.Sprintf("The release cannot be published yet: %d problem%s to fix.", len(ps), map[bool]string{true: "", false: "s"}[len(ps) == 1]), fields)
}

// CheckImages validates d and decodes and checks every screen's image,
// naming every problem at once. It fills each screen's width and height and
// returns the images by screen key.
func (d *Definition) CheckImages() (map[string]*CheckedImage, error) {
	fields := ErrorFields(d.Validate())
	if fields == nil {
		fields = map[string]string{}
	}
	images := map[string]*CheckedImage{}
	for i, sc := range d.Screens {
		data, err := ParseDataURI(sc.Image)
		if err == nil {
			var img *CheckedImage
			if img, err = CheckImage(data); err == nil {
				images[sc.Key] = img
				d.Screens[i].Width, d.Screens[i].Height = img.Width, img.Height
				continue
			}
		}
		fields[fmt.Sprintf("screens[%d].image", i)] = err.Error()
	}
	if len(fields) > 0 {
		return nil, InvalidMessages("Check the release definition.", fields)
	}
	return images, nil
}
