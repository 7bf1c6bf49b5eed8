package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/testdb"
)

// batchWorld is a store with an open release of two tasks (a → b → done)
// and trials of it, on SQLite or (with SANDPIT_TEST_POSTGRES) PostgreSQL,
// with a clock the test sets.
type batchWorld struct {
	s     *Store
	def   *sandpit.Definition
	rel   int64
	clock *testdb.Clock
}

func newBatchWorld(t testing.TB) *batchWorld {
	clock := testdb.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	loc, err := ParseURL(testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), loc, clock.Now, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	g := generate(t, s, 0, 2, 0)
	def, err := s.PublishedDefinition(context.Background(), g.release)
	if err != nil {
		t.Fatal(err)
	}
	return &batchWorld{s: s, def: def, rel: g.release, clock: clock}
}

// trial starts a trial for a new clinician and returns what a write to task
// needs.
func (w *batchWorld) trial(t testing.TB, name, task string) TrialWrite {
	ctx := context.Background()
	u, err := w.s.CreateUser(ctx, sandpit.NewUser{Email: name + "@example.nhs.uk", Name: name, Roles: []sandpit.Role{sandpit.RoleClinician},
		Profile: &sandpit.Profile{Profession: "nurse", Setting: "acute", LegacyFamiliarity: 3}}, "x", sandpit.AuditEntry{Action: sandpit.AuditUserCreated})
	if err != nil {
		t.Fatal(err)
	}
	tr, _, err := w.s.StartTrial(ctx, w.rel, u.ID, 1, true, sandpit.AuditEntry{Action: sandpit.AuditConsent})
	if err != nil {
		t.Fatal(err)
	}
	return TrialWrite{TrialID: tr.ID, UserID: u.ID, TaskKey: task, Def: w.def, Open: true}
}

// click is a trial op clicking (x, y) as seq.
func (w *batchWorld) click(tw TrialWrite, seq, x, y int) *batchOp {
	return &batchOp{ctx: context.Background(), trial: &trialOp{w: tw, task: w.def.Task(tw.TaskKey),
		click: &ClickInput{Seq: seq, Via: sandpit.ViaPointer, X: x, Y: y}}, done: make(chan error, 1)}
}

func (w *batchWorld) start(tw TrialWrite) *batchOp {
	return &batchOp{ctx: context.Background(), trial: &trialOp{w: tw, task: w.def.Task(tw.TaskKey)}, done: make(chan error, 1)}
}

// commit runs ops as one batch and returns each op's answer.
func (w *batchWorld) commit(ops ...*batchOp) []error {
	w.s.batcher.commit(ops)
	errs := make([]error, len(ops))
	for i, op := range ops {
		errs[i] = <-op.done
	}
	return errs
}

// clicksOf is the seqs stored for the attempt at tw's task, and its last
// seq.
func (w *batchWorld) clicksOf(t *testing.T, tw TrialWrite) ([]int, int) {
	t.Helper()
	var a attemptRow
	if err := w.s.write.Where("trial_id = ? AND task_key = ?", tw.TrialID, tw.TaskKey).Take(&a).Error; err != nil {
		t.Fatal(err)
	}
	var seqs []int
	if err := w.s.write.Model(&clickRow{}).Where("attempt_id = ?", a.ID).Order("seq").Pluck("seq", &seqs).Error; err != nil {
		t.Fatal(err)
	}
	return seqs, a.LastSeq
}

func TestBatchFailingOpLeavesItsNeighbours(t *testing.T) {
	w := newBatchWorld(t)
	ann, bob := w.trial(t, "ann", "t0"), w.trial(t, "bob", "t0")
	notStarted := ann
	notStarted.TaskKey = "t1"
	someoneElse := bob
	someoneElse.UserID = ann.UserID
	failing := &batchOp{ctx: context.Background(), done: make(chan error, 1), fn: func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE trials SET consent_version = 99 WHERE id = ?", ann.TrialID).Error; err != nil {
			return err
		}
		return errors.New("this op fails after writing")
	}}
	// Hotspot (0, 0, 10, 10) of a leads to b; (50, 50) misses.
	errs := w.commit(
		w.start(ann), w.start(bob),
		w.click(ann, 1, 5, 5),        // hit: a → b
		w.click(ann, 3, 5, 5),        // out of order
		w.click(notStarted, 1, 5, 5), // task not started
		w.click(someoneElse, 1, 5, 5),
		w.click(ann, 2, 500, 5), // outside the screen (100 × 100)
		failing,
		w.click(bob, 1, 50, 50), // miss
		w.click(ann, 2, 50, 50), // miss
	)
	want := []string{"", "", "", sandpit.ECONFLICT, sandpit.ECONFLICT, sandpit.ENOTFOUND, sandpit.EINVALID, "?", "", ""}
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
	if seqs, last := w.clicksOf(t, ann); fmt.Sprint(seqs) != "[1 2]" || last != 2 {
		t.Errorf("ann's clicks = %v, last seq %d; want [1 2], 2", seqs, last)
	}
	if seqs, last := w.clicksOf(t, bob); fmt.Sprint(seqs) != "[1]" || last != 1 {
		t.Errorf("bob's clicks = %v, last seq %d; want [1], 1", seqs, last)
	}
	var version int
	w.s.write.Raw("SELECT consent_version FROM trials WHERE id = ?", ann.TrialID).Scan(&version)
	if version != 1 {
		t.Errorf("the failing op's write stayed: consent version %d", version)
	}
}

