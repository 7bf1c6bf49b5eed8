package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/demo"
	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/stats"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// seedDemoWithTwoTrials loads the demo workflow (legacy, the baseline, and
// 0.1 with their synthetic trials; 0.2 open), makes the world's owner a
// member of its team, and runs two clinicians through every task of 0.2
// along the optimal path, as the 2-participant report was made
// (one gives up once). It returns the ids of releases 0.2 and 0.1.
func seedDemoWithTwoTrials(w *world) (id, previous int64) {
	w.t.Helper()
	ctx := context.Background()
	if err := demo.Seed(ctx, w.st, func(p string) (string, error) { return "hash:" + p, nil }); err != nil {
		w.t.Fatal(err)
	}
	team, err := w.st.TeamByName(ctx, demo.TeamName)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.st.AddToTeam(ctx, team.ID, w.users["owner"].ID, sandpit.RoleProductOwner, sandpit.AuditEntry{Action: sandpit.AuditMemberAdded}); err != nil {
		w.t.Fatal(err)
	}
	list, err := w.st.Workflows(ctx, []int64{team.ID}, false)
	if err != nil || len(list) != 1 {
		w.t.Fatalf("demo workflows = %+v, %v", list, err)
	}
	wf, err := w.st.Workflow(ctx, list[0].ID)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, r := range wf.Releases {
		switch r.Version {
		case "0.2":
			id = r.ID
		case "0.1":
			previous = r.ID
		}
	}
	// The demo publishes its releases in one go, at one reading of the
	// test clock; 0.2 must come after 0.1 to be compared with it.
	pool, q := w.st.Pools()["primary"], "UPDATE releases SET published_at = ? WHERE id = ?"
	if pool == nil {
		pool = w.st.Pools()["writer"]
	}
	if w.st.Dialect() == store.Postgres {
		q = "UPDATE releases SET published_at = $1 WHERE id = $2"
	}
	if _, err := pool.ExecContext(ctx, q, w.clock.Now().Add(time.Hour), id); err != nil {
		w.t.Fatal(err)
	}
	w.clock.Advance(2 * time.Hour)
	rel, err := w.st.Release(ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	def := &rel.Definition
	// As in the report: the two clinicians disagree on ease (7 and
	// 1), the second gives up on the first task, so it has one successful
	// time, and both score SUS 50.
	for i := range 2 {
		token := w.clinician(fmt.Sprintf("honest%d@example.nhs.uk", i))
		trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", id), token, `{"consent":{"accepted":true,"research_use":true}}`)
		base := fmt.Sprintf("/trials/%d", int64(trial["id"].(float64)))
		for k, task := range def.Tasks {
			w.mustAPI(200, "POST", base+"/tasks/"+task.Key+"/start", token, "")
			for j := 0; j+1 < len(task.OptimalPath); j++ {
				w.clock.Advance(time.Duration(8+3*i+j) * time.Second)
				if i == 1 && k == 0 && j == 1 {
					w.mustAPI(200, "POST", base+"/tasks/"+task.Key+"/give-up", token, "")
					break
				}
				h := hotspotTo(def, task.OptimalPath[j], task.OptimalPath[j+1])
				w.mustAPI(200, "POST", base+"/tasks/"+task.Key+"/clicks", token, fmt.Sprintf(`{"seq":%d,"x":%d,"y":%d}`, j+1, h.X+h.W/2, h.Y+h.H/2))
			}
			w.mustAPI(200, "POST", base+"/tasks/"+task.Key+"/rating", token, fmt.Sprintf(`{"ease":%d}`, 7-6*i))
		}
		w.mustAPI(200, "POST", base+"/sus", token, `{"answers":[3,3,3,3,3,3,3,3,3,3]}`)
	}
	return id, previous
}

// hotspotTo is the hotspot of screen from that leads to screen to.
func hotspotTo(def *sandpit.Definition, from, to string) sandpit.Hotspot {
	for _, s := range def.Screens {
		if s.Key != from {
			continue
		}
		for _, h := range s.Hotspots {
			if h.Target == to {
				return h
			}
		}
	}
	panic("no hotspot from " + from + " to " + to)
}

// tags strips a page's markup, leaving its words.
var tags = regexp.MustCompile(`(?s)<[^>]*>`)

// section is the text of page from the element with id start up to the
// next occurrence of end.
func section(page, start, end string) string {
	i := strings.Index(page, `id="`+start+`"`)
	if i < 0 {
		return ""
	}
	s := page[i:]
	if j := strings.Index(s[1:], end); j >= 0 {
		s = s[:j+1]
	}
	return strings.Join(strings.Fields(tags.ReplaceAllString(s, " ")), " ")
}

func TestTwoParticipantReportIsHonest(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release, previous := seedDemoWithTwoTrials(w)
	status, body := w.api("GET", fmt.Sprintf("/releases/%d/report", release), w.tokens["owner"], "")
	if status != http.StatusOK {
		t.Fatalf("report: %d %s", status, body)
	}
	var r findings.Report
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	owner := w.browser()
	owner.signIn(w.users["owner"].Email)
	pageStatus, page := owner.get(fmt.Sprintf("/releases/%d/report", release))
	if pageStatus != http.StatusOK {
		t.Fatalf("report page: %d %.2000s", pageStatus, page)
	}
	slidesStatus, slides := owner.get(fmt.Sprintf("/releases/%d/show-and-tell", release))
	if slidesStatus != http.StatusOK {
		t.Fatalf("show-and-tell: %d %.2000s", slidesStatus, slides)
	}
	if os.Getenv("SANDPIT_DUMP_REPORT") != "" {
		var out struct {
			Participants findings.Participants `json:"participants"`
			Comparisons  json.RawMessage       `json:"comparisons"`
		}
		json.Unmarshal([]byte(body), &out)
		cmp, _ := json.MarshalIndent(out, "", " ")
		t.Logf("JSON:\n%s", cmp)
		t.Logf("report page, trend:\n%s", section(page, "trend", `<h2`))
		t.Logf("report page, comparisons:\n%s", section(page, "comparisons", `<h2`))
		t.Logf("show-and-tell, what changed:\n%s", section(slides, "slide-change", `</section>`))
	}
	if r.Participants.N != 2 || r.Comparisons.Previous == nil || r.Comparisons.Baseline == nil {
		t.Fatalf("the demo 0.2 report = %s", body)
	}

	t.Run("the JSON has no comparison figure and no time saved", func(t *testing.T) {
		var raw struct {
			Comparisons map[string]struct {
				Tasks []map[string]any `json:"tasks"`
				SUS   map[string]any   `json:"sus"`
			} `json:"comparisons"`
		}
		if err := json.Unmarshal([]byte(body), &raw); err != nil {
			t.Fatal(err)
		}
		for which, c := range raw.Comparisons {
			fields := []string{"success_difference", "success_ci", "success_verdict", "time_ratio", "time_ci", "time_verdict", "ease_difference", "ease_ci", "ease_verdict"}
			if which == "baseline" {
				fields = append(fields, "time_saved_s", "time_saved_ci", "hours_saved_per_staff_year", "hours_saved_ci")
			}
			for _, task := range c.Tasks {
				for _, f := range fields {
					if v, ok := task[f]; !ok || v != nil {
						t.Errorf("%s %s: %s = %v (present %t), want null", which, task["key"], f, v, ok)
					}
				}
			}
			for _, f := range []string{"difference", "ci", "verdict"} {
				if v, ok := c.SUS[f]; !ok || v != nil {
					t.Errorf("%s SUS: %s = %v, want null", which, f, v)
				}
			}
		}
	})
	t.Run("the release's own intervals stay inside their scales", func(t *testing.T) {
		for _, task := range r.Tasks {
			if ci := task.Ease.CI; ci != nil && (ci[0] < 1 || ci[1] > 7) {
				t.Errorf("%s ease interval %v", task.Key, *ci)
			}
		}
		if ci := r.SUS.CI; ci != nil && (ci[0] < 0 || ci[1] > 100) {
			t.Errorf("SUS interval %v", *ci)
		}
	})
	for name, text := range map[string]string{
		"the report page":   section(page, "comparisons", `<h2`),
		"the show-and-tell": section(slides, "slide-change", `</section>`),
	} {
		t.Run(name+" gives no verdict and no time saved", func(t *testing.T) {
			if !strings.Contains(text, "Too few to compare (n = 2 and ") || !strings.Contains(text, "; at least 5 each)") {
				t.Errorf("no \"Too few to compare\" in %q", text)
			}
			for _, banned := range []string{"Better", "Worse", "No clear change", "Not enough data", " s per task", "hours", "points (interval", "×"} {
				if strings.Contains(text, banned) {
					t.Errorf("%q in %q", banned, text)
				}
			}
		})
	}
	t.Run("release 0.1, with 30 participants against 20, is compared", func(t *testing.T) {
		for _, path := range []string{"/releases/%d/report", "/releases/%d/show-and-tell"} {
			status, body := owner.get(fmt.Sprintf(path, previous))
			if status != http.StatusOK {
				t.Fatalf("%s: %d", path, status)
			}
			text := strings.Join(strings.Fields(tags.ReplaceAllString(body, " ")), " ")
			saved := regexp.MustCompile(`about \d+\.\d s per task \(95% interval -?\d+\.\d to \d+\.\d s\)`)
			if !saved.MatchString(text) || !strings.Contains(text, "hours per staff member a year (95% interval ") || strings.Contains(text, "Too few to compare (n =") {
				t.Errorf("%s does not show the time saved with its interval: %.3000s", path, section(body, "comparisons", "<h2")+section(body, "slide-change", "</section>"))
			}
		}
	})
	t.Run("the trend marks the release with 2 participants", func(t *testing.T) {
		if n := strings.Count(section(page, "trend", `<h2`), "n = 2, too few to compare"); n < 3 {
			t.Errorf("marked %d times, want on the chart, in its description and in the table", n)
		}
		for _, p := range []string{page, slides} {
			if !strings.Contains(p, "n = 2, too few to compare") || strings.Contains(p, "per staff member a year") {
				t.Errorf("a page does not mark 0.2 as too few, or shows time saved")
			}
		}
	})
}

func TestComparisonWords(t *testing.T) {
	// The figures of findings' TestBuild, worked by hand there: time ratio
	// 2/3 (interval 0.552 to 0.805) against a baseline geomean of 90 s.
	few := func(n int) findings.Sides { return findings.Sides{A: 9, B: n} }
	f := func(v float64) *float64 { return &v }
	s := func(v string) *string { return &v }
	cmp := &findings.Comparison{Release: findings.ReleaseRef{Version: "legacy", Baseline: true}, Tasks: []findings.TaskComparison{{
		Key: "reconcile", SuccessN: few(2), TimeN: few(5), EaseN: few(5),
		TimeRatio: f(2.0 / 3), TimeCI: &stats.Interval{0.5523966, 0.8045749}, TimeVerdict: s("better"),
		EaseDifference: f(-0.5), EaseCI: &stats.Interval{-1.25, 0.25}, EaseVerdict: s("no_clear_change"),
		Savings: &findings.Savings{TimeSavedS: f(30), TimeSavedCI: &stats.Interval{17.588257, 40.284307},
			HoursSavedPerStaffYear: f(22.5), HoursSavedCI: &stats.Interval{13.191193, 30.213230}},
	}}, SUS: findings.DiffFigures{N: findings.Sides{A: 4, B: 12}}}
	v := comparison(cmp, &findings.Report{Tasks: []findings.TaskReport{{Key: "reconcile", Title: "Reconcile"}}})
	row := v.Tasks[0]
	for _, c := range []struct{ what, got, want string }{
		{"success", row.Success.TooFew, "Too few to compare (n = 2 and 9; at least 5 each)"},
		{"time verdict", row.Time.Verdict, "Better"},
		{"time", row.Time.Figure + " (" + row.Time.CI + ")", "0.67× the time (0.55× to 0.80×)"},
		{"ease", row.Ease.Verdict + " " + row.Ease.Figure + " (" + row.Ease.CI + ")", "No clear change −0.5 (−1.2 to +0.2)"},
		{"time saved", row.TimeSaved, "about 30.0 s per task (95% interval 17.6 to 40.3 s)"},
		{"hours saved", row.HoursSaved, "about 22.5 hours per staff member a year (95% interval 13.2 to 30.2 hours)"},
		{"SUS", v.SUS.TooFew, "Too few to compare (n = 12 and 4; at least 5 each)"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if row.Success.Verdict != "" || row.Success.Figure != "" || v.SUS.Verdict != "" {
		t.Errorf("a verdict beside too few: %+v %+v", row.Success, v.SUS)
	}
	t.Run("no time saved without the time ratio", func(t *testing.T) {
		cmp.Tasks[0].TimeRatio, cmp.Tasks[0].TimeCI, cmp.Tasks[0].TimeVerdict, cmp.Tasks[0].TimeN = nil, nil, nil, few(2)
		if row := comparison(cmp, &findings.Report{}).Tasks[0]; row.HasSavings || row.TimeSaved != "" || row.Time.TooFew == "" {
			t.Errorf("row = %+v", row)
		}
	})
}
