package store_test

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// TestFindingViewsOfAHandBuiltWorkflow lays out, row by row, a workflow of
// two releases whose findings hold reports of clinicians who agreed to
// research use and of some who declined, and checks every view of its
// findings against figures worked out by hand from METRICS.md: the finding
// rule over all of a finding's reports (over the consented ones only for
// research), participants and reports per release, and the order of the
// releases by their first report.
func TestFindingViewsOfAHandBuiltWorkflow(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t, time.Now)
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	team, err := s.CreateTeam(ctx, "Hand built", sandpit.AuditEntry{Action: sandpit.AuditTeamCreated})
	if err != nil {
		t.Fatal(err)
	}
	wf, err := s.CreateWorkflow(ctx, team.ID, sandpit.WorkflowInput{Title: "Drug chart", ConsentText: "ok"}, sandpit.AuditEntry{Action: sandpit.AuditWorkflowCreated})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(query string, args ...any) { t.Helper(); store.ExecForTest(t, s, query, args...) }
	// Release 0.1 (id 11) published on the 1st, 0.2 (id 12) on the 10th.
	exec(`INSERT INTO releases (id, workflow_id, version, status, created_at, published_at) VALUES (11, ?, '0.1', 'open', ?, ?), (12, ?, '0.2', 'open', ?, ?)`,
		wf, day(1, 8), day(1, 9), wf, day(10, 8), day(10, 9))
	// Clinicians A to E; A, C and E agreed to research use, B and D
	// declined. A, B and C tried 0.1; D and E tried 0.2.
	for i, email := range []string{"a", "b", "c", "d", "e"} {
		exec(`INSERT INTO users (id, email, email_lower, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'C', 'x', ?, ?)`,
			101+i, email+"@example.nhs.uk", email+"@example.nhs.uk", day(1, 8), day(1, 8))
	}
	for _, tr := range []struct {
		id, release, user int64
		research          bool
	}{{201, 11, 101, true}, {202, 11, 102, false}, {203, 11, 103, true}, {204, 12, 104, false}, {205, 12, 105, true}} {
		exec(`INSERT INTO trials (id, release_id, user_id, consent_version, research_use, consented_at) VALUES (?, ?, ?, 1, ?, ?)`,
			tr.id, tr.release, tr.user, tr.research, day(1, 9))
	}
	// F1 (301) new; F2 (302) titled and rated 1 by the product owner,
	// fixed on the 5th; F3 (303) fixed on the 15th; F4 (304) new; F5 (305)
	// emptied by a move; F6 (306) new.
	fixed5, fixed15 := day(5, 9), day(15, 9)
	one := 1
	for _, f := range []struct {
		id       int64
		title    string
		severity *int
		status   string
		response string
		fixedAt  *time.Time
	}{{301, "", nil, "new", "", nil}, {302, "Owner's title", &one, "fixed", "We moved it.", &fixed5}, {303, "", nil, "fixed", "", &fixed15},
		{304, "", nil, "new", "", nil}, {305, "", nil, "new", "", nil}, {306, "", nil, "new", "", nil}} {
		exec(`INSERT INTO findings (id, workflow_id, title, severity, status, response, created_at, updated_at, fixed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.id, wf, f.title, f.severity, f.status, f.response, day(2, 8), day(2, 8), f.fixedAt)
	}
	for _, r := range []struct {
		id, trial, finding int64
		at                 time.Time
		category           string
		severity           int
		safety             bool
		text               string
	}{
		{401, 202, 301, day(2, 9), "content", 2, false, "Banner hides the dose. More words here."},
		{402, 201, 301, day(3, 9), "layout", 4, true, "The dose is hidden! Really."},
		{403, 201, 301, day(4, 9), "layout", 1, false, "Again hidden."},
		{404, 205, 301, day(11, 9), "navigation", 3, false, "Still hidden in 0.2."},
		{405, 203, 302, day(2, 10), "navigation", 3, false, "Cannot find the list."},
		{406, 204, 302, day(12, 9), "layout", 4, true, "The list is gone."},
		// 407 and 408 at the same moment: the lower id is the earlier.
		{407, 204, 303, day(13, 9), "content", 3, false, "Another text."},
		{408, 205, 303, day(13, 9), "content", 2, false, "Where is the save button? It moved."},
		{409, 202, 304, day(6, 9), "content", 2, false, "Only a declined clinician saw this."},
		// 0.1 was still open: its report came after 0.2's.
		{410, 205, 306, day(14, 9), "layout", 1, false, "Later release first."},
		{411, 201, 306, day(16, 9), "layout", 1, false, "Older release, later report."},
	} {
		exec(`INSERT INTO reports (id, trial_id, task_key, screen, x, y, category, severity, safety_concern, text, created_at, finding_id)
			VALUES (?, ?, 't', 's', 1, 1, ?, ?, ?, ?, ?, ?)`, r.id, r.trial, r.category, r.severity, r.safety, r.text, r.at, r.finding)
	}

	// The finding rule over every report, and over the consented ones.
	type fields = sandpit.FindingFields
	all := map[int64]fields{
		301: {Title: "Banner hides the dose", Category: "content", Severity: 4, SafetyConcern: true, Status: "new"},
		302: {Title: "Owner's title", Category: "navigation", Severity: 1, SafetyConcern: true, Status: "persisting"},
		303: {Title: "Another text", Category: "content", Severity: 3, Status: "fixed"},
		304: {Title: "Only a declined clinician saw this", Category: "content", Severity: 2, Status: "new"},
		306: {Title: "Later release first", Category: "layout", Severity: 1, Status: "new"},
	}
	research := map[int64]fields{
		301: {Title: "The dose is hidden", Category: "layout", Severity: 4, SafetyConcern: true, Status: "new"},
		302: {Title: "Owner's title", Category: "navigation", Severity: 1, Status: "fixed"},
		303: {Title: "Where is the save button", Category: "content", Severity: 2, Status: "fixed"},
		306: all[306],
	}
	response := map[int64]string{302: "We moved it."}

	t.Run("release reports", func(t *testing.T) {
		for _, c := range []struct {
			name         string
			release      int64
			researchOnly bool
			rule         map[int64]fields
			participants map[int64]int // finding → distinct trials of the release
		}{
			{"0.1", 11, false, all, map[int64]int{301: 2, 302: 1, 304: 1, 306: 1}},
			{"0.1 for research", 11, true, research, map[int64]int{301: 1, 302: 1, 306: 1}},
			{"0.2", 12, false, all, map[int64]int{301: 1, 302: 1, 303: 2, 306: 1}},
			{"0.2 for research", 12, true, research, map[int64]int{301: 1, 303: 1, 306: 1}},
		} {
			t.Run(c.name, func(t *testing.T) {
				f, err := s.ReleaseFigures(ctx, c.release, c.researchOnly)
				if err != nil {
					t.Fatal(err)
				}
				got := map[int64]findings.FindingFigures{}
				for _, ff := range f.Findings {
					if !ff.CreatedAt.Equal(day(2, 8)) {
						t.Errorf("finding %d created at %v", ff.ID, ff.CreatedAt)
					}
					ff.CreatedAt = time.Time{}
					got[ff.ID] = ff
				}
				want := map[int64]findings.FindingFigures{}
				for id, n := range c.participants {
					r := c.rule[id]
					want[id] = findings.FindingFigures{ID: id, Title: r.Title, Category: r.Category, Severity: r.Severity, SafetyConcern: r.SafetyConcern,
						Status: r.Status, Response: response[id], Participants: n}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("findings\n got %+v\nwant %+v", got, want)
				}
			})
		}
	})

	t.Run("the findings board", func(t *testing.T) {
		ev := func(release int64, participants, reports int) store.FindingEvidence {
			return store.FindingEvidence{ReleaseID: release, Version: map[int64]string{11: "0.1", 12: "0.2"}[release], Participants: participants, Reports: reports}
		}
		type row struct {
			id           int64
			participants int
			reports      int
			frequency    float64
			evidence     []store.FindingEvidence
		}
		for _, c := range []struct {
			name         string
			researchOnly bool
			rule         map[int64]fields
			want         []row // in METRICS.md's order
		}{
			// Five trials: safety concerns first, then by severity.
			{"everyone", false, all, []row{
				{301, 3, 4, 3.0 / 5, []store.FindingEvidence{ev(11, 2, 3), ev(12, 1, 1)}},
				{302, 2, 2, 2.0 / 5, []store.FindingEvidence{ev(11, 1, 1), ev(12, 1, 1)}},
				{303, 2, 2, 2.0 / 5, []store.FindingEvidence{ev(12, 2, 2)}},
				{304, 1, 1, 1.0 / 5, []store.FindingEvidence{ev(11, 1, 1)}},
				{306, 2, 2, 2.0 / 5, []store.FindingEvidence{ev(12, 1, 1), ev(11, 1, 1)}},
			}},
			// Three consented trials; 306 before 302 on frequency.
			{"research only", true, research, []row{
				{301, 2, 3, 2.0 / 3, []store.FindingEvidence{ev(11, 1, 2), ev(12, 1, 1)}},
				{303, 1, 1, 1.0 / 3, []store.FindingEvidence{ev(12, 1, 1)}},
				{306, 2, 2, 2.0 / 3, []store.FindingEvidence{ev(12, 1, 1), ev(11, 1, 1)}},
				{302, 1, 1, 1.0 / 3, []store.FindingEvidence{ev(11, 1, 1)}},
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				list, err := s.WorkflowFindings(ctx, store.Scope{All: true, ResearchOnly: c.researchOnly}, wf)
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != len(c.want) {
					t.Fatalf("%d findings, want %d: %+v", len(list), len(c.want), list)
				}
				for i, w := range c.want {
					f := list[i]
					got := fields{Title: f.Title, Category: f.Category, Severity: f.Severity, SafetyConcern: f.SafetyConcern, Status: f.Status}
					if f.ID != w.id || got != c.rule[w.id] {
						t.Errorf("finding %d is %d %+v, want %d %+v", i, f.ID, got, w.id, c.rule[w.id])
					}
					if f.Participants != w.participants || f.Reports != w.reports || math.Abs(f.Frequency-w.frequency) > 1e-12 ||
						!reflect.DeepEqual(f.Evidence, w.evidence) {
						t.Errorf("finding %d: participants %d, reports %d, frequency %v, evidence %+v; want %d, %d, %v, %+v",
							f.ID, f.Participants, f.Reports, f.Frequency, f.Evidence, w.participants, w.reports, w.frequency, w.evidence)
					}
				}
			})
		}
	})

	t.Run("the research export", func(t *testing.T) {
		var got []store.ExportFinding
		if err := s.ExportFindings(ctx, []int64{11, 12}, func(f store.ExportFinding) error { got = append(got, f); return nil }); err != nil {
			t.Fatal(err)
		}
		// Consented trials: two of 0.1 (A, C), one of 0.2 (E).
		row := func(release, finding int64, frequency float64) store.ExportFinding {
			r := research[finding]
			return store.ExportFinding{FindingID: finding, WorkflowID: wf, ReleaseID: release, Release: map[int64]string{11: "0.1", 12: "0.2"}[release],
				Title: r.Title, Category: r.Category, Severity: r.Severity, SafetyConcern: r.SafetyConcern, Status: r.Status,
				Participants: 1, Frequency: frequency, Response: response[finding]}
		}
		want := []store.ExportFinding{row(11, 301, 0.5), row(11, 302, 0.5), row(11, 306, 0.5), row(12, 301, 1), row(12, 303, 1), row(12, 306, 1)}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("export findings\n got %+v\nwant %+v", got, want)
		}
	})

	t.Run("the safety list and My feedback", func(t *testing.T) {
		concerns, err := s.SafetyConcerns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(concerns) != 2 || concerns[0].ID != 406 || concerns[1].ID != 402 {
			t.Fatalf("safety concerns %+v, want reports 406 and 402", concerns)
		}
		for _, c := range concerns {
			if want := all[c.FindingID]; c.FindingTitle != want.Title || c.FindingStatus != want.Status {
				t.Errorf("safety concern %d shows %q, %q; want %q, %q", c.ID, c.FindingTitle, c.FindingStatus, want.Title, want.Status)
			}
		}
		// D's reports, newest first: only a product owner's title is shown.
		feedback, err := s.FeedbackOf(ctx, 104)
		if err != nil {
			t.Fatal(err)
		}
		type shown struct {
			report        int64
			title, status string
		}
		var got []shown
		for _, f := range feedback {
			got = append(got, shown{f.ReportID, f.FindingTitle, f.FindingStatus})
		}
		if want := []shown{{407, "", "fixed"}, {406, "Owner's title", "persisting"}}; !reflect.DeepEqual(got, want) {
			t.Errorf("My feedback shows %+v, want %+v", got, want)
		}
	})

	t.Run("findings acted on in November", func(t *testing.T) {
		fixed, planned, err := s.TeamFindingsActedOn(ctx, team.ID, day(1, 0), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		want := []store.MonthFinding{
			{ID: 302, WorkflowTitle: "Drug chart", Title: "Owner's title", Status: "fixed", Severity: 1, SafetyConcern: true, Response: "We moved it."},
			{ID: 303, WorkflowTitle: "Drug chart", Title: "Another text", Status: "fixed", Severity: 3},
		}
		if !reflect.DeepEqual(fixed, want) || len(planned) != 0 {
			t.Errorf("fixed %+v, planned %+v; want %+v and none", fixed, planned, want)
		}
	})
}
