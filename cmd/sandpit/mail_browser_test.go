package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"

	"github.com/sandpit-nhs/sandpit/internal/demo"
)

// smtpSink is a real SMTP server (go-smtp) that keeps the recipients and
// bodies of what it receives.
type smtpSink struct {
	mu   sync.Mutex
	mail []sunkMail
}

type sunkMail struct{ To, Data string }

func (s *smtpSink) received() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunkMail(nil), s.mail...)
}

type sinkSession struct {
	sink *smtpSink
	to   string
}

func (ss *sinkSession) Reset()                                    {}
func (ss *sinkSession) Logout() error                             { return nil }
func (ss *sinkSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error { ss.to = to; return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.sink.mu.Lock()
	ss.sink.mail = append(ss.sink.mail, sunkMail{To: ss.to, Data: string(b)})
	ss.sink.mu.Unlock()
	return nil
}

// startSMTPSink serves SMTP on a loopback port and returns its
// SANDPIT_SMTP_URL.
func startSMTPSink(t *testing.T) (*smtpSink, string) {
	t.Helper()
	sink := &smtpSink{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: sink}, nil }))
	srv.Domain = "localhost"
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sink, "smtp://" + ln.Addr().String() + "?starttls=none"
}

// mailPages are the recruitment pages, each checked with axe and shot at
// both widths; "fill" types into a field before "submit" is clicked.
var mailPages = []struct {
	name, path, fill, value, submit string
}{
	{"invitations", "/releases/3/invitations", "", "", ""},
	{"invitations-errors", "/releases/3/invitations", "#emails", "ward7.nurse@nhs.net\nnot-an-address, j.smith@nhs", "main form"},
	{"targets", "/releases/3/targets", "", "", ""},
	{"targets-errors", "/releases/3/targets", "#target-doctor", "a few", "main form"},
	{"release-recruitment", "/releases/3#recruitment", "", "", ""},
}

