package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

func TestWorkflowStaffCount(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	id := w.createWorkflow("Allergy checks")
	path := fmt.Sprintf("/workflows/%d", id)

	t.Run("PATCH sets the staff count and its source, and audits it", func(t *testing.T) {
		status, body := w.api("PATCH", path, w.tokens["owner"], `{"staff_count": 1200, "staff_count_source": "ESR headcount, Nov 2026"}`)
		if status != http.StatusOK {
			t.Fatalf("PATCH: %d %s", status, body)
		}
		var wf workflowJSON
		if err := json.Unmarshal([]byte(body), &wf); err != nil || wf.StaffCount == nil || *wf.StaffCount != 1200 ||
			wf.StaffSource != "ESR headcount, Nov 2026" || wf.Title != "Allergy checks" || wf.ConsentText == "" {
			t.Fatalf("workflow after PATCH: %+v, %v", wf, err)
		}
		_, shown := w.api("GET", path, w.tokens["owner"], "")
		if !strings.Contains(shown, `"staff_count":1200`) {
			t.Errorf("GET does not show the staff count: %s", shown)
		}
		events, n, err := w.st.AuditEvents(context.Background(), store.AuditFilter{Action: sandpit.AuditWorkflowUpdated, Limit: 10})
		if err != nil || n != 1 || !strings.Contains(events[0].Detail, "staff count 1200 (ESR headcount, Nov 2026)") {
			t.Errorf("audit: %d events %+v, %v", n, events, err)
		}
	})
	t.Run("bad values name their field and change nothing", func(t *testing.T) {
		for _, body := range []string{`{"staff_count": 0}`, `{"staff_count": "many"}`, `{"staff_count": 12.5}`, `{"staff_count_source": ""}`,
			`{"staff_count": 20000000}`} {
			status, got := w.api("PATCH", path, w.tokens["owner"], body)
			field := "staff_count"
			if strings.HasPrefix(body, `{"staff_count_source"`) {
				field = "staff_count_source"
			}
			if status != http.StatusUnprocessableEntity || !strings.Contains(got, `"`+field+`"`) {
				t.Errorf("%s: %d %s, want 422 naming %s", body, status, got, field)
			}
		}
		_, after := w.api("GET", path, w.tokens["owner"], "")
		if !strings.Contains(after, `"staff_count":1200`) {
			t.Errorf("a refused PATCH changed the workflow: %s", after)
		}
	})
	t.Run("null clears the count", func(t *testing.T) {
		if status, body := w.api("PATCH", path, w.tokens["owner"], `{"staff_count": null}`); status != http.StatusOK || !strings.Contains(body, `"staff_count":null`) {
			t.Errorf("PATCH null: %d %s", status, body)
		}
	})
	t.Run("only the team may change it", func(t *testing.T) {
		for kind, want := range map[string]int{"researcher": http.StatusForbidden, "other_owner": http.StatusNotFound, "clinician": http.StatusNotFound,
			"anonymous": http.StatusUnauthorized} {
			if status, body := w.api("PATCH", path, w.tokens[kind], `{"staff_count": 5, "staff_count_source": "x"}`); status != want {
				t.Errorf("as %s: %d %s, want %d", kind, status, body, want)
			}
		}
	})
	t.Run("the workflow page's form saves it, or says what to fix", func(t *testing.T) {
		b := w.browser()
		b.signIn(w.users["owner"].Email)
		resp, body := b.post(path+"/staff-count", url.Values{"staff_count": {"lots"}, "staff_count_source": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter the number of staff as a whole number") ||
			!strings.Contains(body, `href="#staff_count"`) {
			t.Errorf("bad count: %d\n%.2000s", resp.StatusCode, body)
		}
		resp, body = b.post(path+"/staff-count", url.Values{"staff_count": {"2,300"}, "staff_count_source": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter where the staff count comes from") {
			t.Errorf("count without a source: %d", resp.StatusCode)
		}
		resp, _ = b.post(path+"/staff-count", url.Values{"staff_count": {"2,300"}, "staff_count_source": {"ESR headcount, Nov 2026"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		_, page := b.get(path)
		if !strings.Contains(page, "<strong>2300</strong> staff") || !strings.Contains(page, "ESR headcount, Nov 2026") {
			t.Errorf("the workflow page does not show the count:\n%.3000s", page)
		}
	})
}

func TestBenefitsRoutes(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	w.createWorkflow("Allergy checks")
	team := fmt.Sprint(w.team.ID)
	t.Run("who may read the benefits case and a team's month", func(t *testing.T) {
		cases := []struct {
			method, path, body string
			want               map[string]int
		}{
			{"GET", "/benefits", "", map[string]int{"admin": 200, "owner": 200, "other_owner": 200, "researcher": 403, "clinician": 403, "safety": 403, "anonymous": 401}},
			{"GET", "/teams/" + team + "/show-and-tell?month=2026-10", "", map[string]int{"admin": 200, "owner": 200, "other_owner": 404, "researcher": 403, "clinician": 404, "safety": 404, "anonymous": 401}},
			{"PUT", "/teams/" + team + "/show-and-tells/2026-11", `{"on": "2026-11-24", "attendees": 23}`,
				map[string]int{"admin": 200, "owner": 200, "other_owner": 404, "researcher": 403, "clinician": 404, "safety": 404, "anonymous": 401}},
		}
		for _, c := range cases {
			for kind, want := range c.want {
				if status, body := w.api(c.method, c.path, w.tokens[kind], c.body); status != want {
					t.Errorf("%s %s as %s: %d %s, want %d", c.method, c.path, kind, status, body, want)
				}
			}
		}
	})
	t.Run("the API lists a workflow without a figure with its reason", func(t *testing.T) {
		_, body := w.api("GET", "/benefits", w.tokens["owner"], "")
		var got benefitsJSON
		if err := json.Unmarshal([]byte(body), &got); err != nil || len(got.Workflows) != 1 || got.HoursPerYear != nil ||
			got.Workflows[0].Reason == nil || *got.Workflows[0].Reason != "no_baseline" || got.Workflows[0].Title != "Allergy checks" {
			t.Errorf("benefits: %s (%v)", body, err)
		}
	})
	t.Run("a session is recorded and shown in its month", func(t *testing.T) {
		status, body := w.api("GET", "/teams/"+team+"/show-and-tell?month=2026-11", w.tokens["owner"], "")
		if status != 200 || !strings.Contains(body, `"held":{"on":"2026-11-24","attendees":23}`) {
			t.Errorf("month: %d %s", status, body)
		}
		for _, bad := range []string{`{"on": "2026-10-31", "attendees": 3}`, `{"on": "2026-11-31", "attendees": 3}`, `{"on": "2026-11-24", "attendees": 0}`, `{"on": "2026-11-30", "attendees": 3}`} {
			if status, body := w.api("PUT", "/teams/"+team+"/show-and-tells/2026-11", w.tokens["owner"], bad); status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s, want 422", bad, status, body)
			}
		}
		if status, _ := w.api("GET", "/teams/"+team+"/show-and-tell?month=2026-13", w.tokens["owner"], ""); status != http.StatusUnprocessableEntity {
			t.Errorf("month 2026-13: %d, want 422", status)
		}
	})
	t.Run("the CSV has a row for the organisation and neutralised text", func(t *testing.T) {
		b := w.browser()
		b.signIn(w.users["admin"].Email)
		status, body := b.get("/benefits.csv")
		if status != 200 {
			t.Fatalf("CSV: %d", status)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(rows) < 3 || strings.Join(rows[0], ",") != strings.Join(benefitsColumns, ",") || rows[len(rows)-1][0] != "organisation" {
			t.Errorf("CSV rows %v, %v", rows, err)
		}
		for _, page := range []string{"/benefits", "/teams/" + team + "/show-and-tell?month=2026-11", "/teams/" + team + "/show-and-tells"} {
			if status, body := b.get(page); status != 200 || strings.Count(body, "<h1") != 1 {
				t.Errorf("%s: %d", page, status)
			}
		}
	})
}