func TestBatchReplaysARepeatedSeq(t *testing.T) {
	w := newBatchWorld(t)
	ann := w.trial(t, "ann", "t0")
	if errs := w.commit(w.start(ann), w.click(ann, 1, 50, 50)); errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	ops := []*batchOp{
		w.click(ann, 2, 5, 5),   // hit: a → b
		w.click(ann, 2, 50, 50), // the same seq again: its first answer, whatever it says
		w.click(ann, 1, 5, 5),   // seq 1, from the batch before: a miss on a
		w.click(ann, 3, 5, 5),   // hit: b → done
		w.click(ann, 3, 5, 5),
	}
	for i, err := range w.commit(ops...) {
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	answers := []ClickAnswer{{Hit: true, Screen: "b"}, {Hit: true, Screen: "b"}, {Hit: false, Screen: "a"},
		{Hit: true, Screen: "done", Done: true, Outcome: sandpit.OutcomeDirect}, {Hit: true, Screen: "done", Done: true, Outcome: sandpit.OutcomeDirect}}
	for i, op := range ops {
		if got := *op.trial.answer; got != answers[i] {
			t.Errorf("op %d answered %+v, want %+v", i, got, answers[i])
		}
	}
	if seqs, last := w.clicksOf(t, ann); fmt.Sprint(seqs) != "[1 2 3]" || last != 3 {
		t.Errorf("clicks = %v, last seq %d; want [1 2 3], 3", seqs, last)
	}
}

// TestBatchCloseLosesNoAcknowledgedClick closes the store while clients
// click, then opens the file again: every click answered without an error
// is there, and no other.
func TestBatchCloseLosesNoAcknowledgedClick(t *testing.T) {
	w := newBatchWorld(t)
	var writes []TrialWrite
	for i := range 40 {
		tw := w.trial(t, fmt.Sprintf("c%d", i), "t0")
		if _, err := w.s.StartAttempt(context.Background(), tw); err != nil {
			t.Fatal(err)
		}
		writes = append(writes, tw)
	}
	acked := make([]int, len(writes))
	var wg sync.WaitGroup
	for i, tw := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 1; ; seq++ {
				// Misses on a, so the attempt never ends.
				if _, err := w.s.RecordClick(context.Background(), tw, ClickInput{Seq: seq, Via: sandpit.ViaPointer, X: 50, Y: 50}); err != nil {
					return
				}
				acked[i] = seq
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // let the clients get going; not a timing assertion
	if err := w.s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	s, err := Open(context.Background(), w.s.location, time.Now, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w.s = s
	total := 0
	for i, tw := range writes {
		seqs, last := w.clicksOf(t, tw)
		total += acked[i]
		// The last click may have committed as the store closed, its
		// answer lost: at most one more than acknowledged.
		if len(seqs) != last || last < acked[i] || last > acked[i]+1 {
			t.Errorf("client %d: %d clicks stored, last seq %d; %d acknowledged", i, len(seqs), last, acked[i])
		}
	}
	if total == 0 {
		t.Fatal("no click was acknowledged before the store closed")
	}
}

// TestReportCandidatesNarrowedInSQL stores reports through CreateReport:
// the SQL that narrows the candidates must keep every report METRICS.md's
// grouping could join (images are 100 × 100, so pins join within 14.1).
func TestReportCandidatesNarrowedInSQL(t *testing.T) {
	w := newBatchWorld(t)
	ann := w.trial(t, "ann", "")
	var wf int64
	w.s.write.Raw("SELECT workflow_id FROM releases WHERE id = ?", w.rel).Scan(&wf)
	report := func(x, y int, category, text string) int64 {
		t.Helper()
		r, err := w.s.CreateReport(context.Background(), ann, wf, sandpit.Report{Screen: "a", X: x, Y: y, Category: category, Severity: 2, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return r.FindingID
	}
	first := report(10, 10, "layout", "Allergies hidden below the fold.")
	cases := []struct {
		name     string
		x, y     int
		category string
		text     string
		joins    bool
	}{
		{"far, sharing 4 of 5 words", 90, 90, "layout", "The allergies are hidden below the fold banner.", true},
		{"far, sharing 2 of 4 words", 90, 10, "layout", "Allergies hidden: scrolling, colour.", false},
		{"near, no word shared", 15, 20, "layout", "Completely unrelated remark.", true},
		{"far, no word shared", 50, 90, "layout", "Spelling mistake in heading.", false},
		{"near, other category", 10, 10, "navigation", "Allergies hidden below the fold.", false},
	}
	for _, c := range cases {
		got := report(c.x, c.y, c.category, c.text)
		if (got == first) != c.joins {
			t.Errorf("%s: finding %d, first report's %d; want joined %v", c.name, got, first, c.joins)
		}
	}
}

// TestReportWordsStoredAndMigrated checks a report's word rows, those that
// 0013_report_words makes from the word lists stored before it, and that a
// report stored with no word set (before 0009_write_path) is still a
// candidate.
func TestReportWordsStoredAndMigrated(t *testing.T) {
	w := newBatchWorld(t)
	ann := w.trial(t, "ann", "")
	ctx := context.Background()
	var wf int64
	w.s.write.Raw("SELECT workflow_id FROM releases WHERE id = ?", w.rel).Scan(&wf)
	report := func(x, y int, text string) *sandpit.Report {
		t.Helper()
		r, err := w.s.CreateReport(ctx, ann, wf, sandpit.Report{Screen: "a", X: x, Y: y, Category: "layout", Severity: 2, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	wordsOf := func(id int64) string {
		t.Helper()
		var words []string
		err := w.s.write.Raw(`SELECT word FROM report_words WHERE report_id = ? AND workflow_id = ? AND screen = 'a' AND category = 'layout' ORDER BY word`,
			id, wf).Scan(&words).Error
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(words, " ")
	}
	first := report(10, 10, "Allergies hidden below the fold.")
	blank := report(80, 80, "The. It!")
	// "the", "below" and "it" are stop words; the words are lower-cased.
	if got, want := wordsOf(first.ID), "allergies fold hidden"; got != want {
		t.Errorf("word rows of the first report: %q, want %q", got, want)
	}
	if got := wordsOf(blank.ID); got != "" {
		t.Errorf("word rows of a report with no words: %q, want none", got)
	}

	// The migration's split, run again on the word lists stored, makes the
	// same rows.
	if err := w.s.write.Exec(`DELETE FROM report_words`).Error; err != nil {
		t.Fatal(err)
	}
	var split string
	for _, m := range migrations {
		if m.version == "0013_report_words" {
			split = dialectTypes(w.s.dialect).Replace(m.statements[2])
		}
	}
	if err := w.s.write.Exec(split).Error; err != nil {
		t.Fatal(err)
	}
	if got, want := wordsOf(first.ID), "allergies fold hidden"; got != want {
		t.Errorf("word rows the migration made: %q, want %q", got, want)
	}
	if got := wordsOf(blank.ID); got != "" {
		t.Errorf("word rows the migration made of a report with no words: %q, want none", got)
	}

	// A pin exactly at the limit (hypot(10, 10) = 0.1 × hypot(100, 100))
	// joins, with no word shared.
	if got := report(20, 20, "Completely unrelated remark."); got.FindingID != first.FindingID {
		t.Errorf("report pinned at the limit: finding %d, want %d", got.FindingID, first.FindingID)
	}

	// A report stored with no word set is read by its own index and still
	// joins a far report sharing 2 of 4 words in all (Jaccard 0.5).
	if err := w.s.write.Exec(`UPDATE reports SET words = NULL WHERE id = ?`, first.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.s.write.Exec(`DELETE FROM report_words WHERE report_id = ?`, first.ID).Error; err != nil {
		t.Fatal(err)
	}
	if got := report(10, 90, "Allergies hidden below the banner."); got.FindingID != first.FindingID {
		t.Errorf("far report sharing 2 of 4 words with a report without a word set: finding %d, want %d", got.FindingID, first.FindingID)
	}
}

// TestReportCandidatesSince checks the writer's read on SQLite: every
// report of the screen and category stored after the read pool's, however
// far and whatever its words, and no other.
func TestReportCandidatesSince(t *testing.T) {
	w := newBatchWorld(t)
	if w.s.dialect != SQLite {
		t.Skip("PostgreSQL's writer reads every candidate")
	}
	ann := w.trial(t, "ann", "")
	ctx := context.Background()
	var wf int64
	w.s.write.Raw("SELECT workflow_id FROM releases WHERE id = ?", w.rel).Scan(&wf)
	report := func(x, y int, category, text string) *sandpit.Report {
		t.Helper()
		r, err := w.s.CreateReport(ctx, ann, wf, sandpit.Report{Screen: "a", X: x, Y: y, Category: category, Severity: 2, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	seen := report(10, 10, "layout", "Allergies hidden below the fold.")
	far := report(90, 90, "layout", "Spelling mistake in heading.")
	report(10, 10, "navigation", "Allergies hidden below the fold.")
	c := candidateQuery{workflowID: wf, report: sandpit.Report{Screen: "a", Category: "layout", X: 10, Y: 10}}
	got, err := c.since(w.s.write, seen.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].FindingID != far.FindingID || got[0].X != 90 || !got[0].Words["spelling"] {
		t.Errorf("candidates since report %d: %+v; want only the far layout report, with its words", seen.ID, got)
	}
}
