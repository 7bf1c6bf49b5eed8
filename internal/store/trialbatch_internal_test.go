package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// change is a trial op applying change to the attempt at tw's task, as
// Store.UpdateAttempt queues it.
func (w *batchWorld) change(tw TrialWrite, change func(a *sandpit.Attempt, now time.Time) error) *batchOp {
	return &batchOp{ctx: context.Background(), trial: &trialOp{w: tw, change: change, now: w.s.now}, done: make(chan error, 1)}
}

// sus is a trial op storing answers and score as tw's trial's SUS.
func (w *batchWorld) sus(tw TrialWrite, answers string, score float64) *batchOp {
	return &batchOp{ctx: context.Background(), trial: &trialOp{w: tw, sus: &susAnswers{answers: answers, score: score}, now: w.s.now}, done: make(chan error, 1)}
}

// The changes the trial service makes.
var (
	pause  = func(a *sandpit.Attempt, now time.Time) error { return a.Pause(now) }
	resume = func(a *sandpit.Attempt, now time.Time) error { a.Resume(now); return nil }
	giveUp = func(a *sandpit.Attempt, now time.Time) error { return a.GiveUp(now) }
)

func rate(ease int, comment string) func(a *sandpit.Attempt, now time.Time) error {
	return func(a *sandpit.Attempt, _ time.Time) error { return a.Rate(ease, comment) }
}

// attemptOf reads the attempt at tw's task as stored.
func (w *batchWorld) attemptOf(t *testing.T, tw TrialWrite) *sandpit.Attempt {
	t.Helper()
	var r attemptRow
	if err := w.s.write.Where("trial_id = ? AND task_key = ?", tw.TrialID, tw.TaskKey).Take(&r).Error; err != nil {
		t.Fatal(err)
	}
	return r.domain()
}

// clickTimes are the t_ms of the clicks stored on attempt id, in seq order.
func (w *batchWorld) clickTimes(t *testing.T, id int64) []int64 {
	t.Helper()
	var ms []int64
	if err := w.s.write.Model(&clickRow{}).Where("attempt_id = ?", id).Order("seq").Pluck("t_ms", &ms).Error; err != nil {
		t.Fatal(err)
	}
	return ms
}

// susOf is the SUS answers and score stored on tw's trial ("" and nil when
// none).
func (w *batchWorld) susOf(t *testing.T, tw TrialWrite) (string, *float64) {
	t.Helper()
	var r trialRow
	if err := w.s.write.Where("id = ?", tw.TrialID).Take(&r).Error; err != nil {
		t.Fatal(err)
	}
	if r.SUS == nil {
		return "", r.SUSScore
	}
	return *r.SUS, r.SUSScore
}

// checkErrors compares a batch's answers with want: "" success, an error
// code, or "?" any error.
func checkErrors(t *testing.T, errs []error, want []string) {
	t.Helper()
	for i, err := range errs {
		switch {
		case want[i] == "?":
			if err == nil {
				t.Errorf("op %d succeeded, want its own error", i)
			}
		case want[i] == "" && err != nil:
			t.Errorf("op %d = %v, want success", i, err)
		case want[i] != "" && sandpit.ErrorCode(err) != want[i]:
			t.Errorf("op %d = %v, want %s", i, err, want[i])
		}
	}
}

