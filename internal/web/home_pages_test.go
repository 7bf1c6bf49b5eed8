package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestHomePerRole(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	joined := w.openRelease("0.4")  // workflow "Trials 0.4", in the team Medicines
	waiting := w.openRelease("0.5") // workflow "Trials 0.5"
	draftWorkflow := w.createWorkflow("Drafting")
	w.createRelease(draftWorkflow, testDefinition(t, "0.1"))

	// One clinician reports a safety concern on "record"; eight days later
	// another reports a layout problem on "list": only the second finding
	// is new (the last 7 days).
	trial := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", joined), w.tokens["clinician"], `{"consent":{"accepted":true}}`)
	w.mustAPI(201, "POST", fmt.Sprintf("/trials/%v/reports", trial["id"]), w.tokens["clinician"],
		`{"screen":"record","x":100,"y":100,"category":"layout","severity":3,"safety_concern":true,"text":"Allergies are hidden below the fold."}`)
	w.clock.Advance(8 * 24 * time.Hour)
	second := w.clinician("second@example.nhs.uk")
	trial2 := w.mustAPI(201, "POST", fmt.Sprintf("/releases/%d/trials", joined), second, `{"consent":{"accepted":true}}`)
	w.mustAPI(201, "POST", fmt.Sprintf("/trials/%v/reports", trial2["id"]), second,
		`{"screen":"list","x":5,"y":5,"category":"terminology","severity":2,"text":"What does TTO mean?"}`)

	home := func(t *testing.T, kind string) string {
		t.Helper()
		b := w.browser()
		b.signIn(w.users[kind].Email)
		return b.getPage(t, "/", http.StatusOK)
	}
	wantAll := func(t *testing.T, body string, want ...string) {
		t.Helper()
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("home lacks %q", s)
			}
		}
	}
	wantNone := func(t *testing.T, body string, unwanted ...string) {
		t.Helper()
		for _, s := range unwanted {
			if strings.Contains(body, s) {
				t.Errorf("home shows %q", s)
			}
		}
	}
	sections := []string{"Your trials", "Your teams’ workflows", "Safety concerns</h2>", "Recent audit events"}

	t.Run("a clinician sees their trial in progress and the trials they may join", func(t *testing.T) {
		body := home(t, "clinician")
		wantAll(t, body, "Your trials",
			fmt.Sprintf(`href="/trials/%v">Continue your trial of Trials 0.4, version 0.4`, trial["id"]),
			fmt.Sprintf(`href="/releases/%d/consent">Trials 0.5, version 0.5`, waiting),
			"1 task, about 5 minutes")
		wantNone(t, body, fmt.Sprintf(`href="/releases/%d/consent"`, joined), "Drafting")
		wantNone(t, body, sections[1:]...)
	})
	t.Run("a product owner sees their teams' open releases with participants and new findings", func(t *testing.T) {
		body := home(t, "owner")
		wantAll(t, body, "Your teams’ workflows", "in the last 7 days, since 26 Nov 2026, 09:00 GMT",
			fmt.Sprintf(`href="/releases/%d/report">Version 0.4`, joined), "2 started, 0 finished", "1 new finding<",
			fmt.Sprintf(`href="/releases/%d/report">Version 0.5`, waiting), "0 started, 0 finished", "0 new findings<",
			fmt.Sprintf(`href="/workflows/%d">Drafting</a>`, draftWorkflow), "No release is open for trials.")
		wantNone(t, body, sections[0], sections[2], sections[3])
	})
	t.Run("another team's product owner sees none of them", func(t *testing.T) {
		body := home(t, "other_owner")
		wantAll(t, body, "Your teams have no workflows yet.")
		wantNone(t, body, "Trials 0.4", "Drafting")
	})
	t.Run("a safety officer sees the concerns to triage, linked", func(t *testing.T) {
		body := home(t, "safety")
		wantAll(t, body, `href="/safety-concerns?triage=open">1 safety concern to triage</a>`,
			`href="/safety-concerns?triage=under_review">0 safety concerns under review</a>`)
		wantNone(t, body, sections[0], sections[1], sections[3])
	})
	t.Run("an admin sees the newest audit events in London time", func(t *testing.T) {
		body := home(t, "admin")
		wantAll(t, body, "Recent audit events", "Sign in by admin@example.nhs.uk", "3 Dec 2026, 09:00 GMT", `href="/admin/audit"`)
		if n := strings.Count(body, "GMT</span></li>"); n != 5 {
			t.Errorf("%d audit events shown, want 5", n)
		}
		wantNone(t, body, sections[:3]...)
	})
	t.Run("a person with several roles sees each section", func(t *testing.T) {
		u := w.createUser("both@example.nhs.uk", sandpit.RoleClinician)
		if err := w.st.GrantRole(context.Background(), u.ID, sandpit.RoleSafetyOfficer, sandpit.AuditEntry{Action: sandpit.AuditRoleGranted}); err != nil {
			t.Fatal(err)
		}
		b := w.browser()
		b.signIn(u.Email)
		body := b.getPage(t, "/", http.StatusOK)
		wantAll(t, body, "Your trials", "1 safety concern to triage", fmt.Sprintf(`href="/releases/%d/consent"`, joined))
	})
	t.Run("a researcher is pointed to the workflows", func(t *testing.T) {
		body := home(t, "researcher")
		wantAll(t, body, `href="/workflows">See the workflows`)
		wantNone(t, body, sections...)
	})
	t.Run("someone signed out sees what Sandpit is", func(t *testing.T) {
		body := w.browser().getPage(t, "/", http.StatusOK)
		wantAll(t, body, "Try new clinical systems before they go live")
	})
}

