package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
	"github.com/sandpit-nhs/sandpit/static"
	"github.com/sandpit-nhs/sandpit/templates"
)

// newTestServer returns a server on a fresh database, reached at baseURL.
func newTestServer(t *testing.T, baseURL string) *Server {
	t.Helper()
	renderer, err := NewRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t, time.Now)
	cfg := Config{BaseURL: u, Version: "test", SessionKeys: [][]byte{testKey}, PasswordCost: bcrypt.MinCost}
	return NewServer(cfg, slog.New(slog.DiscardHandler), st, renderer, static.FS)
}

// get sends a GET for target and returns the recorded answer.
func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

func TestSecurityHeaders(t *testing.T) {
	s := newTestServer(t, "http://localhost:8080")
	for _, target := range []string{"/", "/no-such-page", "/api/v1/no-such-thing", "/healthz", "/static/css/sandpit.css"} {
		t.Run(target, func(t *testing.T) {
			rec := get(t, s, target)
			want := map[string]string{
				"Content-Security-Policy": "default-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "same-origin",
			}
			for name, value := range want {
				if got := rec.Header().Get(name); got != value {
					t.Errorf("%s = %q, want %q", name, got, value)
				}
			}
			if got := rec.Header().Get("Strict-Transport-Security"); got != "" {
				t.Errorf("HSTS %q sent over http", got)
			}
		})
	}
	t.Run("HSTS when the base URL is https", func(t *testing.T) {
		s := newTestServer(t, "https://sandpit.example.nhs.uk")
		rec := get(t, s, "/no-such-page")
		if got := rec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
			t.Errorf("Strict-Transport-Security = %q, want max-age=…", got)
		}
	})
}

