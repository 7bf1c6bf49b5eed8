package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// clinicianBrowser creates a clinician and returns a browser signed in as
// them.
func (w *world) clinicianBrowser(email string) *browser {
	w.t.Helper()
	w.clinician(email)
	b := w.browser()
	b.signIn(email)
	return b
}

// getPage fetches path, fails unless it answers want, and checks the page.
func (b *browser) getPage(t *testing.T, path string, want int) string {
	t.Helper()
	status, body := b.get(path)
	if status != want {
		t.Fatalf("GET %s = %d, want %d\n%.3000s", path, status, want, body)
	}
	if want == http.StatusOK {
		checkPage(t, path, body)
	}
	return body
}

// startTrialPage consents to release through the pages and returns the
// trial's path.
func (b *browser) startTrialPage(t *testing.T, release int64, research bool) string {
	t.Helper()
	form := url.Values{"accepted": {"yes"}}
	if research {
		form.Set("research_use", "yes")
	}
	resp, body := b.post(fmt.Sprintf("/releases/%d/consent", release), form)
	location := wantStatus(t, resp, body, http.StatusSeeOther)
	if !strings.HasPrefix(location, "/trials/") {
		t.Fatalf("consent went to %q", location)
	}
	return location
}

// trialIDOf returns the id in a trial path.
func trialIDOf(t *testing.T, path string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(path, "/trials/%d", &id); err != nil {
		t.Fatalf("trial path %q: %v", path, err)
	}
	return id
}

