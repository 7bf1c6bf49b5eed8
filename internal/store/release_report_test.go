package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sandpit-nhs/sandpit/internal/findings"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// generated describes a release filled with synthetic trials.
type generated struct {
	release   int64
	def       *sandpit.Definition
	trials    int
	outcomes  map[string]map[string]int // task → outcome → count
	clicks    int
	susScores int
	// The figures each task's report must show, worked out here as the
	// attempts are made rather than by the code under test.
	logSeconds map[string][]float64 // task → ln seconds of successful attempts
	misclicks  map[string][2]int    // task → misclicks, clicks
}

// generate stores a published release of tasks tasks and trials trials,
// each attempting every task with about clicksPer clicks, in a few large
// transactions.
func generate(tb testing.TB, s *Store, trials, tasks, clicksPer int) generated {
	tb.Helper()
	ctx := context.Background()
	var png1 bytes.Buffer
	png.Encode(&png1, image.NewGray(image.Rect(0, 0, 100, 100)))
	img, err := sandpit.CheckImage(png1.Bytes())
	if err != nil {
		tb.Fatal(err)
	}
	team, err := s.CreateTeam(ctx, "Generated", sandpit.AuditEntry{Action: sandpit.AuditTeamCreated})
	if err != nil {
		tb.Fatal(err)
	}
	wf, err := s.CreateWorkflow(ctx, team.ID, sandpit.WorkflowInput{Title: "Generated", ConsentText: "ok"}, sandpit.AuditEntry{Action: sandpit.AuditWorkflowCreated})
	if err != nil {
		tb.Fatal(err)
	}
	def := sandpit.Definition{Version: "1", Screens: []sandpit.Screen{
		{Key: "a", Title: "A", Hotspots: []sandpit.Hotspot{{X: 0, Y: 0, W: 10, H: 10, Target: "b"}}},
		{Key: "b", Title: "B", Hotspots: []sandpit.Hotspot{{X: 0, Y: 0, W: 10, H: 10, Target: "done"}}},
		{Key: "done", Title: "Done"},
	}}
	for i := range tasks {
		def.Tasks = append(def.Tasks, sandpit.Task{Key: fmt.Sprintf("t%d", i), Title: fmt.Sprintf("Task %d", i), Start: "a",
			Success: []string{"done"}, OptimalPath: []string{"a", "b", "done"}, DailyFrequency: 10})
	}
	release, err := s.CreateRelease(ctx, wf, def, Images{"a": img, "b": img, "done": img})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.SetReleaseStatus(ctx, release, sandpit.StatusDraft, sandpit.StatusOpen, sandpit.AuditEntry{Action: sandpit.AuditReleasePublish}); err != nil {
		tb.Fatal(err)
	}
	g := generated{release: release, trials: trials, outcomes: map[string]map[string]int{},
		logSeconds: map[string][]float64{}, misclicks: map[string][2]int{}}
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	professions, settings := sandpit.Professions(), sandpit.Settings()
	err = s.write.Transaction(func(tx *gorm.DB) error {
		for i := range trials {
			p, st := professions[i%len(professions)], settings[i%len(settings)]
			years, fam := i%30, 1+i%5
			u := userRow{Email: fmt.Sprintf("c%d@example.nhs.uk", i), EmailLower: fmt.Sprintf("c%d@example.nhs.uk", i), Name: "C", PasswordHash: "x",
				Profession: &p, Setting: &st, YearsExperience: &years, LegacyFamiliarity: &fam, CreatedAt: t0, UpdatedAt: t0}
			if err := tx.Create(&u).Error; err != nil {
				return err
			}
			tr := trialRow{ReleaseID: release, UserID: u.ID, ConsentVersion: 1, ResearchUse: i%3 != 0, ConsentedAt: t0}
			if i%4 != 0 {
				sus, _ := json.Marshal([]int{4, 2, 4, 2, 4, 2, 4, 2, 4, 2})
				sj, score := string(sus), 50+rng.Float64()*50
				tr.SUS, tr.SUSScore = &sj, &score
				g.susScores++
			}
			if err := tx.Create(&tr).Error; err != nil {
				return err
			}
			var attempts []attemptRow
			var clicks []clickRow
			for _, task := range def.Tasks {
				outcome := []string{"direct", "direct", "indirect", "gave_up"}[rng.IntN(4)]
				if g.outcomes[task.Key] == nil {
					g.outcomes[task.Key] = map[string]int{}
				}
				g.outcomes[task.Key][outcome]++
				d := int64(5000 + rng.IntN(60000))
				ease := 1 + rng.IntN(7)
				n := clicksPer/2 + rng.IntN(clicksPer+1)
				if outcome != "gave_up" {
					g.logSeconds[task.Key] = append(g.logSeconds[task.Key], math.Log(float64(d)/1000))
				}
				g.misclicks[task.Key] = [2]int{g.misclicks[task.Key][0] + n/4, g.misclicks[task.Key][1] + n}
				attempts = append(attempts, attemptRow{TrialID: tr.ID, TaskKey: task.Key, StartedAt: t0, Screen: "done", Path: `["a","b","done"]`,
					LastSeq: n, Clicks: n, Misclicks: n / 4, LastActiveAt: t0, Outcome: outcome, EndedAt: &t0, DurationMs: &d, Ease: &ease})
			}
			if err := tx.CreateInBatches(&attempts, 100).Error; err != nil {
				return err
			}
			for _, a := range attempts {
				for seq := 1; seq <= a.Clicks; seq++ {
					clicks = append(clicks, clickRow{AttemptID: a.ID, Seq: seq, Screen: "a", Via: "pointer", X: 5, Y: 5, Hit: seq%4 != 0, Target: "b", At: t0, TMs: int64(seq * 1000)})
				}
			}
			g.clicks += len(clicks)
			if err := tx.CreateInBatches(&clicks, 500).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	d, err := s.PublishedDefinition(ctx, release)
	if err != nil {
		tb.Fatal(err)
	}
	g.def = d
	return g
}

// openForTest is a fresh store for the tests of this package, which cannot
// use storetest (it imports this package).
func openForTest(tb testing.TB) *Store {
	tb.Helper()
	s := openStore(tb, Location{Dialect: SQLite, Path: tb.TempDir() + "/report.db"}, time.Now)
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestReleaseFiguresAggregateInTheDatabase(t *testing.T) {
	s := openForTest(t)
	g := generate(t, s, 40, 3, 6)
	f, err := s.ReleaseFigures(context.Background(), g.release, false)
	if err != nil {
		t.Fatal(err)
	}
	r := findings.Build(findings.Side{Ref: findings.ReleaseRef{ID: g.release}, Def: g.def, Figures: f}, nil, nil)
	if r.Participants.N != g.trials {
		t.Errorf("participants = %d, want %d", r.Participants.N, g.trials)
	}
	for _, task := range r.Tasks {
		want := g.outcomes[task.Key]
		if task.Direct != want["direct"] || task.Indirect != want["indirect"] || task.GaveUp != want["gave_up"] || task.Attempts != g.trials {
			t.Errorf("task %s = %+v, want %v", task.Key, task, want)
		}
		if task.Time.N != want["direct"]+want["indirect"] || task.Time.Geomean == nil || task.SuccessCI == nil || task.Ease.N != g.trials {
			t.Fatalf("task %s figures = %+v", task.Key, task)
		}
		var sum float64
		for _, l := range g.logSeconds[task.Key] {
			sum += l
		}
		if geomean := math.Exp(sum / float64(len(g.logSeconds[task.Key]))); math.Abs(*task.Time.Geomean-geomean) > 1e-9 {
			t.Errorf("task %s geometric mean = %v s, want %v", task.Key, *task.Time.Geomean, geomean)
		}
		if m := g.misclicks[task.Key]; math.Abs(task.MisclickRate-float64(m[0])/float64(m[1])) > 1e-12 {
			t.Errorf("task %s misclick rate = %v, want %d/%d", task.Key, task.MisclickRate, m[0], m[1])
		}
	}
	if r.SUS.N != g.susScores || r.SUS.Grade == nil {
		t.Errorf("SUS = %+v, want n %d", r.SUS, g.susScores)
	}
}

// BenchmarkReleaseReport builds the report of a release of 1,000 trials ×
// 10 tasks (about 200,000 clicks), as PRODUCT.md's target (< 100 ms) asks.
func BenchmarkReleaseReport(b *testing.B) {
	s := openForTest(b)
	g := generate(b, s, 1000, 10, 20)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		f, err := s.ReleaseFigures(ctx, g.release, false)
		if err != nil {
			b.Fatal(err)
		}
		findings.Build(findings.Side{Ref: findings.ReleaseRef{ID: g.release}, Def: g.def, Figures: f}, nil, nil)
	}
	b.ReportMetric(float64(g.clicks), "clicks")
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// openStore opens, unmigrated, the database at loc with clock now, and
// closes it when the test ends.
func openStore(tb testing.TB, loc Location, now func() time.Time) *Store {
	tb.Helper()
	s, err := Open(context.Background(), loc, now, discardLogger())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
