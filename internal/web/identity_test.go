package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
	"github.com/sandpit-nhs/sandpit/static"
	"github.com/sandpit-nhs/sandpit/templates"
)

// testKey is a session key for tests.
var testKey = []byte(strings.Repeat("k", 32))

// world is a running Sandpit with one user of each kind the permission
// rules tell apart.
type world struct {
	t      testing.TB
	st     *store.Store
	clock  *storetest.Clock
	srv    *Server
	http   *httptest.Server
	team   *sandpit.Team
	other  *sandpit.Team
	users  map[string]*sandpit.User // by kind
	tokens map[string]string        // API token by kind
}

// password is every test user's password.
const password = "correct horse battery"

// kinds are the callers of the role × route table.
var kinds = []string{"anonymous", "clinician", "owner", "other_owner", "researcher", "safety", "admin"}

// newWorld starts Sandpit on a fresh database with keys.
func newWorld(t testing.TB, cfg Config) *world {
	t.Helper()
	w := &world{t: t, clock: storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)),
		users: map[string]*sandpit.User{}, tokens: map[string]string{}}
	w.st = storetest.Open(t, storetest.URL(t), w.clock.Now)
	if err := w.st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.srv = w.server(cfg)
	w.http = httptest.NewServer(w.srv)
	t.Cleanup(w.http.Close)
	return w
}

// server builds another server on the same database, as a replica would.
func (w *world) server(cfg Config) *Server {
	renderer, err := NewRenderer(templates.FS)
	if err != nil {
		w.t.Fatal(err)
	}
	if cfg.BaseURL == nil {
		cfg.BaseURL, _ = url.Parse("http://localhost:8080")
	}
	if cfg.SessionKeys == nil {
		cfg.SessionKeys = [][]byte{testKey}
	}
	if cfg.PseudonymKey == nil {
		cfg.PseudonymKey = []byte("test pseudonym key")
	}
	cfg.PasswordCost = bcrypt.MinCost
	return NewServer(cfg, slog.New(slog.DiscardHandler), w.st, renderer, static.FS)
}

// populate creates the two teams and a user of every kind, each with an API
// token.
func (w *world) populate() {
	ctx := context.Background()
	admin := sandpit.AuditEntry{Action: sandpit.AuditTeamCreated}
	var err error
	if w.team, err = w.st.CreateTeam(ctx, "Medicines", admin); err != nil {
		w.t.Fatal(err)
	}
	if w.other, err = w.st.CreateTeam(ctx, "Maternity", admin); err != nil {
		w.t.Fatal(err)
	}
	roles := map[string]sandpit.Role{"clinician": sandpit.RoleClinician, "owner": sandpit.RoleProductOwner,
		"other_owner": sandpit.RoleProductOwner, "researcher": sandpit.RoleResearcher, "safety": sandpit.RoleSafetyOfficer, "admin": sandpit.RoleAdmin}
	for kind, role := range roles {
		w.users[kind] = w.createUser(kind+"@example.nhs.uk", role)
	}
	for kind, team := range map[string]*sandpit.Team{"owner": w.team, "other_owner": w.other, "researcher": w.team} {
		role := sandpit.RoleProductOwner
		if kind == "researcher" {
			role = sandpit.RoleResearcher
		}
		if err := w.st.AddToTeam(ctx, team.ID, w.users[kind].ID, role, sandpit.AuditEntry{Action: sandpit.AuditMemberAdded}); err != nil {
			w.t.Fatal(err)
		}
	}
	for kind, u := range w.users {
		token, hash := newToken()
		if _, err := w.st.CreateToken(ctx, u.ID, "test", hash, sandpit.AuditEntry{Action: sandpit.AuditTokenCreated}); err != nil {
			w.t.Fatal(err)
		}
		w.tokens[kind] = token
	}
}

