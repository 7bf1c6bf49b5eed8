package sandpit_test

import (
	"math"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// runnable is a definition with nothing to fix: list → record → done.
func runnable() sandpit.Definition {
	return sandpit.Definition{
		Version: "0.2",
		Screens: []sandpit.Screen{
			{Key: "list", Title: "Ward list", Width: 400, Height: 300, Hotspots: []sandpit.Hotspot{{X: 10, Y: 10, W: 100, H: 20, Target: "record", Label: "Open record"}}},
			{Key: "record", Title: "Record", Width: 400, Height: 300, Hotspots: []sandpit.Hotspot{{X: 0, Y: 280, W: 400, H: 20, Target: "done", Label: "Save"}, {X: 0, Y: 0, W: 50, H: 20, Target: "list", Label: "Back"}}},
			{Key: "done", Title: "Done", Width: 400, Height: 300},
		},
		Tasks: []sandpit.Task{{Key: "reconcile", Title: "Reconcile", Start: "list", Success: []string{"done"}, OptimalPath: []string{"list", "record", "done"}, DailyFrequency: 12}},
	}
}

func TestPublishProblems(t *testing.T) {
	if ps := func() []sandpit.Problem { d := runnable(); return d.PublishProblems() }(); len(ps) != 0 {
		t.Fatalf("a runnable definition has problems: %v", ps)
	}
	tests := []struct {
		rule   string
		change func(d *sandpit.Definition)
		field  string
		words  string
	}{
		{"at least one task", func(d *sandpit.Definition) { d.Tasks = nil }, "tasks", "at least one task"},
		{"at least one screen", func(d *sandpit.Definition) { d.Screens = nil; d.Tasks = nil }, "screens", "at least one screen"},
		{"hotspot inside its image: right edge", func(d *sandpit.Definition) { d.Screens[0].Hotspots[0].X = 350 }, "screens[0].hotspots[0]", "outside its 400 × 300 image"},
		{"hotspot inside its image: bottom edge", func(d *sandpit.Definition) { d.Screens[1].Hotspots[0].Y = 290 }, "screens[1].hotspots[0]", "outside"},
		{"hotspot points at a screen of the release", func(d *sandpit.Definition) { d.Screens[1].Hotspots[1].Target = "nowhere" }, "screens[1].hotspots[1].target", `leads to "nowhere"`},
		{"task start screen exists", func(d *sandpit.Definition) { d.Tasks[0].Start = "gone" }, "tasks[0].start", `starts on "gone"`},
		{"task has a success screen", func(d *sandpit.Definition) { d.Tasks[0].Success = nil }, "tasks[0].success", "at least one success screen"},
		{"task success screens exist", func(d *sandpit.Definition) { d.Tasks[0].Success = []string{"done", "gone"} }, "tasks[0].success", `succeeds on "gone"`},
		{"task has an optimal path", func(d *sandpit.Definition) { d.Tasks[0].OptimalPath = nil }, "tasks[0].optimal_path", "needs an optimal path"},
		{"path screens exist", func(d *sandpit.Definition) { d.Tasks[0].OptimalPath = []string{"list", "gone", "done"} }, "tasks[0].optimal_path", `visits "gone"`},
		{"path starts at the start screen", func(d *sandpit.Definition) { d.Tasks[0].OptimalPath = []string{"record", "done"} }, "tasks[0].optimal_path", "must start at its start screen"},
		{"path ends at a success screen", func(d *sandpit.Definition) { d.Tasks[0].OptimalPath = []string{"list", "record"} }, "tasks[0].optimal_path", "must end at one of its success screens"},
		{"each step is reachable through a hotspot", func(d *sandpit.Definition) { d.Tasks[0].OptimalPath = []string{"list", "done"} }, "tasks[0].optimal_path", `no hotspot on "list" leads there`},
		{"hotspot inside its image: x + w would overflow", func(d *sandpit.Definition) { d.Screens[0].Hotspots[0].W = math.MaxInt64 }, "screens[0].hotspots[0]", "outside its 400 × 300 image"},
		{"hotspot inside its image: y + h would overflow", func(d *sandpit.Definition) {
			d.Screens[0].Hotspots[0].Y, d.Screens[0].Hotspots[0].H = 1, math.MaxInt64
		}, "screens[0].hotspots[0]", "outside"},
		{"hotspot inside its image: x beyond every image", func(d *sandpit.Definition) { d.Screens[0].Hotspots[0].X = math.MaxInt64 }, "screens[0].hotspots[0]", "outside"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			d := runnable()
			tt.change(&d)
			ps := d.PublishProblems()
			for _, p := range ps {
				if p.Field == tt.field && strings.Contains(p.Message, tt.words) {
					return
				}
			}
			t.Errorf("problems = %+v, want %s: …%s…", ps, tt.field, tt.words)
		})
	}
	t.Run("every problem is listed at once", func(t *testing.T) {
		d := runnable()
		d.Screens[0].Hotspots[0].X = 390
		d.Tasks[0].Start = "gone"
		if ps := d.PublishProblems(); len(ps) < 2 {
			t.Errorf("problems = %v", ps)
		}
		fields := sandpit.ErrorFields(sandpit.ProblemsError(d.PublishProblems()))
		if fields["screens[0].hotspots[0]"] == "" || fields["tasks[0].start"] == "" {
			t.Errorf("fields = %v", fields)
		}
	})
}

func TestDefinitionValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(d *sandpit.Definition)
		field  string
	}{
		{"version label required", func(d *sandpit.Definition) { d.Version = " " }, "version"},
		{"screen key format", func(d *sandpit.Definition) { d.Screens[0].Key = "Ward List" }, "screens[0].key"},
		{"duplicate screen key", func(d *sandpit.Definition) { d.Screens[1].Key = "list" }, "screens[1].key"},
		{"duplicate task key", func(d *sandpit.Definition) { d.Tasks = append(d.Tasks, d.Tasks[0]) }, "tasks[1].key"},
		{"screen title required", func(d *sandpit.Definition) { d.Screens[2].Title = "" }, "screens[2].title"},
		{"hotspot needs a size", func(d *sandpit.Definition) { d.Screens[0].Hotspots[0].W = 0 }, "screens[0].hotspots[0]"},
		{"negative frequency", func(d *sandpit.Definition) { d.Tasks[0].DailyFrequency = -1 }, "tasks[0].daily_frequency"},
		{"hotspot width that would overflow x + w", func(d *sandpit.Definition) { d.Screens[0].Hotspots[0].W = math.MaxInt64 }, "screens[0].hotspots[0].w"},
		{"hotspot height beyond every image", func(d *sandpit.Definition) { d.Screens[0].Hotspots[0].H = sandpit.MaxImageSide + 1 }, "screens[0].hotspots[0].h"},
		{"hotspot x beyond every image (2^31)", func(d *sandpit.Definition) { d.Screens[0].Hotspots[0].X = 1 << 31 }, "screens[0].hotspots[0].x"},
		{"hotspot y beyond every image", func(d *sandpit.Definition) { d.Screens[0].Hotspots[0].Y = math.MaxInt64 }, "screens[0].hotspots[0].y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := runnable()
			tt.change(&d)
			if fields := sandpit.ErrorFields(d.Validate()); fields[tt.field] == "" {
				t.Errorf("fields = %v, want %s named", fields, tt.field)
			}
		})
	}
	t.Run("a good definition is valid", func(t *testing.T) {
		d := runnable()
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestHit(t *testing.T) {
	d := runnable()
	record := d.Screen("record")
	tests := []struct {
		x, y int
		want string
	}{
		{0, 280, "done"}, {399, 299, "done"}, {400, 299, ""}, {0, 0, "list"}, {49, 19, "list"}, {50, 19, ""}, {200, 150, ""},
	}
	for _, tt := range tests {
		got := ""
		if h := record.Hit(tt.x, tt.y); h != nil {
			got = h.Target
		}
		if got != tt.want {
			t.Errorf("Hit(%d, %d) = %q, want %q", tt.x, tt.y, got, tt.want)
		}
	}
}

func TestDefinitionFieldErrorsAreTyped(t *testing.T) {
	d := runnable()
	d.Version = ""
	d.Screens[0].Hotspots[0].Label = strings.Repeat("x", sandpit.MaxTitle+1)
	d.Tasks[0].Key = "Bad!"
	want := map[string]struct {
		code  string
		place sandpit.Place
	}{
		"version":                      {sandpit.FieldRequired, sandpit.Place{Attribute: "version"}},
		"screens[0].hotspots[0].label": {sandpit.FieldTooLong, sandpit.Place{Screen: 1, Hotspot: 1, Attribute: "label"}},
		"tasks[0].key":                 {sandpit.FieldFormat, sandpit.Place{Task: 1, Attribute: "key"}},
	}
	got := map[string]sandpit.FieldError{}
	for _, f := range sandpit.FieldErrorsOf(d.Validate()) {
		got[f.Field] = f
	}
	for field, w := range want {
		if f := got[field]; f.Code != w.code || f.Place() != w.place {
			t.Errorf("%s: code %q at %+v, want %q at %+v", field, f.Code, f.Place(), w.code, w.place)
		}
	}
}

func TestProblemsErrorIsTyped(t *testing.T) {
	d := runnable()
	d.Tasks[0].OptimalPath = []string{"record", "list"}
	ps := d.PublishProblems()
	fs := sandpit.FieldErrorsOf(sandpit.ProblemsError(ps))
	if len(fs) != 1 || fs[0].Field != "tasks[0].optimal_path" || fs[0].Code != sandpit.FieldNotRunnable {
		t.Fatalf("field errors = %+v", fs)
	}
	if n := len(fs[0].Params["problems"].([]string)); n != len(ps) {
		t.Errorf("%d problems in the field error, want %d", n, len(ps))
	}
	for _, p := range ps {
		if p.Task != "reconcile" || p.Screen != "" {
			t.Errorf("problem %+v is not placed on task reconcile", p)
		}
	}
}
