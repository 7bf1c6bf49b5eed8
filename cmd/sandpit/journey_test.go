package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// client is a person's browser: it keeps cookies and shows redirects.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// submit fetches page, then posts form to action with the page's CSRF token,
// and returns the answer's status, Location and body.
func (c *client) submit(page, action string, form url.Values) (int, string, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + page)
	if err != nil {
		c.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		c.t.Fatalf("%s has no form token (status %d)", page, resp.StatusCode)
	}
	form.Set("_csrf", string(m[1]))
	resp, err = c.http.PostForm(c.base+action, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestIdentityJourney is the identity issue's "done when": a clinician
// registers and signs in and out; an admin made by `sandpit admin create`
// creates a product owner and a team; the product owner gets an API token
// and calls /me with it; and every step is in the audit log.
func TestIdentityJourney(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dbURL := storetest.URL(t)
	env := map[string]string{"SANDPIT_DATABASE_URL": dbURL, "SANDPIT_PASSWORD_COST": "4"}
	getenv := func(name string) string { return env[name] }
	if err := run(ctx, []string{"sandpit", "admin", "create", "--email", "admin@trust.nhs.uk", "--name", "Ada Admin"}, getenv,
		strings.NewReader("admin passphrase for the trust\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	s := start(t, ctx, env)

	clinician := newClient(t, s.URL)
	status, loc, body := clinician.submit("/register", "/register", url.Values{
		"name": {"Nina Nurse"}, "email": {"nina@trust.nhs.uk"}, "password": {"nina's long passphrase"},
		"profession": {"nurse"}, "setting": {"acute"}, "years_experience": {"6"}, "legacy_familiarity": {"4"}})
	if status != http.StatusSeeOther {
		t.Fatalf("register: %d\n%s", status, body)
	}
	if status, _, _ = clinician.submit(loc, "/sign-out", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", status)
	}
	if status, _, body = clinician.submit("/sign-in", "/sign-in", url.Values{"email": {"NINA@trust.nhs.uk"}, "password": {"nina's long passphrase"}}); status != http.StatusSeeOther {
		t.Fatalf("sign in: %d\n%s", status, body)
	}

	admin := newClient(t, s.URL)
	if status, _, body = admin.submit("/sign-in", "/sign-in", url.Values{"email": {"admin@trust.nhs.uk"}, "password": {"admin passphrase for the trust"}}); status != http.StatusSeeOther {
		t.Fatalf("admin sign in: %d\n%s", status, body)
	}
	status, _, body = admin.submit("/admin/users/new", "/admin/users", url.Values{
		"name": {"Omar Owner"}, "email": {"omar@trust.nhs.uk"}, "roles": {"product_owner"}})
	if status != http.StatusCreated {
		t.Fatalf("create product owner: %d\n%s", status, body)
	}
	// Omar sets his own password through the one-time link the admin sends.
	link := regexp.MustCompile(`/set-password/[a-z0-9_]+`).FindString(body)
	omar := newClient(t, s.URL)
	if status, loc, body := omar.submit(link, link, url.Values{"password": {"omar's long passphrase"}}); status != http.StatusSeeOther || loc != "/sign-in?done=password-set" {
		t.Fatalf("set password through %q: %d %s\n%s", link, status, loc, body)
	}
	status, loc, body = admin.submit("/admin/teams", "/admin/teams", url.Values{"name": {"Medicines Optimisation"}})
	if status != http.StatusSeeOther {
		t.Fatalf("create team: %d\n%s", status, body)
	}
	teamPath := strings.SplitN(loc, "?", 2)[0]
	if status, _, body = admin.submit(teamPath, teamPath+"/members", url.Values{"member_email": {"omar@trust.nhs.uk"}}); status != http.StatusSeeOther {
		t.Fatalf("add member: %d\n%s", status, body)
	}

	resp, err := http.Post(s.URL+"/api/v1/tokens", "application/json", strings.NewReader(`{"email":"omar@trust.nhs.uk","password":"omar's long passphrase","label":"scripts"}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		Token string `json:"token"`
	}
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || created.Token == "" {
		t.Fatalf("POST /tokens: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+created.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	me, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(me), `"name":"Medicines Optimisation","role":"product_owner"`) {
		t.Fatalf("GET /me: %d %s", resp.StatusCode, me)
	}

	st := storetest.Open(t, dbURL, time.Now)
	events, _, err := st.AuditEvents(context.Background(), store.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		got = append(got, fmt.Sprintf("%s %s→%s", e.Action, e.Actor, e.Subject))
	}
	want := []string{
		sandpit.AuditUserCreated + " →admin@trust.nhs.uk",
		sandpit.AuditRegister + " nina@trust.nhs.uk→nina@trust.nhs.uk",
		sandpit.AuditSignOut + " nina@trust.nhs.uk→nina@trust.nhs.uk",
		sandpit.AuditSignIn + " nina@trust.nhs.uk→nina@trust.nhs.uk",
		sandpit.AuditSignIn + " admin@trust.nhs.uk→admin@trust.nhs.uk",
		sandpit.AuditUserCreated + " admin@trust.nhs.uk→omar@trust.nhs.uk",
		sandpit.AuditPasswordLink + " admin@trust.nhs.uk→omar@trust.nhs.uk",
		sandpit.AuditPasswordChanged + " →omar@trust.nhs.uk", // by whoever held the link
		sandpit.AuditTeamCreated + " admin@trust.nhs.uk→",
		sandpit.AuditMemberAdded + " admin@trust.nhs.uk→omar@trust.nhs.uk",
		sandpit.AuditTokenCreated + " omar@trust.nhs.uk→omar@trust.nhs.uk",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	resp, err = admin.http.Get(s.URL + "/admin/audit?action=" + sandpit.AuditMemberAdded)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "omar@trust.nhs.uk") {
		t.Errorf("the audit log page does not show the membership: %d\n%s", resp.StatusCode, page)
	}
	cancel()
	if err := s.Wait(t); err != nil {
		t.Fatal(err)
	}
}
