package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/mail"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// unsubscribeKey signs the test emails' unsubscribe links.
var unsubscribeKey = []byte("test unsubscribe key, 32 bytes or more")

// mailConfig is the services' configuration with email on.
func mailConfig(w *world, digest time.Duration) app.Config {
	return app.Config{PasswordCost: bcrypt.MinCost, PseudonymKey: []byte("test pseudonym key"), Now: w.clock.Now,
		Mail: true, FeedbackDigest: digest, UnsubscribeKey: unsubscribeKey}
}

// newMailWorld is the world with email on and a digest window of digest.
func newMailWorld(t *testing.T, digest time.Duration) *world {
	w := newWorld(t)
	w.app = app.New(w.st, mailConfig(w, digest))
	return w
}

// newWorker is an outbox worker over st sending to server, on w's clock.
func newWorker(t *testing.T, w *world, st *store.Store, server *smtpServer, batch int, reminders ...time.Duration) *mail.Worker {
	t.Helper()
	smtp, err := mail.ParseSMTPURL(server.url())
	if err != nil {
		t.Fatal(err)
	}
	wk, err := mail.NewWorker(mail.Config{SMTP: smtp, From: "Sandpit <sandpit@example.nhs.uk>", BaseURL: "https://sandpit.example.nhs.uk",
		UnsubscribeKey: unsubscribeKey, Reminders: reminders, Now: w.clock.Now, Batch: batch}, st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return wk
}

// drain sends until nothing is due now.
func drain(t *testing.T, wk *mail.Worker) {
	t.Helper()
	for range 1000 {
		n, err := wk.SendDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox never emptied")
}

// linkRE finds the links of a plain-text body.
var linkRE = regexp.MustCompile(`https://sandpit\.example\.nhs\.uk/\S+`)

func TestInvitationEmailsHaveHeadersPartsAndLinks(t *testing.T) {
	w := newMailWorld(t, time.Hour)
	server := startSMTP(t)
	wk := newWorker(t, w, w.st, server, 20)
	owner := w.actors[kindOwner]
	n, err := w.app.Recruitment.Invite(w.ctx, owner, w.release, []string{"Ada.Nurse@example.nhs.uk", "ben@example.nhs.uk"})
	if err != nil || n != 2 {
		t.Fatalf("invite: %d, %v; want 2", n, err)
	}
	// The same address in another case, and one new: only the new one.
	n, err = w.app.Recruitment.Invite(w.ctx, owner, w.release, []string{"ada.nurse@EXAMPLE.nhs.uk", "cara@example.nhs.uk"})
	if err != nil || n != 1 {
		t.Fatalf("invite again: %d, %v; want 1", n, err)
	}
	drain(t, wk)
	got := server.messages()
	if len(got) != 3 {
		t.Fatalf("%d messages, want 3", len(got))
	}
	to := map[string]received{}
	for _, m := range got {
		to[m.To] = m
	}
	m, ok := to["Ada.Nurse@example.nhs.uk"]
	if !ok {
		t.Fatalf("no message to Ada.Nurse@example.nhs.uk among %v", to)
	}
	if f := m.Header.Get("From"); f != `"Sandpit" <sandpit@example.nhs.uk>` && f != "Sandpit <sandpit@example.nhs.uk>" {
		t.Errorf("From %q", f)
	}
	if h := m.Header.Get("To"); !strings.Contains(h, "<Ada.Nurse@example.nhs.uk>") {
		t.Errorf("To %q", h)
	}
	if s := m.Header.Get("Subject"); s != "You are invited to try Medicines reconciliation, release 0.1" {
		t.Errorf("Subject %q", s)
	}
	if m.Type != "multipart/alternative" || m.Text == "" || m.HTML == "" {
		t.Fatalf("type %s, text %d bytes, html %d bytes: want multipart/alternative with both", m.Type, len(m.Text), len(m.HTML))
	}
	invite := fmt.Sprintf("https://sandpit.example.nhs.uk/releases/%d/invite", w.release)
	links := linkRE.FindAllString(m.Text, -1)
	if len(links) != 2 || links[0] != invite || !strings.HasPrefix(links[1], "https://sandpit.example.nhs.uk/unsubscribe/") {
		t.Fatalf("text links %q, want the invite link then an unsubscribe link", links)
	}
	if !strings.Contains(m.HTML, `href="`+invite+`"`) {
		t.Errorf("the HTML part has no link to %s", invite)
	}
	unsub := links[1]
	if h := m.Header.Get("List-Unsubscribe"); h != "<"+unsub+">" {
		t.Errorf("List-Unsubscribe %q, want <%s>", h, unsub)
	}
	token := strings.TrimPrefix(unsub, "https://sandpit.example.nhs.uk/unsubscribe/")
	u, err := w.app.Recruitment.Unsubscription(w.ctx, token)
	if err != nil || u.Email != "ada.nurse@example.nhs.uk" || u.Kind != sandpit.MailInvitation || u.Done {
		t.Fatalf("unsubscription %+v, %v", u, err)
	}
	// Leaving invitations stops the next one, and only that kind.
	if _, err := w.app.Recruitment.Unsubscribe(w.ctx, app.Actor{IP: "192.0.2.9"}, token); err != nil {
		t.Fatal(err)
	}
	other := w.publish(w.workflow, "0.2")
	if n, err := w.app.Recruitment.Invite(w.ctx, owner, other, []string{"ada.nurse@example.nhs.uk", "ben@example.nhs.uk"}); err != nil || n != 2 {
		t.Fatalf("invite to 0.2: %d, %v", n, err)
	}
	drain(t, wk)
	if got := server.messages(); len(got) != 4 || got[3].To != "ben@example.nhs.uk" {
		t.Fatalf("after unsubscribing: %d messages, the last to %q; want 4, the last to ben", len(got), got[len(got)-1].To)
	}
	c, err := w.st.MailCounts(w.ctx)
	if err != nil || c != (store.MailCounts{Sent: 4, Skipped: 1}) {
		t.Errorf("outbox %+v, %v; want 4 sent, 1 skipped", c, err)
	}
	// Nothing of a report's text is in any email.
	for _, m := range server.messages() {
		if strings.Contains(m.Text+m.HTML, "allergy banner") {
			t.Errorf("an email to %s holds report text", m.To)
		}
	}
	// A forged token is refused.
	if _, err := w.app.Recruitment.Unsubscription(w.ctx, token[:len(token)-2]+"xx"); sandpit.ErrorCode(err) != sandpit.ENOTFOUND {
		t.Errorf("forged token: %v", err)
	}
}

func TestOutageDuringBurstDeliversEveryMessageOnce(t *testing.T) {
	w := newMailWorld(t, time.Hour)
	server := startSMTP(t)
	wk := newWorker(t, w, w.st, server, 4)
	owner := w.actors[kindOwner]
	invite := func(from, to int) {
		var list []string
		for i := from; i < to; i++ {
			list = append(list, fmt.Sprintf("clinician%02d@example.nhs.uk", i))
		}
		if n, err := w.app.Recruitment.Invite(w.ctx, owner, w.release, list); err != nil || n != to-from {
			t.Fatalf("invite %d–%d: %d, %v", from, to, n, err)
		}
	}
	invite(0, 10)
	// The server stops as the 7th message starts: the 2nd batch fails
	// part way through.
	server.mu.Lock()
	server.refuseAfter = 6
	server.mu.Unlock()
	for range 3 {
		if _, err := wk.SendDue(w.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(server.messages()); got != 6 {
		t.Fatalf("%d delivered before the outage, want 6", got)
	}
	// More events while the server is down; tries fail and back off.
	invite(10, 20)
	for range 5 {
		if _, err := wk.SendDue(w.ctx); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(2 * time.Second)
	}
	c, err := w.st.MailCounts(w.ctx)
	if err != nil || c.Waiting != 14 {
		t.Fatalf("outbox during the outage %+v, %v; want 14 waiting", c, err)
	}
	// Backoff never waits more than 30 s between tries.
	var tries, last int64
	for i, q := range []string{"SELECT MAX(tries) FROM mail_messages", "SELECT COUNT(*) FROM mail_messages WHERE sent_at IS NULL AND send_after > ?"} {
		args := []any{}
		if i == 1 {
			args = append(args, w.clock.Now().Add(30*time.Second))
		}
		n, err := storetest.Count(w.ctx, w.st, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			tries = n
		} else {
			last = n
		}
	}
	if tries < 2 || last != 0 {
		t.Errorf("most tries %d (want 2 or more), messages waiting more than 30 s: %d (want 0)", tries, last)
	}
	server.start()
	invite(20, 25)
	for range 10 {
		w.clock.Advance(30 * time.Second)
		drain(t, wk)
	}
	got := server.messages()
	seen := map[string]int{}
	for _, m := range got {
		seen[m.To]++
	}
	for i := range 25 {
		if addr := fmt.Sprintf("clinician%02d@example.nhs.uk", i); seen[addr] != 1 {
			t.Errorf("%s got %d messages, want 1", addr, seen[addr])
		}
	}
	if len(got) != 25 {
		t.Errorf("%d messages delivered, want 25", len(got))
	}
}

func TestTwoWorkersOnPostgresSendNoDuplicates(t *testing.T) {
	if os.Getenv("SANDPIT_TEST_POSTGRES") == "" {
		t.Skip("needs SANDPIT_TEST_POSTGRES: two replicas share one PostgreSQL database")
	}
	clock := storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	url := storetest.URL(t)
	replica1 := storetest.Open(t, url, clock.Now)
	if err := replica1.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	replica2 := storetest.Open(t, url, clock.Now)
	w := &world{t: t, ctx: context.Background(), clock: clock, st: replica1, actors: map[string]app.Actor{}}
	team, err := replica1.CreateTeam(w.ctx, "Medicines", sandpit.AuditEntry{Action: sandpit.AuditTeamCreated})
	if err != nil {
		t.Fatal(err)
	}
	wf, err := replica1.CreateWorkflow(w.ctx, team.ID, sandpit.WorkflowInput{Title: "Medicines reconciliation", ConsentText: "You may stop."},
		sandpit.AuditEntry{Action: sandpit.AuditWorkflowCreated})
	if err != nil {
		t.Fatal(err)
	}
	release := w.publish(wf, "0.1")
	server := startSMTP(t)
	workers := []*mail.Worker{newWorker(t, w, replica1, server, 8), newWorker(t, w, replica2, server, 8)}
	// Each round queues 8 messages, then both replicas claim at the same
	// moment: without SKIP LOCKED both would take the same rows.
	const rounds, per = 15, 8
	var list []string
	claimed := make([]int, len(workers))
	for r := range rounds {
		var batch []string
		for i := range per {
			batch = append(batch, fmt.Sprintf("clinician%02d-%d@example.nhs.uk", r, i))
		}
		list = append(list, batch...)
		if n, err := replica1.Invite(w.ctx, release, batch, sandpit.AuditEntry{Action: sandpit.AuditInvited}); err != nil || n != per {
			t.Fatalf("invite: %d, %v", n, err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, wk := range workers {
			wg.Go(func() {
				<-start
				for {
					n, err := wk.SendDue(w.ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
					claimed[i] += n
				}
			})
		}
		close(start)
		wg.Wait()
	}
	const total = rounds * per
	seen := map[string]int{}
	for _, m := range server.messages() {
		seen[m.To]++
	}
	for _, addr := range list {
		if seen[addr] != 1 {
			t.Errorf("%s got %d messages, want 1", addr, seen[addr])
		}
	}
	if claimed[0]+claimed[1] != total {
		t.Errorf("the workers claimed %v, %d in all; want %d", claimed, claimed[0]+claimed[1], total)
	}
	t.Logf("claims by worker: %v", claimed)
}

// update changes finding id as the team's product owner.
func (w *world) update(id int64, upd sandpit.FindingUpdate) {
	w.t.Helper()
	if _, err := w.app.Findings.Update(w.ctx, w.actors[kindOwner], id, upd); err != nil {
		w.t.Fatal(err)
	}
}

func TestDigestAtMostOncePerWindow(t *testing.T) {
	w := newMailWorld(t, time.Hour)
	server := startSMTP(t)
	wk := newWorker(t, w, w.st, server, 20)
	// A second report, on another workflow, so in another finding.
	wf2, err := w.st.CreateWorkflow(w.ctx, w.team.ID, sandpit.WorkflowInput{Title: "Discharge letters", ConsentText: "You may stop at any time."},
		sandpit.AuditEntry{Action: sandpit.AuditWorkflowCreated})
	if err != nil {
		t.Fatal(err)
	}
	tr2, _, err := w.st.StartTrial(w.ctx, w.publish(wf2, "0.1"), w.actors[kindClinician].ID(), 1, true, sandpit.AuditEntry{Action: sandpit.AuditConsent})
	if err != nil {
		t.Fatal(err)
	}
	_, second := w.reportOn(tr2.ReleaseID, tr2.ID, "The save button is below the fold on a laptop.", false)
	if second == w.finding {
		t.Fatal("both reports are in one finding")
	}
	t0 := w.clock.Now()

	// A change of title alone tells the clinician nothing.
	w.update(w.finding, sandpit.FindingUpdate{Title: strp("Allergy banner hides the dose")})
	if c, _ := w.st.MailCounts(w.ctx); c.Waiting != 0 {
		t.Fatalf("a title change queued %d digests", c.Waiting)
	}
	// The first change after a quiet spell waits for the end of the window,
	// gathering what follows.
	w.update(w.finding, sandpit.FindingUpdate{Status: strp(sandpit.FindingPlanned)})
	drain(t, wk)
	w.clock.Advance(30 * time.Minute)
	w.update(w.finding, sandpit.FindingUpdate{Response: strp("We are moving the banner above the list.")})
	w.update(second, sandpit.FindingUpdate{Status: strp(sandpit.FindingAccepted)})
	drain(t, wk)
	if n := len(server.messages()); n != 0 {
		t.Fatalf("%d digests sent before the window ended", n)
	}
	w.clock.Advance(30*time.Minute - time.Second)
	drain(t, wk)
	if n := len(server.messages()); n != 0 {
		t.Fatalf("%d digests sent a second before the window ended", n)
	}
	w.clock.Advance(time.Second)
	drain(t, wk)
	got := server.messages()
	if len(got) != 1 {
		t.Fatalf("%d digests at the end of the window, want 1", len(got))
	}
	d := got[0]
	if d.To != "clinician@example.nhs.uk" || d.Header.Get("Subject") != "2 of your reports were answered" {
		t.Errorf("digest to %s, subject %q", d.To, d.Header.Get("Subject"))
	}
	if links := linkRE.FindAllString(d.Text, -1); len(links) != 2 || links[0] != "https://sandpit.example.nhs.uk/feedback" {
		t.Errorf("digest links %q, want My feedback first", links)
	}
	if strings.Contains(d.Text+d.HTML, "banner") || strings.Contains(d.Text+d.HTML, "save button") {
		t.Error("the digest holds report or response text")
	}
	if !strings.Contains(d.Header.Get("List-Unsubscribe"), "/unsubscribe/") {
		t.Errorf("List-Unsubscribe %q", d.Header.Get("List-Unsubscribe"))
	}

	// A change just after a digest waits a whole window again.
	w.clock.Advance(time.Minute)
	w.update(second, sandpit.FindingUpdate{Response: strp("Thank you: this is planned for 0.3.")})
	w.clock.Advance(59 * time.Minute)
	drain(t, wk)
	if n := len(server.messages()); n != 1 {
		t.Fatalf("%d digests 59 minutes after the next change, want still 1", n)
	}
	w.clock.Advance(time.Minute)
	drain(t, wk)
	got = server.messages()
	if len(got) != 2 || got[1].Header.Get("Subject") != "1 of your reports was answered" {
		t.Fatalf("%d digests, the last %q; want 2, the last about 1 report", len(got), got[len(got)-1].Header.Get("Subject"))
	}
	first, _ := mailDate(got[0])
	next, _ := mailDate(got[1])
	if first.Sub(t0) != time.Hour || next.Sub(first) < time.Hour {
		t.Errorf("digests at %v and %v after the first change; want 1h, then at least 1h apart", first.Sub(t0), next.Sub(t0))
	}
}

// mailDate is a received message's Date.
func mailDate(m received) (time.Time, error) { return m.Header.Date() }

func TestNoDigestWithoutMail(t *testing.T) {
	w := newWorld(t)
	w.update(w.finding, sandpit.FindingUpdate{Status: strp(sandpit.FindingPlanned), Response: strp("Planned for 0.2.")})
	if c, err := w.st.MailCounts(w.ctx); err != nil || c != (store.MailCounts{}) {
		t.Errorf("outbox %+v, %v; want empty when SANDPIT_SMTP_URL is not set", c, err)
	}
}

func TestRemindersAtMostTwoWhileOpen(t *testing.T) {
	w := newMailWorld(t, time.Hour)
	server := startSMTP(t)
	wk := newWorker(t, w, w.st, server, 20, 48*time.Hour, 168*time.Hour)
	// A second clinician who finished gets no reminder.
	done := w.newClinician("finished@example.nhs.uk", "doctor")
	tr, _, err := w.st.StartTrial(w.ctx, w.release, done.ID(), 1, true, sandpit.AuditEntry{Action: sandpit.AuditConsent})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.CompleteTrials(w.ctx, map[int64]time.Time{tr.ID: w.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	step := func(to time.Duration, wantQueued, wantTotal int) {
		t.Helper()
		w.clock.Advance(to)
		n, err := wk.QueueReminders(w.ctx)
		if err != nil || n != wantQueued {
			t.Fatalf("queued %d, %v; want %d", n, err, wantQueued)
		}
		drain(t, wk)
		if got := len(server.messages()); got != wantTotal {
			t.Fatalf("%d reminders in all, want %d", got, wantTotal)
		}
	}
	step(47*time.Hour, 0, 0)
	step(time.Hour, 1, 1) // 48 h
	step(2*time.Hour, 0, 1)
	step(118*time.Hour, 1, 2) // 168 h
	step(200*time.Hour, 0, 2)
	m := server.messages()[0]
	if m.To != "clinician@example.nhs.uk" || m.Header.Get("Subject") != "Finish your trial of Medicines reconciliation, release 0.1" {
		t.Errorf("reminder to %s, %q", m.To, m.Header.Get("Subject"))
	}
	if links := linkRE.FindAllString(m.Text, -1); len(links) != 2 || links[0] != fmt.Sprintf("https://sandpit.example.nhs.uk/trials/%d", w.trial) {
		t.Errorf("reminder links %q", links)
	}

	// A late start on a release that closes before its reminder is due gets
	// none: reminders come only while the release is open.
	late := w.newClinician("late@example.nhs.uk", "pharmacist")
	if _, _, err := w.st.StartTrial(w.ctx, w.release, late.ID(), 1, true, sandpit.AuditEntry{Action: sandpit.AuditConsent}); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(48 * time.Hour)
	if n, err := wk.QueueReminders(w.ctx); err != nil || n != 1 {
		t.Fatalf("queued %d, %v; want 1", n, err)
	}
	if err := w.app.Authoring.Close(w.ctx, w.actors[kindOwner], w.release); err != nil {
		t.Fatal(err)
	}
	drain(t, wk)
	if got := len(server.messages()); got != 2 {
		t.Errorf("%d reminders after the release closed, want still 2", got)
	}
	step(200*time.Hour, 0, 2)
}

func strp(s string) *string { return &s }

func TestRefusedForGoodIsGivenUpAfterAFewTries(t *testing.T) {
	w := newMailWorld(t, time.Hour)
	server := startSMTP(t)
	wk := newWorker(t, w, w.st, server, 20)
	if _, err := w.app.Recruitment.Invite(w.ctx, w.actors[kindOwner], w.release, []string{"nobody@example.nhs.uk", "ada@example.nhs.uk"}); err != nil {
		t.Fatal(err)
	}
	tries := 0
	for range 20 {
		drain(t, wk)
		if c, _ := w.st.MailCounts(w.ctx); c.Waiting == 0 {
			break
		}
		tries++
		w.clock.Advance(30 * time.Second)
	}
	c, err := w.st.MailCounts(w.ctx)
	if err != nil || c != (store.MailCounts{Sent: 1, Failed: 1}) {
		t.Fatalf("outbox %+v, %v; want 1 sent and 1 given up", c, err)
	}
	// Given up on the 6th try: the first at once, then five more.
	if tries != 5 {
		t.Errorf("given up after %d retries, want 5", tries)
	}
	if got := server.messages(); len(got) != 1 || got[0].To != "ada@example.nhs.uk" {
		t.Errorf("delivered %v", got)
	}
}
