package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// openRelease publishes testDefinition in a new workflow and returns the
// release id.
func (w *world) openRelease(version string) int64 {
	w.t.Helper()
	wf := w.createWorkflow("Trials " + version)
	id := w.createRelease(wf, testDefinition(w.t, version))
	if status, body := w.api("POST", fmt.Sprintf("/releases/%d/publish", id), w.tokens["owner"], ""); status != http.StatusOK {
		w.t.Fatalf("publish: %d %s", status, body)
	}
	return id
}

// clinician creates another clinician and returns their API token.
func (w *world) clinician(email string) string {
	w.t.Helper()
	u := w.createUser(email, sandpit.RoleClinician)
	token, hash := newToken()
	if _, err := w.st.CreateToken(context.Background(), u.ID, "t", hash, sandpit.AuditEntry{Action: sandpit.AuditTokenCreated}); err != nil {
		w.t.Fatal(err)
	}
	return token
}

// mustAPI calls the API and fails unless it answers want.
func (w *world) mustAPI(want int, method, path, token, body string) map[string]any {
	w.t.Helper()
	status, out := w.api(method, path, token, body)
	if status != want {
		w.t.Fatalf("%s %s = %d, want %d: %s", method, path, status, want, out)
	}
	var m map[string]any
	json.Unmarshal([]byte(out), &m)
	return m
}

