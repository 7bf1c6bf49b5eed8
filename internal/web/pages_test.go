package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
	"github.com/sandpit-nhs/sandpit/internal/store"
	"github.com/sandpit-nhs/sandpit/internal/store/storetest"
	"github.com/sandpit-nhs/sandpit/static"
	"github.com/sandpit-nhs/sandpit/templates"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery staple"

// newPagesServer returns a server with session keys and a cheap bcrypt on a
// fresh database, listening on a test address.
func newPagesServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	renderer, err := NewRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://127.0.0.1")
	cfg := Config{BaseURL: base, Version: "test", SessionKeys: [][]byte{[]byte(strings.Repeat("k", 32))},
		OpenRegistration: true, PasswordCost: bcrypt.MinCost}
	s := NewServer(cfg, slog.New(slog.DiscardHandler), storetest.New(t, time.Now), renderer, static.FS)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

// addUser stores a user with testPassword straight through the store.
func addUser(t *testing.T, s *Server, email, name string, profile *sandpit.Profile, roles ...sandpit.Role) *sandpit.User {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.store.CreateUser(context.Background(), sandpit.NewUser{Email: email, Name: name, Roles: roles, Profile: profile},
		string(hash), sandpit.AuditEntry{Action: sandpit.AuditUserCreated})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// visitor is one person's visitor: its own cookies, kept across requests.
type visitor struct {
	t      *testing.T
	base   string
	follow *http.Client // follows redirects, like a person clicking
	stay   *http.Client // answers redirects as they are, to check them
}

// newVisitor returns a visitor with an empty cookie jar.
func newVisitor(t *testing.T, ts *httptest.Server) *visitor {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &visitor{t: t, base: ts.URL, follow: &http.Client{Jar: jar},
		stay: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// answer is a response, read.
type answer struct {
	status   int
	location string
	body     string
}

// do sends req with client and reads the answer.
func (b *visitor) do(client *http.Client, req *http.Request) answer {
	b.t.Helper()
	res, err := client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return answer{status: res.StatusCode, location: res.Header.Get("Location"), body: string(body)}
}

// get fetches path, following redirects.
func (b *visitor) get(path string) answer {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(b.follow, req)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf returns the form token of a page's hidden _csrf input, which must
// match the visitor's sandpit_csrf cookie.
func (b *visitor) csrf() string {
	b.t.Helper()
	m := csrfInput.FindStringSubmatch(b.get("/sign-in").body)
	if m == nil {
		b.t.Fatal("no _csrf input on the sign-in page")
	}
	return m[1]
}

// post submits form to path with the CSRF token, not following redirects.
func (b *visitor) post(path string, form url.Values) answer {
	b.t.Helper()
	values := url.Values{}
	for k, v := range form {
		values[k] = v
	}
	values.Set("_csrf", b.csrf())
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(values.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(b.stay, req)
}

// signIn signs the visitor in through the sign-in form.
func (b *visitor) signIn(email, password string) {
	b.t.Helper()
	if a := b.post("/sign-in", url.Values{"email": {email}, "password": {password}}); a.status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: status %d:\n%s", email, a.status, a.body)
	}
}

// wantRedirect fails unless a is a 303 to a location starting with prefix.
func wantRedirect(t *testing.T, a answer, prefix string) {
	t.Helper()
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, prefix) {
		t.Fatalf("answer = %d to %q, want 303 to %s…; body:\n%s", a.status, a.location, prefix, a.body)
	}
}

// wantPage fails unless a has status and contains every one of want.
func wantPage(t *testing.T, a answer, status int, want ...string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status = %d, want %d; body:\n%s", a.status, status, a.body)
	}
	for _, w := range want {
		if !strings.Contains(a.body, w) {
			t.Errorf("page lacks %q:\n%s", w, a.body)
		}
	}
}

// userCount is how many users are stored.
func userCount(t *testing.T, s *Server) int64 {
	t.Helper()
	_, total, err := s.store.Users(context.Background(), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// idFrom returns the number after prefix in location, such as a new user's
// id in /admin/users/7?done=….
func idFrom(t *testing.T, location, prefix string) string {
	t.Helper()
	rest, ok := strings.CutPrefix(location, prefix)
	if !ok {
		t.Fatalf("location %q does not start with %s", location, prefix)
	}
	id, _, _ := strings.Cut(rest, "?")
	return id
}

var nurseProfile = &sandpit.Profile{Profession: "nurse", Setting: "acute", YearsExperience: 7, LegacyFamiliarity: 3}

func TestAdminPages(t *testing.T) {
	s, ts := newPagesServer(t)
	admin := addUser(t, s, "ada@example.nhs.uk", "Ada Admin", nil, sandpit.RoleAdmin)
	ada := newVisitor(t, ts)
	ada.signIn(admin.Email, testPassword)

	t.Run("every page renders with one h1", func(t *testing.T) {
		tests := []struct{ path, h1 string }{
			{"/account", "<h1>Your account</h1>"},
			{"/admin/users", "<h1>Users</h1>"},
			{"/admin/users/new", "<h1>Create a user</h1>"},
			{"/admin/users/" + itoa(admin.ID), "<h1>Ada Admin</h1>"},
			{"/admin/teams", "<h1>Teams</h1>"},
			{"/admin/audit", "<h1>Audit log</h1>"},
			{"/admin/audit?email=ada%40example.nhs.uk&action=sign_in&page=1", "<h1>Audit log</h1>"},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				a := ada.get(tt.path)
				wantPage(t, a, http.StatusOK, tt.h1)
				if n := strings.Count(a.body, "<h1"); n != 1 {
					t.Errorf("%d h1 elements, want 1", n)
				}
				if strings.Contains(a.body, "style=") || strings.Contains(a.body, "<script>") {
					t.Error("page has inline style or script")
				}
			})
		}
	})

	t.Run("a user who is not an admin cannot see admin pages", func(t *testing.T) {
		addUser(t, s, "nia@example.nhs.uk", "Nia Nurse", nurseProfile, sandpit.RoleClinician)
		nia := newVisitor(t, ts)
		nia.signIn("nia@example.nhs.uk", testPassword)
		for _, path := range []string{"/admin/users", "/admin/teams", "/admin/audit", "/admin/users/new"} {
			if a := nia.get(path); a.status != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", path, a.status)
			}
		}
		if a := nia.post("/admin/users/"+itoa(admin.ID)+"/disable", nil); a.status != http.StatusForbidden {
			t.Errorf("disable: status %d, want 403", a.status)
		}
	})

	t.Run("creating a user with bad input answers 422 and writes nothing", func(t *testing.T) {
		tests := []struct {
			name string
			form url.Values
			want []string
		}{
			{"an empty form names every missing field", url.Values{},
				[]string{`href="#name"`, `href="#email"`, `href="#roles"`, "Select at least one role"}},
			{"a clinician needs a profile", url.Values{"name": {"Cal"}, "email": {"cal@example.nhs.uk"}, "password": {testPassword}, "roles": {"clinician"}},
				[]string{`href="#profession"`, `href="#setting"`, `href="#legacy_familiarity"`, `value="cal@example.nhs.uk"`}},
			{"an unknown role is refused", url.Values{"name": {"Cal"}, "email": {"cal@example.nhs.uk"}, "password": {testPassword}, "roles": {"wizard"}},
				[]string{`href="#roles"`}},
			{"a taken email is refused", url.Values{"name": {"Ada"}, "email": {"ADA@example.nhs.uk"}, "password": {testPassword}, "roles": {"researcher"}},
				[]string{`href="#email"`, "An account with this email address already exists"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := userCount(t, s)
				a := ada.post("/admin/users", tt.form)
				wantPage(t, a, http.StatusUnprocessableEntity, append([]string{"There is a problem", "<title>Error: "}, tt.want...)...)
				if pw := tt.form.Get("password"); pw != "" && strings.Contains(a.body, pw) {
					t.Error("the page shows the password typed")
				}
				if after := userCount(t, s); after != before {
					t.Errorf("users %d → %d, want no change", before, after)
				}
			})
		}
	})

	var userID, teamID string
	t.Run("an admin creates a user, a team, adds people, changes roles and disables a user", func(t *testing.T) {
		a := ada.post("/admin/users", url.Values{"name": {"Rhys Researcher"}, "email": {"rhys@example.nhs.uk"},
			"roles": {"clinician", "researcher"}, "profession": {"doctor"}, "setting": {"primary_care"}, "years_experience": {"12"}, "legacy_familiarity": {"4"}})
		// No password is typed: the admin gets a one-time link to send.
		wantPage(t, a, http.StatusCreated, "The account for Rhys Researcher has been created.", "/set-password/")
		link := regexp.MustCompile(`(/set-password/[a-z0-9_]+)`).FindString(a.body)
		userID = regexp.MustCompile(`/admin/users/(\d+)`).FindStringSubmatch(a.body)[1]
		wantPage(t, ada.get("/admin/users/"+userID), http.StatusOK, "rhys@example.nhs.uk", "Clinician, Researcher", "Active")

		rhys := newVisitor(t, ts)
		wantPage(t, rhys.get(link), http.StatusOK, "Set your password", "rhys@example.nhs.uk")
		wantPage(t, rhys.post(link, url.Values{"password": {"short"}}), http.StatusUnprocessableEntity, `href="#password"`, "Password must be at least 12 characters")
		wantRedirect(t, rhys.post(link, url.Values{"password": {testPassword}}), "/sign-in?done=password-set")
		wantPage(t, rhys.get(link), http.StatusNotFound, "This link does not work")
		wantPage(t, rhys.post(link, url.Values{"password": {"another long passphrase"}}), http.StatusNotFound, "This link does not work")
		again := ada.post("/admin/users/"+userID+"/password-link", url.Values{})
		wantPage(t, again, http.StatusOK, "A new link for Rhys Researcher has been made.", "/set-password/")
		if next := regexp.MustCompile(`(/set-password/[a-z0-9_]+)`).FindString(again.body); next == link {
			t.Error("the new link is the spent one")
		}

		a = ada.post("/admin/teams", url.Values{"name": {"Ward Round"}})
		wantRedirect(t, a, "/admin/teams/")
		teamID = idFrom(t, a.location, "/admin/teams/")
		wantPage(t, ada.get(a.location), http.StatusOK, "The team has been created.", "<h1>Ward Round</h1>")

		steps := []struct {
			name     string
			path     string
			form     url.Values
			status   int
			location string // for a redirect
			want     []string
		}{
			{"a team name is required", "/admin/teams", url.Values{"name": {" "}}, 422, "", []string{`href="#name"`, "Enter a team name"}},
			{"a team name is unique", "/admin/teams", url.Values{"name": {"ward round"}}, 409, "", []string{"A team with this name already exists", `value="ward round"`}},
			{"a product owner is added by email", "/admin/teams/" + teamID + "/members", url.Values{"member_email": {"rhys@example.nhs.uk"}}, 303, "/admin/teams/" + teamID + "?done=member-added", nil},
			{"a researcher is granted by email", "/admin/teams/" + teamID + "/researchers", url.Values{"researcher_email": {"RHYS@example.nhs.uk"}}, 303, "/admin/teams/" + teamID + "?done=member-added", nil},
			{"an unknown email is shown by its own form", "/admin/teams/" + teamID + "/members", url.Values{"member_email": {"nobody@example.nhs.uk"}}, 422, "",
				[]string{`href="#member_email"`, "No Sandpit account has this email address", `value="nobody@example.nhs.uk"`}},
			{"someone in the team already is a conflict", "/admin/teams/" + teamID + "/researchers", url.Values{"researcher_email": {"rhys@example.nhs.uk"}}, 409, "",
				[]string{`href="#researcher_email"`, "This person is in the team already"}},
			{"a role is granted", "/admin/users/" + userID + "/roles", url.Values{"role": {"safety_officer"}}, 303, "/admin/users/" + userID + "?done=roles", nil},
			{"an unknown role is not granted", "/admin/users/" + userID + "/roles", url.Values{"role": {"wizard"}}, 422, "", []string{`href="#role"`, "Select a role to grant"}},
			{"a role is removed", "/admin/users/" + userID + "/roles/safety_officer/remove", nil, 303, "/admin/users/" + userID + "?done=roles", nil},
			{"the last admin keeps the admin role", "/admin/users/" + itoa(admin.ID) + "/roles/admin/remove", nil, 409, "", []string{"Sandpit needs at least one admin"}},
			{"an unknown role cannot be removed", "/admin/users/" + userID + "/roles/wizard/remove", nil, 404, "", nil},
			{"an admin cannot disable themselves", "/admin/users/" + itoa(admin.ID) + "/disable", nil, 409, "", []string{"You cannot disable your own account"}},
			{"a user is disabled", "/admin/users/" + userID + "/disable", nil, 303, "/admin/users/" + userID + "?done=disabled", nil},
			{"a missing user is not found", "/admin/users/99999/disable", nil, 404, "", nil},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				a := ada.post(st.path, st.form)
				if st.status == http.StatusSeeOther {
					if a.status != st.status || a.location != st.location {
						t.Fatalf("answer = %d to %q, want 303 to %s; body:\n%s", a.status, a.location, st.location, a.body)
					}
					return
				}
				wantPage(t, a, st.status, st.want...)
			})
		}

		wantPage(t, ada.get("/admin/teams/"+teamID), http.StatusOK, "Product owners of Ward Round", "Researchers with access to Ward Round", "rhys@example.nhs.uk")
		wantPage(t, ada.get("/admin/teams"), http.StatusOK, `href="/admin/teams/`+teamID+`">Ward Round</a>`)
		a = ada.get("/admin/users/" + userID)
		wantPage(t, a, http.StatusOK, "Disabled", "Ward Round")
		if strings.Contains(a.body, "Disable user") {
			t.Error("a disabled user still has the disable button")
		}
		wantPage(t, ada.get("/admin/users"), http.StatusOK, "Rhys Researcher", "Disabled")
	})

	t.Run("the audit log shows every admin action", func(t *testing.T) {
		a := ada.get("/admin/audit")
		var cells []string
		for _, c := range []string{"Action </span>User created", "Action </span>Team created", "Action </span>Team member added",
			"Action </span>Researcher granted", "Action </span>Role granted", "Action </span>Role removed", "Action </span>User disabled",
			"By </span>ada@<wbr>example.nhs.uk", "User acted on </span>rhys@<wbr>example.nhs.uk", "IP address </span>127.0.0.1"} {
			cells = append(cells, c+"</td>")
		}
		cells = append(cells, "Detail: </span>safety_officer")
		wantPage(t, a, http.StatusOK, cells...)
		a = ada.get("/admin/audit?action=user_disabled")
		wantPage(t, a, http.StatusOK, "1 event, newest first", "rhys@<wbr>example.nhs.uk", `<option value="user_disabled" selected>`)
		a = ada.get("/admin/audit?email=nobody%40example.nhs.uk")
		wantPage(t, a, http.StatusOK, "No events match.")
	})

	t.Run("long lists are paged and the links keep the filters", func(t *testing.T) {
		for range adminPageSize {
			if err := s.store.Audit(context.Background(), sandpit.AuditEntry{ActorID: &admin.ID, Action: sandpit.AuditSignIn, IP: "192.0.2.1"}); err != nil {
				t.Fatal(err)
			}
		}
		a := ada.get("/admin/audit?action=sign_in")
		wantPage(t, a, http.StatusOK, `href="/admin/audit?action=sign_in&amp;page=2"`, "Page 2 of 2")
		a = ada.get("/admin/audit?action=sign_in&page=2")
		wantPage(t, a, http.StatusOK, `href="/admin/audit?action=sign_in"`, "Previous")
		for _, path := range []string{"/admin/users?page=0", "/admin/users?page=x", "/admin/users?page=99999999999999999999"} {
			wantPage(t, ada.get(path), http.StatusOK, "<h1>Users</h1>")
		}
	})
}

