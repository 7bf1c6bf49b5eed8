package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// findingsWorld is a world with one open release and the workflow it is in.
type findingsWorld struct {
	*world
	release  int64
	workflow int64
	n        int
}

func newFindingsWorld(t *testing.T) *findingsWorld {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("0.1")
	m, err := w.st.ReleaseMeta(context.Background(), release)
	if err != nil {
		t.Fatal(err)
	}
	return &findingsWorld{world: w, release: release, workflow: m.WorkflowID}
}

// report makes a new clinician take release and file one report; it returns
// the report and finding ids.
func (fw *findingsWorld) report(release int64, x, y int, text string, safety bool) (int64, int64) {
	fw.t.Helper()
	fw.n++
	token := fw.clinician(fmt.Sprintf("reporter%d@example.nhs.uk", fw.n))
	trial := fw.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true,"research_use":true}}`)
	body := mustJSON(fw.t, map[string]any{"screen": "list", "x": x, "y": y, "category": "navigation", "severity": 2, "safety_concern": safety, "text": text})
	r := fw.mustAPI(201, "POST", fmt.Sprintf("/trials/%d/reports", int64(trial["id"].(float64))), token, body)
	return int64(r["id"].(float64)), int64(r["finding_id"].(float64))
}

// findings lists a workflow's findings through the API as the owner.
func (fw *findingsWorld) findings(workflow int64) []findingJSON {
	fw.t.Helper()
	status, body := fw.api("GET", fmt.Sprintf("/workflows/%d/findings", workflow), fw.tokens["owner"], "")
	if status != http.StatusOK {
		fw.t.Fatalf("findings: %d %s", status, body)
	}
	var list []findingJSON
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		fw.t.Fatal(err)
	}
	return list
}

func (fw *findingsWorld) countReports(workflow int64) int64 {
	fw.t.Helper()
	list, err := fw.st.WorkflowFindings(context.Background(), store.Scope{All: true}, workflow)
	if err != nil {
		fw.t.Fatal(err)
	}
	var n int64
	for _, f := range list {
		n += int64(f.Reports)
	}
	return n
}

func TestFindingsGroupingThroughTheAPI(t *testing.T) {
	fw := newFindingsWorld(t)
	_, a := fw.report(fw.release, 60, 140, "The record link is small", false)
	_, near := fw.report(fw.release, 75, 150, "Cannot see where to click next", false)
	_, far := fw.report(fw.release, 380, 20, "Colours of the banner are confusing", false)
	_, similar := fw.report(fw.release, 300, 280, "The record link is too small", false)
	if near != a {
		t.Errorf("a near pin started finding %d, want it to join %d", near, a)
	}
	if far == a {
		t.Errorf("a far pin with different text joined finding %d", a)
	}
	if similar != a {
		t.Errorf("similar text on a far pin started finding %d, want %d", similar, a)
	}
	list := fw.findings(fw.workflow)
	if len(list) != 2 || list[0].ID != a || list[0].Reports != 3 || list[0].Participants != 3 || list[0].Title != "The record link is small" {
		t.Fatalf("findings = %+v", list)
	}
	if len(list[0].Evidence) != 1 || list[0].Evidence[0].Release.ID != fw.release || list[0].Evidence[0].Participants != 3 || list[0].Evidence[0].Reports != 3 {
		t.Errorf("evidence = %+v", list[0].Evidence)
	}
	if list[0].Frequency != 0.75 || list[0].Status != "new" || list[0].Severity != 2 || list[0].Category != "navigation" {
		t.Errorf("finding = %+v", list[0])
	}

	t.Run("safety concerns come first", func(t *testing.T) {
		_, safe := fw.report(fw.release, 200, 60, "Allergy banner hides the warfarin dose", true)
		list := fw.findings(fw.workflow)
		if list[0].ID != safe || !list[0].SafetyConcern {
			t.Errorf("first finding = %+v, want the safety concern %d", list[0], safe)
		}
	})
}

func TestFindingUpdateThroughTheAPI(t *testing.T) {
	fw := newFindingsWorld(t)
	_, id := fw.report(fw.release, 60, 140, "The record link is small", false)
	path := fmt.Sprintf("/findings/%d", id)
	owner := fw.tokens["owner"]

	got := fw.mustAPI(200, "PATCH", path, owner, `{"title":"Record link too small to hit"}`)
	if got["title"] != "Record link too small to hit" {
		t.Errorf("title: %v", got)
	}
	got = fw.mustAPI(200, "PATCH", path, owner, `{"severity":4}`)
	if got["severity"] != 4.0 || got["title"] != "Record link too small to hit" {
		t.Errorf("severity: %v", got)
	}
	got = fw.mustAPI(200, "PATCH", path, owner, `{"status":"accepted"}`)
	if got["status"] != "accepted" {
		t.Errorf("status: %v", got)
	}
	got = fw.mustAPI(200, "PATCH", path, owner, `{"response":"We are making the link bigger in 0.2."}`)
	if got["response"] != "We are making the link bigger in 0.2." || got["status"] != "accepted" {
		t.Errorf("response: %v", got)
	}

	bad := []struct{ body, field string }{
		{mustJSON(t, map[string]string{"title": strings.Repeat("x", 201)}), "title"},
		{`{"severity":5}`, "severity"},
		{`{"severity":0}`, "severity"},
		{`{"status":"done"}`, "status"},
		{`{"status":"persisting"}`, "status"},
		{mustJSON(t, map[string]string{"response": strings.Repeat("x", 5001)}), "response"},
		{`{"status":"wont_fix"}`, "reason"},
		{`{"title":"Patient 943 476 5919 confused"}`, "title"},
		{`{"response":"NHS number 9434765919"}`, "response"},
	}
	for _, b := range bad {
		status, body := fw.api("PATCH", path, owner, b.body)
		var e struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		json.Unmarshal([]byte(body), &e)
		if status != http.StatusUnprocessableEntity || e.Error.Fields[b.field] == "" {
			t.Errorf("PATCH %s = %d %s, want 422 naming %s", b.body, status, body, b.field)
		}
	}
	got = fw.mustAPI(200, "PATCH", path, owner, `{"status":"wont_fix","reason":"The link is the size the design system sets."}`)
	if got["status"] != "wont_fix" || got["reason"] != "The link is the size the design system sets." {
		t.Errorf("wont_fix: %v", got)
	}
	got = fw.mustAPI(200, "PATCH", path, owner, `{"status":"planned"}`)
	if got["status"] != "planned" || got["reason"] != "" {
		t.Errorf("planned keeps no reason: %v", got)
	}
	events, _, err := fw.st.AuditEvents(context.Background(), store.AuditFilter{Action: sandpit.AuditFindingUpdated, Limit: 100})
	if err != nil || len(events) != 6 {
		t.Errorf("finding_updated events = %d, %v; want 6", len(events), err)
	}

	for kind, want := range map[string]int{"anonymous": 401, "clinician": 404, "other_owner": 404, "researcher": 403, "safety": 404, "admin": 200, "owner": 200} {
		if status, body := fw.api("PATCH", path, fw.tokens[kind], `{"status":"accepted"}`); status != want {
			t.Errorf("PATCH as %s = %d, want %d: %s", kind, status, want, body)
		}
		if status, _ := fw.api("POST", path+"/merge", fw.tokens[kind], `{"from":[]}`); (want == 200 && status != 422) || (want != 200 && status != want) {
			t.Errorf("merge as %s = %d, want %d (422 for curators: nothing to merge)", kind, status, want)
		}
		readWant := want
		if kind == "researcher" {
			readWant = 200
		}
		if status, _ := fw.api("GET", fmt.Sprintf("/workflows/%d/findings", fw.workflow), fw.tokens[kind], ""); status != readWant {
			t.Errorf("GET findings as %s = %d, want %d", kind, status, readWant)
		}
	}
	if status, _ := fw.api("PATCH", "/findings/999999", owner, `{"status":"accepted"}`); status != 404 {
		t.Errorf("PATCH a missing finding = %d, want 404", status)
	}
}

func TestMergeAndMoveKeepEveryReport(t *testing.T) {
	fw := newFindingsWorld(t)
	_, a := fw.report(fw.release, 60, 140, "The record link is small", false)
	_, b := fw.report(fw.release, 380, 20, "Colours of the banner are confusing", false)
	_, c := fw.report(fw.release, 20, 290, "Footer wording unclear for nurses", false)
	fw.report(fw.release, 21, 289, "Footer wording unclear", false)
	if a == b || b == c || a == c {
		t.Fatalf("findings %d %d %d, want three", a, b, c)
	}
	before := fw.countReports(fw.workflow)

	fw.mustAPI(200, "POST", fmt.Sprintf("/findings/%d/merge", a), fw.tokens["owner"], fmt.Sprintf(`{"from":[%d]}`, b))
	if after := fw.countReports(fw.workflow); after != before {
		t.Errorf("reports after merge = %d, want %d", after, before)
	}
	if _, err := fw.st.FindingMeta(context.Background(), store.Scope{All: true}, b); sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
		t.Errorf("merged finding %d still there: %v", b, err)
	}
	list := fw.findings(fw.workflow)
	if len(list) != 2 {
		t.Fatalf("findings after merge = %+v", list)
	}

	t.Run("merging across workflows is refused", func(t *testing.T) {
		otherRelease := fw.openRelease("elsewhere")
		_, foreign := fw.report(otherRelease, 60, 140, "The record link is small", false)
		status, body := fw.api("POST", fmt.Sprintf("/findings/%d/merge", a), fw.tokens["owner"], fmt.Sprintf(`{"from":[%d]}`, foreign))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"from"`) {
			t.Errorf("merge across workflows = %d %s", status, body)
		}
		status, _ = fw.api("POST", fmt.Sprintf("/findings/%d/merge", a), fw.tokens["owner"], fmt.Sprintf(`{"from":[%d]}`, a))
		if status != http.StatusUnprocessableEntity {
			t.Errorf("merge into itself = %d", status)
		}
	})

	t.Run("moving a report through the page keeps it and deletes the emptied finding", func(t *testing.T) {
		d, err := fw.st.Finding(context.Background(), store.Scope{All: true}, c)
		if err != nil || len(d.Quotes) != 2 {
			t.Fatalf("finding %d: %+v %v", c, d, err)
		}
		br := fw.browser()
		br.signIn("owner@example.nhs.uk")
		status, page := br.get(fmt.Sprintf("/findings/%d", c))
		if status != 200 || !strings.Contains(page, "Move to finding") || !strings.Contains(page, "<circle") || !strings.Contains(page, "Merge into this finding") {
			t.Fatalf("finding page: %d %s", status, page)
		}
		for i, r := range d.Quotes {
			resp, body := br.post(fmt.Sprintf("/reports/%d/move", r.ID), url.Values{"to": {fmt.Sprint(a)}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("move %d: %d %s", i, resp.StatusCode, body)
			}
		}
		if after := fw.countReports(fw.workflow); after != before {
			t.Errorf("reports after move = %d, want %d", after, before)
		}
		if _, err := fw.st.FindingMeta(context.Background(), store.Scope{All: true}, c); sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
			t.Errorf("emptied finding %d still there: %v", c, err)
		}
		if list := fw.findings(fw.workflow); len(list) != 1 || list[0].Reports != int(before) {
			t.Errorf("findings after moves = %+v", list)
		}
		events, _, _ := fw.st.AuditEvents(context.Background(), store.AuditFilter{Action: sandpit.AuditReportMoved, Limit: 10})
		if len(events) != 2 {
			t.Errorf("report_moved events = %d, want 2", len(events))
		}
	})

	t.Run("the page merge form", func(t *testing.T) {
		_, d := fw.report(fw.release, 200, 200, "Dose field label ambiguous", false)
		br := fw.browser()
		br.signIn("owner@example.nhs.uk")
		resp, body := br.post(fmt.Sprintf("/findings/%d/merge", a), url.Values{})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "nhsuk-error-summary") {
			t.Errorf("empty merge: %d", resp.StatusCode)
		}
		// Once in the error summary and once by the checkboxes, and nothing
		// else saying the same again.
		if n := strings.Count(body, "Select the findings to merge into this one"); n != 2 {
			t.Errorf("the merge error appears %d times, want 2 (summary and field)", n)
		}
		if strings.Contains(body, "<title>Error: Sandpit</title>") {
			t.Error("the page title does not name the finding: its curated title hid the layout's")
		}
		if n := strings.Count(body, "nhsuk-error-message"); n != 1 {
			t.Errorf("%d inline error messages, want 1:\n%s", n, body)
		}
		resp, _ = br.post(fmt.Sprintf("/findings/%d/merge", a), url.Values{"from": {fmt.Sprint(d)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("merge: %d", resp.StatusCode)
		}
		if after := fw.countReports(fw.workflow); after != before+1 {
			t.Errorf("reports = %d, want %d", after, before+1)
		}
	})
}

