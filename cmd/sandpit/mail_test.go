package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/demo"
)

func TestRunRefusesBadMailSettings(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SANDPIT_SMTP_URL": "mail.example.nhs.uk:587", "SANDPIT_MAIL_FROM": "s@nhs.net"}, "SANDPIT_SMTP_URL: want smtp://"},
		{map[string]string{"SANDPIT_SMTP_URL": "smtp://relay.nhs.net:587?starttls=sometimes", "SANDPIT_MAIL_FROM": "s@nhs.net"}, "SANDPIT_SMTP_URL: starttls=\"sometimes\""},
		{map[string]string{"SANDPIT_SMTP_URL": "smtp://relay.nhs.net:587"}, "SANDPIT_MAIL_FROM"},
		{map[string]string{"SANDPIT_FEEDBACK_DIGEST": "daily"}, "SANDPIT_FEEDBACK_DIGEST"},
		{map[string]string{"SANDPIT_REMINDERS": "168h,48h"}, "SANDPIT_REMINDERS"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			err := run(context.Background(), []string{"sandpit"}, func(n string) string { return tt.env[n] }, strings.NewReader(""), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// apiAs calls Sandpit's API with token and decodes the answer into out.
func apiAs(t *testing.T, base, token, method, path, body string, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, base+"/api/v1"+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// The "done when": a product owner invites ten clinicians, one of
// them reports a problem, the team answers it, and that clinician gets one
// email pointing to the answer.
func TestInvitationToAnswerJourney(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink, smtpURL := startSMTPSink(t)
	s := start(t, ctx, map[string]string{"SANDPIT_SMTP_URL": smtpURL, "SANDPIT_MAIL_FROM": "Sandpit <sandpit@example.nhs.uk>",
		"SANDPIT_FEEDBACK_DIGEST": "1s"}, "--demo")
	passwords := map[string]string{}
	for _, a := range demo.Accounts() {
		passwords[a.Email] = a.Password
	}
	token := func(email string) string {
		var out struct{ Token string }
		apiAs(t, s.URL, "", "POST", "/tokens", fmt.Sprintf(`{"email":%q,"password":%q}`, email, passwords[email]), 201, &out)
		return out.Token
	}
	owner, clinician := token("owner@demo.sandpit.test"), token("clinician@demo.sandpit.test")
	emails := []string{"clinician@demo.sandpit.test"}
	for i := range 9 {
		emails = append(emails, fmt.Sprintf("ward%d.nurse@example.nhs.uk", i+1))
	}
	list, _ := json.Marshal(map[string][]string{"emails": emails})
	var invited struct{ Invited int }
	apiAs(t, s.URL, owner, "POST", "/releases/3/invitations", string(list), 201, &invited)
	if invited.Invited != 10 {
		t.Fatalf("invited %d, want 10", invited.Invited)
	}
	waitFor := func(n int) []sunkMail {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if got := sink.received(); len(got) >= n {
				return got
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("the SMTP server received %d messages, want %d\nstderr:\n%s", len(sink.received()), n, s.Stderr)
		return nil
	}
	got := waitFor(10)
	for _, m := range got {
		if !strings.Contains(m.Data, "/releases/3/invite") {
			t.Errorf("the invitation to %s has no invite link", m.To)
		}
	}

	// The clinician takes part and reports a problem; the team answers.
	var trial struct {
		ID    int64
		Tasks []struct{ Key string }
	}
	apiAs(t, s.URL, clinician, "POST", "/releases/3/trials", `{"consent":{"accepted":true,"research_use":true}}`, 201, &trial)
	var attempt struct {
		Screen struct{ Key string }
	}
	apiAs(t, s.URL, clinician, "POST", fmt.Sprintf("/trials/%d/tasks/%s/start", trial.ID, trial.Tasks[0].Key), "", 200, &attempt)
	var report struct {
		FindingID int64 `json:"finding_id"`
	}
	apiAs(t, s.URL, clinician, "POST", fmt.Sprintf("/trials/%d/reports", trial.ID), fmt.Sprintf(
		`{"task":%q,"screen":%q,"x":10,"y":10,"category":"layout","severity":2,"safety_concern":false,"text":"The dose column is cut off on my screen."}`,
		trial.Tasks[0].Key, attempt.Screen.Key), 201, &report)
	apiAs(t, s.URL, owner, "PATCH", fmt.Sprintf("/findings/%d", report.FindingID),
		`{"status":"planned","response":"We are widening the dose column in 0.3."}`, 200, nil)

	got = waitFor(11)
	digest := got[10]
	if digest.To != "clinician@demo.sandpit.test" || !strings.Contains(digest.Data, "Subject: 1 of your reports was answered") ||
		!strings.Contains(digest.Data, "/feedback") || strings.Contains(digest.Data, "dose column") {
		t.Errorf("the digest to %s:\n%s", digest.To, digest.Data)
	}
}
