package app_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// racers is how many requests each race test sends at once.
const racers = 50

// race runs op(i) for i in [0, racers) at once, released together, and
// returns each one's error.
func race(op func(i int) error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = op(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// noInternal fails the test for every error a client would see as a 5xx,
// and returns how many answers had each code ("" for success).
func noInternal(t *testing.T, errs []error) map[string]int {
	t.Helper()
	codes := map[string]int{}
	for _, err := range errs {
		code := sandpit.ErrorCode(err)
		codes[code]++
		if code == sandpit.EINTERNAL {
			t.Errorf("an internal error (a 5xx) from a client's race: %v", err)
		}
	}
	t.Logf("answers by code (\"\" is success): %v", codes)
	return codes
}

// count is one number from the world's database.
func (w *world) count(query string, args ...any) int64 {
	w.t.Helper()
	n, err := storetest.Count(w.ctx, w.st, query, args...)
	w.must(err)
	return n
}

// TestRaceDoubleConsent is issue 14's double-submitted consent: every
// submission answers with the one trial (API.md's 200 for all but the
// first), never trials_release_id_user_id_key's 500.
func TestRaceDoubleConsent(t *testing.T) {
	w := newWorld(t)
	c := w.otherClinician()
	started := make([]*app.Started, racers)
	errs := race(func(i int) error {
		var err error
		started[i], err = w.app.Trials.Start(w.ctx, c, app.StartArgs{ReleaseID: w.release, Accepted: true, ResearchUse: true})
		return err
	})
	if codes := noInternal(t, errs); codes[""] != racers {
		t.Fatalf("want every consent to answer with the trial: %v", codes)
	}
	created := 0
	for _, s := range started {
		if s.Created {
			created++
		}
		if s.Trial.ID != started[0].Trial.ID {
			t.Errorf("trial %d and trial %d for one consent", s.Trial.ID, started[0].Trial.ID)
		}
	}
	if created != 1 {
		t.Errorf("%d answers say they created the trial, want 1", created)
	}
	if n := w.count("SELECT COUNT(*) FROM trials WHERE release_id = ? AND user_id = ?", w.release, c.ID()); n != 1 {
		t.Errorf("%d trials stored, want 1", n)
	}
}

// TestRaceOppositeMerges is issue 14's opposite merges at once: half the
// curators merge finding a into b while the other half merge b into a. One
// wins; the others are told the finding is gone or has changed.
func TestRaceOppositeMerges(t *testing.T) {
	w := newWorld(t)
	owner := w.actors[kindOwner]
	_, b := w.secondFinding()
	a := w.finding
	errs := race(func(i int) error {
		var err error
		if i%2 == 0 {
			_, err = w.app.Findings.Merge(w.ctx, owner, a, []int64{b})
		} else {
			_, err = w.app.Findings.Merge(w.ctx, owner, b, []int64{a})
		}
		return err
	})
	if codes := noInternal(t, errs); codes[""] != 1 {
		t.Errorf("%d merges succeeded, want 1", codes[""])
	}
	left := w.count("SELECT COUNT(*) FROM findings WHERE id IN (?, ?)", a, b)
	orphans := w.count("SELECT COUNT(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.id = r.finding_id)")
	reports := w.count("SELECT COUNT(*) FROM reports WHERE finding_id IN (?, ?)", a, b)
	if left != 1 || orphans != 0 || reports != 2 {
		t.Errorf("%d of the two findings left (want 1), %d reports without a finding (want 0), %d reports on them (want 2)", left, orphans, reports)
	}
}

// TestRaceWithdrawDuringWrites is issue 14's withdrawal while reports and
// clicks are in flight: the writes before it are deleted with the trial,
// the writes after it are told the trial is gone, and nothing is left
// behind.
func TestRaceWithdrawDuringWrites(t *testing.T) {
	w := newWorld(t)
	w.started()
	c := w.clinician()
	// The withdrawal waits for a few writes to land, so that it meets the
	// rest in flight rather than coming first.
	var landed atomic.Int32
	errs := race(func(i int) error {
		var err error
		switch {
		case i == racers/2:
			for deadline := time.Now().Add(5 * time.Second); landed.Load() < 3 && time.Now().Before(deadline); {
				runtime.Gosched()
			}
			return w.app.Trials.Withdraw(w.ctx, c, w.trial)
		case i%2 == 0:
			_, err = w.app.Trials.Click(w.ctx, c, app.ClickArgs{TrialID: w.trial, Task: taskKey, Seq: ptr(i + 1), X: ptr(1), Y: ptr(1)})
		default:
			_, err = w.app.Trials.Report(w.ctx, c, app.ReportArgs{TrialID: w.trial, Task: taskKey, Screen: "list", X: ptr(10 + i), Y: ptr(10),
				Category: "layout", Severity: 2, Text: "The list is crowded."})
		}
		if err == nil {
			landed.Add(1)
		}
		return err
	})
	noInternal(t, errs)
	if errs[racers/2] != nil {
		t.Fatalf("withdraw: %v", errs[racers/2])
	}
	if n, err := storetest.CountTrialRows(w.ctx, w.st, w.trial); err != nil || n != 0 {
		t.Errorf("%d rows of the withdrawn trial left (%v)", n, err)
	}
	if n := w.count("SELECT COUNT(*) FROM findings f WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.finding_id = f.id)"); n != 0 {
		t.Errorf("%d findings left with no report", n)
	}
}
