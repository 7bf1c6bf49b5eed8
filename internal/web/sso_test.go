package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/oidctest"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
)

// ssoWorld is a running Sandpit whose sign-in page offers two real OpenID
// Providers started by the test: "nhsmail" (a client secret, job role and
// role claims) and "cis2" (private_key_jwt client assertions).
type ssoWorld struct {
	*world
	nhsmail *oidctest.Provider
	cis2    *oidctest.Provider
	base    string
	log     *lockedBuffer // the server's log
}

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newSSOWorld(t *testing.T, mutate func(*Config)) *ssoWorld {
	t.Helper()
	w := &world{t: t, clock: storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)),
		users: map[string]*sandpit.User{}, tokens: map[string]string{}}
	w.st = storetest.Open(t, storetest.URL(t), w.clock.Now)
	if err := w.st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	sw := &ssoWorld{world: w, nhsmail: oidctest.Start(t), cis2: oidctest.Start(t), base: base}
	sw.nhsmail.AddClient("sandpit", "client secret", base+"/sign-in/sso/nhsmail/callback", base+"/sign-in?done=signed-out")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sw.cis2.AddKeyClient("sandpit-cis2", &key.PublicKey, "sandpit-key-1", base+"/sign-in/sso/cis2/callback", base+"/sign-in?done=signed-out")
	for _, op := range []*oidctest.Provider{sw.nhsmail, sw.cis2} {
		op.AddUser(oidctest.User{ID: "jo-1", Username: "jo", Password: "jo's password", GivenName: "Jo", FamilyName: "Bloggs",
			Email: "jo.bloggs@nhs.net", JobRole: "Staff Nurse"})
		op.AddUser(oidctest.User{ID: "linda-1", Username: "linda", Password: "linda's password", GivenName: "Linda", FamilyName: "Okafor",
			Email: "linda.okafor@nhs.net"})
		op.AddUser(oidctest.User{ID: "same-email-1", Username: "same", Password: "same password", GivenName: "Sam", FamilyName: "Mee",
			Email: "clinician@example.nhs.uk"})
		op.AddUser(oidctest.User{ID: "ravi-1", Username: "ravi", Password: "ravi's password", GivenName: "Ravi", FamilyName: "Shah",
			Email: "ravi.shah@nhs.net", Roles: []string{"Sandpit Researcher", "Sandpit Admin", "Unknown"}})
	}
	cfg := Config{BaseURL: mustURL(base), OpenRegistration: true, SSO: []app.SSOProvider{
		{Name: "cis2", Label: "NHS Care Identity", Issuer: sw.cis2.URL, ClientID: "sandpit-cis2", PrivateKey: key, KeyID: "sandpit-key-1",
			Scopes: []string{"profile", "email"}},
		{Name: "nhsmail", Label: "NHSmail", Issuer: sw.nhsmail.URL, ClientID: "sandpit", ClientSecret: "client secret",
			Scopes: []string{"profile", "email"}, JobRoleClaim: "job_role", RoleClaim: "roles",
			RoleMap: map[string]sandpit.Role{"Sandpit Researcher": sandpit.RoleResearcher, "Sandpit Admin": sandpit.RoleAdmin}},
	}}
	if mutate != nil {
		mutate(&cfg)
	}
	w.srv = w.server(cfg)
	sw.log = &lockedBuffer{}
	w.srv.log = slog.New(slog.NewJSONHandler(sw.log, nil))
	ts.Config.Handler = w.srv
	ts.Start()
	t.Cleanup(ts.Close)
	w.http = ts
	return sw
}