func TestTrialThroughThePages(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("0.2")
	clinician := w.users["clinician"]
	b := w.browser()
	b.signIn(clinician.Email)
	consent := fmt.Sprintf("/releases/%d/consent", release)

	body := b.getPage(t, "/trials", http.StatusOK)
	for _, want := range []string{"Trials 0.2", "Medicines", "What you will do", "Try 1 task on a prototype", "About 5 minutes", `href="` + consent + `"`, `href="/feedback"`} {
		if !strings.Contains(body, want) {
			t.Errorf("trial list lacks %q", want)
		}
	}
	// The release notes say what changed: they would tell the clinician
	// where to look before the trial starts.
	if strings.Contains(body, "Allergies moved to the top.") {
		t.Error("the trial list shows the release notes")
	}
	body = b.getPage(t, consent, http.StatusOK)
	if !strings.Contains(body, "You may stop at any time.") || !strings.Contains(body, "I agree to take part") || !strings.Contains(body, "My anonymised answers may be used for research") {
		t.Errorf("consent page:\n%s", body)
	}
	resp, body := b.post(consent, url.Values{"research_use": {"yes"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	checkPage(t, "consent refused", body)
	if !strings.Contains(body, `href="#accepted"`) || !strings.Contains(body, `id="accepted-error"`) {
		t.Errorf("consent without agreement:\n%s", body)
	}
	base := b.startTrialPage(t, release, true)
	id := trialIDOf(t, base)
	if tr, err := w.st.Trial(t.Context(), id, clinician.ID); err != nil || !tr.ResearchUse {
		t.Fatalf("trial = %+v, %v", tr, err)
	}
	if status, _ := b.get(consent); status != http.StatusSeeOther {
		t.Errorf("consent page of a trial already started = %d", status)
	}
	if body := b.getPage(t, "/trials", http.StatusOK); !strings.Contains(body, `href="`+base+`"`) || !strings.Contains(body, "Continue") {
		t.Error("the list does not offer to continue the trial")
	}
	if body := b.getPage(t, base, http.StatusOK); !strings.Contains(body, "Not started") || !strings.Contains(body, "Prototype") {
		t.Errorf("trial page:\n%s", body)
	}

	task := base + "/tasks/reconcile"
	attempt := func() *sandpit.Attempt {
		t.Helper()
		attempts, err := w.st.Attempts(t.Context(), id)
		if err != nil || attempts["reconcile"] == nil {
			t.Fatalf("attempts = %v, %v", attempts, err)
		}
		return attempts["reconcile"]
	}
	click := func(form url.Values, want string) {
		t.Helper()
		resp, body := b.post(task+"/click", form)
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != want {
			t.Fatalf("click %v went to %q, want %q", form, location, want)
		}
	}

	// The task opens on its scenario; reading it starts nothing.
	body = b.getPage(t, task, http.StatusOK)
	for _, want := range []string{"is admitted.", "Start task", `action="` + task + `/start"`} {
		if !strings.Contains(body, want) {
			t.Errorf("task page before start lacks %q", want)
		}
	}
	if strings.Contains(body, `type="image"`) {
		t.Error("the screen is shown before the task is started")
	}
	b.getPage(t, task, http.StatusOK)
	if attempts, err := w.st.Attempts(t.Context(), id); err != nil || len(attempts) != 0 {
		t.Fatalf("opening the task page twice left attempts %v, %v", attempts, err)
	}
	resp, body = b.post(task+"/start", nil)
	if location := wantStatus(t, resp, body, http.StatusSeeOther); location != task+"#screen" {
		t.Fatalf("start went to %q", location)
	}
	started := attempt().StartedAt
	resp, body = b.post(task+"/start", nil)
	if location := wantStatus(t, resp, body, http.StatusSeeOther); location != task+"#screen" || !attempt().StartedAt.Equal(started) {
		t.Errorf("a second start went to %q and restarted the clock: %v", location, attempt().StartedAt)
	}

	body = b.getPage(t, task, http.StatusOK)
	for _, want := range []string{`id="screen"`, `name="seq" value="1"`, `type="image"`,
		`alt="Screen: Ward list. Select a point on the screen with a mouse or touch. With a keyboard, use the list of this screen's links."`,
		`width="400" height="300"`, "I'm stuck", "I've been interrupted", "Report a problem", `action="` + task + `/report"`,
		"Use a list of this screen's links instead", `href="` + task + `?list=1#screen"`, "<details", "is admitted.",
		`/static/js/trial.js`, "Synthetic patients only"} {
		if !strings.Contains(body, want) {
			t.Errorf("task page lacks %q", want)
		}
	}
	// The list of links, which names where each leads, waits until asked
	// for; the control comes before the image.
	if strings.Contains(body, "Open Mrs Patel&#39;s record") || strings.Contains(body, `name="link"`) {
		t.Error("the list of links is shown before it is asked for")
	}
	if strings.Index(body, "Use a list of this screen") > strings.Index(body, `type="image"`) {
		t.Error("the list control comes after the image")
	}
	if strings.Contains(body, "Having trouble") {
		t.Error("hint shown before any click")
	}

	t.Run("a miss says so and a double submit records once", func(t *testing.T) {
		click(url.Values{"seq": {"1"}, "click.x": {"5"}, "click.y": {"5"}}, task+"?miss=1#screen")
		click(url.Values{"seq": {"1"}, "click.x": {"50"}, "click.y": {"130"}}, task+"?miss=1#screen")
		if clicks, _ := w.st.ClicksOf(t.Context(), attempt().ID); len(clicks) != 1 || clicks[0].Hit {
			t.Errorf("clicks = %+v", clicks)
		}
		if body := b.getPage(t, task+"?miss=1", http.StatusOK); !strings.Contains(body, "That was not a clickable area") || !strings.Contains(body, `role="status"`) {
			t.Error("the miss is not announced")
		}
	})
	t.Run("a click on the image follows the hotspot", func(t *testing.T) {
		click(url.Values{"seq": {"2"}, "click.x": {"50"}, "click.y": {"130"}}, task+"#screen")
		if a := attempt(); a.Screen != "record" || a.LastSeq != 2 {
			t.Errorf("attempt = %+v", a)
		}
	})
	t.Run("the image pressed from the keyboard records nothing and offers the list", func(t *testing.T) {
		click(url.Values{"seq": {"3"}, "click.x": {"0"}, "click.y": {"0"}}, task+"?keyboard=1#screen")
		if a := attempt(); a.LastSeq != 2 || a.Clicks != 2 {
			t.Errorf("a keyboard press was recorded: %+v", a)
		}
		body := b.getPage(t, task+"?keyboard=1", http.StatusOK)
		if !strings.Contains(body, "cannot be used with a keyboard") || !strings.Contains(body, `name="link" value="0"`) {
			t.Errorf("the list is not offered:\n%s", body)
		}
	})
	t.Run("a stale form goes back to the task", func(t *testing.T) {
		click(url.Values{"seq": {"7"}, "click.x": {"5"}, "click.y": {"5"}}, task+"#screen")
		if a := attempt(); a.LastSeq != 2 {
			t.Errorf("a stale click was recorded: %+v", a)
		}
	})
	t.Run("no point is 422", func(t *testing.T) {
		resp, body := b.post(task+"/click", url.Values{"seq": {"3"}})
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		checkPage(t, "click without a point", body)
		if !strings.Contains(body, `href="#click"`) {
			t.Error("no error summary")
		}
	})
	t.Run("pause and resume", func(t *testing.T) {
		resp, body := b.post(task+"/pause", nil)
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != task+"#screen" {
			t.Errorf("pause went to %q", location)
		}
		body = b.getPage(t, task, http.StatusOK)
		if !strings.Contains(body, "This task is paused") || !strings.Contains(body, task+"/resume") || strings.Contains(body, `type="image"`) {
			t.Errorf("paused page:\n%s", body)
		}
		click(url.Values{"seq": {"3"}, "link": {"0"}}, task+"#screen")
		resp, body = b.post(task+"/resume", nil)
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != task+"#screen" {
			t.Errorf("resume went to %q", location)
		}
		if a := attempt(); a.Paused() || a.Interruptions != 1 || a.LastSeq != 2 {
			t.Errorf("attempt = %+v", a)
		}
	})
	t.Run("a link from the list ends the task and marks it assisted", func(t *testing.T) {
		body := b.getPage(t, task+"?list=1", http.StatusOK)
		if !strings.Contains(body, `name="seq" value="3"`) || !strings.Contains(body, ">Save</button>") || !strings.Contains(body, `id="links"`) {
			t.Fatalf("record screen:\n%s", body)
		}
		click(url.Values{"seq": {"3"}, "link": {"0"}}, task+"/rating")
		click(url.Values{"seq": {"3"}, "link": {"0"}}, task+"/rating")
		a := attempt()
		if a.Outcome != sandpit.OutcomeDirect || a.Clicks != 3 || a.Misclicks != 1 || !a.Assisted() {
			t.Errorf("attempt = %+v", a)
		}
		if clicks, _ := w.st.ClicksOf(t.Context(), a.ID); len(clicks) != 3 || clicks[2].Via != sandpit.ViaList || clicks[0].Via != sandpit.ViaPointer {
			t.Errorf("clicks = %+v", clicks)
		}
		if status, _ := b.get(task); status != http.StatusSeeOther {
			t.Errorf("a finished task's page = %d, want a redirect to its rating", status)
		}
	})
	t.Run("rating", func(t *testing.T) {
		body := b.getPage(t, task+"/rating", http.StatusOK)
		for _, want := range []string{"Overall, how difficult or easy was this task?", "1 Very difficult", "7 Very easy", `id="ease"`, `id="ease-7"`} {
			if !strings.Contains(body, want) {
				t.Errorf("rating page lacks %q", want)
			}
		}
		for _, bad := range []url.Values{{"ease": {"9"}}, {"ease": {""}}, {"ease": {"5"}, "comment": {strings.Repeat("a", 5001)}}} {
			resp, body := b.post(task+"/rating", bad)
			wantStatus(t, resp, body, http.StatusUnprocessableEntity)
			checkPage(t, "bad rating", body)
		}
		resp, body := b.post(task+"/rating", url.Values{"ease": {"5"}, "comment": {"Patient 943 476 5919 was wrong"}})
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "Remove the NHS number") || !strings.Contains(body, `href="#comment"`) {
			t.Errorf("NHS number refusal:\n%s", body)
		}
		if a := attempt(); a.Ease != nil || a.Comment != "" {
			t.Errorf("a refused rating was stored: %+v", a)
		}
		resp, body = b.post(task+"/rating", url.Values{"ease": {"6"}, "comment": {"Quick once I found the button"}})
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != base {
			t.Errorf("rating went to %q", location)
		}
		if a := attempt(); a.Ease == nil || *a.Ease != 6 || a.Comment != "Quick once I found the button" {
			t.Errorf("attempt = %+v", a)
		}
	})
	t.Run("reports", func(t *testing.T) {
		report := base + "/report?task=reconcile&screen=record"
		body := b.getPage(t, report, http.StatusOK)
		for _, want := range []string{`alt="Screen: Record`, `name="x"`, `name="y"`, "Missing information", "Does not fit clinical practice",
			"4 Catastrophic", "This could contribute to patient harm", "What happened?", `name="screen" value="record"`, `name="task" value="reconcile"`} {
			if !strings.Contains(body, want) {
				t.Errorf("report page lacks %q", want)
			}
		}
		resp, body := b.post(base+"/report", url.Values{"screen": {"record"}, "task": {"reconcile"}})
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		checkPage(t, "empty report", body)
		for _, field := range []string{"x", "category", "severity", "text"} {
			if !strings.Contains(body, `href="#`+field+`"`) {
				t.Errorf("empty report: no error for %s", field)
			}
		}
		form := url.Values{"screen": {"record"}, "task": {"reconcile"}, "x": {"100"}, "y": {"100"}, "category": {"layout"}, "severity": {"3"},
			"safety_concern": {"yes"}, "text": {"Mrs Smith 943 476 5919 has her allergies hidden."}}
		resp, body = b.post(base+"/report", form)
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "Remove the NHS number") || !strings.Contains(body, `href="#text"`) {
			t.Errorf("NHS number refusal:\n%s", body)
		}
		if reports, _ := storetest.TrialReports(t.Context(), w.st, id); len(reports) != 0 {
			t.Errorf("a refused report was stored: %+v", reports)
		}
		form.Set("text", "Allergies are hidden below the fold.")
		resp, body = b.post(base+"/report", form)
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != task+"?done=reported#screen" {
			t.Errorf("report went to %q", location)
		}
		reports, _ := storetest.TrialReports(t.Context(), w.st, id)
		if len(reports) != 1 || reports[0].X != 100 || !reports[0].SafetyConcern || reports[0].TaskKey != "reconcile" || reports[0].Severity != 3 {
			t.Errorf("reports = %+v", reports)
		}
		if status, _ := b.get(base + "/report?screen=nope"); status != http.StatusNotFound {
			t.Errorf("report on an unknown screen = %d", status)
		}
	})
	t.Run("finishing needs the questionnaire", func(t *testing.T) {
		body := b.getPage(t, base, http.StatusOK)
		if !strings.Contains(body, base+"/sus") || strings.Contains(body, base+"/complete") {
			t.Errorf("trial page before the questionnaire:\n%s", body)
		}
		resp, body := b.post(base+"/complete", nil)
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		checkPage(t, "incomplete", body)
		if !strings.Contains(body, `href="#questionnaire"`) {
			t.Errorf("completion without SUS:\n%s", body)
		}
	})
	t.Run("SUS", func(t *testing.T) {
		body := b.getPage(t, base+"/sus", http.StatusOK)
		if strings.Count(body, "<fieldset") != 10 || !strings.Contains(body, "5 Strongly agree") || !strings.Contains(body, sandpit.SUSStatements()[3]) {
			t.Errorf("SUS page:\n%s", body)
		}
		form := url.Values{"q1": {"4"}, "q2": {"2"}, "q3": {"4"}}
		resp, body := b.post(base+"/sus", form)
		wantStatus(t, resp, body, http.StatusUnprocessableEntity)
		checkPage(t, "SUS missing", body)
		for i := 1; i <= 10; i++ {
			if has := strings.Contains(body, fmt.Sprintf(`href="#q%d"`, i)); has != (i > 3) {
				t.Errorf("error for q%d: %v", i, has)
			}
		}
		for i, a := range []string{"4", "2", "4", "2", "5", "1", "4", "2", "4", "3"} {
			form.Set(fmt.Sprintf("q%d", i+1), a)
		}
		resp, body = b.post(base+"/sus", form)
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != base+"?done=sus" {
			t.Errorf("SUS went to %q", location)
		}
		if tr, _ := w.st.Trial(t.Context(), id, clinician.ID); tr.SUSScore == nil || *tr.SUSScore != 77.5 {
			t.Errorf("SUS score = %v", tr.SUSScore)
		}
	})
	t.Run("complete", func(t *testing.T) {
		body := b.getPage(t, base, http.StatusOK)
		if !strings.Contains(body, base+"/complete") {
			t.Fatalf("no finish form:\n%s", body)
		}
		resp, body := b.post(base+"/complete", nil)
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != base+"/done" {
			t.Errorf("complete went to %q", location)
		}
		body = b.getPage(t, base+"/done", http.StatusOK)
		if !strings.Contains(body, "Trial complete") || !strings.Contains(body, `href="/feedback"`) {
			t.Errorf("done page:\n%s", body)
		}
		if body := b.getPage(t, "/trials", http.StatusOK); !strings.Contains(body, "Completed") {
			t.Error("the list does not show the trial completed")
		}
	})
	t.Run("my feedback", func(t *testing.T) {
		body := b.getPage(t, "/feedback", http.StatusOK)
		for _, want := range []string{"Allergies are hidden below the fold.", "Layout", "3 Major", "Safety concern", "No response yet", "Received",
			"Trials 0.2, version 0.2", base + "/withdraw"} {
			if !strings.Contains(body, want) {
				t.Errorf("feedback lacks %q", want)
			}
		}
		if strings.Contains(body, "5919") {
			t.Error("the refused NHS number reached the feedback page")
		}
	})
	t.Run("another clinician cannot see or change the trial", func(t *testing.T) {
		other := w.clinicianBrowser("other.clinician@example.nhs.uk")
		for _, path := range []string{base, task, task + "/rating", base + "/report?screen=list", base + "/sus", base + "/done", base + "/withdraw"} {
			if status, _ := other.get(path); status != http.StatusNotFound {
				t.Errorf("GET %s = %d", path, status)
			}
		}
		posts := map[string]url.Values{
			task + "/click": {"seq": {"4"}, "click.x": {"1"}, "click.y": {"1"}}, task + "/stuck": nil, task + "/pause": nil, task + "/resume": nil,
			task + "/start": nil, task + "/report": nil,
			task + "/rating": {"ease": {"3"}}, base + "/report": {"screen": {"list"}, "x": {"1"}, "y": {"1"}, "category": {"layout"}, "severity": {"1"}, "text": {"x"}},
			base + "/sus": {"q1": {"3"}}, base + "/complete": nil, base + "/withdraw": nil,
		}
		for path, form := range posts {
			if resp, _ := other.post(path, form); resp.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s = %d", path, resp.StatusCode)
			}
		}
		if n, _ := storetest.CountTrialRows(t.Context(), w.st, id); n == 0 {
			t.Error("another clinician withdrew the trial")
		}
	})
	t.Run("withdraw", func(t *testing.T) {
		body := b.getPage(t, base+"/withdraw", http.StatusOK)
		if !strings.Contains(body, "This cannot be undone") || !strings.Contains(body, "nhsuk-button--warning") {
			t.Errorf("withdraw page:\n%s", body)
		}
		resp, body := b.post(base+"/withdraw", nil)
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != "/feedback?done=withdrawn" {
			t.Errorf("withdraw went to %q", location)
		}
		if n, err := storetest.CountTrialRows(t.Context(), w.st, id); err != nil || n != 0 {
			t.Errorf("rows left = %d, %v", n, err)
		}
		body = b.getPage(t, "/feedback?done=withdrawn", http.StatusOK)
		if !strings.Contains(body, "You have withdrawn") || strings.Contains(body, "Allergies are hidden") {
			t.Errorf("feedback after withdrawal:\n%s", body)
		}
		if status, _ := b.get(base); status != http.StatusNotFound {
			t.Errorf("the withdrawn trial = %d", status)
		}
	})
}

