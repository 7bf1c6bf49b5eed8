package sandpit_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestSUSScoreAgainstSharedVectors(t *testing.T) {
	var cases []struct {
		Answers []int   `json:"answers"`
		Score   float64 `json:"score"`
	}
	if err := json.Unmarshal(vectors(t)["sus_score"], &cases); err != nil || len(cases) == 0 {
		t.Fatalf("vectors: %v", err)
	}
	for _, c := range cases {
		got, err := sandpit.SUSScore(c.Answers)
		if err != nil || math.Abs(got-c.Score) > 1e-4 {
			t.Errorf("SUSScore(%v) = %v, %v; want %v", c.Answers, got, err, c.Score)
		}
	}
	for _, bad := range [][]int{{1, 2, 3}, {0, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 6}} {
		if _, err := sandpit.SUSScore(bad); sandpit.ErrorCode(err) != sandpit.EINVALID {
			t.Errorf("SUSScore(%v) accepted", bad)
		}
	}
}

// branching is list → record → done, with a detour list → search → record.
func branching() (*sandpit.Definition, *sandpit.Task) {
	d := &sandpit.Definition{Screens: []sandpit.Screen{
		{Key: "list", Width: 100, Height: 100, Hotspots: []sandpit.Hotspot{{X: 0, Y: 0, W: 10, H: 10, Target: "record"}, {X: 20, Y: 0, W: 10, H: 10, Target: "search"}}},
		{Key: "search", Width: 100, Height: 100, Hotspots: []sandpit.Hotspot{{X: 0, Y: 0, W: 10, H: 10, Target: "record"}}},
		{Key: "record", Width: 100, Height: 100, Hotspots: []sandpit.Hotspot{{X: 0, Y: 90, W: 100, H: 10, Target: "done"}, {X: 90, Y: 0, W: 10, H: 10, Target: "list"}}},
		{Key: "done", Width: 100, Height: 100},
	}}
	d.Tasks = []sandpit.Task{{Key: "t", Start: "list", Success: []string{"done"}, OptimalPath: []string{"list", "record", "done"}}}
	return d, &d.Tasks[0]
}

func TestAttemptOutcomes(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	type step struct {
		x, y int
		wait time.Duration
	}
	tests := []struct {
		name      string
		steps     []step
		outcome   sandpit.Outcome
		path      []string
		misclicks int
		duration  int64
	}{
		{"the optimal path is direct", []step{{1, 1, time.Second}, {50, 95, 2 * time.Second}}, sandpit.OutcomeDirect, []string{"list", "record", "done"}, 0, 3000},
		{"a misclick along the optimal path is still direct", []step{{50, 50, time.Second}, {1, 1, time.Second}, {50, 95, time.Second}}, sandpit.OutcomeDirect, []string{"list", "record", "done"}, 1, 3000},
		{"a detour is indirect", []step{{21, 1, time.Second}, {1, 1, time.Second}, {50, 95, time.Second}}, sandpit.OutcomeIndirect, []string{"list", "search", "record", "done"}, 0, 3000},
		{"going back and forth is indirect", []step{{1, 1, time.Second}, {95, 5, time.Second}, {1, 1, time.Second}, {50, 95, time.Second}}, sandpit.OutcomeIndirect, []string{"list", "record", "list", "record", "done"}, 0, 4000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, task := branching()
			a := sandpit.NewAttempt(1, task, t0)
			now := t0
			for i, s := range tt.steps {
				now = now.Add(s.wait)
				if _, err := a.ClickOn(d, task, i+1, s.x, s.y, now); err != nil {
					t.Fatalf("click %d: %v", i+1, err)
				}
			}
			if a.Outcome != tt.outcome || a.Misclicks != tt.misclicks || *a.DurationMs != tt.duration {
				t.Errorf("outcome %s, misclicks %d, duration %d", a.Outcome, a.Misclicks, *a.DurationMs)
			}
			if len(a.Path) != len(tt.path) {
				t.Errorf("path = %v, want %v", a.Path, tt.path)
			}
		})
	}
	t.Run("giving up", func(t *testing.T) {
		_, task := branching()
		a := sandpit.NewAttempt(1, task, t0)
		if err := a.GiveUp(t0.Add(5 * time.Second)); err != nil || a.Outcome != sandpit.OutcomeGaveUp || *a.DurationMs != 5000 {
			t.Errorf("%v %s %v", err, a.Outcome, a.DurationMs)
		}
		if err := a.GiveUp(t0.Add(6 * time.Second)); sandpit.ErrorCode(err) != sandpit.ECONFLICT {
			t.Error("gave up twice")
		}
	})
}

