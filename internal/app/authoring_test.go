package app_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// draft stores a runnable draft release labelled version of the world's
// workflow, as setup, and returns its id.
func (w *world) draft(version string) int64 {
	w.t.Helper()
	def := testDefinition(w.t, version)
	images, err := def.CheckImages()
	if err != nil {
		w.t.Fatal(err)
	}
	id, err := w.st.CreateRelease(w.ctx, w.workflow, def, images)
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// screenID is the id of screen key of release id.
func (w *world) screenID(release int64, key string) int64 {
	w.t.Helper()
	r, err := w.st.Release(w.ctx, release)
	if err != nil {
		w.t.Fatal(err)
	}
	return r.Screen(key).ID
}

// pngBytes is a w × h PNG.
func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	data, err := sandpit.ParseDataURI(testPNG(t, w, h, 40))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// center clicks the middle of a screen.
func center(sc *sandpit.Screen) (int, int, bool) { return sc.Width / 2, sc.Height / 2, true }

func TestAuthoringPermissions(t *testing.T) {
	all := only("")
	read := only(sandpit.ENOTFOUND, kindAdmin, kindOwner, kindResearcher)
	edit := with(only(sandpit.ENOTFOUND, kindAdmin, kindOwner), kindResearcher, sandpit.EFORBIDDEN)
	task := app.TaskInput{Key: "check", Title: "Check allergies", Start: "list", Success: []string{"done"},
		OptimalPath: []string{"list", "record", "done"}, DailyFrequency: "3"}
	checkPermissions(t, []permissionCase{
		{name: "Workflows", want: all, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.Workflows(w.ctx, a)
			return err
		}},
		{name: "WorkflowTeam", want: edit, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.WorkflowTeam(w.ctx, a, w.team.ID)
			return err
		}},
		{name: "CreateWorkflow", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.CreateWorkflow(w.ctx, a, w.team.ID, sandpit.WorkflowInput{Title: "Discharge", ConsentText: "Yes."})
			return err
		}},
		{name: "Workflow", want: read, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.Workflow(w.ctx, a, w.workflow)
			return err
		}},
		{name: "EditWorkflow", want: edit, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.EditWorkflow(w.ctx, a, w.workflow)
			return err
		}},
		{name: "UpdateWorkflow", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			title, consent := "Renamed", "Yes."
			_, err := w.app.Authoring.UpdateWorkflow(w.ctx, a, w.workflow, app.WorkflowPatch{Title: &title, ConsentText: &consent})
			return err
		}},
		{name: "StartRelease", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.StartRelease(w.ctx, a, w.workflow, app.ReleaseDetails{Version: "0.2"})
			return err
		}},
		{name: "ImportRelease", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.ImportRelease(w.ctx, a, w.workflow, testDefinition(w.t, "0.3"))
			return err
		}},
		{name: "ReleaseMeta", want: read, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.ReleaseMeta(w.ctx, a, w.release)
			return err
		}},
		{name: "Release", want: read, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.Release(w.ctx, a, w.release)
			return err
		}},
		{name: "Definition", want: read, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.Definition(w.ctx, a, w.release)
			return err
		}},
		{name: "ReplaceDefinition", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.ReplaceDefinition(w.ctx, a, w.draft("0.2"), testDefinition(w.t, "0.2"))
			return err
		}},
		{name: "UpdateReleaseDetails", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			return w.app.Authoring.UpdateReleaseDetails(w.ctx, a, w.draft("0.2"), app.ReleaseDetails{Version: "0.2b", Baseline: true})
		}},
		{name: "Publish", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			return w.app.Authoring.Publish(w.ctx, a, w.draft("0.2"))
		}},
		{name: "Close", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			return w.app.Authoring.Close(w.ctx, a, w.release)
		}},
		{name: "ScreenImage of an open release", want: with(read, kindClinician, ""), run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.ScreenImage(w.ctx, a, w.screenID(w.release, "record"))
			return err
		}},
		// The world's safety concern is pinned to "list": safety officers see
		// that screen, as the finding they open read-only shows it.
		{name: "ScreenImage with a safety concern pinned", want: with(with(read, kindClinician, ""), kindSafety, ""), run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.ScreenImage(w.ctx, a, w.screenID(w.release, "list"))
			return err
		}},
		{name: "ScreenImage of a draft", want: read, writes: true, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.ScreenImage(w.ctx, a, w.screenID(w.draft("0.2"), "list"))
			return err
		}},
		{name: "Screen", want: read, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.Screen(w.ctx, a, w.release, "list")
			return err
		}},
		{name: "AddScreen", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.AddScreen(w.ctx, a, w.draft("0.2"), app.ScreenInput{Key: "extra", Title: "Extra", Image: pngBytes(w.t, 40, 30)})
			return err
		}},
		{name: "UpdateScreen", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			return w.app.Authoring.UpdateScreen(w.ctx, a, w.draft("0.2"), "list", app.ScreenInput{Title: "Ward list, renamed"})
		}},
		{name: "MoveScreen", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			return w.app.Authoring.MoveScreen(w.ctx, a, w.draft("0.2"), "record", "up")
		}},
		{name: "DeleteScreen", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			id := w.draft("0.2")
			if err := w.st.SetHotspots(w.ctx, id, "record", nil, sandpit.AuditEntry{Action: sandpit.AuditHotspotsSaved}); err != nil {
				w.t.Fatal(err)
			}
			if err := w.st.SaveTask(w.ctx, id, "reconcile", sandpit.Task{Key: "reconcile", Title: "Reconcile", Start: "list", Success: []string{"record"}}); err != nil {
				w.t.Fatal(err)
			}
			return w.app.Authoring.DeleteScreen(w.ctx, a, id, "done")
		}},
		{name: "SaveHotspots", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			return w.app.Authoring.SaveHotspots(w.ctx, a, w.draft("0.2"), "list", []app.HotspotInput{{X: "10", Y: "10", W: "50", H: "20", Target: "record"}})
		}},
		{name: "TaskForm", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.TaskForm(w.ctx, a, w.draft("0.2"), "reconcile")
			return err
		}},
		{name: "SaveTask", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			return w.app.Authoring.SaveTask(w.ctx, a, w.draft("0.2"), "", task)
		}},
		{name: "DeleteTask", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			return w.app.Authoring.DeleteTask(w.ctx, a, w.draft("0.2"), "reconcile")
		}},
		{name: "PublishCheck", want: edit, writes: true, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.PublishCheck(w.ctx, a, w.draft("0.2"))
			return err
		}},
		{name: "Preview", want: read, run: func(w *world, a app.Actor) error {
			_, err := w.app.Authoring.Preview(w.ctx, a, w.release, "reconcile", "")
			return err
		}},
		{name: "PreviewClick", want: read, run: func(w *world, a app.Actor) error {
			_, _, err := w.app.Authoring.PreviewClick(w.ctx, a, w.release, "reconcile", "list", center)
			return err
		}},
	})
}

