package sandpit

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Outcome is how an attempt at a task ended.
type Outcome string

// Outcomes, as METRICS.md defines them.
const (
	OutcomeDirect   Outcome = "direct"   // the optimal path exactly, no other screen shown
	OutcomeIndirect Outcome = "indirect" // a success screen reached another way
	OutcomeGaveUp   Outcome = "gave_up"  // "I'm stuck"
)

// IdleLimit is how long an attempt may go without a click before the time
// since its last activity counts as paused: the clinician was called away.
const IdleLimit = 30 * time.Minute

// The SEQ ease rating runs from MinEase, very difficult, to MaxEase, very
// easy.
const (
	MinEase = 1
	MaxEase = 7
)

// MaxFreeText is the longest comment or report text accepted, in characters.
const MaxFreeText = 5000

// Trial is one clinician taking one release.
type Trial struct {
	ID             int64
	ReleaseID      int64
	UserID         int64
	ConsentVersion int
	ResearchUse    bool
	ConsentedAt    time.Time
	CompletedAt    *time.Time
	SUS            []int // the ten answers, once given
	SUSScore       *float64
}

// Completed reports whether the trial is finished: it is then read-only.
func (t *Trial) Completed() bool { return t.CompletedAt != nil }

// Attempt is one clinician's attempt at one task of a trial.
type Attempt struct {
	ID            int64
	TrialID       int64
	TaskKey       string
	StartedAt     time.Time
	Screen        string   // the screen shown now
	Path          []string // every screen shown, in order, from the start screen
	LastSeq       int
	Clicks        int
	Misclicks     int
	ListClicks    int // clicks from the list of the screen's links
	Interruptions int
	PausedAt      *time.Time
	PausedMs      int64
	LastActiveAt  time.Time
	Outcome       Outcome // "" while the attempt is open
	EndedAt       *time.Time
	DurationMs    *int64
	Ease          *int
	Comment       string
}

// NewAttempt starts task at now on its start screen.
func NewAttempt(trialID int64, task *Task, now time.Time) *Attempt {
	return &Attempt{TrialID: trialID, TaskKey: task.Key, StartedAt: now, Screen: task.Start, Path: []string{task.Start}, LastActiveAt: now}
}

// Done reports whether the attempt has an outcome.
func (a *Attempt) Done() bool { return a.Outcome != "" }

// Assisted reports whether any click came from the list of a screen's
// links rather than the screen image (METRICS.md).
func (a *Attempt) Assisted() bool { return a.ListClicks > 0 }

// PointerClicks is the number of clicks on the screen image: only these can
// miss.
func (a *Attempt) PointerClicks() int { return a.Clicks - a.ListClicks }

// Paused reports whether the attempt is paused.
func (a *Attempt) Paused() bool { return a.PausedAt != nil }

// settleIdle counts the time since the last activity as paused, and as an
// interruption, when it is longer than IdleLimit.
func (a *Attempt) settleIdle(now time.Time) {
	if a.Paused() || a.Done() {
		return
	}
	if idle := now.Sub(a.LastActiveAt); idle > IdleLimit {
		a.PausedMs += idle.Milliseconds()
		a.Interruptions++
	}
	a.LastActiveAt = now
}

// How a click was made (METRICS.md).
const (
	ViaPointer = "pointer" // on the screen image, at a point
	ViaList    = "list"    // from the list of the screen's links
)

// Click is one recorded click.
type Click struct {
	Seq    int
	Screen string // the screen clicked on
	Via    string // ViaPointer or ViaList
	X, Y   int    // for a list click, the centre of the link's area
	Hit    bool
	Target string // the screen it led to, when it hit
	At     time.Time
	TMs    int64 // since the attempt started, pauses excluded
}

// clickable returns the attempt's current screen if click seq may be made
// now: a click out of order, while paused or after the outcome is
// ECONFLICT.
func (a *Attempt) clickable(def *Definition, seq int) (*Screen, error) {
	switch {
	case a.Done():
		return nil, Errorf(ECONFLICT, "This task is finished; its clicks can no longer change.")
	case a.Paused():
		return nil, Errorf(ECONFLICT, "This task is paused. Resume it to carry on.")
	case seq != a.LastSeq+1:
		return nil, Conflict(fmt.Sprintf("Click %d is out of order: the next click is %d.", seq, a.LastSeq+1),
			FieldError{Field: "seq", Code: FieldExpected, Params: Params{"value": a.LastSeq + 1}})
	}
	screen := def.Screen(a.Screen)
	if screen == nil {
		return nil, fmt.Errorf("sandpit: attempt %d is on unknown screen %q", a.ID, a.Screen)
	}
	return screen, nil
}

