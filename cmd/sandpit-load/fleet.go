package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// fleet is the servers the load tool started, and their data directory.
type fleet struct {
	dir   string
	keep  bool
	procs []*exec.Cmd
	logs  []string
	bases []string
}

// startFleet creates the admin on the database and starts o.replicas
// servers on it, one after another so that only the first migrates.
func startFleet(ctx context.Context, o options, stderr io.Writer) (*fleet, error) {
	dir, err := os.MkdirTemp("", "sandpit-load-")
	if err != nil {
		return nil, err
	}
	f := &fleet{dir: dir, keep: o.keep}
	dbURL := o.database
	if dbURL == "" {
		dbURL = "sqlite:" + filepath.Join(dir, "sandpit.db")
	}
	if o.keep {
		fmt.Fprintf(stderr, "data and server logs in %s\n", dir)
	}
	env := append(os.Environ(),
		"SANDPIT_DATABASE_URL="+dbURL,
		"SANDPIT_OCR=off",
		"SANDPIT_PASSWORD_COST=4",
		"SANDPIT_METRICS_ADDR=off",
		"SANDPIT_LOG_FORMAT=text",
		"SANDPIT_SESSION_KEYS=load-tool-session-key-0123456789abcdef",
		"SANDPIT_PSEUDONYM_KEY=load-tool-pseudonym-key-0123456789abcdef",
	)
	admin := exec.CommandContext(ctx, o.sandpit, "admin", "create", "--email", o.adminEmail, "--name", "Load Admin")
	admin.Env = env
	admin.Stdin = strings.NewReader(o.adminPass + "\n")
	if out, err := admin.CombinedOutput(); err != nil && !strings.Contains(string(out), "already") {
		f.stop()
		return nil, fmt.Errorf("sandpit admin create: %v: %s", err, out)
	}
	for i := range o.replicas {
		port, err := freePort()
		if err != nil {
			f.stop()
			return nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		logPath := filepath.Join(dir, fmt.Sprintf("server%d.log", i))
		logFile, err := os.Create(logPath)
		if err != nil {
			f.stop()
			return nil, err
		}
		cmd := exec.Command(o.sandpit, "serve")
		cmd.Env = append(env, "SANDPIT_ADDR="+addr, "SANDPIT_BASE_URL=http://"+addr)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			logFile.Close()
			f.stop()
			return nil, fmt.Errorf("start %s: %w", o.sandpit, err)
		}
		logFile.Close()
		f.procs, f.logs = append(f.procs, cmd), append(f.logs, logPath)
		base := "http://" + addr
		if err := waitReady(ctx, base); err != nil {
			log, _ := os.ReadFile(logPath)
			f.stop()
			return nil, fmt.Errorf("server %d: %w\n%s", i, err, log)
		}
		f.bases = append(f.bases, base)
	}
	return f, nil
}

// freePort asks the system for a port nobody is using.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls base's /readyz until it answers 200 or a minute passes.
func waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return err
		}
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready after a minute")
}

// stop ends every server it started and removes the data unless kept.
func (f *fleet) stop() {
	for _, p := range f.procs {
		p.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			p.Process.Kill()
			<-done
		}
	}
	if !f.keep {
		os.RemoveAll(f.dir)
	}
}