func TestAttemptClickRules(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	d, task := branching()
	a := sandpit.NewAttempt(1, task, t0)
	tests := []struct {
		name    string
		seq     int
		x, y    int
		code    string
		prepare func()
	}{
		{"out of order", 2, 1, 1, sandpit.ECONFLICT, nil},
		{"outside the image", 1, 100, 5, sandpit.EINVALID, nil},
		{"negative", 1, -1, 5, sandpit.EINVALID, nil},
		{"while paused", 1, 1, 1, sandpit.ECONFLICT, func() { a.Pause(t0) }},
		{"after resuming", 1, 1, 1, "", func() { a.Resume(t0.Add(time.Minute)) }},
		{"after the outcome", 3, 50, 95, sandpit.ECONFLICT, func() { a.ClickOn(d, task, 2, 50, 95, t0.Add(2*time.Minute)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prepare != nil {
				tt.prepare()
			}
			_, err := a.ClickOn(d, task, tt.seq, tt.x, tt.y, t0.Add(time.Minute))
			if sandpit.ErrorCode(err) != tt.code {
				t.Errorf("error = %v, want code %q", err, tt.code)
			}
		})
	}
}

func TestAttemptPausesAreNotCounted(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	t.Run("an explicit pause", func(t *testing.T) {
		d, task := branching()
		a := sandpit.NewAttempt(1, task, t0)
		a.ClickOn(d, task, 1, 1, 1, t0.Add(10*time.Second))
		a.Pause(t0.Add(20 * time.Second))
		a.Resume(t0.Add(20*time.Second + 5*time.Minute))
		a.ClickOn(d, task, 2, 50, 95, t0.Add(30*time.Second+5*time.Minute))
		if *a.DurationMs != 30000 || a.Interruptions != 1 {
			t.Errorf("duration %d, interruptions %d", *a.DurationMs, a.Interruptions)
		}
	})
	t.Run("more than 30 minutes without a click counts as paused from the last click", func(t *testing.T) {
		d, task := branching()
		a := sandpit.NewAttempt(1, task, t0)
		a.ClickOn(d, task, 1, 1, 1, t0.Add(10*time.Second))
		a.ClickOn(d, task, 2, 50, 95, t0.Add(10*time.Second+2*time.Hour))
		if *a.DurationMs != 10000 || a.Interruptions != 1 {
			t.Errorf("duration %d, interruptions %d", *a.DurationMs, a.Interruptions)
		}
	})
	t.Run("a duration under 1 ms counts as 1 ms", func(t *testing.T) {
		_, task := branching()
		a := sandpit.NewAttempt(1, task, t0)
		a.GiveUp(t0)
		if *a.DurationMs != 1 {
			t.Errorf("duration %d", *a.DurationMs)
		}
	})
}

func TestReportValidate(t *testing.T) {
	d, _ := branching()
	good := func() sandpit.Report {
		return sandpit.Report{Screen: "list", X: 5, Y: 5, Category: "layout", Severity: 2, Text: "The button is hard to find."}
	}
	tests := []struct {
		name   string
		change func(r *sandpit.Report)
		field  string
	}{
		{"unknown screen", func(r *sandpit.Report) { r.Screen = "nope" }, "screen"},
		{"pin outside the screen", func(r *sandpit.Report) { r.X = 100 }, "x"},
		{"unknown category", func(r *sandpit.Report) { r.Category = "colour" }, "category"},
		{"severity out of range", func(r *sandpit.Report) { r.Severity = 5 }, "severity"},
		{"empty text", func(r *sandpit.Report) { r.Text = "  " }, "text"},
		{"oversized text", func(r *sandpit.Report) { r.Text = string(make([]rune, 5001)) }, "text"},
		{"a real NHS number", func(r *sandpit.Report) { r.Text = "Mr X, 943 476 5919, could not be found" }, "text"},
		{"unknown task", func(r *sandpit.Report) { r.TaskKey = "nope" }, "task"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good()
			tt.change(&r)
			if fields := sandpit.ErrorFields(r.Validate(d)); fields[tt.field] == "" {
				t.Errorf("fields = %v", fields)
			}
		})
	}
	t.Run("a synthetic NHS number is fine", func(t *testing.T) {
		r := good()
		r.Text = "Mrs Patel, 999 123 4567, had no allergies shown"
		if err := r.Validate(d); err != nil {
			t.Error(err)
		}
	})
}
