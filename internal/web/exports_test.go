package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// exportWorld is a released workflow with two clinicians' trials: one who
// agreed to research use and one who did not.
type exportWorld struct {
	*world
	release, workflow int64
}

func newExportWorld(t *testing.T) *exportWorld {
	w := newWorld(t, Config{})
	w.populate()
	ew := &exportWorld{world: w, release: w.openRelease("0.1")}
	m, err := w.st.ReleaseMeta(context.Background(), ew.release)
	if err != nil {
		t.Fatal(err)
	}
	ew.workflow = m.WorkflowID
	for i, research := range []bool{true, false} {
		token := w.clinician(fmt.Sprintf("export%d@example.nhs.uk", i))
		trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", ew.release), token,
			fmt.Sprintf(`{"consent":{"accepted":true,"research_use":%t}}`, research))
		base := fmt.Sprintf("/trials/%d", int64(trial["id"].(float64)))
		w.mustAPI(200, "POST", base+"/tasks/reconcile/start", token, "")
		for j, c := range [][2]int{{5, 5}, {50, 130}, {10, 260}} {
			w.mustAPI(200, "POST", base+"/tasks/reconcile/clicks", token, fmt.Sprintf(`{"seq":%d,"x":%d,"y":%d}`, j+1, c[0], c[1]))
		}
		w.mustAPI(200, "POST", base+"/tasks/reconcile/rating", token, `{"ease":6,"comment":"=SUM(A1), fine\nsecond line"}`)
		w.mustAPI(201, "POST", base+"/reports", token, `{"screen":"list","x":60,"y":140,"category":"navigation","severity":2,"text":"The record link is small"}`)
		w.mustAPI(200, "POST", base+"/sus", token, `{"answers":[4,2,4,2,5,1,4,2,4,3]}`)
	}
	return ew
}