func TestBrowserRecruitmentPages(t *testing.T) {
	browser := chromium(t)
	axe := mustAxe(t)
	shots := screenshotDir()
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink, smtpURL := startSMTPSink(t)
	s := start(t, ctx, map[string]string{"SANDPIT_SMTP_URL": smtpURL, "SANDPIT_MAIL_FROM": "sandpit@example.nhs.uk"}, "--demo")
	passwords := map[string]string{}
	for _, a := range demo.Accounts() {
		passwords[a.Email] = a.Password
	}
	browserCtx := newBrowser(t, ctx, browser)
	pageCtx, cancelPage := context.WithTimeout(browserCtx, 3*time.Minute)
	defer cancelPage()
	signInThroughTheForm(t, pageCtx, s.URL, "owner@demo.sandpit.test", passwords["owner@demo.sandpit.test"])

	// Set targets and invite two clinicians through the pages, so the
	// panel has something to show.
	err := chromedp.Do(pageCtx,
		chromedp.Navigate(s.URL+"/releases/3/targets"), chromedp.WaitVisible("#target-nurse"),
		chromedp.SendKeys("#target-nurse", "8"), chromedp.SendKeys("#target-doctor", "4"), chromedp.SendKeys("#target-pharmacist", "2"),
		chromedp.Click("main form .nhsuk-button"), chromedp.WaitVisible("#recruitment"),
		chromedp.Navigate(s.URL+"/releases/3/invitations"), chromedp.WaitVisible("#emails"),
		chromedp.SendKeys("#emails", "ward7.nurse@nhs.net\nj.smith@nhs.net"),
		chromedp.Click("main form .nhsuk-button"), chromedp.WaitVisible("#recruitment"),
	)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(sink.received()) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := sink.received(); len(got) != 2 || !strings.Contains(got[0].Data+got[1].Data, "/releases/3/invite") {
		t.Errorf("the SMTP server received %d invitations, want 2 with the invite link\nstderr:\n%s", len(got), s.Stderr)
	}

	for _, page := range mailPages {
		for _, width := range []int64{1280, 390} {
			t.Run(page.name+"-"+strconv.FormatInt(width, 10), func(t *testing.T) {
				if err := chromedp.Do(pageCtx, chromedp.EmulateViewport(width, 900)); err != nil {
					t.Fatal(err)
				}
				if err := chromedp.Do(pageCtx, chromedp.Navigate(s.URL+page.path), chromedp.WaitReady("body")); err != nil {
					t.Fatal(err)
				}
				if page.fill != "" {
					if _, err := chromedp.Run(pageCtx, chromedp.Evaluate[bool](`(document.querySelector('`+page.fill+`').value = '') === ''`)); err != nil {
						t.Fatal(err)
					}
					if err := chromedp.Do(pageCtx, chromedp.SendKeys(page.fill, page.value)); err != nil {
						t.Fatal(err)
					}
				}
				if page.submit != "" {
					if err := chromedp.Do(pageCtx, chromedp.Click(page.submit+" .nhsuk-button"), chromedp.WaitVisible(".nhsuk-error-summary")); err != nil {
						t.Fatalf("submit %s: %v", page.path, err)
					}
				}
				var shot []byte
				if page.name == "release-recruitment" {
					shot, err = chromedp.Run(pageCtx, chromedp.Screenshot(".sandpit-recruitment-panel"))
				} else {
					shot, err = chromedp.Run(pageCtx, chromedp.FullScreenshot(100))
				}
				if err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(shots, "recruitment-"+page.name+"-"+strconv.FormatInt(width, 10)+".png")
				if err := os.WriteFile(file, shot, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("screenshot: %s", file)
				// Nothing of these pages (of the release page, nothing of the
				// panel) may be wider than a 390 px phone.
				wide, err := chromedp.Run(pageCtx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('main *')]
					.filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && (location.pathname !== '/releases/3' || e.closest('.sandpit-recruitment-panel')))
					.map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)`))
				if err != nil {
					t.Fatal(err)
				}
				if len(wide) > 0 {
					t.Errorf("%s is wider than %d px: %v", page.path, width, wide)
				}
				for _, v := range runAxe(t, pageCtx, axe) {
					var targets []string
					for _, n := range v.Nodes {
						targets = append(targets, fmt.Sprint(n.Target...))
					}
					t.Errorf("axe %s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
				}
			})
		}
	}
	// Last, the release takes no more nurses, and the demo nurse is told so
	// on the consent page.
	err = chromedp.Do(pageCtx, chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(s.URL+"/releases/3/targets"), chromedp.WaitVisible("#target-nurse"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(pageCtx, chromedp.Evaluate[bool](`(document.querySelector('#target-nurse').value = '0') === '0'`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(pageCtx, chromedp.Click("main form .nhsuk-button"), chromedp.WaitVisible("#recruitment")); err != nil {
		t.Fatal(err)
	}
	signInThroughTheForm(t, pageCtx, s.URL, "clinician@demo.sandpit.test", passwords["clinician@demo.sandpit.test"])
	for _, width := range []int64{1280, 390} {
		if err := chromedp.Do(pageCtx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.URL+"/releases/3/consent"), chromedp.WaitVisible("#enough")); err != nil {
			t.Fatalf("the consent page over the target: %v", err)
		}
		text, err := chromedp.Run(pageCtx, chromedp.Evaluate[string](`document.querySelector('#enough').innerText`))
		if err != nil || !strings.Contains(text, "This trial has enough nurses for now, thank you.") {
			t.Errorf("the consent page says %q, %v", text, err)
		}
		shot, err := chromedp.Run(pageCtx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(shots, "recruitment-consent-enough-"+strconv.FormatInt(width, 10)+".png")
		if err := os.WriteFile(file, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", file)
		for _, v := range runAxe(t, pageCtx, axe) {
			t.Errorf("axe on the consent page %s (%s): %s", v.ID, v.Impact, v.Help)
		}
	}
}
