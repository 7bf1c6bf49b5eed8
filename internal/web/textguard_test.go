package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/templates"
)

// guardedValues are what every text field must refuse: hostile characters
// PostgreSQL would answer with a 500 or a CSV would carry raw, and real NHS
// numbers written so the old guard missed them. A value given as raw bytes
// goes into JSON unescaped.
var guardedValues = []struct {
	name  string
	value string
	nhs   bool // a patient identifier, which images and passwords may hold
}{
	{"NUL", "a\x00b", false},
	{"invalid UTF-8", "a\xff\xfeb", false},
	{"escape character", "a\x1b[2Jb", false},
	{"direction override", "abc\u202efdp.exe", false},
	{"NHS number with no-break spaces", "Mrs Smith 943\u00a0476\u00a05919", true},
	{"NHS number in Devanagari digits", "\u096f\u096a\u0969 \u096a\u096d\u096c \u096b\u096f\u0967\u096f", true},
	{"NHS number in pairs", "94 34 76 59 19", true},
}

// apiTextField is one string field of one API operation.
type apiTextField struct {
	method, path string
	field        string   // as the error names it: "tasks[0].scenario"
	steps        []string // the path to it in the body: "tasks", "[]", "scenario"
}

// openAPITextFields lists every string field of every request body the
// OpenAPI document describes.
func openAPITextFields(t *testing.T) []apiTextField {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var resolve func(s map[string]any) map[string]any
	resolve = func(s map[string]any) map[string]any {
		if ref, ok := s["$ref"].(string); ok {
			return resolve(schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any))
		}
		return s
	}
	var fields []apiTextField
	var walk func(method, path string, s map[string]any, steps []string, depth int)
	walk = func(method, path string, s map[string]any, steps []string, depth int) {
		s = resolve(s)
		if depth > 6 {
			return
		}
		switch s["type"] {
		case "string":
			field := ""
			for _, st := range steps {
				switch {
				case st == "[]":
					field += "[0]"
				case field == "":
					field = st
				default:
					field += "." + st
				}
			}
			fields = append(fields, apiTextField{method, path, field, slices.Clone(steps)})
		case "array":
			if items, ok := s["items"].(map[string]any); ok {
				walk(method, path, items, append(steps, "[]"), depth+1)
			}
		default:
			props, _ := s["properties"].(map[string]any)
			for _, name := range sortedMapKeys(props) {
				walk(method, path, props[name].(map[string]any), append(steps, name), depth+1)
			}
		}
	}
	paths := doc["paths"].(map[string]any)
	for _, path := range sortedMapKeys(paths) {
		ops := paths[path].(map[string]any)
		for _, method := range sortedMapKeys(ops) {
			op, ok := ops[method].(map[string]any)
			if !ok {
				continue
			}
			body, ok := op["requestBody"].(map[string]any)
			if !ok {
				continue
			}
			schema := body["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
			walk(strings.ToUpper(method), path, schema, nil, 0)
		}
	}
	return fields
}

func sortedMapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonBody builds a body holding placeholder at steps, then puts value in
// its place as raw bytes, so invalid UTF-8 reaches the server as sent.
func jsonBody(t *testing.T, steps []string, value string) []byte {
	const placeholder = "\u2603PLACEHOLDER\u2603"
	var build func(steps []string) any
	build = func(steps []string) any {
		if len(steps) == 0 {
			return placeholder
		}
		if steps[0] == "[]" {
			return []any{build(steps[1:])}
		}
		return map[string]any{steps[0]: build(steps[1:])}
	}
	b, err := json.Marshal(build(steps))
	if err != nil {
		t.Fatal(err)
	}
	quoted, _ := json.Marshal(value) // escapes NUL and controls as JSON does
	raw := quoted
	if !strings.Contains(value, "\x00") && !strings.Contains(value, "\x1b") {
		raw = []byte(`"` + value + `"`) // raw bytes: invalid UTF-8 stays invalid
	}
	return bytes.Replace(b, []byte(`"`+placeholder+`"`), raw, 1)
}

// pageForm is one form of the page templates, with its field names.
type pageForm struct {
	template, action, enctype string
	fields                    []string
}

// formActions are the actions of forms whose action the page sets.
var formActions = map[string][]string{
	"pages/task/form.html":     {"/releases/1/tasks", "/releases/1/tasks/t"},
	"pages/workflow/form.html": {"/teams/1/workflows", "/workflows/1"},
}