// TestBatchTrialOpsInArrivalOrder runs starts, clicks, pauses, resumes,
// give-ups, ratings and SUS answers of several trials in one batch: each op
// sees the ops before it on the same attempt, as if run one by one, and one
// refused leaves its neighbours, before and after, as they are.
func TestBatchTrialOpsInArrivalOrder(t *testing.T) {
	w := newBatchWorld(t)
	t0 := w.clock.Now()
	ann, bob, carol := w.trial(t, "ann", "t0"), w.trial(t, "bob", "t0"), w.trial(t, "carol", "t0")
	annT1 := ann
	annT1.TaskKey = "t1" // never started
	someoneElse := bob
	someoneElse.UserID = ann.UserID
	if err := w.s.write.Exec("UPDATE trials SET completed_at = ? WHERE id = ?", t0, carol.TrialID).Error; err != nil {
		t.Fatal(err)
	}
	checkErrors(t, w.commit(w.start(ann), w.start(bob)), []string{"", ""})
	w.clock.Advance(10 * time.Second)

	halfDone := errors.New("refused after changing the attempt")
	ops := []*batchOp{
		w.click(ann, 1, 50, 50),    // 0: miss on a
		w.change(ann, pause),       // 1
		w.click(ann, 2, 5, 5),      // 2: paused
		w.change(ann, rate(5, "")), // 3: not finished
		w.change(annT1, pause),     // 4: not started
		w.change(ann, resume),      // 5
		w.click(ann, 2, 5, 5),      // 6: hit a → b
		w.sus(ann, "[4,2,4,2,4,2,4,2,4,2]", 75),
		w.change(bob, giveUp),            // 8
		w.change(bob, rate(9, "")),       // 9: ease out of 1 to 7
		w.change(bob, rate(4, "Clear.")), // 10
		w.change(bob, func(a *sandpit.Attempt, _ time.Time) error { // 11
			a.Comment, a.Ease = "half done", nil
			return halfDone
		}),
		w.click(bob, 1, 5, 5),                     // 12: gave up
		w.sus(carol, "[5,5,5,5,5,5,5,5,5,5]", 50), // 13: completed
		w.sus(someoneElse, "[4,2,4,2,4,2,4,2,4,2]", 75),
	}
	errs := w.commit(ops...)
	checkErrors(t, errs, []string{"", "", sandpit.ECONFLICT, sandpit.ECONFLICT, sandpit.ECONFLICT, "", "", "",
		"", sandpit.EINVALID, "", "?", sandpit.ECONFLICT, sandpit.ECONFLICT, sandpit.ENOTFOUND})
	if !errors.Is(errs[11], halfDone) {
		t.Errorf("op 11 = %v, want its change's error", errs[11])
	}

	// Each change answers with the attempt as it left it.
	a := w.attemptOf(t, ann)
	if p := ops[1].trial.attempt; p == nil || p.ID != a.ID || !p.Paused() || p.LastSeq != 1 || p.Interruptions != 1 {
		t.Errorf("the pause answered %+v, want attempt %d paused after click 1", p, a.ID)
	}
	if r := ops[5].trial.attempt; r == nil || r.Paused() || r.LastSeq != 1 {
		t.Errorf("the resume answered %+v, want attempt running after click 1", r)
	}
	if got := *ops[6].trial.answer; got != (ClickAnswer{Hit: true, Screen: "b"}) {
		t.Errorf("click 2 after the resume answered %+v, want a hit showing b", got)
	}

	// Ann's attempt: two clicks at 10 s (paused for no time), one pause.
	if seqs, _ := w.clicksOf(t, ann); fmt.Sprint(seqs) != "[1 2]" {
		t.Errorf("ann's clicks = %v, want [1 2]", seqs)
	}
	if ms := w.clickTimes(t, a.ID); fmt.Sprint(ms) != "[10000 10000]" {
		t.Errorf("ann's click times = %v ms, want [10000 10000]", ms)
	}
	if a.Screen != "b" || fmt.Sprint(a.Path) != "[a b]" || a.LastSeq != 2 || a.Clicks != 2 || a.Misclicks != 1 ||
		a.Interruptions != 1 || a.Paused() || a.PausedMs != 0 || a.Done() || a.Ease != nil {
		t.Errorf("ann's attempt = %+v, want on b after 2 clicks, 1 miss, 1 interruption, running", a)
	}
	if answers, score := w.susOf(t, ann); answers != "[4,2,4,2,4,2,4,2,4,2]" || score == nil || *score != 75 {
		t.Errorf("ann's SUS = %s, %v; want the answers stored and 75", answers, score)
	}

	// Bob's: given up at 10 s, rated 4, untouched by the change refused.
	b := w.attemptOf(t, bob)
	if b.Outcome != sandpit.OutcomeGaveUp || b.DurationMs == nil || *b.DurationMs != 10000 || b.EndedAt == nil || !b.EndedAt.Equal(t0.Add(10*time.Second)) ||
		b.Ease == nil || *b.Ease != 4 || b.Comment != "Clear." || b.LastSeq != 0 {
		t.Errorf("bob's attempt = %+v, want given up after 10000 ms, rated 4 \"Clear.\", no click", b)
	}
	if answers, score := w.susOf(t, carol); answers != "" || score != nil {
		t.Errorf("the completed trial's SUS = %s, %v; want none", answers, score)
	}
	if answers, score := w.susOf(t, bob); answers != "" || score != nil {
		t.Errorf("bob's SUS, sent by someone else = %s, %v; want none", answers, score)
	}

	// Paused in one batch and resumed 20 s later in another, with a click
	// ending the task: 20 s paused, 2 interruptions, 30 − 20 = 10 s taken.
	checkErrors(t, w.commit(w.change(ann, pause)), []string{""})
	w.clock.Advance(20 * time.Second)
	ops = []*batchOp{w.change(ann, resume), w.click(ann, 3, 5, 5), w.change(ann, rate(6, "Fine."))}
	checkErrors(t, w.commit(ops...), []string{"", "", ""})
	if got := *ops[1].trial.answer; got != (ClickAnswer{Hit: true, Screen: "done", Done: true, Outcome: sandpit.OutcomeDirect}) {
		t.Errorf("click 3 answered %+v, want done, direct", got)
	}
	a = w.attemptOf(t, ann)
	if a.PausedMs != 20000 || a.Interruptions != 2 || a.Outcome != sandpit.OutcomeDirect || a.DurationMs == nil || *a.DurationMs != 10000 ||
		a.Ease == nil || *a.Ease != 6 || a.Comment != "Fine." {
		t.Errorf("ann's attempt = %+v, want 20000 ms paused, 2 interruptions, direct in 10000 ms, rated 6", a)
	}
	if ms := w.clickTimes(t, a.ID); fmt.Sprint(ms) != "[10000 10000 10000]" {
		t.Errorf("ann's click times = %v ms, want [10000 10000 10000]", ms)
	}
}

