package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// upload is a file sent in a multipart form.
type upload struct {
	field, name string
	data        []byte
}

// postMultipart submits fields and files to path as multipart/form-data
// with a valid CSRF token, not following redirects.
func (b *browser) postMultipart(path string, fields url.Values, files ...upload) (*http.Response, string) {
	b.w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if fields.Get("_csrf") == "" {
		mw.WriteField("_csrf", b.csrf())
	}
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			b.w.t.Fatal(err)
		}
		fw.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		b.w.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

// pngBytes draws a w × h PNG and returns its bytes.
func pngBytes(t *testing.T, w, h int, shade uint8) []byte {
	t.Helper()
	data, err := sandpit.ParseDataURI(testPNG(t, w, h, shade))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// wantStatus fails the test unless resp has status want, and returns its
// Location.
func wantStatus(t *testing.T, resp *http.Response, body string, want int) string {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("status = %d, want %d\n%.3000s", resp.StatusCode, want, body)
	}
	return resp.Header.Get("Location")
}

// idAfter returns the number that follows prefix in location.
func idAfter(t *testing.T, location, prefix string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(location, prefix), "%d", &id); err != nil || !strings.HasPrefix(location, prefix) {
		t.Fatalf("location %q does not start with %s and an id", location, prefix)
	}
	return id
}

// hotspotForm is the hotspot form with rows of x, y, w, h, target, label,
// and an empty row at the end, as the page sends it.
func hotspotForm(rows ...[6]string) url.Values {
	form := url.Values{}
	for _, r := range append(rows, [6]string{}) {
		for i, name := range []string{"x", "y", "w", "h", "target", "label"} {
			form.Add(name, r[i])
		}
	}
	return form
}

