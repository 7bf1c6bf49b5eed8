// Command sandpit runs Sandpit, the clinician co-design platform.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "sandpit: %v\n", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// errUsage marks a command line that could not be understood.
var errUsage = errors.New("usage")

// run is the whole program: main only adds the process around it, so tests
// can run Sandpit in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	command, rest := "serve", args[1:]
	if len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		command, rest = rest[0], rest[1:]
	}
	switch command {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "admin":
		return admin(ctx, rest, getenv, stdin, stdout, stderr)
	case "scan":
		return scan(ctx, rest, getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, getenv)
	case "version":
		fmt.Fprintf(stdout, "sandpit %s\n", version)
		return nil
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("%w: unknown command %q; run sandpit --help", errUsage, command)
	}
}

// usage introduces the commands; the settings follow it in --help.
const usage = `Sandpit: clinician co-design for NHS product teams.

Usage:
  sandpit [serve] [flags]   run the web server (the default command)
  sandpit admin create --email E --name N
                            create an admin; the password is read from standard input
  sandpit admin sign-in-link --email E
                            print a one-time link, good for 15 minutes, that signs admin E in
                            without a password or identity provider (break glass)
  sandpit scan [flags]      list every stored text and screen image holding a real NHS number,
                            by table, row and field (the number is never printed)
  sandpit healthcheck       exit 0 when the server on SANDPIT_ADDR answers /healthz
  sandpit version           print the version
  sandpit help              print this help

Settings (each flag can also be set by the environment variable named beside it):
`

// parseFlags parses args into fs, answering --help with the usage and every
// setting on stdout.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (help bool, err error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fmt.Fprint(stdout, usage)
		fs.PrintDefaults()
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: %v; run sandpit --help", errUsage, err)
	}
	if fs.NArg() > 0 {
		return false, fmt.Errorf("%w: unexpected argument %q; run sandpit --help", errUsage, fs.Arg(0))
	}
	return false, nil
}

// healthcheck asks the server on SANDPIT_ADDR for /healthz, for container
// health checks in images that have no HTTP client of their own.
func healthcheck(ctx context.Context, getenv func(string) string) error {
	addr := getenv("SANDPIT_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("SANDPIT_ADDR %q: want host:port", addr)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /healthz answered %s", resp.Status)
	}
	return nil
}
