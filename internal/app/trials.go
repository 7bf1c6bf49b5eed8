package app

import (
	"context"
	"slices"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// trialStore is what Trials needs of the store. Every read of a trial takes
// the caller's id, so another person's trial is not found.
type trialStore interface {
	ReleaseMeta(ctx context.Context, id int64) (*store.ReleaseMeta, error)
	Release(ctx context.Context, id int64) (*sandpit.Release, error)
	PublishedDefinition(ctx context.Context, releaseID int64) (*sandpit.Definition, error)
	Workflow(ctx context.Context, id int64) (*sandpit.Workflow, error)
	ConsentVersion(ctx context.Context, workflowID int64) (int, error)
	AvailableReleases(ctx context.Context, userID int64) ([]store.AvailableRelease, error)
	TrialFor(ctx context.Context, releaseID, userID int64) (*sandpit.Trial, error)
	StartTrial(ctx context.Context, releaseID, userID int64, consentVersion int, researchUse bool, entry sandpit.AuditEntry) (*sandpit.Trial, bool, error)
	TrialAndRelease(ctx context.Context, id, userID int64) (*sandpit.Trial, *store.ReleaseMeta, error)
	TrialsOf(ctx context.Context, userID int64) ([]store.TrialSummary, error)
	Attempts(ctx context.Context, trialID int64) (map[string]*sandpit.Attempt, error)
	ClicksOf(ctx context.Context, attemptID int64) ([]sandpit.Click, error)
	StartAttempt(ctx context.Context, w store.TrialWrite) (*sandpit.Attempt, error)
	RecordClick(ctx context.Context, w store.TrialWrite, in store.ClickInput) (*store.ClickAnswer, error)
	UpdateAttempt(ctx context.Context, w store.TrialWrite, change func(a *sandpit.Attempt, now time.Time) error) (*sandpit.Attempt, error)
	SaveSUS(ctx context.Context, w store.TrialWrite, answers []int, score float64) error
	CompleteTrial(ctx context.Context, w store.TrialWrite) error
	WithdrawTrial(ctx context.Context, id, userID int64, entry sandpit.AuditEntry) error
	CreateReport(ctx context.Context, w store.TrialWrite, workflowID int64, r sandpit.Report) (*sandpit.Report, error)
	FeedbackOf(ctx context.Context, userID int64) ([]store.Feedback, error)
	ProfessionStarted(ctx context.Context, releaseID int64, profession string) (target int, limited bool, started int, err error)
}

// Trials is the use cases of consent, trial writes (start, click, pause,
// resume, give up, rating), problem reports, SUS, completion, withdrawal and
// My feedback. A trial is its clinician's alone: to anyone else it is not
// there.
type Trials struct {
	store trialStore
	cfg   Config
}

func newTrials(st *store.Store, cfg Config) *Trials { return &Trials{store: st, cfg: cfg} }

// HintAfter is how many misclicks in a row offer to show the clickable
// areas.
const HintAfter = 3

// ---- Loading the caller's trial ----

// trialWrite is the caller's trial with what a write to it needs.
type trialWrite struct {
	trial *sandpit.Trial
	meta  *store.ReleaseMeta
	write store.TrialWrite
}

// load loads the caller's trial id for a write to task ("" for none).
// Anyone else's trial is ENOTFOUND.
func (s *Trials) load(ctx context.Context, a Actor, id int64, task string) (*trialWrite, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	t, m, err := s.store.TrialAndRelease(ctx, id, a.ID())
	if err != nil {
		return nil, err
	}
	def, err := s.store.PublishedDefinition(ctx, t.ReleaseID)
	if err != nil {
		return nil, err
	}
	return &trialWrite{trial: t, meta: m,
		write: store.TrialWrite{TrialID: t.ID, UserID: a.ID(), TaskKey: task, Def: def, Open: m.Status == sandpit.StatusOpen}}, nil
}

// loadTask is load for a task of the release, which must exist.
func (s *Trials) loadTask(ctx context.Context, a Actor, id int64, key string) (*trialWrite, *sandpit.Task, int, error) {
	tw, err := s.load(ctx, a, id, key)
	if err != nil {
		return nil, nil, 0, err
	}
	for i := range tw.write.Def.Tasks {
		if tw.write.Def.Tasks[i].Key == key {
			return tw, &tw.write.Def.Tasks[i], i + 1, nil
		}
	}
	return nil, nil, 0, sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
}

// TrialView is one of the caller's trials as its pages show it.
type TrialView struct {
	Trial    *sandpit.Trial
	Def      *sandpit.Definition
	Workflow *sandpit.Workflow
	// Open says the release still takes trial work.
	Open bool
	// Attempts are the trial's attempts by task key, where the use case
	// says so.
	Attempts map[string]*sandpit.Attempt
}

// view is the page view of tw, with its attempts when withAttempts.
func (s *Trials) view(ctx context.Context, tw *trialWrite, withAttempts bool) (*TrialView, error) {
	wf, err := s.store.Workflow(ctx, tw.meta.WorkflowID)
	if err != nil {
		return nil, err
	}
	v := &TrialView{Trial: tw.trial, Def: tw.write.Def, Workflow: wf, Open: tw.write.Open}
	if withAttempts {
		if v.Attempts, err = s.store.Attempts(ctx, tw.trial.ID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// NextTask is the key of the first task without an outcome, or "" when
// every task has one.
func (v *TrialView) NextTask() string {
	for _, task := range v.Def.Tasks {
		if a := v.Attempts[task.Key]; a == nil || !a.Done() {
			return task.Key
		}
	}
	return ""
}

// ---- Open trials, invitations and consent ----

// Available is the open releases the caller may take.
type Available struct {
	// Clinician says the caller takes trials at all; for anyone else
	// Releases is empty.
	Clinician bool
	Releases  []store.AvailableRelease
	// Full says, by release id, why the caller cannot start a release
	// they have no trial of: it has enough of their profession for now.
	Full map[int64]string
}

// Available lists the open releases the caller may take, newest first, with
// their trial of each; anyone but a clinician gets none.
func (s *Trials) Available(ctx context.Context, a Actor) (*Available, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	if !a.User.Has(sandpit.RoleClinician) {
		return &Available{}, nil
	}
	list, err := s.store.AvailableReleases(ctx, a.ID())
	if err != nil {
		return nil, err
	}
	av := &Available{Clinician: true, Releases: list, Full: map[int64]string{}}
	for _, r := range list {
		if r.TrialID != nil {
			continue
		}
		if err := s.checkTarget(ctx, a, r.ReleaseID); sandpit.ErrorCode(err) == sandpit.ECONFLICT {
			av.Full[r.ReleaseID] = sandpit.ErrorMessage(err)
		} else if err != nil {
			return nil, err
		}
	}
	return av, nil
}

// release loads release id's meta, if the caller may see it.
func (s *Trials) release(ctx context.Context, a Actor, id int64) (*store.ReleaseMeta, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	m, err := s.store.ReleaseMeta(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := visible(sandpit.CanSeeRelease(a.User, m.TeamID, m.Status), "Release"); err != nil {
		return nil, err
	}
	return m, nil
}

// Invite follows an invite link to release id: the caller's trial of it, or
// nil when they have none yet.
func (s *Trials) Invite(ctx context.Context, a Actor, releaseID int64) (*sandpit.Trial, error) {
	if _, err := s.release(ctx, a, releaseID); err != nil {
		return nil, err
	}
	return s.store.TrialFor(ctx, releaseID, a.ID())
}

// ConsentForm is what the consent page of a release shows, or, in Trial,
// the caller's trial of it when they have one.
type ConsentForm struct {
	Trial     *sandpit.Trial
	ReleaseID int64
	Workflow  *sandpit.Workflow
	Version   string
	Tasks     int
	// CanTake says the caller may start a trial of the release.
	CanTake bool
	// Full is why the caller cannot start though a clinician: the release
	// has enough of their profession for now.
	Full string
}

// Consent returns the consent form of release id.
func (s *Trials) Consent(ctx context.Context, a Actor, releaseID int64) (*ConsentForm, error) {
	m, err := s.release(ctx, a, releaseID)
	if err != nil {
		return nil, err
	}
	t, err := s.store.TrialFor(ctx, releaseID, a.ID())
	if err != nil || t != nil {
		return &ConsentForm{Trial: t, ReleaseID: releaseID}, err
	}
	r, err := s.store.Release(ctx, releaseID)
	if err != nil {
		return nil, err
	}
	wf, err := s.store.Workflow(ctx, m.WorkflowID)
	if err != nil {
		return nil, err
	}
	f := &ConsentForm{ReleaseID: releaseID, Workflow: wf, Version: r.Version, Tasks: len(r.Tasks),
		CanTake: sandpit.CanTakeTrial(a.User, m.Status)}
	if f.CanTake {
		if err := s.checkTarget(ctx, a, releaseID); sandpit.ErrorCode(err) == sandpit.ECONFLICT {
			f.CanTake, f.Full = false, sandpit.ErrorMessage(err)
		} else if err != nil {
			return nil, err
		}
	}
	return f, nil
}

// checkTarget is ECONFLICT when the release has as many clinicians of the
// caller's profession as its target asks for.
//
// The guarantee: the count is read before the trial is written, outside its
// transaction, so a target is never exceeded by more than the starts already
// in flight when it was reached (each of which read a count below it); once
// those are written, every later start is refused. A trial already started
// is never refused: Start only asks this for a new one.
func (s *Trials) checkTarget(ctx context.Context, a Actor, releaseID int64) error {
	profession := "other"
	if a.User.Profile != nil && a.User.Profile.Profession != "" {
		profession = a.User.Profile.Profession
	}
	target, limited, started, err := s.store.ProfessionStarted(ctx, releaseID, profession)
	if err != nil {
		return err
	}
	if limited && started >= target {
		return sandpit.TargetReached(profession)
	}
	return nil
}

// StartArgs is a clinician's consent to a trial of a release.
type StartArgs struct {
	ReleaseID   int64
	Accepted    bool // "I agree to take part"
	ResearchUse bool // their data may be used for research
}

// Started is the caller's trial of a release, with its release's tasks.
type Started struct {
	Trial   *sandpit.Trial
	Tasks   []sandpit.Task
	Created bool // false: the caller had the trial already
}

// Start records the caller's consent to a release and starts their trial,
// or returns the trial they have. Only clinicians take trials, and only of
// open releases.
func (s *Trials) Start(ctx context.Context, a Actor, args StartArgs) (*Started, error) {
	m, err := s.release(ctx, a, args.ReleaseID)
	if err != nil {
		return nil, err
	}
	t, err := s.store.TrialFor(ctx, args.ReleaseID, a.ID())
	if err != nil {
		return nil, err
	}
	created := false
	if t == nil {
		if !sandpit.CanTakeTrial(a.User, m.Status) {
			return nil, sandpit.Errorf(sandpit.EFORBIDDEN, "Only clinicians can take part in trials, and only while the release is open.")
		}
		if !args.Accepted {
			return nil, sandpit.Invalid("Agree to take part to start the trial.", sandpit.Required("consent.accepted"))
		}
		if err := s.checkTarget(ctx, a, args.ReleaseID); err != nil {
			return nil, err
		}
		consent, err := s.store.ConsentVersion(ctx, m.WorkflowID)
		if err != nil {
			return nil, err
		}
		if t, created, err = s.store.StartTrial(ctx, args.ReleaseID, a.ID(), consent, args.ResearchUse, a.entry(sandpit.AuditConsent)); err != nil {
			return nil, err
		}
	}
	def, err := s.store.PublishedDefinition(ctx, t.ReleaseID)
	if err != nil {
		return nil, err
	}
	return &Started{Trial: t, Tasks: def.Tasks, Created: created}, nil
}

// ---- A trial and its tasks ----

// Show returns the caller's trial id with its attempts.
func (s *Trials) Show(ctx context.Context, a Actor, id int64) (*TrialView, error) {
	tw, err := s.load(ctx, a, id, "")
	if err != nil {
		return nil, err
	}
	return s.view(ctx, tw, true)
}

// TaskView is one task of the caller's trial and their attempt at it.
type TaskView struct {
	*TrialView
	Task    *sandpit.Task
	Number  int              // from 1, in the release's order
	Attempt *sandpit.Attempt // the attempt at the task; nil when there is none, or for a rating, none finished
	// Hint says the last HintAfter clicks all missed: offer to show the
	// clickable areas.
	Hint bool
}

// Task returns task key of the caller's trial id with the attempt at it,
// changing nothing: an attempt starts only with StartAttempt, once the
// clinician has read the scenario (METRICS.md). Attempt is nil when the
// task is not started, or the trial is completed; a finished attempt is
// returned as it is; a task not finished of a closed release is ECONFLICT.
func (s *Trials) Task(ctx context.Context, a Actor, id int64, key string) (*TaskView, error) {
	tw, task, number, err := s.loadTask(ctx, a, id, key)
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, tw, false)
	if err != nil {
		return nil, err
	}
	tv := &TaskView{TrialView: v, Task: task, Number: number}
	if tw.trial.Completed() {
		return tv, nil
	}
	attempts, err := s.store.Attempts(ctx, tw.trial.ID)
	if err != nil {
		return nil, err
	}
	tv.Attempt = attempts[key]
	if tv.Attempt != nil && tv.Attempt.Done() {
		return tv, nil
	}
	if !tw.write.Open {
		return nil, sandpit.Errorf(sandpit.ECONFLICT, "This release is closed to trials, so nothing more can be recorded.")
	}
	if tv.Attempt != nil && tv.Attempt.Misclicks >= HintAfter && !tv.Attempt.Paused() {
		clicks, err := s.store.ClicksOf(ctx, tv.Attempt.ID)
		if err != nil {
			return nil, err
		}
		if n := len(clicks); n >= HintAfter {
			tv.Hint = !slices.ContainsFunc(clicks[n-HintAfter:], func(c sandpit.Click) bool { return c.Hit })
		}
	}
	return tv, nil
}

// AttemptStarted is an attempt just started, or where it is.
type AttemptStarted struct {
	Attempt *sandpit.Attempt
	Def     *sandpit.Definition
}

// StartAttempt starts the caller's attempt at task key of trial id, or
// returns where it is.
func (s *Trials) StartAttempt(ctx context.Context, a Actor, id int64, key string) (*AttemptStarted, error) {
	tw, err := s.load(ctx, a, id, key)
	if err != nil {
		return nil, err
	}
	at, err := s.store.StartAttempt(ctx, tw.write)
	if err != nil {
		return nil, err
	}
	return &AttemptStarted{Attempt: at, Def: tw.write.Def}, nil
}

// ClickArgs is one click on the screen of a task: Seq numbers it from 1;
// Via is sandpit.ViaPointer ("" too) for point X, Y of the screen image in
// image pixels, or sandpit.ViaList for link number Link (from 0) of the
// list of the current screen's links. What was not sent is nil.
type ClickArgs struct {
	TrialID int64
	Task    string
	Seq     *int
	Via     string
	X, Y    *int
	Link    *int
}

// Clicked is the answer to a click, with the release to show its screen.
type Clicked struct {
	*store.ClickAnswer
	Def *sandpit.Definition
}

// Click records a click on the caller's attempt and answers with the screen
// shown next. A sequence number already recorded returns its first answer.
// A click from the list of links makes the attempt assisted.
func (s *Trials) Click(ctx context.Context, a Actor, args ClickArgs) (*Clicked, error) {
	tw, err := s.load(ctx, a, args.TrialID, args.Task)
	if err != nil {
		return nil, err
	}
	var missing []sandpit.FieldError
	if args.Seq == nil {
		missing = append(missing, sandpit.Required("seq"))
	}
	in := store.ClickInput{Via: args.Via}
	switch args.Via {
	case sandpit.ViaList:
		if args.Link == nil {
			missing = append(missing, sandpit.Required("link"))
		} else {
			in.Link = *args.Link
		}
	case "", sandpit.ViaPointer:
		in.Via = sandpit.ViaPointer
		if args.X == nil {
			missing = append(missing, sandpit.Required("x"))
		} else {
			in.X = *args.X
		}
		if args.Y == nil {
			missing = append(missing, sandpit.Required("y"))
		} else {
			in.Y = *args.Y
		}
	default:
		missing = append(missing, sandpit.OneOf("via", []string{sandpit.ViaPointer, sandpit.ViaList}))
	}
	if len(missing) > 0 {
		return nil, sandpit.Invalid("Send seq, and x and y or a link.", missing...)
	}
	in.Seq = *args.Seq
	ans, err := s.store.RecordClick(ctx, tw.write, in)
	if err != nil {
		return nil, err
	}
	return &Clicked{ClickAnswer: ans, Def: tw.write.Def}, nil
}

// updateAttempt applies change to the caller's attempt at task key of
// trial id, which must be a task of the release.
func (s *Trials) updateAttempt(ctx context.Context, a Actor, id int64, key string, change func(at *sandpit.Attempt, now time.Time) error) (*sandpit.Attempt, error) {
	tw, _, _, err := s.loadTask(ctx, a, id, key)
	if err != nil {
		return nil, err
	}
	return s.store.UpdateAttempt(ctx, tw.write, change)
}

// GiveUp ends the caller's attempt as gave_up: "I'm stuck".
func (s *Trials) GiveUp(ctx context.Context, a Actor, id int64, key string) (*sandpit.Attempt, error) {
	return s.updateAttempt(ctx, a, id, key, func(at *sandpit.Attempt, now time.Time) error { return at.GiveUp(now) })
}

// Pause stops the clock of the caller's attempt: "I've been interrupted".
func (s *Trials) Pause(ctx context.Context, a Actor, id int64, key string) (*sandpit.Attempt, error) {
	return s.updateAttempt(ctx, a, id, key, func(at *sandpit.Attempt, now time.Time) error { return at.Pause(now) })
}

// Resume restarts the clock of the caller's paused attempt. An unknown task
// is ENOTFOUND; a task not started or finished already is ECONFLICT;
// resuming an attempt that is not paused changes nothing but its last
// activity.
func (s *Trials) Resume(ctx context.Context, a Actor, id int64, key string) (*sandpit.Attempt, error) {
	return s.updateAttempt(ctx, a, id, key, func(at *sandpit.Attempt, now time.Time) error {
		if at.Done() {
			return sandpit.Errorf(sandpit.ECONFLICT, "This task is finished already.")
		}
		at.Resume(now)
		return nil
	})
}

// Rating returns task key of the caller's trial id with its finished
// attempt, if any, to rate.
func (s *Trials) Rating(ctx context.Context, a Actor, id int64, key string) (*TaskView, error) {
	tw, task, number, err := s.loadTask(ctx, a, id, key)
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, tw, true)
	if err != nil {
		return nil, err
	}
	tv := &TaskView{TrialView: v, Task: task, Number: number, Attempt: v.Attempts[key]}
	if tv.Attempt != nil && !tv.Attempt.Done() {
		tv.Attempt = nil
	}
	return tv, nil
}

// RateArgs is the SEQ rating of a finished task: Ease from MinEase to
// MaxEase (nil when none was chosen) and an optional comment.
type RateArgs struct {
	TrialID int64
	Task    string
	Ease    *int
	Comment string
}

// Rated is a rated attempt and the task to go on to: the first without an
// outcome, or "" when every task has one.
type Rated struct {
	Attempt *sandpit.Attempt
	Next    string
}

// Rate records the caller's rating of a task. The task must have an
// outcome first (ECONFLICT), before the rating itself is checked: an ease
// left out or outside MinEase to MaxEase, a comment too long or holding an
// NHS number are EINVALID, naming the field.
func (s *Trials) Rate(ctx context.Context, a Actor, args RateArgs) (*Rated, error) {
	tw, _, _, err := s.loadTask(ctx, a, args.TrialID, args.Task)
	if err != nil {
		return nil, err
	}
	at, err := s.store.UpdateAttempt(ctx, tw.write, func(at *sandpit.Attempt, _ time.Time) error {
		if !at.Done() {
			return sandpit.Errorf(sandpit.ECONFLICT, "Rate the task once it is finished.")
		}
		if args.Ease == nil {
			bad := []sandpit.FieldError{sandpit.Required("ease")}
			if sandpit.FreeTextProblem(args.Comment) != "" {
				bad = append(bad, sandpit.TooLong("comment", sandpit.MaxFreeText))
			}
			return sandpit.Invalid("Check the rating.", bad...)
		}
		return at.Rate(*args.Ease, args.Comment)
	})
	if err != nil {
		return nil, err
	}
	attempts, err := s.store.Attempts(ctx, tw.trial.ID)
	if err != nil {
		return nil, err
	}
	v := &TrialView{Trial: tw.trial, Def: tw.write.Def, Attempts: attempts}
	return &Rated{Attempt: at, Next: v.NextTask()}, nil
}

// ---- Problem reports ----

// ReportTarget is the screen of the caller's trial a problem is pinned to,
// and the task being attempted, if any.
type ReportTarget struct {
	*TrialView
	Task   *sandpit.Task // nil when the report is about no task
	Screen *sandpit.Screen
}

// ReportForm returns the screen of trial id that the report form pins a
// problem to, for task (if not "") and screen. A closed release takes no
// reports on an unfinished trial (ECONFLICT).
func (s *Trials) ReportForm(ctx context.Context, a Actor, id int64, task, screen string) (*ReportTarget, error) {
	tw, err := s.load(ctx, a, id, task)
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, tw, false)
	if err != nil {
		return nil, err
	}
	rt := &ReportTarget{TrialView: v, Screen: v.Def.Screen(screen)}
	if task != "" {
		if rt.Task = v.Def.Task(task); rt.Task == nil {
			return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Task not found.")
		}
	}
	if rt.Screen == nil {
		return nil, sandpit.Errorf(sandpit.ENOTFOUND, "Screen not found.")
	}
	if !v.Trial.Completed() && !v.Open {
		return nil, sandpit.Errorf(sandpit.ECONFLICT, "This release is closed to trials, so nothing more can be recorded.")
	}
	return rt, nil
}

// ReportArgs is a problem a clinician pins to a screen. X and Y are nil
// when no point was given.
type ReportArgs struct {
	TrialID       int64
	Task          string // the task being attempted, if any
	Screen        string
	X, Y          *int
	Category      string
	Severity      int
	SafetyConcern bool
	Text          string
	// Resume says the report form paused the attempt at Task when it
	// opened: once the report is stored the attempt's clock runs again.
	Resume bool
}

// Report checks and stores a problem report on the caller's trial, joining
// it to a finding.
func (s *Trials) Report(ctx context.Context, a Actor, args ReportArgs) (*sandpit.Report, error) {
	tw, err := s.load(ctx, a, args.TrialID, args.Task)
	if err != nil {
		return nil, err
	}
	// A pin left out is told together with whatever else is wrong.
	var bad []sandpit.FieldError
	r := sandpit.Report{TaskKey: args.Task, Screen: args.Screen, Category: args.Category,
		Severity: args.Severity, SafetyConcern: args.SafetyConcern, Text: args.Text}
	if args.X == nil {
		bad = append(bad, sandpit.Required("x"))
	} else {
		r.X = *args.X
	}
	if args.Y == nil {
		bad = append(bad, sandpit.Required("y"))
	} else {
		r.Y = *args.Y
	}
	err = r.Validate(tw.write.Def)
	if len(bad) > 0 {
		for _, f := range sandpit.FieldErrorsOf(err) {
			if f.Field != "x" && f.Field != "y" {
				bad = append(bad, f)
			}
		}
		return nil, sandpit.Invalid("Check the report.", bad...)
	}
	if err != nil {
		return nil, err
	}
	stored, err := s.store.CreateReport(ctx, tw.write, tw.meta.WorkflowID, r)
	if err != nil || !args.Resume || args.Task == "" {
		return stored, err
	}
	// The report is kept whatever becomes of the attempt: a task finished
	// or never started has no clock to resume.
	_, err = s.store.UpdateAttempt(ctx, tw.write, func(at *sandpit.Attempt, now time.Time) error {
		if !at.Done() {
			at.Resume(now)
		}
		return nil
	})
	if err != nil && sandpit.ErrorCode(err) != sandpit.ECONFLICT {
		return nil, err
	}
	return stored, nil
}

// ---- Finishing ----

// SUS scores and stores the caller's answers to the ten SUS statements,
// each from 1 to 5, and returns the score.
func (s *Trials) SUS(ctx context.Context, a Actor, id int64, answers []int) (float64, error) {
	tw, err := s.load(ctx, a, id, "")
	if err != nil {
		return 0, err
	}
	score, err := sandpit.SUSScore(answers)
	if err != nil {
		return 0, err
	}
	return score, s.store.SaveSUS(ctx, tw.write, answers, score)
}

// Complete finishes the caller's trial once every task has an outcome and
// the SUS is answered; EINVALID names what is missing.
func (s *Trials) Complete(ctx context.Context, a Actor, id int64) error {
	tw, err := s.load(ctx, a, id, "")
	if err != nil {
		return err
	}
	return s.store.CompleteTrial(ctx, tw.write)
}

// Withdraw deletes the caller's trial and everything recorded in it, and
// audits it.
func (s *Trials) Withdraw(ctx context.Context, a Actor, id int64) error {
	if err := signedIn(a); err != nil {
		return err
	}
	return s.store.WithdrawTrial(ctx, id, a.ID(), a.entry(sandpit.AuditWithdraw))
}

// ---- My feedback ----

// FeedbackItem is one of the caller's reports and what became of it, with
// the title of the screen it is pinned to.
type FeedbackItem struct {
	store.Feedback
	ScreenTitle string
}

// MyFeedback is every report the caller made and every trial they took.
type MyFeedback struct {
	Items  []FeedbackItem
	Trials []store.TrialSummary
}

// Feedback returns the caller's own reports, newest first, with what became
// of each, and their trials.
func (s *Trials) Feedback(ctx context.Context, a Actor) (*MyFeedback, error) {
	if err := signedIn(a); err != nil {
		return nil, err
	}
	list, err := s.store.FeedbackOf(ctx, a.ID())
	if err != nil {
		return nil, err
	}
	trials, err := s.store.TrialsOf(ctx, a.ID())
	if err != nil {
		return nil, err
	}
	out := &MyFeedback{Trials: trials}
	for _, f := range list {
		title := f.Screen
		if def, err := s.store.PublishedDefinition(ctx, f.ReleaseID); err == nil {
			if sc := def.Screen(f.Screen); sc != nil {
				title = sc.Title
			}
		}
		out.Items = append(out.Items, FeedbackItem{Feedback: f, ScreenTitle: title})
	}
	return out, nil
}
