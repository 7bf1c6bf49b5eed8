package app_test

import (
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// taskKey is the test release's one task.
const taskKey = "reconcile"

// clinician is the world's clinician, who owns w.trial.
func (w *world) clinician() app.Actor { return w.actors[kindClinician] }

// otherClinician creates a second clinician, with no trial yet.
func (w *world) otherClinician() app.Actor {
	w.t.Helper()
	n := sandpit.NewUser{Email: "other.clinician@example.nhs.uk", Name: "Other clinician", Roles: []sandpit.Role{sandpit.RoleClinician},
		Profile: &sandpit.Profile{Profession: "doctor", Setting: "acute", YearsExperience: 5, LegacyFamiliarity: 3}}
	if _, err := w.st.CreateUser(w.ctx, n, "not a hash", sandpit.AuditEntry{Action: sandpit.AuditUserCreated}); err != nil {
		w.t.Fatal(err)
	}
	return w.actor(n.Email)
}

// must fails the test on err.
func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// started starts the clinician's attempt at the task of w.trial.
func (w *world) started() {
	w.t.Helper()
	_, err := w.app.Trials.StartAttempt(w.ctx, w.clinician(), w.trial, taskKey)
	w.must(err)
}

// stuck starts the clinician's attempt and gives it up, so it has an
// outcome.
func (w *world) stuck() {
	w.t.Helper()
	w.started()
	_, err := w.app.Trials.GiveUp(w.ctx, w.clinician(), w.trial, taskKey)
	w.must(err)
}

func ptr(n int) *int { return &n }

var susAnswers = []int{4, 2, 4, 2, 4, 2, 4, 2, 4, 2}

func TestTrialsPermissions(t *testing.T) {
	trialOnly := only(sandpit.ENOTFOUND, kindClinician)
	seeRelease := only(sandpit.ENOTFOUND, kindAdmin, kindOwner, kindResearcher, kindClinician)
	checkPermissions(t, []permissionCase{
		{name: "Available", want: only(""), run: func(w *world, a app.Actor) error {
			_, err := w.app.Trials.Available(w.ctx, a)
			return err
		}},
		{name: "Invite", want: seeRelease, run: func(w *world, a app.Actor) error {
			_, err := w.app.Trials.Invite(w.ctx, a, w.release)
			return err
		}},
		{name: "Consent", want: seeRelease, run: func(w *world, a app.Actor) error {
			_, err := w.app.Trials.Consent(w.ctx, a, w.release)
			return err
		}},
		{name: "Start", writes: true,
			want: with(with(with(seeRelease, kindAdmin, sandpit.EFORBIDDEN), kindOwner, sandpit.EFORBIDDEN), kindResearcher, sandpit.EFORBIDDEN),
			run: func(w *world, a app.Actor) error {
				_, err := w.app.Trials.Start(w.ctx, a, app.StartArgs{ReleaseID: w.release, Accepted: true})
				return err
			}},
		{name: "Show", want: trialOnly, run: func(w *world, a app.Actor) error {
			_, err := w.app.Trials.Show(w.ctx, a, w.trial)
			return err
		}},
		{name: "Task", want: trialOnly, run: func(w *world, a app.Actor) error {
			_, err := w.app.Trials.Task(w.ctx, a, w.trial, taskKey)
			return err
		}},
		{name: "StartAttempt", writes: true, want: trialOnly, run: func(w *world, a app.Actor) error {
			_, err := w.app.Trials.StartAttempt(w.ctx, a, w.trial, taskKey)
			return err
		}},
		{name: "Click", writes: true, want: trialOnly, run: func(w *world, a app.Actor) error {
			w.started()
			_, err := w.app.Trials.Click(w.ctx, a, app.ClickArgs{TrialID: w.trial, Task: taskKey, Seq: ptr(1), X: ptr(50), Y: ptr(130)})
			return err
		}},
		{name: "GiveUp", writes: true, want: trialOnly, run: func(w *world, a app.Actor) error {
			w.started()
			_, err := w.app.Trials.GiveUp(w.ctx, a, w.trial, taskKey)
			return err
		}},
		{name: "Pause", writes: true, want: trialOnly, run: func(w *world, a app.Actor) error {
			w.started()
			_, err := w.app.Trials.Pause(w.ctx, a, w.trial, taskKey)
			return err
		}},
		{name: "Resume", writes: true, want: trialOnly, run: func(w *world, a app.Actor) error {
			w.started()
			_, err := w.app.Trials.Pause(w.ctx, w.clinician(), w.trial, taskKey)
			w.must(err)
			_, err = w.app.Trials.Resume(w.ctx, a, w.trial, taskKey)
			return err
		}},
		{name: "Rating", want: trialOnly, run: func(w *world, a app.Actor) error {
			_, err := w.app.Trials.Rating(w.ctx, a, w.trial, taskKey)
			return err
		}},
		{name: "Rate", writes: true, want: trialOnly, run: func(w *world, a app.Actor) error {
			w.stuck()
			_, err := w.app.Trials.Rate(w.ctx, a, app.RateArgs{TrialID: w.trial, Task: taskKey, Ease: ptr(3)})
			return err
		}},
		{name: "ReportForm", want: trialOnly, run: func(w *world, a app.Actor) error {
			_, err := w.app.Trials.ReportForm(w.ctx, a, w.trial, taskKey, "list")
			return err
		}},
		{name: "Report", writes: true, want: trialOnly, run: func(w *world, a app.Actor) error {
			_, err := w.app.Trials.Report(w.ctx, a, app.ReportArgs{TrialID: w.trial, Screen: "list", X: ptr(5), Y: ptr(5),
				Category: "layout", Severity: 2, Text: "The list is crowded."})
			return err
		}},
		{name: "SUS", writes: true, want: trialOnly, run: func(w *world, a app.Actor) error {
			_, err := w.app.Trials.SUS(w.ctx, a, w.trial, susAnswers)
			return err
		}},
		{name: "Complete", writes: true, want: trialOnly, run: func(w *world, a app.Actor) error {
			w.stuck()
			_, err := w.app.Trials.SUS(w.ctx, w.clinician(), w.trial, susAnswers)
			w.must(err)
			return w.app.Trials.Complete(w.ctx, a, w.trial)
		}},
		{name: "Withdraw", writes: true, want: trialOnly, run: func(w *world, a app.Actor) error {
			return w.app.Trials.Withdraw(w.ctx, a, w.trial)
		}},
		{name: "Feedback", want: only(""), run: func(w *world, a app.Actor) error {
			_, err := w.app.Trials.Feedback(w.ctx, a)
			return err
		}},
	})
}

func TestTrialsAnotherClinicianFindsNothing(t *testing.T) {
	w := newWorld(t)
	other := w.otherClinician()
	tr := w.app.Trials
	calls := map[string]func() error{
		"Show":         func() error { _, err := tr.Show(w.ctx, other, w.trial); return err },
		"Task":         func() error { _, err := tr.Task(w.ctx, other, w.trial, taskKey); return err },
		"StartAttempt": func() error { _, err := tr.StartAttempt(w.ctx, other, w.trial, taskKey); return err },
		"Click": func() error {
			_, err := tr.Click(w.ctx, other, app.ClickArgs{TrialID: w.trial, Task: taskKey, Seq: ptr(1), X: ptr(1), Y: ptr(1)})
			return err
		},
		"GiveUp": func() error { _, err := tr.GiveUp(w.ctx, other, w.trial, taskKey); return err },
		"Pause":  func() error { _, err := tr.Pause(w.ctx, other, w.trial, taskKey); return err },
		"Resume": func() error { _, err := tr.Resume(w.ctx, other, w.trial, taskKey); return err },
		"Rating": func() error { _, err := tr.Rating(w.ctx, other, w.trial, taskKey); return err },
		"Rate": func() error {
			_, err := tr.Rate(w.ctx, other, app.RateArgs{TrialID: w.trial, Task: taskKey, Ease: ptr(9)})
			return err
		},
		"ReportForm": func() error { _, err := tr.ReportForm(w.ctx, other, w.trial, "", "list"); return err },
		"Report": func() error {
			_, err := tr.Report(w.ctx, other, app.ReportArgs{TrialID: w.trial, Screen: "list"})
			return err
		},
		"SUS":      func() error { _, err := tr.SUS(w.ctx, other, w.trial, []int{1}); return err },
		"Complete": func() error { return tr.Complete(w.ctx, other, w.trial) },
		"Withdraw": func() error { return tr.Withdraw(w.ctx, other, w.trial) },
	}
	w.started()
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			// Even a request that is invalid in itself is not found: the
			// trial is looked up before anything is checked.
			if code := sandpit.ErrorCode(call()); code != sandpit.ENOTFOUND {
				t.Errorf("code %q, want %q", code, sandpit.ENOTFOUND)
			}
		})
	}
	if n, err := storetest.CountTrialRows(w.ctx, w.st, w.trial); err != nil || n == 0 {
		t.Errorf("the trial's rows = %d, %v: another clinician removed them", n, err)
	}
	fb, err := tr.Feedback(w.ctx, other)
	if err != nil || len(fb.Items) != 0 || len(fb.Trials) != 0 {
		t.Errorf("another clinician's feedback = %+v, %v", fb, err)
	}
}

