package app_test

import (
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// attemptNow returns the clinician's attempt at the task of w.trial, or nil.
func (w *world) attemptNow() *sandpit.Attempt {
	w.t.Helper()
	attempts, err := w.st.Attempts(w.ctx, w.trial)
	w.must(err)
	return attempts[taskKey]
}

// click sends click seq of the clinician at (x, y) of the screen image.
func (w *world) click(seq, x, y int) *app.Clicked {
	w.t.Helper()
	ans, err := w.app.Trials.Click(w.ctx, w.clinician(), app.ClickArgs{TrialID: w.trial, Task: taskKey, Seq: ptr(seq), X: ptr(x), Y: ptr(y)})
	w.must(err)
	return ans
}

func TestTrialsTaskStartsNothing(t *testing.T) {
	w := newWorld(t)
	tr, a := w.app.Trials, w.clinician()
	for range 2 {
		v, err := tr.Task(w.ctx, a, w.trial, taskKey)
		if err != nil || v.Attempt != nil || v.Task.Scenario == "" {
			t.Fatalf("task = %+v, %v", v, err)
		}
		w.clock.Advance(time.Minute)
	}
	if at := w.attemptNow(); at != nil {
		t.Fatalf("reading the task left an attempt: %+v", at)
	}
	st, err := tr.StartAttempt(w.ctx, a, w.trial, taskKey)
	if err != nil || !st.Attempt.StartedAt.Equal(w.clock.Now()) {
		t.Fatalf("start = %+v, %v; want the clock started now, %v", st, err, w.clock.Now())
	}
	w.clock.Advance(10 * time.Second)
	if _, err := tr.StartAttempt(w.ctx, a, w.trial, taskKey); err != nil || !w.attemptNow().StartedAt.Equal(st.Attempt.StartedAt) {
		t.Errorf("a second start restarted the clock: %+v, %v", w.attemptNow(), err)
	}
	if w.click(1, 50, 130).Screen != "record" {
		t.Fatal("the first click did not follow the hotspot")
	}
	w.clock.Advance(5 * time.Second)
	if ans := w.click(2, 10, 260); !ans.Done || ans.Outcome != sandpit.OutcomeDirect {
		t.Fatalf("last click = %+v", ans)
	}
	if at := w.attemptNow(); at.DurationMs == nil || *at.DurationMs != 15000 {
		t.Errorf("duration = %v ms, want 15000: the minutes spent reading count nowhere", at.DurationMs)
	}
}

func TestTrialsReportFormPausesTheClock(t *testing.T) {
	w := newWorld(t)
	tr, a := w.app.Trials, w.clinician()
	w.started()
	w.clock.Advance(10 * time.Second)
	w.click(1, 50, 130)
	// The task page's "Report a problem" pauses the attempt as the form
	// opens; the report, sent ten minutes later, resumes it.
	if _, err := tr.Pause(w.ctx, a, w.trial, taskKey); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(10 * time.Minute)
	if _, err := tr.Click(w.ctx, a, app.ClickArgs{TrialID: w.trial, Task: taskKey, Seq: ptr(2), X: ptr(10), Y: ptr(260)}); sandpit.ErrorCode(err) != sandpit.ECONFLICT {
		t.Errorf("a click while the report form is open = %v, want a conflict", err)
	}
	_, err := tr.Report(w.ctx, a, app.ReportArgs{TrialID: w.trial, Task: taskKey, Screen: "record", X: ptr(5), Y: ptr(5), Category: "layout",
		Severity: 2, Text: "The save button is hard to find.", Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if at := w.attemptNow(); at.Paused() || at.PausedMs != (10*time.Minute).Milliseconds() || at.Interruptions != 1 {
		t.Fatalf("after the report: %+v", at)
	}
	// Cancelling is a resume: the second form's five minutes do not count
	// either.
	w.clock.Advance(2 * time.Second)
	if _, err := tr.Pause(w.ctx, a, w.trial, taskKey); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(5 * time.Minute)
	if _, err := tr.Resume(w.ctx, a, w.trial, taskKey); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(3 * time.Second)
	if ans := w.click(2, 10, 260); !ans.Done {
		t.Fatalf("last click = %+v", ans)
	}
	if at := w.attemptNow(); at.DurationMs == nil || *at.DurationMs != 15000 || at.Interruptions != 2 {
		t.Errorf("duration = %v ms, interruptions %d; want 15000 ms (10 s + 2 s + 3 s) and 2", at.DurationMs, at.Interruptions)
	}
	t.Run("a report on a finished task is kept", func(t *testing.T) {
		r, err := tr.Report(w.ctx, a, app.ReportArgs{TrialID: w.trial, Task: taskKey, Screen: "done", X: ptr(5), Y: ptr(5), Category: "other",
			Severity: 1, Text: "Fine in the end.", Resume: true})
		if err != nil || r.ID == 0 {
			t.Errorf("report = %+v, %v", r, err)
		}
	})
}

func TestTrialsListOfLinks(t *testing.T) {
	w := newWorld(t)
	tr, a := w.app.Trials, w.clinician()
	w.started()
	list := func(seq, link int) (*app.Clicked, error) {
		return tr.Click(w.ctx, a, app.ClickArgs{TrialID: w.trial, Task: taskKey, Seq: ptr(seq), Via: sandpit.ViaList, Link: ptr(link)})
	}
	t.Run("bad clicks name the field", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			args  app.ClickArgs
			field string
		}{
			{"a link the screen lacks", app.ClickArgs{Seq: ptr(1), Via: sandpit.ViaList, Link: ptr(1)}, "link"},
			{"a list click without a link", app.ClickArgs{Seq: ptr(1), Via: sandpit.ViaList}, "link"},
			{"an unknown way of clicking", app.ClickArgs{Seq: ptr(1), Via: "voice", X: ptr(1), Y: ptr(1)}, "via"},
		} {
			tc.args.TrialID, tc.args.Task = w.trial, taskKey
			_, err := tr.Click(w.ctx, a, tc.args)
			if fs := sandpit.FieldErrorsOf(err); sandpit.ErrorCode(err) != sandpit.EINVALID || len(fs) != 1 || fs[0].Field != tc.field {
				t.Errorf("%s: %v (%+v), want EINVALID naming %s", tc.name, err, fs, tc.field)
			}
		}
		if at := w.attemptNow(); at.LastSeq != 0 || at.Assisted() {
			t.Errorf("a refused click changed the attempt: %+v", at)
		}
	})
	if ans := w.click(1, 1, 1); ans.Hit {
		t.Fatal("a miss hit")
	}
	ans, err := list(2, 0)
	if err != nil || !ans.Hit || ans.Screen != "record" {
		t.Fatalf("list click = %+v, %v", ans, err)
	}
	// The same seq again answers as the first time and records nothing.
	if again, err := list(2, 0); err != nil || *again.ClickAnswer != *ans.ClickAnswer {
		t.Errorf("the list click again = %+v, %v", again, err)
	}
	if ans := w.click(3, 10, 260); !ans.Done || ans.Outcome != sandpit.OutcomeDirect {
		t.Fatalf("last click = %+v", ans)
	}
	at := w.attemptNow()
	if !at.Assisted() || at.Clicks != 3 || at.ListClicks != 1 || at.Misclicks != 1 || at.PointerClicks() != 2 {
		t.Errorf("attempt = %+v", at)
	}
	clicks, err := w.st.ClicksOf(w.ctx, at.ID)
	if err != nil || len(clicks) != 3 || clicks[1].Via != sandpit.ViaList || clicks[0].Via != sandpit.ViaPointer || clicks[2].Via != sandpit.ViaPointer {
		t.Errorf("clicks = %+v, %v", clicks, err)
	}
	if _, err := tr.Rate(w.ctx, a, app.RateArgs{TrialID: w.trial, Task: taskKey, Ease: ptr(4)}); err != nil {
		t.Fatal(err)
	}
	t.Run("the release report counts it assisted, and only pointer clicks can miss", func(t *testing.T) {
		rep, err := w.app.Reports.Release(w.ctx, w.actors[kindOwner], w.release)
		if err != nil {
			t.Fatal(err)
		}
		task := rep.Tasks[0]
		if task.Assisted != 1 || task.Attempts != 1 || task.MisclickRate != 0.5 {
			t.Errorf("task figures = %+v; want 1 assisted attempt and a misclick rate of 1/2", task)
		}
	})
}