func TestPages(t *testing.T) {
	s := newTestServer(t, "http://localhost:8080")
	tests := []struct {
		target string
		status int
		want   string
	}{
		{"/", http.StatusOK, "Who Sandpit is for"},
		{"/no-such-page", http.StatusNotFound, "Page not found"},
		{"/healthz", http.StatusOK, "ok"},
		{"/readyz", http.StatusOK, "ok"},
		{"/static/css/sandpit.css", http.StatusOK, "sandpit-prototype-banner"},
		{"/static/js/sandpit.js", http.StatusOK, "initAll"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(t, s, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("body does not contain %q:\n%s", tt.want, rec.Body)
			}
		})
	}
	t.Run("a wrong method is answered as not found", func(t *testing.T) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodDelete, "/", nil)
		req.Header.Set("Sec-Fetch-Site", "same-origin") // past the CSRF check
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("status = %d, want 404", rec.Code)
		}
	})
	t.Run("the metrics count requests by route and status", func(t *testing.T) {
		rec := get(t, s.MetricsHandler(), "/metrics")
		body := rec.Body.String()
		for _, want := range []string{
			`sandpit_http_requests_total{method="GET",route="/",status="200"} 1`,
			`sandpit_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
			`sandpit_http_request_duration_seconds_bucket{method="GET",route="/healthz"`,
			`go_sql_open_connections{db_name=`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

func TestErrorHandler(t *testing.T) {
	s := newTestServer(t, "http://localhost:8080")
	s.echo.GET("/api/v1/test/invalid", func(c echo.Context) error {
		return sandpit.Invalid("Check the severity.", sandpit.OutOfRange("severity", 1, 4))
	})
	s.echo.GET("/api/v1/test/conflict", func(c echo.Context) error {
		return sandpit.Errorf(sandpit.ECONFLICT, "The release is published and cannot change.")
	})
	s.echo.GET("/api/v1/test/internal", func(c echo.Context) error {
		return errors.New("store: secret connection detail")
	})
	s.echo.GET("/test/forbidden", func(c echo.Context) error {
		return sandpit.Errorf(sandpit.EFORBIDDEN, "Only the release's team may publish it.")
	})
	s.echo.GET("/test/panic", func(c echo.Context) error {
		panic("secret panic detail")
	})
	s.echo.POST("/api/v1/test/echo", func(c echo.Context) error {
		_, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge).SetInternal(err)
		}
		return c.NoContent(http.StatusNoContent)
	})

	t.Run("API errors are JSON with code, message and fields", func(t *testing.T) {
		tests := []struct {
			target  string
			status  int
			code    string
			message string
			fields  map[string]string
		}{
			{"/api/v1/test/invalid", 422, "invalid", "Check the severity.", map[string]string{"severity": "must be 1 to 4"}},
			{"/api/v1/test/conflict", 409, "conflict", "The release is published and cannot change.", nil},
			{"/api/v1/test/internal", 500, "internal", "Internal error.", nil},
			{"/api/v1/no-such-thing", 404, "not_found", "Not found.", nil},
		}
		for _, tt := range tests {
			t.Run(tt.target, func(t *testing.T) {
				rec := get(t, s, tt.target)
				if rec.Code != tt.status {
					t.Fatalf("status = %d, want %d", rec.Code, tt.status)
				}
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type = %q", ct)
				}
				var body apiError
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Fatalf("body %q: %v", rec.Body, err)
				}
				if body.Error.Code != tt.code || body.Error.Message != tt.message {
					t.Errorf("error = %+v, want code %q message %q", body.Error, tt.code, tt.message)
				}
				if len(body.Error.Fields) != len(tt.fields) {
					t.Errorf("fields = %v, want %v", body.Error.Fields, tt.fields)
				}
				for k, v := range tt.fields {
					if body.Error.Fields[k] != v {
						t.Errorf("fields[%s] = %q, want %q", k, body.Error.Fields[k], v)
					}
				}
			})
		}
	})
	t.Run("an oversized body is refused with 413", func(t *testing.T) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/test/echo", strings.NewReader(strings.Repeat("x", 2<<20))))
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status = %d, want 413", rec.Code)
		}
		if !strings.Contains(rec.Body.String(), `"code":"too_large"`) {
			t.Errorf("body = %s", rec.Body)
		}
	})
	t.Run("pages show the 403 page with the reason", func(t *testing.T) {
		rec := get(t, s, "/test/forbidden")
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "Only the release&#39;s team may publish it.") {
			t.Errorf("status %d, body:\n%s", rec.Code, rec.Body)
		}
	})
	t.Run("a panic shows the 500 page and hides its detail", func(t *testing.T) {
		rec := get(t, s, "/test/panic")
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("status = %d, want 500", rec.Code)
		}
		body := rec.Body.String()
		if !strings.Contains(body, "Sorry, there is a problem with Sandpit") || strings.Contains(body, "secret") {
			t.Errorf("body:\n%s", body)
		}
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Error("the 500 page has no Content-Security-Policy")
		}
	})
	t.Run("internal error details never reach the user", func(t *testing.T) {
		if body := get(t, s, "/api/v1/test/internal").Body.String(); strings.Contains(body, "secret") {
			t.Errorf("body leaks the error: %s", body)
		}
	})
}

func TestRenderer(t *testing.T) {
	t.Run("renders every error page of the real templates", func(t *testing.T) {
		r, err := NewRenderer(templates.FS)
		if err != nil {
			t.Fatal(err)
		}
		for _, page := range []string{"errors/403", "errors/404", "errors/500", "errors/error"} {
			var b strings.Builder
			if err := r.Render(&b, page, errorView{Layout: Layout{Title: "T"}, Heading: "H", Message: "M"}); err != nil {
				t.Errorf("%s: %v", page, err)
			}
			if !strings.Contains(b.String(), `<main class="nhsuk-main-wrapper" id="maincontent">`) {
				t.Errorf("%s has no main landmark", page)
			}
		}
	})
	base := `{{define "base"}}<main>{{template "content" .}}</main>{{end}}`
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		wantErr string
	}{
		{"a page using a missing partial fails", fstest.MapFS{
			"layouts/base.html":    {Data: []byte(base)},
			"partials/a.html":      {Data: []byte(`{{define "a"}}A{{end}}`)},
			"pages/home/show.html": {Data: []byte(`{{define "content"}}{{if .}}{{template "nope" .}}{{end}}{{end}}`)},
		}, `"nope"`},
		{"a page without content fails", fstest.MapFS{
			"layouts/base.html":    {Data: []byte(base)},
			"partials/a.html":      {Data: []byte(`{{define "a"}}A{{end}}`)},
			"pages/home/show.html": {Data: []byte(`{{define "other"}}x{{end}}`)},
		}, `"content"`},
		{"a page with its partials parses", fstest.MapFS{
			"layouts/base.html":    {Data: []byte(base)},
			"partials/a.html":      {Data: []byte(`{{define "a"}}A{{end}}`)},
			"pages/home/show.html": {Data: []byte(`{{define "content"}}{{range .}}{{template "a"}}{{end}}{{end}}`)},
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRenderer(tt.fsys)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("NewRenderer: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("NewRenderer error = %v, want one mentioning %s", err, tt.wantErr)
			}
		})
	}
	t.Run("rendering an unknown page fails", func(t *testing.T) {
		r, _ := NewRenderer(templates.FS)
		if err := r.Render(io.Discard, "no/such", nil); err == nil {
			t.Fatal("want an error")
		}
	})
}
