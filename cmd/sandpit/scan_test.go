package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/ocr/ocrtest"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// TestScanListsStoredIdentifiers stores, as data from before the guard
// would be, a workflow whose description holds a real NHS number written
// with no-break spaces and a screen showing one, then runs sandpit scan.
func TestScanListsStoredIdentifiers(t *testing.T) {
	ocrtest.Tesseract(t)
	ctx := context.Background()
	url := storetest.URL(t)
	st := storetest.Open(t, url, time.Now)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	team, err := st.CreateTeam(ctx, "Medicines", sandpit.AuditEntry{Action: sandpit.AuditTeamCreated})
	if err != nil {
		t.Fatal(err)
	}
	clean, err := st.CreateWorkflow(ctx, team.ID, sandpit.WorkflowInput{Title: "Clean", Description: "Mrs Patel, 999 777 6666", ConsentText: "Stop at any time."}, sandpit.AuditEntry{Action: sandpit.AuditWorkflowCreated})
	if err != nil {
		t.Fatal(err)
	}
	leaky, err := st.CreateWorkflow(ctx, team.ID, sandpit.WorkflowInput{Title: "Leaky", Description: "Seen: Mr Smith 943\u00a0476\u00a05919", ConsentText: "Stop at any time."}, sandpit.AuditEntry{Action: sandpit.AuditWorkflowCreated})
	if err != nil {
		t.Fatal(err)
	}
	screen := func(lines ...string) *sandpit.CheckedImage {
		data, _ := ocrtest.ScreenPNG(t, lines...)
		img, err := sandpit.CheckImage(data)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	def := sandpit.Definition{Version: "legacy", Screens: []sandpit.Screen{{Key: "ok", Title: "OK"}, {Key: "leak", Title: "Record"}}}
	if _, err := st.CreateRelease(ctx, clean, def, store.Images{"ok": screen("Patient record", "Ward 7"), "leak": screen("Patient record", "NHS number 943 476 5919")}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	var stdout, stderr bytes.Buffer
	getenv := func(name string) string {
		return map[string]string{"SANDPIT_DATABASE_URL": url, "SANDPIT_LOG_FORMAT": "text"}[name]
	}
	err = run(ctx, []string{"sandpit", "scan"}, getenv, strings.NewReader(""), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "2 field(s)") {
		t.Fatalf("scan = %v, want 2 fields found\n%s\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	t.Log(out)
	for _, want := range []string{"workflows", "description", "screens", "image", "an image showing 1 real NHS number"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "id="+itoa(leaky)) {
		t.Errorf("output does not name workflow %d:\n%s", leaky, out)
	}
	for _, secret := range []string{"5919", "943"} {
		if strings.Contains(out, secret) || strings.Contains(stderr.String(), secret) {
			t.Errorf("scan printed part of the number %q:\n%s", secret, out)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