// fieldCodeList returns err's field errors as "field:code", in order.
func fieldCodeList(err error) string {
	var out []string
	for _, f := range sandpit.FieldErrorsOf(err) {
		out = append(out, f.Field+":"+f.Code)
	}
	return strings.Join(out, " ")
}

func TestTrialsResume(t *testing.T) {
	t.Run("a paused attempt resumes and its pause counts once", func(t *testing.T) {
		w := newWorld(t)
		w.started()
		_, err := w.app.Trials.Pause(w.ctx, w.clinician(), w.trial, taskKey)
		w.must(err)
		a, err := w.app.Trials.Resume(w.ctx, w.clinician(), w.trial, taskKey)
		if err != nil || a.Paused() || a.Interruptions != 1 {
			t.Fatalf("resume = %+v, %v", a, err)
		}
	})
	t.Run("an attempt not paused stays as it is", func(t *testing.T) {
		w := newWorld(t)
		w.started()
		a, err := w.app.Trials.Resume(w.ctx, w.clinician(), w.trial, taskKey)
		if err != nil || a.Paused() || a.Interruptions != 0 {
			t.Fatalf("resume = %+v, %v", a, err)
		}
	})
	tests := []struct {
		name  string
		setup func(w *world)
		task  string
		want  string
	}{
		{"an unknown task is not found", func(w *world) {}, "nosuch", sandpit.ENOTFOUND},
		{"a task not started is a conflict", func(w *world) {}, taskKey, sandpit.ECONFLICT},
		{"a finished task is a conflict", func(w *world) { w.stuck() }, taskKey, sandpit.ECONFLICT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			tc.setup(w)
			if _, err := w.app.Trials.Resume(w.ctx, w.clinician(), w.trial, tc.task); sandpit.ErrorCode(err) != tc.want {
				t.Errorf("code %q (%v), want %q", sandpit.ErrorCode(err), err, tc.want)
			}
		})
	}
}