// auditOf returns the audit events of action, newest first.
func (w *world) auditOf(action string) []sandpit.AuditEvent {
	w.t.Helper()
	events, _, err := w.st.AuditEvents(w.ctx, store.AuditFilter{Action: action, Limit: 100})
	if err != nil {
		w.t.Fatal(err)
	}
	return events
}

func TestAuthoringAudit(t *testing.T) {
	w := newWorld(t)
	owner := w.actors[kindOwner]
	check := func(t *testing.T, action string, n int) {
		t.Helper()
		events := w.auditOf(action)
		if len(events) != n {
			t.Fatalf("%d %s events, want %d", len(events), action, n)
		}
		e := events[0]
		if e.ActorID == nil || *e.ActorID != owner.ID() || e.TeamID == nil || *e.TeamID != w.team.ID || e.IP != owner.IP {
			t.Errorf("event = %+v, want the owner in team %d from %s", e, w.team.ID, owner.IP)
		}
	}
	t.Run("creating a workflow records who, in which team", func(t *testing.T) {
		before := len(w.auditOf(sandpit.AuditWorkflowCreated))
		if _, err := w.app.Authoring.CreateWorkflow(w.ctx, owner, w.team.ID, sandpit.WorkflowInput{Title: "Discharge", ConsentText: "Yes."}); err != nil {
			t.Fatal(err)
		}
		check(t, sandpit.AuditWorkflowCreated, before+1)
	})
	t.Run("publishing records who, in which team", func(t *testing.T) {
		before := len(w.auditOf(sandpit.AuditReleasePublish))
		if err := w.app.Authoring.Publish(w.ctx, owner, w.draft("0.2")); err != nil {
			t.Fatal(err)
		}
		check(t, sandpit.AuditReleasePublish, before+1)
	})
	t.Run("closing records who, in which team", func(t *testing.T) {
		if err := w.app.Authoring.Close(w.ctx, owner, w.release); err != nil {
			t.Fatal(err)
		}
		check(t, sandpit.AuditReleaseClosed, 1)
	})
	t.Run("a refusal records nothing", func(t *testing.T) {
		before := len(w.auditOf(sandpit.AuditReleasePublish))
		if err := w.app.Authoring.Publish(w.ctx, w.actors[kindResearcher], w.draft("0.3")); sandpit.ErrorCode(err) != sandpit.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
		if n := len(w.auditOf(sandpit.AuditReleasePublish)); n != before {
			t.Errorf("%d publish events, want %d", n, before)
		}
	})
}

