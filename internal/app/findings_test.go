package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/export"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// readers may read a team's findings, reports and exports; every other kind
// is told they do not exist.
var readers = only(sandpit.ENOTFOUND, kindAdmin, kindOwner, kindResearcher)

// curators may change a team's findings; its researchers may see them but
// not change them.
var curators = with(only(sandpit.ENOTFOUND, kindAdmin, kindOwner), kindResearcher, sandpit.EFORBIDDEN)

// safetyOfficers may see and triage every safety concern.
var safetyOfficers = only(sandpit.EFORBIDDEN, kindAdmin, kindSafety)

// secondFinding adds a report on another screen, which starts a finding of
// its own, and returns its report and finding ids.
func (w *world) secondFinding() (int64, int64) {
	w.t.Helper()
	def, err := w.st.PublishedDefinition(w.ctx, w.release)
	if err != nil {
		w.t.Fatal(err)
	}
	tr := store.TrialWrite{TrialID: w.trial, UserID: w.actors[kindClinician].ID(), TaskKey: "reconcile", Def: def, Open: true}
	r, err := w.st.CreateReport(w.ctx, tr, w.workflow, sandpit.Report{TaskKey: "reconcile", Screen: "record", X: 10, Y: 10,
		Category: "layout", Severity: 1, Text: "The save button is small."})
	if err != nil {
		w.t.Fatal(err)
	}
	return r.ID, r.FindingID
}

func TestFindingsPermissions(t *testing.T) {
	title := "Allergy banner"
	checkPermissions(t, []permissionCase{
		{name: "Board", want: readers, run: func(w *world, a app.Actor) error {
			_, err := w.app.Findings.Board(w.ctx, a, w.workflow)
			return err
		}},
		// Safety officers open a finding holding a safety concern, read-only.
		{name: "Finding", want: with(readers, kindSafety, ""), run: func(w *world, a app.Actor) error {
			p, err := w.app.Findings.Finding(w.ctx, a, w.finding)
			if err == nil && p.CanCurate != sandpit.CanCurateFindings(a.User, w.team.ID) {
				return fmt.Errorf("may curate: %v", p.CanCurate)
			}
			return err
		}},
		{name: "Finding without a safety concern", want: readers, writes: true, run: func(w *world, a app.Actor) error {
			_, other := w.secondFinding()
			_, err := w.app.Findings.Finding(w.ctx, a, other)
			return err
		}},
		{name: "Summary", want: readers, run: func(w *world, a app.Actor) error {
			_, err := w.app.Findings.Summary(w.ctx, a, w.finding)
			return err
		}},
		{name: "Update", want: curators, writes: true, run: func(w *world, a app.Actor) error {
			_, err := w.app.Findings.Update(w.ctx, a, w.finding, sandpit.FindingUpdate{Title: &title})
			return err
		}},
		{name: "Merge", want: curators, writes: true, run: func(w *world, a app.Actor) error {
			_, other := w.secondFinding()
			_, err := w.app.Findings.Merge(w.ctx, a, w.finding, []int64{other})
			return err
		}},
		{name: "MoveReport", want: curators, writes: true, run: func(w *world, a app.Actor) error {
			report, _ := w.secondFinding()
			_, err := w.app.Findings.MoveReport(w.ctx, a, report, w.finding)
			return err
		}},
	})
}

func TestSafetyPermissions(t *testing.T) {
	checkPermissions(t, []permissionCase{
		{name: "Concerns", want: safetyOfficers, run: func(w *world, a app.Actor) error {
			_, err := w.app.Safety.Concerns(w.ctx, a, "")
			return err
		}},
		{name: "Triage", want: safetyOfficers, writes: true, run: func(w *world, a app.Actor) error {
			_, err := w.app.Safety.Triage(w.ctx, a, w.report, sandpit.Triage{Status: sandpit.TriageUnderReview})
			return err
		}},
	})
}