func TestTrialThroughTheAPI(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("0.2")
	token := w.tokens["clinician"]

	_, list := w.api("GET", "/trials/available", token, "")
	if !strings.Contains(list, fmt.Sprintf(`"release_id":%d`, release)) {
		t.Fatalf("available = %s", list)
	}
	w.mustAPI(422, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":false}}`)
	trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true,"research_use":true}}`)
	id := int64(trial["id"].(float64))
	again := w.mustAPI(200, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true}}`)
	if int64(again["id"].(float64)) != id {
		t.Fatal("a second consent made a second trial")
	}
	base := fmt.Sprintf("/trials/%d", id)
	task := base + "/tasks/reconcile"

	w.mustAPI(409, "POST", task+"/clicks", token, `{"seq":1,"x":50,"y":130}`)
	started := w.mustAPI(200, "POST", task+"/start", token, "")
	if started["screen"].(map[string]any)["key"] != "list" {
		t.Fatalf("start = %v", started)
	}
	w.mustAPI(409, "POST", task+"/rating", token, `{"ease":6}`)
	miss := w.mustAPI(200, "POST", task+"/clicks", token, `{"seq":1,"x":5,"y":5}`)
	if miss["hit"] != false || miss["screen"].(map[string]any)["key"] != "list" {
		t.Fatalf("miss = %v", miss)
	}
	w.mustAPI(422, "POST", task+"/clicks", token, `{"seq":2,"x":400,"y":5}`)
	w.mustAPI(409, "POST", task+"/clicks", token, `{"seq":3,"x":50,"y":130}`)
	hit := w.mustAPI(200, "POST", task+"/clicks", token, `{"seq":2,"x":50,"y":130}`)
	if hit["hit"] != true || hit["screen"].(map[string]any)["key"] != "record" {
		t.Fatalf("hit = %v", hit)
	}
	w.mustAPI(200, "POST", task+"/pause", token, "")
	w.mustAPI(409, "POST", task+"/clicks", token, `{"seq":3,"x":10,"y":260}`)
	w.mustAPI(200, "POST", task+"/resume", token, "")
	done := w.mustAPI(200, "POST", task+"/clicks", token, `{"seq":3,"x":10,"y":260}`)
	if done["done"] != true || done["outcome"] != "direct" {
		t.Fatalf("done = %v", done)
	}
	t.Run("a repeated seq returns its first answer and records nothing", func(t *testing.T) {
		replayed := w.mustAPI(200, "POST", task+"/clicks", token, `{"seq":3,"x":1,"y":1}`)
		if fmt.Sprint(replayed) != fmt.Sprint(done) {
			t.Errorf("replay %v, first %v", replayed, done)
		}
		first := w.mustAPI(200, "POST", task+"/clicks", token, `{"seq":1,"x":50,"y":130}`)
		if first["hit"] != false {
			t.Errorf("replay of seq 1 = %v", first)
		}
		attempts, _ := w.st.Attempts(t.Context(), id)
		clicks, _ := w.st.ClicksOf(t.Context(), attempts["reconcile"].ID)
		if len(clicks) != 3 || attempts["reconcile"].Interruptions != 1 {
			t.Errorf("clicks = %d, interruptions = %d", len(clicks), attempts["reconcile"].Interruptions)
		}
	})
	w.mustAPI(409, "POST", task+"/clicks", token, `{"seq":4,"x":10,"y":260}`)
	w.mustAPI(422, "POST", task+"/rating", token, `{"ease":8}`)
	w.mustAPI(422, "POST", task+"/rating", token, `{"ease":5,"comment":"Patient 943 476 5919 was wrong"}`)
	w.mustAPI(200, "POST", task+"/rating", token, `{"ease":6,"comment":"Quick once I found the button"}`)

	t.Run("reports are checked and join findings", func(t *testing.T) {
		bad := []struct{ name, body, field string }{
			{"unknown category", `{"screen":"list","x":5,"y":5,"category":"colour","severity":2,"text":"x"}`, "category"},
			{"severity out of range", `{"screen":"list","x":5,"y":5,"category":"layout","severity":0,"text":"x"}`, "severity"},
			{"pin outside the screen", `{"screen":"list","x":500,"y":5,"category":"layout","severity":2,"text":"x"}`, "x"},
			{"text too long", `{"screen":"list","x":5,"y":5,"category":"layout","severity":2,"text":"` + strings.Repeat("a", 5001) + `"}`, "text"},
			{"a real NHS number", `{"screen":"list","x":5,"y":5,"category":"layout","severity":2,"text":"Mr Smith 4010232137 missing"}`, "text"},
		}
		for _, b := range bad {
			status, body := w.api("POST", base+"/reports", token, b.body)
			if status != 422 || !strings.Contains(body, `"`+b.field+`"`) {
				t.Errorf("%s: %d %s", b.name, status, body)
			}
		}
		r1 := w.mustAPI(201, "POST", base+"/reports", token, `{"task":"reconcile","screen":"record","x":100,"y":100,"category":"layout","severity":3,"safety_concern":true,"text":"Allergies are hidden below the fold."}`)
		r2 := w.mustAPI(201, "POST", base+"/reports", token, `{"screen":"record","x":110,"y":105,"category":"layout","severity":2,"text":"Cannot see allergies."}`)
		if r1["finding_id"] != r2["finding_id"] {
			t.Errorf("near pins on one screen and category started two findings: %v %v", r1, r2)
		}
		feedback, _ := w.api("GET", "/me/feedback", token, "")
		_ = feedback
		if _, body := w.api("GET", "/me/feedback", token, ""); strings.Contains(body, "4010232137") || !strings.Contains(body, "Allergies are hidden below the fold") {
			t.Errorf("feedback = %s", body)
		}
	})

	w.mustAPI(422, "POST", base+"/complete", token, "")
	allergyTask := base + "/tasks/allergy"
	_ = allergyTask
	w.mustAPI(404, "POST", base+"/tasks/nope/start", token, "")
	w.mustAPI(422, "POST", base+"/sus", token, `{"answers":[1,2,3]}`)
	sus := w.mustAPI(200, "POST", base+"/sus", token, `{"answers":[4,2,4,2,5,1,4,2,4,3]}`)
	if sus["score"] != 77.5 {
		t.Errorf("SUS = %v", sus)
	}
	w.mustAPI(200, "POST", base+"/complete", token, "")
	w.mustAPI(409, "POST", base+"/complete", token, "")
	w.mustAPI(409, "POST", task+"/give-up", token, "")
	w.mustAPI(200, "POST", task+"/clicks", token, `{"seq":3,"x":1,"y":1}`)

	t.Run("withdrawal leaves no row of the trial behind", func(t *testing.T) {
		attempts, _ := w.st.Attempts(t.Context(), id)
		w.mustAPI(204, "DELETE", base, token, "")
		if n, err := storetest.CountTrialRows(t.Context(), w.st, id); err != nil || n != 0 {
			t.Errorf("rows left = %d, %v", n, err)
		}
		if clicks, _ := w.st.ClicksOf(t.Context(), attempts["reconcile"].ID); len(clicks) != 0 {
			t.Errorf("%d clicks left", len(clicks))
		}
		if _, body := w.api("GET", "/me/feedback", token, ""); body != "[]\n" {
			t.Errorf("feedback after withdrawal = %s", body)
		}
		w.mustAPI(404, "DELETE", base, token, "")
	})
}