func TestTrialPagesStuckAndHint(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("0.3")

	t.Run("I'm stuck ends the task as gave up", func(t *testing.T) {
		b := w.clinicianBrowser("stuck@example.nhs.uk")
		base := b.startTrialPage(t, release, false)
		task := base + "/tasks/reconcile"
		b.getPage(t, task, http.StatusOK)
		b.post(task+"/start", nil)
		resp, body := b.post(task+"/stuck", nil)
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != task+"/rating" {
			t.Errorf("stuck went to %q", location)
		}
		attempts, _ := w.st.Attempts(t.Context(), trialIDOf(t, base))
		if a := attempts["reconcile"]; a == nil || a.Outcome != sandpit.OutcomeGaveUp {
			t.Errorf("attempt = %+v", a)
		}
		if body := b.getPage(t, task+"/rating", http.StatusOK); !strings.Contains(body, "You told us you were stuck") {
			t.Error("the rating page does not acknowledge being stuck")
		}
	})

	t.Run("the hint appears after three misclicks in a row", func(t *testing.T) {
		b := w.clinicianBrowser("hint@example.nhs.uk")
		base := b.startTrialPage(t, release, false)
		task := base + "/tasks/reconcile"
		b.getPage(t, task, http.StatusOK)
		b.post(task+"/start", nil)
		seq := 0
		miss := func() {
			seq++
			b.post(task+"/click", url.Values{"seq": {fmt.Sprint(seq)}, "click.x": {"5"}, "click.y": {"5"}})
		}
		hint := func() bool { return strings.Contains(b.getPage(t, task, http.StatusOK), "Having trouble?") }
		miss()
		miss()
		if hint() {
			t.Error("hint after two misses")
		}
		miss()
		if !hint() {
			t.Error("no hint after three misses")
		}
		body := b.getPage(t, task+"?show=areas", http.StatusOK)
		if !strings.Contains(body, `<svg class="sandpit-areas" viewBox="0 0 400 300" aria-hidden="true"`) || !strings.Contains(body, `<rect x="40" y="120" width="300" height="48"/>`) {
			t.Errorf("areas:\n%s", body)
		}
		// A hit, then a hit back to the list: no longer three misses in a row.
		seq++
		b.post(task+"/click", url.Values{"seq": {fmt.Sprint(seq)}, "link": {"0"}})
		if hint() {
			t.Error("hint after a hit")
		}
		if body := b.getPage(t, task, http.StatusOK); strings.Contains(body, "sandpit-areas") {
			t.Error("areas drawn without being asked for")
		}
	})
}

