package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sandpit-nhs/sandpit/internal/demo"
)

// browserPages are every page a browser test opens, in order: each gets a
// screenshot and an axe-core check. "as" names the demo account to be
// signed in as ("" for signed out); "submit", when set, clicks the button of
// that form with its fields as they are, to check the page's errors. Later
// issues add theirs.
var browserPages = []struct {
	name   string
	path   string
	as     string
	submit string
}{
	{"home", "/", "", ""},
	{"not-found", "/no/such/page", "", ""},
	{"sign-in", "/sign-in", "", ""},
	{"sign-in-errors", "/sign-in", "", "main form"},
	{"register", "/register", "", ""},
	{"register-errors", "/register", "", "main form"},
	{"account", "/account", "admin@demo.sandpit.test", ""},
	{"account-errors", "/account", "admin@demo.sandpit.test", `form[action="/account/password"]`},
	{"admin-users", "/admin/users", "admin@demo.sandpit.test", ""},
	{"admin-user-new", "/admin/users/new", "admin@demo.sandpit.test", ""},
	{"admin-user-new-errors", "/admin/users/new", "admin@demo.sandpit.test", "main form"},
	{"admin-user-show", "/admin/users/1", "admin@demo.sandpit.test", ""},
	{"admin-teams", "/admin/teams", "admin@demo.sandpit.test", ""},
	{"admin-team-show", "/admin/teams/1", "admin@demo.sandpit.test", ""},
	{"admin-audit", "/admin/audit", "admin@demo.sandpit.test", ""},
	{"workflows", "/workflows", "owner@demo.sandpit.test", ""},
	{"workflow-show", "/workflows/1", "owner@demo.sandpit.test", ""},
	{"workflow-new", "/teams/1/workflows/new", "owner@demo.sandpit.test", ""},
	{"workflow-new-errors", "/teams/1/workflows/new", "owner@demo.sandpit.test", "main form"},
	{"workflow-edit", "/workflows/1/edit", "owner@demo.sandpit.test", ""},
	{"release-show-published", "/releases/3", "owner@demo.sandpit.test", ""},
	{"screen-edit-published", "/releases/3/screens/record", "owner@demo.sandpit.test", ""},
	{"task-edit", "/releases/3/tasks/reconcile", "owner@demo.sandpit.test", ""},
	{"preview-list", "/releases/3/preview", "owner@demo.sandpit.test", ""},
	{"preview-screen", "/releases/3/preview/reconcile", "owner@demo.sandpit.test", ""},
	{"report-legacy", "/releases/1/report", "owner@demo.sandpit.test", ""},
	{"report-0.1", "/releases/2/report", "owner@demo.sandpit.test", ""},
	{"report-0.2-empty", "/releases/3/report", "owner@demo.sandpit.test", ""},
	{"show-and-tell", "/releases/2/show-and-tell", "owner@demo.sandpit.test", ""},
	{"findings-board", "/workflows/1/findings", "owner@demo.sandpit.test", ""},
	{"finding-show", "/findings/1", "owner@demo.sandpit.test", ""},
	{"report-researcher", "/releases/2/report", "researcher@demo.sandpit.test", ""},
	{"export-release", "/releases/2/export", "researcher@demo.sandpit.test", ""},
	{"export-workflow", "/workflows/1/export", "researcher@demo.sandpit.test", ""},
	{"safety-concerns", "/safety-concerns", "safety@demo.sandpit.test", ""},
	{"safety-concerns-open", "/safety-concerns?triage=open", "safety@demo.sandpit.test", ""},
	{"safety-finding", "/findings/1", "safety@demo.sandpit.test", ""},
	{"my-feedback", "/feedback", "clinician@demo.sandpit.test", ""},
	{"set-password-spent", "/set-password/sandpit_nosuchlink", "", ""},
	{"forbidden", "/admin/users", "clinician@demo.sandpit.test", ""},
	{"clinician-account", "/account", "clinician@demo.sandpit.test", ""},
}

// axeTags are the axe-core rule tags of WCAG 2.2 levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// chromium finds Debian's Chromium: SANDPIT_CHROMIUM, else on the PATH.
func chromium(t *testing.T) string {
	if p := os.Getenv("SANDPIT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium: install Debian's chromium package (or set SANDPIT_CHROMIUM) to run the browser tests")
	return ""
}

// axeViolation is the part of an axe-core result a failure message needs.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

