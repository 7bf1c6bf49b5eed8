package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// testPNG draws a w × h PNG of one colour.
func testPNG(t testing.TB, w, h int, shade uint8) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{shade, uint8(x), uint8(y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return sandpit.DataURI("image/png", b.Bytes())
}

// testDefinition is a runnable release: list → record → done.
func testDefinition(t testing.TB, version string) sandpit.Definition {
	return sandpit.Definition{
		Version: version, Notes: "Allergies moved to the top.",
		Screens: []sandpit.Screen{
			{Key: "list", Title: "Ward list", Image: testPNG(t, 400, 300, 10), Hotspots: []sandpit.Hotspot{{X: 40, Y: 120, W: 300, H: 48, Target: "record", Label: "Open Mrs Patel's record"}}},
			{Key: "record", Title: "Record", Image: testPNG(t, 400, 300, 20), Hotspots: []sandpit.Hotspot{{X: 0, Y: 250, W: 400, H: 50, Target: "done", Label: "Save"}, {X: 0, Y: 0, W: 60, H: 30, Target: "list", Label: "Back"}}},
			{Key: "done", Title: "Done", Image: testPNG(t, 400, 300, 30), Hotspots: []sandpit.Hotspot{}},
		},
		Tasks: []sandpit.Task{{Key: "reconcile", Title: "Reconcile medicines", Scenario: "Mrs Patel (synthetic, NHS number 999 123 4567) is admitted.",
			Start: "list", Success: []string{"done"}, OptimalPath: []string{"list", "record", "done"}, DailyFrequency: 12}},
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// createWorkflow makes a workflow in the world's team as its product owner.
func (w *world) createWorkflow(title string) int64 {
	w.t.Helper()
	status, body := w.api("POST", fmt.Sprintf("/teams/%d/workflows", w.team.ID), w.tokens["owner"],
		mustJSON(w.t, map[string]string{"title": title, "description": "d", "consent_text": "You may stop at any time."}))
	if status != http.StatusCreated {
		w.t.Fatalf("create workflow: %d %s", status, body)
	}
	var wf workflowJSON
	json.Unmarshal([]byte(body), &wf)
	return wf.ID
}

// createRelease imports def into workflow id and returns the release id.
func (w *world) createRelease(workflowID int64, def sandpit.Definition) int64 {
	w.t.Helper()
	status, body := w.api("POST", fmt.Sprintf("/workflows/%d/releases", workflowID), w.tokens["owner"], mustJSON(w.t, def))
	if status != http.StatusCreated {
		w.t.Fatalf("create release: %d %.500s", status, body)
	}
	var r releaseJSON
	json.Unmarshal([]byte(body), &r)
	return r.ID
}

func TestAuthoringAPI(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	wf := w.createWorkflow("Medicines reconciliation on admission")
	def := testDefinition(t, "0.1")
	id := w.createRelease(wf, def)

	t.Run("export then import gives an equal release with byte-equal images", func(t *testing.T) {
		status, exported := w.api("GET", fmt.Sprintf("/releases/%d/definition", id), w.tokens["owner"], "")
		if status != http.StatusOK {
			t.Fatalf("export: %d", status)
		}
		var got sandpit.Definition
		if err := json.Unmarshal([]byte(exported), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, def) {
			t.Fatalf("exported definition differs from the imported one:\n%s\n%s", mustJSON(t, got), mustJSON(t, def))
		}
		other := w.createWorkflow("Another workflow")
		again := w.createRelease(other, got)
		_, reexported := w.api("GET", fmt.Sprintf("/releases/%d/definition", again), w.tokens["owner"], "")
		if reexported != exported {
			t.Error("a second round trip changed the definition")
		}
	})
	t.Run("a duplicate version label is a conflict", func(t *testing.T) {
		status, body := w.api("POST", fmt.Sprintf("/workflows/%d/releases", wf), w.tokens["owner"], mustJSON(t, testDefinition(t, "0.1")))
		if status != http.StatusConflict {
			t.Errorf("status = %d %s", status, body)
		}
	})
	t.Run("bad definitions are refused, naming the problem, and change nothing", func(t *testing.T) {
		truncated, _ := os.ReadFile("../sandpit/testdata/truncated.png")
		bomb, _ := os.ReadFile("../sandpit/testdata/bomb.png")
		text, _ := os.ReadFile("../sandpit/testdata/not-an-image.png")
		tests := []struct {
			name   string
			change func(d *sandpit.Definition)
			field  string
		}{
			{"a truncated image", func(d *sandpit.Definition) { d.Screens[1].Image = sandpit.DataURI("image/png", truncated) }, "screens[1].image"},
			{"a decompression bomb", func(d *sandpit.Definition) { d.Screens[0].Image = sandpit.DataURI("image/png", bomb) }, "screens[0].image"},
			{"a web page named .png", func(d *sandpit.Definition) { d.Screens[2].Image = sandpit.DataURI("image/png", text) }, "screens[2].image"},
			{"an image that is not a data URI", func(d *sandpit.Definition) { d.Screens[2].Image = "https://example.com/x.png" }, "screens[2].image"},
			{"a duplicate screen key", func(d *sandpit.Definition) { d.Screens[2].Key = "list" }, "screens[2].key"},
			{"a bad task key", func(d *sandpit.Definition) { d.Tasks[0].Key = "Reconcile!" }, "tasks[0].key"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before, _ := w.st.Workflow(t.Context(), wf)
				d := testDefinition(t, "bad-"+tt.field)
				tt.change(&d)
				status, body := w.api("POST", fmt.Sprintf("/workflows/%d/releases", wf), w.tokens["owner"], mustJSON(t, d))
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"`+tt.field+`"`) {
					t.Errorf("status = %d, body %s", status, body)
				}
				after, _ := w.st.Workflow(t.Context(), wf)
				if len(after.Releases) != len(before.Releases) {
					t.Error("a release was created")
				}
			})
		}
		t.Run("malformed JSON", func(t *testing.T) {
			if status, _ := w.api("POST", fmt.Sprintf("/workflows/%d/releases", wf), w.tokens["owner"], `{"version":`); status != http.StatusBadRequest {
				t.Errorf("status = %d", status)
			}
		})
		t.Run("too large", func(t *testing.T) {
			huge := `{"version":"x","notes":"` + strings.Repeat("a", 65<<20) + `"}`
			if status, _ := w.api("POST", fmt.Sprintf("/workflows/%d/releases", wf), w.tokens["owner"], huge); status != http.StatusRequestEntityTooLarge {
				t.Errorf("status = %d", status)
			}
		})
	})
	t.Run("publishing lists every problem, then opens a runnable release", func(t *testing.T) {
		d := testDefinition(t, "0.2")
		d.Tasks[0].OptimalPath = []string{"list", "done"}
		d.Screens[0].Hotspots[0].X = 390
		broken := w.createRelease(wf, d)
		status, body := w.api("POST", fmt.Sprintf("/releases/%d/publish", broken), w.tokens["owner"], "")
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "tasks[0].optimal_path") || !strings.Contains(body, "screens[0].hotspots[0]") {
			t.Fatalf("status = %d %s", status, body)
		}
		if status, body = w.api("POST", fmt.Sprintf("/releases/%d/publish", id), w.tokens["owner"], "{}"); status != http.StatusOK || body != `{"status":"open"}`+"\n" {
			t.Fatalf("publish: %d %s", status, body)
		}
	})
	t.Run("a published release never changes", func(t *testing.T) {
		before, _ := w.api("GET", fmt.Sprintf("/releases/%d/definition", id), w.tokens["owner"], "")
		_ = before
		tests := []struct{ method, path, body string }{
			{"PUT", fmt.Sprintf("/releases/%d/definition", id), mustJSON(t, testDefinition(t, "0.1"))},
			{"POST", fmt.Sprintf("/releases/%d/publish", id), ""},
		}
		for _, tt := range tests {
			if status, body := w.api(tt.method, tt.path, w.tokens["owner"], tt.body); status != http.StatusConflict {
				t.Errorf("%s %s = %d %s", tt.method, tt.path, status, body)
			}
		}
		for _, edit := range []func() error{
			func() error { return w.st.AddScreen(t.Context(), id, "extra", "Extra", mustImage(t)) },
			func() error { return w.st.UpdateScreen(t.Context(), id, "list", "Renamed", nil) },
			func() error { return w.st.MoveScreen(t.Context(), id, "list", 1) },
			func() error { return w.st.DeleteScreen(t.Context(), id, "done") },
			func() error {
				return w.st.SetHotspots(t.Context(), id, "list", nil, sandpit.AuditEntry{Action: sandpit.AuditHotspotsSaved})
			},
			func() error { return w.st.SaveTask(t.Context(), id, "", sandpit.Task{Key: "new", Title: "New"}) },
			func() error { return w.st.DeleteTask(t.Context(), id, "reconcile") },
			func() error { return w.st.UpdateReleaseDetails(t.Context(), id, "9", "", false) },
		} {
			if err := edit(); sandpit.ErrorCode(err) != sandpit.ECONFLICT {
				t.Errorf("an edit of a published release: %v", err)
			}
		}
	})
	t.Run("closing an open release", func(t *testing.T) {
		if status, body := w.api("POST", fmt.Sprintf("/releases/%d/close", id), w.tokens["owner"], ""); status != http.StatusOK || !strings.Contains(body, "closed") {
			t.Errorf("close = %d %s", status, body)
		}
		if status, _ := w.api("POST", fmt.Sprintf("/releases/%d/close", id), w.tokens["owner"], ""); status != http.StatusConflict {
			t.Errorf("closing twice = %d", status)
		}
	})
}

func mustImage(t *testing.T) *sandpit.CheckedImage {
	data, _ := sandpit.ParseDataURI(testPNG(t, 10, 10, 1))
	img, err := sandpit.CheckImage(data)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestAuthoringPermissions(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	wf := w.createWorkflow("Discharge")
	draft := w.createRelease(wf, testDefinition(t, "draft"))
	open := w.createRelease(wf, testDefinition(t, "open"))
	if status, body := w.api("POST", fmt.Sprintf("/releases/%d/publish", open), w.tokens["owner"], ""); status != http.StatusOK {
		t.Fatalf("publish: %d %s", status, body)
	}
	rel, _ := w.st.Release(t.Context(), open)
	drel, _ := w.st.Release(t.Context(), draft)
	openImage, draftImage := rel.Screens[0].ID, drel.Screens[0].ID
	def := mustJSON(t, testDefinition(t, "new"))

	// Kinds: anonymous, clinician, owner, other_owner, researcher, safety, admin.
	tests := []struct {
		method, path, body string
		want               [7]int
	}{
		{"POST", fmt.Sprintf("/teams/%d/workflows", w.team.ID), `{}`, [7]int{401, 404, 422, 404, 403, 404, 422}},
		{"GET", "/workflows", "", [7]int{401, 200, 200, 200, 200, 200, 200}},
		{"GET", fmt.Sprintf("/workflows/%d", wf), "", [7]int{401, 404, 200, 404, 200, 404, 200}},
		{"POST", fmt.Sprintf("/workflows/%d/releases", wf), `{}`, [7]int{401, 404, 422, 404, 403, 404, 422}},
		{"GET", fmt.Sprintf("/releases/%d/definition", draft), "", [7]int{401, 404, 200, 404, 200, 404, 200}},
		{"GET", fmt.Sprintf("/releases/%d/definition", open), "", [7]int{401, 404, 200, 404, 200, 404, 200}},
		{"PUT", fmt.Sprintf("/releases/%d/definition", open), def, [7]int{401, 404, 409, 404, 403, 404, 409}},
		{"POST", fmt.Sprintf("/releases/%d/publish", open), "", [7]int{401, 404, 409, 404, 403, 404, 409}},
		{"GET", fmt.Sprintf("/screens/%d/image", openImage), "", [7]int{401, 200, 200, 404, 200, 404, 200}},
		{"GET", fmt.Sprintf("/screens/%d/image", draftImage), "", [7]int{401, 404, 200, 404, 200, 404, 200}},
	}
	for _, tt := range tests {
		for i, kind := range kinds {
			t.Run(tt.method+" "+tt.path+" as "+kind, func(t *testing.T) {
				if status, body := w.api(tt.method, tt.path, w.tokens[kind], tt.body); status != tt.want[i] {
					t.Errorf("status = %d, want %d: %.300s", status, tt.want[i], body)
				}
			})
		}
	}
	t.Run("the workflow list shows only the caller's teams", func(t *testing.T) {
		_, body := w.api("GET", "/workflows", w.tokens["other_owner"], "")
		if body != "[]\n" {
			t.Errorf("another team's owner sees %s", body)
		}
	})
	t.Run("images carry an ETag and are cached for good once published", func(t *testing.T) {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/screens/%d/image", w.http.URL, openImage), nil)
		req.Header.Set("Authorization", "Bearer "+w.tokens["clinician"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		etag := resp.Header.Get("ETag")
		if resp.Header.Get("Content-Type") != "image/png" || etag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("headers = %v", resp.Header)
		}
		req.Header.Set("If-None-Match", etag)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("conditional GET = %d", resp.StatusCode)
		}
	})
}
