package app

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// gatedReports is a report store whose figures wait at a gate, counting
// the commits a test makes.
type gatedReports struct {
	reportStore // the methods build doesn't call
	commits     atomic.Uint64
	entered     chan int64
	gate        chan struct{}
}

func (g *gatedReports) Commits() uint64 { return g.commits.Load() }

func (g *gatedReports) Release(_ context.Context, id int64) (*sandpit.Release, error) {
	r := &sandpit.Release{}
	r.ID, r.Version = id, "1.0"
	return r, nil
}

func (g *gatedReports) ComparableReleases(context.Context, int64) (int64, int64, error) {
	return 0, 0, nil
}

func (g *gatedReports) ReleaseFigures(_ context.Context, id int64, _ bool) (*findings.Figures, error) {
	g.entered <- id
	<-g.gate
	return &findings.Figures{}, nil
}

// TestReportBuildsFollowCommits checks that readers share a report only
// while no write has been committed since it was begun: one arriving after
// a commit gets a report of its own, begun after the commit.
func TestReportBuildsFollowCommits(t *testing.T) {
	g := &gatedReports{entered: make(chan int64), gate: make(chan struct{})}
	r := &Reports{store: g}
	if a, b := r.buildKey(7, false), r.buildKey(7, false); a != b {
		t.Errorf("keys of two readers with no commit between: %q, %q; want the same", a, b)
	}
	if a, b := r.buildKey(7, false), r.buildKey(7, true); a == b {
		t.Errorf("keys of the team's and a researcher's report are both %q", a)
	}
	// build makes release 7's report in a goroutine of its own.
	build := func() chan *findings.Report {
		done := make(chan *findings.Report)
		go func() {
			rep, err := r.build(context.Background(), 7, false)
			if err != nil {
				t.Error(err)
			}
			done <- rep
		}()
		return done
	}
	first := build()
	<-g.entered // the first report is being made
	before := r.buildKey(7, false)
	g.commits.Add(1)
	if after := r.buildKey(7, false); after == before {
		t.Fatalf("key after a commit %q, the same as before it", after)
	}
	second := build()
	// The second reader makes its own report: its figures are read anew,
	// while the first's still wait at the gate.
	select {
	case id := <-g.entered:
		if id != 7 {
			t.Fatalf("figures of release %d, want 7", id)
		}
	case <-time.After(time.Minute):
		// A generous deadline, not a measure of speed: the second reader
		// joined the first report, begun before the commit.
		t.Fatal("the second reader's figures were never read")
	}
	close(g.gate)
	if a, b := <-first, <-second; a == nil || b == nil || a == b {
		t.Errorf("reports %p and %p; want two", a, b)
	}
}
