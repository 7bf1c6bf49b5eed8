package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/demo"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/web"
	"github.com/sandpit-nhs/sandpit/static"
	"github.com/sandpit-nhs/sandpit/templates"
)

// shutdownGrace is how long in-flight requests get to finish after a signal.
const shutdownGrace = 25 * time.Second

// serve runs the web server until ctx ends, then lets in-flight requests
// finish.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("sandpit serve", flag.ContinueOnError)
	cfg.flags(fs)
	if help, err := cfg.load(fs, args, getenv, stdout); help || err != nil {
		return err
	}
	log := newLogger(cfg.LogFormat, stderr)
	screens, err := cfg.screenReader()
	if err != nil {
		return err
	}
	if screens == nil {
		log.Warn("SANDPIT_OCR=off: uploaded screens are not checked for patient identifiers")
	}

	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := sessionKeys(ctx, st, cfg.keys)
	if err != nil {
		return err
	}
	pseudonymKey, err := keptSecret(ctx, st, "pseudonym_key", cfg.PseudoKey)
	if err != nil {
		return err
	}
	renderer, err := web.NewRenderer(templates.FS)
	if err != nil {
		return err
	}
	srv := web.NewServer(web.Config{BaseURL: cfg.baseURL, Version: version, SessionKeys: keys,
		PseudonymKey: pseudonymKey, OpenRegistration: cfg.openReg, TrustedProxies: cfg.proxies, PasswordCost: cfg.passwordCost, Screens: screens,
		SSO: cfg.sso, NoPasswordSignIn: cfg.passwordOff}, log, st, renderer, static.FS)
	// Providers are discovered in the background, again and again while
	// one is down: Sandpit serves whatever they do.
	go srv.DiscoverSSO(ctx)
	if cfg.Demo {
		hash := func(p string) (string, error) { return sandpit.HashPassword(p, cfg.passwordCost) }
		if err := demo.Seed(ctx, st, hash); err != nil {
			return err
		}
		printDemoAccounts(stdout, cfg.baseURL.String())
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("SANDPIT_ADDR %q: %w", cfg.Addr, err)
	}
	// Metrics name routes and the version: they are served on an address of
	// their own (loopback by default), never on the site.
	var metricsLn net.Listener
	if cfg.MetricsAddr != "off" {
		if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("SANDPIT_METRICS_ADDR %q: %w", cfg.MetricsAddr, err)
		}
		log.Info("serving metrics", "addr", metricsLn.Addr().String())
		fmt.Fprintf(stdout, "Metrics are served at http://%s/metrics\n", metricsLn.Addr())
	}
	log.Info("listening", "addr", ln.Addr().String(), "base_url", cfg.baseURL.String(), "database", cfg.database.Dialect, "version", version)
	fmt.Fprintf(stdout, "Sandpit %s is listening on %s; open %s\n", version, ln.Addr(), cfg.baseURL)
	if metricsLn == nil {
		return serveHTTP(ctx, ln, srv, log)
	}
	metricsMux := http.NewServeMux()
	metricsMux.Handle("GET /metrics", srv.MetricsHandler())
	// One server failing stops the other: Sandpit serves both or neither.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	errs := make(chan error, 2)
	go func() { errs <- serveHTTP(ctx, metricsLn, metricsMux, log) }()
	go func() { errs <- serveHTTP(ctx, ln, srv, log) }()
	first := <-errs
	stop()
	return errors.Join(first, <-errs)
}

// serveHTTP serves h on ln until ctx ends, then stops taking requests and
// lets those in flight finish, for up to shutdownGrace.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	httpServer := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "grace", shutdownGrace.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// openStore opens and migrates the database cfg names.
func openStore(ctx context.Context, cfg config, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.database, time.Now, log)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// printDemoAccounts lists the demo accounts for the person who started
// Sandpit.
func printDemoAccounts(w io.Writer, baseURL string) {
	fmt.Fprintf(w, "\nDemo accounts (sign in at %s/sign-in):\n", baseURL)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  role\temail\tpassword")
	for _, a := range demo.Accounts() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.Role.Label(), a.Email, a.Password)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// newLogger returns the structured logger for format, writing to w.
func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// sessionKeys returns the configured session keys or, without any, the key
// generated by the first Sandpit to start on this database, so that restarts
// and replicas agree.
func sessionKeys(ctx context.Context, st *store.Store, configured [][]byte) ([][]byte, error) {
	if len(configured) > 0 {
		return configured, nil
	}
	key, err := keptSecret(ctx, st, "session_key", "")
	if err != nil {
		return nil, err
	}
	return [][]byte{key}, nil
}

// keptSecret returns configured or, when it is empty, the secret named name
// that the first Sandpit to start on this database generated and kept.
func keptSecret(ctx context.Context, st *store.Store, name, configured string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	secret, err := st.EnsureSetting(ctx, name, rand.Text()+rand.Text())
	if err != nil {
		return nil, err
	}
	return []byte(secret), nil
}
