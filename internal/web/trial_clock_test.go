package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// openReleaseOf publishes def in a new workflow called title and returns
// the release id.
func (w *world) openReleaseOf(title string, def sandpit.Definition) int64 {
	w.t.Helper()
	id := w.createRelease(w.createWorkflow(title), def)
	if status, body := w.api("POST", fmt.Sprintf("/releases/%d/publish", id), w.tokens["owner"], ""); status != http.StatusOK {
		w.t.Fatalf("publish: %d %s", status, body)
	}
	return id
}

// apiTrial consents to release through the API as the holder of token and
// returns the path of its task "reconcile".
func (w *world) apiTrial(release int64, token string) (int64, string) {
	w.t.Helper()
	trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true,"research_use":true}}`)
	id := int64(trial["id"].(float64))
	return id, fmt.Sprintf("/trials/%d/tasks/reconcile", id)
}

// attemptOf returns the attempt at task "reconcile" of trial id, or nil.
func (w *world) attemptOf(id int64) *sandpit.Attempt {
	w.t.Helper()
	attempts, err := w.st.Attempts(w.t.Context(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return attempts["reconcile"]
}

func TestTaskPageStartsNothing(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("0.2")
	b := w.clinicianBrowser("reader@example.nhs.uk")
	base := b.startTrialPage(t, release, true)
	id, task := trialIDOf(t, base), base+"/tasks/reconcile"

	for range 3 {
		b.getPage(t, task, http.StatusOK)
		b.getPage(t, base, http.StatusOK)
		w.clock.Advance(time.Minute)
	}
	if a := w.attemptOf(id); a != nil {
		t.Fatalf("reading the task page started an attempt: %+v", a)
	}
	resp, body := b.post(task+"/start", nil)
	if location := wantStatus(t, resp, body, http.StatusSeeOther); location != task+"#screen" {
		t.Fatalf("start went to %q", location)
	}
	if a := w.attemptOf(id); a == nil || !a.StartedAt.Equal(w.clock.Now()) {
		t.Errorf("attempt = %+v, want one started at %v", a, w.clock.Now())
	}
}

func TestReportFormTimeIsExcluded(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("0.2")
	b := w.clinicianBrowser("reporter@example.nhs.uk")
	base := b.startTrialPage(t, release, true)
	id, task := trialIDOf(t, base), base+"/tasks/reconcile"
	post := func(path string, form url.Values, want string) {
		t.Helper()
		resp, body := b.post(path, form)
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != want {
			t.Fatalf("POST %s went to %q, want %q", path, location, want)
		}
	}

	post(task+"/start", nil, task+"#screen")
	w.clock.Advance(10 * time.Second)
	post(task+"/click", url.Values{"seq": {"1"}, "click.x": {"50"}, "click.y": {"130"}}, task+"#screen")

	// Opening the form pauses the attempt; sending the report resumes it.
	w.clock.Advance(2 * time.Second)
	form := base + "/report?task=reconcile&screen=record&paused=1"
	post(task+"/report", nil, form)
	if a := w.attemptOf(id); !a.Paused() {
		t.Fatalf("the report form did not pause the attempt: %+v", a)
	}
	body := b.getPage(t, form, http.StatusOK)
	for _, want := range []string{`name="resume" value="1"`, `action="` + task + `/resume"`, "Cancel and go back to the task", "clock is stopped while you write"} {
		if !strings.Contains(body, want) {
			t.Errorf("report form lacks %q", want)
		}
	}
	w.clock.Advance(10 * time.Minute)
	post(base+"/report", url.Values{"task": {"reconcile"}, "screen": {"record"}, "resume": {"1"}, "x": {"100"}, "y": {"100"},
		"category": {"layout"}, "severity": {"2"}, "text": {"The save button is hard to find."}}, task+"?done=reported#screen")
	if a := w.attemptOf(id); a.Paused() || a.PausedMs != (10*time.Minute).Milliseconds() {
		t.Fatalf("after sending: %+v", a)
	}

	// Cancelling resumes it too.
	w.clock.Advance(1 * time.Second)
	post(task+"/report", nil, form)
	w.clock.Advance(5 * time.Minute)
	post(task+"/resume", nil, task+"#screen")

	w.clock.Advance(3 * time.Second)
	post(task+"/click", url.Values{"seq": {"2"}, "click.x": {"10"}, "click.y": {"260"}}, task+"/rating")
	a := w.attemptOf(id)
	if a.DurationMs == nil || *a.DurationMs != 16000 || a.Interruptions != 2 {
		t.Errorf("duration %v ms, %d interruptions; want 16000 ms (10 + 2 + 1 + 3 s) and 2", a.DurationMs, a.Interruptions)
	}
}

func TestListClickIsAssisted(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	def := testDefinition(t, "0.4")
	// The record screen's links: "Save", then one without a label.
	def.Screens[1].Hotspots[1].Label = ""
	release := w.openReleaseOf("Assisted", def)
	token := w.tokens["clinician"]
	id, task := w.apiTrial(release, token)

	started := w.mustAPI(200, "POST", task+"/start", token, "")
	links := fmt.Sprint(started["screen"].(map[string]any)["links"])
	if links != "[map[index:0 label:Open Mrs Patel's record]]" {
		t.Errorf("links of the start screen = %s", links)
	}
	w.mustAPI(200, "POST", task+"/clicks", token, `{"seq":1,"x":5,"y":5}`)
	w.mustAPI(422, "POST", task+"/clicks", token, `{"seq":2,"via":"list","link":1}`)
	w.mustAPI(422, "POST", task+"/clicks", token, `{"seq":2,"via":"list"}`)
	hit := w.mustAPI(200, "POST", task+"/clicks", token, `{"seq":2,"via":"list","link":0}`)
	screen := hit["screen"].(map[string]any)
	if hit["hit"] != true || screen["key"] != "record" {
		t.Fatalf("list click = %v", hit)
	}
	// An unlabelled link is told by its place, never by where it leads.
	if links := fmt.Sprint(screen["links"]); links != "[map[index:0 label:Save] map[index:1 label:Link 2 of 2]]" {
		t.Errorf("links of the record screen = %s", links)
	}
	if a := w.attemptOf(id); !a.Assisted() || a.ListClicks != 1 {
		t.Errorf("attempt = %+v", a)
	}
	done := w.mustAPI(200, "POST", task+"/clicks", token, `{"seq":3,"x":10,"y":260}`)
	if done["done"] != true || done["outcome"] != "direct" {
		t.Fatalf("done = %v", done)
	}

	report := w.mustAPI(200, "GET", fmt.Sprintf("/releases/%d/report", release), w.tokens["owner"], "")
	tasks := report["tasks"].([]any)
	if task := tasks[0].(map[string]any); task["assisted"] != 1.0 || task["misclick_rate"] != 0.5 {
		t.Errorf("report task = %v; want assisted 1 and misclick rate 1/2 (pointer clicks only)", task)
	}

	rows := func(table string) []map[string]string {
		t.Helper()
		status, body := w.api("GET", fmt.Sprintf("/releases/%d/export?format=csv&table=%s", release, table), w.tokens["owner"], "")
		if status != http.StatusOK {
			t.Fatalf("export %s = %d %s", table, status, body)
		}
		records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]string
		for _, r := range records[1:] {
			m := map[string]string{}
			for i, col := range records[0] {
				m[col] = r[i]
			}
			out = append(out, m)
		}
		return out
	}
	attempts := rows("attempts")
	if len(attempts) != 1 || attempts[0]["assisted"] != "true" || attempts[0]["started_at"] == "" || attempts[0]["clicks"] != "3" {
		t.Errorf("attempts = %v", attempts)
	}
	clicks := rows("clicks")
	if len(clicks) != 3 {
		t.Fatalf("clicks = %v", clicks)
	}
	for i, want := range []struct{ via, x, y string }{{"pointer", "5", "5"}, {"list", "", ""}, {"pointer", "10", "260"}} {
		if c := clicks[i]; c["via"] != want.via || c["x"] != want.x || c["y"] != want.y {
			t.Errorf("click %d = %v, want via %s at (%q, %q)", i+1, c, want.via, want.x, want.y)
		}
	}
}
