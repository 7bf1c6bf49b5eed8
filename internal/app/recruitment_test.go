package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// newClinician creates a clinician of profession and returns them as an actor.
func (w *world) newClinician(email, profession string) app.Actor {
	w.t.Helper()
	n := sandpit.NewUser{Email: email, Name: email, Roles: []sandpit.Role{sandpit.RoleClinician},
		Profile: &sandpit.Profile{Profession: profession, Setting: "acute", YearsExperience: 3, LegacyFamiliarity: 2}}
	if _, err := w.st.CreateUser(w.ctx, n, "not a hash", sandpit.AuditEntry{Action: sandpit.AuditUserCreated}); err != nil {
		w.t.Fatal(err)
	}
	return w.actor(email)
}

func TestRecruitmentPermissions(t *testing.T) {
	invite := func(w *world, a app.Actor) error {
		w.app = app.New(w.st, mailConfig(w, time.Hour))
		_, err := w.app.Recruitment.Invite(w.ctx, a, w.release, []string{"new.nurse@example.nhs.uk"})
		return err
	}
	// Product owners of the team and admins; a clinician sees the open
	// release but may not; anyone else does not see it.
	owners := only(sandpit.ENOTFOUND, kindAdmin, kindOwner)
	owners = with(owners, kindClinician, sandpit.EFORBIDDEN)
	owners = with(owners, kindResearcher, sandpit.EFORBIDDEN)
	checkPermissions(t, []permissionCase{
		{name: "invite", run: invite, want: owners, writes: true},
		{name: "set targets", run: func(w *world, a app.Actor) error {
			return w.app.Recruitment.SetTargets(w.ctx, a, w.release, map[string]int{"nurse": 8, "doctor": 4})
		}, want: owners, writes: true},
		{name: "recruitment", run: func(w *world, a app.Actor) error {
			_, err := w.app.Recruitment.Status(w.ctx, a, w.release)
			return err
		}, want: owners},
		{name: "targets on the report", run: func(w *world, a app.Actor) error {
			_, err := w.app.Recruitment.ReportTargets(w.ctx, a, w.release)
			return err
		}, want: with(owners, kindResearcher, "")},
	})
}

func TestInviteWithoutMailNamesTheSetting(t *testing.T) {
	w := newWorld(t)
	_, err := w.app.Recruitment.Invite(w.ctx, w.actors[kindOwner], w.release, []string{"a@example.nhs.uk"})
	if sandpit.ErrorCode(err) != sandpit.EUNAVAILABLE || !strings.Contains(sandpit.ErrorMessage(err), "SANDPIT_SMTP_URL") {
		t.Errorf("invite without mail: %v; want EUNAVAILABLE naming SANDPIT_SMTP_URL", err)
	}
}