// download GETs path with token (API) or through b (pages) and returns the
// response with its body read.
func download(t *testing.T, client *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func (ew *exportWorld) apiDownload(path, token string) (*http.Response, []byte) {
	ew.t.Helper()
	req, _ := http.NewRequest("GET", ew.http.URL+"/api/v1"+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return download(ew.t.(*testing.T), http.DefaultClient, req)
}

// exportEvents returns the audit log's export events, newest first.
func (ew *exportWorld) exportEvents() []sandpit.AuditEvent {
	ew.t.Helper()
	events, _, err := ew.st.AuditEvents(context.Background(), store.AuditFilter{Action: sandpit.AuditExport, Limit: 100})
	if err != nil {
		ew.t.Fatal(err)
	}
	return events
}

func TestExportThroughTheAPI(t *testing.T) {
	ew := newExportWorld(t)
	release := fmt.Sprintf("/releases/%d/export", ew.release)
	want := map[string]struct{ contentType, file string }{
		"format=json":                   {"application/json", "sandpit-trials-0-1-0-1-2026-11-25.json"},
		"format=xlsx":                   {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "sandpit-trials-0-1-0-1-2026-11-25.xlsx"},
		"format=datapackage":            {"application/zip", "sandpit-trials-0-1-0-1-2026-11-25.zip"},
		"format=csv&table=clicks":       {"text/csv; charset=utf-8", "sandpit-trials-0-1-0-1-2026-11-25-clicks.csv"},
		"format=csv&table=codebook":     {"text/csv; charset=utf-8", "sandpit-trials-0-1-0-1-2026-11-25-codebook.csv"},
		"format=csv&table=attempts":     {"text/csv; charset=utf-8", "sandpit-trials-0-1-0-1-2026-11-25-attempts.csv"},
		"format=csv&table=findings":     {"text/csv; charset=utf-8", "sandpit-trials-0-1-0-1-2026-11-25-findings.csv"},
		"format=csv&table=sus":          {"text/csv; charset=utf-8", "sandpit-trials-0-1-0-1-2026-11-25-sus.csv"},
		"format=csv&table=reports":      {"text/csv; charset=utf-8", "sandpit-trials-0-1-0-1-2026-11-25-reports.csv"},
		"format=csv&table=participants": {"text/csv; charset=utf-8", "sandpit-trials-0-1-0-1-2026-11-25-participants.csv"},
		"format=csv&table=tasks":        {"text/csv; charset=utf-8", "sandpit-trials-0-1-0-1-2026-11-25-tasks.csv"},
		"format=csv&table=screens":      {"text/csv; charset=utf-8", "sandpit-trials-0-1-0-1-2026-11-25-screens.csv"},
	}
	bodies := map[string][]byte{}
	for query, w := range want {
		res, body := ew.apiDownload(release+"?"+query, ew.tokens["researcher"])
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", query, res.StatusCode, body)
		}
		if got := res.Header.Get("Content-Type"); got != w.contentType {
			t.Errorf("%s: content type %q, want %q", query, got, w.contentType)
		}
		if got, want := res.Header.Get("Content-Disposition"), `attachment; filename="`+w.file+`"`; got != want {
			t.Errorf("%s: %s, want %s", query, got, want)
		}
		if got := res.Header.Get("Cache-Control"); got != "private, no-store" {
			t.Errorf("%s: Cache-Control %q", query, got)
		}
		bodies[query] = body
	}

	// Only the clinician who agreed to research use is in any format.
	var doc struct {
		Metadata struct {
			Workflow string `json:"workflow"`
			Scope    string `json:"scope"`
			Releases []struct {
				Version string `json:"version"`
			} `json:"releases"`
		} `json:"metadata"`
		Tables map[string][]map[string]any `json:"tables"`
	}
	if err := json.Unmarshal(bodies["format=json"], &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Metadata.Scope != "release" || len(doc.Metadata.Releases) != 1 || doc.Metadata.Releases[0].Version != "0.1" {
		t.Errorf("metadata %+v", doc.Metadata)
	}
	for table, n := range map[string]int{"participants": 1, "attempts": 1, "clicks": 3, "reports": 1, "sus": 1, "findings": 1} {
		if got := len(doc.Tables[table]); got != n {
			t.Errorf("json %s: %d rows, want %d", table, got, n)
		}
	}
	// The release's tasks and screens as testDefinition writes them: the
	// product team's words, nothing about a participant.
	for query, want := range map[string]string{
		"format=csv&table=tasks": "release,task,title,scenario,start_screen,success_screens,optimal_path,daily_frequency\r\n" +
			"0.1,reconcile,Reconcile medicines,\"Mrs Patel (synthetic, NHS number 999 123 4567) is admitted.\",list,done,list>record>done,12\r\n",
		"format=csv&table=screens": "release,screen,title,width,height\r\n0.1,list,Ward list,400,300\r\n0.1,record,Record,400,300\r\n0.1,done,Done,400,300\r\n",
	} {
		if got := string(bodies[query]); got != want {
			t.Errorf("%s:\n%q\nwant\n%q", query, got, want)
		}
	}
	if task := doc.Tables["tasks"]; len(task) != 1 || task[0]["title"] != "Reconcile medicines" || task[0]["daily_frequency"] != 12.0 || task[0]["optimal_path"] != "list>record>done" {
		t.Errorf("json tasks %v", task)
	}
	if screens := doc.Tables["screens"]; len(screens) != 3 || screens[0]["title"] != "Ward list" || screens[0]["width"] != 400.0 || screens[0]["height"] != 300.0 {
		t.Errorf("json screens %v", screens)
	}
	clicks, err := csv.NewReader(bytes.NewReader(bodies["format=csv&table=clicks"])).ReadAll()
	if err != nil || len(clicks) != 4 || clicks[0][0] != "participant_id" {
		t.Errorf("clicks csv %q, %v", clicks, err)
	}
	attempts, err := csv.NewReader(bytes.NewReader(bodies["format=csv&table=attempts"])).ReadAll()
	if err != nil || len(attempts) != 2 || attempts[1][10] != "'=SUM(A1), fine\nsecond line" {
		t.Errorf("attempts csv %q, %v: want the comment neutralised, its line break kept", attempts, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(bodies["format=datapackage"]), int64(len(bodies["format=datapackage"])))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, " "); got != "datapackage.json participants.csv attempts.csv clicks.csv reports.csv sus.csv findings.csv tasks.csv screens.csv codebook.csv README.txt" {
		t.Errorf("data package holds %s", got)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(bodies["format=xlsx"]))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows("clicks")
	if err != nil || len(rows) != 4 {
		t.Errorf("xlsx clicks sheet: %d rows, %v", len(rows), err)
	}

	// Every download is in the audit log: who, what, format and rows.
	events := ew.exportEvents()
	if len(events) != len(want) {
		t.Fatalf("%d export events, want %d", len(events), len(want))
	}
	for _, e := range events {
		if e.ActorID == nil || *e.ActorID != ew.users["researcher"].ID || e.TeamID == nil || *e.TeamID != ew.team.ID {
			t.Errorf("export event %+v: want the researcher and the team", e)
		}
		if !strings.Contains(e.Detail, fmt.Sprintf("release %d \"0.1\"", ew.release)) || !strings.Contains(e.Detail, "; format ") {
			t.Errorf("export event detail %q", e.Detail)
		}
	}
	var sawPackage bool
	for _, e := range events {
		if strings.Contains(e.Detail, "format datapackage") {
			sawPackage = true
			if !strings.Contains(e.Detail, "participants=1 attempts=1 clicks=3 reports=1 sus=1 findings=1") {
				t.Errorf("data package event %q: want the rows of each table", e.Detail)
			}
		}
	}
	if !sawPackage {
		t.Error("no audit event for the data package")
	}

	// The workflow export holds every release, told apart by release.
	res, body := ew.apiDownload(fmt.Sprintf("/workflows/%d/export?format=csv&table=participants", ew.workflow), ew.tokens["researcher"])
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), `filename="sandpit-trials-0-1-all-releases-2026-11-25-participants.csv"`) {
		t.Errorf("workflow export: %d %v %s", res.StatusCode, res.Header, body)
	}
}

