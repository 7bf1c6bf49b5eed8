package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer that run's goroutines and the test may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// instance is a Sandpit started through run() for a test.
type instance struct {
	URL        string
	MetricsURL string // where /metrics is served, apart from the site
	Stdout     *syncBuffer
	Stderr     *syncBuffer
	done       chan error
}

var (
	listening      = regexp.MustCompile(`listening on (\S+);`)
	servingMetrics = regexp.MustCompile(`Metrics are served at (\S+)\n`)
)

// readyTimeout is how long start waits for Sandpit to become healthy: demo
// seeding and migrations on a loaded machine take seconds, and several
// times longer under the race detector.
func readyTimeout() time.Duration {
	d := 30 * time.Second
	if raceEnabled {
		d *= 5
	}
	return d
}

// start runs Sandpit on port 0 with env and args and waits until /healthz
// answers. It stops when ctx ends; Wait returns what run returned.
func start(t *testing.T, ctx context.Context, env map[string]string, args ...string) *instance {
	t.Helper()
	if _, ok := env["SANDPIT_PASSWORD_COST"]; !ok {
		env["SANDPIT_PASSWORD_COST"] = "4" // bcrypt's least: tests need speed, not strength
	}
	if _, ok := env["SANDPIT_DATABASE_URL"]; !ok {
		env["SANDPIT_DATABASE_URL"] = storetest.URL(t)
	}
	if _, ok := env["SANDPIT_METRICS_ADDR"]; !ok {
		env["SANDPIT_METRICS_ADDR"] = "127.0.0.1:0"
	}
	s := &instance{Stdout: &syncBuffer{}, Stderr: &syncBuffer{}, done: make(chan error, 1)}
	getenv := func(name string) string { return env[name] }
	argv := append([]string{"sandpit", "serve", "--addr", "127.0.0.1:0"}, args...)
	go func() { s.done <- run(ctx, argv, getenv, strings.NewReader(""), s.Stdout, s.Stderr) }()

	wait := readyTimeout()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			t.Fatalf("run returned early: %v\nstderr:\n%s", err, s.Stderr)
		default:
		}
		if m := listening.FindStringSubmatch(s.Stdout.String()); m != nil && s.URL == "" {
			s.URL = "http://" + m[1]
			if m := servingMetrics.FindStringSubmatch(s.Stdout.String()); m != nil {
				s.MetricsURL = m[1]
			}
		}
		if s.URL != "" {
			if resp, err := http.Get(s.URL + "/healthz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return s
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("Sandpit did not become healthy within %s (race detector: %v)\nstdout:\n%s\nstderr:\n%s", wait, raceEnabled, s.Stdout, s.Stderr)
	return nil
}

// Wait returns run's error once it has returned.
func (s *instance) Wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.done:
		return err
	case <-time.After(readyTimeout()):
		t.Fatalf("run did not return\nstderr:\n%s", s.Stderr)
		return nil
	}
}

