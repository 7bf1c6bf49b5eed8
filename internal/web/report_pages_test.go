package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/findings"
)

// seedReportTrials runs two clinicians through release's reconcile task
// over the API, as TestReleaseReportAPI does, and returns the clicks made.
func seedReportTrials(w *world, release int64) int {
	w.t.Helper()
	clicks := 0
	for i, path := range [][][2]int{{{50, 130}, {10, 260}}, {{5, 5}, {50, 130}, {10, 10}, {50, 130}, {10, 260}}} {
		token := w.clinician(fmt.Sprintf("page-report%d@example.nhs.uk", i))
		trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true,"research_use":true}}`)
		base := fmt.Sprintf("/trials/%d", int64(trial["id"].(float64)))
		w.mustAPI(200, "POST", base+"/tasks/reconcile/start", token, "")
		for j, c := range path {
			w.mustAPI(200, "POST", base+"/tasks/reconcile/clicks", token, fmt.Sprintf(`{"seq":%d,"x":%d,"y":%d}`, j+1, c[0], c[1]))
			clicks++
		}
		w.mustAPI(200, "POST", base+"/tasks/reconcile/rating", token, fmt.Sprintf(`{"ease":%d}`, 5+i))
		w.mustAPI(201, "POST", base+"/reports", token, `{"screen":"list","x":60,"y":140,"category":"safety","severity":3,"safety_concern":true,"text":"The allergy is hidden on the record"}`)
		w.mustAPI(200, "POST", base+"/sus", token, `{"answers":[4,2,4,2,5,1,4,2,4,3]}`)
	}
	return clicks
}

func TestReleaseReportPage(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("report-page")
	empty := w.openRelease("report-empty")
	clicks := seedReportTrials(w, release)
	pagePath := fmt.Sprintf("/releases/%d/report", release)

	browsers := map[string]*browser{}
	for _, kind := range []string{"owner", "researcher", "admin", "other_owner", "clinician"} {
		b := w.browser()
		b.signIn(kind + "@example.nhs.uk")
		browsers[kind] = b
	}

	t.Run("the team, its researcher and admins see it; others get 404", func(t *testing.T) {
		for kind, want := range map[string]int{"owner": 200, "researcher": 200, "admin": 200, "other_owner": 404, "clinician": 404} {
			for _, p := range []string{pagePath, pagePath[:strings.LastIndex(pagePath, "/")] + "/show-and-tell"} {
				if status, _ := browsers[kind].get(p); status != want {
					t.Errorf("%s %s: %d, want %d", kind, p, status, want)
				}
			}
		}
	})

	status, page := browsers["owner"].get(pagePath)
	if status != http.StatusOK {
		t.Fatalf("report page: %d", status)
	}
	t.Run("it shows the figures of the API", func(t *testing.T) {
		_, body := w.api("GET", "/releases/"+strconv.FormatInt(release, 10)+"/report", w.tokens["owner"], "")
		var r findings.Report
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatal(err)
		}
		task := r.Tasks[0]
		wants := []string{
			fmt.Sprintf(`data-figure="attempts">%d<`, task.Attempts),
			fmt.Sprintf(`data-figure="success">%d%% (interval %d%% to %d%%)`, int(math.Round(*task.SuccessRate*100)), int(math.Round(task.SuccessCI[0]*100)), int(math.Round(task.SuccessCI[1]*100))),
			fmt.Sprintf(`data-figure="sus-mean">%.1f<`, *r.SUS.Mean),
			fmt.Sprintf(`/findings/%d`, r.Findings[0].ID),
			"nhsuk-warning-callout",
		}
		for _, want := range wants {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}
	})
	t.Run("charts write their words as text beside shapes, with a table", func(t *testing.T) {
		// Success, time, SUS and one task's success by release.
		if n := strings.Count(page, `class="sandpit-bars"`); n != 4 {
			t.Errorf("%d bar charts, want 4", n)
		}
		if strings.Contains(page, "<text") {
			t.Error("an SVG text element: axe cannot check its contrast")
		}
		for _, want := range []string{`<p class="sandpit-bars__label">Reconcile`, "Success rate and SUS score by release", "<table"} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}
	})
	t.Run("the click maps show one mark per click", func(t *testing.T) {
		marks := strings.Count(page, `class="sandpit-click `)
		if marks != clicks {
			t.Errorf("marks = %d, want %d clicks", marks, clicks)
		}
		if !strings.Contains(page, `<image href="/screens/`) {
			t.Error("no screen image under the click map")
		}
	})
	t.Run("a release without trials renders with dashes", func(t *testing.T) {
		status, body := browsers["owner"].get(fmt.Sprintf("/releases/%d/report", empty))
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if strings.Contains(body, "NaN") || strings.Contains(body, "Inf") || !strings.Contains(body, "—") {
			t.Error("empty report shows NaN or no dash")
		}
	})
	t.Run("the show-and-tell view renders", func(t *testing.T) {
		status, body := browsers["owner"].get(fmt.Sprintf("/releases/%d/show-and-tell", release))
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if !strings.Contains(body, "The allergy is hidden on the record") || strings.Contains(body, "NaN") {
			t.Error("show-and-tell lacks the clinician's quote")
		}
		if status, _ := browsers["owner"].get(fmt.Sprintf("/releases/%d/show-and-tell", empty)); status != http.StatusOK {
			t.Errorf("empty show-and-tell: %d", status)
		}
	})
}