func TestExportRefusesBadRequestsAndStrangers(t *testing.T) {
	ew := newExportWorld(t)
	stranger := ew.createUser("stranger-researcher@example.nhs.uk", sandpit.RoleResearcher)
	token, hash := newToken()
	if _, err := ew.st.CreateToken(context.Background(), stranger.ID, "t", hash, sandpit.AuditEntry{Action: sandpit.AuditTokenCreated}); err != nil {
		t.Fatal(err)
	}
	ew.tokens["stranger"] = token
	release := fmt.Sprintf("/releases/%d/export", ew.release)
	workflow := fmt.Sprintf("/workflows/%d/export", ew.workflow)
	for _, path := range []string{release, workflow} {
		for query, field := range map[string]string{"": "format", "format=pdf": "format", "format=csv": "table", "format=csv&table=users": "table",
			"format=json&table=clicks": "table", "format=CSV&table=clicks": "format"} {
			status, body := ew.api("GET", path+"?"+query, ew.tokens["researcher"], "")
			var e apiError
			json.Unmarshal([]byte(body), &e)
			if status != http.StatusUnprocessableEntity || e.Error.Fields[field] == "" {
				t.Errorf("%s?%s: %d %s, want 422 naming %s", path, query, status, body, field)
			}
		}
		for kind, want := range map[string]int{"owner": 200, "admin": 200, "researcher": 200, "other_owner": 404, "clinician": 404,
			"safety": 404, "stranger": 404, "anonymous": 401} {
			if status, body := ew.api("GET", path+"?format=csv&table=sus", ew.tokens[kind], ""); status != want {
				t.Errorf("%s as %s: %d, want %d: %s", path, kind, status, want, body)
			}
		}
	}
	if status, _ := ew.api("GET", "/releases/999999/export?format=json", ew.tokens["researcher"], ""); status != http.StatusNotFound {
		t.Errorf("unknown release: %d", status)
	}
	// Only the six successful downloads (owner, admin, researcher, twice) are audited.
	if n := len(ew.exportEvents()); n != 6 {
		t.Errorf("%d export events, want 6: refused requests write nothing", n)
	}
}

