package web

import (
	"net/http"
	"testing"
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