// fetch sends a request to an absolute address with the browser's cookies,
// not following redirects.
func (b *browser) fetch(method, target string, form url.Values) (*http.Response, string) {
	b.w.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.w.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.w.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// follow follows redirects from resp until an answer that is not one, or
// one leading back to Sandpit, and returns the last address and answer.
func (b *browser) follow(resp *http.Response, body, stopAt string) (string, *http.Response, string) {
	b.w.t.Helper()
	at := resp.Request.URL.String()
	for i := 0; resp.StatusCode >= 300 && resp.StatusCode < 400; i++ {
		next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil || i > 10 {
			b.w.t.Fatalf("redirect to %q", resp.Header.Get("Location"))
		}
		at = next.String()
		if stopAt != "" && strings.HasPrefix(at, stopAt) {
			return at, resp, body
		}
		resp, body = b.fetch(http.MethodGet, at, nil)
	}
	return at, resp, body
}

// toProvider presses "Sign in with …" (or, with link set, "Link …") and
// returns the provider's login page address.
func (sw *ssoWorld) toProvider(b *browser, provider, next string, link bool) string {
	sw.t.Helper()
	path := "/sign-in/sso/" + provider
	if link {
		path = "/account/sso/" + provider + "/link"
	}
	resp, body := b.post(path, url.Values{"next": {next}})
	if resp.StatusCode != http.StatusSeeOther {
		sw.t.Fatalf("POST %s: %d\n%s", path, resp.StatusCode, body)
	}
	at, resp, body := b.follow(resp, body, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Test identity provider") {
		sw.t.Fatalf("provider's login page %s: %d\n%s", at, resp.StatusCode, body)
	}
	return at
}

// atProvider signs in (or cancels) on the provider's login page and
// returns the address the provider sends the browser back to Sandpit at.
func (sw *ssoWorld) atProvider(b *browser, loginPage, username, password string, cancel bool) string {
	sw.t.Helper()
	u, _ := url.Parse(loginPage)
	form := url.Values{"id": {u.Query().Get("authRequestID")}, "username": {username}, "password": {password}, "action": {"sign-in"}}
	if cancel {
		form.Set("action", "cancel")
	}
	resp, body := b.fetch(http.MethodPost, u.Scheme+"://"+u.Host+"/login", form)
	at, _, body := b.follow(resp, body, sw.base)
	if !strings.HasPrefix(at, sw.base+"/sign-in/sso/") {
		sw.t.Fatalf("the provider did not send the browser back to Sandpit but to %s\n%s", at, body)
	}
	return at
}

// back opens the address the provider sent the browser back with.
func (sw *ssoWorld) back(b *browser, callback string) (*http.Response, string) {
	sw.t.Helper()
	return b.fetch(http.MethodGet, callback, nil)
}

// signInWith goes through the whole sign-in at provider as username and
// returns Sandpit's answer to the provider's return.
func (sw *ssoWorld) signInWith(b *browser, provider, username, password, next string) (*http.Response, string) {
	sw.t.Helper()
	return sw.back(b, sw.atProvider(b, sw.toProvider(b, provider, next, false), username, password, false))
}

// count runs a counting query.
func (sw *ssoWorld) count(query string, args ...any) int64 {
	sw.t.Helper()
	n, err := storetest.Count(context.Background(), sw.st, query, args...)
	if err != nil {
		sw.t.Fatal(err)
	}
	return n
}

// identityID is the id of user userID's identity at provider.
func (sw *ssoWorld) identityID(userID int64, provider string) int64 {
	sw.t.Helper()
	ids, err := sw.st.Identities(context.Background(), userID)
	if err != nil {
		sw.t.Fatal(err)
	}
	for _, id := range ids {
		if id.Provider == provider {
			return id.ID
		}
	}
	sw.t.Fatalf("user %d has no %s identity", userID, provider)
	return 0
}

// wantSSOPage fails unless resp has status and body says want.
func wantSSOPage(t *testing.T, resp *http.Response, body string, status int, want ...string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d\n%s", resp.StatusCode, status, body)
	}
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("the page does not say %q\n%s", s, body)
		}
	}
}

// profileForm is a complete profile.
func profileForm() url.Values {
	return url.Values{"name": {"Jo Bloggs"}, "profession": {"nurse"}, "setting": {"acute"}, "years_experience": {"6"}, "legacy_familiarity": {"3"}}
}

