package app_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// benefitsDefinition is a release of three tasks over the test screens,
// done 12, 4 and 2 times a day.
func benefitsDefinition(t testing.TB, version string, baseline bool) sandpit.Definition {
	def := testDefinition(t, version)
	def.Baseline = baseline
	task := def.Tasks[0]
	def.Tasks = nil
	for _, k := range []struct {
		key   string
		daily float64
	}{{"reconcile", 12}, {"check", 4}, {"triage", 2}} {
		task.Key, task.Title, task.DailyFrequency = k.key, "Task "+k.key, k.daily
		def.Tasks = append(def.Tasks, task)
	}
	return def
}

// releaseWith publishes def as a release of workflow, with one synthetic
// trial per attempt: times are the seconds of successful attempts of each
// task, gaveUp how many more attempts of it gave up.
func (w *world) releaseWith(workflow int64, def sandpit.Definition, times map[string][]float64, gaveUp map[string]int) int64 {
	w.t.Helper()
	w.clock.Advance(time.Hour)
	images, err := def.CheckImages()
	if err != nil {
		w.t.Fatal(err)
	}
	id, err := w.st.CreateRelease(w.ctx, workflow, def, images)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.st.SetReleaseStatus(w.ctx, id, sandpit.StatusDraft, sandpit.StatusOpen, sandpit.AuditEntry{Action: sandpit.AuditReleasePublish}); err != nil {
		w.t.Fatal(err)
	}
	n := 0
	for _, task := range def.Tasks {
		n = max(n, len(times[task.Key])+gaveUp[task.Key])
	}
	start := w.clock.Now()
	var trials []store.SyntheticTrial
	for i := range n {
		tr := store.SyntheticTrial{Email: fmt.Sprintf("w%d-%s-%d@example.nhs.uk", workflow, def.Version, i), Name: "Synthetic",
			Profile: sandpit.Profile{Profession: "nurse", Setting: "acute", YearsExperience: 3, LegacyFamiliarity: 2}, ConsentedAt: start}
		for _, task := range def.Tasks {
			a := sandpit.NewAttempt(0, &task, start)
			end := start.Add(time.Minute)
			switch {
			case i < len(times[task.Key]):
				ms := int64(times[task.Key][i] * 1000)
				a.Outcome, a.DurationMs, a.Path, a.Screen = sandpit.OutcomeDirect, &ms, task.OptimalPath, task.Success[0]
			case i < len(times[task.Key])+gaveUp[task.Key]:
				a.Outcome = sandpit.OutcomeGaveUp
			default:
				continue
			}
			a.EndedAt = &end
			tr.Attempts = append(tr.Attempts, store.SyntheticAttempt{Attempt: *a})
		}
		trials = append(trials, tr)
	}
	if _, _, err := w.st.InsertSyntheticTrials(w.ctx, id, trials); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// benefitsWorld adds to the world: in its team, "Allergies" with 200 staff,
// a baseline and a later release (the figure), and "Discharge" with the same
// trials but no staff count; in the other team, "Handover" with 50 staff
// but only two successful attempts a side, and "Referral" with no release.
func benefitsWorld(t *testing.T) *world {
	w := newWorld(t)
	create := func(teamID int64, title string, staff *int) int64 {
		id, err := w.st.CreateWorkflow(w.ctx, teamID, sandpit.WorkflowInput{Title: title, ConsentText: "Yes."}, sandpit.AuditEntry{Action: sandpit.AuditWorkflowCreated})
		if err != nil {
			t.Fatal(err)
		}
		if staff != nil {
			source := "ESR headcount, Nov 2026"
			if _, err := w.app.Authoring.UpdateWorkflow(w.ctx, w.actors[kindAdmin], id, app.WorkflowPatch{SetStaffCount: true, StaffCount: staff, StaffCountSource: &source}); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	two, fifty := 200, 50
	// Baseline "reconcile": geomean 100 s, logs ±ln 2 around it; release:
	// geomean 60 s, the same spread. "check": every time 80 s, then 40 s.
	// "triage": 5 successes, then 3 successes and 2 gave up.
	baseTimes := map[string][]float64{"reconcile": {50, 100, 200, 100, 100}, "check": {80, 80, 80, 80, 80}, "triage": {30, 30, 30, 30, 30}}
	newTimes := map[string][]float64{"reconcile": {30, 60, 120, 60, 60}, "check": {40, 40, 40, 40, 40}, "triage": {20, 20, 20}}
	for _, wf := range []struct {
		team  int64
		title string
		staff *int
	}{{w.team.ID, "Allergies", &two}, {w.team.ID, "Discharge", nil}} {
		id := create(wf.team, wf.title, wf.staff)
		w.releaseWith(id, benefitsDefinition(t, "legacy", true), baseTimes, nil)
		w.releaseWith(id, benefitsDefinition(t, "1.0", false), newTimes, map[string]int{"triage": 2})
	}
	handover := create(w.other.ID, "Handover", &fifty)
	w.releaseWith(handover, benefitsDefinition(t, "legacy", true), map[string][]float64{"reconcile": {100, 100}}, nil)
	w.releaseWith(handover, benefitsDefinition(t, "1.0", false), map[string][]float64{"reconcile": {60, 60}}, nil)
	create(w.other.ID, "Referral", &fifty)
	return w
}

// TestBenefitsFigures checks the benefits case against figures worked out
// by hand from METRICS.md, on SQLite and (with SANDPIT_TEST_POSTGRES) on
// PostgreSQL.
func TestBenefitsFigures(t *testing.T) {
	w := benefitsWorld(t)
	// reconcile: ratio 60/100 = 0.6; each side's log times have variance
	// (ln 2)²/2, so se = ln 2·√(2·(1/2)/5) = ln 2·√0.2 and Welch's df = 8,
	// t(8) = 2.306004135 (a table of Student's t).
	const t8 = 2.306004135033371
	m := t8 * math.Ln2 * math.Sqrt(0.2)
	savedLo, savedHi := 100*(1-0.6*math.Exp(m)), 100*(1-0.6*math.Exp(-m)) // seconds
	// hours a year = seconds × daily frequency × 225 ÷ 3600 × 200 staff
	perSecond := func(daily float64) float64 { return daily * 225 / 3600 * 200 }
	reconcile := [3]float64{40 * perSecond(12), savedLo * perSecond(12), savedHi * perSecond(12)} // 6000 h
	check := [3]float64{40 * perSecond(4), 40 * perSecond(4), 40 * perSecond(4)}                  // 2000 h, all times equal
	total := [3]float64{reconcile[0] + check[0], reconcile[1] + check[1], reconcile[2] + check[2]}
	if math.Abs(reconcile[0]-6000) > 1e-9 || math.Abs(check[0]-2000) > 1e-9 {
		t.Fatalf("the hand-worked figures are wrong: %v %v", reconcile, check)
	}

	bc, err := w.app.Benefits.Case(w.ctx, w.actors[kindAdmin])
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]app.WorkflowBenefits{}
	for _, wb := range bc.Workflows {
		byTitle[wb.Title] = wb
	}
	near := func(what string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-4 {
			t.Errorf("%s = %v, want %.4f", what, deref(got), want)
		}
	}
	ci := func(what string, got *[2]float64, lo, hi float64) {
		t.Helper()
		if got == nil || math.Abs(got[0]-lo) > 1e-4 || math.Abs(got[1]-hi) > 1e-4 {
			t.Errorf("%s interval = %v, want [%.4f, %.4f]", what, got, lo, hi)
		}
	}

	t.Run("a workflow with a staff count adds its tasks' hours and interval bounds", func(t *testing.T) {
		a := byTitle["Allergies"]
		if a.Reason != "" || a.Baseline == nil || a.Baseline.Version != "legacy" || a.Release == nil || a.Release.Version != "1.0" {
			t.Fatalf("Allergies = %+v", a)
		}
		tasks := map[string]app.TaskBenefits{}
		for _, tb := range a.Tasks {
			tasks[tb.Key] = tb
		}
		near("reconcile time saved", tasks["reconcile"].TimeSavedS, 40)
		ci("reconcile time saved", (*[2]float64)(tasks["reconcile"].TimeSavedCI), savedLo, savedHi)
		near("reconcile hours", tasks["reconcile"].HoursPerYear, reconcile[0])
		ci("reconcile hours", (*[2]float64)(tasks["reconcile"].HoursCI), reconcile[1], reconcile[2])
		near("check hours", tasks["check"].HoursPerYear, check[0])
		ci("check hours", (*[2]float64)(tasks["check"].HoursCI), check[1], check[2])
		if tasks["triage"].HoursPerYear != nil || tasks["triage"].HoursCI != nil || tasks["triage"].TimeSavedS != nil {
			t.Errorf("triage, with 3 successes, has a figure: %+v", tasks["triage"])
		}
		// Success against the baseline: 3 of 5 after 5 of 5.
		near("triage success difference", tasks["triage"].SuccessDifference, -0.4)
		near("reconcile success difference", tasks["reconcile"].SuccessDifference, 0)
		if v := tasks["reconcile"].SuccessVerdict; v == nil || *v != "no_clear_change" {
			t.Errorf("reconcile success verdict = %v", v)
		}
		if v := tasks["check"].TimeVerdict; v == nil || *v != "better" {
			t.Errorf("check time verdict = %v, want better (40 s after 80 s, no spread)", v)
		}
		near("Allergies hours", a.HoursPerYear, total[0])
		ci("Allergies hours", (*[2]float64)(a.HoursCI), total[1], total[2])
	})

	t.Run("workflows without a figure are listed with the reason", func(t *testing.T) {
		want := map[string]string{"Discharge": app.ReasonNoStaffCount, "Handover": app.ReasonTooFew, "Referral": app.ReasonNoBaseline,
			"Medicines reconciliation": app.ReasonNoBaseline}
		for title, reason := range want {
			if got := byTitle[title]; got.Reason != reason || got.HoursPerYear != nil || got.HoursCI != nil {
				t.Errorf("%s: reason %q, hours %v, want %q and none", title, got.Reason, deref(got.HoursPerYear), reason)
			}
		}
		if n := len(bc.NotCountable()); n != len(want) {
			t.Errorf("%d workflows not countable, want %d", n, len(want))
		}
	})

	t.Run("teams and the organisation add the countable workflows", func(t *testing.T) {
		near("organisation hours", bc.HoursPerYear, total[0])
		ci("organisation hours", (*[2]float64)(bc.HoursCI), total[1], total[2])
		teams := map[string]app.TeamBenefits{}
		for _, tb := range bc.Teams {
			teams[tb.Name] = tb
		}
		near("Medicines hours", teams["Medicines"].HoursPerYear, total[0])
		if m := teams["Maternity"]; m.HoursPerYear != nil {
			t.Errorf("Maternity has no countable workflow but %v hours", *m.HoursPerYear)
		}
	})

	t.Run("a product owner sees only their teams", func(t *testing.T) {
		for kind, titles := range map[string][]string{kindOwner: {"Allergies", "Discharge", "Medicines reconciliation"}, kindOtherOwner: {"Handover", "Referral"}} {
			got, err := w.app.Benefits.Case(w.ctx, w.actors[kind])
			if err != nil {
				t.Fatal(err)
			}
			var seen []string
			for _, wb := range got.Workflows {
				seen = append(seen, wb.Title)
			}
			if fmt.Sprint(seen) != fmt.Sprint(titles) {
				t.Errorf("%s sees %v, want %v", kind, seen, titles)
			}
		}
	})
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestShowAndTellMonthsInLondon checks that a month is a calendar month in
// Europe/London: 23:30 UTC on 31 October is still 31 October in GMT, and
// 23:30 UTC on 30 September is already 1 October in BST.
func TestShowAndTellMonthsInLondon(t *testing.T) {
	w := newWorld(t)
	publishAt := func(at time.Time, version string) {
		t.Helper()
		st := w.st.WithClock(func() time.Time { return at })
		def := testDefinition(t, version)
		images, err := def.CheckImages()
		if err != nil {
			t.Fatal(err)
		}
		id, err := st.CreateRelease(w.ctx, w.workflow, def, images)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetReleaseStatus(w.ctx, id, sandpit.StatusDraft, sandpit.StatusOpen, sandpit.AuditEntry{Action: sandpit.AuditReleasePublish}); err != nil {
			t.Fatal(err)
		}
	}
	publishAt(time.Date(2026, 9, 30, 22, 59, 0, 0, time.UTC), "sep-bst")    // 23:59 BST, 30 September
	publishAt(time.Date(2026, 9, 30, 23, 30, 0, 0, time.UTC), "oct-bst")    // 00:30 BST, 1 October
	publishAt(time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC), "oct-gmt")   // 23:30 GMT, 31 October
	publishAt(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), "nov-midnight") // 00:00 GMT, 1 November
	versions := func(month string) []string {
		t.Helper()
		m, err := w.app.Benefits.ShowAndTell(w.ctx, w.actors[kindOwner], w.team.ID, month)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range m.Releases {
			out = append(out, r.Version)
		}
		return out
	}
	for month, want := range map[string]string{"2026-09": "[sep-bst]", "2026-10": "[oct-bst oct-gmt]"} {
		if got := fmt.Sprint(versions(month)); got != want {
			t.Errorf("%s: releases %s, want %s", month, got, want)
		}
	}
	if got := fmt.Sprint(versions("2026-11")); got != "[0.1 nov-midnight]" && got != "[nov-midnight 0.1]" {
		t.Errorf("2026-11: releases %s, want nov-midnight and the world's 0.1", got)
	}
	t.Run("a month that has not started is refused", func(t *testing.T) {
		_, err := w.app.Benefits.ShowAndTell(w.ctx, w.actors[kindOwner], w.team.ID, "2026-12")
		if sandpit.ErrorCode(err) != sandpit.EINVALID {
			t.Errorf("December 2026 on 25 November: %v", err)
		}
	})
}

func TestBenefitsPermissions(t *testing.T) {
	members := only(sandpit.ENOTFOUND, kindAdmin, kindOwner)
	members[kindResearcher] = sandpit.EFORBIDDEN // sees the team, not its show-and-tells
	edit := with(only(sandpit.ENOTFOUND, kindAdmin, kindOwner), kindResearcher, sandpit.EFORBIDDEN)
	checkPermissions(t, []permissionCase{
		{name: "Case", want: with(with(only(sandpit.EFORBIDDEN, kindAdmin, kindOwner, kindOtherOwner), kindResearcher, sandpit.EFORBIDDEN), kindOtherResearcher, sandpit.EFORBIDDEN),
			run: func(w *world, a app.Actor) error {
				_, err := w.app.Benefits.Case(w.ctx, a)
				return err
			}},
		{name: "ShowAndTell", want: members, run: func(w *world, a app.Actor) error {
			_, err := w.app.Benefits.ShowAndTell(w.ctx, a, w.team.ID, "2026-11")
			return err
		}},
		{name: "Rhythm", want: members, run: func(w *world, a app.Actor) error {
			_, err := w.app.Benefits.Rhythm(w.ctx, a, w.team.ID)
			return err
		}},
		{name: "RecordShowAndTell", want: members, writes: true, run: func(w *world, a app.Actor) error {
			_, err := w.app.Benefits.RecordShowAndTell(w.ctx, a, w.team.ID, "2026-11", sandpit.ShowAndTellSession{On: "2026-11-24", Attendees: 12})
			return err
		}},
		{name: "UpdateWorkflow staff count", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			n, source := 120, "ESR headcount, Nov 2026"
			_, err := w.app.Authoring.UpdateWorkflow(w.ctx, a, w.workflow, app.WorkflowPatch{SetStaffCount: true, StaffCount: &n, StaffCountSource: &source})
			return err
		}},
	})
}