func TestAccountPages(t *testing.T) {
	s, ts := newPagesServer(t)
	casey := addUser(t, s, "casey@example.nhs.uk", "Casey Clinician", nurseProfile, sandpit.RoleClinician)
	b := newVisitor(t, ts)
	b.signIn(casey.Email, testPassword)

	t.Run("a signed-out visitor is sent to sign in", func(t *testing.T) {
		wantPage(t, newVisitor(t, ts).get("/account"), http.StatusOK, "Sign in to Sandpit", `name="next" value="/account"`)
	})

	t.Run("the account page shows the profile", func(t *testing.T) {
		wantPage(t, b.get("/account"), http.StatusOK, "<h1>Your account</h1>", "casey@example.nhs.uk", "Acute (hospital)",
			`<option value="nurse" selected>`, `id="legacy_familiarity-3" name="legacy_familiarity" type="radio" value="3" checked`,
			`action="/sign-out"`, "You have no API tokens.")
	})

	t.Run("the profile is validated and saved", func(t *testing.T) {
		tests := []struct {
			name   string
			form   url.Values
			status int
			want   []string
		}{
			{"an empty name and bad numbers are refused", url.Values{"name": {""}, "profession": {"nurse"}, "setting": {"acute"}, "years_experience": {"lots"}, "legacy_familiarity": {"9"}},
				422, []string{`href="#name"`, `href="#years_experience"`, `href="#legacy_familiarity"`, `value="lots"`}},
			{"good details are saved", url.Values{"name": {"Casey Jones"}, "profession": {"midwife"}, "setting": {"community"}, "years_experience": {"8"}, "legacy_familiarity": {"5"}},
				303, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := b.post("/account/profile", tt.form)
				if tt.status == http.StatusSeeOther {
					wantRedirect(t, a, "/account?done=profile")
					return
				}
				wantPage(t, a, tt.status, tt.want...)
			})
		}
		u, err := s.store.User(context.Background(), casey.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "Casey Jones" || u.Profile == nil || u.Profile.Profession != "midwife" || u.Profile.YearsExperience != 8 {
			t.Errorf("stored %+v %+v", u, u.Profile)
		}
		wantPage(t, b.get("/account?done=profile"), http.StatusOK, "Your profile has been saved.", "Midwife")
	})

	t.Run("a token is shown once and works as a bearer token until revoked", func(t *testing.T) {
		wantPage(t, b.post("/account/tokens", url.Values{"label": {""}}), 422, `href="#label"`)
		wantPage(t, b.post("/account/tokens", url.Values{"label": {strings.Repeat("x", 101)}}), 422, "Label must be 100 characters or fewer")

		a := b.post("/account/tokens", url.Values{"label": {"Nightly export"}})
		wantPage(t, a, http.StatusOK, "Copy it now", "Nightly export")
		token := regexp.MustCompile(tokenPrefix + `[a-z0-9]+`).FindString(a.body)
		if token == "" {
			t.Fatalf("no token on the page:\n%s", a.body)
		}
		page := b.get("/account")
		if strings.Contains(page.body, token) {
			t.Error("the token is shown again")
		}
		wantPage(t, page, http.StatusOK, "Nightly export", "Never")

		me := func() answer {
			req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			return b.do(http.DefaultClient, req)
		}
		wantPage(t, me(), http.StatusOK, `"email":"casey@example.nhs.uk"`)

		m := regexp.MustCompile(`/account/tokens/(\d+)/revoke`).FindStringSubmatch(b.get("/account").body)
		if m == nil {
			t.Fatal("no revoke form")
		}
		wantRedirect(t, b.post(m[0], nil), "/account?done=token-revoked")
		if a := me(); a.status != http.StatusUnauthorized {
			t.Errorf("revoked token: status %d, want 401", a.status)
		}
		if a := b.post(m[0], nil); a.status != http.StatusNotFound {
			t.Errorf("revoking twice: status %d, want 404", a.status)
		}
	})

	t.Run("changing the password keeps this session and ends the others", func(t *testing.T) {
		other := newVisitor(t, ts)
		other.signIn(casey.Email, testPassword)
		wantPage(t, other.get("/account"), http.StatusOK, "<h1>Your account</h1>")

		const newPassword = "a different long passphrase"
		tests := []struct {
			name string
			form url.Values
			want []string
		}{
			{"a wrong current password is refused", url.Values{"current_password": {"not my password at all"}, "new_password": {newPassword}},
				[]string{`href="#current_password"`, "Your current password is not right"}},
			{"a weak new password is refused", url.Values{"current_password": {testPassword}, "new_password": {"short"}},
				[]string{`href="#new_password"`, "New password must be at least 12 characters"}},
			{"the email address is not a password", url.Values{"current_password": {testPassword}, "new_password": {"casey@example.nhs.uk"}},
				[]string{`href="#new_password"`, "must not be your email address"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := b.post("/account/password", tt.form)
				wantPage(t, a, http.StatusUnprocessableEntity, tt.want...)
				for _, v := range tt.form {
					if strings.Contains(a.body, `value="`+v[0]+`"`) {
						t.Errorf("the page keeps the password %q", v[0])
					}
				}
			})
		}

		wantRedirect(t, b.post("/account/password", url.Values{"current_password": {testPassword}, "new_password": {newPassword}}), "/account?done=password")
		wantPage(t, b.get("/account?done=password"), http.StatusOK, "<h1>Your account</h1>", "Your password has been changed.")
		wantPage(t, other.get("/account"), http.StatusOK, "Sign in to Sandpit")

		again := newVisitor(t, ts)
		if a := again.post("/sign-in", url.Values{"email": {casey.Email}, "password": {testPassword}}); a.status != http.StatusUnauthorized {
			t.Errorf("old password: status %d, want 401", a.status)
		}
		again.signIn(casey.Email, newPassword)
	})

	t.Run("signing out from the account page ends the session", func(t *testing.T) {
		wantRedirect(t, b.post("/sign-out", nil), "/sign-in?done=signed-out")
		wantPage(t, b.get("/account"), http.StatusOK, "Sign in to Sandpit")
	})
}

// itoa writes an id for a path.
func itoa(id int64) string {
	return strconv.FormatInt(id, 10)
}

func TestPasswordChangeGuessesAreLimited(t *testing.T) {
	s, ts := newPagesServer(t)
	u := addUser(t, s, "gus@example.nhs.uk", "Gus Guess", nurseProfile, sandpit.RoleClinician)
	b := newVisitor(t, ts)
	b.signIn(u.Email, testPassword)
	form := url.Values{"current_password": {"a wrong guess at it"}, "new_password": {"a different long passphrase"}}
	for i := range failedSignInPerAccount {
		if a := b.post("/account/password", form); a.status != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: status %d, want 422", i+1, a.status)
		}
	}
	form.Set("current_password", testPassword)
	wantPage(t, b.post("/account/password", form), http.StatusTooManyRequests, "Too many attempts", `href="#current_password"`)
	wantPage(t, b.get("/admin/audit"), http.StatusForbidden)
	events, _, err := s.store.AuditEvents(context.Background(), store.AuditFilter{Email: u.Email, Action: sandpit.AuditSignInFailed, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != failedSignInPerAccount {
		t.Errorf("%d failed guesses audited, want %d", len(events), failedSignInPerAccount)
	}
}