func TestExportPages(t *testing.T) {
	ew := newExportWorld(t)
	b := ew.browser()
	b.signIn("researcher@example.nhs.uk")
	for _, path := range []string{fmt.Sprintf("/releases/%d/export", ew.release), fmt.Sprintf("/workflows/%d/export", ew.workflow)} {
		status, page := b.get(path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		for _, want := range []string{"Frictionless data package (ZIP)", "Excel workbook (XLSX)", "JSON", path + "/download?format=datapackage",
			path + "/download?format=csv&amp;table=clicks", "agreed to research use", "/api/v1" + path + "?format=datapackage"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s does not say %q", path, want)
			}
		}
		for _, query := range []string{"format=datapackage", "format=xlsx", "format=json", "format=csv&table=reports"} {
			req, _ := http.NewRequest("GET", ew.http.URL+path+"/download?"+query, nil)
			res, body := download(t, b.client, req)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment; filename=\"sandpit-trials-0-1-") || len(body) == 0 {
				t.Errorf("%s/download?%s: %d %v", path, query, res.StatusCode, res.Header)
			}
		}
		if status, page := b.get(path + "/download?format=pdf"); status != http.StatusUnprocessableEntity || !strings.Contains(page, "Choose an export format") {
			t.Errorf("bad format on the page: %d", status)
		}
	}
	// Every page download is audited as the signed-in researcher.
	if n := len(ew.exportEvents()); n != 8 {
		t.Errorf("%d export events, want 8", n)
	}
	other := ew.browser()
	other.signIn("other_owner@example.nhs.uk")
	if status, _ := other.get(fmt.Sprintf("/releases/%d/export", ew.release)); status != http.StatusNotFound {
		t.Errorf("another team's owner: %d, want 404", status)
	}
	if status, _ := other.get(fmt.Sprintf("/releases/%d/export/download?format=json", ew.release)); status != http.StatusNotFound {
		t.Errorf("another team's owner downloading: %d, want 404", status)
	}
}

// figuresFromExport rebuilds the report figures of release from a workflow
// export's tables, as a researcher would in R or Python.
func figuresFromExport(t *testing.T, tables map[string][]map[string]any, id int64, version string) *findings.Figures {
	t.Helper()
	f := &findings.Figures{ReleaseID: id, Durations: map[string][]float64{}, Ease: map[string][]float64{}}
	text := func(v any) string { s, _ := v.(string); return s }
	num := func(v any) float64 { n, _ := v.(float64); return n }
	mine := func(table string) []map[string]any {
		var out []map[string]any
		for _, row := range tables[table] {
			if row["release"] == version {
				out = append(out, row)
			}
		}
		return out
	}
	people := map[[2]string]int{}
	for _, p := range mine("participants") {
		people[[2]string{text(p["profession"]), text(p["setting"])}]++
	}
	for k, n := range people {
		f.Participants = append(f.Participants, findings.ParticipantCount{Profession: k[0], Setting: k[1], N: n})
	}
	outcomes := map[[2]string]*findings.OutcomeCount{}
	for _, a := range mine("attempts") {
		task, outcome := text(a["task"]), text(a["outcome"])
		if a["ease"] != nil {
			f.Ease[task] = append(f.Ease[task], num(a["ease"]))
		}
		if outcome == "" {
			continue
		}
		o := outcomes[[2]string{task, outcome}]
		if o == nil {
			o = &findings.OutcomeCount{TaskKey: task, Outcome: outcome}
			outcomes[[2]string{task, outcome}] = o
		}
		o.N++
		o.Clicks += int(num(a["clicks"]))
		o.Misclicks += int(num(a["misclicks"]))
		if outcome != string(sandpit.OutcomeGaveUp) {
			f.Durations[task] = append(f.Durations[task], num(a["duration_ms"])/1000)
		}
	}
	for _, o := range outcomes {
		f.Outcomes = append(f.Outcomes, *o)
	}
	for _, s := range mine("sus") {
		f.SUS = append(f.SUS, num(s["score"]))
	}
	for _, x := range mine("findings") {
		f.Findings = append(f.Findings, findings.FindingFigures{ID: int64(num(x["finding_id"])), Title: text(x["title"]),
			Category: text(x["category"]), Severity: int(num(x["severity"])), SafetyConcern: x["safety_concern"] == true,
			Status: text(x["status"]), Response: text(x["response"]), Participants: int(num(x["participants"]))})
	}
	return f
}

