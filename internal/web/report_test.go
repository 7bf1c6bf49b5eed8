package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/findings"
)

func TestReleaseReportAPI(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("report")
	for i, path := range [][][2]int{{{50, 130}, {10, 260}}, {{5, 5}, {50, 130}, {10, 10}, {50, 130}, {10, 260}}} {
		token := w.clinician(fmt.Sprintf("report%d@example.nhs.uk", i))
		trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true,"research_use":true}}`)
		base := fmt.Sprintf("/trials/%d", int64(trial["id"].(float64)))
		w.mustAPI(200, "POST", base+"/tasks/reconcile/start", token, "")
		for j, c := range path {
			w.mustAPI(200, "POST", base+"/tasks/reconcile/clicks", token, fmt.Sprintf(`{"seq":%d,"x":%d,"y":%d}`, j+1, c[0], c[1]))
		}
		w.mustAPI(200, "POST", base+"/tasks/reconcile/rating", token, fmt.Sprintf(`{"ease":%d}`, 5+i))
		w.mustAPI(201, "POST", base+"/reports", token, `{"screen":"list","x":60,"y":140,"category":"navigation","severity":2,"text":"The record link is small"}`)
		w.mustAPI(200, "POST", base+"/sus", token, `{"answers":[4,2,4,2,5,1,4,2,4,3]}`)
	}
	status, body := w.api("GET", fmt.Sprintf("/releases/%d/report", release), w.tokens["owner"], "")
	if status != http.StatusOK {
		t.Fatalf("report: %d %s", status, body)
	}
	var r findings.Report
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	task := r.Tasks[0]
	if r.Participants.N != 2 || task.Attempts != 2 || task.Direct != 1 || task.Indirect != 1 || task.Time.N != 2 || task.Ease.N != 2 {
		t.Errorf("report = %s", body)
	}
	if len(r.Findings) != 1 || r.Findings[0].Participants != 2 || r.Findings[0].Frequency != 1 {
		t.Errorf("findings = %+v", r.Findings)
	}
	if r.SUS.N != 2 || *r.SUS.Grade != "B+" || r.Comparisons.Previous != nil || r.Comparisons.Baseline != nil {
		t.Errorf("SUS %+v, comparisons %+v", r.SUS, r.Comparisons)
	}
	for kind, want := range map[string]int{"researcher": 200, "admin": 200, "other_owner": 404, "clinician": 404, "safety": 404, "anonymous": 401} {
		if status, _ := w.api("GET", fmt.Sprintf("/releases/%d/report", release), w.tokens[kind], ""); status != want {
			t.Errorf("%s: %d, want %d", kind, status, want)
		}
	}
}

func TestReleasePageSaysWhatWasDone(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("said")
	token := w.tokens["clinician"]
	trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true}}`)
	report := w.mustAPI(201, "POST", fmt.Sprintf("/trials/%d/reports", int64(trial["id"].(float64))), token,
		`{"screen":"list","x":60,"y":140,"category":"navigation","severity":2,"text":"The record link is hard to see"}`)
	finding := int64(report["finding_id"].(float64))
	owner := w.browser()
	owner.signIn(w.users["owner"].Email)
	if _, body := owner.get(fmt.Sprintf("/releases/%d", release)); !strings.Contains(body, "No finding of this workflow has been planned or fixed yet") {
		t.Fatalf("before: %s", body)
	}
	w.mustAPI(200, "PATCH", fmt.Sprintf("/findings/%d", finding), w.tokens["owner"], `{"status":"planned","response":"We are making the link a button in 0.3."}`)
	if _, body := owner.get(fmt.Sprintf("/releases/%d", release)); !strings.Contains(body, "We are making the link a button in 0.3.") {
		t.Errorf("the release page does not say what was done")
	}
	clinician := w.browser()
	clinician.signIn(w.users["clinician"].Email)
	if _, body := clinician.get("/feedback"); !strings.Contains(body, "We are making the link a button in 0.3.") {
		t.Errorf("My feedback does not show the team's response")
	}
}

func TestReportLeavesOutWithdrawnTrials(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("withdrawn")
	var trials []string
	var tokens []string
	for i := range 2 {
		token := w.clinician(fmt.Sprintf("withdrawn%d@example.nhs.uk", i))
		trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true}}`)
		base := fmt.Sprintf("/trials/%d", int64(trial["id"].(float64)))
		w.mustAPI(200, "POST", base+"/tasks/reconcile/start", token, "")
		w.mustAPI(200, "POST", base+"/tasks/reconcile/give-up", token, "")
		w.mustAPI(201, "POST", base+"/reports", token, `{"screen":"list","x":60,"y":140,"category":"navigation","severity":2,"text":"Lost on the ward list"}`)
		w.mustAPI(200, "POST", base+"/sus", token, `{"answers":[3,3,3,3,3,3,3,3,3,3]}`)
		trials, tokens = append(trials, base), append(tokens, token)
	}
	w.mustAPI(204, "DELETE", trials[1], tokens[1], "")
	_, body := w.api("GET", fmt.Sprintf("/releases/%d/report", release), w.tokens["owner"], "")
	var r findings.Report
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if r.Participants.N != 1 || r.Tasks[0].Attempts != 1 || r.SUS.N != 1 || len(r.Findings) != 1 || r.Findings[0].Participants != 1 {
		t.Errorf("report after one of two withdrew = %s", body)
	}
}