// TestBatchStartsAndChangesANewAttempt starts an attempt and changes it in
// the same batch: the attempt is inserted as the ops left it, and each op
// answers with it as it stood then, with its id.
func TestBatchStartsAndChangesANewAttempt(t *testing.T) {
	w := newBatchWorld(t)
	dan := w.trial(t, "dan", "t0")
	ops := []*batchOp{w.start(dan), w.change(dan, pause), w.click(dan, 1, 5, 5), w.start(dan), w.change(dan, giveUp)}
	checkErrors(t, w.commit(ops...), []string{"", "", sandpit.ECONFLICT, "", ""})
	a := w.attemptOf(t, dan)
	if a.ID == 0 || a.Outcome != sandpit.OutcomeGaveUp || a.Interruptions != 1 || a.Paused() || a.LastSeq != 0 {
		t.Errorf("dan's attempt = %+v, want given up after one pause, no click", a)
	}
	for i, want := range []struct{ paused, done bool }{{false, false}, {true, false}, {}, {true, false}, {false, true}} {
		if i == 2 { // the click refused
			continue
		}
		if got := ops[i].trial.attempt; got == nil || got.ID != a.ID || got.Paused() != want.paused || got.Done() != want.done {
			t.Errorf("op %d answered %+v, want attempt %d paused %v, done %v", i, got, a.ID, want.paused, want.done)
		}
	}
}

// TestBatchTrialOpsAloneWhenTheSetFails makes the set's statements fail (a
// click row already there, as no seq check would allow): the set is undone
// and each op runs alone, so only the click is refused.
func TestBatchTrialOpsAloneWhenTheSetFails(t *testing.T) {
	w := newBatchWorld(t)
	ann, bob := w.trial(t, "ann", "t0"), w.trial(t, "bob", "t0")
	checkErrors(t, w.commit(w.start(ann), w.start(bob)), []string{"", ""})
	b := w.attemptOf(t, bob)
	if err := w.s.write.Exec(`INSERT INTO clicks (attempt_id, seq, screen, x, y, hit, at, t_ms) VALUES (?, 1, 'a', 50, 50, ?, ?, 1)`,
		b.ID, false, w.clock.Now()).Error; err != nil {
		t.Fatal(err)
	}
	checkErrors(t, w.commit(w.change(ann, pause), w.click(bob, 1, 5, 5), w.sus(ann, "[3,3,3,3,3,3,3,3,3,3]", 50), w.change(bob, giveUp)),
		[]string{"", "?", "", ""})
	if a := w.attemptOf(t, ann); !a.Paused() || a.Interruptions != 1 {
		t.Errorf("ann's attempt = %+v, want paused", a)
	}
	if answers, score := w.susOf(t, ann); answers != "[3,3,3,3,3,3,3,3,3,3]" || score == nil || *score != 50 {
		t.Errorf("ann's SUS = %s, %v; want the answers stored and 50", answers, score)
	}
	if b := w.attemptOf(t, bob); b.LastSeq != 0 || b.Outcome != sandpit.OutcomeGaveUp {
		t.Errorf("bob's attempt = %+v, want given up with no click recorded", b)
	}
}