func TestReportFiguresFromTheExportAgree(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	workflow := w.createWorkflow("Recompute")
	var releases []int64
	for _, version := range []string{"1.0", "2.0"} {
		id := w.createRelease(workflow, testDefinition(t, version))
		w.mustAPI(200, "POST", fmt.Sprintf("/releases/%d/publish", id), w.tokens["owner"], "")
		w.clock.Advance(time.Hour)
		releases = append(releases, id)
	}
	paths := [][][2]int{
		{{50, 130}, {10, 260}},                      // direct
		{{5, 5}, {50, 130}, {10, 260}},              // direct, with a misclick
		{{50, 130}, {10, 10}, {50, 130}, {10, 260}}, // indirect: back to the list
		{{5, 5}}, // then gives up
	}
	for i := range 7 {
		token := w.clinician(fmt.Sprintf("recompute%d@example.nhs.uk", i))
		for r, release := range releases {
			trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", release), token, `{"consent":{"accepted":true,"research_use":true}}`)
			base := fmt.Sprintf("/trials/%d", int64(trial["id"].(float64)))
			w.mustAPI(200, "POST", base+"/tasks/reconcile/start", token, "")
			path := paths[(i+r)%len(paths)]
			for j, c := range path {
				w.clock.Advance(time.Duration(3+i*2+r*5) * time.Second)
				w.mustAPI(200, "POST", base+"/tasks/reconcile/clicks", token, fmt.Sprintf(`{"seq":%d,"x":%d,"y":%d}`, j+1, c[0], c[1]))
			}
			if len(path) == 1 {
				w.mustAPI(200, "POST", base+"/tasks/reconcile/give-up", token, "")
			}
			w.mustAPI(200, "POST", base+"/tasks/reconcile/rating", token, fmt.Sprintf(`{"ease":%d}`, 1+(i*3+r)%7))
			if i%2 == 0 {
				w.mustAPI(201, "POST", base+"/reports", token, fmt.Sprintf(`{"screen":"list","x":60,"y":140,"category":"navigation","severity":%d,"text":"The record link is small"}`, 1+i%4))
			}
			w.mustAPI(200, "POST", base+"/sus", token, fmt.Sprintf(`{"answers":[%d,2,4,%d,5,1,4,2,%d,3]}`, 1+i%5, 1+(i+r)%5, 2+r))
		}
	}

	_, body := w.api("GET", fmt.Sprintf("/workflows/%d/export?format=json", workflow), w.tokens["researcher"], "")
	var doc struct {
		Tables map[string][]map[string]any `json:"tables"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("export: %v: %.300s", err, body)
	}
	var sides []*findings.Side
	for i, id := range releases {
		def, err := w.st.Definition(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		version := []string{"1.0", "2.0"}[i]
		sides = append(sides, &findings.Side{Ref: findings.ReleaseRef{ID: id, Version: version}, Def: def,
			Figures: figuresFromExport(t, doc.Tables, id, version)})
	}
	recomputed := findings.Build(*sides[1], sides[0], nil)

	_, body = w.api("GET", fmt.Sprintf("/releases/%d/report", releases[1]), w.tokens["owner"], "")
	var report findings.Report
	if err := json.Unmarshal([]byte(body), &report); err != nil {
		t.Fatal(err)
	}
	if report.Participants.N != 7 || len(report.Tasks) != 1 || report.SUS.N != 7 || report.Comparisons.Previous == nil {
		t.Fatalf("the report is not what the trials made: %s", body)
	}
	// Sums taken in another order differ in the last bits, so numbers agree
	// to 1e-9 of their size.
	same := func(what string, got, want any) {
		g, w := mustJSON(t, got), mustJSON(t, want)
		var gv, wv any
		json.Unmarshal([]byte(g), &gv)
		json.Unmarshal([]byte(w), &wv)
		if !agree(gv, wv) {
			t.Errorf("%s recomputed from the export\n got %s\nwant %s", what, g, w)
		}
	}
	same("participants", recomputed.Participants, report.Participants)
	same("tasks", recomputed.Tasks, report.Tasks)
	same("SUS", recomputed.SUS, report.SUS)
	same("comparison with the previous release", recomputed.Comparisons.Previous, report.Comparisons.Previous)
	byID := func(items []findings.FindingItem) map[int64]findings.FindingItem {
		m := map[int64]findings.FindingItem{}
		for _, f := range items {
			m[f.ID] = f
		}
		return m
	}
	same("findings", byID(recomputed.Findings), byID(report.Findings))
}

// agree reports whether two decoded JSON values are equal, numbers to within
// 1e-9 of their size.
func agree(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !agree(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k := range a {
			if !agree(a[k], b[k]) {
				return false
			}
		}
		return true
	}
	return a == b
}
