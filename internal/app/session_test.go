package app_test

import (
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestResumeSession(t *testing.T) {
	w := newWorld(t)
	u := w.actors[kindClinician].User
	now := w.clock.Now()
	tests := []struct {
		name    string
		session app.Session
		resumes bool
	}{
		{"fresh", app.Session{UserID: u.ID, Epoch: u.SessionEpoch, Created: now.Add(-time.Hour), Seen: now.Add(-time.Minute)}, true},
		{"idle 8 hours and a second", app.Session{UserID: u.ID, Epoch: u.SessionEpoch, Created: now.Add(-9 * time.Hour), Seen: now.Add(-8*time.Hour - time.Second)}, false},
		{"7 days and a second old", app.Session{UserID: u.ID, Epoch: u.SessionEpoch, Created: now.Add(-7*24*time.Hour - time.Second), Seen: now}, false},
		{"from before the epoch moved on", app.Session{UserID: u.ID, Epoch: u.SessionEpoch - 1, Created: now, Seen: now}, false},
		{"of no account", app.Session{UserID: 999999, Created: now, Seen: now}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := w.app.Identity.ResumeSession(w.ctx, tt.session)
			if err != nil || (got != nil) != tt.resumes || (got != nil && got.ID != u.ID) {
				t.Errorf("ResumeSession = %+v, %v; want resumed %v", got, err, tt.resumes)
			}
		})
	}
	t.Run("of a disabled account", func(t *testing.T) {
		if err := w.app.Identity.DisableUser(w.ctx, w.actors[kindAdmin], u.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := w.app.Identity.ResumeSession(w.ctx, app.Session{UserID: u.ID, Epoch: u.SessionEpoch, Created: now, Seen: now}); got != nil || err != nil {
			t.Errorf("ResumeSession = %+v, %v; want ended", got, err)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	w := newWorld(t)
	tok, err := w.app.Identity.CreateToken(w.ctx, w.actors[kindResearcher], "laptop")
	if err != nil {
		t.Fatal(err)
	}
	u, id, err := w.app.Identity.Authenticate(w.ctx, " "+tok.Token+" ")
	if err != nil || u.ID != w.actors[kindResearcher].ID() || id == 0 {
		t.Fatalf("Authenticate = %+v, %d, %v", u, id, err)
	}
	if err := w.app.Identity.RevokeToken(w.ctx, w.actors[kindResearcher], id); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{tok.Token, "sp_notatoken", ""} {
		if _, _, err := w.app.Identity.Authenticate(w.ctx, token); sandpit.ErrorCode(err) != sandpit.EUNAUTHORIZED {
			t.Errorf("Authenticate(%q): %v, want unauthorized", token, err)
		}
	}
}
