package export

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"sync"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// trickyTexts are free texts that must survive a CSV round trip and be
// neutralised when they look like formulas.
var trickyTexts = []string{
	"=1+1",
	"+44 20 7946 0000",
	"-x",
	"@SUM(A1:A2)",
	"\tx",
	"\rcarriage",
	`He said "stop", then left`,
	"line one\nline two, with a comma",
	"windows\r\nline break",
	"emoji 🩺💉 in the text",
	"right-to-left: مرحبا بالعالم שלום",
	"plain text",
}

// clock is a test clock that moves on a second at every reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// fixture is a store with two workflows of data.
type fixture struct {
	s                 *store.Store
	wf1, wf2          int64
	r1, r1b, r2       int64
	alice, bob, carol *sandpit.User
	dave              *sandpit.User
	secret            []byte
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.FixedZone("BST", 3600))
	c := &clock{t: start}
	s := storetest.New(t, c.now)
	// The clock starts once the schema is made, so that a new migration
	// (which reads it) does not move every time in the golden files.
	c.mu.Lock()
	c.t = start
	c.mu.Unlock()
	f := &fixture{s: s, secret: []byte("test secret")}
	team, err := s.CreateTeam(ctx, "Export team", sandpit.AuditEntry{Action: sandpit.AuditTeamCreated})
	must(t, err)
	f.wf1, err = s.CreateWorkflow(ctx, team.ID, sandpit.WorkflowInput{Title: "Prescribing", ConsentText: "ok"}, sandpit.AuditEntry{Action: sandpit.AuditWorkflowCreated})
	must(t, err)
	f.wf2, err = s.CreateWorkflow(ctx, team.ID, sandpit.WorkflowInput{Title: "Handover", ConsentText: "ok"}, sandpit.AuditEntry{Action: sandpit.AuditWorkflowCreated})
	must(t, err)
	f.r1 = release(t, s, f.wf1, "1.0")
	f.r1b = release(t, s, f.wf1, "2.0")
	f.r2 = release(t, s, f.wf2, "1.0")

	profile := &sandpit.Profile{Profession: "nurse", Setting: "acute", YearsExperience: 7, LegacyFamiliarity: 3}
	f.alice = user(t, s, "alice", profile)
	f.bob = user(t, s, "bob", profile)
	f.carol = user(t, s, "carol", profile)
	f.dave = user(t, s, "dave", nil)

	// Bob does not consent to research use; his report comes first and
	// joins the finding of Alice's first report.
	bob := f.trial(t, f.r1, f.bob, false)
	bob.attempt(t, "t1", [][2]int{{5, 5}, {5, 5}})
	bob.report(t, f.wf1, "a", 20, 20, "BOB SECRET. Not for research.")
	bob.sus(t)

	alice := f.trial(t, f.r1, f.alice, true)
	alice.attempt(t, "t1", [][2]int{{5, 5}, {50, 50}, {5, 5}})
	alice.rate(t, "t1", 6, "=HYPERLINK(\"http://example.com\")\nsecond line, with comma")
	alice.attempt(t, "t2", [][2]int{{50, 50}})
	alice.pause(t, "t2")
	alice.giveUp(t, "t2")
	for i, text := range trickyTexts {
		alice.report(t, f.wf1, "a", 20+i*30, 20+i*30, text)
	}
	alice.sus(t)

	carol := f.trial(t, f.r1, f.carol, true)
	carol.attempt(t, "t1", [][2]int{{5, 5}})
	carol.report(t, f.wf1, "b", 60, 60, "CAROL SECRET")
	carol.sus(t)
	must(t, s.WithdrawTrial(ctx, carol.w.TrialID, f.carol.ID, sandpit.AuditEntry{Action: sandpit.AuditWithdraw}))

	dave := f.trial(t, f.r1, f.dave, true)
	dave.attempt(t, "t1", nil)

	alice1b := f.trial(t, f.r1b, f.alice, true)
	// Alice switches to the list of links for her first click in 2.0.
	alice1b.attempt(t, "t1", [][2]int{{-1, 0}, {5, 5}})
	alice1b.report(t, f.wf1, "a", 21, 21, "Same place again")

	alice2 := f.trial(t, f.r2, f.alice, true)
	alice2.attempt(t, "t1", [][2]int{{5, 5}, {5, 5}})
	alice2.sus(t)
	return f
}

