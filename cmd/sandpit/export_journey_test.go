package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var downloadLink = regexp.MustCompile(`href="(/workflows/1/export/download\?[^"]+)"`)

// TestExportJourney is the research exports issue's "done when": the demo
// researcher signs in, opens the demo workflow, follows its export link and
// downloads each format, and the data package passes a Frictionless
// validator (frictionless-js, run by node); then the same with an API token.
func TestExportJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := start(t, ctx, map[string]string{}, "--demo")
	c := newClient(t, s.URL)
	if status, loc, _ := c.submit("/sign-in", "/sign-in", url.Values{"email": {"researcher@demo.sandpit.test"}, "password": {"demo-researcher-password"}}); status != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", status, loc)
	}
	// get fetches path with the signed-in browser or, given a header, with
	// a client that has no cookies.
	get := func(path string, header http.Header) (*http.Response, []byte) {
		t.Helper()
		client := c.http
		if header != nil {
			client = &http.Client{}
		}
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %.300s", path, resp.StatusCode, body)
		}
		return resp, body
	}
	_, workflow := get("/workflows/1", nil)
	if !strings.Contains(string(workflow), `href="/workflows/1/export"`) {
		t.Fatal("the workflow page has no export link")
	}
	_, page := get("/workflows/1/export", nil)
	var links []string
	for _, m := range downloadLink.FindAllStringSubmatch(string(page), -1) {
		links = append(links, strings.ReplaceAll(m[1], "&amp;", "&"))
	}
	if len(links) != 3+9 {
		t.Fatalf("export page links %q: want 3 formats and 9 CSV tables", links)
	}
	files := map[string][]byte{}
	for _, link := range links {
		resp, body := get(link, nil)
		files[link] = body
		if !strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="sandpit-`) {
			t.Errorf("%s: %s", link, resp.Header.Get("Content-Disposition"))
		}
	}
	pkg := files["/workflows/1/export/download?format=datapackage"]
	validateWithFrictionless(t, pkg)
	checkDemoExport(t, pkg, files["/workflows/1/export/download?format=xlsx"], files["/workflows/1/export/download?format=json"])

	// The same with an API token made on the account page.
	status, _, body := c.submit("/account", "/account/tokens", url.Values{"label": {"R scripts"}})
	token := regexp.MustCompile(`sandpit_[A-Za-z0-9_-]+`).FindString(body)
	if status != http.StatusOK || token == "" {
		t.Fatalf("token: %d, %q", status, token)
	}
	bearer := http.Header{"Authorization": {"Bearer " + token}}
	_, apiPkg := get("/api/v1/workflows/1/export?format=datapackage", bearer)
	validateWithFrictionless(t, apiPkg)
	_, apiXLSX := get("/api/v1/workflows/1/export?format=xlsx", bearer)
	_, apiJSON := get("/api/v1/workflows/1/export?format=json", bearer)
	checkDemoExport(t, apiPkg, apiXLSX, apiJSON)
	_, clicks := get("/api/v1/releases/2/export?format=csv&table=clicks", bearer)
	rows, err := csv.NewReader(bytes.NewReader(clicks)).ReadAll()
	if err != nil || len(rows) < 2 || rows[0][0] != "participant_id" {
		t.Errorf("release clicks CSV: %d rows, %v", len(rows), err)
	}
}

// validateWithFrictionless runs frictionless-js over a data package.
func validateWithFrictionless(t *testing.T, pkg []byte) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed to run the Frictionless validator: %v", err)
	}
	path := filepath.Join(t.TempDir(), "package.zip")
	if err := os.WriteFile(path, pkg, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, "../../internal/export/testdata/validate-datapackage.mjs", path).CombinedOutput()
	if err != nil {
		t.Fatalf("frictionless-js refuses the demo data package: %v\n%s", err, out)
	}
	t.Logf("frictionless-js: %s", bytes.TrimSpace(out))
}

// checkDemoExport checks that the demo's data package, workbook and JSON
// hold the same participants, and no email or name.
func checkDemoExport(t *testing.T, pkg, xlsx, doc []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var participants [][]string
	for _, f := range zr.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		if bytes.Contains(b, []byte("@demo.sandpit.test")) || bytes.Contains(b, []byte("(demo ")) {
			t.Errorf("%s holds a demo account's email or name", f.Name)
		}
		if f.Name == "participants.csv" {
			participants, _ = csv.NewReader(bytes.NewReader(b)).ReadAll()
		}
	}
	if len(participants) < 2 {
		t.Fatalf("the demo export has %d participants", len(participants)-1)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	sheet, _ := wb.GetRows("participants")
	var js struct {
		Tables map[string][]map[string]any `json:"tables"`
	}
	if err := json.Unmarshal(doc, &js); err != nil {
		t.Fatal(err)
	}
	if len(sheet) != len(participants) || len(js.Tables["participants"]) != len(participants)-1 {
		t.Errorf("participants: %d in the package, %d in the workbook, %d in the JSON", len(participants)-1, len(sheet)-1, len(js.Tables["participants"]))
	}
}