func TestReportsPermissions(t *testing.T) {
	checkPermissions(t, []permissionCase{
		{name: "Release", want: readers, run: func(w *world, a app.Actor) error {
			_, err := w.app.Reports.Release(w.ctx, a, w.release)
			return err
		}},
		{name: "ReleasePage", want: readers, run: func(w *world, a app.Actor) error {
			_, err := w.app.Reports.ReleasePage(w.ctx, a, w.release)
			return err
		}},
		{name: "ShowAndTell", want: readers, run: func(w *world, a app.Actor) error {
			_, err := w.app.Reports.ShowAndTell(w.ctx, a, w.release)
			return err
		}},
	})
}

func TestExportsPermissions(t *testing.T) {
	for kind, of := range map[string]func(w *world) app.ExportOf{
		app.ExportRelease:  func(w *world) app.ExportOf { return app.ExportOf{Kind: app.ExportRelease, ID: w.release} },
		app.ExportWorkflow: func(w *world) app.ExportOf { return app.ExportOf{Kind: app.ExportWorkflow, ID: w.workflow} },
	} {
		t.Run(kind, func(t *testing.T) { checkExportPermissions(t, of) })
	}
}

func checkExportPermissions(t *testing.T, of func(w *world) app.ExportOf) {
	checkPermissions(t, []permissionCase{
		{name: "Scope", want: readers, run: func(w *world, a app.Actor) error {
			_, err := w.app.Exports.Scope(w.ctx, a, of(w))
			return err
		}},
		{name: "Sizes", want: readers, run: func(w *world, a app.Actor) error {
			_, err := w.app.Exports.Sizes(w.ctx, a, of(w))
			return err
		}},
		{name: "Download", want: readers, writes: true, run: func(w *world, a app.Actor) error {
			return w.app.Exports.Download(w.ctx, a, of(w), export.FormatJSON, "", func(*app.ExportScope) io.Writer { return io.Discard })
		}},
	})
}