func TestFindingPersistsAfterAFix(t *testing.T) {
	fw := newFindingsWorld(t)
	token := fw.clinician("first@example.nhs.uk")
	trial := fw.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", fw.release), token, `{"consent":{"accepted":true,"research_use":true}}`)
	r := fw.mustAPI(201, "POST", fmt.Sprintf("/trials/%d/reports", int64(trial["id"].(float64))), token,
		`{"screen":"list","x":60,"y":140,"category":"navigation","severity":3,"safety_concern":false,"text":"The record link is small"}`)
	id := int64(r["finding_id"].(float64))
	fw.clock.Advance(time.Hour)
	fw.mustAPI(200, "PATCH", fmt.Sprintf("/findings/%d", id), fw.tokens["owner"], `{"status":"fixed","response":"The link is bigger in 0.2."}`)

	// A report from the release it was fixed against changes nothing.
	fw.report(fw.release, 62, 141, "The record link is small", false)
	if list := fw.findings(fw.workflow); list[0].Status != "fixed" {
		t.Fatalf("status = %s, want fixed", list[0].Status)
	}

	fw.clock.Advance(time.Hour)
	next := fw.createRelease(fw.workflow, testDefinition(t, "0.2"))
	fw.mustAPI(200, "POST", fmt.Sprintf("/releases/%d/publish", next), fw.tokens["owner"], "")
	_, joined := fw.report(next, 61, 139, "The record link is still small", false)
	if joined != id {
		t.Fatalf("the 0.2 report joined %d, want %d", joined, id)
	}
	list := fw.findings(fw.workflow)
	if list[0].Status != "persisting" || len(list[0].Evidence) != 2 {
		t.Errorf("finding = %+v, want persisting with evidence from two releases", list[0])
	}

	t.Run("My feedback shows the response and the status", func(t *testing.T) {
		status, body := fw.api("GET", "/me/feedback", token, "")
		if status != 200 || !strings.Contains(body, `"status":"persisting"`) || !strings.Contains(body, "The link is bigger in 0.2.") {
			t.Errorf("feedback: %d %s", status, body)
		}
		br := fw.browser()
		br.signIn("first@example.nhs.uk")
		status, page := br.get("/feedback")
		if status != 200 || !strings.Contains(page, "Persisting") || !strings.Contains(page, "The link is bigger in 0.2.") {
			t.Errorf("feedback page: %d", status)
		}
	})

	t.Run("marking it fixed again ends persisting", func(t *testing.T) {
		fw.clock.Advance(time.Hour)
		fw.mustAPI(200, "PATCH", fmt.Sprintf("/findings/%d", id), fw.tokens["owner"], `{"status":"fixed"}`)
		if list := fw.findings(fw.workflow); list[0].Status != "fixed" {
			t.Errorf("status = %s, want fixed", list[0].Status)
		}
	})
}