func TestSSOSignIn(t *testing.T) {
	sw := newSSOWorld(t, nil)

	t.Run("a provider down at start shows what to do, then works once it answers", func(t *testing.T) {
		sw.nhsmail.SetDown(true)
		b := sw.browser()
		resp, body := b.post("/sign-in/sso/nhsmail", nil)
		wantSSOPage(t, resp, body, http.StatusServiceUnavailable, "NHSmail sign-in is not working at the moment", "Wait a few minutes")
		sw.nhsmail.SetDown(false)
		sw.toProvider(b, "nhsmail", "/", false)
	})

	t.Run("the sign-in page offers each provider above the password form", func(t *testing.T) {
		_, body := sw.browser().get("/sign-in")
		cis2, nhsmail, pw := strings.Index(body, "Sign in with NHS Care Identity"), strings.Index(body, "Sign in with NHSmail"), strings.Index(body, `name="password"`)
		if cis2 < 0 || nhsmail < 0 || pw < 0 || !(cis2 < nhsmail && nhsmail < pw) {
			t.Errorf("buttons at %d and %d, password at %d\n%s", cis2, nhsmail, pw, body)
		}
	})

	var joID int64
	t.Run("first sign-in asks for the profile once, prefilled, and never for a password", func(t *testing.T) {
		b := sw.browser()
		resp, body := sw.signInWith(b, "nhsmail", "jo", "jo's password", "/trials")
		wantRedirect(t, answer{status: resp.StatusCode, location: resp.Header.Get("Location")}, "/sign-in/sso/profile")
		status, body := b.get("/sign-in/sso/profile")
		if status != http.StatusOK {
			t.Fatalf("profile page: %d\n%s", status, body)
		}
		for _, want := range []string{"You have signed in with NHSmail", `value="Jo Bloggs"`, "jo.bloggs@nhs.net", `<option value="nurse" selected>`} {
			if !strings.Contains(body, want) {
				t.Errorf("profile page lacks %q\n%s", want, body)
			}
		}
		if strings.Contains(body, `type="password"`) {
			t.Errorf("the profile page asks for a password")
		}
		incomplete := profileForm()
		incomplete.Del("setting")
		resp, body = b.post("/sign-in/sso/profile", incomplete)
		wantSSOPage(t, resp, body, http.StatusUnprocessableEntity, "Select the care setting you work in")
		if n := sw.count("SELECT COUNT(*) FROM users WHERE email_lower = ?", "jo.bloggs@nhs.net"); n != 0 {
			t.Fatalf("%d accounts after a refused profile", n)
		}
		resp, body = b.post("/sign-in/sso/profile", profileForm())
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/trials" {
			t.Fatalf("profile saved: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		if !b.signedIn() {
			t.Fatal("not signed in after the profile")
		}
		u, _, err := sw.st.UserByEmail(context.Background(), "jo.bloggs@nhs.net")
		if err != nil {
			t.Fatal(err)
		}
		joID = u.ID
		if len(u.Roles) != 1 || u.Roles[0] != sandpit.RoleClinician || u.Profile == nil || u.Profile.YearsExperience != 6 {
			t.Errorf("account %+v, profile %+v", u.Roles, u.Profile)
		}
		if n := sw.count("SELECT COUNT(*) FROM users WHERE id = ? AND password_hash = ''", u.ID); n != 1 {
			t.Errorf("the account has a password")
		}
		if n := sw.count("SELECT COUNT(*) FROM external_identities WHERE user_id = ? AND issuer = ? AND subject = 'jo-1'", u.ID, sw.nhsmail.URL); n != 1 {
			t.Errorf("%d identities linked", n)
		}
		for _, action := range []string{sandpit.AuditRegister, sandpit.AuditIdentityLinked, sandpit.AuditSSOSignIn} {
			if n := sw.count("SELECT COUNT(*) FROM audit_events WHERE action = ? AND subject_id = ? AND detail = 'provider nhsmail'", action, u.ID); n != 1 {
				t.Errorf("%d %s audit entries", n, action)
			}
		}
		// Jo's password fields stay hidden: she has none.
		_, body = b.get("/account")
		if strings.Contains(body, "Change your password") || !strings.Contains(body, "Your only way to sign in") {
			t.Errorf("account page of an SSO-only user:\n%s", body)
		}
		// The profile is asked once: the page is gone.
		resp, body = b.post("/sign-in/sso/profile", profileForm())
		wantSSOPage(t, resp, body, http.StatusBadRequest, "Your sign-in has expired")
	})

	t.Run("the second sign-in lands straight in, at a local return path only", func(t *testing.T) {
		users := sw.count("SELECT COUNT(*) FROM users")
		b := sw.browser()
		resp, _ := sw.signInWith(b, "nhsmail", "jo", "jo's password", "/feedback")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/feedback" {
			t.Fatalf("second sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if !b.signedIn() || sw.count("SELECT COUNT(*) FROM users") != users {
			t.Fatal("not signed in, or another account was made")
		}
		resp, _ = sw.signInWith(sw.browser(), "nhsmail", "jo", "jo's password", "https://evil.example/steal")
		if resp.Header.Get("Location") != "/" {
			t.Errorf("a foreign return path was followed: %s", resp.Header.Get("Location"))
		}
	})

	t.Run("signing out offers the provider's sign-out", func(t *testing.T) {
		b := sw.browser()
		sw.signInWith(b, "nhsmail", "jo", "jo's password", "/")
		resp, _ := b.post("/sign-out", nil)
		loc := resp.Header.Get("Location")
		status, body := b.get(loc)
		if status != http.StatusOK || !strings.Contains(body, "Sign out of NHSmail too") || !strings.Contains(body, sw.nhsmail.URL+"/end_session?") {
			t.Errorf("after signing out (%s): %d\n%s", loc, status, body)
		}
	})

	t.Run("a replayed state is refused", func(t *testing.T) {
		b := sw.browser()
		login := sw.toProvider(b, "nhsmail", "/", false)
		pending := b.cookie(ssoCookie)
		callback := sw.atProvider(b, login, "jo", "jo's password", false)
		resp, _ := sw.back(b, callback)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use: %d", resp.StatusCode)
		}
		resp, body := sw.back(b, callback)
		wantSSOPage(t, resp, body, http.StatusBadRequest, "Your sign-in has expired", "Go back to your account")
		// The cookie as it was before the first use: the provider refuses
		// its code a second time.
		other := sw.browser()
		u, _ := url.Parse(sw.base)
		other.client.Jar.SetCookies(u, []*http.Cookie{{Name: pending.Name, Value: pending.Value, Path: "/"}})
		resp, body = sw.back(other, callback)
		wantSSOPage(t, resp, body, http.StatusBadRequest, "Your sign-in has expired")
		if other.signedIn() {
			t.Error("a replayed answer signed someone in")
		}
	})

	t.Run("an expired state and nonce are refused", func(t *testing.T) {
		b := sw.browser()
		callback := sw.atProvider(b, sw.toProvider(b, "nhsmail", "/", false), "jo", "jo's password", false)
		sw.clock.Advance(app.SSOStartLife + time.Second)
		resp, body := sw.back(b, callback)
		wantSSOPage(t, resp, body, http.StatusBadRequest, "Your sign-in has expired")
		if b.signedIn() {
			t.Error("signed in with an expired state")
		}
	})

	t.Run("a state from another browser is refused", func(t *testing.T) {
		b := sw.browser()
		callback := sw.atProvider(b, sw.toProvider(b, "nhsmail", "/", false), "jo", "jo's password", false)
		victim := sw.browser()
		sw.toProvider(victim, "nhsmail", "/", false)
		resp, body := sw.back(victim, callback)
		wantSSOPage(t, resp, body, http.StatusBadRequest, "Your sign-in has expired")
	})

	t.Run("cancelled consent says what to do", func(t *testing.T) {
		b := sw.browser()
		callback := sw.atProvider(b, sw.toProvider(b, "nhsmail", "/", false), "", "", true)
		if !strings.Contains(callback, "error=access_denied") {
			t.Fatalf("the provider sent back %s", callback)
		}
		resp, body := sw.back(b, callback)
		wantSSOPage(t, resp, body, http.StatusBadRequest, "You did not sign in", "sign in again")
	})

	t.Run("a tampered ID token is refused, and the log holds no token or code", func(t *testing.T) {
		sw.nhsmail.SetTamper(true)
		defer sw.nhsmail.SetTamper(false)
		b := sw.browser()
		callback := sw.atProvider(b, sw.toProvider(b, "nhsmail", "/", false), "jo", "jo's password", false)
		resp, body := sw.back(b, callback)
		cb, _ := url.Parse(callback)
		code := cb.Query().Get("code")
		log := sw.log.String()
		if code == "" || strings.Contains(log, code) || strings.Contains(log, "eyJ") || strings.Contains(log, "goroutine ") {
			t.Errorf("the log holds the code, a token or a stack:\n%s", log)
		}
		if !strings.Contains(log, `"kind":"not_verified"`) || !strings.Contains(log, "failed to verify signature") {
			t.Errorf("the log does not say why the sign-in failed:\n%s", log)
		}
		wantSSOPage(t, resp, body, http.StatusBadRequest, "Sandpit could not confirm your sign-in", "Tell your Sandpit administrator")
		if b.signedIn() {
			t.Error("a tampered token signed someone in")
		}
	})

	t.Run("a token for another audience is refused", func(t *testing.T) {
		sw.nhsmail.SetAudience("another-service")
		defer sw.nhsmail.SetAudience("")
		b := sw.browser()
		resp, body := sw.signInWith(b, "nhsmail", "jo", "jo's password", "/")
		wantSSOPage(t, resp, body, http.StatusBadRequest, "Sandpit could not confirm your sign-in")
		if b.signedIn() {
			t.Error("a token for another audience signed someone in")
		}
		if !strings.Contains(sw.log.String(), `expected audience \"sandpit\" got [\"another-service\"]`) {
			t.Errorf("not refused for its audience:\n%s", sw.log)
		}
	})

	t.Run("a token from another issuer is refused", func(t *testing.T) {
		sw.nhsmail.SetTokenIssuer("http://issuer.example")
		defer sw.nhsmail.SetTokenIssuer("")
		b := sw.browser()
		resp, body := sw.signInWith(b, "nhsmail", "jo", "jo's password", "/")
		wantSSOPage(t, resp, body, http.StatusBadRequest, "Sandpit could not confirm your sign-in")
		if b.signedIn() {
			t.Error("a token from another issuer signed someone in")
		}
		if !strings.Contains(sw.log.String(), `issued by a different provider`) {
			t.Errorf("not refused for its issuer:\n%s", sw.log)
		}
	})

	t.Run("the provider's new key is fetched when it rotates", func(t *testing.T) {
		before := sw.nhsmail.KeyID()
		sw.nhsmail.RotateKey()
		if sw.nhsmail.KeyID() == before {
			t.Fatal("the key did not change")
		}
		b := sw.browser()
		resp, body := sw.signInWith(b, "nhsmail", "jo", "jo's password", "/")
		if resp.StatusCode != http.StatusSeeOther || !b.signedIn() {
			t.Fatalf("after rotation: %d\n%s", resp.StatusCode, body)
		}
	})

	t.Run("private_key_jwt client assertions work with CIS2", func(t *testing.T) {
		b := sw.browser()
		resp, body := sw.signInWith(b, "cis2", "linda", "linda's password", "/")
		wantRedirect(t, answer{status: resp.StatusCode, location: resp.Header.Get("Location"), body: body}, "/sign-in/sso/profile")
	})

	t.Run("an account is never linked by email alone", func(t *testing.T) {
		sw.createUser("clinician@example.nhs.uk", sandpit.RoleClinician)
		b := sw.browser()
		sw.signInWith(b, "nhsmail", "same", "same password", "/")
		resp, body := b.post("/sign-in/sso/profile", profileForm())
		wantSSOPage(t, resp, body, http.StatusUnprocessableEntity, "A Sandpit account already has this email address", "link your organisation")
		if n := sw.count("SELECT COUNT(*) FROM external_identities WHERE subject = 'same-email-1'"); n != 0 {
			t.Errorf("%d identities linked by email", n)
		}
	})

	t.Run("linking and unlinking from the account page", func(t *testing.T) {
		local := sw.createUser("linda@example.nhs.uk", sandpit.RoleClinician)
		b := sw.browser()
		b.signIn("linda@example.nhs.uk")
		_, body := b.get("/account")
		if !strings.Contains(body, "Link NHSmail") || !strings.Contains(body, "Link NHS Care Identity") {
			t.Fatalf("account page offers no links\n%s", body)
		}
		callback := sw.atProvider(b, sw.toProvider(b, "nhsmail", "", true), "linda", "linda's password", false)
		resp, body := sw.back(b, callback)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?done=linked" {
			t.Fatalf("link: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		if n := sw.count("SELECT COUNT(*) FROM audit_events WHERE action = ? AND subject_id = ?", sandpit.AuditIdentityLinked, local.ID); n != 1 {
			t.Errorf("%d link audit entries", n)
		}
		// Signing in with NHSmail now opens Linda's own account.
		other := sw.browser()
		sw.signInWith(other, "nhsmail", "linda", "linda's password", "/")
		if _, body := other.get("/account"); !strings.Contains(body, "linda@example.nhs.uk") {
			t.Fatalf("NHSmail did not open the linked account\n%s", body)
		}
		// Jo's NHSmail account is Jo's: Linda cannot link it.
		callback = sw.atProvider(b, sw.toProvider(b, "cis2", "", true), "jo", "jo's password", false)
		if resp, _ := sw.back(b, callback); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("link CIS2 jo (no account there yet): %d", resp.StatusCode)
		}
		idID := sw.identityID(local.ID, "nhsmail")
		resp, _ = b.post("/account/identities/"+itoa(idID)+"/unlink", nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("unlink: %d", resp.StatusCode)
		}
		if n := sw.count("SELECT COUNT(*) FROM audit_events WHERE action = ? AND subject_id = ? AND detail = 'provider nhsmail'", sandpit.AuditIdentityUnlinked, local.ID); n != 1 {
			t.Errorf("%d unlink audit entries", n)
		}
		linked := sw.browser()
		resp, body = sw.signInWith(linked, "nhsmail", "linda", "linda's password", "/")
		wantRedirect(t, answer{status: resp.StatusCode, location: resp.Header.Get("Location")}, "/sign-in/sso/profile")
	})

	t.Run("the last way to sign in cannot be unlinked", func(t *testing.T) {
		b := sw.browser()
		sw.signInWith(b, "nhsmail", "jo", "jo's password", "/")
		idID := sw.identityID(joID, "nhsmail")
		resp, body := b.post("/account/identities/"+itoa(idID)+"/unlink", nil)
		wantSSOPage(t, resp, body, http.StatusConflict, "only way to sign in")
		// Nobody else may unlink it either.
		other := sw.browser()
		other.signIn("linda@example.nhs.uk")
		resp, body = other.post("/account/identities/"+itoa(idID)+"/unlink", nil)
		wantSSOPage(t, resp, body, http.StatusNotFound)
		if n := sw.count("SELECT COUNT(*) FROM external_identities WHERE id = ?", idID); n != 1 {
			t.Error("the identity was unlinked")
		}
	})

	t.Run("an identity linked to someone else is not linked again", func(t *testing.T) {
		b := sw.browser()
		b.signIn("clinician@example.nhs.uk")
		callback := sw.atProvider(b, sw.toProvider(b, "nhsmail", "", true), "jo", "jo's password", false)
		resp, body := sw.back(b, callback)
		wantSSOPage(t, resp, body, http.StatusConflict, "This account is linked to someone else")
	})

	t.Run("roles come from the role claim, never admin", func(t *testing.T) {
		b := sw.browser()
		sw.signInWith(b, "nhsmail", "ravi", "ravi's password", "/")
		form := profileForm()
		form.Set("name", "Ravi Shah")
		if resp, body := b.post("/sign-in/sso/profile", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("profile: %d\n%s", resp.StatusCode, body)
		}
		u, _, err := sw.st.UserByEmail(context.Background(), "ravi.shah@nhs.net")
		if err != nil {
			t.Fatal(err)
		}
		if !u.Has(sandpit.RoleClinician) || !u.Has(sandpit.RoleResearcher) || u.Has(sandpit.RoleAdmin) || len(u.Roles) != 2 {
			t.Errorf("roles %v", u.Roles)
		}
	})

	t.Run("a disabled user cannot sign in with the provider", func(t *testing.T) {
		admin := sw.createUser("admin@example.nhs.uk", sandpit.RoleAdmin)
		if err := sw.st.DisableUser(context.Background(), joID, sandpit.AuditEntry{ActorID: &admin.ID, Action: sandpit.AuditUserDisabled}); err != nil {
			t.Fatal(err)
		}
		b := sw.browser()
		resp, body := sw.signInWith(b, "nhsmail", "jo", "jo's password", "/")
		wantSSOPage(t, resp, body, http.StatusForbidden, "Your Sandpit account is disabled")
		if b.signedIn() {
			t.Error("a disabled user signed in")
		}
	})
}