// createUser stores a user with role and the test password.
func (w *world) createUser(email string, role sandpit.Role) *sandpit.User {
	w.t.Helper()
	hash, err := sandpit.HashPassword(password, bcrypt.MinCost)
	if err != nil {
		w.t.Fatal(err)
	}
	n := sandpit.NewUser{Email: email, Name: strings.Split(email, "@")[0], Roles: []sandpit.Role{role}}
	if role == sandpit.RoleClinician {
		n.Profile = &sandpit.Profile{Profession: "nurse", Setting: "acute", YearsExperience: 3, LegacyFamiliarity: 2}
	}
	u, err := w.st.CreateUser(context.Background(), n, hash, sandpit.AuditEntry{Action: sandpit.AuditUserCreated})
	if err != nil {
		w.t.Fatal(err)
	}
	return u
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	w      *world
	client *http.Client
	base   string
}

func (w *world) browser() *browser {
	return w.browserAt(w.http.URL)
}

func (w *world) browserAt(base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{w: w, base: base, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// get fetches path and returns the status and body.
func (b *browser) get(path string) (int, string) {
	b.w.t.Helper()
	resp, err := b.client.Get(b.base + path)
	if err != nil {
		b.w.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// csrf returns the form token: the value of the CSRF cookie, which any page
// sets.
func (b *browser) csrf() string {
	b.w.t.Helper()
	if c := b.cookie("sandpit_csrf"); c != nil {
		return c.Value
	}
	b.get("/")
	if c := b.cookie("sandpit_csrf"); c != nil {
		return c.Value
	}
	b.w.t.Fatal("no CSRF cookie")
	return ""
}

// post submits form to path with a valid CSRF token.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.w.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", b.csrf())
	}
	resp, err := b.client.PostForm(b.base+path, form)
	if err != nil {
		b.w.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// signIn signs the browser in as email.
func (b *browser) signIn(email string) {
	b.w.t.Helper()
	resp, body := b.post("/sign-in", url.Values{"email": {email}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		b.w.t.Fatalf("sign in as %s: %d\n%s", email, resp.StatusCode, body)
	}
}

// signedIn reports whether the browser's session lets it see its account.
func (b *browser) signedIn() bool {
	status, _ := b.get("/account")
	return status == http.StatusOK
}

// cookie returns the browser's cookie called name.
func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// api calls the JSON API with token (none when empty) and returns the
// status and body.
func (w *world) api(method, path, token, body string) (int, string) {
	w.t.Helper()
	req, _ := http.NewRequest(method, w.http.URL+"/api/v1"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRoleRouteTable(t *testing.T) {
	w := newWorld(t, Config{OpenRegistration: true})
	w.populate()
	browsers := map[string]*browser{}
	for _, kind := range kinds {
		browsers[kind] = w.browser()
		if kind != "anonymous" {
			browsers[kind].signIn(w.users[kind].Email)
		}
	}
	team, other := fmt.Sprint(w.team.ID), fmt.Sprint(w.other.ID)
	user := fmt.Sprint(w.users["clinician"].ID)
	_ = other

	// Expected status for each kind, in the order of kinds: anonymous,
	// clinician, owner (of the team), other_owner, researcher (of the team),
	// safety, admin.
	pages := []struct {
		method, path string
		want         [7]int
	}{
		{"GET", "/", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/register", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/sign-in", [7]int{200, 303, 303, 303, 303, 303, 303}},
		{"GET", "/account", [7]int{303, 200, 200, 200, 200, 200, 200}},
		{"GET", "/admin/users", [7]int{303, 403, 403, 403, 403, 403, 200}},
		{"GET", "/admin/users/new", [7]int{303, 403, 403, 403, 403, 403, 200}},
		{"GET", "/admin/users/" + user, [7]int{303, 403, 403, 403, 403, 403, 200}},
		{"GET", "/admin/teams", [7]int{303, 403, 403, 403, 403, 403, 200}},
		{"GET", "/admin/teams/" + team, [7]int{303, 403, 403, 403, 403, 403, 200}},
		{"GET", "/admin/audit", [7]int{303, 403, 403, 403, 403, 403, 200}},
		{"POST", "/admin/users", [7]int{401, 403, 403, 403, 403, 403, 422}},
		{"POST", "/admin/users/" + user + "/roles", [7]int{401, 403, 403, 403, 403, 403, 422}},
		{"POST", "/admin/teams", [7]int{401, 403, 403, 403, 403, 403, 422}},
		{"POST", "/admin/teams/" + team + "/members", [7]int{401, 403, 403, 403, 403, 403, 422}},
		{"POST", "/admin/teams/" + team + "/researchers", [7]int{401, 403, 403, 403, 403, 403, 422}},
		{"POST", "/account/profile", [7]int{401, 422, 422, 422, 422, 422, 422}},
		{"POST", "/account/password", [7]int{401, 422, 422, 422, 422, 422, 422}},
		{"POST", "/account/tokens", [7]int{401, 422, 422, 422, 422, 422, 422}},
		{"POST", "/account/tokens/999999/revoke", [7]int{401, 404, 404, 404, 404, 404, 404}},
		{"POST", "/register", [7]int{422, 422, 422, 422, 422, 422, 422}},
		{"POST", "/sign-in", [7]int{422, 422, 422, 422, 422, 422, 422}},
	}
	for _, p := range pages {
		for i, kind := range kinds {
			t.Run(p.method+" "+p.path+" as "+kind, func(t *testing.T) {
				var status int
				var body string
				if p.method == "GET" {
					status, body = browsers[kind].get(p.path)
				} else {
					resp, b := browsers[kind].post(p.path, url.Values{"name": {""}})
					status, body = resp.StatusCode, b
				}
				if status != p.want[i] {
					t.Errorf("status = %d, want %d\n%.600s", status, p.want[i], body)
				}
			})
		}
	}

	apis := []struct {
		method, path, body string
		want               [7]int
	}{
		{"GET", "/openapi.json", "", [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"GET", "/me", "", [7]int{401, 200, 200, 200, 200, 200, 200}},
		{"POST", "/register", `{}`, [7]int{422, 422, 422, 422, 422, 422, 422}},
		{"POST", "/tokens", `{}`, [7]int{422, 422, 422, 422, 422, 422, 422}},
		{"POST", "/users", `{}`, [7]int{401, 403, 403, 403, 403, 403, 422}},
		{"POST", "/teams", `{}`, [7]int{401, 403, 403, 403, 403, 403, 422}},
		{"POST", "/teams/" + team + "/members", `{}`, [7]int{401, 404, 422, 404, 403, 404, 422}},
		{"POST", "/teams/" + team + "/researchers", `{}`, [7]int{401, 404, 403, 404, 403, 404, 422}},
		{"POST", "/teams/999999/members", `{}`, [7]int{401, 404, 404, 404, 404, 404, 404}},
		// Last: it revokes each caller's token.
		{"DELETE", "/tokens/current", "", [7]int{401, 204, 204, 204, 204, 204, 204}},
	}
	for _, a := range apis {
		for i, kind := range kinds {
			t.Run("API "+a.method+" "+a.path+" as "+kind, func(t *testing.T) {
				status, body := w.api(a.method, a.path, w.tokens[kind], a.body)
				if status != a.want[i] {
					t.Errorf("status = %d, want %d\n%s", status, a.want[i], body)
				}
				if status >= 400 && !strings.Contains(body, `"error":{"code":`) {
					t.Errorf("error body is not API.md's shape: %s", body)
				}
			})
		}
	}
	t.Run("a revoked token no longer works", func(t *testing.T) {
		if status, _ := w.api("GET", "/me", w.tokens["admin"], ""); status != http.StatusUnauthorized {
			t.Errorf("status = %d, want 401", status)
		}
	})
}

func TestSessions(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	email := w.users["clinician"].Email

	t.Run("signing in issues a new session, and the cookies from before it are not signed in", func(t *testing.T) {
		b := w.browser()
		b.signIn(email)
		first := b.cookie(sessionCookie)
		before := w.browser()
		before.client.Jar.SetCookies(mustURL(w.http.URL), []*http.Cookie{{Name: sessionCookie, Value: "planted-by-an-attacker"}})
		planted := before.cookie(sessionCookie).Value
		before.signIn(email)
		if got := before.cookie(sessionCookie).Value; got == planted || got == first.Value {
			t.Error("sign-in kept an existing session cookie")
		}
		replay := w.browser()
		replay.client.Jar.SetCookies(mustURL(w.http.URL), []*http.Cookie{{Name: sessionCookie, Value: planted}})
		if replay.signedIn() {
			t.Error("the planted cookie is signed in")
		}
	})
	t.Run("a cookie replayed after sign-out is refused", func(t *testing.T) {
		b := w.browser()
		b.signIn(email)
		saved := *b.cookie(sessionCookie)
		if resp, _ := b.post("/sign-out", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-out = %d", resp.StatusCode)
		}
		replay := w.browser()
		replay.client.Jar.SetCookies(mustURL(w.http.URL), []*http.Cookie{&saved})
		status, _ := replay.get("/account")
		if status != http.StatusSeeOther {
			t.Errorf("replayed cookie: /account = %d, want a redirect to sign in", status)
		}
	})
	t.Run("sign-out ends the user's other sessions too", func(t *testing.T) {
		a, b := w.browser(), w.browser()
		a.signIn(email)
		b.signIn(email)
		a.post("/sign-out", nil)
		if b.signedIn() {
			t.Error("the other session survived sign-out")
		}
	})
	t.Run("a tampered cookie is refused", func(t *testing.T) {
		b := w.browser()
		b.signIn(email)
		c := b.cookie(sessionCookie)
		v := []byte(c.Value)
		v[len(v)/2] ^= 1
		tampered := w.browser()
		tampered.client.Jar.SetCookies(mustURL(w.http.URL), []*http.Cookie{{Name: sessionCookie, Value: string(v)}})
		if tampered.signedIn() {
			t.Error("a tampered cookie is signed in")
		}
	})
	t.Run("the cookie is HttpOnly, SameSite=Lax, Path=/ and lasts at most 7 days", func(t *testing.T) {
		b := w.browser()
		_, _ = b.get("/register")
		form := url.Values{"email": {email}, "password": {password}, "_csrf": {b.csrf()}}
		resp, err := b.client.PostForm(w.http.URL+"/sign-in", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var found bool
		for _, c := range resp.Cookies() {
			if c.Name != sessionCookie {
				continue
			}
			found = true
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge > 7*24*3600 || c.Secure {
				t.Errorf("cookie = %+v", c)
			}
		}
		if !found {
			t.Fatal("no session cookie")
		}
	})
	t.Run("idle for more than 8 hours signs out", func(t *testing.T) {
		b := w.browser()
		b.signIn(email)
		w.clock.Advance(8*time.Hour + time.Minute)
		if b.signedIn() {
			t.Error("still signed in after 8 idle hours")
		}
	})
	t.Run("an active session still ends after 7 days", func(t *testing.T) {
		b := w.browser()
		b.signIn(email)
		for range 6 * 4 {
			w.clock.Advance(6 * time.Hour)
			if !b.signedIn() {
				t.Fatal("an active session ended early")
			}
		}
		w.clock.Advance(25 * time.Hour)
		for range 2 {
			w.clock.Advance(time.Hour)
			b.signedIn()
		}
		if b.signedIn() {
			t.Error("still signed in after 7 days")
		}
	})
	t.Run("disabling a user ends their sessions and tokens", func(t *testing.T) {
		victim := w.createUser("leaver@example.nhs.uk", sandpit.RoleProductOwner)
		b := w.browser()
		b.signIn(victim.Email)
		token, hash := newToken()
		if _, err := w.st.CreateToken(context.Background(), victim.ID, "t", hash, sandpit.AuditEntry{Action: sandpit.AuditTokenCreated}); err != nil {
			t.Fatal(err)
		}
		admin := w.browser()
		admin.signIn(w.users["admin"].Email)
		if resp, body := admin.post(fmt.Sprintf("/admin/users/%d/disable", victim.ID), nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable = %d\n%s", resp.StatusCode, body)
		}
		if b.signedIn() {
			t.Error("the disabled user is still signed in")
		}
		if status, _ := w.api("GET", "/me", token, ""); status != http.StatusUnauthorized {
			t.Errorf("the disabled user's token: /me = %d", status)
		}
		again := w.browser()
		resp, _ := again.post("/sign-in", url.Values{"email": {victim.Email}, "password": {password}})
		if resp.StatusCode == http.StatusSeeOther {
			t.Error("the disabled user signed in")
		}
	})
}

func TestSessionKeyRotation(t *testing.T) {
	old, fresh := []byte(strings.Repeat("o", 32)), []byte(strings.Repeat("n", 32))
	w := newWorld(t, Config{SessionKeys: [][]byte{old}})
	w.populate()
	b := w.browser()
	b.signIn(w.users["clinician"].Email)
	cookie := *b.cookie(sessionCookie)

	tests := []struct {
		name   string
		keys   [][]byte
		signed bool
	}{
		{"the old key still verifies behind a new one", [][]byte{fresh, old}, true},
		{"a removed key no longer verifies", [][]byte{fresh}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replica := httptest.NewServer(w.server(Config{SessionKeys: tt.keys}))
			defer replica.Close()
			rb := w.browserAt(replica.URL)
			rb.client.Jar.SetCookies(mustURL(replica.URL), []*http.Cookie{{Name: sessionCookie, Value: cookie.Value}})
			if got := rb.signedIn(); got != tt.signed {
				t.Errorf("signed in = %v, want %v", got, tt.signed)
			}
		})
	}
}

func TestCSRF(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	signedIn := func() *browser {
		b := w.browser()
		b.signIn(w.users["clinician"].Email)
		return b
	}
	post := func(b *browser, form url.Values, header map[string]string) int {
		req, _ := http.NewRequest("POST", w.http.URL+"/sign-out", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		name   string
		form   url.Values
		header map[string]string
		want   int
	}{
		{"no token is refused", url.Values{}, nil, http.StatusForbidden},
		{"a wrong token is refused", url.Values{"_csrf": {"not-the-token"}}, nil, http.StatusForbidden},
		{"a cross-site post without a token is refused", url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"a same-origin post the browser vouches for passes", url.Values{}, map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := signedIn()
			if got := post(b, tt.form, tt.header); got != tt.want {
				t.Errorf("status = %d, want %d", got, tt.want)
			}
			if want := tt.want != http.StatusSeeOther; b.signedIn() != want {
				t.Errorf("signed in = %v, want %v: a refused post must change nothing", !want, want)
			}
		})
	}
	t.Run("the refusal page says what to do", func(t *testing.T) {
		b := signedIn()
		req, _ := http.NewRequest("POST", w.http.URL+"/sign-out", nil)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "reload the page and try again") {
			t.Errorf("body:\n%s", body)
		}
	})
}

func TestSignInRateLimits(t *testing.T) {
	t.Run("five failures lock the account, even against rotating X-Forwarded-For and the right password", func(t *testing.T) {
		w := newWorld(t, Config{})
		w.populate()
		email := w.users["owner"].Email
		for i := range 5 {
			status, _ := w.signInAPI(email, "wrong password!", fmt.Sprintf("203.0.113.%d", i))
			if status != http.StatusUnauthorized {
				t.Fatalf("attempt %d = %d, want 401", i+1, status)
			}
		}
		status, header := w.signInAPI(email, password, "198.51.100.7")
		if status != http.StatusTooManyRequests {
			t.Fatalf("sixth attempt = %d, want 429", status)
		}
		if header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		b := w.browser()
		resp, body := b.post("/sign-in", url.Values{"email": {email}, "password": {password}})
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many attempts") {
			t.Errorf("sign-in page = %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		t.Run("and it opens again after 15 minutes", func(t *testing.T) {
			w.clock.Advance(15*time.Minute + time.Second)
			if status, _ := w.signInAPI(email, password, ""); status != http.StatusCreated {
				t.Errorf("after the window = %d, want 201", status)
			}
		})
	})
	t.Run("fifty failures from one address stop that address", func(t *testing.T) {
		w := newWorld(t, Config{})
		w.populate()
		for i := range 50 {
			if status, _ := w.signInAPI(fmt.Sprintf("nobody%d@example.nhs.uk", i), "wrong password!", ""); status != http.StatusUnauthorized {
				t.Fatalf("attempt %d = %d", i+1, status)
			}
		}
		if status, _ := w.signInAPI(w.users["admin"].Email, password, ""); status != http.StatusTooManyRequests {
			t.Errorf("51st = %d, want 429", status)
		}
	})
	t.Run("successful sign-ins are not limited", func(t *testing.T) {
		w := newWorld(t, Config{})
		w.populate()
		for i := range 60 {
			if status, _ := w.signInAPI(w.users["clinician"].Email, password, ""); status != http.StatusCreated {
				t.Fatalf("sign-in %d = %d", i+1, status)
			}
		}
	})
	t.Run("behind a trusted load balancer, each client is counted apart", func(t *testing.T) {
		_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
		w := newWorld(t, Config{TrustedProxies: []*net.IPNet{loopback}})
		w.populate()
		for i := range 50 {
			w.signInAPI(fmt.Sprintf("nobody%d@example.nhs.uk", i), "wrong password!", "203.0.113.9")
		}
		if status, _ := w.signInAPI(w.users["admin"].Email, password, "203.0.113.10"); status != http.StatusCreated {
			t.Errorf("another client = %d, want 201", status)
		}
		if status, _ := w.signInAPI(w.users["admin"].Email, password, "203.0.113.9"); status != http.StatusTooManyRequests {
			t.Errorf("the limited client = %d, want 429", status)
		}
	})
	t.Run("a failure says the same whether or not the account exists", func(t *testing.T) {
		w := newWorld(t, Config{})
		w.populate()
		_, wrong := w.api("POST", "/tokens", "", `{"email":"owner@example.nhs.uk","password":"wrong password!"}`)
		_, missing := w.api("POST", "/tokens", "", `{"email":"nobody@example.nhs.uk","password":"wrong password!"}`)
		if wrong != missing {
			t.Errorf("answers differ:\n%s\n%s", wrong, missing)
		}
	})
}

// signInAPI asks for a token as email with password, from xff when set.
func (w *world) signInAPI(email, pw, xff string) (int, http.Header) {
	w.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": pw})
	req, _ := http.NewRequest("POST", w.http.URL+"/api/v1/tokens", strings.NewReader(string(body)))
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

func TestRegistration(t *testing.T) {
	w := newWorld(t, Config{OpenRegistration: true})
	profile := `"profile":{"profession":"nurse","setting":"acute","years_experience":4,"legacy_familiarity":3}`
	t.Run("extra fields such as roles and id are ignored", func(t *testing.T) {
		status, body := w.api("POST", "/register", "", `{"id":999,"roles":["admin"],"email":"Nurse@Example.nhs.uk","name":"A Nurse","password":"a long and unusual passphrase",`+profile+`}`)
		if status != http.StatusCreated {
			t.Fatalf("status = %d\n%s", status, body)
		}
		var u userJSON
		if err := json.Unmarshal([]byte(body), &u); err != nil {
			t.Fatal(err)
		}
		if u.ID == 999 || len(u.Roles) != 1 || u.Roles[0] != "clinician" || u.Profile == nil || u.Profile.Profession != "nurse" {
			t.Errorf("user = %+v", u)
		}
	})
	tests := []struct {
		name, body string
		status     int
		fields     []string
	}{
		{"a duplicate email in another case is a conflict", `{"email":"nurse@example.NHS.uk","name":"B","password":"a long and unusual passphrase",` + profile + `}`, 409, []string{"email"}},
		{"every bad field is named at once", `{"email":"x","name":"","password":"short","profile":{"profession":"wizard","setting":"moon","years_experience":-1,"legacy_familiarity":9}}`, 422,
			[]string{"email", "name", "password", "profile.profession", "profile.setting", "profile.years_experience", "profile.legacy_familiarity"}},
		{"a missing profile is named", `{"email":"c@example.nhs.uk","name":"C","password":"a long and unusual passphrase"}`, 422, []string{"profile.profession"}},
		{"malformed JSON is a 400", `{"email":`, 400, nil},
		{"an oversized body is a 413", `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, 413, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, before, _ := w.st.Users(context.Background(), 0, 1)
			status, body := w.api("POST", "/register", "", tt.body)
			if status != tt.status {
				t.Fatalf("status = %d, want %d\n%s", status, tt.status, body)
			}
			var e apiError
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			for _, f := range tt.fields {
				if e.Error.Fields[f] == "" {
					t.Errorf("field %s not named: %+v", f, e.Error)
				}
			}
			if _, after, _ := w.st.Users(context.Background(), 0, 1); after != before {
				t.Errorf("users went from %d to %d", before, after)
			}
		})
	}
	t.Run("registration is refused when closed", func(t *testing.T) {
		closed := newWorld(t, Config{OpenRegistration: false})
		status, _ := closed.api("POST", "/register", "", `{"email":"d@example.nhs.uk","name":"D","password":"a long and unusual passphrase",`+profile+`}`)
		if status != http.StatusForbidden {
			t.Errorf("status = %d, want 403", status)
		}
	})
	t.Run("at most 100 registrations an hour from one address", func(t *testing.T) {
		events := make([]store.RateEvent, 100)
		for i := range events {
			events[i] = store.RateEvent{Kind: rateRegisterIP, Key: "127.0.0.1"}
		}
		if err := w.st.RecordRateEvents(context.Background(), events, sandpit.AuditEntry{}); err != nil {
			t.Fatal(err)
		}
		status, _ := w.api("POST", "/register", "", `{"email":"e@example.nhs.uk","name":"E","password":"a long and unusual passphrase",`+profile+`}`)
		if status != http.StatusTooManyRequests {
			t.Errorf("status = %d, want 429", status)
		}
	})
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// newToken returns a new API token and its hash, for tests that store
// tokens straight into the database.
func newToken() (token, hash string) { return sandpit.NewAPIToken() }

// The limits the application layer puts on sign-ins and registrations.
const (
	rateRegisterIP         = app.RateRegisterIP
	failedSignInPerAccount = app.FailedSignInPerAccount
)

// tokenPrefix starts every API token.
const tokenPrefix = sandpit.APITokenPrefix

// TestAPIUserCreateWithoutPassword: an admin who sends no password gets a
// one-time link for the person to set their own, once.
func TestAPIUserCreateWithoutPassword(t *testing.T) {
	w := newWorld(t, Config{})
	w.populate()
	status, body := w.api("POST", "/users", w.tokens["admin"], `{"email":"omar@example.nhs.uk","name":"Omar Owner","roles":["product_owner"]}`)
	var got struct {
		ID             int64  `json:"id"`
		SetPasswordURL string `json:"set_password_url"`
	}
	if status != http.StatusCreated || json.Unmarshal([]byte(body), &got) != nil || !strings.HasPrefix(got.SetPasswordURL, "http://localhost:8080/set-password/") {
		t.Fatalf("POST /users = %d %s", status, body)
	}
	path := strings.TrimPrefix(got.SetPasswordURL, "http://localhost:8080")
	b := w.browser()
	if status, page := b.get(path); status != http.StatusOK || !strings.Contains(page, "omar@example.nhs.uk") {
		t.Errorf("GET %s = %d", path, status)
	}
}
