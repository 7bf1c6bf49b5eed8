package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sandpit-nhs/sandpit/internal/demo"
)

// TestBrowserArrival walks the pages people arrive on: a signed-out invite
// link, followed from the keyboard to the consent page; the home page of
// each role; and the audit log, which must fit the window. Each page is
// checked by axe and photographed at 1280 and 390 px.
func TestBrowserArrival(t *testing.T) {
	v := visitDemo(t)
	axe, shots, s, passwords, page := v.axe, v.shots, v.server, v.passwords, v.browser

	do := func(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		pageCtx, cancel := context.WithTimeout(page, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(pageCtx, actions...); err != nil {
			t.Fatalf("%s: %v\nserver log:\n%s", what, err, s.Stderr)
		}
	}
	eval := func(t *testing.T, js string) float64 {
		t.Helper()
		v, err := chromedp.Run(page, chromedp.Evaluate[float64](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	location := func(t *testing.T) string {
		t.Helper()
		v, err := chromedp.Run(page, chromedp.Evaluate[string](`location.pathname`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// check photographs the page open now at 1280 and 390 px, runs axe on
	// each, and fails when the page is wider than the window.
	check := func(t *testing.T, name string) {
		t.Helper()
		for _, width := range []int64{1280, 390} {
			do(t, "viewport", chromedp.EmulateViewport(width, 900))
			// The header's script moves links into "More" a moment after
			// a resize: give it a second to settle.
			wide := eval(t, `document.documentElement.scrollWidth`)
			for deadline := time.Now().Add(2 * time.Second); wide > float64(width) && time.Now().Before(deadline); {
				time.Sleep(100 * time.Millisecond)
				wide = eval(t, `document.documentElement.scrollWidth`)
			}
			if wide > float64(width) {
				over, _ := chromedp.Run(page, chromedp.Evaluate[string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 5).join(', ')`))
				t.Errorf("%s at %d px: the page is %.0f px wide: %s", name, width, wide, over)
			}
			shot, err := chromedp.Run(page, chromedp.FullScreenshot(90))
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(shots, fmt.Sprintf("%s-%d.png", name, width))
			if err := os.WriteFile(file, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", file)
			for _, v := range runAxe(t, page, axe) {
				var targets []string
				for _, n := range v.Nodes {
					targets = append(targets, fmt.Sprint(n.Target...))
				}
				t.Errorf("%s at %d px: axe %s (%s): %s at %s", name, width, v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
			}
		}
		do(t, "viewport", chromedp.EmulateViewport(1280, 900))
	}
	body := func(t *testing.T) string {
		t.Helper()
		v, err := chromedp.Run(page, chromedp.Evaluate[string](`document.querySelector('main').innerText`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	wantText := func(t *testing.T, text string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("page lacks %q:\n%s", w, text)
			}
		}
	}

	// The demo's open release is 0.2, release 3, with one task per
	// screen path in its definition.
	invite := s.URL + "/releases/3/invite"
	t.Run("a signed-out invite names the trial, the team and the time", func(t *testing.T) {
		signInThroughTheForm(t, page, s.URL, "", "")
		do(t, "open the invite", chromedp.Navigate(invite), chromedp.WaitVisible(`#email`))
		wantText(t, body(t), "Try Medicines reconciliation on admission, version 0.2", demo.TeamName, "About ", "minutes", "Sign in", "New to Sandpit?", "Register")
		check(t, "invite-signed-out")
	})
	t.Run("from the keyboard, sign in from the invite and land on consent", func(t *testing.T) {
		do(t, "open the invite", chromedp.Navigate(invite), chromedp.WaitVisible(`#email`))
		// Tab from the top of the page to the email field: the skip link,
		// the header's links, then the form.
		for i := 0; ; i++ {
			if i == 30 {
				t.Fatal("30 presses of Tab never reached the email field")
			}
			do(t, "tab", chromedp.KeyEvent(kb.Tab))
			active, err := chromedp.Run(page, chromedp.Evaluate[string](`document.activeElement.id`))
			if err != nil {
				t.Fatal(err)
			}
			if active == "email" {
				break
			}
		}
		do(t, "type and send", chromedp.KeyEvent("clinician@demo.sandpit.test"), chromedp.KeyEvent(kb.Tab),
			chromedp.KeyEvent(passwords["clinician@demo.sandpit.test"]), chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(`form[action="/sign-out"]`))
		if got := location(t); got != "/releases/3/consent" {
			t.Fatalf("signing in from the invite went to %s", got)
		}
		do(t, "consent", chromedp.Click(`#accepted`), chromedp.Click(`main form .nhsuk-button`))
		for deadline := time.Now().Add(20 * time.Second); !strings.HasPrefix(location(t), "/trials/"); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("consent went to %s", location(t))
			}
		}
	})
	for _, role := range []struct {
		email string
		want  []string
	}{
		{"clinician@demo.sandpit.test", []string{"Your trials", "Continue your trial of Medicines reconciliation on admission, version 0.2"}},
		{"owner@demo.sandpit.test", []string{"Your teams’ workflows", "Medicines reconciliation on admission", "Version 0.2", "1 started, 0 finished", "in the last 7 days"}},
		{"safety@demo.sandpit.test", []string{"Safety concerns", "to triage", "under review"}},
		{"admin@demo.sandpit.test", []string{"Recent audit events", "See the whole audit log"}},
	} {
		name := strings.TrimSuffix(role.email, "@demo.sandpit.test")
		t.Run("home of the "+name, func(t *testing.T) {
			signInThroughTheForm(t, page, s.URL, role.email, passwords[role.email])
			do(t, "home", chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(`h1`))
			wantText(t, body(t), role.want...)
			check(t, "home-"+name)
		})
	}
	t.Run("the audit log fits the window", func(t *testing.T) {
		// A team with a long name makes an event whose detail folds away.
		long := "Medicines optimisation and reconciliation on admission to the acute medical unit, north site"
		do(t, "create a team", chromedp.Navigate(s.URL+"/admin/teams"), chromedp.WaitVisible(`#name`),
			chromedp.SendKeys(`#name`, long), chromedp.Submit(`#name`),
			// The list's own h1 is there before the form's answer arrives:
			// wait for the new team's page saying it was made, or the next
			// navigation aborts the answer.
			chromedp.WaitVisible(`.nhsuk-notification-banner__heading`))
		do(t, "audit log", chromedp.Navigate(s.URL+"/admin/audit"), chromedp.WaitVisible(`h1`))
		table := eval(t, `document.querySelector('main table').getBoundingClientRect().width`)
		column := eval(t, `document.querySelector('main table').parentElement.getBoundingClientRect().width`)
		t.Logf("at 1280 px the audit table is %.0f px wide in a %.0f px column", table, column)
		if table > column {
			t.Errorf("the audit table is %.0f px wide, wider than its %.0f px column", table, column)
		}
		// The lines a time's text takes: its boxes' distinct tops.
		if lines := eval(t, `Math.max(...[...document.querySelectorAll('main td.sandpit-audit__time')].map(td => {
			const text = [...td.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
			const r = document.createRange(); r.selectNodeContents(text);
			return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size }))`); lines != 1 {
			t.Errorf("a time takes %.0f lines, want 1", lines)
		}
		if n := eval(t, `[...document.querySelectorAll('main td.sandpit-audit__time')].filter(td => td.scrollWidth > td.clientWidth).length`); n > 0 {
			t.Errorf("%.0f times overflow their cells", n)
		}
		if n := eval(t, `document.querySelectorAll('main table details').length`); n < 1 {
			t.Error("the long detail is not folded into an expander")
		}
		check(t, "admin-audit")
	})
}
