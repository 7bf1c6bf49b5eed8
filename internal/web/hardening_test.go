package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestNoStore holds issue 14's shared ward PC: no signed-in page or API
// answer may be kept in the browser's cache, while static assets still
// are.
func TestNoStore(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	b := w.browser()
	b.signIn("clinician@example.nhs.uk")
	for _, path := range []string{"/", "/account", "/trials", "/no-such-page"} {
		resp, err := b.client.Get(b.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("signed in, %s (%d): Cache-Control %q, want no-store", path, resp.StatusCode, got)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, w.http.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+w.tokens["clinician"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Cache-Control"); resp.StatusCode != http.StatusOK || got != "no-store" {
		t.Errorf("/api/v1/me: %d, Cache-Control %q, want 200 and no-store", resp.StatusCode, got)
	}
	resp, err = b.client.Get(b.base + "/static/css/sandpit.css")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Cache-Control"); got == "no-store" || got == "" {
		t.Errorf("static asset: Cache-Control %q, want it cached", got)
	}
}

// TestMetricsNotOnTheSite holds issue 14's public /metrics: the site
// answers 404, and the metrics handler (served on SANDPIT_METRICS_ADDR)
// still counts the site's requests.
func TestMetricsNotOnTheSite(t *testing.T) {
	s := newTestServer(t, "http://localhost:8080")
	if rec := get(t, s, "/metrics"); rec.Code != http.StatusNotFound {
		t.Errorf("/metrics on the site = %d, want 404", rec.Code)
	}
	if rec := get(t, s.MetricsHandler(), "/metrics"); rec.Code != http.StatusOK {
		t.Errorf("metrics handler = %d", rec.Code)
	}
}

// TestTeamRevocationRoutes holds issue 14's "access can't be taken away":
// the admin's team page removes a product owner, and the API revokes a
// researcher's grant.
func TestTeamRevocationRoutes(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	admin := w.browser()
	admin.signIn("admin@example.nhs.uk")
	team := fmt.Sprintf("/admin/teams/%d", w.team.ID)
	if status, page := admin.get(team); status != http.StatusOK || !strings.Contains(page, "Revoke access") || !strings.Contains(page, "Remove") {
		t.Fatalf("team page %d lacks the remove and revoke buttons", status)
	}
	resp, _ := admin.post(fmt.Sprintf("%s/members/%d/remove", team, w.users["owner"].ID), nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=member-removed") {
		t.Errorf("remove: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if status, _ := w.api("POST", fmt.Sprintf("/teams/%d/workflows", w.team.ID), w.tokens["owner"], `{"title":"After removal","consent_text":"Stop at any time."}`); status != http.StatusForbidden && status != http.StatusNotFound {
		t.Errorf("a removed owner creates a workflow: %d", status)
	}
	path := fmt.Sprintf("/teams/%d/researchers/%d", w.team.ID, w.users["researcher"].ID)
	if status, body := w.api("DELETE", path, w.tokens["owner"], ""); status != http.StatusForbidden && status != http.StatusNotFound {
		t.Errorf("a product owner revoked a grant: %d %s", status, body)
	}
	if status, body := w.api("DELETE", path, w.tokens["admin"], ""); status != http.StatusNoContent {
		t.Errorf("revoke: %d %s", status, body)
	}
	if status, _ := w.api("DELETE", path, w.tokens["admin"], ""); status != http.StatusNotFound {
		t.Errorf("revoke again: %d, want 404", status)
	}
}

// TestSignInFromOneAddressSlows holds issue 14's trust behind one NAT: past
// fifty failures an address is slowed, each wait twice the last, never
// locked out for the whole window, while the accounts keep their limits.
func TestSignInFromOneAddressSlows(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	for i := range 50 {
		if status, _ := w.signInAPI(fmt.Sprintf("nobody%d@example.nhs.uk", i), "wrong password!", ""); status != http.StatusUnauthorized {
			t.Fatalf("attempt %d = %d", i+1, status)
		}
	}
	status, h := w.signInAPI(w.users["admin"].Email, password, "")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "1" {
		t.Errorf("at once = %d, Retry-After %q; want 429 and 1", status, h.Get("Retry-After"))
	}
	w.clock.Advance(time.Second)
	if status, _ := w.signInAPI(w.users["admin"].Email, password, ""); status != http.StatusCreated {
		t.Errorf("a second later = %d, want 201", status)
	}
	// Each further failure doubles the wait: after the 51st, 2 s.
	if status, _ := w.signInAPI("nobody@example.nhs.uk", "wrong password!", ""); status != http.StatusUnauthorized {
		t.Fatalf("51st failure = %d", status)
	}
	w.clock.Advance(time.Second)
	if status, h := w.signInAPI(w.users["admin"].Email, password, ""); status != http.StatusTooManyRequests || h.Get("Retry-After") != "1" {
		t.Errorf("1 s after the 51st failure = %d, Retry-After %q; want 429 and 1", status, h.Get("Retry-After"))
	}
	w.clock.Advance(time.Second)
	if status, _ := w.signInAPI(w.users["admin"].Email, password, ""); status != http.StatusCreated {
		t.Errorf("2 s after = %d, want 201", status)
	}
}
