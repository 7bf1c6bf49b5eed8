package app_test

import (
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

func TestHomeShowsEachRoleItsOwnSection(t *testing.T) {
	w := newWorld(t)
	// The world's one report was made now; eight days on it is no longer
	// new, and a second release opens with nobody in it yet.
	w.clock.Advance(8 * 24 * time.Hour)
	second := w.publish(w.workflow, "0.2")

	sections := func(d *app.Dashboard) [4]bool {
		return [4]bool{d.Clinician != nil, d.Owner != nil, d.Safety != nil, d.Admin != nil}
	}
	for _, c := range []struct {
		kind string
		want [4]bool // clinician, owner, safety, admin
	}{
		{kindAdmin, [4]bool{false, false, false, true}},
		{kindOwner, [4]bool{false, true, false, false}},
		{kindOtherOwner, [4]bool{false, true, false, false}},
		{kindResearcher, [4]bool{}},
		{kindOtherResearcher, [4]bool{}},
		{kindClinician, [4]bool{true, false, false, false}},
		{kindSafety, [4]bool{false, false, true, false}},
	} {
		t.Run(c.kind, func(t *testing.T) {
			d, err := w.app.Home.Dashboard(w.ctx, w.actors[c.kind])
			if err != nil {
				t.Fatal(err)
			}
			if got := sections(d); got != c.want {
				t.Fatalf("sections (clinician, owner, safety, admin) = %v, want %v", got, c.want)
			}
			switch c.kind {
			case kindClinician:
				if len(d.Clinician.InProgress) != 1 || d.Clinician.InProgress[0].ReleaseID != w.release ||
					len(d.Clinician.Open) != 1 || d.Clinician.Open[0].ReleaseID != second {
					t.Errorf("clinician's trials = %+v", d.Clinician)
				}
			case kindOwner:
				// Newest open release first: 0.2 with nobody, then 0.1 with
				// the one trial and its finding, eight days old.
				r := d.Owner.Releases
				if len(r) != 2 || *r[0].ReleaseID != second || r[0].Participants != 0 ||
					*r[1].ReleaseID != w.release || r[1].Participants != 1 || r[1].NewFindings != 0 {
					t.Errorf("owner's releases = %+v", r)
				}
				if want := w.clock.Now().Add(-7 * 24 * time.Hour); !d.Owner.Since.Equal(want) {
					t.Errorf("new since %s, want %s", d.Owner.Since, want)
				}
			case kindOtherOwner:
				if len(d.Owner.Releases) != 0 {
					t.Errorf("another team's owner sees %+v", d.Owner.Releases)
				}
			case kindSafety:
				if d.Safety.Open != 1 || d.Safety.UnderReview != 0 {
					t.Errorf("safety = %+v", d.Safety)
				}
			case kindAdmin:
				if len(d.Admin.Events) != app.RecentAuditEvents || d.Admin.Total <= int64(app.RecentAuditEvents) {
					t.Errorf("admin sees %d of %d events", len(d.Admin.Events), d.Admin.Total)
				}
			}
		})
	}
	t.Run("a new finding counts for its release for 7 days", func(t *testing.T) {
		trial, _, err := w.st.StartTrial(w.ctx, second, w.actors[kindClinician].ID(), 1, true, sandpit.AuditEntry{Action: sandpit.AuditConsent})
		if err != nil {
			t.Fatal(err)
		}
		// A report like the world's joins its finding, first made eight days
		// ago: no new finding. One on another screen makes a new one.
		w.reportOn(second, trial.ID, "The allergy banner hides the dose again.", false)
		def, err := w.st.PublishedDefinition(w.ctx, second)
		if err != nil {
			t.Fatal(err)
		}
		tw := store.TrialWrite{TrialID: trial.ID, UserID: w.actors[kindClinician].ID(), TaskKey: "reconcile", Def: def, Open: true}
		if _, err := w.st.CreateReport(w.ctx, tw, w.workflow, sandpit.Report{TaskKey: "reconcile", Screen: "done", X: 5, Y: 5,
			Category: "terminology", Severity: 2, Text: "What does TTO mean?"}); err != nil {
			t.Fatal(err)
		}
		d, err := w.app.Home.Dashboard(w.ctx, w.actors[kindOwner])
		if err != nil {
			t.Fatal(err)
		}
		if r := d.Owner.Releases; r[0].Participants != 1 || r[0].NewFindings != 1 || r[1].NewFindings != 0 {
			t.Errorf("after a new report: %+v", r)
		}
	})
	t.Run("nobody signed in has no home", func(t *testing.T) {
		if _, err := w.app.Home.Dashboard(w.ctx, app.Actor{}); sandpit.ErrorCode(err) != sandpit.EUNAUTHORIZED {
			t.Errorf("err = %v", err)
		}
	})
}

func TestInvitationIsOnlyForOpenReleases(t *testing.T) {
	w := newWorld(t)
	nobody := app.Actor{IP: "192.0.2.9"}
	inv, err := w.app.Home.Invitation(w.ctx, nobody, w.release)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Workflow != "Medicines reconciliation" || inv.Version != "0.1" || inv.Team != "Medicines" || inv.Tasks != 1 {
		t.Errorf("invitation = %+v", inv)
	}
	draft := w.draft("0.2")
	if _, err := w.app.Home.Invitation(w.ctx, nobody, draft); sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
		t.Errorf("a draft's invitation: %v", err)
	}
	if err := w.app.Authoring.Close(w.ctx, w.actors[kindOwner], w.release); err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Home.Invitation(w.ctx, w.actors[kindClinician], w.release); sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
		t.Errorf("a closed release's invitation: %v", err)
	}
}
