package demo_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/demo"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// TestSeedHistory checks the demo's two months of history: every time lies
// in the past and trials are spread out, releases were published in the two
// calendar months before this one, and the benefits page and both months'
// show-and-tells have something to show.
func TestSeedHistory(t *testing.T) {
	ctx := context.Background()
	// Early on the 1st of a month in London: the history must still lie
	// wholly before now.
	now := time.Date(2026, 12, 1, 0, 5, 0, 0, sandpit.London)
	st := storetest.New(t, func() time.Time { return now })
	if err := demo.Seed(ctx, st, func(p string) (string, error) { return "hash:" + p, nil }); err != nil {
		t.Fatal(err)
	}
	a := app.New(st, app.Config{PseudonymKey: []byte("k"), Now: func() time.Time { return now }})
	admin := actor(t, st, "admin@demo.sandpit.test")
	owner := actor(t, st, "owner@demo.sandpit.test")

	var releaseIDs []int64
	var open []string
	for _, team := range []string{demo.TeamName, demo.SecondTeamName} {
		tm, err := st.TeamByName(ctx, team)
		if err != nil {
			t.Fatal(err)
		}
		list, _ := st.Workflows(ctx, []int64{tm.ID}, false)
		if len(list) != 1 {
			t.Fatalf("%s has workflows %+v", team, list)
		}
		w, _ := st.Workflow(ctx, list[0].ID)
		for _, r := range w.Releases {
			releaseIDs = append(releaseIDs, r.ID)
			if r.Status == sandpit.StatusOpen {
				open = append(open, r.Version)
				// The open release shows recruitment against targets on a
				// fresh demo: mostly nurses and pharmacists do this job.
				targets, err := st.Targets(ctx, r.ID)
				want := map[string]int{"nurse": 8, "pharmacist": 4, "doctor": 2}
				if err != nil || !maps.Equal(targets, want) {
					t.Errorf("%s %s targets %v (%v), want %v", w.Title, r.Version, targets, err, want)
				}
			}
			if r.PublishedAt == nil || !r.PublishedAt.Before(now) || sandpit.MonthOf(*r.PublishedAt).Before(sandpit.Month{Year: 2026, Month: time.October}) {
				t.Errorf("%s %s published %v, want in October or November 2026", w.Title, r.Version, r.PublishedAt)
			}
		}
		if w.StaffCount.Count == nil || w.StaffCount.Source == "" {
			t.Errorf("%s has no staff count", w.Title)
		}
	}

	if len(open) != 1 || open[0] != "0.2" {
		t.Errorf("open releases %v, want only medicines reconciliation's 0.2, the demo clinician's trial", open)
	}

	t.Run("every trial lies in the past, and trials are spread out", func(t *testing.T) {
		completed := map[string]map[time.Time]bool{}
		err := st.ExportParticipants(ctx, releaseIDs, func(p store.ExportParticipant) error {
			if !p.StartedAt.Before(now) || p.CompletedAt == nil || !p.CompletedAt.Before(now) || p.CompletedAt.Before(p.StartedAt) {
				t.Errorf("release %s: trial from %v to %v, now %v", p.Release, p.StartedAt, p.CompletedAt, now)
			}
			key := p.Release + string(rune('0'+p.WorkflowID))
			if completed[key] == nil {
				completed[key] = map[time.Time]bool{}
			}
			if p.CompletedAt != nil {
				completed[key][*p.CompletedAt] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for release, times := range completed {
			if len(times) < 15 {
				t.Errorf("release %s: only %d distinct completion times", release, len(times))
			}
		}
	})

	t.Run("the benefits page has a figure and a workflow not counted yet", func(t *testing.T) {
		bc, err := a.Benefits.Case(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if bc.HoursPerYear == nil || *bc.HoursPerYear <= 0 || len(bc.Countable()) != 1 || len(bc.NotCountable()) != 1 {
			t.Fatalf("benefits: %v hours, %d countable, %d not", bc.HoursPerYear, len(bc.Countable()), len(bc.NotCountable()))
		}
		if got := bc.NotCountable()[0]; got.Title != demo.WorkflowTitle || got.Reason != app.ReasonTooFew {
			t.Errorf("not counted: %s (%s), want %s, too few to compare: 0.2 has just opened", got.Title, got.Reason, demo.WorkflowTitle)
		}
		t.Logf("the demo saves about %.0f hours a year (%.0f to %.0f)", *bc.HoursPerYear, bc.HoursCI[0], bc.HoursCI[1])
	})

	t.Run("both months' show-and-tells have releases, people and findings acted on", func(t *testing.T) {
		team, _ := st.TeamByName(ctx, demo.TeamName)
		for _, month := range []string{"2026-10", "2026-11"} {
			m, err := a.Benefits.ShowAndTell(ctx, owner, team.ID, month)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Releases) == 0 || m.ParticipantsTotal() == 0 || len(m.Fixed) == 0 || m.Held == nil {
				t.Errorf("%s: %d releases, %d people, %d fixed, held %v", month, len(m.Releases), m.ParticipantsTotal(), len(m.Fixed), m.Held)
			}
		}
		r, err := a.Benefits.Rhythm(ctx, owner, team.ID)
		if err != nil || r.Held != 2 || r.Missed != 0 {
			t.Errorf("rhythm: held %d, missed %d (%v)", r.Held, r.Missed, err)
		}
	})
}

// actor is the demo account with email, as an actor.
func actor(t *testing.T, st *store.Store, email string) app.Actor {
	t.Helper()
	u, _, err := st.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	if u, err = st.User(context.Background(), u.ID); err != nil {
		t.Fatal(err)
	}
	return app.Actor{User: u}
}