func TestAuthoringPagesJourney(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	owner := w.browser()
	owner.signIn(w.users["owner"].Email)
	var workflowID, releaseID int64
	release := func() string { return fmt.Sprintf("/releases/%d", releaseID) }

	t.Run("the workflow list offers to create a workflow in the owner's team", func(t *testing.T) {
		status, body := owner.get("/workflows")
		if status != http.StatusOK || !strings.Contains(body, "Create a workflow in Medicines") || strings.Contains(body, "Maternity") {
			t.Fatalf("status = %d\n%s", status, body)
		}
	})
	t.Run("creating a workflow with no title names the problem and keeps what was typed", func(t *testing.T) {
		resp, body := owner.post(fmt.Sprintf("/teams/%d/workflows", w.team.ID), url.Values{"title": {""}, "description": {"Kept words"}, "consent_text": {"x"}})
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		for _, want := range []string{"There is a problem", `href="#title"`, "Kept words", "<title>Error:"} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
	})
	t.Run("creating a workflow", func(t *testing.T) {
		resp, body := owner.post(fmt.Sprintf("/teams/%d/workflows", w.team.ID), url.Values{"title": {"Medicines reconciliation"},
			"description": {"On admission."}, "consent_text": {"You may stop at any time."}})
		workflowID = idAfter(t, wantStatus(t, resp, body, http.StatusSeeOther), "/workflows/")
		status, page := owner.get(fmt.Sprintf("/workflows/%d?done=workflow-created", workflowID))
		if status != http.StatusOK || !strings.Contains(page, "The workflow has been created.") || !strings.Contains(page, "You may stop at any time.") {
			t.Fatalf("status = %d\n%s", status, page)
		}
	})
	t.Run("changing the consent text keeps the earlier version", func(t *testing.T) {
		resp, body := owner.post(fmt.Sprintf("/workflows/%d", workflowID), url.Values{"title": {"Medicines reconciliation"},
			"description": {"On admission."}, "consent_text": {"You may stop at any time. Nothing is shared."}})
		if loc := wantStatus(t, resp, body, http.StatusSeeOther); !strings.HasSuffix(loc, "?done=workflow-saved") {
			t.Errorf("location = %s", loc)
		}
		_, page := owner.get(fmt.Sprintf("/workflows/%d", workflowID))
		if !strings.Contains(page, "Consent versions") || !strings.Contains(page, "Nothing is shared.") {
			t.Errorf("page:\n%s", page)
		}
	})
	t.Run("starting a release needs a version label", func(t *testing.T) {
		resp, body := owner.post(fmt.Sprintf("/workflows/%d/releases", workflowID), url.Values{"version": {" "}})
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "Enter a version label") {
			t.Errorf("page:\n%s", body)
		}
	})
	t.Run("starting the first release makes an empty draft", func(t *testing.T) {
		resp, body := owner.post(fmt.Sprintf("/workflows/%d/releases", workflowID), url.Values{"version": {"0.1"}, "notes": {"First go."}})
		releaseID = idAfter(t, wantStatus(t, resp, body, http.StatusSeeOther), "/releases/")
		r, err := w.st.Release(t.Context(), releaseID)
		if err != nil || r.Version != "0.1" || r.Notes != "First go." || len(r.Screens) != 0 {
			t.Fatalf("release = %+v, %v", r, err)
		}
	})
	t.Run("a duplicate version label is a conflict on the version field", func(t *testing.T) {
		resp, body := owner.post(fmt.Sprintf("/workflows/%d/releases", workflowID), url.Values{"version": {"0.1"}})
		wantStatus(t, resp, body, http.StatusConflict)
		if !strings.Contains(body, `href="#version"`) {
			t.Errorf("page:\n%s", body)
		}
	})
	t.Run("uploading three screens", func(t *testing.T) {
		for i, sc := range []struct{ key, title string }{{"list", "Ward list"}, {"record", "Record"}, {"done", "Done"}} {
			resp, body := owner.postMultipart(release()+"/screens", url.Values{"key": {sc.key}, "title": {sc.title}},
				upload{"image", sc.key + ".png", pngBytes(t, 400, 300, uint8(10*i))})
			if loc := wantStatus(t, resp, body, http.StatusSeeOther); loc != release()+"/screens/"+sc.key+"?done=screen-added" {
				t.Errorf("location = %s", loc)
			}
		}
		status, body := owner.get(release())
		for _, want := range []string{"Ward list", `alt="" width="160"`, "Move<span class=\"nhsuk-u-visually-hidden\"> Ward list</span> down"} {
			if !strings.Contains(body, want) {
				t.Errorf("release page (%d) lacks %q", status, want)
			}
		}
	})
	t.Run("a screen with a duplicate key, a bad key and no title is refused, naming each field", func(t *testing.T) {
		resp, body := owner.postMultipart(release()+"/screens", url.Values{"key": {"Bad Key"}, "title": {""}},
			upload{"image", "x.png", pngBytes(t, 10, 10, 1)})
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		for _, want := range []string{`href="#key"`, `href="#title"`, `value="Bad Key"`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		resp, body = owner.postMultipart(release()+"/screens", url.Values{"key": {"list"}, "title": {"Again"}},
			upload{"image", "x.png", pngBytes(t, 10, 10, 1)})
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "Another screen of this release has this short name: choose another") {
			t.Errorf("page:\n%s", body)
		}
	})
	t.Run("bad image files are refused, naming the image, and add nothing", func(t *testing.T) {
		for _, name := range []string{"not-an-image.png", "truncated.png", "bomb.png", "truncated.jpg", "animation.gif"} {
			t.Run(name, func(t *testing.T) {
				data, err := os.ReadFile("../sandpit/testdata/" + name)
				if err != nil {
					t.Fatal(err)
				}
				resp, body := owner.postMultipart(release()+"/screens", url.Values{"key": {"bad"}, "title": {"Bad"}}, upload{"image", name, data})
				wantStatus(t, resp, body, http.StatusUnprocessableEntity)
				if !strings.Contains(body, "The image ") || !strings.Contains(body, `href="#image"`) {
					t.Errorf("page does not name the image:\n%.2000s", body)
				}
				if r, _ := w.st.Release(t.Context(), releaseID); len(r.Screens) != 3 {
					t.Errorf("screens = %d", len(r.Screens))
				}
			})
		}
		t.Run("no file at all", func(t *testing.T) {
			resp, body := owner.postMultipart(release()+"/screens", url.Values{"key": {"bad"}, "title": {"Bad"}})
			wantStatus(t, resp, body, http.StatusUnprocessableEntity)
			if !strings.Contains(body, "Select an image") {
				t.Errorf("page:\n%.2000s", body)
			}
		})
	})
	t.Run("the hotspot editor shows the image at its size with the script and an empty row", func(t *testing.T) {
		status, body := owner.get(release() + "/screens/list")
		for _, want := range []string{`data-width="400" data-height="300"`, `id="screen-image"`, `alt="Screen: Ward list"`,
			`src="/static/js/hotspot-editor.js"`, `id="x-0"`, "Hotspot 1: add a new hotspot"} {
			if !strings.Contains(body, want) {
				t.Errorf("page (%d) lacks %q", status, want)
			}
		}
		if strings.Contains(body, "style=") {
			t.Error("the page has a style attribute")
		}
	})
	t.Run("saving hotspots through the number fields", func(t *testing.T) {
		saves := map[string]url.Values{
			"list":   hotspotForm([6]string{"40", "120", "300", "48", "record", "Open Mrs Patel's record"}),
			"record": hotspotForm([6]string{"0", "250", "400", "50", "done", "Save"}, [6]string{"0", "0", "60", "30", "list", "Back"}),
		}
		for key, form := range saves {
			resp, body := owner.post(release()+"/screens/"+key+"/hotspots", form)
			if loc := wantStatus(t, resp, body, http.StatusSeeOther); loc != release()+"/screens/"+key+"?done=hotspots-saved" {
				t.Errorf("location = %s", loc)
			}
		}
		r, _ := w.st.Release(t.Context(), releaseID)
		want := []sandpit.Hotspot{{X: 0, Y: 250, W: 400, H: 50, Target: "done", Label: "Save"}, {X: 0, Y: 0, W: 60, H: 30, Target: "list", Label: "Back"}}
		if got := r.Screen("record").Hotspots; !reflect.DeepEqual(got, want) {
			t.Errorf("hotspots = %+v", got)
		}
	})
	t.Run("bad hotspots are refused row by row and nothing is saved", func(t *testing.T) {
		before, _ := w.st.Release(t.Context(), releaseID)
		tests := []struct {
			name  string
			form  url.Values
			field string
		}{
			{"a hotspot outside the image", hotspotForm([6]string{"390", "120", "300", "48", "record", ""}), "w-0"},
			{"a hotspot below the image", hotspotForm([6]string{"0", "290", "10", "48", "record", ""}), "h-0"},
			{"a negative x", hotspotForm([6]string{"-1", "0", "10", "10", "record", ""}), "x-0"},
			{"a zero width", hotspotForm([6]string{"0", "0", "0", "10", "record", ""}), "w-0"},
			{"a number that is not one", hotspotForm([6]string{"1.5", "0", "10", "10", "record", ""}), "x-0"},
			{"a target that is not a screen", hotspotForm([6]string{"0", "0", "10", "10", "record", ""}, [6]string{"0", "0", "10", "10", "nowhere", ""}), "target-1"},
			{"a label too long", hotspotForm([6]string{"0", "0", "10", "10", "record", strings.Repeat("a", 201)}), "label-0"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := owner.post(release()+"/screens/list/hotspots", tt.form)
				wantStatus(t, resp, body, http.StatusUnprocessableEntity)
				if !strings.Contains(body, `href="#`+tt.field+`"`) || !strings.Contains(body, `id="`+tt.field+`-error"`) {
					t.Errorf("the error is not on %s:\n%.3000s", tt.field, body)
				}
				if !strings.Contains(body, `value="`+tt.form["x"][0]+`"`) {
					t.Error("what was typed is not kept")
				}
				after, _ := w.st.Release(t.Context(), releaseID)
				if !reflect.DeepEqual(after.Screens, before.Screens) {
					t.Error("the hotspots changed")
				}
			})
		}
	})
	t.Run("a removed hotspot is dropped, an empty row ignored", func(t *testing.T) {
		form := hotspotForm([6]string{"40", "120", "300", "48", "record", "Open Mrs Patel's record"}, [6]string{"1", "1", "5", "5", "done", "Spare"})
		form.Add("remove", "1")
		resp, body := owner.post(release()+"/screens/list/hotspots", form)
		wantStatus(t, resp, body, http.StatusSeeOther)
		r, _ := w.st.Release(t.Context(), releaseID)
		if hs := r.Screen("list").Hotspots; len(hs) != 1 || hs[0].Label != "Open Mrs Patel's record" {
			t.Errorf("hotspots = %+v", hs)
		}
	})
	t.Run("renaming a screen", func(t *testing.T) {
		resp, body := owner.postMultipart(release()+"/screens/done", url.Values{"title": {"All done"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		r, _ := w.st.Release(t.Context(), releaseID)
		if sc := r.Screen("done"); sc.Title != "All done" || sc.Width != 400 {
			t.Errorf("screen = %+v", sc)
		}
	})
	task := url.Values{"key": {"reconcile"}, "title": {"Reconcile medicines"}, "scenario": {"Mrs Patel (synthetic) is admitted."},
		"start": {"list"}, "success": {"done"}, "optimal_path": {"list", "", "done"}, "daily_frequency": {"12.5"}}
	t.Run("a task with every field wrong names each one", func(t *testing.T) {
		resp, body := owner.post(release()+"/tasks", url.Values{"key": {"No!"}, "start": {"nowhere"}, "optimal_path": {"", "nowhere"}, "daily_frequency": {"lots"}})
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		for _, field := range []string{"key", "title", "start", "success", "optimal_path", "daily_frequency"} {
			if !strings.Contains(body, `href="#`+field+`"`) {
				t.Errorf("%s is not named", field)
			}
		}
	})
	t.Run("defining a task", func(t *testing.T) {
		status, _ := owner.get(release() + "/tasks/new")
		if status != http.StatusOK {
			t.Fatalf("new task page = %d", status)
		}
		resp, body := owner.post(release()+"/tasks", task)
		if loc := wantStatus(t, resp, body, http.StatusSeeOther); loc != release()+"?done=task-saved" {
			t.Errorf("location = %s", loc)
		}
		r, _ := w.st.Release(t.Context(), releaseID)
		want := sandpit.Task{Key: "reconcile", Title: "Reconcile medicines", Scenario: "Mrs Patel (synthetic) is admitted.",
			Start: "list", Success: []string{"done"}, OptimalPath: []string{"list", "done"}, DailyFrequency: 12.5}
		if len(r.Tasks) != 1 || !reflect.DeepEqual(r.Tasks[0], want) {
			t.Errorf("tasks = %+v", r.Tasks)
		}
	})
	t.Run("publishing with a problem lists it and publishes nothing", func(t *testing.T) {
		resp, body := owner.post(release()+"/publish", nil)
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "no hotspot on") || !strings.Contains(body, `href="#task-reconcile"`) {
			t.Errorf("page:\n%s", body)
		}
		if status, _ := owner.get(release() + "/preview"); status != http.StatusConflict {
			t.Errorf("preview of an unrunnable release = %d", status)
		}
		if r, _ := w.st.Release(t.Context(), releaseID); r.Published() {
			t.Error("published")
		}
	})
	t.Run("fixing the task's path, then publishing", func(t *testing.T) {
		fixed := url.Values{}
		for k, v := range task {
			fixed[k] = v
		}
		fixed["optimal_path"] = []string{"list", "record", "done"}
		resp, body := owner.post(release()+"/tasks/reconcile", fixed)
		wantStatus(t, resp, body, http.StatusSeeOther)
		resp, body = owner.post(release()+"/publish", nil)
		if loc := wantStatus(t, resp, body, http.StatusSeeOther); loc != release()+"?done=published" {
			t.Errorf("location = %s", loc)
		}
		_, page := owner.get(release())
		if !strings.Contains(page, "This release is published and can no longer change.") || strings.Contains(page, `action="`+release()+`/screens"`) {
			t.Errorf("page:\n%s", page)
		}
	})
	t.Run("preview", func(t *testing.T) {
		preview := release() + "/preview/reconcile"
		t.Run("lists the tasks", func(t *testing.T) {
			status, body := owner.get(release() + "/preview")
			if status != http.StatusOK || !strings.Contains(body, `href="`+preview+`"`) {
				t.Errorf("status = %d\n%s", status, body)
			}
		})
		t.Run("shows the start screen as an image button with the prototype banner", func(t *testing.T) {
			status, body := owner.get(preview)
			for _, want := range []string{`type="image"`, `name="click"`, `alt="Screen: Ward list. Select a point, or use the list of links below."`,
				"Synthetic patients only", "Preview: nothing you do here is recorded", "Open Mrs Patel&#39;s record", "Mrs Patel (synthetic) is admitted."} {
				if !strings.Contains(body, want) {
					t.Errorf("page (%d) lacks %q", status, want)
				}
			}
		})
		tests := []struct {
			name   string
			form   url.Values
			status int
			want   string // the location, or words on the page
		}{
			{"a click inside a hotspot goes to its screen", url.Values{"screen": {"list"}, "click.x": {"50"}, "click.y": {"130"}}, 303, preview + "?screen=record"},
			{"a click outside every hotspot stays, saying so", url.Values{"screen": {"list"}, "click.x": {"5"}, "click.y": {"5"}}, 200, "That was not a clickable area"},
			{"where hotspots overlap the first listed wins", url.Values{"screen": {"record"}, "click.x": {"10"}, "click.y": {"10"}}, 303, preview + "?screen=list"},
			{"a clickable area chosen from the list", url.Values{"screen": {"record"}, "hotspot": {"0"}}, 303, preview + "?screen=done"},
			{"a point outside the image is refused", url.Values{"screen": {"list"}, "click.x": {"400"}, "click.y": {"5"}}, 422, "Select a point inside the screen image"},
			{"a hotspot that does not exist is refused", url.Values{"screen": {"list"}, "hotspot": {"7"}}, 422, "Select one of the clickable areas"},
			{"a screen that does not exist is not found", url.Values{"screen": {"nowhere"}, "hotspot": {"0"}}, 404, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := owner.post(preview, tt.form)
				loc := wantStatus(t, resp, body, tt.status)
				if tt.status == 303 && loc != tt.want || tt.status != 303 && !strings.Contains(body, tt.want) {
					t.Errorf("location %q, page:\n%.2000s", loc, body)
				}
			})
		}
		t.Run("a success screen completes the task", func(t *testing.T) {
			_, body := owner.get(preview + "?screen=done")
			if !strings.Contains(body, "Task complete in preview") {
				t.Errorf("page:\n%s", body)
			}
		})
	})

	var exported []byte
	t.Run("exporting the definition as a download", func(t *testing.T) {
		resp, err := owner.client.Get(owner.base + release() + "/definition.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		exported, _ = io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != `attachment; filename="medicines-reconciliation-0-1.json"` {
			t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
		}
		var def sandpit.Definition
		if err := json.Unmarshal(exported, &def); err != nil || len(def.Screens) != 3 || !strings.HasPrefix(def.Screens[0].Image, "data:image/png;base64,") {
			t.Fatalf("definition: %v", err)
		}
	})
	t.Run("importing the export into another workflow gives an equal release", func(t *testing.T) {
		other := w.createWorkflow("Another workflow")
		resp, body := owner.postMultipart(fmt.Sprintf("/workflows/%d/releases/import", other), nil, upload{"definition", "release.json", exported})
		loc := wantStatus(t, resp, body, http.StatusSeeOther)
		imported := idAfter(t, loc, "/releases/")
		if !strings.HasSuffix(loc, "?done=release-imported") {
			t.Errorf("location = %s", loc)
		}
		a, err := w.st.Definition(t.Context(), releaseID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := w.st.Definition(t.Context(), imported)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []*sandpit.Definition{a, b} {
			for i := range d.Screens {
				d.Screens[i].ID = 0 // row ids, not part of the definition
			}
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("definitions differ:\n%s\n%s", mustJSON(t, a), mustJSON(t, b))
		}
	})
	t.Run("importing a bad definition lists every problem and creates nothing", func(t *testing.T) {
		bad := testDefinition(t, "bad")
		text, _ := os.ReadFile("../sandpit/testdata/not-an-image.png")
		bad.Screens[1].Image = sandpit.DataURI("image/png", text)
		bad.Tasks[0].Key = "Bad!"
		tests := []struct {
			name, file string
			status     int
			want       []string
		}{
			{"problems in the definition", mustJSON(t, bad), 422, []string{"Screen 2 image: must be a PNG or JPEG image", "Task 1 key: must be"}},
			{"a file that is not JSON", "<html>", 422, []string{"The file is not a release definition: "}},
			{"a version the workflow has", string(exported), 409, []string{"already has a release"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before, _ := w.st.Workflow(t.Context(), workflowID)
				resp, body := owner.postMultipart(fmt.Sprintf("/workflows/%d/releases/import", workflowID), nil, upload{"definition", "d.json", []byte(tt.file)})
				wantStatus(t, resp, body, tt.status)
				for _, want := range tt.want {
					if !strings.Contains(body, want) {
						t.Errorf("page lacks %q:\n%.3000s", want, body)
					}
				}
				if after, _ := w.st.Workflow(t.Context(), workflowID); len(after.Releases) != len(before.Releases) {
					t.Error("a release was created")
				}
			})
		}
	})
	t.Run("every edit of a published release is a conflict and changes nothing", func(t *testing.T) {
		before, _ := w.st.Definition(t.Context(), releaseID)
		png := upload{"image", "x.png", pngBytes(t, 10, 10, 1)}
		tests := []struct {
			name string
			send func() (*http.Response, string)
		}{
			{"details", func() (*http.Response, string) { return owner.post(release()+"/details", url.Values{"version": {"9"}}) }},
			{"screen create", func() (*http.Response, string) {
				return owner.postMultipart(release()+"/screens", url.Values{"key": {"extra"}, "title": {"Extra"}}, png)
			}},
			{"screen update", func() (*http.Response, string) {
				return owner.postMultipart(release()+"/screens/list", url.Values{"title": {"Renamed"}}, png)
			}},
			{"screen move", func() (*http.Response, string) {
				return owner.post(release()+"/screens/list/move", url.Values{"direction": {"down"}})
			}},
			{"screen delete", func() (*http.Response, string) { return owner.post(release()+"/screens/done/delete", nil) }},
			{"hotspots", func() (*http.Response, string) { return owner.post(release()+"/screens/list/hotspots", hotspotForm()) }},
			{"task create", func() (*http.Response, string) { return owner.post(release()+"/tasks", task) }},
			{"task update", func() (*http.Response, string) { return owner.post(release()+"/tasks/reconcile", task) }},
			{"task delete", func() (*http.Response, string) { return owner.post(release()+"/tasks/reconcile/delete", nil) }},
			{"publish again", func() (*http.Response, string) { return owner.post(release()+"/publish", nil) }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := tt.send()
				wantStatus(t, resp, body, http.StatusConflict)
				if !strings.Contains(body, "There is a problem") {
					t.Errorf("the release page does not explain:\n%.2000s", body)
				}
			})
		}
		if after, _ := w.st.Definition(t.Context(), releaseID); !reflect.DeepEqual(before, after) {
			t.Error("the published release changed")
		}
	})
	var next int64
	t.Run("a new release copies the previous release's screens, hotspots and tasks", func(t *testing.T) {
		resp, body := owner.post(fmt.Sprintf("/workflows/%d/releases", workflowID), url.Values{"version": {"0.2"}})
		next = idAfter(t, wantStatus(t, resp, body, http.StatusSeeOther), "/releases/")
		a, _ := w.st.Release(t.Context(), releaseID)
		b, _ := w.st.Release(t.Context(), next)
		if len(b.Screens) != 3 || len(b.Tasks) != 1 || !reflect.DeepEqual(a.Screens[0].Hotspots, b.Screens[0].Hotspots) || b.Published() {
			t.Errorf("copy = %+v", b)
		}
		t.Run("deleting a screen in use says what uses it", func(t *testing.T) {
			resp, body := owner.post(fmt.Sprintf("/releases/%d/screens/done/delete", next), nil)
			wantStatus(t, resp, body, http.StatusConflict)
			if !strings.Contains(body, "This screen is used by") {
				t.Errorf("page:\n%.2000s", body)
			}
		})
		t.Run("moving a screen down", func(t *testing.T) {
			resp, body := owner.post(fmt.Sprintf("/releases/%d/screens/list/move", next), url.Values{"direction": {"down"}})
			wantStatus(t, resp, body, http.StatusSeeOther)
			r, _ := w.st.Release(t.Context(), next)
			if r.Screens[1].Key != "list" {
				t.Errorf("screens = %v", r.Screens)
			}
		})
		t.Run("deleting a task", func(t *testing.T) {
			resp, body := owner.post(fmt.Sprintf("/releases/%d/tasks/reconcile/delete", next), nil)
			wantStatus(t, resp, body, http.StatusSeeOther)
			if r, _ := w.st.Release(t.Context(), next); len(r.Tasks) != 0 {
				t.Errorf("tasks = %v", r.Tasks)
			}
		})
		t.Run("changing the details", func(t *testing.T) {
			resp, body := owner.post(fmt.Sprintf("/releases/%d/details", next), url.Values{"version": {"0.2.1"}, "notes": {"n"}, "baseline": {"yes"}})
			wantStatus(t, resp, body, http.StatusSeeOther)
			if r, _ := w.st.Release(t.Context(), next); r.Version != "0.2.1" || !r.Baseline {
				t.Errorf("release = %+v", r)
			}
		})
	})
	t.Run("every authoring page has one h1, unique ids, labelled fields and no inline style", func(t *testing.T) {
		draft := fmt.Sprintf("/releases/%d", next)
		paths := []string{"/workflows", fmt.Sprintf("/teams/%d/workflows/new", w.team.ID), fmt.Sprintf("/workflows/%d", workflowID),
			fmt.Sprintf("/workflows/%d/edit", workflowID), release(), draft, release() + "/screens/list", draft + "/screens/list",
			draft + "/tasks/new", release() + "/preview", release() + "/preview/reconcile", release() + "/preview/reconcile?screen=done"}
		for _, path := range paths {
			status, body := owner.get(path)
			if status != http.StatusOK {
				t.Errorf("%s = %d", path, status)
			}
			checkPage(t, path, body)
		}
		resp, body := owner.post(draft+"/screens/list/hotspots", hotspotForm([6]string{"-1", "", "", "", "", ""}))
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		checkPage(t, "hotspot errors", body)
		resp, body = owner.post(release()+"/publish", nil)
		wantStatus(t, resp, body, http.StatusConflict)
		checkPage(t, "conflict", body)
	})
}