func TestInvitationSignedOut(t *testing.T) {
	w := newWorld(t, Config{OpenRegistration: true})
	w.populate()
	release := w.openRelease("0.4")
	invite := fmt.Sprintf("/releases/%d/invite", release)
	consent := fmt.Sprintf("/releases/%d/consent", release)

	t.Run("the invitation names the trial, the team and the time it takes", func(t *testing.T) {
		body := w.browser().getPage(t, invite, http.StatusOK)
		for _, want := range []string{
			"<h1>Try Trials 0.4, version 0.4</h1>", "Medicines invites you",
			// testDefinition has one task: 3 minutes a task and 2 for the questionnaire.
			"About 5 minutes", "1 task at about 3 minutes each, then 10 short questions",
			`<h2>Sign in</h2>`, `name="next" value="` + consent + `"`,
			`href="/register?next=` + url.QueryEscape(consent) + `"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("invitation lacks %q", want)
			}
		}
	})
	t.Run("signing in from it lands on the consent page", func(t *testing.T) {
		b := w.browser()
		b.get(invite)
		resp, body := b.post("/sign-in", url.Values{"email": {w.users["clinician"].Email}, "password": {password}, "next": {consent}})
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != consent {
			t.Fatalf("sign-in went to %q", location)
		}
		if body := b.getPage(t, consent, http.StatusOK); !strings.Contains(body, "Take part in this trial") {
			t.Error("no consent form")
		}
	})
	t.Run("a wrong password shows the invitation again, with the error", func(t *testing.T) {
		b := w.browser()
		b.get(invite)
		resp, body := b.post("/sign-in", url.Values{"email": {w.users["clinician"].Email}, "password": {"not the password"}, "next": {consent}})
		wantStatus(t, resp, body, http.StatusUnauthorized)
		for _, want := range []string{"There is a problem", "The email address or password is not right", "<h1>Try Trials 0.4, version 0.4</h1>",
			`name="next" value="` + consent + `"`, `value="` + w.users["clinician"].Email + `"`, "<title>Error: Try Trials 0.4, version 0.4"} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused sign-in lacks %q", want)
			}
		}
		// Anywhere else, the sign-in page as before.
		resp, body = b.post("/sign-in", url.Values{"email": {w.users["clinician"].Email}, "password": {"not the password"}, "next": {"/feedback"}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "<h1>Sign in to Sandpit</h1>") {
			t.Errorf("a refused sign-in elsewhere = %d", resp.StatusCode)
		}
	})
	t.Run("registering from it lands on the consent page", func(t *testing.T) {
		b := w.browser()
		reg := b.getPage(t, "/register?next="+url.QueryEscape(consent), http.StatusOK)
		if !strings.Contains(reg, `name="next" value="`+consent+`"`) {
			t.Fatal("the registration form drops next")
		}
		resp, body := b.post("/register", url.Values{"name": {"Nia Nurse"}, "email": {"nia@example.nhs.uk"}, "password": {"a long enough password"},
			"profession": {"nurse"}, "setting": {"acute"}, "years_experience": {"4"}, "legacy_familiarity": {"3"}, "next": {consent}})
		if location := wantStatus(t, resp, body, http.StatusSeeOther); location != consent {
			t.Fatalf("registration went to %q", location)
		}
	})
	t.Run("a draft or closed release invites nobody", func(t *testing.T) {
		draft := w.createRelease(w.createWorkflow("Unpublished"), testDefinition(t, "0.1"))
		if status, _ := w.browser().get(fmt.Sprintf("/releases/%d/invite", draft)); status != http.StatusNotFound {
			t.Errorf("draft invitation = %d", status)
		}
		closed := w.openRelease("0.9")
		if status, body := w.api("POST", fmt.Sprintf("/releases/%d/close", closed), w.tokens["owner"], ""); status != http.StatusOK {
			t.Fatalf("close: %d %s", status, body)
		}
		if status, _ := w.browser().get(fmt.Sprintf("/releases/%d/invite", closed)); status != http.StatusNotFound {
			t.Errorf("closed invitation = %d", status)
		}
	})
}

func TestInvitationOffersWorkAccounts(t *testing.T) {
	sw := newSSOWorld(t, func(c *Config) { c.NoPasswordSignIn = true })
	sw.populate()
	release := sw.openRelease("0.4")
	consent := fmt.Sprintf("/releases/%d/consent", release)
	_, body := sw.browser().get(fmt.Sprintf("/releases/%d/invite", release))
	for _, want := range []string{"<h1>Try Trials 0.4, version 0.4</h1>", "Sign in with NHSmail", "Sign in with NHS Care Identity",
		`name="next" value="` + consent + `"`, "you do not need a Sandpit password"} {
		if !strings.Contains(body, want) {
			t.Errorf("invitation lacks %q", want)
		}
	}
	for _, unwanted := range []string{`name="password"`, `href="/register?next=`} {
		if strings.Contains(body, unwanted) {
			t.Errorf("with passwords off the invitation offers %q", unwanted)
		}
	}
}
