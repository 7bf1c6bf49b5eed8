package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/demo"
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
			if p := sandpit.PasswordProblem(a.Password, a.Email); p != "" {
				t.Errorf("%s's demo password %s", a.Email, p)
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
		users, total, err := st.Users(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if total != int64(len(demo.Accounts())) {
			t.Errorf("users = %d (%v), want %d", total, users, len(demo.Accounts()))
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