func TestSSOOnlyRefusesPasswords(t *testing.T) {
	sw := newSSOWorld(t, func(c *Config) { c.NoPasswordSignIn = true })
	sw.createUser("clinician@example.nhs.uk", sandpit.RoleClinician)
	b := sw.browser()
	_, body := b.get("/sign-in")
	if strings.Contains(body, `name="password"`) || !strings.Contains(body, "Sign in with NHSmail") {
		t.Errorf("sign-in page with passwords off:\n%s", body)
	}
	resp, body := b.post("/sign-in", url.Values{"email": {"clinician@example.nhs.uk"}, "password": {password}})
	wantSSOPage(t, resp, body, http.StatusForbidden, "Signing in with a password is turned off")
	resp, body = b.post("/register", url.Values{"email": {"new@example.nhs.uk"}, "name": {"New"}, "password": {"a long enough password"}})
	wantSSOPage(t, resp, body, http.StatusForbidden)
	status, body := b.get("/set-password/anything")
	if status != http.StatusForbidden {
		t.Errorf("set-password page: %d\n%s", status, body)
	}
	for _, path := range []string{"/tokens", "/register"} {
		if status, body := sw.api(http.MethodPost, path, "", `{"email":"clinician@example.nhs.uk","password":"`+password+`","name":"X"}`); status != http.StatusForbidden {
			t.Errorf("POST %s: %d %s", path, status, body)
		}
	}
	resp, _ = sw.signInWith(b, "nhsmail", "jo", "jo's password", "/")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("SSO with passwords off: %d", resp.StatusCode)
	}
	// Admins make no accounts with passwords or set-password links either.
	admin := sw.createUser("admin@example.nhs.uk", sandpit.RoleAdmin)
	token, hash := newToken()
	if _, err := sw.st.CreateToken(context.Background(), admin.ID, "test", hash, sandpit.AuditEntry{Action: sandpit.AuditTokenCreated}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"email":"po@example.nhs.uk","name":"PO","password":"a long enough password","roles":["product_owner"]}`,
		`{"email":"po@example.nhs.uk","name":"PO","roles":["product_owner"]}`,
	} {
		if status, answer := sw.api(http.MethodPost, "/users", token, body); status != http.StatusForbidden || !strings.Contains(answer, "accounts are made when people first sign in") {
			t.Errorf("POST /users %s: %d %s", body, status, answer)
		}
	}
	clinician, _, err := sw.st.UserByEmail(context.Background(), "clinician@example.nhs.uk")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sw.srv.app.Identity.NewPasswordLink(context.Background(), app.Actor{User: admin}, clinician.ID); sandpit.ErrorCode(err) != sandpit.EFORBIDDEN {
		t.Errorf("a set-password link with passwords off: %v", err)
	}
}

func TestBreakGlassSignInLink(t *testing.T) {
	sw := newSSOWorld(t, func(c *Config) { c.NoPasswordSignIn = true })
	admin := sw.createUser("admin@example.nhs.uk", sandpit.RoleAdmin)
	sw.createUser("clinician@example.nhs.uk", sandpit.RoleClinician)
	ctx := context.Background()
	if _, _, err := sw.srv.app.Identity.CreateSignInLinkFromTerminal(ctx, app.Actor{}, "clinician@example.nhs.uk"); err == nil {
		t.Error("a clinician was given a break-glass link")
	}
	if _, _, err := sw.srv.app.Identity.CreateSignInLinkFromTerminal(ctx, app.Actor{User: admin}, "admin@example.nhs.uk"); sandpit.ErrorCode(err) != sandpit.EFORBIDDEN {
		t.Errorf("a signed-in actor made a link: %v", err)
	}
	_, link, err := sw.srv.app.Identity.CreateSignInLinkFromTerminal(ctx, app.Actor{}, "admin@example.nhs.uk")
	if err != nil {
		t.Fatal(err)
	}
	b := sw.browser()
	// Opening the link spends nothing: a mail scanner may fetch it.
	if status, body := b.get("/sign-in/link/" + link.Token); status != http.StatusOK || b.signedIn() {
		t.Fatalf("link page: %d\n%s", status, body)
	}
	resp, body := b.post("/sign-in/link/"+link.Token, nil)
	if resp.StatusCode != http.StatusSeeOther || !b.signedIn() {
		t.Fatalf("break glass: %d\n%s", resp.StatusCode, body)
	}
	resp, body = sw.browser().post("/sign-in/link/"+link.Token, nil)
	wantSSOPage(t, resp, body, http.StatusNotFound, "This sign-in link has been used or has expired")
	_, expired, err := sw.srv.app.Identity.CreateSignInLinkFromTerminal(ctx, app.Actor{}, "admin@example.nhs.uk")
	if err != nil {
		t.Fatal(err)
	}
	sw.clock.Advance(app.SignInLinkLife + time.Second)
	resp, body = sw.browser().post("/sign-in/link/"+expired.Token, nil)
	wantSSOPage(t, resp, body, http.StatusNotFound, "has expired")
}
