// Command sandpit-load measures Sandpit's write path from outside: it starts
// real servers (or targets one by its address), sets up its own team,
// releases and clinicians through the API, and drives phases over loopback
// sockets at a chosen concurrency, checking every answer. It prints ok/s,
// errors, p50/p90/p99 and the CPU the servers and the tool itself used per
// answer, for each phase, and clicks as a share of the no-op route
// measured in the same run.
//
//	sandpit-load -sandpit bin/sandpit                       # a fresh SQLite file
//	sandpit-load -sandpit bin/sandpit -database postgres://… -replicas 2
//	sandpit-load -target http://host:port -admin-email … -admin-password …
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sandpit-load:", err)
		os.Exit(1)
	}
}

// options are the load tool's flags.
type options struct {
	sandpit     string
	database    string
	replicas    int
	targets     string
	adminEmail  string
	adminPass   string
	clients     int
	duration    time.Duration
	phases      string
	releases    int
	reportsSeed int
	keep        bool
}

// run parses args, sets up, runs every phase and prints the table; it
// returns the results for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) ([]result, error) {
	var o options
	fs := flag.NewFlagSet("sandpit-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.sandpit, "sandpit", "bin/sandpit", "the sandpit binary to start (unless -target)")
	fs.StringVar(&o.database, "database", "", "the database URL for the servers it starts (default: a fresh SQLite file in a temporary directory)")
	fs.IntVar(&o.replicas, "replicas", 1, "how many servers to start on the database; requests go round-robin")
	fs.StringVar(&o.targets, "target", "", "comma-separated base URLs of running servers to load instead of starting any")
	fs.StringVar(&o.adminEmail, "admin-email", "load-admin@example.nhs.uk", "an admin's email (with -target the admin must exist)")
	fs.StringVar(&o.adminPass, "admin-password", "load-admin-password", "that admin's password")
	fs.IntVar(&o.clients, "clients", 200, "concurrent clients")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each phase runs")
	fs.StringVar(&o.phases, "phases", "noop,clicks,reports,reports,reads", "the phases in order: noop, clicks, reports, reads")
	fs.IntVar(&o.releases, "releases", 8, "open releases of 50 tasks each for the clicks")
	fs.IntVar(&o.reportsSeed, "reports-before", 0, "reports to store, untimed, before the first reports phase")
	fs.BoolVar(&o.keep, "keep", false, "keep the servers' data directory and print where it is")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.clients < 1 || o.replicas < 1 || o.releases < 1 {
		return nil, fmt.Errorf("-clients, -replicas and -releases must be at least 1")
	}
	var bases []string
	var meter cpuMeter
	if o.targets != "" {
		bases = strings.Split(o.targets, ",")
	} else {
		fleet, err := startFleet(ctx, o, stderr)
		if err != nil {
			return nil, err
		}
		defer fleet.stop()
		bases = fleet.bases
		for _, p := range fleet.procs {
			meter.servers = append(meter.servers, p.Process.Pid)
		}
	}
	l := newLoad(bases, o.clients)
	fmt.Fprintf(stderr, "setting up %d clinicians and %d releases on %s\n", o.clients, o.releases, strings.Join(bases, ", "))
	if err := l.setup(ctx, o); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	var results []result
	seeded := false
	for _, name := range strings.Split(o.phases, ",") {
		ph, ok := l.phase(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("unknown phase %q: want noop, clicks, reports or reads", name)
		}
		if ph.name == "reports" && !seeded && o.reportsSeed > 0 {
			fmt.Fprintf(stderr, "storing %d reports first\n", o.reportsSeed)
			if err := l.seedReports(ctx, o.reportsSeed); err != nil {
				return nil, err
			}
			seeded = true
		}
		fmt.Fprintf(stderr, "phase %s for %s\n", ph.name, o.duration)
		before := meter.read()
		r := l.drive(ctx, ph, o.duration)
		r.cpu = meter.read().since(before)
		results = append(results, r)
		for _, e := range r.sampleErrors {
			fmt.Fprintf(stderr, "  %s error: %s\n", ph.name, e)
		}
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
	}
	printTable(stdout, o, bases, results, l.reportsStored.Load())
	return results, nil
}