func TestTrialOutcomesThroughTheAPI(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("0.3")
	tests := []struct {
		name    string
		clicks  [][2]int
		giveUp  bool
		outcome string
	}{
		{"direct", [][2]int{{50, 130}, {10, 260}}, false, "direct"},
		{"indirect: back to the list and in again", [][2]int{{50, 130}, {10, 10}, {50, 130}, {10, 260}}, false, "indirect"},
		{"gave up", [][2]int{{50, 130}}, true, "gave_up"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := w.clinician(fmt.Sprintf("outcome%d@example.nhs.uk", i))
			trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true}}`)
			task := fmt.Sprintf("/trials/%d/tasks/reconcile", int64(trial["id"].(float64)))
			w.mustAPI(200, "POST", task+"/start", token, "")
			var last map[string]any
			for j, c := range tt.clicks {
				last = w.mustAPI(200, "POST", task+"/clicks", token, fmt.Sprintf(`{"seq":%d,"x":%d,"y":%d}`, j+1, c[0], c[1]))
			}
			if tt.giveUp {
				last = w.mustAPI(200, "POST", task+"/give-up", token, "")
			}
			if last["outcome"] != tt.outcome {
				t.Errorf("outcome = %v", last)
			}
		})
	}
}

func TestTrialBelongsToItsClinician(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("0.4")
	owner := w.tokens["clinician"]
	trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), owner, `{"consent":{"accepted":true}}`)
	base := fmt.Sprintf("/trials/%d", int64(trial["id"].(float64)))
	w.mustAPI(200, "POST", base+"/tasks/reconcile/start", owner, "")
	other := w.clinician("other.clinician@example.nhs.uk")
	routes := []struct{ method, path, body string }{
		{"POST", base + "/tasks/reconcile/start", ""},
		{"POST", base + "/tasks/reconcile/clicks", `{"seq":1,"x":1,"y":1}`},
		{"POST", base + "/tasks/reconcile/give-up", ""},
		{"POST", base + "/tasks/reconcile/pause", ""},
		{"POST", base + "/tasks/reconcile/resume", ""},
		{"POST", base + "/tasks/reconcile/rating", `{"ease":3}`},
		{"POST", base + "/reports", `{"screen":"list","x":1,"y":1,"category":"layout","severity":1,"text":"x"}`},
		{"POST", base + "/sus", `{"answers":[3,3,3,3,3,3,3,3,3,3]}`},
		{"POST", base + "/complete", ""},
		{"DELETE", base, ""},
	}
	for _, r := range routes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			if status, body := w.api(r.method, r.path, other, r.body); status != http.StatusNotFound {
				t.Errorf("another clinician: %d %s", status, body)
			}
		})
	}
	t.Run("only clinicians take trials", func(t *testing.T) {
		w.mustAPI(403, "POST", fmt.Sprintf("/releases/%d/trials", release), w.tokens["owner"], `{"consent":{"accepted":true}}`)
		w.mustAPI(404, "POST", fmt.Sprintf("/releases/%d/trials", release), w.tokens["other_owner"], `{"consent":{"accepted":true}}`)
	})
	t.Run("a closed release takes no clicks", func(t *testing.T) {
		w.mustAPI(200, "POST", fmt.Sprintf("/releases/%d/close", release), w.tokens["owner"], "")
		w.mustAPI(409, "POST", base+"/tasks/reconcile/clicks", owner, `{"seq":1,"x":50,"y":130}`)
	})
}

func TestConcurrentClicksAreAllStored(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("0.5")
	const clinicians, clicksEach = 50, 8
	type run struct {
		token string
		task  string
		trial int64
	}
	runs := make([]run, clinicians)
	for i := range runs {
		token := w.clinician(fmt.Sprintf("ward%d@example.nhs.uk", i))
		trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true}}`)
		id := int64(trial["id"].(float64))
		runs[i] = run{token, fmt.Sprintf("/trials/%d/tasks/reconcile", id), id}
		w.mustAPI(200, "POST", runs[i].task+"/start", token, "")
	}
	var wg sync.WaitGroup
	errs := make(chan string, clinicians*clicksEach)
	acked := make([]int, clinicians)
	for i, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 1; seq <= clicksEach; seq++ {
				status, body := w.api("POST", r.task+"/clicks", r.token, fmt.Sprintf(`{"seq":%d,"x":%d,"y":5}`, seq, 100+seq))
				if status != http.StatusOK {
					errs <- fmt.Sprintf("clinician %d seq %d: %d %s", i, seq, status, body)
					return
				}
				acked[i]++
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for i, r := range runs {
		attempts, err := w.st.Attempts(t.Context(), r.trial)
		if err != nil {
			t.Fatal(err)
		}
		clicks, _ := w.st.ClicksOf(t.Context(), attempts["reconcile"].ID)
		if len(clicks) != acked[i] || attempts["reconcile"].Misclicks != acked[i] {
			t.Errorf("clinician %d: %d acknowledged, %d stored", i, acked[i], len(clicks))
		}
	}
}