// TestTrialOpsKeepTheHotReads: a pause keeps the reads kept before trial
// writes; SUS answers forget their trial's, so the next read has the score.
func TestTrialOpsKeepTheHotReads(t *testing.T) {
	w := newBatchWorld(t)
	ctx := context.Background()
	ann := w.trial(t, "ann", "t0")
	// Kept for an hour, so that what is kept depends on the writes alone.
	w.s.hot = newHot(time.Hour)
	tr, _, err := w.s.TrialAndRelease(ctx, ann.TrialID, ann.UserID)
	if err != nil || tr.SUSScore != nil {
		t.Fatalf("trial %+v, %v; want one with no SUS", tr, err)
	}
	started, err := w.s.StartAttempt(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	paused, err := w.s.UpdateAttempt(ctx, ann, pause)
	if err != nil || paused.ID != started.ID || !paused.Paused() {
		t.Fatalf("UpdateAttempt = %+v, %v; want attempt %d paused", paused, err, started.ID)
	}
	if _, ok := w.s.hot.trials.Peek(trialKey{ann.TrialID, ann.UserID}); !ok {
		t.Error("a start and a pause emptied the kept trial reads")
	}
	if err := w.s.SaveSUS(ctx, ann, []int{4, 2, 4, 2, 4, 2, 4, 2, 4, 2}, 75); err != nil {
		t.Fatal(err)
	}
	tr, _, err = w.s.TrialAndRelease(ctx, ann.TrialID, ann.UserID)
	if err != nil || tr.SUSScore == nil || *tr.SUSScore != 75 || fmt.Sprint(tr.SUS) != "[4 2 4 2 4 2 4 2 4 2]" {
		t.Errorf("trial after SUS = %+v, %v; want its answers and 75", tr, err)
	}
}

// TestTrialChangesLoseNoUpdateAcrossReplicas changes the same attempts at
// once from two stores on one PostgreSQL database (on SQLite, one store):
// each change adds an interruption, so the count stored is the number of
// changes acknowledged, whichever replica's batch read the attempt first.
func TestTrialChangesLoseNoUpdateAcrossReplicas(t *testing.T) {
	w := newBatchWorld(t)
	ctx := context.Background()
	stores := w.replicas(t)
	var writes []TrialWrite
	for i := range 6 {
		tw := w.trial(t, fmt.Sprintf("c%d", i), "t0")
		if _, err := w.s.StartAttempt(ctx, tw); err != nil {
			t.Fatal(err)
		}
		writes = append(writes, tw)
	}
	interrupt := func(a *sandpit.Attempt, _ time.Time) error { a.Interruptions++; return nil }
	acked := make([][2]int, len(writes))
	var wg sync.WaitGroup
	for i, tw := range writes {
		for r, s := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 20 {
					if _, err := s.UpdateAttempt(ctx, tw, interrupt); err != nil {
						t.Errorf("client %d on replica %d: %v", i, r, err)
						continue
					}
					acked[i][r]++
				}
			}()
		}
	}
	wg.Wait()
	for i, tw := range writes {
		if got, want := w.attemptOf(t, tw).Interruptions, acked[i][0]+acked[i][1]; got != want || want == 0 {
			t.Errorf("client %d: %d interruptions stored, %d changes acknowledged", i, got, want)
		}
	}
}