func TestTrialsRate(t *testing.T) {
	long := strings.Repeat("a", sandpit.MaxFreeText+1)
	tests := []struct {
		name     string
		finished bool
		task     string
		ease     *int
		comment  string
		code     string
		fields   string
	}{
		{"an unfinished task is a conflict, whatever the rating", false, taskKey, ptr(9), "", sandpit.ECONFLICT, ""},
		{"an unknown task is not found", true, "nosuch", ptr(3), "", sandpit.ENOTFOUND, ""},
		{"no ease is required", true, taskKey, nil, "", sandpit.EINVALID, "ease:required"},
		{"no ease and a long comment are both told", true, taskKey, nil, long, sandpit.EINVALID, "ease:required comment:too_long"},
		{"ease below 1", true, taskKey, ptr(0), "", sandpit.EINVALID, "ease:out_of_range"},
		{"ease above 7", true, taskKey, ptr(8), "", sandpit.EINVALID, "ease:out_of_range"},
		{"a comment too long", true, taskKey, ptr(4), long, sandpit.EINVALID, "comment:too_long"},
		{"an NHS number in the comment", true, taskKey, ptr(4), "Patient 943 476 5919 was wrong", sandpit.EINVALID, "comment:patient_identifier"},
		{"a good rating", true, taskKey, ptr(6), "  Quick once I found the button ", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.finished {
				w.stuck()
			} else {
				w.started()
			}
			r, err := w.app.Trials.Rate(w.ctx, w.clinician(), app.RateArgs{TrialID: w.trial, Task: tc.task, Ease: tc.ease, Comment: tc.comment})
			if code := sandpit.ErrorCode(err); code != tc.code || fieldCodeList(err) != tc.fields {
				t.Fatalf("code %q fields %q (%v), want %q %q", code, fieldCodeList(err), err, tc.code, tc.fields)
			}
			if err == nil && (r.Attempt.Ease == nil || *r.Attempt.Ease != 6 || r.Attempt.Comment != "Quick once I found the button" || r.Next != "") {
				t.Errorf("rated = %+v, next %q", r.Attempt, r.Next)
			}
			if err != nil {
				if v, _ := w.app.Trials.Rating(w.ctx, w.clinician(), w.trial, taskKey); v.Attempt != nil && v.Attempt.Ease != nil {
					t.Error("a refused rating was stored")
				}
			}
		})
	}
}