func TestTrialInviteAndConsentPermissions(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("0.4")
	invite := fmt.Sprintf("/releases/%d/invite", release)
	consent := fmt.Sprintf("/releases/%d/consent", release)

	t.Run("a signed-out visitor signs in first, from the invitation", func(t *testing.T) {
		body := w.browser().getPage(t, invite, http.StatusOK)
		if !strings.Contains(body, `action="/sign-in"`) || !strings.Contains(body, `name="next" value="`+consent+`"`) {
			t.Errorf("the invitation does not sign in to the consent page")
		}
	})
	t.Run("a clinician goes to consent, then to their trial", func(t *testing.T) {
		b := w.clinicianBrowser("invited@example.nhs.uk")
		resp, err := b.client.Get(b.base + invite)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if location := resp.Header.Get("Location"); location != consent {
			t.Errorf("invite = %q", location)
		}
		base := b.startTrialPage(t, release, false)
		resp, err = b.client.Get(b.base + invite)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if location := resp.Header.Get("Location"); location != base {
			t.Errorf("invite with a trial = %q", location)
		}
	})
	t.Run("only clinicians take part", func(t *testing.T) {
		owner := w.browser()
		owner.signIn(w.users["owner"].Email)
		resp, body := owner.post(consent, url.Values{"accepted": {"yes"}})
		wantStatus(t, resp, body, http.StatusForbidden)
		if body := owner.getPage(t, "/trials", http.StatusOK); !strings.Contains(body, "Only clinicians take part") {
			t.Error("the list does not explain who takes part")
		}
		if body := owner.getPage(t, consent, http.StatusOK); strings.Contains(body, `name="accepted"`) {
			t.Error("a product owner is offered the consent form")
		}
		body = owner.getPage(t, fmt.Sprintf("/releases/%d", release), http.StatusOK)
		if !strings.Contains(body, "Invite clinicians") || !strings.Contains(body, `value="http://localhost:8080`+invite+`"`) {
			t.Errorf("release page lacks the invite link")
		}
		other := w.browser()
		other.signIn(w.users["other_owner"].Email)
		if resp, _ := other.post(consent, url.Values{"accepted": {"yes"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another team's owner = %d", resp.StatusCode)
		}
	})
	t.Run("the header links clinicians to their trials", func(t *testing.T) {
		b := w.browser()
		b.signIn(w.users["clinician"].Email)
		_, body := b.get("/")
		if !strings.Contains(body, `href="/trials"`) || !strings.Contains(body, `href="/feedback"`) {
			t.Error("no Open trials or My feedback in the header")
		}
	})
}