func TestCurationIsAudited(t *testing.T) {
	w := newWorld(t)
	owner := w.actors[kindOwner]
	reason := "The banner is the design system's."
	status := sandpit.FindingWontFix
	if _, err := w.app.Findings.Update(w.ctx, owner, w.finding, sandpit.FindingUpdate{Status: &status}); sandpit.ErrorCode(err) != sandpit.EINVALID ||
		len(sandpit.FieldErrorsOf(err)) != 1 || sandpit.FieldErrorsOf(err)[0].Field != "reason" || sandpit.FieldErrorsOf(err)[0].Code != sandpit.FieldRequired {
		t.Fatalf("wont_fix without a reason: %v, fields %v", err, sandpit.FieldErrorsOf(err))
	}
	if _, err := w.app.Safety.Triage(w.ctx, w.actors[kindSafety], w.report, sandpit.Triage{Status: sandpit.TriageHazardLogged}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Findings.Update(w.ctx, owner, w.finding, sandpit.FindingUpdate{Status: &status, Reason: &reason}); err != nil {
		t.Fatal(err)
	}
	if err := w.app.Exports.Download(w.ctx, w.actors[kindResearcher], app.ExportOf{Kind: app.ExportRelease, ID: w.release},
		export.FormatCSV, export.TableReports, func(*app.ExportScope) io.Writer { return io.Discard }); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action string
		actor  int64
		team   bool
	}{
		{sandpit.AuditFindingUpdated, owner.ID(), true},
		{sandpit.AuditSafetyTriaged, w.actors[kindSafety].ID(), false},
		{sandpit.AuditExport, w.actors[kindResearcher].ID(), true},
	}
	for _, tt := range want {
		events, _, err := w.st.AuditEvents(w.ctx, store.AuditFilter{Action: tt.action, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].ActorID == nil || *events[0].ActorID != tt.actor || events[0].IP != "192.0.2.1" ||
			(tt.team && (events[0].TeamID == nil || *events[0].TeamID != w.team.ID)) {
			t.Errorf("%s: events %+v", tt.action, events)
		}
	}
}

// TestFindingRuleAcrossReleases follows one finding raised in 0.1 as a
// safety concern of severity 3, given a long title by its product owner and
// marked fixed, then reported again (severity 1, not flagged) from 0.2,
// published after the fix. Every view must show the owner's title whole,
// the finding as persisting, the safety flag and severity 3 from 0.1.
func TestFindingRuleAcrossReleases(t *testing.T) {
	w := newWorld(t)
	owner, clinician := w.actors[kindOwner], w.actors[kindClinician]
	title := "The allergy banner covers the dose field on the drug chart, so the dose cannot be read at all"
	fixed, reason := sandpit.FindingFixed, "The banner now sits above the chart."
	if _, err := w.app.Safety.Triage(w.ctx, w.actors[kindSafety], w.report, sandpit.Triage{Status: sandpit.TriageHazardLogged}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Findings.Update(w.ctx, owner, w.finding, sandpit.FindingUpdate{Title: &title, Status: &fixed, Reason: &reason}); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(24 * time.Hour)
	second := w.publish(w.workflow, "0.2")
	w.clock.Advance(time.Hour)
	trial, _, err := w.st.StartTrial(w.ctx, second, clinician.ID(), 1, true, sandpit.AuditEntry{Action: sandpit.AuditConsent})
	if err != nil {
		t.Fatal(err)
	}
	def, err := w.st.PublishedDefinition(w.ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.st.CreateReport(w.ctx, store.TrialWrite{TrialID: trial.ID, UserID: clinician.ID(), TaskKey: "reconcile", Def: def, Open: true},
		w.workflow, sandpit.Report{TaskKey: "reconcile", Screen: "list", X: 52, Y: 131, Category: "navigation", Severity: 1,
			Text: "The allergy banner hides the dose."})
	if err != nil {
		t.Fatal(err)
	}
	if r.FindingID != w.finding {
		t.Fatalf("the 0.2 report joined finding %d, want %d", r.FindingID, w.finding)
	}
	want := sandpit.FindingFields{Title: title, Category: "navigation", Severity: 3, SafetyConcern: true, Status: sandpit.FindingPersisting}
	check := func(view string, got sandpit.FindingFields) {
		t.Helper()
		if got != want {
			t.Errorf("%s shows %+v, want %+v", view, got, want)
		}
	}
	fromSummary := func(f store.FindingSummary) sandpit.FindingFields {
		return sandpit.FindingFields{Title: f.Title, Category: f.Category, Severity: f.Severity, SafetyConcern: f.SafetyConcern, Status: f.Status}
	}

	board, err := w.app.Findings.Board(w.ctx, owner, w.workflow)
	if err != nil || len(board.Findings) != 1 {
		t.Fatalf("board: %v, %d findings", err, len(board.Findings))
	}
	check("the board", fromSummary(board.Findings[0]))
	page, err := w.app.Findings.Finding(w.ctx, owner, w.finding)
	if err != nil {
		t.Fatal(err)
	}
	check("the finding page", fromSummary(page.Finding.FindingSummary))
	if len(page.Finding.Evidence) != 2 || page.Finding.Participants != 2 || page.Finding.Reports != 2 {
		t.Errorf("evidence %+v, participants %d, reports %d; want 2 releases, 2 and 2", page.Finding.Evidence, page.Finding.Participants, page.Finding.Reports)
	}

	for _, rel := range []struct {
		id      int64
		version string
	}{{w.release, "0.1"}, {second, "0.2"}} {
		rep, err := w.app.Reports.Release(w.ctx, owner, rel.id)
		if err != nil || len(rep.Findings) != 1 {
			t.Fatalf("report of %s: %v, %+v", rel.version, err, rep)
		}
		f := rep.Findings[0]
		check("the report of "+rel.version, sandpit.FindingFields{Title: f.Title, Category: f.Category, Severity: f.Severity, SafetyConcern: f.SafetyConcern, Status: f.Status})
		// Only participants and frequency are the release's own: one of its
		// one trial.
		if f.Participants != 1 || f.Frequency != 1 {
			t.Errorf("report of %s: participants %d, frequency %v; want 1 and 1", rel.version, f.Participants, f.Frequency)
		}
	}
	st, err := w.app.Reports.ShowAndTell(w.ctx, owner, second)
	if err != nil {
		t.Fatal(err)
	}
	if f := st.Report.Findings[0]; f.Title != title || f.Status != sandpit.FindingPersisting || !f.SafetyConcern {
		t.Errorf("show-and-tell shows %+v", f)
	}

	concerns, err := w.app.Safety.Concerns(w.ctx, w.actors[kindSafety], "")
	if err != nil || len(concerns) != 1 {
		t.Fatalf("safety concerns: %v, %+v", err, concerns)
	}
	if c := concerns[0]; c.FindingTitle != title || c.FindingStatus != sandpit.FindingPersisting {
		t.Errorf("the safety list shows %q, %q", c.FindingTitle, c.FindingStatus)
	}

	feedback, err := w.app.Trials.Feedback(w.ctx, clinician)
	if err != nil || len(feedback.Items) != 2 {
		t.Fatalf("my feedback: %v, %+v", err, feedback)
	}
	for _, f := range feedback.Items {
		if f.FindingTitle != title || f.FindingStatus != sandpit.FindingPersisting {
			t.Errorf("my feedback shows %q, %q", f.FindingTitle, f.FindingStatus)
		}
	}

	var buf bytes.Buffer
	err = w.app.Exports.Download(w.ctx, w.actors[kindResearcher], app.ExportOf{Kind: app.ExportWorkflow, ID: w.workflow}, export.FormatJSON, "",
		func(*app.ExportScope) io.Writer { return &buf })
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tables struct {
			Findings []struct {
				Release       string `json:"release"`
				Title         string `json:"title"`
				Category      string `json:"category"`
				Severity      int    `json:"severity"`
				SafetyConcern bool   `json:"safety_concern"`
				Status        string `json:"status"`
			} `json:"findings"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Tables.Findings) != 2 {
		t.Fatalf("export findings rows: %+v", doc.Tables.Findings)
	}
	for _, f := range doc.Tables.Findings {
		check("the export's "+f.Release+" row", sandpit.FindingFields{Title: f.Title, Category: f.Category, Severity: f.Severity, SafetyConcern: f.SafetyConcern, Status: f.Status})
	}
}

// TestReadScope checks that the scope the store narrows reads to holds
// exactly the teams CanViewTeam lets each kind of actor see, and that a
// read out of scope finds nothing even with no check before it.
func TestReadScope(t *testing.T) {
	w := newWorld(t)
	for _, kind := range kinds {
		u := w.actors[kind].User
		for _, team := range []*sandpit.Team{w.team, w.other} {
			if got, want := sandpit.ReadScope(u).Has(team.ID), sandpit.CanViewTeam(u, team.ID); got != want {
				t.Errorf("%s, team %s: in scope %v, may view %v", kind, team.Name, got, want)
			}
		}
		read := sandpit.ReadScope(u)
		scope := store.Scope{All: read.All, Teams: read.TeamIDs}
		_, err := w.st.FindingMeta(w.ctx, scope, w.finding)
		_, rerr := w.st.ReportMeta(w.ctx, scope, w.report)
		list, lerr := w.st.WorkflowFindings(w.ctx, scope, w.workflow)
		if lerr != nil {
			t.Fatal(lerr)
		}
		if visible := sandpit.CanViewTeam(u, w.team.ID); visible != (err == nil) || visible != (rerr == nil) || visible != (len(list) == 1) {
			t.Errorf("%s: finding %v, report %v, %d findings listed; may view %v", kind, err, rerr, len(list), visible)
		}
	}
}