func TestSafetyConcerns(t *testing.T) {
	fw := newFindingsWorld(t)
	concern, _ := fw.report(fw.release, 60, 140, "Allergy banner hides the warfarin dose", true)
	fw.report(fw.release, 380, 20, "Colours are confusing", false)
	// A release of the other team.
	status, body := fw.api("POST", fmt.Sprintf("/teams/%d/workflows", fw.other.ID), fw.tokens["other_owner"],
		`{"title":"Antenatal booking","description":"d","consent_text":"You may stop at any time."}`)
	if status != 201 {
		t.Fatalf("other workflow: %d %s", status, body)
	}
	var wf workflowJSON
	json.Unmarshal([]byte(body), &wf)
	status, body = fw.api("POST", fmt.Sprintf("/workflows/%d/releases", wf.ID), fw.tokens["other_owner"], mustJSON(t, testDefinition(t, "1.0")))
	if status != 201 {
		t.Fatalf("other release: %d", status)
	}
	var rel releaseJSON
	json.Unmarshal([]byte(body), &rel)
	fw.mustAPI(200, "POST", fmt.Sprintf("/releases/%d/publish", rel.ID), fw.tokens["other_owner"], "")
	fw.clock.Advance(time.Minute)
	otherConcern, _ := fw.report(rel.ID, 100, 100, "Wrong patient's record opens", true)

	status, body = fw.api("GET", "/safety-concerns", fw.tokens["safety"], "")
	var list []safetyConcernJSON
	json.Unmarshal([]byte(body), &list)
	if status != 200 || len(list) != 2 || list[0].ID != otherConcern || list[1].ID != concern {
		t.Fatalf("safety concerns: %d %s", status, body)
	}
	if list[0].Team != "Maternity" || list[1].Team != "Medicines" || list[1].Triage != "open" || list[1].Release.ID != fw.release ||
		list[1].Finding.Title != "Allergy banner hides the warfarin dose" || list[1].Finding.Status != "new" {
		t.Errorf("concerns = %+v", list)
	}
	for kind, want := range map[string]int{"anonymous": 401, "clinician": 403, "owner": 403, "other_owner": 403, "researcher": 403, "safety": 200, "admin": 200} {
		if status, _ := fw.api("GET", "/safety-concerns", fw.tokens[kind], ""); status != want {
			t.Errorf("GET /safety-concerns as %s = %d, want %d", kind, status, want)
		}
	}

	t.Run("triage is saved and audited", func(t *testing.T) {
		br := fw.browser()
		br.signIn("safety@example.nhs.uk")
		status, page := br.get("/safety-concerns")
		if status != 200 || !strings.Contains(page, "Wrong patient&#39;s record opens") || !strings.Contains(page, "Triage: Open") {
			t.Fatalf("safety page: %d", status)
		}
		if _, header := br.get("/"); !strings.Contains(header, `href="/safety-concerns"`) {
			t.Errorf("no Safety concerns link in the header")
		}
		resp, _ := br.post(fmt.Sprintf("/safety-concerns/%d/triage", concern), url.Values{"status": {"sometimes"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("bad triage: %d", resp.StatusCode)
		}
		resp, _ = br.post(fmt.Sprintf("/safety-concerns/%d/triage", concern), url.Values{"status": {"hazard_logged"}, "note": {"Hazard H-12 in the log."}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("triage: %d", resp.StatusCode)
		}
		_, page = br.get("/safety-concerns")
		if !strings.Contains(page, "Triage: Hazard logged") || !strings.Contains(page, "Hazard H-12 in the log.") {
			t.Errorf("triage not shown")
		}
		events, _, err := fw.st.AuditEvents(context.Background(), store.AuditFilter{Action: sandpit.AuditSafetyTriaged, Limit: 10})
		if err != nil || len(events) != 1 {
			t.Errorf("safety_triaged events = %d, %v", len(events), err)
		}
		// Only safety concerns can be triaged, only by safety officers.
		owner := fw.browser()
		owner.signIn("owner@example.nhs.uk")
		if resp, _ := owner.post(fmt.Sprintf("/safety-concerns/%d/triage", concern), url.Values{"status": {"open"}}); resp.StatusCode != 403 {
			t.Errorf("owner triage: %d", resp.StatusCode)
		}
	})
}

func TestFindingPagesPermissions(t *testing.T) {
	fw := newFindingsWorld(t)
	report, id := fw.report(fw.release, 60, 140, "The record link is small", true)
	board := fmt.Sprintf("/workflows/%d/findings", fw.workflow)
	finding := fmt.Sprintf("/findings/%d", id)
	want := map[string][3]int{ // board, finding page, safety page
		"anonymous":   {303, 303, 303},
		"clinician":   {404, 404, 403},
		"owner":       {200, 200, 403},
		"other_owner": {404, 404, 403},
		"researcher":  {200, 200, 403},
		"safety":      {404, 200, 200}, // a finding holding a safety concern, read-only
		"admin":       {200, 200, 200},
	}
	for _, kind := range kinds {
		br := fw.browser()
		if kind != "anonymous" {
			br.signIn(kind + "@example.nhs.uk")
		}
		for i, path := range []string{board, finding, "/safety-concerns"} {
			if status, _ := br.get(path); status != want[kind][i] {
				t.Errorf("GET %s as %s = %d, want %d", path, kind, status, want[kind][i])
			}
		}
		post := map[string]int{"anonymous": 401, "clinician": 404, "owner": 303, "other_owner": 404, "researcher": 403, "safety": 404, "admin": 303}[kind]
		if resp, body := br.post(finding, url.Values{"title": {"Small link"}, "severity": {"3"}, "status": {"accepted"}}); resp.StatusCode != post {
			t.Errorf("POST %s as %s = %d, want %d: %.300s", finding, kind, resp.StatusCode, post, body)
		}
	}

	t.Run("the board and the curation form", func(t *testing.T) {
		br := fw.browser()
		br.signIn("owner@example.nhs.uk")
		status, page := br.get(board)
		if status != 200 || !strings.Contains(page, "Safety concern") || !strings.Contains(page, finding) || !strings.Contains(page, "Small link") {
			t.Errorf("board: %d", status)
		}
		if _, wfPage := br.get(fmt.Sprintf("/workflows/%d", fw.workflow)); !strings.Contains(wfPage, board) {
			t.Errorf("the workflow page does not link to the findings board")
		}
		resp, body := br.post(finding, url.Values{"title": {"Small link"}, "severity": {"3"}, "status": {"wont_fix"}, "reason": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#reason"`) {
			t.Errorf("wont_fix without reason: %d", resp.StatusCode)
		}
		resp, body = br.post(finding, url.Values{"title": {strings.Repeat("x", 201)}, "severity": {"3"}, "status": {"accepted"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#title"`) {
			t.Errorf("long title: %d", resp.StatusCode)
		}
		closing := url.Values{"title": {""}, "severity": {"4"}, "status": {"wont_fix"}, "reason": {"Out of scope"}, "response": {"Thanks, out of scope."}}
		resp, body = br.post(finding, closing)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `href="#status"`) || !strings.Contains(body, fmt.Sprintf("report %d", report)) {
			t.Errorf("closing an untriaged safety concern: %d", resp.StatusCode)
		}
		if _, page := br.get(finding); !strings.Contains(page, "1 safety concern in this finding is waiting for a safety officer's triage") {
			t.Errorf("the finding page does not say its safety concern awaits triage")
		}
		safety := fw.browser()
		safety.signIn("safety@example.nhs.uk")
		if resp, _ := safety.post(fmt.Sprintf("/safety-concerns/%d/triage", report), url.Values{"status": {"not_a_hazard"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("triage: %d", resp.StatusCode)
		}
		if _, page := br.get(finding); strings.Contains(page, "waiting for a safety officer's triage") {
			t.Errorf("the finding page still says its safety concern awaits triage")
		}
		resp, _ = br.post(finding, closing)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		_, page = br.get(finding)
		if !strings.Contains(page, "Will not fix") || !strings.Contains(page, "Out of scope") || !strings.Contains(page, "Thanks, out of scope.") {
			t.Errorf("finding page after save")
		}
	})
}

// TestMyFeedbackShowsNoOtherClinicianSWords checks that a clinician whose
// report joined a finding started by another clinician reads only their own
// words, in the API and on the page, until the product owner titles it.
func TestMyFeedbackShowsNoOtherClinicianSWords(t *testing.T) {
	fw := newFindingsWorld(t)
	first := "Allergy banner hides the warfarin dose. Nearly gave it twice."
	_, finding := fw.report(fw.release, 100, 140, first, false)
	fw.clock.Advance(time.Minute)
	second := "The warfarin dose sits under the allergy banner."
	token := fw.clinician("second@example.nhs.uk")
	trial := fw.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", fw.release), token, `{"consent":{"accepted":true,"research_use":true}}`)
	r := fw.mustAPI(201, "POST", fmt.Sprintf("/trials/%d/reports", int64(trial["id"].(float64))), token,
		mustJSON(t, map[string]any{"screen": "list", "x": 102, "y": 141, "category": "navigation", "severity": 2, "text": second}))
	if got := int64(r["finding_id"].(float64)); got != finding {
		t.Fatalf("the second report joined finding %d, want %d", got, finding)
	}
	feedback := func() (string, []map[string]any) {
		status, body := fw.api("GET", "/me/feedback", token, "")
		var list []map[string]any
		if status != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil || len(list) != 1 {
			t.Fatalf("GET /me/feedback = %d %s", status, body)
		}
		return body, list
	}
	body, list := feedback()
	if strings.Contains(body, "Nearly gave it twice") || strings.Contains(body, "hides the warfarin") {
		t.Errorf("the API shows another clinician's words: %s", body)
	}
	if list[0]["text"] != second || list[0]["finding"].(map[string]any)["title"] != nil {
		t.Errorf("feedback = %v; want own text and a null title", list[0])
	}
	b := fw.browser()
	b.signIn("second@example.nhs.uk")
	page := b.getPage(t, "/feedback", http.StatusOK)
	if strings.Contains(page, "Nearly gave it twice") || strings.Contains(page, "hides the warfarin") || !strings.Contains(page, "The warfarin dose sits under the allergy banner") {
		t.Errorf("My feedback page shows another clinician's words or not the clinician's own")
	}
	fw.mustAPI(200, "PATCH", fmt.Sprintf("/findings/%d", finding), fw.tokens["owner"], `{"title":"Dose hidden by the allergy banner"}`)
	if _, list := feedback(); list[0]["finding"].(map[string]any)["title"] != "Dose hidden by the allergy banner" {
		t.Errorf("after titling, finding = %v", list[0]["finding"])
	}
}

// TestSafetyConcernsAreClosedBySafety follows API.md: closing a finding
// holding a safety concern answers 409 naming the untriaged reports until a
// safety officer has triaged each, and then needs a reason.
func TestSafetyConcernsAreClosedBySafety(t *testing.T) {
	fw := newFindingsWorld(t)
	report, finding := fw.report(fw.release, 60, 140, "The dose field is hidden", true)
	path := fmt.Sprintf("/findings/%d", finding)
	owner, safety := fw.tokens["owner"], fw.tokens["safety"]
	status, body := fw.api("PATCH", path, owner, `{"status":"fixed","reason":"Moved the banner."}`)
	var e apiError
	json.Unmarshal([]byte(body), &e)
	if status != http.StatusConflict || e.Error.Fields["status"] == "" || !strings.Contains(e.Error.Message, fmt.Sprint(report)) {
		t.Fatalf("closing before triage = %d %s", status, body)
	}
	if status, body := fw.api("GET", "/safety-concerns?triage=open", safety, ""); status != 200 || !strings.Contains(body, fmt.Sprintf(`"id":%d`, report)) {
		t.Errorf("open concerns = %d %s", status, body)
	}
	fw.mustAPI(200, "PATCH", fmt.Sprintf("/safety-concerns/%d", report), safety, `{"triage":"under_review"}`)
	if status, _ := fw.api("PATCH", path, owner, `{"status":"wont_fix","reason":"Out of scope."}`); status != http.StatusConflict {
		t.Errorf("closing while under review = %d, want 409", status)
	}
	if status, _ := fw.api("PATCH", fmt.Sprintf("/safety-concerns/%d", report), owner, `{"triage":"not_a_hazard"}`); status != http.StatusForbidden {
		t.Errorf("a product owner's triage = %d, want 403", status)
	}
	got := fw.mustAPI(200, "PATCH", fmt.Sprintf("/safety-concerns/%d", report), safety, `{"triage":"hazard_logged","note":"H-7"}`)
	if got["triage"] != "hazard_logged" {
		t.Errorf("triaged concern = %v", got)
	}
	if status, body := fw.api("GET", "/safety-concerns?triage=open", safety, ""); status != 200 || strings.TrimSpace(body) != "[]" {
		t.Errorf("open concerns after triage = %d %s", status, body)
	}
	if status, body := fw.api("PATCH", path, owner, `{"status":"fixed"}`); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"reason"`) {
		t.Errorf("fixed without a reason = %d %s", status, body)
	}
	if got := fw.mustAPI(200, "PATCH", path, owner, `{"status":"fixed","reason":"Moved the banner."}`); got["status"] != "fixed" || got["reason"] != "Moved the banner." {
		t.Errorf("fixed = %v", got)
	}
	if status, _ := fw.api("GET", "/safety-concerns?triage=closed", safety, ""); status != http.StatusUnprocessableEntity {
		t.Errorf("an unknown triage filter = %d, want 422", status)
	}
}