func TestTrialsFieldErrors(t *testing.T) {
	w := newWorld(t)
	w.started()
	tr, a := w.app.Trials, w.clinician()
	report := func(mod func(r *app.ReportArgs)) error {
		r := app.ReportArgs{TrialID: w.trial, Task: taskKey, Screen: "list", X: ptr(5), Y: ptr(5), Category: "layout", Severity: 2, Text: "Crowded."}
		mod(&r)
		_, err := tr.Report(w.ctx, a, r)
		return err
	}
	tests := []struct {
		name   string
		err    error
		fields string
	}{
		{"consent not given", func() error {
			_, err := tr.Start(w.ctx, w.otherClinician(), app.StartArgs{ReleaseID: w.release})
			return err
		}(), "consent.accepted:required"},
		{"a click without seq or a point", func() error {
			_, err := tr.Click(w.ctx, a, app.ClickArgs{TrialID: w.trial, Task: taskKey})
			return err
		}(), "seq:required x:required y:required"},
		{"a click outside the screen", func() error {
			_, err := tr.Click(w.ctx, a, app.ClickArgs{TrialID: w.trial, Task: taskKey, Seq: ptr(1), X: ptr(400), Y: ptr(-1)})
			return err
		}(), "x:out_of_range y:out_of_range"},
		{"an empty report", report(func(r *app.ReportArgs) { *r = app.ReportArgs{TrialID: w.trial, Screen: "list"} }),
			"x:required y:required category:one_of severity:out_of_range text:required"},
		{"a report on an unknown screen and task", report(func(r *app.ReportArgs) { r.Screen, r.Task = "nosuch", "nosuch" }),
			"screen:unknown task:unknown"},
		{"a pin off the screen", report(func(r *app.ReportArgs) { r.X = ptr(400) }), "x:out_of_range"},
		{"report text too long", report(func(r *app.ReportArgs) { r.Text = strings.Repeat("a", sandpit.MaxFreeText+1) }), "text:too_long"},
		{"an NHS number in a report", report(func(r *app.ReportArgs) { r.Text = "Mr Smith 4010232137 missing" }), "text:patient_identifier"},
		{"SUS with too few answers", func() error { _, err := tr.SUS(w.ctx, a, w.trial, []int{1, 2, 3}); return err }(), "answers:expected"},
		{"SUS answers out of range", func() error {
			_, err := tr.SUS(w.ctx, a, w.trial, []int{0, 1, 1, 1, 1, 1, 1, 1, 1, 6})
			return err
		}(), "answers[0]:out_of_range answers[9]:out_of_range"},
		{"completing an unfinished trial", tr.Complete(w.ctx, a, w.trial), "tasks.reconcile:required sus:required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if sandpit.ErrorCode(tc.err) != sandpit.EINVALID || fieldCodeList(tc.err) != tc.fields {
				t.Errorf("code %q fields %q (%v), want %q", sandpit.ErrorCode(tc.err), fieldCodeList(tc.err), tc.err, tc.fields)
			}
		})
	}
}

func TestTrialsAudit(t *testing.T) {
	w := newWorld(t)
	other := w.otherClinician()
	st, err := w.app.Trials.Start(w.ctx, other, app.StartArgs{ReleaseID: w.release, Accepted: true, ResearchUse: true})
	if err != nil || !st.Created || len(st.Tasks) != 1 {
		t.Fatalf("start = %+v, %v", st, err)
	}
	again, err := w.app.Trials.Start(w.ctx, other, app.StartArgs{ReleaseID: w.release})
	if err != nil || again.Created || again.Trial.ID != st.Trial.ID {
		t.Fatalf("a second start = %+v, %v: want the same trial", again, err)
	}
	w.must(w.app.Trials.Withdraw(w.ctx, other, st.Trial.ID))
	entries := w.trialAuditOf(other.ID())
	want := []string{sandpit.AuditConsent, sandpit.AuditWithdraw}
	if len(entries) != len(want) {
		t.Fatalf("audit = %+v, want %v", entries, want)
	}
	for i, e := range entries {
		if e.Action != want[i] || e.ActorID == nil || *e.ActorID != other.ID() || e.IP != other.IP || e.SubjectID == nil || *e.SubjectID != other.ID() {
			t.Errorf("entry %d = %+v, want %s by %d from %s", i, e, want[i], other.ID(), other.IP)
		}
	}
	if n, _ := storetest.CountTrialRows(w.ctx, w.st, st.Trial.ID); n != 0 {
		t.Errorf("withdrawal left %d rows", n)
	}
}

