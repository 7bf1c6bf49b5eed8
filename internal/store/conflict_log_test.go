package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// TestConflictsLogAtInfo holds issue 14's noisy logs: a conflict the store
// answers for (here a unique violation, the team name taken) is logged at
// INFO, never as an ERROR that would page someone.
func TestConflictsLogAtInfo(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	loc, err := store.ParseURL(storetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(ctx, loc, time.Now, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	entry := sandpit.AuditEntry{Action: sandpit.AuditTeamCreated}
	if _, err := s.CreateTeam(ctx, "Renal", entry); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	if _, err := s.CreateTeam(ctx, "renal", entry); sandpit.ErrorCode(err) != sandpit.ECONFLICT {
		t.Fatalf("second team: %v, want ECONFLICT", err)
	}
	out := logs.String()
	if strings.Contains(out, "level=ERROR") || !strings.Contains(out, "level=INFO") || !strings.Contains(out, "store: conflict") {
		t.Errorf("logs:\n%s\nwant the conflict at INFO and no ERROR", out)
	}
}
