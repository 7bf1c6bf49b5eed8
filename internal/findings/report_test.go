package findings_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func side(id int64, version string, baseline bool, f *findings.Figures) findings.Side {
	def := &sandpit.Definition{Tasks: []sandpit.Task{{Key: "reconcile", Title: "Reconcile", DailyFrequency: 12}, {Key: "new", Title: "Only in B"}}}
	return findings.Side{Ref: findings.ReleaseRef{ID: id, Version: version, Baseline: baseline}, Def: def, Figures: f}
}

func TestBuild(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	legacy := &findings.Figures{
		Participants: []findings.ParticipantCount{{Profession: "nurse", Setting: "acute", N: 5}},
		Outcomes:     []findings.OutcomeCount{{TaskKey: "reconcile", Outcome: "direct", N: 5, Clicks: 40, Misclicks: 8}, {TaskKey: "reconcile", Outcome: "gave_up", N: 3, Clicks: 30, Misclicks: 20}},
		// 75 × 108 = 90²: the geometric mean is 90 s, the logs spread ln 1.2
		// either side of it.
		Durations: map[string][]float64{"reconcile": {75, 90, 90, 90, 108}},
		Ease:      map[string][]float64{"reconcile": {2, 3, 2, 1, 2}},
		SUS:       []float64{40, 45, 50, 42.5, 47.5},
	}
	b := &findings.Figures{
		Participants: []findings.ParticipantCount{{Profession: "nurse", Setting: "acute", N: 3}, {Profession: "doctor", Setting: "acute", N: 2}},
		Outcomes:     []findings.OutcomeCount{{TaskKey: "reconcile", Outcome: "direct", N: 4, Clicks: 12, Misclicks: 1}, {TaskKey: "reconcile", Outcome: "indirect", N: 1, Clicks: 6, Misclicks: 1}},
		// 50 × 72 = 60²: the geometric mean is 60 s, the same spread.
		Durations: map[string][]float64{"reconcile": {50, 60, 60, 60, 72}},
		Ease:      map[string][]float64{"reconcile": {6, 7, 6, 5, 6}},
		SUS:       []float64{75, 80, 85, 77.5, 90},
		Findings: []findings.FindingFigures{
			{ID: 1, Title: "Font is small", Category: "layout", Severity: 1, Participants: 4, CreatedAt: t0},
			{ID: 2, Title: "Allergies hidden", Category: "safety", Severity: 2, SafetyConcern: true, Participants: 1, CreatedAt: t0.Add(time.Hour)},
			{ID: 3, Title: "Wrong drug list", Category: "workflow_fit", Severity: 3, Participants: 2, CreatedAt: t0.Add(2 * time.Hour)},
			{ID: 4, Title: "Older major", Category: "navigation", Severity: 3, Participants: 2, CreatedAt: t0.Add(-time.Hour)},
		},
	}
	base := side(1, "legacy", true, legacy)
	base.Def = &sandpit.Definition{Tasks: base.Def.Tasks[:1]} // the legacy system lacks the new task
	r := findings.Build(side(3, "0.2", false, b), nil, &base)

	t.Run("participants by profession", func(t *testing.T) {
		if r.Participants.N != 5 || r.Participants.ByProfession["nurse"] != 3 || r.Participants.ByProfession["doctor"] != 2 {
			t.Errorf("participants = %+v", r.Participants)
		}
	})
	t.Run("task figures", func(t *testing.T) {
		task := r.Tasks[0]
		if task.Attempts != 5 || *task.SuccessRate != 1 || *task.DirectRate != 0.8 || math.Abs(task.MisclickRate-2.0/18) > 1e-12 {
			t.Errorf("task = %+v", task)
		}
		if task.SuccessCI == nil || task.Time.N != 5 || task.Ease.N != 5 {
			t.Errorf("task = %+v", task)
		}
	})
	t.Run("a task nobody attempted has nulls, never NaN", func(t *testing.T) {
		data, err := json.Marshal(r.Tasks[1])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), `"success_rate":null`) || !strings.Contains(string(data), `"geomean":null`) || strings.Contains(string(data), "NaN") {
			t.Errorf("empty task = %s", data)
		}
	})
	t.Run("findings: safety first, then severity, then frequency, then oldest", func(t *testing.T) {
		var order []int64
		for _, f := range r.Findings {
			order = append(order, f.ID)
		}
		if want := []int64{2, 4, 3, 1}; len(order) != 4 || order[0] != want[0] || order[1] != want[1] || order[2] != want[2] || order[3] != want[3] {
			t.Errorf("order = %v, want %v", order, want)
		}
		if r.Findings[3].Title != "Font is small" || r.Findings[3].Frequency != 0.8 {
			t.Errorf("finding = %+v", r.Findings[3])
		}
	})
	t.Run("comparison with the baseline", func(t *testing.T) {
		if r.Comparisons.Previous != nil {
			t.Error("a previous comparison without a previous release")
		}
		c := r.Comparisons.Baseline
		if c == nil || c.Release.Version != "legacy" || len(c.Tasks) != 1 {
			t.Fatalf("baseline = %+v", c)
		}
		task := c.Tasks[0]
		if *task.TimeVerdict != "better" || *task.EaseVerdict != "better" || task.TimeSavedS == nil || task.TimeRatio == nil || task.TimeCI == nil {
			t.Fatalf("task comparison = %+v", task)
		}
		// Worked by hand: ratio 60/90; the Welch interval of the mean log
		// difference ln(2/3) ± t(8)·se, with s² = 2(ln 1.2)²/4 on each side,
		// se = √(2s²/5), t(8) = 2.306004; time saved 90 − 60 = 30 s a task,
		// × 12 a day × 225 days ÷ 3600 = 22.5 hours a year.
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"time ratio", *task.TimeRatio, 2.0 / 3},
			{"time ratio CI low", task.TimeCI[0], 0.5523965919826208},
			{"time ratio CI high", task.TimeCI[1], 0.8045749211617642},
			{"time saved", *task.TimeSavedS, 30},
			{"hours saved", *task.HoursSavedPerStaffYear, 22.5},
			// The time saved's interval is the ratio's turned round:
			// 90 × (1 − 0.804575) to 90 × (1 − 0.552397) seconds, and
			// × 0.75 (12 × 225 ÷ 3600) hours a year.
			{"time saved CI low", task.TimeSavedCI[0], 17.588257},
			{"time saved CI high", task.TimeSavedCI[1], 40.284307},
			{"hours saved CI low", task.HoursSavedCI[0], 13.191193},
			{"hours saved CI high", task.HoursSavedCI[1], 30.213230},
		} {
			if math.Abs(c.got-c.want) > 1e-6 {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
		if *c.SUS.Verdict != "better" {
			t.Errorf("SUS = %+v", c.SUS)
		}
	})
	t.Run("against 2 participants nothing is compared", func(t *testing.T) {
		few := &findings.Figures{
			Participants: []findings.ParticipantCount{{Profession: "nurse", Setting: "acute", N: 2}},
			Outcomes:     []findings.OutcomeCount{{TaskKey: "reconcile", Outcome: "direct", N: 2, Clicks: 4}},
			Durations:    map[string][]float64{"reconcile": {20, 22}},
			Ease:         map[string][]float64{"reconcile": {6, 7}},
			SUS:          []float64{30, 32.5},
		}
		prev := side(2, "0.1", false, b)
		r := findings.Build(side(4, "0.3", false, few), &prev, &base)
		for name, c := range map[string]*findings.Comparison{"previous": r.Comparisons.Previous, "baseline": r.Comparisons.Baseline} {
			task := c.Tasks[0]
			if task.SuccessDifference != nil || task.SuccessCI != nil || task.SuccessVerdict != nil || task.TimeRatio != nil || task.TimeCI != nil ||
				task.TimeVerdict != nil || task.EaseDifference != nil || task.EaseCI != nil || task.EaseVerdict != nil {
				t.Errorf("%s: task comparison = %+v", name, task)
			}
			if c.SUS.Difference != nil || c.SUS.CI != nil || c.SUS.Verdict != nil || c.SUS.N != (findings.Sides{A: 5, B: 2}) {
				t.Errorf("%s: SUS = %+v", name, c.SUS)
			}
			wantSuccessA := map[string]int{"previous": 5, "baseline": 8}[name]
			if task.SuccessN != (findings.Sides{A: wantSuccessA, B: 2}) || task.TimeN != (findings.Sides{A: 5, B: 2}) || task.EaseN != (findings.Sides{A: 5, B: 2}) {
				t.Errorf("%s: counts = %+v %+v %+v", name, task.SuccessN, task.TimeN, task.EaseN)
			}
		}
		// The single release's own figures stay: they need only n ≥ 2.
		if r.Tasks[0].Time.CI == nil || r.SUS.CI == nil {
			t.Errorf("the release's own figures = %+v %+v", r.Tasks[0], r.SUS)
		}
		data, _ := json.Marshal(r.Comparisons.Baseline.Tasks[0])
		for _, want := range []string{`"time_saved_s":null`, `"time_saved_ci":null`, `"hours_saved_per_staff_year":null`, `"hours_saved_ci":null`, `"time_verdict":null`} {
			if !strings.Contains(string(data), want) {
				t.Errorf("baseline task comparison %s lacks %s", data, want)
			}
		}
	})
	t.Run("difference intervals stay inside the scale", func(t *testing.T) {
		// Success 0 of 5 against 5 of 5: p̃ = 1/7 and 6/7, 5/7 ± 1.959964 ×
		// √(2 × (1/7)(6/7) / 7) = 0.714286 ± 0.366599, top clipped to 1.
		// Ease [1 1 1 1 7] against [7 7 7 7 1]: 3.6, each variance 7.2, se =
		// √2.88 = 1.697056, df 8, 3.6 ± 3.913419, top clipped to 6.
		lo := &findings.Figures{
			Participants: []findings.ParticipantCount{{Profession: "nurse", Setting: "acute", N: 5}},
			Outcomes:     []findings.OutcomeCount{{TaskKey: "reconcile", Outcome: "gave_up", N: 5}},
			Ease:         map[string][]float64{"reconcile": {1, 1, 1, 1, 7}},
		}
		hi := &findings.Figures{
			Participants: []findings.ParticipantCount{{Profession: "nurse", Setting: "acute", N: 5}},
			Outcomes:     []findings.OutcomeCount{{TaskKey: "reconcile", Outcome: "direct", N: 5}},
			Durations:    map[string][]float64{"reconcile": {30, 30, 30, 30, 30}},
			Ease:         map[string][]float64{"reconcile": {7, 7, 7, 7, 1}},
		}
		prev := side(2, "0.1", false, lo)
		task := findings.Build(side(3, "0.2", false, hi), &prev, nil).Comparisons.Previous.Tasks[0]
		for _, c := range []struct {
			name      string
			got, want float64
		}{
			{"success difference", *task.SuccessDifference, 1},
			{"success CI low", task.SuccessCI[0], 0.347686},
			{"success CI high", task.SuccessCI[1], 1},
			{"ease difference", *task.EaseDifference, 3.6},
			{"ease CI low", task.EaseCI[0], -0.313419},
			{"ease CI high", task.EaseCI[1], 6},
		} {
			if math.Abs(c.got-c.want) > 1e-6 {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
		if *task.SuccessVerdict != "better" || *task.EaseVerdict != "no_clear_change" || task.TimeRatio != nil {
			t.Errorf("task comparison = %+v", task)
		}
	})
	t.Run("previous comparisons carry no time saved", func(t *testing.T) {
		prev := side(2, "0.1", false, legacy)
		r := findings.Build(side(3, "0.2", false, b), &prev, nil)
		data, _ := json.Marshal(r.Comparisons)
		if strings.Contains(string(data), "time_saved_s") || !strings.Contains(string(data), `"baseline":null`) {
			t.Errorf("comparisons = %s", data)
		}
	})
}