// TestTrialsConsentToTheLatestText: a consent is to the workflow's consent
// text as it is then, the version a changed text made.
func TestTrialsConsentToTheLatestText(t *testing.T) {
	w := newWorld(t)
	text := "You may stop at any time, and withdraw what you recorded."
	if _, err := w.app.Authoring.UpdateWorkflow(w.ctx, w.actors[kindOwner], w.workflow, app.WorkflowPatch{ConsentText: &text}); err != nil {
		t.Fatal(err)
	}
	st, err := w.app.Trials.Start(w.ctx, w.otherClinician(), app.StartArgs{ReleaseID: w.release, Accepted: true})
	if err != nil || st.Trial.ConsentVersion != 2 {
		t.Fatalf("start = %+v, %v; want a trial of consent version 2", st, err)
	}
}

func TestTrialsWholeTrial(t *testing.T) {
	w := newWorld(t)
	tr, a := w.app.Trials, w.clinician()
	if av, err := tr.Available(w.ctx, a); err != nil || !av.Clinician || len(av.Releases) != 1 || av.Releases[0].TrialID == nil || *av.Releases[0].TrialID != w.trial {
		t.Errorf("available = %+v, %v", av, err)
	}
	if av, err := tr.Available(w.ctx, w.actors[kindOwner]); err != nil || av.Clinician || len(av.Releases) != 0 {
		t.Errorf("available to a product owner = %+v, %v", av, err)
	}
	// Opening the task starts nothing: the clock starts with StartAttempt.
	v, err := tr.Task(w.ctx, a, w.trial, taskKey)
	if err != nil || v.Attempt != nil || v.Number != 1 {
		t.Fatalf("task before start = %+v, %v", v, err)
	}
	if _, err := tr.StartAttempt(w.ctx, a, w.trial, taskKey); err != nil {
		t.Fatal(err)
	}
	v, err = tr.Task(w.ctx, a, w.trial, taskKey)
	if err != nil || v.Attempt == nil || v.Attempt.Screen != "list" || v.Number != 1 {
		t.Fatalf("task = %+v, %v", v, err)
	}
	for seq := 1; seq <= app.HintAfter; seq++ {
		ans, err := tr.Click(w.ctx, a, app.ClickArgs{TrialID: w.trial, Task: taskKey, Seq: ptr(seq), X: ptr(1), Y: ptr(1)})
		if err != nil || ans.Hit {
			t.Fatalf("miss %d = %+v, %v", seq, ans, err)
		}
	}
	if v, err = tr.Task(w.ctx, a, w.trial, taskKey); err != nil || !v.Hint {
		t.Errorf("after %d misses: hint %v, %v", app.HintAfter, v.Hint, err)
	}
	ans, err := tr.Click(w.ctx, a, app.ClickArgs{TrialID: w.trial, Task: taskKey, Seq: ptr(4), Via: sandpit.ViaList, Link: ptr(0)})
	if err != nil || !ans.Hit || ans.Screen != "record" {
		t.Fatalf("list click = %+v, %v", ans, err)
	}
	ans, err = tr.Click(w.ctx, a, app.ClickArgs{TrialID: w.trial, Task: taskKey, Seq: ptr(5), X: ptr(10), Y: ptr(260)})
	if err != nil || !ans.Done || ans.Outcome != sandpit.OutcomeDirect {
		t.Fatalf("last click = %+v, %v", ans, err)
	}
	if _, err := tr.Rate(w.ctx, a, app.RateArgs{TrialID: w.trial, Task: taskKey, Ease: ptr(5)}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.SUS(w.ctx, a, w.trial, susAnswers); err != nil {
		t.Fatal(err)
	}
	w.must(tr.Complete(w.ctx, a, w.trial))
	if err := tr.Complete(w.ctx, a, w.trial); sandpit.ErrorCode(err) != sandpit.ECONFLICT {
		t.Errorf("a second complete = %v, want a conflict", err)
	}
	fb, err := tr.Feedback(w.ctx, a)
	if err != nil || len(fb.Items) != 1 || fb.Items[0].ScreenTitle != "Ward list" || len(fb.Trials) != 1 {
		t.Errorf("feedback = %+v, %v", fb, err)
	}
}

// trialAuditOf returns the consent and withdrawal entries of the user with id,
// oldest first.
func (w *world) trialAuditOf(userID int64) []sandpit.AuditEvent {
	w.t.Helper()
	u, err := w.st.User(w.ctx, userID)
	w.must(err)
	events, _, err := w.st.AuditEvents(w.ctx, store.AuditFilter{Email: u.Email, Limit: 100})
	w.must(err)
	var out []sandpit.AuditEvent
	for i := len(events) - 1; i >= 0; i-- {
		if a := events[i].Action; a == sandpit.AuditConsent || a == sandpit.AuditWithdraw {
			out = append(out, events[i])
		}
	}
	return out
}
