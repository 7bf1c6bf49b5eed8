package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

var testUnsubscribeKey = []byte("web test unsubscribe key, long enough")

func TestInvitationsNeedMail(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	release := w.openRelease("0.2")
	status, body := w.api("POST", fmt.Sprintf("/releases/%d/invitations", release), w.tokens["owner"], `{"emails":["a@example.nhs.uk"]}`)
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "SANDPIT_SMTP_URL") {
		t.Errorf("invite without mail = %d %s; want 503 naming SANDPIT_SMTP_URL", status, body)
	}
	b := w.browser()
	b.signIn("owner@example.nhs.uk")
	page := b.getPage(t, fmt.Sprintf("/releases/%d/invitations", release), http.StatusOK)
	if !strings.Contains(page, "SANDPIT_SMTP_URL") {
		t.Error("the invitation page does not say email is not set up")
	}
}

func TestRecruitmentAPIAndPages(t *testing.T) {
	w := newWorld(t, Config{Mail: true, UnsubscribeKey: testUnsubscribeKey})
	w.populate()
	release := w.openRelease("0.2")
	path := fmt.Sprintf("/releases/%d", release)
	owner := w.tokens["owner"]

	if got := w.mustAPI(201, "POST", path+"/invitations", owner, `{"emails":["a@example.nhs.uk","clinician@example.nhs.uk"]}`); got["invited"] != 2.0 {
		t.Errorf("invited = %v, want 2", got["invited"])
	}
	if got := w.mustAPI(201, "POST", path+"/invitations", owner, `{"emails":["A@example.nhs.uk"]}`); got["invited"] != 0.0 {
		t.Errorf("invited again = %v, want 0", got["invited"])
	}
	status, body := w.api("POST", path+"/invitations", owner, `{"emails":["a@example.nhs.uk","nope"]}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"emails[1]"`) {
		t.Errorf("a bad address = %d %s; want 422 naming emails[1]", status, body)
	}
	for _, kind := range []string{"clinician", "researcher", "other_owner"} {
		if status, _ := w.api("POST", path+"/invitations", w.tokens[kind], `{"emails":["x@example.nhs.uk"]}`); status != http.StatusForbidden && status != http.StatusNotFound {
			t.Errorf("invite as %s = %d, want 403 or 404", kind, status)
		}
		if status, _ := w.api("GET", path+"/recruitment", w.tokens[kind], ""); status != http.StatusForbidden && status != http.StatusNotFound {
			t.Errorf("recruitment as %s = %d, want 403 or 404", kind, status)
		}
	}
	for _, bad := range []string{`{"nurse": 1.5}`, `{"nurse": -1}`, `{"wizard": 2}`, `{"nurse": "two"}`} {
		if status, body := w.api("PUT", path+"/targets", owner, bad); status != http.StatusUnprocessableEntity {
			t.Errorf("targets %s = %d %s; want 422", bad, status, body)
		}
	}
	w.mustAPI(200, "PUT", path+"/targets", owner, `{"nurse": 1, "doctor": 4}`)

	// The first nurse starts; the next is thanked and refused.
	w.apiTrial(release, w.tokens["clinician"])
	late := w.clinician("late.nurse@example.nhs.uk")
	status, body = w.api("POST", path+"/trials", late, `{"consent":{"accepted":true,"research_use":true}}`)
	if status != http.StatusConflict || !strings.Contains(body, "This trial has enough nurses for now, thank you.") {
		t.Errorf("a nurse over the target = %d %s; want 409 with thanks", status, body)
	}
	// The first nurse's trial is never refused.
	if status, _ := w.api("POST", path+"/trials", w.tokens["clinician"], `{"consent":{"accepted":true,"research_use":true}}`); status != http.StatusOK {
		t.Errorf("the started nurse again = %d, want 200", status)
	}

	var rec struct {
		Invited, Started, Completed int
		ByProfession                map[string]struct {
			Target             *int
			Started, Completed int
		} `json:"by_profession"`
	}
	_, body = w.api("GET", path+"/recruitment", owner, "")
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Invited != 2 || rec.Started != 1 || rec.Completed != 0 || *rec.ByProfession["nurse"].Target != 1 || rec.ByProfession["nurse"].Started != 1 ||
		*rec.ByProfession["doctor"].Target != 4 || rec.ByProfession["doctor"].Started != 0 {
		t.Errorf("recruitment = %s", body)
	}

	// Pages: the release page's panel, the targets and invitation forms.
	b := w.browser()
	b.signIn("owner@example.nhs.uk")
	page := b.getPage(t, path, http.StatusOK)
	for _, want := range []string{`id="recruitment"`, "Invited by email", "Target reached", "0 of 4 started", "4 more wanted", path + "/invitations", path + "/targets"} {
		if !strings.Contains(page, want) {
			t.Errorf("release page lacks %q", want)
		}
	}
	resp, page := b.post(path+"/invitations", url.Values{"emails": {"good@example.nhs.uk, bad@@example, worse"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "2 entries are not email addresses: “bad@@example” and “worse”") {
		t.Errorf("bad addresses on the page = %d\n%.2000s", resp.StatusCode, page)
	}
	if n, _ := storetest.Count(context.Background(), w.st, "SELECT COUNT(*) FROM invitations"); n != 2 {
		t.Errorf("%d invitations after a refused paste, want 2", n)
	}
	resp, page = b.post(path+"/invitations", url.Values{"emails": {"good@example.nhs.uk\nother@example.nhs.uk; a@example.nhs.uk"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=invited-2") {
		t.Errorf("paste = %d to %s\n%.3000s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	resp, page = b.post(path+"/targets", url.Values{"target-nurse": {"3"}, "target-doctor": {"lots"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Enter the number of doctors as a whole number") {
		t.Errorf("a bad target on the page = %d", resp.StatusCode)
	}
	resp, _ = b.post(path+"/targets", url.Values{"target-nurse": {"3"}, "target-pharmacist": {"2"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("targets = %d", resp.StatusCode)
	}
	page = b.getPage(t, path+"/targets", http.StatusOK)
	if !strings.Contains(page, `id="target-nurse" name="target-nurse" type="text" inputmode="numeric" spellcheck="false" autocomplete="off" value="3"`) ||
		!strings.Contains(page, `name="target-doctor" type="text" inputmode="numeric" spellcheck="false" autocomplete="off" value=""`) {
		t.Errorf("the targets page does not show 3 nurses and no doctor target:\n%.3000s", page)
	}
	// The report compares participants with the targets.
	page = b.getPage(t, path+"/report", http.StatusOK)
	if !strings.Contains(page, "Participants by profession against the recruitment targets") {
		t.Error("the report has no targets section")
	}

	// The late nurse now sees the consent page open again (3 nurses wanted).
	lb := w.browser()
	lb.signIn("late.nurse@example.nhs.uk")
	if page := lb.getPage(t, path+"/consent", http.StatusOK); strings.Contains(page, "enough nurses") {
		t.Error("the consent page says enough nurses below the target")
	}
	w.mustAPI(200, "PUT", path+"/targets", owner, `{"nurse": 1}`)
	if page := lb.getPage(t, "/trials", http.StatusOK); !strings.Contains(page, "This trial has enough nurses for now, thank you.") ||
		strings.Contains(page, `href="`+path+`/consent"`) {
		t.Error("the open trials list offers a release with enough nurses")
	}
	if page := lb.getPage(t, path+"/consent", http.StatusOK); !strings.Contains(page, "This trial has enough nurses for now, thank you.") || strings.Contains(page, `action="`+path+`/consent"`) {
		t.Error("the consent page over the target does not thank the nurse, or still offers the form")
	}
}

func TestUnsubscribeSignedOut(t *testing.T) {
	w := newWorld(t, Config{Mail: true, UnsubscribeKey: testUnsubscribeKey})
	token := sandpit.UnsubscribeToken(testUnsubscribeKey, "Ada@example.nhs.uk", sandpit.MailDigest)
	b := w.browser()
	page := b.getPage(t, "/unsubscribe/"+token, http.StatusOK)
	if !strings.Contains(page, "Stop emails telling you what became of your feedback") || !strings.Contains(page, "ada@example.nhs.uk") {
		t.Errorf("unsubscribe page:\n%.2000s", page)
	}
	resp, page := b.post("/unsubscribe/"+token, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "You will get no more of these emails") {
		t.Errorf("unsubscribe = %d\n%.2000s", resp.StatusCode, page)
	}
	if left, err := w.st.Unsubscribed(context.Background(), "ADA@example.nhs.uk", sandpit.MailDigest); err != nil || !left {
		t.Errorf("unsubscribed = %v, %v", left, err)
	}
	if left, _ := w.st.Unsubscribed(context.Background(), "ada@example.nhs.uk", sandpit.MailInvitation); left {
		t.Error("leaving digests left invitations too")
	}
	if status, _ := b.get("/unsubscribe/" + token[:len(token)-3] + "abc"); status != http.StatusNotFound {
		t.Errorf("a forged token = %d, want 404", status)
	}
}