// ClickOn applies a click at image pixel (x, y) of the current screen of
// def, numbered seq, at now. A click out of order, while paused or after the
// outcome is ECONFLICT; outside the image EINVALID.
func (a *Attempt) ClickOn(def *Definition, task *Task, seq, x, y int, now time.Time) (*Click, error) {
	screen, err := a.clickable(def, seq)
	if err != nil {
		return nil, err
	}
	if bad := outside(screen, x, y); len(bad) > 0 {
		return nil, Invalid("The click is outside the screen.", bad...)
	}
	a.settleIdle(now)
	c := &Click{Seq: seq, Screen: screen.Key, Via: ViaPointer, X: x, Y: y, At: now, TMs: a.elapsedMs(now)}
	a.LastSeq, a.Clicks = seq, a.Clicks+1
	h := screen.Hit(x, y)
	if h == nil {
		a.Misclicks++
		return c, nil
	}
	a.follow(task, c, h, now)
	return c, nil
}

// ClickLink follows link number link (from 0, in the screen's order) of the
// list of the current screen's links, as click seq at now: it always hits,
// and makes the attempt assisted. A link the screen does not have is
// EINVALID.
func (a *Attempt) ClickLink(def *Definition, task *Task, seq, link int, now time.Time) (*Click, error) {
	screen, err := a.clickable(def, seq)
	if err != nil {
		return nil, err
	}
	if link < 0 || link >= len(screen.Hotspots) {
		if len(screen.Hotspots) == 0 {
			return nil, Invalid("This screen has no links.", Unknown("link", "link"))
		}
		return nil, Invalid("The screen has no such link.", OutOfRange("link", 0, len(screen.Hotspots)-1))
	}
	h := &screen.Hotspots[link]
	a.settleIdle(now)
	c := &Click{Seq: seq, Screen: screen.Key, Via: ViaList, X: h.X + h.W/2, Y: h.Y + h.H/2, At: now, TMs: a.elapsedMs(now)}
	a.LastSeq, a.Clicks, a.ListClicks = seq, a.Clicks+1, a.ListClicks+1
	a.follow(task, c, h, now)
	return c, nil
}

// follow moves the attempt along hotspot h, hit by click c, ending it on a
// success screen.
func (a *Attempt) follow(task *Task, c *Click, h *Hotspot, now time.Time) {
	c.Hit, c.Target = true, h.Target
	a.Screen = h.Target
	a.Path = append(a.Path, h.Target)
	if slices.Contains(task.Success, h.Target) {
		outcome := OutcomeIndirect
		if task.IsOptimal(a.Path) {
			outcome = OutcomeDirect
		}
		a.end(outcome, now)
	}
}

// outside names x and y, each when it is off screen: a click or pin must be
// on one of its pixels.
func outside(screen *Screen, x, y int) []FieldError {
	var bad []FieldError
	if x < 0 || x >= screen.Width {
		bad = append(bad, OutOfRange("x", 0, screen.Width-1))
	}
	if y < 0 || y >= screen.Height {
		bad = append(bad, OutOfRange("y", 0, screen.Height-1))
	}
	return bad
}

// elapsedMs is the attempt's time at now, pauses excluded, at least 1 ms.
func (a *Attempt) elapsedMs(now time.Time) int64 {
	return max(now.Sub(a.StartedAt).Milliseconds()-a.PausedMs, 1)
}

func (a *Attempt) end(outcome Outcome, now time.Time) {
	d := a.elapsedMs(now)
	a.Outcome, a.EndedAt, a.DurationMs = outcome, &now, &d
}

// GiveUp ends the attempt as gave_up ("I'm stuck").
func (a *Attempt) GiveUp(now time.Time) error {
	if a.Done() {
		return Errorf(ECONFLICT, "This task is finished already.")
	}
	if a.Paused() {
		a.Resume(now)
	}
	a.settleIdle(now)
	a.end(OutcomeGaveUp, now)
	return nil
}

// Pause stops the attempt's clock: "I've been interrupted".
func (a *Attempt) Pause(now time.Time) error {
	if a.Done() {
		return Errorf(ECONFLICT, "This task is finished already.")
	}
	if a.Paused() {
		return nil
	}
	a.settleIdle(now)
	a.PausedAt = &now
	a.Interruptions++
	return nil
}

// Resume restarts a paused attempt's clock; the paused time never counts.
func (a *Attempt) Resume(now time.Time) {
	if !a.Paused() {
		a.settleIdle(now)
		return
	}
	a.PausedMs += now.Sub(*a.PausedAt).Milliseconds()
	a.PausedAt, a.LastActiveAt = nil, now
}

