package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// trialPlan is how synthetic clinicians fare on one demo release.
type trialPlan struct {
	version          string
	seed             uint64
	direct, indirect float64 // chances of each outcome; the rest give up
	minSecs, maxSecs float64 // time on a successful task
	misclick         float64 // chance of a misclick before each step
	minSUS, maxSUS   float64
	minEase, maxEase int
	reports          []demoReport
}

// demoReport is a clinician's report in the demo data, and what the team
// later did about its finding, if anything.
type demoReport struct {
	task, screen string
	x, y         int
	category     string
	severity     int
	safety       bool
	text         string
	curation     *curation
}

// curation is the team's answer to a finding: its status and response, set
// on a day monthsBack calendar months before the current one.
type curation struct {
	status, response string
	monthsBack, day  int
}

// trialPlans are the demo's trials: medicines reconciliation's legacy and
// 0.1, then allergy checks' legacy and 1.0.
func trialPlans() []trialPlan {
	return []trialPlan{
		{version: "legacy", seed: 101, direct: 0.40, indirect: 0.32, minSecs: 60, maxSecs: 180, misclick: 0.35, minSUS: 45, maxSUS: 60, minEase: 2, maxEase: 5,
			reports: []demoReport{
				{allergyTaskKey, "allergies", 300, 300, "safety", 4, true, "The penicillin allergy is only on the Alerts tab. I nearly prescribed co-amoxiclav before I found it.", nil},
				{allergyTaskKey, "allergies", 320, 310, "safety", 3, true, "Allergy alert is buried on the Alerts tab, nothing on the summary warns you.", nil},
				{reconcileTaskKey, "reconcile", 520, 240, "layout", 3, false, "The C, S and A boxes are tiny and I could not tell which column meant stop.",
					&curation{sandpit.FindingFixed, "Release 0.1 has a labelled choice for each medicine: continue, stop or change.", 2, 14}},
				{reconcileTaskKey, "ward_list", 420, 200, "navigation", 2, false, "Took ages to find the drug chart: the Drugs button is small and grey.", nil},
				{reconcileTaskKey, "meds", 300, 720, "terminology", 2, false, "Med Rec and MR1 mean nothing to a new starter.",
					&curation{sandpit.FindingFixed, "Release 0.1 says what things are in plain words: “Medicines reconciliation”, not Med Rec or MR1.", 2, 14}},
			}},
		{version: "0.1", seed: 102, direct: 0.68, indirect: 0.22, minSecs: 30, maxSecs: 90, misclick: 0.12, minSUS: 65, maxSUS: 80, minEase: 4, maxEase: 7,
			reports: []demoReport{
				{allergyTaskKey, "record", 300, 300, "safety", 3, true, "Allergies are still not on the patient summary; I had to open a separate page to check for penicillin.",
					&curation{sandpit.FindingPlanned, "Release 0.2 puts allergies at the top of the patient summary and in the patient banner.", 1, 12}},
				{allergyTaskKey, "record", 310, 320, "safety", 3, true, "No allergy status on the summary, so it is easy to prescribe without checking.", nil},
				{reconcileTaskKey, "reconcile", 500, 400, "missing_information", 2, false, "I would like to see where each medicine came from (GP record, patient, relative) next to it.",
					&curation{sandpit.FindingPlanned, "We will show where each medicine came from beside it on the reconciliation form.", 1, 15}},
				{reconcileTaskKey, "ward_list", 820, 300, "navigation", 1, false, "Clear ward list, but the Medicines button is easy to miss.",
					&curation{sandpit.FindingFixed, "Release 0.2 adds a Reconcile medicines button to the ward list.", 1, 19}},
			}},
		{version: "legacy", seed: 201, direct: 0.45, indirect: 0.30, minSecs: 40, maxSecs: 150, misclick: 0.3, minSUS: 40, maxSUS: 58, minEase: 2, maxEase: 5,
			reports: []demoReport{
				{allergyTaskKey, "record", 300, 300, "navigation", 3, false, "Nothing on the summary says there are allergies; you have to know to open the Alerts tab.",
					&curation{sandpit.FindingFixed, "Release 1.0 shows allergies at the top of the patient summary.", 1, 4}},
			}},
		{version: "1.0", seed: 202, direct: 0.8, indirect: 0.12, minSecs: 12, maxSecs: 45, misclick: 0.08, minSUS: 72, maxSUS: 88, minEase: 5, maxEase: 7,
			reports: []demoReport{
				{allergyTaskKey, "record", 300, 300, "layout", 2, false, "The red allergy banner is clear, but the type of reaction is cut off.",
					&curation{sandpit.FindingPlanned, "The next release shows the reaction in full in the banner.", 1, 25}},
			}},
	}
}

