package app_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// The kinds of actor every permission table covers.
const (
	kindAdmin           = "admin"
	kindOwner           = "owner"            // product owner of the world's team
	kindOtherOwner      = "other_owner"      // product owner of another team
	kindResearcher      = "researcher"       // researcher granted to the world's team
	kindOtherResearcher = "other_researcher" // researcher not granted to it
	kindClinician       = "clinician"
	kindSafety          = "safety_officer"
)

// kinds lists every kind of actor, in the order tables print them.
var kinds = []string{kindAdmin, kindOwner, kindOtherOwner, kindResearcher, kindOtherResearcher, kindClinician, kindSafety}

// world is a database with two teams, an actor of every kind, and in the
// first team a workflow whose release 0.1 is open, with one clinician's
// trial holding one problem report (and so one finding).
type world struct {
	t        *testing.T
	ctx      context.Context
	clock    *storetest.Clock
	st       *store.Store
	app      *app.App
	team     *sandpit.Team
	other    *sandpit.Team
	actors   map[string]app.Actor
	workflow int64
	release  int64 // open
	trial    int64 // the clinician's
	report   int64
	finding  int64
}

// newWorld builds the world on a fresh database (SQLite, or PostgreSQL when
// SANDPIT_TEST_POSTGRES is set).
func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), clock: storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)),
		actors: map[string]app.Actor{}}
	w.st = storetest.New(t, w.clock.Now)
	w.app = app.New(w.st, app.Config{PasswordCost: bcrypt.MinCost, PseudonymKey: []byte("test pseudonym key"), Now: w.clock.Now})
	var err error
	seed := sandpit.AuditEntry{Action: sandpit.AuditTeamCreated}
	if w.team, err = w.st.CreateTeam(w.ctx, "Medicines", seed); err != nil {
		t.Fatal(err)
	}
	if w.other, err = w.st.CreateTeam(w.ctx, "Maternity", seed); err != nil {
		t.Fatal(err)
	}
	roles := map[string]sandpit.Role{kindAdmin: sandpit.RoleAdmin, kindOwner: sandpit.RoleProductOwner, kindOtherOwner: sandpit.RoleProductOwner,
		kindResearcher: sandpit.RoleResearcher, kindOtherResearcher: sandpit.RoleResearcher, kindClinician: sandpit.RoleClinician, kindSafety: sandpit.RoleSafetyOfficer}
	teams := map[string]*sandpit.Team{kindOwner: w.team, kindOtherOwner: w.other, kindResearcher: w.team, kindOtherResearcher: w.other}
	for _, kind := range kinds {
		n := sandpit.NewUser{Email: kind + "@example.nhs.uk", Name: kind, Roles: []sandpit.Role{roles[kind]}}
		if roles[kind] == sandpit.RoleClinician {
			n.Profile = &sandpit.Profile{Profession: "nurse", Setting: "acute", YearsExperience: 3, LegacyFamiliarity: 2}
		}
		if _, err := w.st.CreateUser(w.ctx, n, "not a hash", sandpit.AuditEntry{Action: sandpit.AuditUserCreated}); err != nil {
			t.Fatal(err)
		}
		if team, ok := teams[kind]; ok {
			if err := w.st.AddToTeam(w.ctx, team.ID, w.userID(n.Email), roles[kind], sandpit.AuditEntry{Action: sandpit.AuditMemberAdded}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, kind := range kinds {
		w.actors[kind] = w.actor(kind + "@example.nhs.uk")
	}
	w.workflow, err = w.st.CreateWorkflow(w.ctx, w.team.ID, sandpit.WorkflowInput{Title: "Medicines reconciliation", ConsentText: "You may stop at any time."},
		sandpit.AuditEntry{Action: sandpit.AuditWorkflowCreated})
	if err != nil {
		t.Fatal(err)
	}
	w.release = w.publish(w.workflow, "0.1")
	t0, _, err := w.st.StartTrial(w.ctx, w.release, w.actors[kindClinician].ID(), 1, true, sandpit.AuditEntry{Action: sandpit.AuditConsent})
	if err != nil {
		t.Fatal(err)
	}
	w.trial = t0.ID
	w.report, w.finding = w.reportOn(w.release, w.trial, "The allergy banner hides the dose.", true)
	return w
}

// userID is the id of the account with email.
func (w *world) userID(email string) int64 {
	w.t.Helper()
	u, _, err := w.st.UserByEmail(w.ctx, email)
	if err != nil {
		w.t.Fatal(err)
	}
	return u.ID
}

// actor is the account with email as an actor, roles and teams loaded.
func (w *world) actor(email string) app.Actor {
	w.t.Helper()
	u, err := w.st.User(w.ctx, w.userID(email))
	if err != nil {
		w.t.Fatal(err)
	}
	return app.Actor{User: u, IP: "192.0.2.1"}
}

// publish imports the test definition as version of workflow and opens it.
func (w *world) publish(workflow int64, version string) int64 {
	w.t.Helper()
	def := testDefinition(w.t, version)
	images, err := def.CheckImages()
	if err != nil {
		w.t.Fatal(err)
	}
	id, err := w.st.CreateRelease(w.ctx, workflow, def, images)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.st.SetReleaseStatus(w.ctx, id, sandpit.StatusDraft, sandpit.StatusOpen, sandpit.AuditEntry{Action: sandpit.AuditReleasePublish}); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// reportOn stores a problem report on the list screen of trial, of release,
// and returns its id and its finding's.
func (w *world) reportOn(release, trial int64, text string, safety bool) (int64, int64) {
	w.t.Helper()
	def, err := w.st.PublishedDefinition(w.ctx, release)
	if err != nil {
		w.t.Fatal(err)
	}
	m, err := w.st.ReleaseMeta(w.ctx, release)
	if err != nil {
		w.t.Fatal(err)
	}
	tr := store.TrialWrite{TrialID: trial, UserID: w.trialOwner(trial), TaskKey: "reconcile", Def: def, Open: true}
	r, err := w.st.CreateReport(w.ctx, tr, m.WorkflowID, sandpit.Report{TaskKey: "reconcile", Screen: "list", X: 50, Y: 130,
		Category: "navigation", Severity: 3, SafetyConcern: safety, Text: text})
	if err != nil {
		w.t.Fatal(err)
	}
	return r.ID, r.FindingID
}

// trialOwner is the clinician of every trial in the world.
func (w *world) trialOwner(int64) int64 { return w.actors[kindClinician].ID() }

// testDefinition is a runnable release: list → record → done.
func testDefinition(t testing.TB, version string) sandpit.Definition {
	return sandpit.Definition{
		Version: version, Notes: "Allergies moved to the top.",
		Screens: []sandpit.Screen{
			{Key: "list", Title: "Ward list", Image: testPNG(t, 400, 300, 10), Hotspots: []sandpit.Hotspot{{X: 40, Y: 120, W: 300, H: 48, Target: "record", Label: "Open the record"}}},
			{Key: "record", Title: "Record", Image: testPNG(t, 400, 300, 20), Hotspots: []sandpit.Hotspot{{X: 0, Y: 250, W: 400, H: 50, Target: "done", Label: "Save"}}},
			{Key: "done", Title: "Done", Image: testPNG(t, 400, 300, 30), Hotspots: []sandpit.Hotspot{}},
		},
		Tasks: []sandpit.Task{{Key: "reconcile", Title: "Reconcile medicines", Scenario: "A synthetic patient is admitted.",
			Start: "list", Success: []string{"done"}, OptimalPath: []string{"list", "record", "done"}, DailyFrequency: 12}},
	}
}

// pngs caches testPNG's images: encoding one costs more than the rest of
// a world.
var pngs sync.Map // [3]int{w, h, shade} → data URI

// testPNG is a w × h PNG of one shade of grey, as a data URI.
func testPNG(t testing.TB, w, h int, shade uint8) string {
	t.Helper()
	key := [3]int{w, h, int(shade)}
	if uri, ok := pngs.Load(key); ok {
		return uri.(string)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	uri := sandpit.DataURI("image/png", b.Bytes())
	pngs.Store(key, uri)
	return uri
}

// permissionCase is one row of a permission table: a use case, run as each
// kind of actor, and the error code each kind gets ("" for success).
type permissionCase struct {
	name string
	run  func(w *world, a app.Actor) error
	want map[string]string // kind → code; every kind must be listed
	// writes says the use case changes the world, so each kind runs it on a
	// world of its own: one actor's change must not hide another's refusal.
	writes bool
}

// checkPermissions runs each case as every kind of actor.
func checkPermissions(t *testing.T, cases []permissionCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var shared *world
			for _, kind := range kinds {
				want, ok := tc.want[kind]
				if !ok {
					t.Fatalf("no expectation for %s", kind)
				}
				w := shared
				if w == nil || tc.writes {
					w = newWorld(t)
					shared = w
				}
				err := tc.run(w, w.actors[kind])
				if got := sandpit.ErrorCode(err); got != want {
					t.Errorf("as %s: code %q (%v), want %q", kind, got, err, want)
				}
			}
		})
	}
}

// only is a permission expectation: the kinds listed succeed, every other
// kind gets refused.
func only(refused string, allowed ...string) map[string]string {
	m := map[string]string{}
	for _, k := range kinds {
		m[k] = refused
	}
	for _, k := range allowed {
		m[k] = ""
	}
	return m
}

// with changes some kinds' expectations.
func with(m map[string]string, kind, code string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	out[kind] = code
	return out
}