// Rate records the SEQ ease rating and an optional comment, once the task
// has an outcome.
func (a *Attempt) Rate(ease int, comment string) error {
	if !a.Done() {
		return Errorf(ECONFLICT, "Rate the task once it is finished.")
	}
	var bad []FieldError
	if ease < MinEase || ease > MaxEase {
		bad = append(bad, OutOfRange("ease", MinEase, MaxEase))
	}
	if FreeTextProblem(comment) != "" {
		bad = append(bad, TooLong("comment", MaxFreeText))
	}
	if len(bad) > 0 {
		return Invalid("Check the rating.", bad...)
	}
	if RealPatientIdentifier(comment) {
		return ErrPatientIdentifier("comment")
	}
	a.Ease, a.Comment = &ease, strings.TrimSpace(comment)
	return nil
}

// FreeTextProblem returns why text is too long, or "".
func FreeTextProblem(text string) string {
	if utf8.RuneCountInString(text) > MaxFreeText {
		return fmt.Sprintf("must be at most %d characters", MaxFreeText)
	}
	return ""
}

// SUSStatements are the ten statements of the System Usability Scale.
func SUSStatements() []string {
	return []string{
		"I think that I would like to use this system frequently.",
		"I found the system unnecessarily complex.",
		"I thought the system was easy to use.",
		"I think that I would need the support of a technical person to be able to use this system.",
		"I found the various functions in this system were well integrated.",
		"I thought there was too much inconsistency in this system.",
		"I would imagine that most people would learn to use this system very quickly.",
		"I found the system very cumbersome to use.",
		"I felt very confident using the system.",
		"I needed to learn a lot of things before I could get going with this system.",
	}
}

// SUSField is the field name of the SUS answer at index i (from 0), as
// field errors name it: "answers[0]" … "answers[9]".
func SUSField(i int) string { return fmt.Sprintf("answers[%d]", i) }

// SUSScore scores ten SUS answers of 1 to 5 on 0 to 100.
func SUSScore(answers []int) (float64, error) {
	if len(answers) != 10 {
		return 0, Invalid("Answer all ten statements.", FieldError{Field: "answers", Code: FieldExpected, Params: Params{"value": "10 answers"}})
	}
	var bad []FieldError
	sum := 0
	for i, a := range answers {
		if a < 1 || a > 5 {
			bad = append(bad, OutOfRange(SUSField(i), 1, 5))
			continue
		}
		if i%2 == 0 {
			sum += a - 1
		} else {
			sum += 5 - a
		}
	}
	if len(bad) > 0 {
		return 0, Invalid("Each answer must be 1 to 5.", bad...)
	}
	return 2.5 * float64(sum), nil
}

// Report categories and severities, as PRODUCT.md lists them.
func ReportCategories() []string {
	return []string{"navigation", "terminology", "missing_information", "layout", "workflow_fit", "safety", "accessibility", "performance", "other"}
}

// CategoryLabel is a report category's name for people.
func CategoryLabel(c string) string {
	switch c {
	case "missing_information":
		return "Missing information"
	case "workflow_fit":
		return "Does not fit clinical practice"
	}
	return OptionLabel(c)
}

// SeverityLabel is a severity's name for people.
func SeverityLabel(s int) string {
	switch s {
	case 1:
		return "Cosmetic"
	case 2:
		return "Minor"
	case 3:
		return "Major"
	case 4:
		return "Catastrophic"
	}
	return ""
}

// Report is a problem a clinician pinned to a point on a screen.
type Report struct {
	ID            int64
	TrialID       int64
	TaskKey       string // the task being attempted, if any
	Screen        string
	X, Y          int
	Category      string
	Severity      int
	SafetyConcern bool
	Text          string
	CreatedAt     time.Time
	FindingID     int64
}

// Validate checks a report against the screen it is pinned to.
func (r *Report) Validate(def *Definition) error {
	r.Text = strings.TrimSpace(r.Text)
	var bad []FieldError
	if screen := def.Screen(r.Screen); screen == nil {
		bad = append(bad, Unknown("screen", "screen"))
	} else {
		bad = append(bad, outside(screen, r.X, r.Y)...)
	}
	if r.TaskKey != "" && def.Task(r.TaskKey) == nil {
		bad = append(bad, Unknown("task", "task"))
	}
	if !slices.Contains(ReportCategories(), r.Category) {
		bad = append(bad, OneOf("category", ReportCategories()))
	}
	if r.Severity < 1 || r.Severity > 4 {
		bad = append(bad, OutOfRange("severity", 1, 4))
	}
	switch {
	case r.Text == "":
		bad = append(bad, Required("text"))
	case FreeTextProblem(r.Text) != "":
		bad = append(bad, TooLong("text", MaxFreeText))
	}
	if len(bad) > 0 {
		return Invalid("Check the report.", bad...)
	}
	if RealPatientIdentifier(r.Text) {
		return ErrPatientIdentifier("text")
	}
	return nil
}

// TaskField is the field name of task key when completing a trial names
// it as unfinished: "tasks.<key>".
func TaskField(key string) string { return "tasks." + key }