// seedTrials gives the plan's releases with a trial plan their synthetic
// trials, once: a release that has trials already is left alone.
func seedTrials(ctx context.Context, st *store.Store, teamID int64, clinician *sandpit.User, plan workflowPlan) error {
	workflowID, err := workflowByTitle(ctx, st, teamID, plan.title)
	if err != nil || workflowID == 0 {
		return err
	}
	w, err := st.Workflow(ctx, workflowID)
	if err != nil {
		return err
	}
	ids := map[string]int64{}
	for _, r := range w.Releases {
		ids[r.Version] = r.ID
	}
	tl := newTimeline(st.Now())
	for _, rp := range plan.releases {
		id := ids[rp.version]
		if id == 0 || rp.trials == nil {
			continue
		}
		n, err := st.ReleaseTrialCount(ctx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		var who *sandpit.User
		if rp.version == plan.clinicianVersion {
			who = clinician
		}
		if err := seedReleaseTrials(ctx, st, tl, workflowID, id, rp, plan.emailPrefix, who); err != nil {
			return fmt.Errorf("demo: trials of %s: %w", rp.version, err)
		}
	}
	return nil
}

// seedReleaseTrials gives release releaseID its synthetic trials, spread
// over the plan's weeks, each finished a few minutes after its last task.
// clinician, when given, takes the release as its first participant and
// raises its first report, so that answering that finding shows under
// their "My feedback".
func seedReleaseTrials(ctx context.Context, st *store.Store, tl timeline, workflowID, releaseID int64, rp releasePlan, emailPrefix string, clinician *sandpit.User) error {
	plan := *rp.trials
	r, err := st.Release(ctx, releaseID)
	if err != nil {
		return err
	}
	def := &r.Definition
	rng := rand.New(rand.NewPCG(plan.seed, 7))
	professions := []string{"nurse", "nurse", "nurse", "doctor", "doctor", "pharmacist", "pharmacist", "midwife", "allied_health", "healthcare_assistant"}
	settings := []string{"acute", "acute", "acute", "community", "primary_care", "mental_health"}
	count := 20 + rng.IntN(11)
	span := rp.trialsTo.Sub(rp.trialsFrom)
	trials := make([]store.SyntheticTrial, 0, count)
	lastTask := make([]time.Time, 0, count) // when each trial's last task ended
	for i := range count {
		start := rp.trialsFrom.Add(span*time.Duration(i)/time.Duration(count) + time.Duration(rng.IntN(90))*time.Minute)
		t := store.SyntheticTrial{
			Email:       fmt.Sprintf("%s%s-%02d@demo.sandpit.test", emailPrefix, slug(plan.version), i+1),
			Name:        fmt.Sprintf("Synthetic clinician %02d (release %s)", i+1, plan.version),
			Profile:     sandpit.Profile{Profession: professions[rng.IntN(len(professions))], Setting: settings[rng.IntN(len(settings))], YearsExperience: 1 + rng.IntN(30), LegacyFamiliarity: 1 + rng.IntN(5)},
			ResearchUse: rng.Float64() < 0.8,
			ConsentedAt: start,
		}
		at := start.Add(time.Minute)
		for _, task := range def.Tasks {
			a, err := simulate(def, &task, plan, rng, at)
			if err != nil {
				return err
			}
			t.Attempts = append(t.Attempts, *a)
			at = a.Attempt.EndedAt.Add(time.Minute)
		}
		if rng.Float64() < 0.9 {
			t.SUS = susAnswers(rng, plan.minSUS+rng.Float64()*(plan.maxSUS-plan.minSUS))
			score, err := sandpit.SUSScore(t.SUS)
			if err != nil {
				return err
			}
			t.SUSScore = &score
		}
		if i == 0 && clinician != nil && clinician.Profile != nil {
			t.UserID, t.Profile = clinician.ID, *clinician.Profile
		}
		trials = append(trials, t)
		lastTask = append(lastTask, at)
	}
	trialIDs, userIDs, err := st.InsertSyntheticTrials(ctx, releaseID, trials)
	if err != nil {
		return err
	}
	clock := func(t time.Time) *store.Store { return st.WithClock(func() time.Time { return t }) }
	for i, rep := range plan.reports {
		k := (i * 5) % len(trialIDs)
		in := sandpit.Report{TaskKey: rep.task, Screen: rep.screen, X: rep.x, Y: rep.y, Category: rep.category, Severity: rep.severity, SafetyConcern: rep.safety, Text: rep.text}
		if err := in.Validate(def); err != nil {
			return fmt.Errorf("report %d: %w", i+1, err)
		}
		w := store.TrialWrite{TrialID: trialIDs[k], UserID: userIDs[k], TaskKey: rep.task, Def: def, Open: true}
		made, err := clock(lastTask[k]).CreateReport(ctx, w, workflowID, in)
		if err != nil {
			return fmt.Errorf("report %d: %w", i+1, err)
		}
		if c := rep.curation; c != nil {
			m := tl.m1
			if c.monthsBack == 2 {
				m = tl.m2
			}
			status, response := c.status, c.response
			err := clock(tl.at(m, c.day, 11, 30)).UpdateFinding(ctx, made.FindingID, sandpit.FindingUpdate{Status: &status, Response: &response},
				0, // demo history is not news: no "you said, we did" email
				sandpit.AuditEntry{Action: sandpit.AuditFindingUpdated, Detail: "demo data"})
			if err != nil {
				return fmt.Errorf("report %d's finding: %w", i+1, err)
			}
		}
	}
	done := make(map[int64]time.Time, len(trialIDs))
	for i, id := range trialIDs {
		done[id] = lastTask[i].Add(time.Duration(2+rng.IntN(5)) * time.Minute) // the questionnaire
	}
	return st.CompleteTrials(ctx, done)
}

func slug(version string) string {
	out := []rune{}
	for _, c := range version {
		if c == '.' {
			c = '-'
		}
		out = append(out, c)
	}
	return string(out)
}

// susAnswers returns ten SUS answers scoring about target.
func susAnswers(rng *rand.Rand, target float64) []int {
	total := int(math.Round(target / 2.5)) // 0..40 points, 0..4 per item
	points := make([]int, 10)
	for total > 0 {
		i := rng.IntN(10)
		if points[i] < 4 {
			points[i]++
			total--
		}
	}
	answers := make([]int, 10)
	for i, p := range points {
		if i%2 == 0 { // items 1, 3, 5, 7, 9
			answers[i] = p + 1
		} else {
			answers[i] = 5 - p
		}
	}
	return answers
}

// simulate plays one attempt at task through the domain's own click rules,
// so every stored click agrees with the hotspots.
func simulate(def *sandpit.Definition, task *sandpit.Task, plan trialPlan, rng *rand.Rand, start time.Time) (*store.SyntheticAttempt, error) {
	roll := rng.Float64()
	want := sandpit.OutcomeGaveUp
	switch {
	case roll < plan.direct:
		want = sandpit.OutcomeDirect
	case roll < plan.direct+plan.indirect:
		want = sandpit.OutcomeIndirect
	}
	// The screens to visit after the start, in order.
	var route []string
	switch want {
	case sandpit.OutcomeDirect:
		route = task.OptimalPath[1:]
	case sandpit.OutcomeIndirect:
		route = detour(def, task, rng)
		if route == nil {
			route, want = task.OptimalPath[1:], sandpit.OutcomeDirect
		}
	default:
		route = wander(def, task, rng, 1+rng.IntN(4))
	}
	// Plan the clicks: misclicks before some steps.
	type step struct {
		target string // "" for a misclick
	}
	var steps []step
	for _, to := range route {
		for rng.Float64() < plan.misclick {
			steps = append(steps, step{})
		}
		steps = append(steps, step{to})
	}
	if want == sandpit.OutcomeGaveUp {
		steps = append(steps, step{}, step{})
	}
	secs := math.Exp(math.Log(plan.minSecs) + rng.Float64()*(math.Log(plan.maxSecs)-math.Log(plan.minSecs)))
	if want == sandpit.OutcomeIndirect {
		secs *= 1.3
	}
	total := time.Duration(secs * float64(time.Second))
	a := sandpit.NewAttempt(0, task, start)
	var clicks []sandpit.Click
	for i, s := range steps {
		screen := def.Screen(a.Screen)
		x, y := misclickPoint(screen, rng)
		if s.target != "" {
			h := hotspotTo(screen, s.target)
			if h == nil {
				return nil, fmt.Errorf("demo: no hotspot from %s to %s", screen.Key, s.target)
			}
			x, y = h.X+rng.IntN(h.W), h.Y+rng.IntN(h.H)
			for range 100 { // an earlier overlapping hotspot wins
				if screen.Hit(x, y) == h {
					break
				}
				x, y = h.X+rng.IntN(h.W), h.Y+rng.IntN(h.H)
			}
		}
		at := start.Add(total * time.Duration(i+1) / time.Duration(len(steps)))
		c, err := a.ClickOn(def, task, i+1, x, y, at)
		if err != nil {
			return nil, err
		}
		clicks = append(clicks, *c)
	}
	if !a.Done() {
		if err := a.GiveUp(start.Add(total + 5*time.Second)); err != nil {
			return nil, err
		}
	}
	ease := plan.minEase + rng.IntN(plan.maxEase-plan.minEase+1)
	if a.Outcome == sandpit.OutcomeGaveUp {
		ease = max(1, ease-2)
	}
	if err := a.Rate(ease, ""); err != nil {
		return nil, err
	}
	return &store.SyntheticAttempt{Attempt: *a, Clicks: clicks}, nil
}

// hotspotTo returns screen's first hotspot leading to target, or nil.
func hotspotTo(screen *sandpit.Screen, target string) *sandpit.Hotspot {
	for i := range screen.Hotspots {
		if screen.Hotspots[i].Target == target {
			return &screen.Hotspots[i]
		}
	}
	return nil
}

// misclickPoint returns a point of screen outside every hotspot, usually
// just beside one: where people miss.
func misclickPoint(screen *sandpit.Screen, rng *rand.Rand) (int, int) {
	for range 200 {
		var x, y int
		if len(screen.Hotspots) > 0 && rng.Float64() < 0.75 {
			h := screen.Hotspots[rng.IntN(len(screen.Hotspots))]
			x, y = h.X-30+rng.IntN(h.W+60), h.Y-20+rng.IntN(h.H+40)
		} else {
			x, y = rng.IntN(screen.Width), rng.IntN(screen.Height)
		}
		if x >= 0 && y >= 0 && x < screen.Width && y < screen.Height && screen.Hit(x, y) == nil {
			return x, y
		}
	}
	return 0, screen.Height - 1
}

// shortest returns the screens after from on a shortest way to any of
// goals, or nil.
func shortest(def *sandpit.Definition, from string, goals []string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if slices.Contains(goals, cur) {
			var way []string
			for s := cur; s != from; s = prev[s] {
				way = append([]string{s}, way...)
			}
			return way
		}
		sc := def.Screen(cur)
		if sc == nil {
			continue
		}
		for _, h := range sc.Hotspots {
			if _, seen := prev[h.Target]; !seen {
				prev[h.Target] = cur
				queue = append(queue, h.Target)
			}
		}
	}
	return nil
}