// codes returns each field error of err as field → code.
func codes(err error) map[string]string {
	out := map[string]string{}
	for _, f := range sandpit.FieldErrorsOf(err) {
		if _, ok := out[f.Field]; !ok {
			out[f.Field] = f.Code
		}
	}
	return out
}

func TestAuthoringFieldErrors(t *testing.T) {
	w := newWorld(t)
	owner := w.actors[kindOwner]
	draft := w.draft("0.2")
	bad := testDefinition(t, "0.4")
	bad.Screens[1].Image = "https://example.com/x.png"
	bad.Screens[2].Key = "list"
	bad.Tasks[0].Key = "Bad!"
	bad.Tasks[0].DailyFrequency = -1
	tests := []struct {
		name string
		run  func() error
		want map[string]string
	}{
		{"a workflow needs a title and consent text", func() error {
			_, err := w.app.Authoring.CreateWorkflow(w.ctx, owner, w.team.ID, sandpit.WorkflowInput{Title: " ", Description: string(make([]byte, sandpit.MaxText+1))})
			return err
		}, map[string]string{"title": sandpit.FieldRequired, "description": sandpit.FieldTooLong, "consent_text": sandpit.FieldRequired}},
		{"a release needs a version label", func() error {
			_, err := w.app.Authoring.StartRelease(w.ctx, owner, w.workflow, app.ReleaseDetails{Version: " "})
			return err
		}, map[string]string{"version": sandpit.FieldRequired}},
		{"a version label the workflow has is taken", func() error {
			return w.app.Authoring.UpdateReleaseDetails(w.ctx, owner, draft, app.ReleaseDetails{Version: "0.1"})
		}, map[string]string{"version": sandpit.FieldTaken}},
		{"a definition names every problem where it is", func() error {
			_, err := w.app.Authoring.ImportRelease(w.ctx, owner, w.workflow, bad)
			return err
		}, map[string]string{"screens[1].image": sandpit.FieldFormat, "screens[2].key": sandpit.FieldTaken, "tasks[0].key": sandpit.FieldFormat,
			"tasks[0].daily_frequency": sandpit.FieldOutOfRange}},
		{"a screen needs a key, a title and an image", func() error {
			_, err := w.app.Authoring.AddScreen(w.ctx, owner, draft, app.ScreenInput{Key: "Bad Key"})
			return err
		}, map[string]string{"key": sandpit.FieldFormat, "title": sandpit.FieldRequired, "image": sandpit.FieldRequired}},
		{"a screen's image must be a PNG or JPEG", func() error {
			_, err := w.app.Authoring.AddScreen(w.ctx, owner, draft, app.ScreenInput{Key: "extra", Title: "Extra", Image: []byte("<html></html>")})
			return err
		}, map[string]string{"image": sandpit.FieldFormat}},
		{"a screen's key is unique in its release", func() error {
			_, err := w.app.Authoring.AddScreen(w.ctx, owner, draft, app.ScreenInput{Key: "list", Title: "Again", Image: pngBytes(t, 10, 10)})
			return err
		}, map[string]string{"key": sandpit.FieldTaken}},
		{"hotspots must be numbers, fit the image and lead to a screen", func() error {
			return w.app.Authoring.SaveHotspots(w.ctx, owner, draft, "list", []app.HotspotInput{
				{Row: 0, X: "a", Y: "0", W: "10", H: "10", Target: "record"},
				{Row: 2, X: "390", Y: "0", W: "20", H: "10", Target: "nowhere"},
			})
		}, map[string]string{"hotspots[0].x": sandpit.FieldFormat, "hotspots[2].w": sandpit.FieldOutOfRange, "hotspots[2].target": sandpit.FieldUnknown}},
		{"a task names screens of its release", func() error {
			return w.app.Authoring.SaveTask(w.ctx, owner, draft, "", app.TaskInput{Key: "t", Title: "T", Start: "gone", OptimalPath: []string{"gone"}, DailyFrequency: "many"})
		}, map[string]string{"start": sandpit.FieldUnknown, "success": sandpit.FieldRequired, "optimal_path": sandpit.FieldUnknown, "daily_frequency": sandpit.FieldOutOfRange}},
		{"a task's key is unique in its release", func() error {
			return w.app.Authoring.SaveTask(w.ctx, owner, draft, "", app.TaskInput{Key: "reconcile", Title: "T", Start: "list", Success: []string{"done"}, DailyFrequency: "1"})
		}, map[string]string{"key": sandpit.FieldTaken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if code := sandpit.ErrorCode(err); code != sandpit.EINVALID && code != sandpit.ECONFLICT {
				t.Fatalf("err = %v", err)
			}
			got := codes(err)
			for field, code := range tt.want {
				if got[field] != code {
					t.Errorf("%s: code %q, want %q (all: %v)", field, got[field], code, got)
				}
			}
		})
	}
	t.Run("a definition's field errors say where they are", func(t *testing.T) {
		_, err := w.app.Authoring.ImportRelease(w.ctx, owner, w.workflow, bad)
		places := map[string]sandpit.Place{}
		for _, f := range sandpit.FieldErrorsOf(err) {
			places[f.Field] = f.Place()
		}
		want := map[string]sandpit.Place{
			"screens[1].image": {Screen: 2, Attribute: "image"},
			"tasks[0].key":     {Task: 1, Attribute: "key"},
		}
		for field, p := range want {
			if places[field] != p {
				t.Errorf("%s at %+v, want %+v", field, places[field], p)
			}
		}
	})
	t.Run("a hotspot's field errors name its row", func(t *testing.T) {
		err := w.app.Authoring.SaveHotspots(w.ctx, owner, draft, "list", []app.HotspotInput{{Row: 4, X: "0", Y: "0", W: "10", H: "10", Target: "gone"}})
		fs := sandpit.FieldErrorsOf(err)
		if len(fs) != 1 || fs[0].Place() != (sandpit.Place{Hotspot: 5, Attribute: "target"}) {
			t.Errorf("field errors = %+v", fs)
		}
	})
}