func TestBrowserPagesAreStyledAndAccessible(t *testing.T) {
	v := visitDemo(t)
	axe, shots, s, passwords, browserCtx := v.axe, v.shots, v.server, v.passwords, v.browser

	t.Run("axe reports a page that breaks the rules", func(t *testing.T) {
		pageCtx, cancel := context.WithTimeout(browserCtx, 60*time.Second)
		defer cancel()
		bad := `data:text/html,<!DOCTYPE html><html><body><img src="x.png"></body></html>`
		if err := chromedp.Do(pageCtx, chromedp.Navigate(bad)); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, v := range runAxe(t, pageCtx, axe) {
			found = found || v.ID == "image-alt"
		}
		if !found {
			t.Fatal("axe-core did not report an image without alt text: the check cannot be trusted")
		}
	})

	signedInAs := ""
	for _, page := range browserPages {
		t.Run(page.name, func(t *testing.T) {
			pageCtx, cancel := context.WithTimeout(browserCtx, 60*time.Second)
			defer cancel()
			if page.as != signedInAs {
				signInThroughTheForm(t, pageCtx, s.URL, page.as, passwords[page.as])
				signedInAs = page.as
			}
			err := chromedp.Do(pageCtx,
				chromedp.Navigate(s.URL+page.path),
				chromedp.WaitReady("body"),
			)
			if err != nil {
				t.Fatalf("%s: %v", page.path, err)
			}
			if page.submit != "" {
				err := chromedp.Do(pageCtx,
					chromedp.Click(page.submit+" .nhsuk-button"),
					chromedp.WaitVisible(".nhsuk-error-summary"),
				)
				if err != nil {
					t.Fatalf("submit the form on %s and see its errors: %v", page.path, err)
				}
			}
			// The module script runs under the CSP and marks the body.
			if _, err := chromedp.Run(pageCtx, chromedp.Poll[bool](`document.body.classList.contains('nhsuk-frontend-supported')`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
				t.Errorf("Sandpit's script did not run: %v", err)
			}
			headerBG, err := chromedp.Run(pageCtx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.nhsuk-header')).backgroundColor`))
			if err != nil {
				t.Fatal(err)
			}
			screenshot, err := chromedp.Run(pageCtx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			result := runAxe(t, pageCtx, axe)
			file := filepath.Join(shots, page.name+".png")
			if err := os.WriteFile(file, screenshot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", file)
			if headerBG != "rgb(0, 94, 184)" {
				t.Errorf("the NHS header is %q, not NHS blue: is the NHS.UK frontend stylesheet served?", headerBG)
			}
			for _, v := range result {
				var targets []string
				for _, n := range v.Nodes {
					targets = append(targets, fmt.Sprint(n.Target...))
				}
				t.Errorf("axe %s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
			}
		})
	}
}

// newBrowser starts headless Chromium for the test, with the flags this

// demoVisit is a Sandpit serving the demo data, a Chromium to visit it with,
// and what the accessibility tests need beside them.
type demoVisit struct {
	server    *instance
	browser   context.Context
	axe       []byte
	shots     string
	passwords map[string]string // the demo accounts', by email
}

// visitDemo starts Sandpit with the demo data and a browser for it (or skips
// the test without Chromium); both stop when the test ends.
func visitDemo(t *testing.T) demoVisit {
	t.Helper()
	browser := chromium(t)
	v := demoVisit{axe: mustAxe(t), shots: screenshotDir(), passwords: map[string]string{}}
	if err := os.MkdirAll(v.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	v.server = start(t, ctx, map[string]string{}, "--demo")
	for _, a := range demo.Accounts() {
		v.passwords[a.Email] = a.Password
	}
	v.browser = newBrowser(t, ctx, browser)
	t.Cleanup(cancel) // registered last, so it runs first, as a test's deferred cancel did
	return v
}

// closed network needs and a profile of its own.
func newBrowser(t *testing.T, ctx context.Context, browser string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start Chromium %s: %v", browser, err)
	}
	return browserCtx
}

// mustAxe reads axe-core, installed by npm.
func mustAxe(t *testing.T) []byte {
	t.Helper()
	axe, err := os.ReadFile("../../node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core is missing (run make assets): %v", err)
	}
	return axe
}

// screenshotDir is where browser tests leave their screenshots.
func screenshotDir() string {
	if d := os.Getenv("SANDPIT_SCREENSHOTS"); d != "" {
		return d
	}
	return "../../bin/screenshots"
}

// signInThroughTheForm signs out whoever is signed in, then, unless email
// is empty, signs in as email by typing into the sign-in form.
func signInThroughTheForm(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitReady("body")); err != nil {
		t.Fatal(err)
	}
	signedIn, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('form[action="/sign-out"]') !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if signedIn {
		if err := chromedp.Do(ctx, chromedp.Click(`form[action="/sign-out"] button`), chromedp.WaitVisible(`#email`)); err != nil {
			t.Fatalf("sign out: %v", err)
		}
	}
	if email == "" {
		return
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/sign-in"),
		chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email),
		chromedp.SendKeys("#password", password),
		chromedp.Click("main form .nhsuk-button"),
		chromedp.WaitVisible(`form[action="/sign-out"]`),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
}

// runAxe runs axe-core's WCAG 2.2 A and AA rules on the page in ctx.
func runAxe(t *testing.T, ctx context.Context, axe []byte) []axeViolation {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axe)+";true")); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	result, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](
		fmt.Sprintf(`axe.run(document, {runOnly: {type: 'tag', values: %s}}).then(r => r.violations)`, jsonArray(axeTags)),
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	return result
}

func jsonArray(values []string) string {
	b, _ := json.Marshal(values)
	return string(b)
}