// fixtureMeta is the fixed metadata of the fixture's exports in every
// format's tests: release 1.0 published, 2.0 a baseline draft.
func fixtureMeta() Metadata {
	published := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	return Metadata{Team: "Export team", Workflow: "Prescribing", Scope: "workflow",
		Releases:    []Release{{Version: "1.0", Status: "open", PublishedAt: &published}, {Version: "2.0", Baseline: true, Status: "draft"}},
		GeneratedAt: time.Date(2026, 11, 3, 10, 30, 0, 0, time.UTC), Sandpit: "test"}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func release(t *testing.T, s *store.Store, workflowID int64, version string) int64 {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	must(t, png.Encode(&buf, image.NewGray(image.Rect(0, 0, 400, 400))))
	img, err := sandpit.CheckImage(buf.Bytes())
	must(t, err)
	def := sandpit.Definition{Version: version, Screens: []sandpit.Screen{
		{Key: "a", Title: "A", Hotspots: []sandpit.Hotspot{{X: 0, Y: 0, W: 10, H: 10, Target: "b"}}},
		{Key: "b", Title: "B", Hotspots: []sandpit.Hotspot{{X: 0, Y: 0, W: 10, H: 10, Target: "done"}}},
		{Key: "done", Title: "Done"},
	}, Tasks: []sandpit.Task{
		{Key: "t1", Title: "Task 1", Scenario: "=Mrs Patel (synthetic), 84, is admitted.\nCheck her allergies.", Start: "a", Success: []string{"done"},
			OptimalPath: []string{"a", "b", "done"}, DailyFrequency: 10},
		{Key: "t2", Title: "Task 2", Start: "a", Success: []string{"b", "done"}, OptimalPath: []string{"a", "b"}, DailyFrequency: 2.5},
	}}
	id, err := s.CreateRelease(ctx, workflowID, def, store.Images{"a": img, "b": img, "done": img})
	must(t, err)
	must(t, s.SetReleaseStatus(ctx, id, sandpit.StatusDraft, sandpit.StatusOpen, sandpit.AuditEntry{Action: sandpit.AuditReleasePublish}))
	return id
}

func user(t *testing.T, s *store.Store, name string, p *sandpit.Profile) *sandpit.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), sandpit.NewUser{Email: name + "@example.nhs.uk", Name: "Name " + name,
		Roles: []sandpit.Role{sandpit.RoleClinician}, Profile: p}, "x", sandpit.AuditEntry{Action: sandpit.AuditRegister})
	must(t, err)
	return u
}

// trialOf drives one trial through the store's public methods.
type trialOf struct {
	s *store.Store
	w store.TrialWrite
}

func (f *fixture) trial(t *testing.T, releaseID int64, u *sandpit.User, research bool) *trialOf {
	t.Helper()
	ctx := context.Background()
	def, err := f.s.PublishedDefinition(ctx, releaseID)
	must(t, err)
	tr, _, err := f.s.StartTrial(ctx, releaseID, u.ID, 1, research, sandpit.AuditEntry{Action: sandpit.AuditConsent})
	must(t, err)
	return &trialOf{s: f.s, w: store.TrialWrite{TrialID: tr.ID, UserID: u.ID, Def: def, Open: true}}
}

func (tr *trialOf) task(key string) store.TrialWrite {
	w := tr.w
	w.TaskKey = key
	return w
}

// attempt starts task and clicks each point of clicks in turn; a point
// {-1, i} is link i of the list of the screen's links.
func (tr *trialOf) attempt(t *testing.T, task string, clicks [][2]int) {
	t.Helper()
	ctx := context.Background()
	_, err := tr.s.StartAttempt(ctx, tr.task(task))
	must(t, err)
	for i, c := range clicks {
		in := store.ClickInput{Seq: i + 1, Via: sandpit.ViaPointer, X: c[0], Y: c[1]}
		if c[0] < 0 {
			in = store.ClickInput{Seq: i + 1, Via: sandpit.ViaList, Link: c[1]}
		}
		_, err := tr.s.RecordClick(ctx, tr.task(task), in)
		must(t, err)
	}
}

func (tr *trialOf) update(t *testing.T, task string, change func(a *sandpit.Attempt, now time.Time) error) {
	t.Helper()
	_, err := tr.s.UpdateAttempt(context.Background(), tr.task(task), change)
	must(t, err)
}

func (tr *trialOf) pause(t *testing.T, task string) {
	t.Helper()
	tr.update(t, task, func(a *sandpit.Attempt, now time.Time) error { return a.Pause(now) })
}

func (tr *trialOf) giveUp(t *testing.T, task string) {
	t.Helper()
	tr.update(t, task, func(a *sandpit.Attempt, now time.Time) error { return a.GiveUp(now) })
}

func (tr *trialOf) rate(t *testing.T, task string, ease int, comment string) {
	t.Helper()
	tr.update(t, task, func(a *sandpit.Attempt, _ time.Time) error { return a.Rate(ease, comment) })
}

func (tr *trialOf) report(t *testing.T, workflowID int64, screen string, x, y int, text string) {
	t.Helper()
	task := "t1"
	if text == "plain text" {
		task = "" // made outside a task
	}
	_, err := tr.s.CreateReport(context.Background(), tr.w, workflowID, sandpit.Report{TaskKey: task, Screen: screen, X: x, Y: y,
		Category: "navigation", Severity: 3, SafetyConcern: x == 20, Text: text})
	must(t, err)
}

func (tr *trialOf) sus(t *testing.T) {
	t.Helper()
	answers := []int{4, 2, 5, 1, 4, 2, 4, 2, 5, 1}
	score, err := sandpit.SUSScore(answers)
	must(t, err)
	must(t, tr.s.SaveSUS(context.Background(), tr.w, answers, score))
}

// collect runs table's rows into memory (tests only).
func collect(t *testing.T, table Table) [][]string {
	t.Helper()
	var rows [][]string
	err := table.Rows(func(cells []string) error {
		rows = append(rows, append([]string(nil), cells...))
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", table.Name, err)
	}
	return rows
}

// column returns the index of name in table's columns.
func column(t *testing.T, table, name string) int {
	t.Helper()
	for i, c := range Columns(table) {
		if c == name {
			return i
		}
	}
	t.Fatalf("%s has no column %s", table, name)
	return -1
}
