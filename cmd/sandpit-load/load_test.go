package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// buildSandpit builds the server binary into a temporary directory.
func buildSandpit(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sandpit")
	cmd := exec.Command("go", "build", "-o", bin, "../sandpit")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestBench runs what `make bench` runs, briefly and with few clients, and
// checks that every phase answered and none failed. Nothing here is timed.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a server")
	}
	bin := buildSandpit(t)
	args := []string{"-sandpit", bin, "-clients", "8", "-duration", "1500ms", "-releases", "8", "-reports-before", "50"}
	if url := os.Getenv("SANDPIT_TEST_POSTGRES"); url != "" {
		t.Run("postgres", func(t *testing.T) { benchOnce(t, append(args, "-database", url, "-replicas", "2")) })
	}
	benchOnce(t, args)
}

func benchOnce(t *testing.T, args []string) {
	var out, log bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	results, err := run(ctx, args, &out, &log)
	if err != nil {
		t.Fatalf("run: %v\n%s\n%s", err, log.String(), out.String())
	}
	seen := map[string]bool{}
	for _, r := range results {
		seen[r.phase] = true
		if r.ok == 0 || r.errors != 0 {
			t.Errorf("phase %s: %d ok, %d errors: %v", r.phase, r.ok, r.errors, r.sampleErrors)
		}
		if runtime.GOOS == "linux" && (!r.cpu.loadKnown || !r.cpu.serversKnown || r.cpu.load <= 0 || r.cpu.servers <= 0) {
			t.Errorf("phase %s: CPU used %+v; want the load tool's and the servers' read from /proc", r.phase, r.cpu)
		}
	}
	for _, p := range []string{"noop", "clicks", "reports", "reads"} {
		if !seen[p] {
			t.Errorf("phase %s did not run", p)
		}
		if !strings.Contains(out.String(), "\n"+p+" ") {
			t.Errorf("the table has no line for %s:\n%s", p, out.String())
		}
	}
	if !strings.Contains(out.String(), "clicks ÷ no-op:") {
		t.Errorf("the table has no clicks ÷ no-op:\n%s", out.String())
	}
	if t.Failed() {
		t.Log(log.String())
	}
}

func TestNonceHasNoDigits(t *testing.T) {
	// 1,234,567,890 ns after the epoch is 0x499602d2 in hex; digit n
	// becomes the letter n places after g.
	if got, want := nonce(time.Unix(1, 234567890)), "kppmgidi"; got != want {
		t.Errorf("nonce = %q, want %q", got, want)
	}
}
