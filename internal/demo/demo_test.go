package demo_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/demo"
	"github.com/sandpit-nhs/sandpit/internal/export"
	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

func TestSeed(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t, time.Now)
	hash := func(p string) (string, error) { return "hash:" + p, nil }
	for i := range 2 {
		if err := demo.Seed(ctx, st, hash); err != nil {
			t.Fatalf("seed #%d: %v", i+1, err)
		}
	}
	t.Run("one account per role", func(t *testing.T) {
		for _, a := range demo.Accounts() {
			u, _, err := st.UserByEmail(ctx, a.Email)
			if err != nil {
				t.Fatalf("%s: %v", a.Email, err)
			}
			if !u.Has(a.Role) {
				t.Errorf("%s lacks %s", a.Email, a.Role)
			}
			if f := sandpit.PasswordError("password", a.Password, a.Email); f != nil {
				t.Errorf("%s's demo password %s", a.Email, f.Phrase())
			}
		}
	})
	t.Run("the team has the demo product owner and researcher, once", func(t *testing.T) {
		team, err := st.TeamByName(ctx, demo.TeamName)
		if err != nil {
			t.Fatal(err)
		}
		people, err := st.TeamPeople(ctx, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != 2 {
			t.Fatalf("team people = %+v, want the owner and the researcher", people)
		}
	})
	t.Run("the demo workflow has legacy and 0.1 closed and 0.2 open", func(t *testing.T) {
		team, _ := st.TeamByName(ctx, demo.TeamName)
		list, err := st.Workflows(ctx, []int64{team.ID}, false)
		if err != nil || len(list) != 1 || list[0].Title != demo.WorkflowTitle {
			t.Fatalf("workflows = %+v, %v", list, err)
		}
		w, err := st.Workflow(ctx, list[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range w.Releases {
			got[r.Version] = string(r.Status)
			if r.Version == "legacy" && !r.Baseline {
				t.Error("legacy is not the baseline")
			}
		}
		want := map[string]string{"legacy": "closed", "0.1": "closed", "0.2": "open"}
		if len(got) != len(want) {
			t.Fatalf("releases = %v", got)
		}
		for v, status := range want {
			if got[v] != status {
				t.Errorf("release %s is %q, want %q", v, got[v], status)
			}
		}
	})
	t.Run("seeding again wrote nothing new", func(t *testing.T) {
		users, _, err := st.Users(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		accounts := 0
		for _, u := range users {
			if !strings.HasPrefix(u.Email, "demo-trial-") {
				accounts++
			}
		}
		if accounts != len(demo.Accounts()) {
			t.Errorf("demo accounts = %d, want %d", accounts, len(demo.Accounts()))
		}
		_, events, err := st.AuditEvents(ctx, store.AuditFilter{Action: sandpit.AuditUserCreated, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if events != int64(len(demo.Accounts())) {
			t.Errorf("user_created events = %d", events)
		}
	})
}

func TestSeedTrials(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t, time.Now)
	start := time.Now()
	if err := demo.Seed(ctx, st, func(p string) (string, error) { return "hash:" + p, nil }); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %v", time.Since(start))
	t.Run("the export singles no one out", func(t *testing.T) { checkExportSinglesNoOneOut(t, ctx, st) })
	t.Run("the demo clinician took 0.1 and raised a report", func(t *testing.T) {
		u, _, err := st.UserByEmail(ctx, "clinician@demo.sandpit.test")
		if err != nil {
			t.Fatal(err)
		}
		feedback, err := st.FeedbackOf(ctx, u.ID)
		if err != nil || len(feedback) == 0 || feedback[0].Version != "0.1" {
			t.Errorf("feedback = %+v, %v", feedback, err)
		}
	})
	team, _ := st.TeamByName(ctx, demo.TeamName)
	list, _ := st.Workflows(ctx, []int64{team.ID}, false)
	w, err := st.Workflow(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, r := range w.Releases {
		ids[r.Version] = r.ID
	}
	for version, want := range map[string][2]int64{"legacy": {20, 30}, "0.1": {20, 30}, "0.2": {0, 0}} {
		n, err := st.ReleaseTrialCount(ctx, ids[version])
		if err != nil || n < want[0] || n > want[1] {
			t.Errorf("release %s has %d trials (%v), want %d to %d", version, n, err, want[0], want[1])
		}
	}
	side := func(id int64) *findings.Side {
		r, err := st.Release(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		f, err := st.ReleaseFigures(ctx, id, false)
		if err != nil {
			t.Fatal(err)
		}
		return &findings.Side{Ref: findings.ReleaseRef{ID: r.ID, Version: r.Version, Baseline: r.Baseline}, Def: &r.Definition, Figures: f}
	}
	legacy, v01 := side(ids["legacy"]), side(ids["0.1"])
	r := findings.Build(*v01, nil, legacy)
	for _, task := range r.Tasks {
		if task.SuccessCI == nil || task.Time.Geomean == nil {
			t.Errorf("task %s: success CI %v, time %v", task.Key, task.SuccessCI, task.Time.Geomean)
		}
	}
	if r.SUS.Grade == nil || r.Comparisons.Baseline == nil || r.Comparisons.Baseline.Release.Version != "legacy" {
		t.Fatalf("SUS %+v, comparisons %+v", r.SUS, r.Comparisons)
	}
	safety := false
	for _, f := range r.Findings {
		safety = safety || f.SafetyConcern
	}
	if !safety || len(r.Findings) < 2 {
		t.Errorf("findings = %+v, want some with a safety concern", r.Findings)
	}
	lr := findings.Build(*legacy, nil, nil)
	if *lr.SUS.Mean >= *r.SUS.Mean {
		t.Errorf("legacy SUS %.1f is not below 0.1's %.1f", *lr.SUS.Mean, *r.SUS.Mean)
	}
	points, err := st.ClickPoints(ctx, ids["0.1"], false)
	if err != nil || len(points) == 0 {
		t.Errorf("click points = %v, %v", points, err)
	}
}

// checkExportSinglesNoOneOut exports the demo workflow and checks that no
// combination of profile fields is held by fewer than 5 participants but
// the all-blank one; it logs how many cells the rule withholds.
func checkExportSinglesNoOneOut(t *testing.T, ctx context.Context, st *store.Store) {
	team, _ := st.TeamByName(ctx, demo.TeamName)
	list, _ := st.Workflows(ctx, []int64{team.ID}, false)
	w, err := st.Workflow(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range w.Releases {
		ids = append(ids, r.ID)
	}
	var shown [][]string
	for _, tb := range export.DataTables(ctx, st, []byte("demo key"), ids) {
		if tb.Name != export.TableParticipants {
			continue
		}
		if err := tb.Rows(func(row []string) error { shown = append(shown, row); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	profiles := map[int64]export.QuasiIDs{}
	err = st.ExportParticipants(ctx, ids, func(p store.ExportParticipant) error {
		profiles[p.UserID] = export.QuasiIDs{deref(p.Profession), deref(p.Setting), export.YearsBand(p.YearsExperience), itoa(p.LegacyFamiliarity)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, blanked := export.Suppress(profiles)
	groups := map[string]map[string]bool{} // combination → participant ids
	for _, row := range shown {
		combo := strings.Join(row[1:5], "|")
		if groups[combo] == nil {
			groups[combo] = map[string]bool{}
		}
		groups[combo][row[0]] = true
	}
	for combo, people := range groups {
		if len(people) < export.MinGroup && combo != "|||" {
			t.Errorf("%q is held by %d participants", combo, len(people))
		}
	}
	t.Logf("the demo workflow's export: %d participants, %d rows; %d of %d profile cells withheld; %d combinations shown",
		len(profiles), len(shown), blanked, 4*len(profiles), len(groups))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func itoa(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}
