package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// serveRaw sends one request straight to the handler and returns the
// status: fuzz targets must not go through helpers that fail the outer F.
func serveRaw(h http.Handler, method, path, contentType, body string, header map[string]string) int {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// FuzzClickBody sends any body as a click on a started task: whatever it
// holds, the answer is never a 5xx.
func FuzzClickBody(f *testing.F) {
	w := newWorld(f, Config{})
	w.populate()
	release := w.openRelease("0.2")
	token := w.tokens["clinician"]
	trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true,"research_use":true}}`)
	task := fmt.Sprintf("/api/v1/trials/%d/tasks/reconcile", int64(trial["id"].(float64)))
	w.mustAPI(200, "POST", strings.TrimPrefix(task, "/api/v1")+"/start", token, "")
	for _, seed := range []string{`{"seq":1,"x":50,"y":130}`, `{"seq":2,"x":-1,"y":9223372036854775807}`, `{"seq":"1"}`, `{}`, `[`, `{"seq":1e400}`,
		"{\"seq\":3,\"x\":1,\"y\":1,\"extra\":\"\\u0000\"}", "\xff\xfe"} {
		f.Add(seed)
	}
	auth := map[string]string{"Authorization": "Bearer " + token}
	f.Fuzz(func(t *testing.T, body string) {
		if status := serveRaw(w.srv, "POST", task+"/clicks", "application/json", body, auth); status >= 500 {
			t.Errorf("click %q: %d", body, status)
		}
	})
}

// FuzzHotspotForm posts any form body to a screen's hotspot form as its
// product owner: never a 5xx.
func FuzzHotspotForm(f *testing.F) {
	w := newWorld(f, Config{})
	w.populate()
	wf := w.createWorkflow("Fuzz")
	release := w.createRelease(wf, testDefinition(f, "0.1"))
	b := w.browser()
	b.signIn("owner@example.nhs.uk")
	var cookies []string
	for _, c := range b.client.Jar.Cookies(mustURL(b.base)) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	header := map[string]string{"Cookie": strings.Join(cookies, "; "), "Sec-Fetch-Site": "same-origin"}
	path := fmt.Sprintf("/releases/%d/screens/list/hotspots", release)
	for _, seed := range []string{"x=1&y=1&w=10&h=10&target=record", "x=1&y=1&w=9223372036854775807&h=9223372036854775807&target=record",
		"x=-1&y=%00&w=&h=1e9&target=%ff", "remove=0&x=1&x=2&y=1&w=1&h=1", "%zz", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if status := serveRaw(w.srv, "POST", path, "application/x-www-form-urlencoded", body, header); status >= 500 {
			t.Errorf("hotspot form %q: %d", body, status)
		}
	})
}