func TestAuthoringPublishProblems(t *testing.T) {
	w := newWorld(t)
	owner := w.actors[kindOwner]
	def := testDefinition(t, "0.2")
	def.Screens[0].Hotspots[0].X = 390
	def.Tasks[0].OptimalPath = []string{"list", "done"}
	r, err := w.app.Authoring.ImportRelease(w.ctx, owner, w.workflow, def)
	if err != nil {
		t.Fatal(err)
	}
	err = w.app.Authoring.Publish(w.ctx, owner, r.ID)
	if got := codes(err); got["screens[0].hotspots[0]"] != sandpit.FieldNotRunnable || got["tasks[0].optimal_path"] != sandpit.FieldNotRunnable {
		t.Errorf("field codes = %v (%v)", got, err)
	}
	view, err := w.app.Authoring.Release(w.ctx, owner, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	hotspot := slices.IndexFunc(view.Problems, func(p sandpit.Problem) bool { return p.Screen == "list" && p.Hotspot == 1 })
	link := slices.IndexFunc(view.Problems, func(p sandpit.Problem) bool {
		return p.Kind == sandpit.ProblemNoLink && p.Screen == "list" && p.Target == "done"
	})
	if hotspot < 0 || link < 0 {
		t.Errorf("problems = %+v, want one on hotspot 1 of list and one fixed by a hotspot on list to done", view.Problems)
	}
	check, err := w.app.Authoring.PublishCheck(w.ctx, owner, r.ID)
	if err != nil || len(check.Problems) != len(view.Problems) {
		t.Errorf("publish check = %v, %v; want the same %d problems", check, err, len(view.Problems))
	}
	preview, err := w.app.Authoring.Preview(w.ctx, owner, r.ID, "", "")
	if err != nil || len(preview.Problems) != len(view.Problems) {
		t.Errorf("preview = %v, %v; want it shown with its %d problems", preview, err, len(view.Problems))
	}
	var e *sandpit.Error
	if !errors.As(w.app.Authoring.Publish(w.ctx, owner, r.ID), &e) || e.Code != sandpit.EINVALID {
		t.Errorf("publishing again: %v", e)
	}
	if m, _ := w.st.ReleaseMeta(w.ctx, r.ID); m.Status != sandpit.StatusDraft {
		t.Errorf("status = %s, want draft", m.Status)
	}
}

// TestSaveHotspotsAllOrNothing saves a screen's hotspots as the editor
// does, the whole set in one call: a set with any bad hotspot changes
// nothing and records nothing; a good one replaces the set and is audited.
func TestSaveHotspotsAllOrNothing(t *testing.T) {
	w := newWorld(t)
	owner := w.actors[kindOwner]
	draft := w.draft("0.2")
	good := app.HotspotInput{X: "40", Y: "120", W: "300", H: "48", Target: "record", Label: "Open the record"}
	row := func(i int, h app.HotspotInput) app.HotspotInput { h.Row = i; return h }
	many := make([]app.HotspotInput, sandpit.MaxHotspots+1)
	for i := range many {
		many[i] = row(i, app.HotspotInput{X: "0", Y: "0", W: "10", H: "10", Target: "done"})
	}
	tests := []struct {
		name  string
		rows  []app.HotspotInput
		field string
		code  string
	}{
		{"a target that is not a screen of the release", []app.HotspotInput{row(0, good), row(1, app.HotspotInput{X: "0", Y: "0", W: "10", H: "10", Target: "gone"})}, "hotspots[1].target", sandpit.FieldUnknown},
		{"a box past the image's right edge (400 wide)", []app.HotspotInput{row(0, good), row(1, app.HotspotInput{X: "350", Y: "0", W: "51", H: "10", Target: "done"})}, "hotspots[1].w", sandpit.FieldOutOfRange},
		{"a box past the image's bottom edge (300 high)", []app.HotspotInput{row(0, app.HotspotInput{X: "0", Y: "290", W: "10", H: "11", Target: "done"})}, "hotspots[0].h", sandpit.FieldOutOfRange},
		{"a box far beyond any image", []app.HotspotInput{row(0, app.HotspotInput{X: "0", Y: "0", W: "99999999999", H: "11", Target: "done"})}, "hotspots[0].w", sandpit.FieldOutOfRange},
		{"more hotspots than a screen may have", many, "hotspots", sandpit.FieldTooMany},
	}
	stored := func() []sandpit.Hotspot {
		r, err := w.st.Release(w.ctx, draft)
		if err != nil {
			t.Fatal(err)
		}
		return r.Screen("list").Hotspots
	}
	before, audited := stored(), len(w.auditOf(sandpit.AuditHotspotsSaved))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := w.app.Authoring.SaveHotspots(w.ctx, owner, draft, "list", tt.rows)
			if got := codes(err); got[tt.field] != tt.code {
				t.Errorf("codes = %v, want %s on %s", got, tt.code, tt.field)
			}
			if after := stored(); !slices.Equal(after, before) {
				t.Errorf("hotspots = %+v after a refused save, want %+v", after, before)
			}
			if n := len(w.auditOf(sandpit.AuditHotspotsSaved)); n != audited {
				t.Errorf("audit entries = %d after a refused save, want %d", n, audited)
			}
		})
	}
	t.Run("a good set replaces the old one at once and is audited", func(t *testing.T) {
		rows := []app.HotspotInput{
			row(0, app.HotspotInput{X: "0", Y: "0", W: "400", H: "300", Target: "done", Label: "Anywhere"}),
			row(2, app.HotspotInput{X: "10", Y: "20", W: "30", H: "40", Target: "record"}),
		}
		if err := w.app.Authoring.SaveHotspots(w.ctx, owner, draft, "list", rows); err != nil {
			t.Fatal(err)
		}
		want := []sandpit.Hotspot{{X: 0, Y: 0, W: 400, H: 300, Target: "done", Label: "Anywhere"}, {X: 10, Y: 20, W: 30, H: 40, Target: "record"}}
		if got := stored(); !slices.Equal(got, want) {
			t.Errorf("hotspots = %+v, want %+v", got, want)
		}
		events := w.auditOf(sandpit.AuditHotspotsSaved)
		if len(events) != audited+1 || events[0].TeamID == nil || !strings.Contains(events[0].Detail, "screen list: 2 hotspots") {
			t.Errorf("audit = %+v, want one more entry for the team's screen list with 2 hotspots", events)
		}
	})
}

