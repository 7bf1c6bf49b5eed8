package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

func TestScopedReads(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t, time.Now)
	mine, err := s.CreateTeam(ctx, "Medicines", sandpit.AuditEntry{Action: sandpit.AuditTeamCreated})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := s.CreateTeam(ctx, "Maternity", sandpit.AuditEntry{Action: sandpit.AuditTeamCreated})
	if err != nil {
		t.Fatal(err)
	}
	wf, err := s.CreateWorkflow(ctx, mine.ID, sandpit.WorkflowInput{Title: "Reconcile", ConsentText: "Yes."}, sandpit.AuditEntry{Action: sandpit.AuditWorkflowCreated})
	if err != nil {
		t.Fatal(err)
	}
	draft, err := s.CreateRelease(ctx, wf, sandpit.Definition{Version: "0.1"}, store.Images{})
	if err != nil {
		t.Fatal(err)
	}
	open, err := s.CreateRelease(ctx, wf, sandpit.Definition{Version: "0.2"}, store.Images{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetReleaseStatus(ctx, open, sandpit.StatusDraft, sandpit.StatusOpen, sandpit.AuditEntry{Action: sandpit.AuditReleasePublish}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name               string
		scope              store.Scope
		workflow           bool
		draft, openRelease bool
	}{
		{"every team", store.Scope{All: true}, true, true, true},
		{"its own team", store.Scope{Teams: []int64{mine.ID}}, true, true, true},
		{"another team", store.Scope{Teams: []int64{theirs.ID}}, false, false, false},
		{"another team, and open releases", store.Scope{Teams: []int64{theirs.ID}, OpenReleases: true}, false, false, true},
		{"nothing", store.Scope{}, false, false, false},
	}
	found := func(err error) bool {
		if err != nil && sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.WorkflowIn(ctx, wf, tt.scope)
			if got := found(err); got != tt.workflow {
				t.Errorf("workflow found = %v, want %v", got, tt.workflow)
			}
			_, err = s.ReleaseMetaIn(ctx, draft, tt.scope)
			if got := found(err); got != tt.draft {
				t.Errorf("draft found = %v, want %v", got, tt.draft)
			}
			_, err = s.ReleaseMetaIn(ctx, open, tt.scope)
			if got := found(err); got != tt.openRelease {
				t.Errorf("open release found = %v, want %v", got, tt.openRelease)
			}
		})
	}
}