// ids matches the id attributes of a page.
var ids = regexp.MustCompile(`\sid="([^"]+)"`)

// checkPage fails unless body has one h1, no id twice, no style attribute
// and no inline script.
func checkPage(t *testing.T, path, body string) {
	t.Helper()
	if n := strings.Count(body, "<h1"); n != 1 {
		t.Errorf("%s has %d h1 elements", path, n)
	}
	seen := map[string]bool{}
	for _, m := range ids.FindAllStringSubmatch(body, -1) {
		if seen[m[1]] {
			t.Errorf("%s has the id %q twice", path, m[1])
		}
		seen[m[1]] = true
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Errorf("%s has a style attribute or an inline script", path)
	}
	for _, m := range regexp.MustCompile(`<(?:input|select|textarea)[^>]*\sid="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(m[0], `type="image"`) && !strings.Contains(body, `for="`+m[1]+`"`) {
			t.Errorf("%s: the field %q has no label", path, m[1])
		}
	}
}

func TestAuthoringPagesPermissions(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	wf := w.createWorkflow("Discharge")
	draft := w.createRelease(wf, testDefinition(t, "draft"))
	browsers := map[string]*browser{}
	for _, kind := range kinds {
		browsers[kind] = w.browser()
		if kind != "anonymous" {
			browsers[kind].signIn(w.users[kind].Email)
		}
	}
	// fresh returns a new runnable draft, so that each caller's publish
	// starts from a draft.
	fresh := func(kind string) string {
		return fmt.Sprintf("/releases/%d/publish", w.createRelease(wf, testDefinition(t, "publish-"+kind)))
	}
	same := func(path string) func(string) string { return func(string) string { return path } }

	// Kinds: anonymous, clinician, owner, other_owner, researcher, safety, admin.
	tests := []struct {
		method string
		path   func(kind string) string
		want   [7]int
	}{
		{"GET", same(fmt.Sprintf("/workflows/%d", wf)), [7]int{303, 404, 200, 404, 200, 404, 200}},
		{"GET", same(fmt.Sprintf("/releases/%d", draft)), [7]int{303, 404, 200, 404, 200, 404, 200}},
		{"GET", same(fmt.Sprintf("/releases/%d/screens/list", draft)), [7]int{303, 404, 200, 404, 200, 404, 200}},
		{"GET", same(fmt.Sprintf("/releases/%d/preview", draft)), [7]int{303, 404, 200, 404, 200, 404, 200}},
		{"GET", same(fmt.Sprintf("/releases/%d/preview/reconcile", draft)), [7]int{303, 404, 200, 404, 200, 404, 200}},
		{"GET", same(fmt.Sprintf("/releases/%d/definition.json", draft)), [7]int{303, 404, 200, 404, 200, 404, 200}},
		{"GET", same(fmt.Sprintf("/workflows/%d/edit", wf)), [7]int{303, 404, 200, 404, 403, 404, 200}},
		{"GET", same(fmt.Sprintf("/releases/%d/tasks/new", draft)), [7]int{303, 404, 200, 404, 403, 404, 200}},
		{"POST", fresh, [7]int{401, 404, 303, 404, 403, 404, 303}},
		{"POST", same(fmt.Sprintf("/releases/%d/screens/list/move", draft)), [7]int{401, 404, 303, 404, 403, 404, 303}},
		{"POST", same(fmt.Sprintf("/workflows/%d/releases", wf)), [7]int{401, 404, 422, 404, 403, 404, 422}},
	}
	for _, tt := range tests {
		for i, kind := range kinds {
			path := tt.path(kind)
			t.Run(tt.method+" "+path+" as "+kind, func(t *testing.T) {
				var status int
				var body string
				if tt.method == "GET" {
					status, body = browsers[kind].get(path)
				} else {
					resp, b := browsers[kind].post(path, url.Values{"direction": {"down"}})
					status, body = resp.StatusCode, b
				}
				if status != tt.want[i] {
					t.Errorf("status = %d, want %d\n%.500s", status, tt.want[i], body)
				}
			})
		}
	}
	t.Run("another team's owner sees none of the team's workflows", func(t *testing.T) {
		_, body := browsers["other_owner"].get("/workflows")
		if strings.Contains(body, "Discharge") || strings.Contains(body, "Create a workflow in Medicines") {
			t.Errorf("page:\n%s", body)
		}
	})
	t.Run("a researcher sees the release but no forms to change it", func(t *testing.T) {
		_, body := browsers["researcher"].get(fmt.Sprintf("/releases/%d", draft))
		if strings.Contains(body, `/publish"`) || strings.Contains(body, `/screens" method="post"`) {
			t.Errorf("page:\n%s", body)
		}
		_, body = browsers["researcher"].get(fmt.Sprintf("/releases/%d/screens/list", draft))
		if strings.Contains(body, "/hotspots") || !strings.Contains(body, "Open Mrs Patel") {
			t.Errorf("screen page:\n%s", body)
		}
	})
	t.Run("the screen image is served to the team through the session", func(t *testing.T) {
		r, _ := w.st.Release(t.Context(), draft)
		path := fmt.Sprintf("/screens/%d/image", r.Screens[0].ID)
		for kind, want := range map[string]int{"owner": 200, "researcher": 200, "other_owner": 404, "clinician": 404} {
			if status, _ := browsers[kind].get(path); status != want {
				t.Errorf("%s: status = %d, want %d", kind, status, want)
			}
		}
	})
}