// TestKeysFromTitles adds screens and tasks without keys: each gets one
// made from its title, unique within the release.
func TestKeysFromTitles(t *testing.T) {
	w := newWorld(t)
	owner := w.actors[kindOwner]
	draft := w.draft("0.2")
	for _, tt := range []struct{ title, want string }{
		{"Ward list", "ward-list"},
		{"Ward list", "ward-list-2"},
		{"Liste des médicaments", "liste-des-medicaments"},
		{"Record", "record-2"}, // "record" is a screen of the release already
	} {
		key, err := w.app.Authoring.AddScreen(w.ctx, owner, draft, app.ScreenInput{Title: tt.title, Image: pngBytes(t, 40, 30)})
		if err != nil || key != tt.want {
			t.Errorf("screen %q: key %q (%v), want %q", tt.title, key, err, tt.want)
		}
	}
	in := app.TaskInput{Title: "Reconcile medicines", Start: "list", Success: []string{"done"}, DailyFrequency: "1"}
	if err := w.app.Authoring.SaveTask(w.ctx, owner, draft, "", in); err != nil {
		t.Fatal(err)
	}
	// The release's own task is "reconcile"; this one is new.
	r, err := w.st.Release(w.ctx, draft)
	if err != nil {
		t.Fatal(err)
	}
	if r.Task("reconcile-medicines") == nil {
		t.Errorf("tasks = %+v, want one keyed reconcile-medicines", r.Tasks)
	}
	in.Title = "Reconcile medicines, renamed"
	if err := w.app.Authoring.SaveTask(w.ctx, owner, draft, "reconcile-medicines", in); err != nil {
		t.Fatal(err)
	}
	if r, _ = w.st.Release(w.ctx, draft); r.Task("reconcile-medicines") == nil || r.Task("reconcile-medicines").Title != in.Title {
		t.Errorf("tasks = %+v, want the renamed task to keep its key", r.Tasks)
	}
}
