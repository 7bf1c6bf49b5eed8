package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
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
	t.Run("each task has a click map of each screen its attempts clicked", func(t *testing.T) {
		// seedReportTrials, by hand: on the ward list one clinician hits the
		// record link once; the other misses, hits it, goes back from the
		// record and hits it again: 4 clicks, 3 on links, 1 misclick. On the
		// record: one Save, then Back and Save: 3 clicks, all on links. No
		// click on Done.
		for _, c := range []struct {
			id, summary  string
			hits, misses int
		}{
			{"click-map-reconcile-list", "4 clicks: 3 on links, 1 misclick.", 3, 1},
			{"click-map-reconcile-record", "3 clicks: 3 on links, 0 misclicks.", 3, 0},
		} {
			m := rawSection(page, `id="`+c.id+`"`, "</svg>")
			if !strings.Contains(m, c.summary) || strings.Count(m, "sandpit-click--hit") != c.hits || strings.Count(m, "sandpit-click--miss") != c.misses {
				t.Errorf("%s: %q", c.id, m)
			}
		}
		if strings.Contains(page, `id="click-map-reconcile-done"`) {
			t.Error("a click map of Done, where nobody clicked")
		}
		if !strings.Contains(rawSection(page, `id="paths-reconcile"`, `id="click-map-reconcile-list"`), "Most common paths: 2 finished attempts") {
			t.Error("the task's paths are not beside its click maps")
		}
	})
	t.Run("a finding leads to the click map of where it was reported", func(t *testing.T) {
		// Both reports were pinned on the ward list, after the task.
		if !regexp.MustCompile(`(?s)<tr class="nhsuk-table__row" role="row" id="finding-\d+">.*?<a href="#click-map-reconcile-list">Click map`).MatchString(page) {
			t.Errorf("findings: %s", rawSection(page, `id="findings"`, "</table>"))
		}
	})
	t.Run("the summary names the safety concern first, and no task all of whose attempts succeeded", func(t *testing.T) {
		// Both clinicians reached Done: 2 of 2 succeeded, nothing to fix.
		sum := rawSection(page, `id="summary"`, "</ol>")
		items := strings.Count(sum, "<li>")
		first := strings.Index(sum, "<li>")
		if items != 1 || first < 0 || !strings.HasPrefix(sum[first:], `<li><strong class="nhsuk-tag nhsuk-tag--red">Safety concern</strong> <a href="#finding-`) ||
			!strings.Contains(sum, "The allergy is hidden on the record</a>: Major, reported by 2 participants (100% of participants), new") {
			t.Errorf("summary: %s", sum)
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
	t.Run("show-and-tell: you said, we did, and the release made next", func(t *testing.T) {
		slides := func() string {
			status, body := browsers["owner"].get(fmt.Sprintf("/releases/%d/show-and-tell", release))
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			return body
		}
		before := slides()
		if !strings.Contains(before, "No new release is in progress yet.") || !strings.Contains(before, "Nothing clinicians have told us about this workflow has been planned or fixed since the last release.") {
			t.Errorf("before: %s", rawSection(before, `id="slide-you-said"`, "</div>"))
		}
		_, body := w.api("GET", "/releases/"+strconv.FormatInt(release, 10)+"/report", w.tokens["owner"], "")
		var r findings.Report
		json.Unmarshal([]byte(body), &r)
		w.mustAPI(200, "PATCH", fmt.Sprintf("/findings/%d", r.Findings[0].ID), w.tokens["owner"], `{"status":"planned","response":"Allergies go on the record's banner in 0.3."}`)
		rel := w.mustAPI(200, "GET", "/releases/"+strconv.FormatInt(release, 10), w.tokens["owner"], "")
		next := testDefinition(t, "0.3")
		next.Notes = "Allergies on the banner."
		w.createRelease(int64(rel["workflow_id"].(float64)), next)
		after := slides()
		for _, want := range []string{
			"<li><strong>The allergy is hidden on the record</strong> (Planned): Allergies go on the record&#39;s banner in 0.3.</li>",
			"<h3>Release 0.3: in the making</h3>",
			"Allergies on the banner.",
		} {
			if !strings.Contains(after, want) {
				t.Errorf("show-and-tell lacks %q: %s", want, rawSection(after, `id="slide-you-said"`, "</div>"))
			}
		}
	})
}

// rawSection is page's HTML from the first start to the next end after it.
func rawSection(page, start, end string) string {
	i := strings.Index(page, start)
	if i < 0 {
		return ""
	}
	s := page[i:]
	if j := strings.Index(s[1:], end); j >= 0 {
		s = s[:j+1+len(end)]
	}
	return s
}

// TestDemoReportSummary reads "What to fix first" of the demo's release 0.1:
// the safety concern first, then the tasks below 100% success, lowest
// first, then the other findings in the report's order, each a link to its
// place on the page.
func TestDemoReportSummary(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	_, id := seedDemoWithTwoTrials(w)
	_, body := w.api("GET", fmt.Sprintf("/releases/%d/report", id), w.tokens["owner"], "")
	var r findings.Report
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range r.Findings {
		if f.SafetyConcern {
			want = append(want, fmt.Sprintf("Safety concern:#finding-%d", f.ID))
		}
	}
	if len(want) == 0 {
		t.Fatal("the demo's 0.1 has no safety concern")
	}
	tasks := append([]findings.TaskReport(nil), r.Tasks...)
	sort.SliceStable(tasks, func(i, j int) bool { return *tasks[i].SuccessRate < *tasks[j].SuccessRate })
	for _, task := range tasks {
		if *task.SuccessRate < 1 {
			want = append(want, "Task:#task-"+task.Key)
		}
	}
	n := 0
	for _, f := range r.Findings {
		if !f.SafetyConcern && n < 3 {
			want = append(want, fmt.Sprintf("Finding:#finding-%d", f.ID))
			n++
		}
	}
	owner := w.browser()
	owner.signIn(w.users["owner"].Email)
	status, page := owner.get(fmt.Sprintf("/releases/%d/report", id))
	if status != http.StatusOK {
		t.Fatalf("report page: %d", status)
	}
	var got []string
	item := regexp.MustCompile(`<li><strong class="nhsuk-tag[^"]*">([^<]+)</strong> <a href="([^"]+)">`)
	for _, m := range item.FindAllStringSubmatch(rawSection(page, `id="summary"`, "</ol>"), -1) {
		got = append(got, m[1]+":"+m[2])
		if !strings.Contains(page, `id="`+strings.TrimPrefix(m[2], "#")+`"`) {
			t.Errorf("%s leads nowhere on the page", m[2])
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("summary = %v, want %v", got, want)
	}
}
