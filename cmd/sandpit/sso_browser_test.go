package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sandpit-nhs/sandpit/internal/oidctest"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// TestBrowserSSO is issue 17's "done when" in a real browser: a clinician
// who has never seen Sandpit opens an invite link, chooses "Sign in with
// NHSmail", signs in on the provider's own login page, confirms the
// profile Sandpit prefilled, and lands on the trial's consent page without
// ever making a password. Then: the account page, signing out (with the
// provider's sign-out offered), cancelling at the provider, and a provider
// that is down. Every Sandpit page on the way is checked by axe-core and
// photographed.
func TestBrowserSSO(t *testing.T) {
	browser := chromium(t)
	axe := mustAxe(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr

	nhsmail, cis2 := oidctest.Start(t), oidctest.Start(t)
	nhsmail.AddClient("sandpit", "browser test secret", base+"/sign-in/sso/nhsmail/callback", base+"/sign-in?done=signed-out")
	nhsmail.AddUser(oidctest.User{ID: "asha-1", Username: "asha", Password: "asha's password", GivenName: "Asha", FamilyName: "Patel",
		Email: "asha.patel@nhs.net", JobRole: "Ward Sister"})
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "cis2.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	cis2.AddKeyClient("sandpit-cis2", &key.PublicKey, "key-1", base+"/sign-in/sso/cis2/callback", base+"/sign-in?done=signed-out")

	// CIS2 is down from the start: Sandpit must start anyway and say so
	// when its button is pressed.
	cis2.SetDown(true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{
		"SANDPIT_BASE_URL":                    base,
		"SANDPIT_OIDC_PROVIDERS":              "CIS2,NHSMAIL",
		"SANDPIT_OIDC_CIS2_ISSUER":            cis2.URL,
		"SANDPIT_OIDC_CIS2_CLIENT_ID":         "sandpit-cis2",
		"SANDPIT_OIDC_CIS2_PRIVATE_KEY_FILE":  keyFile,
		"SANDPIT_OIDC_CIS2_KEY_ID":            "key-1",
		"SANDPIT_OIDC_CIS2_LABEL":             "NHS Care Identity",
		"SANDPIT_OIDC_NHSMAIL_ISSUER":         nhsmail.URL,
		"SANDPIT_OIDC_NHSMAIL_CLIENT_ID":      "sandpit",
		"SANDPIT_OIDC_NHSMAIL_CLIENT_SECRET":  "browser test secret",
		"SANDPIT_OIDC_NHSMAIL_LABEL":          "NHSmail",
		"SANDPIT_OIDC_NHSMAIL_JOB_ROLE_CLAIM": "job_role",
	}
	s := start(t, ctx, env, "--demo", "--addr", addr)
	st := storetest.Open(t, env["SANDPIT_DATABASE_URL"], time.Now)
	release, err := storetest.Count(ctx, st, "SELECT MIN(id) FROM releases WHERE status = 'open'")
	if err != nil || release == 0 {
		t.Fatalf("no open demo release: %v", err)
	}
	invite := "/releases/" + strconv.FormatInt(release, 10)

	browserCtx := newBrowser(t, ctx, browser)
	page, cancelPage := context.WithTimeout(browserCtx, 3*time.Minute)
	defer cancelPage()
	check := func(name string) {
		t.Helper()
		shot, err := chromedp.Run(page, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(screenshotDir(), 0o755)
		os.WriteFile(filepath.Join(screenshotDir(), "sso-"+name+".png"), shot, 0o644)
		for _, v := range runAxe(t, page, axe) {
			t.Errorf("%s: axe %s (%s): %s", name, v.ID, v.Impact, v.Help)
		}
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step, cancel := context.WithTimeout(page, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(step, actions...); err != nil {
			shot, _ := chromedp.Run(page, chromedp.FullScreenshot(100))
			os.WriteFile(filepath.Join(screenshotDir(), "sso-failed.png"), shot, 0o644)
			where, _ := chromedp.Run(page, chromedp.Evaluate[string](`location.href`))
			t.Fatalf("%s: %v (at %s)\nserver log:\n%s", what, err, where, s.Stderr)
		}
	}
	path := func() string {
		p, err := chromedp.Run(page, chromedp.Evaluate[string](`location.pathname + location.search`))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	text := func(sel string) string {
		v, err := chromedp.Run(page, chromedp.Evaluate[string](`document.querySelector('`+sel+`').innerText`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	started := time.Now()
	do("open the invite link", chromedp.Navigate(s.URL+invite+"/invite"), chromedp.WaitVisible(`form[action="/sign-in/sso/nhsmail"] button`))
	check("sign-in")
	do("phone width", chromedp.EmulateViewport(390, 844))
	check("sign-in-phone")
	do("desktop width", chromedp.EmulateViewport(1280, 900))
	do("choose NHSmail", chromedp.Click(`form[action="/sign-in/sso/nhsmail"] button`), chromedp.WaitVisible("#username"))
	do("sign in at the provider", chromedp.SendKeys("#username", "asha"), chromedp.SendKeys("#password", "asha's password"),
		chromedp.Click("#sign-in"), chromedp.WaitVisible("#setting"))
	if p := path(); p != "/sign-in/sso/profile" {
		t.Fatalf("after the provider: %s", p)
	}
	check("profile")
	name, err := chromedp.Run(page, chromedp.Evaluate[string](`document.querySelector('#name').value`))
	if err != nil || name != "Asha Patel" {
		t.Errorf("name prefilled %q (%v)", name, err)
	}
	if prof, _ := chromedp.Run(page, chromedp.Evaluate[string](`document.querySelector('#profession').value`)); prof != "nurse" {
		t.Errorf("profession prefilled %q from the job role Ward Sister, want nurse", prof)
	}
	do("send the profile unfinished", chromedp.Click("main form .nhsuk-button"), chromedp.WaitVisible(".nhsuk-error-summary"))
	check("profile-errors")
	do("finish the profile", chromedp.SetValue("#setting", "acute"), chromedp.SendKeys("#years_experience", "12"),
		chromedp.Click("#legacy_familiarity-4"), chromedp.Click("main form .nhsuk-button"), chromedp.WaitVisible("#accepted"))
	if p := path(); p != invite+"/consent" {
		t.Errorf("the invite led to %s, want %s/consent", p, invite)
	}
	t.Logf("invite link to consent page in %s (the issue asks for under a minute, a person's typing included)", time.Since(started).Round(time.Millisecond))

	do("open the account", chromedp.Navigate(s.URL+"/account"), chromedp.WaitVisible("#sign-in-accounts"))
	check("account")
	if body := text("main"); !strings.Contains(body, "Link NHS Care Identity") || strings.Contains(body, "Change your password") {
		t.Errorf("account page:\n%s", body)
	}

	do("sign out", chromedp.Click(`form[action="/sign-out"] button`), chromedp.WaitVisible(`form[action="/sign-in/sso/nhsmail"] button`))
	if body := text("main"); !strings.Contains(body, "Sign out of NHSmail too") {
		t.Errorf("the signed-out page does not offer NHSmail's sign-out:\n%s", body)
	}
	check("signed-out")

	do("choose NHSmail again", chromedp.Click(`form[action="/sign-in/sso/nhsmail"] button`), chromedp.WaitVisible("#cancel"))
	do("cancel at the provider", chromedp.Click("#cancel"), chromedp.WaitVisible("#sso-problem"))
	if h := text("main h1"); h != "You did not sign in" {
		t.Errorf("after cancelling: %q", h)
	}
	check("cancelled")

	do("choose CIS2 while it is down", chromedp.Navigate(s.URL+"/sign-in"), chromedp.WaitVisible(`form[action="/sign-in/sso/cis2"] button`),
		chromedp.Click(`form[action="/sign-in/sso/cis2"] button`), chromedp.WaitVisible("#sso-problem"))
	if h := text("main h1"); !strings.Contains(h, "NHS Care Identity sign-in is not working") {
		t.Errorf("provider down: %q", h)
	}
	check("unavailable")
}
