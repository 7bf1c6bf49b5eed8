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
		{"hotspot inside its image: right edge", func(d *sandpit.Definition) { d.Screens[0].Hotspots[0].X = 350 }, "screens[0].hotspots[0]", "On 'Ward list', hotspot 1 (Open record) reaches outside the image, which is 400 × 300 pixels"},
		{"hotspot inside its image: bottom edge", func(d *sandpit.Definition) { d.Screens[1].Hotspots[0].Y = 290 }, "screens[1].hotspots[0]", "outside"},
		{"hotspot points at a screen of the release", func(d *sandpit.Definition) { d.Screens[1].Hotspots[1].Target = "nowhere" }, "screens[1].hotspots[1].target", "On 'Record', hotspot 2 (Back) leads to a screen that is not in this release"},
		{"task start screen exists", func(d *sandpit.Definition) { d.Tasks[0].Start = "gone" }, "tasks[0].start", "Choose the start screen of task 'Reconcile'"},
		{"task has a success screen", func(d *sandpit.Definition) { d.Tasks[0].Success = nil }, "tasks[0].success", "Choose at least one success screen for task 'Reconcile'"},
		{"task success screens exist", func(d *sandpit.Definition) { d.Tasks[0].Success = []string{"done", "gone"} }, "tasks[0].success", "Choose the success screens of task 'Reconcile' again"},
		{"task has an optimal path", func(d *sandpit.Definition) { d.Tasks[0].OptimalPath = nil }, "tasks[0].optimal_path", "Choose the best path of task 'Reconcile':"},
		{"path screens exist", func(d *sandpit.Definition) { d.Tasks[0].OptimalPath = []string{"list", "gone", "done"} }, "tasks[0].optimal_path", "it goes through a screen that is not in this release"},
		{"path starts at the start screen", func(d *sandpit.Definition) { d.Tasks[0].OptimalPath = []string{"record", "done"} }, "tasks[0].optimal_path", "The best path of task 'Reconcile' must begin on its start screen, 'Ward list'"},
		{"path ends at a success screen", func(d *sandpit.Definition) { d.Tasks[0].OptimalPath = []string{"list", "record"} }, "tasks[0].optimal_path", "must end on one of its success screens"},
		{"each step is reachable through a hotspot", func(d *sandpit.Definition) { d.Tasks[0].OptimalPath = []string{"list", "done"} }, "tasks[0].optimal_path", "On 'Ward list', no hotspot leads to 'Done', so task 'Reconcile' can't follow its best path"},
		{"hotspot inside its image: x + w would overflow", func(d *sandpit.Definition) { d.Screens[0].Hotspots[0].W = math.MaxInt64 }, "screens[0].hotspots[0]", "reaches outside the image, which is 400 × 300 pixels"},
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
				if p.Field == tt.field && strings.Contains(p.Message(), tt.words) {
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

func TestPublishProblemsSayWhereToFix(t *testing.T) {
	d := runnable()
	d.Tasks[0].OptimalPath = []string{"list", "done"}
	d.Tasks[0].Start = "gone"
	var link, start *sandpit.Problem
	ps := d.PublishProblems()
	for i := range ps {
		switch ps[i].Kind {
		case sandpit.ProblemNoLink:
			link = &ps[i]
		case sandpit.ProblemStartMissing:
			start = &ps[i]
		}
	}
	if link == nil || link.Screen != "list" || link.Target != "done" || link.Task != "" || link.Field != "tasks[0].optimal_path" {
		t.Errorf("missing link = %+v, want it fixed on screen list by a hotspot to done", link)
	}
	if start == nil || start.Task != "reconcile" || start.Screen != "" {
		t.Errorf("missing start = %+v, want it fixed in task reconcile", start)
	}
	for _, p := range ps {
		if m := p.Message(); strings.Contains(m, `"`) || strings.Contains(m, "reconcile") || strings.Contains(m, "list ") {
			t.Errorf("message %q names keys or quotes them like code", m)
		}
	}
}

func TestCheckHotspots(t *testing.T) {
	d := runnable()
	record := d.Screen("record") // 400 × 300
	good := sandpit.Hotspot{X: 0, Y: 280, W: 400, H: 20, Target: "done"}
	tests := []struct {
		name  string
		hs    []sandpit.Hotspot
		field string
		edge  int
	}{
		{"a target that is not a screen", []sandpit.Hotspot{good, {X: 1, Y: 1, W: 5, H: 5, Target: "nowhere"}}, "hotspots[1].target", 0},
		{"no target", []sandpit.Hotspot{{X: 1, Y: 1, W: 5, H: 5}}, "hotspots[0].target", 0},
		{"past the right edge", []sandpit.Hotspot{{X: 390, Y: 0, W: 11, H: 5, Target: "done"}}, "hotspots[0].w", 400},
		{"past the bottom edge", []sandpit.Hotspot{{X: 0, Y: 299, W: 1, H: 2, Target: "done"}}, "hotspots[0].h", 300},
		{"no width", []sandpit.Hotspot{{X: 0, Y: 0, W: 0, H: 2, Target: "done"}}, "hotspots[0]", 0},
		{"beyond every image", []sandpit.Hotspot{{X: 0, Y: 0, W: math.MaxInt64, H: 2, Target: "done"}}, "hotspots[0].w", 0},
		{"a NUL in the label", []sandpit.Hotspot{{X: 0, Y: 0, W: 2, H: 2, Target: "done", Label: "a\x00b"}}, "hotspots[0].label", 0},
		{"too many", func() []sandpit.Hotspot {
			hs := make([]sandpit.Hotspot, sandpit.MaxHotspots+1)
			for i := range hs {
				hs[i] = good
			}
			return hs
		}(), "hotspots", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.CheckHotspots(record, tt.hs)
			if sandpit.ErrorCode(err) != sandpit.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			for _, f := range sandpit.FieldErrorsOf(err) {
				if f.Field == tt.field {
					if edge, _ := f.Params["edge"].(int); edge != tt.edge {
						t.Errorf("edge = %d, want %d", edge, tt.edge)
					}
					return
				}
			}
			t.Errorf("fields = %v, want %s", sandpit.ErrorFields(err), tt.field)
		})
	}
	t.Run("a hotspot filling the image is fine", func(t *testing.T) {
		if err := d.CheckHotspots(record, []sandpit.Hotspot{{X: 0, Y: 0, W: 400, H: 300, Target: "list"}, good}); err != nil {
			t.Error(err)
		}
	})
}
