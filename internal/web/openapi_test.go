package web

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOpenAPIDescribesEveryRoute fails when an API route is missing from
// openapi.json, or the description names a route that does not exist.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	described := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			described[strings.ToUpper(method)+" "+path] = true
		}
	}
	s := newTestServer(t, "http://localhost:8080")
	routed := map[string]bool{}
	for _, r := range s.echo.Routes() {
		path, ok := strings.CutPrefix(r.Path, "/api/v1")
		if !ok || path == "" || strings.HasSuffix(path, "/*") {
			continue
		}
		// echo's :id is OpenAPI's {id}.
		parts := strings.Split(path, "/")
		for i, p := range parts {
			if strings.HasPrefix(p, ":") {
				parts[i] = "{" + p[1:] + "}"
			}
		}
		routed[r.Method+" "+strings.Join(parts, "/")] = true
	}
	for r := range routed {
		if !described[r] {
			t.Errorf("%s is routed but not in openapi.json", r)
		}
	}
	for d := range described {
		if !routed[d] {
			t.Errorf("%s is in openapi.json but not routed", d)
		}
	}
}