func fetch(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := start(t, ctx, map[string]string{"SANDPIT_LOG_FORMAT": "json"}, "--demo")

	t.Run("is ready when its database answers", func(t *testing.T) {
		if resp, body := fetch(t, s.URL+"/readyz"); resp.StatusCode != http.StatusOK {
			t.Fatalf("/readyz = %d %s", resp.StatusCode, body)
		}
	})
	t.Run("serves the home page", func(t *testing.T) {
		resp, body := fetch(t, s.URL+"/")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Sandpit") {
			t.Fatalf("/ = %d\n%s", resp.StatusCode, body)
		}
	})
	t.Run("answers a missing page with 404 and every security header", func(t *testing.T) {
		resp, _ := fetch(t, s.URL+"/no/such/page")
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status = %d", resp.StatusCode)
		}
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("404 lacks %s", h)
			}
		}
	})
	t.Run("exports Prometheus metrics on their own address only", func(t *testing.T) {
		if s.MetricsURL == "" {
			t.Fatalf("no metrics address printed:\n%s", s.Stdout)
		}
		_, body := fetch(t, s.MetricsURL)
		if !strings.Contains(body, `sandpit_http_requests_total{method="GET",route="/healthz",status="200"}`) {
			t.Errorf("metrics:\n%s", body)
		}
		if resp, _ := fetch(t, s.URL+"/metrics"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("/metrics on the site = %d, want 404", resp.StatusCode)
		}
	})
	t.Run("healthcheck succeeds against it", func(t *testing.T) {
		addr := strings.TrimPrefix(s.URL, "http://")
		if err := run(ctx, []string{"sandpit", "healthcheck"}, func(string) string { return addr }, strings.NewReader(""), io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("prints the demo accounts", func(t *testing.T) {
		for _, want := range []string{"Demo accounts", "admin@demo.sandpit.test", "demo-admin-password", "clinician@demo.sandpit.test"} {
			if !strings.Contains(s.Stdout.String(), want) {
				t.Errorf("stdout lacks %q:\n%s", want, s.Stdout)
			}
		}
	})
	t.Run("logs requests as JSON", func(t *testing.T) {
		if !strings.Contains(s.Stderr.String(), `"msg":"request","method":"GET","path":"/readyz"`) {
			t.Errorf("stderr:\n%s", s.Stderr)
		}
	})
	cancel()
	if err := s.Wait(t); err != nil {
		t.Fatalf("run: %v", err)
	}
}

func TestRunRefusesBadSettings(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"malformed database URL", map[string]string{"SANDPIT_DATABASE_URL": "mysql://localhost/sandpit"}, nil, "SANDPIT_DATABASE_URL: must start with sqlite: or postgres://"},
		{"sqlite without a path", map[string]string{"SANDPIT_DATABASE_URL": "sqlite:"}, nil, "SANDPIT_DATABASE_URL: sqlite: needs a file path"},
		{"postgres without a database", map[string]string{"SANDPIT_DATABASE_URL": "postgres://localhost"}, nil, "SANDPIT_DATABASE_URL: a postgres:// URL needs a host and a database name"},
		{"malformed database URL by flag", map[string]string{}, []string{"--database-url", "sandpit.db"}, "SANDPIT_DATABASE_URL"},
		{"address without a port", map[string]string{"SANDPIT_ADDR": "localhost"}, nil, "SANDPIT_ADDR"},
		{"base URL with a path", map[string]string{"SANDPIT_BASE_URL": "https://example.nhs.uk/sandpit"}, nil, "SANDPIT_BASE_URL"},
		{"base URL not http", map[string]string{"SANDPIT_BASE_URL": "ftp://example.nhs.uk"}, nil, "SANDPIT_BASE_URL"},
		{"unknown log format", map[string]string{"SANDPIT_LOG_FORMAT": "xml"}, nil, "SANDPIT_LOG_FORMAT"},
		{"short session key", map[string]string{"SANDPIT_SESSION_KEYS": strings.Repeat("k", 40) + ",short"}, nil, "SANDPIT_SESSION_KEYS: key 2 is 5 characters long"},
		{"short pseudonym key", map[string]string{"SANDPIT_PSEUDONYM_KEY": "short"}, nil, "SANDPIT_PSEUDONYM_KEY: want 32 or more characters"},
		{"unknown flag", map[string]string{}, []string{"--nope"}, "flag provided but not defined"},
		{"OCR neither on nor off", map[string]string{"SANDPIT_OCR": "maybe"}, nil, "SANDPIT_OCR"},
		{"no tesseract and OCR not turned off", map[string]string{"SANDPIT_TESSERACT": "/nonexistent/tesseract"}, nil, "set SANDPIT_OCR=off"},
		{"unknown command", map[string]string{}, []string{"frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(name string) string { return tt.env[name] }
			args := append([]string{"sandpit"}, tt.args...)
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run error = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the error is more than one line: %q", err)
			}
			if strings.Contains(stdout.String(), "listening") {
				t.Error("Sandpit started despite the bad setting")
			}
		})
	}
}

func TestHealthcheckFailsWithoutAServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := run(context.Background(), []string{"sandpit", "healthcheck"}, func(string) string { return addr }, strings.NewReader(""), io.Discard, io.Discard); err == nil {
		t.Fatal("healthcheck succeeded with nothing listening")
	}
}

