package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/export"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// finishTask runs task reconcile of trial as a, straight along its optimal
// path: two clicks, the second reaching the success screen.
func (w *world) finishTask(a app.Actor, trial int64) {
	w.t.Helper()
	if _, err := w.app.Trials.StartAttempt(w.ctx, a, trial, "reconcile"); err != nil {
		w.t.Fatal(err)
	}
	for seq, p := range [][2]int{{100, 140}, {200, 270}} {
		n, x, y := seq+1, p[0], p[1]
		if _, err := w.app.Trials.Click(w.ctx, a, app.ClickArgs{TrialID: trial, Task: "reconcile", Seq: &n, X: &x, Y: &y}); err != nil {
			w.t.Fatal(err)
		}
	}
}

// TestResearchersSeeConsentedTrialsOnly gives the world's release a second
// clinician who declined research use, with a task done and a finding of
// their own. The product owner's pages count both clinicians; the
// researcher's count only the consenting one, as the export does.
func TestResearchersSeeConsentedTrialsOnly(t *testing.T) {
	w := newWorld(t)
	n := sandpit.NewUser{Email: "declined@example.nhs.uk", Name: "Declined", Roles: []sandpit.Role{sandpit.RoleClinician},
		Profile: &sandpit.Profile{Profession: "doctor", Setting: "acute", YearsExperience: 9, LegacyFamiliarity: 4}}
	if _, err := w.st.CreateUser(w.ctx, n, "not a hash", sandpit.AuditEntry{Action: sandpit.AuditUserCreated}); err != nil {
		t.Fatal(err)
	}
	declined := w.actor(n.Email)
	tr, _, err := w.st.StartTrial(w.ctx, w.release, declined.ID(), 1, false, sandpit.AuditEntry{Action: sandpit.AuditConsent})
	if err != nil {
		t.Fatal(err)
	}
	w.finishTask(declined, tr.ID)
	w.finishTask(w.actors[kindClinician], w.trial)
	def, err := w.st.PublishedDefinition(w.ctx, w.release)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.st.CreateReport(w.ctx, store.TrialWrite{TrialID: tr.ID, UserID: declined.ID(), TaskKey: "reconcile", Def: def, Open: true}, w.workflow,
		sandpit.Report{Screen: "done", X: 10, Y: 10, Category: "layout", Severity: 1, Text: "Words only the team may read."})
	if err != nil {
		t.Fatal(err)
	}
	owner, researcher := w.actors[kindOwner], w.actors[kindResearcher]

	for _, c := range []struct {
		who                     string
		a                       app.Actor
		participants, findings  int
		clicks                  int
		seesTheDeclinedsFinding bool
	}{
		{"the product owner", owner, 2, 2, 4, true},
		{"the researcher", researcher, 1, 1, 2, false},
	} {
		t.Run(c.who, func(t *testing.T) {
			page, err := w.app.Reports.ReleasePage(w.ctx, c.a, w.release)
			if err != nil {
				t.Fatal(err)
			}
			clicks := 0
			for _, screens := range page.Clicks {
				for _, points := range screens {
					for _, p := range points {
						clicks += p.N
					}
				}
			}
			if page.Report.Participants.N != c.participants || len(page.Report.Findings) != c.findings || clicks != c.clicks ||
				page.Report.Tasks[0].Attempts != c.participants {
				t.Errorf("report: %d participants, %d findings, %d clicks, %d attempts; want %d, %d, %d, %d", page.Report.Participants.N,
					len(page.Report.Findings), clicks, page.Report.Tasks[0].Attempts, c.participants, c.findings, c.clicks, c.participants)
			}
			board, err := w.app.Findings.Board(w.ctx, c.a, w.workflow)
			if err != nil || len(board.Findings) != c.findings {
				t.Errorf("board: %v, %d findings, want %d", err, len(board.Findings), c.findings)
			}
			_, err = w.app.Findings.Finding(w.ctx, c.a, r.FindingID)
			if (err == nil) != c.seesTheDeclinedsFinding {
				t.Errorf("the declined clinician's finding: %v", err)
			}
			st, err := w.app.Reports.ShowAndTell(w.ctx, c.a, w.release)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range st.Quotes {
				if q == "Words only the team may read." && !c.seesTheDeclinedsFinding {
					t.Errorf("show-and-tell quotes the declined clinician")
				}
			}
		})
	}

	t.Run("the researcher's report agrees with the export", func(t *testing.T) {
		var buf bytes.Buffer
		err := w.app.Exports.Download(w.ctx, researcher, app.ExportOf{Kind: app.ExportRelease, ID: w.release}, export.FormatJSON, "",
			func(*app.ExportScope) io.Writer { return &buf })
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Tables map[string][]map[string]any `json:"tables"`
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		rep, err := w.app.Reports.Release(w.ctx, researcher, w.release)
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Tables["participants"]) != rep.Participants.N || len(doc.Tables["findings"]) != len(rep.Findings) || len(doc.Tables["clicks"]) != 2 {
			t.Errorf("export: %d participants, %d findings, %d clicks; report: %d participants, %d findings",
				len(doc.Tables["participants"]), len(doc.Tables["findings"]), len(doc.Tables["clicks"]), rep.Participants.N, len(rep.Findings))
		}
	})
}