var (
	formPattern     = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	attrPattern     = regexp.MustCompile(`(\w+)="([^"]*)"`)
	namePattern     = regexp.MustCompile(`\bname="([^"]+)"`)
	fieldPattern    = regexp.MustCompile(`\(field "([^"]+)"`)
	partialPattern  = regexp.MustCompile(`\{\{\s*template "([^"]+)"`)
	defineSplit     = regexp.MustCompile(`\{\{\s*define "([^"]+)"\s*\}\}`)
	templateExprPat = regexp.MustCompile(`\{\{[^}]*\}\}`)
)

// pageForms lists every POST form of every page template with the names
// of its fields, those of the partials it includes too.
func pageForms(t *testing.T) []pageForm {
	t.Helper()
	partials := map[string]string{}
	var pages []string
	fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		data, _ := fs.ReadFile(templates.FS, path)
		text := string(data)
		locs := defineSplit.FindAllStringSubmatchIndex(text, -1)
		for i, l := range locs {
			end := len(text)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			partials[text[l[2]:l[3]]] += text[l[1]:end]
		}
		if strings.HasPrefix(path, "pages/") {
			pages = append(pages, path)
		}
		return nil
	})
	var names func(body string, depth int) []string
	names = func(body string, depth int) []string {
		var out []string
		for _, m := range namePattern.FindAllStringSubmatch(body, -1) {
			out = append(out, templateExprPat.ReplaceAllString(m[1], "answer"))
		}
		for _, m := range fieldPattern.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		if depth < 3 {
			for _, m := range partialPattern.FindAllStringSubmatch(body, -1) {
				if m[1] != "content" {
					out = append(out, names(partials[m[1]], depth+1)...)
				}
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	var forms []pageForm
	for _, path := range pages {
		data, _ := fs.ReadFile(templates.FS, path)
		for _, m := range formPattern.FindAllStringSubmatch(string(data), -1) {
			attrs := map[string]string{}
			for _, a := range attrPattern.FindAllStringSubmatch(m[1], -1) {
				attrs[a[1]] = a[2]
			}
			if !strings.EqualFold(attrs["method"], "post") {
				continue
			}
			actions := formActions[path]
			if actions == nil {
				actions = []string{templateExprPat.ReplaceAllString(attrs["action"], "1")}
			}
			for _, action := range actions {
				if !strings.HasPrefix(action, "/") {
					t.Errorf("%s: a form posts to %q; add its actions to formActions", path, attrs["action"])
					continue
				}
				forms = append(forms, pageForm{path, action, attrs["enctype"], names(m[2], 0)})
			}
		}
	}
	return forms
}

// errorFields reads the fields an API error names.
func errorFields(body []byte) map[string]string {
	var e struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	json.Unmarshal(body, &e)
	return e.Error.Fields
}

// TestEveryTextFieldIsGuarded walks every string field of every API request
// body in the OpenAPI document and every field of every page form, and
// sends each hostile value and NHS number: each must be a 4xx naming the
// field, never a 5xx. It runs on PostgreSQL too when SANDPIT_TEST_POSTGRES
// is set, where a NUL was a 500.
func TestEveryTextFieldIsGuarded(t *testing.T) {
	w := newWorld(t, Config{OpenRegistration: true})
	w.populate()
	token := w.tokens["owner"]
	// Pages are posted as a signed-in product owner with the form's CSRF
	// token, as the check runs behind the session and CSRF middleware.
	owner := w.browser()
	owner.signIn(w.users["owner"].Email)
	csrf := owner.csrf()
	send := func(t *testing.T, req *http.Request) (int, []byte) {
		t.Helper()
		resp, err := owner.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s = %d", req.Method, req.URL.Path, resp.StatusCode)
		}
		return resp.StatusCode, body
	}
	pathParams := regexp.MustCompile(`\{[^}]+\}`)

	apiFields := openAPITextFields(t)
	if len(apiFields) < 40 {
		t.Fatalf("found %d API text fields; the OpenAPI walk is broken", len(apiFields))
	}
	t.Run("API", func(t *testing.T) {
		for _, f := range apiFields {
			path := "/api/v1" + pathParams.ReplaceAllString(f.path, "1")
			for _, v := range guardedValues {
				if v.nhs && (sandpit.TextKindOf(f.field) == sandpit.TextData || sandpit.TextKindOf(f.field) == sandpit.TextSecret) {
					continue
				}
				req, _ := http.NewRequest(f.method, w.http.URL+path, bytes.NewReader(jsonBody(t, f.steps, v.value)))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				status, body := send(t, req)
				if status != http.StatusUnprocessableEntity || errorFields(body)[f.field] == "" {
					t.Errorf("%s %s %s with %s = %d %.300s, want 422 naming %s", f.method, f.path, f.field, v.name, status, body, f.field)
				}
				if v.nhs && bytes.Contains(body, []byte("5919")) {
					t.Errorf("%s %s: the answer repeats the number", f.method, f.path)
				}
			}
		}
	})

	forms := pageForms(t)
	fieldCount := 0
	for _, f := range forms {
		fieldCount += len(f.fields)
	}
	if len(forms) < 35 || fieldCount < 60 {
		t.Fatalf("found %d forms with %d fields; the template walk is broken", len(forms), fieldCount)
	}
	t.Logf("%d API text fields, %d page forms with %d fields", len(apiFields), len(forms), fieldCount)
	t.Run("page forms", func(t *testing.T) {
		for _, f := range forms {
			for _, field := range f.fields {
				if field == "_csrf" {
					continue // the CSRF middleware compares it before anything reads the form
				}
				for _, v := range guardedValues {
					kind := sandpit.TextKindOf(field)
					if v.nhs && (kind == sandpit.TextData || kind == sandpit.TextSecret) {
						continue
					}
					var body bytes.Buffer
					contentType := "application/x-www-form-urlencoded"
					if f.enctype == "multipart/form-data" {
						mw := multipart.NewWriter(&body)
						mw.WriteField("_csrf", csrf)
						mw.WriteField(field, v.value)
						mw.Close()
						contentType = mw.FormDataContentType()
					} else {
						body.WriteString(url.Values{field: {v.value}, "_csrf": {csrf}}.Encode())
					}
					req, _ := http.NewRequest(http.MethodPost, w.http.URL+f.action, &body)
					req.Header.Set("Content-Type", contentType)
					status, page := send(t, req)
					if status != http.StatusUnprocessableEntity || !bytes.Contains(page, []byte(fmt.Sprintf(`href="#%s"`, field))) {
						t.Errorf("%s: POST %s %s with %s = %d, want 422 naming %s", f.template, f.action, field, v.name, status, field)
					}
				}
			}
		}
	})

	t.Run("query values and the Idempotency-Key header", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, w.http.URL+"/admin/audit?action=%00", nil)
		if status, page := send(t, req); status != http.StatusUnprocessableEntity || !bytes.Contains(page, []byte(`href="#action"`)) {
			t.Errorf("audit filter with NUL = %d", status)
		}
		req, _ = http.NewRequest(http.MethodPost, w.http.URL+"/api/v1/teams", strings.NewReader(`{"name":"Pharmacy"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Idempotency-Key", "key\xff")
		if status, body := send(t, req); status != http.StatusUnprocessableEntity || errorFields(body)["Idempotency-Key"] == "" {
			t.Errorf("Idempotency-Key not UTF-8 = %d %s", status, body)
		}
	})
	t.Run("a refused form's page names the field and links back to the form", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, w.http.URL+"/trials/1/report", strings.NewReader(url.Values{"text": {"Mrs Smith 943 476 5919"}, "_csrf": {csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Referer", w.http.URL+"/trials/1/report?task=a")
		_, page := send(t, req)
		for _, want := range []string{"Check what you entered", `href="#text"`, "Text contains what looks like a real NHS number", `href="/trials/1/report?task=a"`, "Nothing was saved"} {
			if !bytes.Contains(page, []byte(want)) {
				t.Errorf("page lacks %q", want)
			}
		}
		if bytes.Contains(page, []byte("5919")) {
			t.Error("the page repeats the number")
		}
	})
	t.Run("a stranger's definition is refused before its text is read", func(t *testing.T) {
		for _, auth := range []string{"", "Bearer not-a-token"} {
			req, _ := http.NewRequest(http.MethodPost, w.http.URL+"/api/v1/workflows/1/releases", strings.NewReader(`{"notes":"a\u0000"}`))
			req.Header.Set("Content-Type", "application/json")
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("Authorization %q: %d, want 401", auth, resp.StatusCode)
			}
		}
	})
	t.Run("an API body sent with a form Content-Type, as curl -d does, is read as JSON", func(t *testing.T) {
		for body, want := range map[string]int{`{"name":"Pharmacy"}`: http.StatusCreated, `{"name":"Pharmacy 943 476 5919"}`: http.StatusUnprocessableEntity} {
			req, _ := http.NewRequest(http.MethodPost, w.http.URL+"/api/v1/teams", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+w.tokens["admin"])
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if status, answer := send(t, req); status != want {
				t.Errorf("POST /api/v1/teams %s = %d %s, want %d", body, status, answer, want)
			}
		}
	})
	if os.Getenv("SANDPIT_TEST_POSTGRES") == "" {
		t.Log("on SQLite; set SANDPIT_TEST_POSTGRES to run on PostgreSQL too")
	}
}