func TestInviteValidatesAndCounts(t *testing.T) {
	w := newMailWorld(t, time.Hour)
	owner := w.actors[kindOwner]
	_, err := w.app.Recruitment.Invite(w.ctx, owner, w.release, []string{"good@example.nhs.uk", "not an address", "also@bad"})
	f := sandpit.ErrorFields(err)
	if sandpit.ErrorCode(err) != sandpit.EINVALID || len(f) != 2 || f["emails[1]"] == "" || f["emails[2]"] == "" {
		t.Fatalf("bad addresses: %v %v; want EINVALID naming emails[1] and emails[2]", err, f)
	}
	if c, _ := w.st.MailCounts(w.ctx); c.Waiting != 0 {
		t.Fatalf("a refused invitation queued %d emails", c.Waiting)
	}
	if n, err := w.app.Recruitment.Invite(w.ctx, owner, w.release, []string{"a@example.nhs.uk", "b@example.nhs.uk"}); n != 2 || err != nil {
		t.Fatalf("invite: %d, %v", n, err)
	}
	// The clinician takes part and finishes; another nurse only starts.
	nurse := w.newClinician("b@example.nhs.uk", "nurse")
	if _, err := w.app.Trials.Start(w.ctx, nurse, app.StartArgs{ReleaseID: w.release, Accepted: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.st.CompleteTrials(w.ctx, map[int64]time.Time{w.trial: w.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := w.app.Recruitment.SetTargets(w.ctx, owner, w.release, map[string]int{"nurse": 8, "doctor": 4}); err != nil {
		t.Fatal(err)
	}
	r, err := w.app.Recruitment.Status(w.ctx, owner, w.release)
	if err != nil {
		t.Fatal(err)
	}
	// Worked by hand: 2 invited; the world's nurse (completed) and b (started).
	if r.Invited != 2 || r.Started != 2 || r.Completed != 1 {
		t.Errorf("recruitment %+v; want 2 invited, 2 started, 1 completed", r)
	}
	n, d := r.ByProfession["nurse"], r.ByProfession["doctor"]
	if n.Target == nil || *n.Target != 8 || n.Started != 2 || n.Completed != 1 || d.Target == nil || *d.Target != 4 || d.Started != 0 {
		t.Errorf("by profession %+v", r.ByProfession)
	}
	if err := w.app.Recruitment.SetTargets(w.ctx, owner, w.release, map[string]int{"wizard": 2, "nurse": -1}); sandpit.ErrorCode(err) != sandpit.EINVALID ||
		len(sandpit.ErrorFields(err)) != 2 {
		t.Errorf("bad targets: %v %v", err, sandpit.ErrorFields(err))
	}
	// A closed release takes no invitations.
	if err := w.app.Authoring.Close(w.ctx, owner, w.release); err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.Recruitment.Invite(w.ctx, owner, w.release, []string{"c@example.nhs.uk"}); sandpit.ErrorCode(err) != sandpit.ECONFLICT {
		t.Errorf("invite to a closed release: %v", err)
	}
}

// heldStarts is the store with every trial start held until released, so
// a test can have several starts in flight at once.
type heldStarts struct {
	app.TrialStore
	entered chan struct{}
	release chan struct{}
}

func (h *heldStarts) StartTrial(ctx context.Context, releaseID, userID int64, consentVersion int, researchUse bool, entry sandpit.AuditEntry) (*sandpit.Trial, bool, error) {
	h.entered <- struct{}{}
	<-h.release
	return h.TrialStore.StartTrial(ctx, releaseID, userID, consentVersion, researchUse, entry)
}

// The guarantee chosen: the count is checked before the write, so a target
// is exceeded by at most the starts in flight when it was reached, and
// every start after those is refused; a trial already started never is.
func TestTargetNeverExceededByMoreThanStartsInFlight(t *testing.T) {
	w := newMailWorld(t, time.Hour)
	owner := w.actors[kindOwner]
	// The world's clinician is a nurse with a trial: 1 of 3.
	if err := w.app.Recruitment.SetTargets(w.ctx, owner, w.release, map[string]int{"nurse": 3, "doctor": 0}); err != nil {
		t.Fatal(err)
	}
	held := &heldStarts{TrialStore: w.st, entered: make(chan struct{}), release: make(chan struct{})}
	trials := app.NewTrialsOver(held, mailConfig(w, time.Hour))
	const inFlight = 4
	var wg sync.WaitGroup
	errs := make([]error, inFlight)
	for i := range inFlight {
		nurse := w.newClinician(fmt.Sprintf("nurse%d@example.nhs.uk", i), "nurse")
		wg.Go(func() {
			_, errs[i] = trials.Start(w.ctx, nurse, app.StartArgs{ReleaseID: w.release, Accepted: true})
		})
	}
	// All four read 1 started, below 3, before any wrote.
	for range inFlight {
		<-held.entered
	}
	close(held.release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("start %d in flight: %v", i, err)
		}
	}
	started := func() int {
		r, err := w.app.Recruitment.Status(w.ctx, owner, w.release)
		if err != nil {
			t.Fatal(err)
		}
		return r.ByProfession["nurse"].Started
	}
	// 1 before + 4 in flight = 5: over the target of 3 by 2, fewer than
	// the 4 starts in flight.
	if got := started(); got != 1+inFlight || got-3 > inFlight {
		t.Fatalf("%d nurses started, want %d", got, 1+inFlight)
	}
	// Every later nurse is thanked and refused, on the API and the page.
	late := w.newClinician("late.nurse@example.nhs.uk", "nurse")
	_, err := w.app.Trials.Start(w.ctx, late, app.StartArgs{ReleaseID: w.release, Accepted: true})
	if sandpit.ErrorCode(err) != sandpit.ECONFLICT || sandpit.ErrorMessage(err) != "This trial has enough nurses for now, thank you." {
		t.Errorf("a start after the target: %v", err)
	}
	form, err := w.app.Trials.Consent(w.ctx, late, w.release)
	if err != nil || form.CanTake || form.Full != "This trial has enough nurses for now, thank you." {
		t.Errorf("consent form after the target: %+v, %v", form, err)
	}
	// A trial already started is never refused.
	again, err := w.app.Trials.Start(w.ctx, w.actors[kindClinician], app.StartArgs{ReleaseID: w.release, Accepted: true})
	if err != nil || again.Created || again.Trial.ID != w.trial {
		t.Errorf("the world's nurse starting again: %+v, %v", again, err)
	}
	// A target of 0 takes nobody of that profession; one not named is not
	// limited.
	doctor := w.newClinician("doctor@example.nhs.uk", "doctor")
	if _, err := w.app.Trials.Start(w.ctx, doctor, app.StartArgs{ReleaseID: w.release, Accepted: true}); sandpit.ErrorCode(err) != sandpit.ECONFLICT {
		t.Errorf("a doctor with a target of 0: %v", err)
	}
	pharmacist := w.newClinician("pharmacist@example.nhs.uk", "pharmacist")
	if _, err := w.app.Trials.Start(w.ctx, pharmacist, app.StartArgs{ReleaseID: w.release, Accepted: true}); err != nil {
		t.Errorf("a pharmacist with no target: %v", err)
	}
}
