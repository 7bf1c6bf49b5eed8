package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/findings"
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
	wf    int64 // the release's workflow
	clock *testdb.Clock
}

func newBatchWorld(t testing.TB) *batchWorld {
	clock := testdb.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	loc, err := ParseURL(testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, loc, clock.Now)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	g := generate(t, s, 0, 2, 0)
	def, err := s.PublishedDefinition(context.Background(), g.release)
	if err != nil {
		t.Fatal(err)
	}
	w := &batchWorld{s: s, def: def, rel: g.release, clock: clock}
	if err := s.write.Raw("SELECT workflow_id FROM releases WHERE id = ?", g.release).Scan(&w.wf).Error; err != nil {
		t.Fatal(err)
	}
	return w
}

// replicas returns two stores on the world's database, as two replicas
// are: on SQLite, which has one writer, its one store twice.
func (w *batchWorld) replicas(t testing.TB) []*Store {
	t.Helper()
	if w.s.dialect != Postgres {
		return []*Store{w.s, w.s}
	}
	return []*Store{w.s, openStore(t, w.s.location, w.clock.Now)}
}

// createReport stores, through CreateReport, tw's report at (x, y) of
// screen a in category with text.
func (w *batchWorld) createReport(t testing.TB, tw TrialWrite, x, y int, category, text string) *sandpit.Report {
	t.Helper()
	r, err := w.s.CreateReport(context.Background(), tw, w.wf, sandpit.Report{Screen: "a", X: x, Y: y, Category: category, Severity: 2, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return r
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
	return &batchOp{ctx: context.Background(), trial: &trialOp{w: tw, task: w.def.Task(tw.TaskKey), now: w.s.now,
		click: &ClickInput{Seq: seq, Via: sandpit.ViaPointer, X: x, Y: y}}, done: make(chan error, 1)}
}

func (w *batchWorld) start(tw TrialWrite) *batchOp {
	return &batchOp{ctx: context.Background(), trial: &trialOp{w: tw, task: w.def.Task(tw.TaskKey), now: w.s.now}, done: make(chan error, 1)}
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
	checkErrors(t, errs, want)
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
	w.s = openStore(t, w.s.location, time.Now)
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

// TestReportCandidatesKeepEveryJoin stores reports through CreateReport:
// the candidates narrowed (by the writer's index on SQLite, in SQL on
// PostgreSQL) must keep every report METRICS.md's grouping could join
// (images are 100 × 100, so pins join within 14.1).
func TestReportCandidatesKeepEveryJoin(t *testing.T) {
	w := newBatchWorld(t)
	ann := w.trial(t, "ann", "")
	report := func(x, y int, category, text string) int64 {
		return w.createReport(t, ann, x, y, category, text).FindingID
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
	wf := w.wf
	report := func(x, y int, text string) *sandpit.Report { return w.createReport(t, ann, x, y, "layout", text) }
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
	var stored string
	w.s.write.Raw(`SELECT words FROM reports WHERE id = ?`, first.ID).Scan(&stored)
	if stored != " allergies fold hidden " {
		t.Errorf("word set stored with the first report: %q, want %q", stored, " allergies fold hidden ")
	}
	if w.s.dialect == Postgres {
		checkWordRows(t, w, wordsOf, first.ID, blank.ID)
	} else if got := wordsOf(first.ID); got != "" {
		t.Errorf("word rows on SQLite, whose writer groups from its own index: %q, want none", got)
	}

	// A pin exactly at the limit (hypot(10, 10) = 0.1 × hypot(100, 100))
	// joins, with no word shared.
	if got := report(20, 20, "Completely unrelated remark."); got.FindingID != first.FindingID {
		t.Errorf("report pinned at the limit: finding %d, want %d", got.FindingID, first.FindingID)
	}

	// A report stored with no word set (before 0009_write_path) is still
	// a candidate, and joins a far report sharing 2 of 4 words in all
	// (Jaccard 0.5).
	if err := w.s.write.Exec(`UPDATE reports SET words = NULL WHERE id = ?`, first.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.s.write.Exec(`DELETE FROM report_words WHERE report_id = ?`, first.ID).Error; err != nil {
		t.Fatal(err)
	}
	w.s.batcher.gen.Add(1) // as every write outside the batcher's sets does
	if got := report(10, 90, "Allergies hidden below the banner."); got.FindingID != first.FindingID {
		t.Errorf("far report sharing 2 of 4 words with a report without a word set: finding %d, want %d", got.FindingID, first.FindingID)
	}
}

// checkWordRows checks the word rows of reports first and blank, and that
// 0013_report_words makes the same rows from the word sets stored.
func checkWordRows(t *testing.T, w *batchWorld, wordsOf func(int64) string, first, blank int64) {
	t.Helper()
	// "the", "below" and "it" are stop words; the words are lower-cased.
	if got, want := wordsOf(first), "allergies fold hidden"; got != want {
		t.Errorf("word rows of the first report: %q, want %q", got, want)
	}
	if got := wordsOf(blank); got != "" {
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
	if got, want := wordsOf(first), "allergies fold hidden"; got != want {
		t.Errorf("word rows the migration made: %q, want %q", got, want)
	}
	if got := wordsOf(blank); got != "" {
		t.Errorf("word rows the migration made of a report with no words: %q, want none", got)
	}
}

// TestGroupCandidatesHoldEveryMatch checks the writer's report index on
// random groups: grouping among the candidates the index picks chooses the
// same finding as grouping among every report of the group.
func TestGroupCandidatesHoldEveryMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 2026))
	vocab := strings.Fields("allergy banner hides dose button save list record colour contrast")
	text := func() string {
		words := make([]string, rng.IntN(6))
		for i := range words {
			words[i] = vocab[rng.IntN(len(vocab))]
		}
		return "The " + strings.Join(words, " ") + "."
	}
	for round := range 1000 {
		// Small screens make pins at the limit common; every other round
		// pins fall on a coarse grid, so that ties in distance are common.
		w, h := 20+rng.IntN(400), 20+rng.IntN(300)
		pin := func() (int, int) {
			if round%2 == 0 {
				return rng.IntN(w + 1), rng.IntN(h + 1)
			}
			return rng.IntN(5) * w / 4, rng.IntN(5) * h / 4
		}
		// The group's squares are sized for another screen of the workflow.
		g := newGroup(float64(1 + rng.IntN(60)))
		var all []findings.Candidate
		for range rng.IntN(80) {
			x, y := pin()
			c := findings.Candidate{Pinned: findings.Pinned{FindingID: int64(1 + rng.IntN(12)), Screen: "a", Category: "layout",
				X: x, Y: y}, Words: findings.Words(text())}
			c.FindingOrder = c.FindingID
			g.add(c)
			all = append(all, c)
		}
		x, y := pin()
		r := findings.Pinned{Screen: "a", Category: "layout", X: x, Y: y, Text: text()}
		limit := findings.PinShare * math.Hypot(float64(w), float64(h))
		got := findings.Match(r, w, h, g.candidates(r.X, r.Y, strings.Fields(findings.WordList(r.Text)), limit))
		if want := findings.Match(r, w, h, all); got != want {
			t.Fatalf("round %d: report %+v on %d×%d joins finding %d among the index's candidates, %d among all", round, r, w, h, got, want)
		}
	}
}

// TestReportIndexFollowsOtherWrites checks that the report index the
// writer keeps between batches is dropped by any other write: a report
// moved to another finding is grouped under that finding afterwards.
func TestReportIndexFollowsOtherWrites(t *testing.T) {
	w := newBatchWorld(t)
	ann := w.trial(t, "ann", "")
	ctx := context.Background()
	report := func(x, y int, text string) *sandpit.Report { return w.createReport(t, ann, x, y, "layout", text) }
	a := report(10, 10, "Allergies hidden below the fold.")
	b := report(90, 90, "Spelling mistake in heading.")
	c := report(12, 12, "Allergies hidden below the fold.")
	if a.FindingID == b.FindingID || c.FindingID != a.FindingID {
		t.Fatalf("findings %d, %d, %d; want the first and third together, the second apart", a.FindingID, b.FindingID, c.FindingID)
	}
	if err := w.s.MoveReport(ctx, a.ID, b.FindingID, sandpit.AuditEntry{Action: sandpit.AuditReportMoved}); err != nil {
		t.Fatal(err)
	}
	// The nearest report is now the moved one (distance 0), in b's finding.
	if d := report(10, 10, "Allergies hidden below the fold."); d.FindingID != b.FindingID {
		t.Errorf("report beside the moved one: finding %d, want %d (where it was moved)", d.FindingID, b.FindingID)
	}
}

// BenchmarkReportBatch measures the writer's cost of a batch of 100
// reports, words and pins drawn as make bench draws them, once 20,000 and
// 60,000 reports are stored: flat would be the same cost at both.
// go test -run NONE -bench ReportBatch ./internal/store/
func BenchmarkReportBatch(b *testing.B) {
	for _, stored := range []int{20_000, 60_000} {
		b.Run(fmt.Sprintf("stored=%d", stored), func(b *testing.B) { benchmarkReportBatch(b, stored) })
	}
}

func benchmarkReportBatch(b *testing.B, stored int) {
	w := newBatchWorld(b)
	wf := w.wf
	tw := w.trial(b, "ann", "")
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := strings.Fields(`allergy banner hides dose button save list record colour contrast font small
		scroll table column sort date time nurse ward bed alert warning red amber green label unclear menu hidden
		search filter slow loading page print summary medicine chart`)
	batch := func(n int) {
		ops := make([]*batchOp, n)
		for i := range ops {
			words := make([]string, 4+rng.IntN(4))
			for k := range words {
				words[k] = vocab[rng.IntN(len(vocab))]
			}
			r := sandpit.Report{Screen: "a", X: rng.IntN(100), Y: rng.IntN(100), Severity: 2, Text: "The " + strings.Join(words, " ") + ".",
				Category: []string{"layout", "navigation", "terminology", "missing_information"}[rng.IntN(4)]}
			ops[i] = &batchOp{ctx: context.Background(), done: make(chan error, 1), report: &reportOp{w: tw, workflowID: wf, report: r,
				screen: w.def.Screen("a"), words: findings.WordList(r.Text), now: w.s.now}}
		}
		for i, err := range w.commit(ops...) {
			if err != nil {
				b.Fatalf("report %d: %v", i, err)
			}
		}
	}
	for range stored / 200 {
		batch(200)
	}
	b.ResetTimer()
	for b.Loop() {
		batch(100)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(100*b.N), "µs/report")
}

// report is a report op of tw on screen a of workflow wf.
func (w *batchWorld) report(tw TrialWrite, wf int64, x, y int, text string) *batchOp {
	r := sandpit.Report{Screen: "a", X: x, Y: y, Category: "layout", Severity: 2, Text: text}
	return &batchOp{ctx: context.Background(), done: make(chan error, 1), report: &reportOp{w: tw, workflowID: wf, report: r,
		screen: w.def.Screen("a"), words: findings.WordList(r.Text), now: w.s.now}}
}

// TestReportBatch checks a batch of reports: each is grouped with those
// before it in the batch, and one that fails, in the domain or in the
// database, is answered alone while the rest are stored.
func TestReportBatch(t *testing.T) {
	w := newBatchWorld(t)
	ann, bob := w.trial(t, "ann", ""), w.trial(t, "bob", "")
	wf := w.wf
	someoneElse := bob
	someoneElse.UserID = ann.UserID
	closed := bob
	closed.Open = false
	ops := []*batchOp{
		w.report(ann, wf, 10, 10, "Allergies hidden below the fold."),
		w.report(someoneElse, wf, 10, 10, "Allergies hidden below the fold."),
		w.report(bob, wf, 12, 12, "The allergies are hidden below the fold."),
		w.report(closed, wf, 10, 10, "Allergies hidden below the fold."),
		w.report(ann, wf+1000, 10, 10, "A workflow that does not exist: its new finding breaks a foreign key."),
		w.report(bob, wf, 90, 90, "Spelling mistake in heading."),
	}
	errs := w.commit(ops...)
	want := []string{"", sandpit.ENOTFOUND, "", sandpit.ECONFLICT, "?", ""}
	checkErrors(t, errs, want)
	first, near, far := ops[0].report.report, ops[2].report.report, ops[5].report.report
	if first.FindingID == 0 || near.FindingID != first.FindingID || far.FindingID == first.FindingID {
		t.Errorf("findings %d, %d, %d; want the first two together, the far one apart", first.FindingID, near.FindingID, far.FindingID)
	}
	var stored []int64
	w.s.write.Raw("SELECT finding_id FROM reports ORDER BY id").Scan(&stored)
	if fmt.Sprint(stored) != fmt.Sprint([]int64{first.FindingID, near.FindingID, far.FindingID}) {
		t.Errorf("stored reports' findings %v, want %v", stored, []int64{first.FindingID, near.FindingID, far.FindingID})
	}
	// The index the writer keeps holds the stored reports only.
	if got := w.commit(w.report(ann, wf, 11, 11, "Allergies hidden below the fold.")); got[0] != nil {
		t.Fatal(got[0])
	}
	var last int64
	w.s.write.Raw("SELECT finding_id FROM reports ORDER BY id DESC LIMIT 1").Scan(&last)
	if last != first.FindingID {
		t.Errorf("a later report beside the first: finding %d, want %d", last, first.FindingID)
	}
}

// TestWriterMemoFollowsAnotherWriter checks that what the writer keeps
// between batches gives way to a write by another server on the same
// database: a second SQLite process (data_version moves) or another
// PostgreSQL replica (nothing is kept there).
func TestWriterMemoFollowsAnotherWriter(t *testing.T) {
	w := newBatchWorld(t)
	ctx := context.Background()
	ann := w.trial(t, "ann", "t0")
	for i, err := range w.commit(w.start(ann), w.click(ann, 1, 50, 50)) {
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	other := openStore(t, w.s.location, w.clock.Now)
	if _, err := other.UpdateAttempt(ctx, ann, func(a *sandpit.Attempt, now time.Time) error { return a.GiveUp(now) }); err != nil {
		t.Fatal(err)
	}
	// The attempt the writer read and kept is over now: a click is refused.
	if errs := w.commit(w.click(ann, 2, 5, 5)); sandpit.ErrorCode(errs[0]) != sandpit.ECONFLICT {
		t.Errorf("click after another server gave the attempt up = %v, want %s", errs[0], sandpit.ECONFLICT)
	}
	if seqs, last := w.clicksOf(t, ann); fmt.Sprint(seqs) != "[1]" || last != 1 {
		t.Errorf("clicks %v, last seq %d; want [1], 1", seqs, last)
	}
}

// TestReportIndexIsBounded checks that the writer's report index starts
// again empty once it holds more than memoReports reports, and reads
// again from the database the groups later reports need.
func TestReportIndexIsBounded(t *testing.T) {
	w := newBatchWorld(t)
	if w.s.dialect != SQLite {
		t.Skip("PostgreSQL's batches keep no report index")
	}
	ann := w.trial(t, "ann", "")
	wf := w.wf
	first := w.report(ann, wf, 10, 10, "Allergies hidden below the fold.")
	checkErrors(t, w.commit(first), []string{""})
	if n := w.s.batcher.kept.indexed; n != 1 {
		t.Fatalf("reports indexed %d, want 1", n)
	}
	w.s.batcher.kept.indexed = memoReports + 1 // as if it held that many
	again := w.report(ann, wf, 12, 12, "Allergies hidden below the fold.")
	checkErrors(t, w.commit(again), []string{""})
	// Emptied, then the group read again: the first report and this one.
	if n := w.s.batcher.kept.indexed; n != 2 {
		t.Errorf("reports indexed %d, want 2", n)
	}
	if got, want := again.report.report.FindingID, first.report.report.FindingID; got != want {
		t.Errorf("finding of the report beside the first, after the index started again: %d, want %d", got, want)
	}
}

// TestReportsGroupAsOneAcrossReplicas sends the same report at once from
// two stores on one database (on SQLite, one store) and checks that they
// group as in some order one after the other: each identical report joins
// the first one's finding, never a second new finding made by a replica
// that grouped before the other committed.
func TestReportsGroupAsOneAcrossReplicas(t *testing.T) {
	w := newBatchWorld(t)
	ctx := context.Background()
	stores := w.replicas(t)
	writes := []TrialWrite{w.trial(t, "ann", ""), w.trial(t, "bob", "")}
	// Each round's reports are pinned 20 px from any other round's, beyond
	// the 14 px limit of the 100 × 100 screen, with words of their own.
	categories := []string{"layout", "navigation", "terminology", "missing_information"}
	for round := range 4 * 16 {
		x, y := 10+20*(round%4), 10+20*(round/4%4)
		category := categories[round/16]
		text := fmt.Sprintf("Round%d banner hides round%d dose.", round, round)
		found := make([]int64, 2*len(stores))
		var wg sync.WaitGroup
		for i := range found {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := stores[i%2].CreateReport(ctx, writes[i/2], w.wf, sandpit.Report{Screen: "a", X: x, Y: y, Category: category, Severity: 2, Text: text})
				if err != nil {
					t.Error(err)
					return
				}
				found[i] = r.FindingID
			}()
		}
		wg.Wait()
		for _, f := range found[1:] {
			if f != found[0] {
				t.Fatalf("round %d: identical reports sent at once went to findings %v; want one", round, found)
			}
		}
	}
}