// detour returns a route from the task's start that strays off the optimal
// path once and then finds its way to success, or nil.
func detour(def *sandpit.Definition, task *sandpit.Task, rng *rand.Rand) []string {
	path := task.OptimalPath
	cut := rng.IntN(len(path) - 1) // stray after path[cut]
	screen := def.Screen(path[cut])
	var wrong []string
	for _, h := range screen.Hotspots {
		if h.Target != path[cut+1] && !slices.Contains(task.Success, h.Target) && !slices.Contains(wrong, h.Target) {
			wrong = append(wrong, h.Target)
		}
	}
	if len(wrong) == 0 {
		if cut == 0 {
			return nil
		}
		// Go back along the path instead.
		wrong = []string{path[cut-1]}
		if hotspotTo(screen, wrong[0]) == nil {
			return nil
		}
	}
	off := wrong[rng.IntN(len(wrong))]
	rest := shortest(def, off, task.Success)
	if rest == nil && !slices.Contains(task.Success, off) {
		return nil
	}
	route := append(slices.Clone(path[1:cut+1]), off)
	return append(route, rest...)
}

// wander returns up to n screens visited without reaching success.
func wander(def *sandpit.Definition, task *sandpit.Task, rng *rand.Rand, n int) []string {
	var route []string
	cur := task.Start
	for range n {
		var next []string
		for _, h := range def.Screen(cur).Hotspots {
			if !slices.Contains(task.Success, h.Target) {
				next = append(next, h.Target)
			}
		}
		if len(next) == 0 {
			break
		}
		cur = next[rng.IntN(len(next))]
		route = append(route, cur)
	}
	return route
}