func TestHelpAndVersion(t *testing.T) {
	t.Run("--help lists every setting", func(t *testing.T) {
		var stdout bytes.Buffer
		if err := run(context.Background(), []string{"sandpit", "--help"}, func(string) string { return "" }, strings.NewReader(""), &stdout, io.Discard); err != nil {
			t.Fatal(err)
		}
		for _, env := range settingEnv {
			if !strings.Contains(stdout.String(), env) {
				t.Errorf("--help does not mention %s:\n%s", env, stdout.String())
			}
		}
	})
	t.Run("--help never shows a secret from the environment", func(t *testing.T) {
		var stdout bytes.Buffer
		getenv := func(name string) string {
			if name == "SANDPIT_SESSION_KEYS" {
				return "a-very-secret-session-key-of-forty-characters"
			}
			return ""
		}
		if err := run(context.Background(), []string{"sandpit", "serve", "-h"}, getenv, strings.NewReader(""), &stdout, io.Discard); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stdout.String(), "a-very-secret") {
			t.Error("--help printed the session key")
		}
	})
	t.Run("version", func(t *testing.T) {
		var stdout bytes.Buffer
		if err := run(context.Background(), []string{"sandpit", "version"}, func(string) string { return "" }, strings.NewReader(""), &stdout, io.Discard); err != nil {
			t.Fatal(err)
		}
		if got := stdout.String(); got != "sandpit "+version+"\n" {
			t.Errorf("version printed %q", got)
		}
	})
}

func TestSecretsAreKeptInTheDatabase(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t, time.Now)
	first, err := sessionKeys(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || len(first[0]) < minSessionKeyLength {
		t.Fatalf("generated keys %q", first)
	}
	again, err := sessionKeys(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first[0], again[0]) {
		t.Error("a restart generated a different session key")
	}
	configured := [][]byte{[]byte(strings.Repeat("c", 32))}
	if got, _ := sessionKeys(ctx, st, configured); !bytes.Equal(got[0], configured[0]) {
		t.Error("configured keys were not used")
	}
	pseudonyms, err := keptSecret(ctx, st, "pseudonym_key", "")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := keptSecret(ctx, st, "pseudonym_key", ""); len(pseudonyms) < minSessionKeyLength || !bytes.Equal(again, pseudonyms) || bytes.Equal(pseudonyms, first[0]) {
		t.Errorf("pseudonym key %q, again %q: want one kept key of its own", pseudonyms, again)
	}
	if got, _ := keptSecret(ctx, st, "pseudonym_key", "configured"); string(got) != "configured" {
		t.Error("the configured pseudonym key was not used")
	}
}

func TestSIGTERMLetsInFlightRequestsFinish(t *testing.T) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		fmt.Fprint(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- serveHTTP(ctx, ln, slow, slog.New(slog.DiscardHandler)) }()

	answer := make(chan string, 1)
	go func() {
		resp, err := http.Get(url + "/slow")
		if err != nil {
			answer <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		answer <- fmt.Sprintf("%d %s", resp.StatusCode, body)
	}()
	<-started
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()

	// Once the listener has closed, new requests are refused while the
	// in-flight one is still being served.
	var refused bool
	for range 100 {
		if resp, err := http.Get(url); err != nil {
			refused = true
			break
		} else {
			resp.Body.Close()
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !refused {
		t.Error("new requests were still accepted after SIGTERM")
	}
	select {
	case err := <-done:
		t.Fatalf("serveHTTP returned before the in-flight request finished: %v", err)
	default:
	}
	close(release)
	if got := <-answer; got != "200 finished" {
		t.Errorf("in-flight request got %q", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("serveHTTP: %v", err)
	}
}

func TestRunWithOCRTurnedOff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := start(t, ctx, map[string]string{"SANDPIT_OCR": "off", "SANDPIT_TESSERACT": "/nonexistent/tesseract", "SANDPIT_LOG_FORMAT": "json"})
	if !strings.Contains(s.Stderr.String(), "SANDPIT_OCR=off") {
		t.Errorf("stderr does not warn that screens are not checked:\n%s", s.Stderr)
	}
	cancel()
	if err := s.Wait(t); err != nil {
		t.Fatalf("run: %v", err)
	}
}
