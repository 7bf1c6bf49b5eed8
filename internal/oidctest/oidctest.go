// Package oidctest runs a real OpenID Provider for tests: zitadel's
// certified op package serving discovery, keys, authorize, token and end
// session, over the in-memory storage of its example server, with a login
// page of test users, and knobs a test turns to make the provider misbehave
// as real ones do (down, keys rotated, a wrong audience or issuer, an ID
// token altered on the way).
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// User is a person who can sign in at the provider.
type User struct {
	ID         string // the subject
	Username   string
	Password   string
	GivenName  string
	FamilyName string
	Email      string
	JobRole    string   // the job_role claim, when set
	Roles      []string // the roles claim, when set
}

// Provider is a running OpenID Provider.
type Provider struct {
	URL string // the issuer

	server *httptest.Server
	op     *op.Provider
	store  *opStorage

	mu          sync.Mutex
	down        bool
	tamper      bool
	audience    string // "" for the client's own
	tokenIssuer string // "" for URL
}

// Start runs a provider until the test ends.
func Start(t testing.TB) *Provider {
	t.Helper()
	p := &Provider{}
	p.server = httptest.NewUnstartedServer(nil)
	p.URL = "http://" + p.server.Listener.Addr().String()
	p.store = newStorage()
	cfg := &op.Config{
		CryptoKey:                sha256.Sum256([]byte(rand.Text())),
		DefaultLogoutRedirectURI: "/signed-out",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		AuthMethodPrivateKeyJWT:  true,
		SupportedUILocales:       []language.Tag{language.English},
	}
	issuer := func(bool) (op.IssuerFromRequest, error) {
		return func(r *http.Request) string {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.tokenIssuer != "" && r.URL.Path == "/oauth/token" {
				return p.tokenIssuer
			}
			return p.URL
		}, nil
	}
	provider, err := op.NewProvider(cfg, p.store, issuer, op.WithAllowInsecure(),
		op.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("oidctest: %v", err)
	}
	p.op = provider
	mux := http.NewServeMux()
	interceptor := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux.HandleFunc("GET /login", p.loginPage)
	mux.HandleFunc("POST /login", interceptor.HandlerFunc(p.login))
	mux.HandleFunc("GET /signed-out", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "Signed out") })
	mux.Handle("/", provider)
	p.server.Config.Handler = p.intercept(mux)
	p.server.Start()
	t.Cleanup(p.server.Close)
	return p
}

// intercept answers 503 while the provider is down, and alters the ID
// token of token answers while tampering is on.
func (p *Provider) intercept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		down, tamper, audience := p.down, p.tamper, p.audience
		p.mu.Unlock()
		if down {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		if (!tamper && audience == "") || r.URL.Path != "/oauth/token" {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err == nil {
			if raw, ok := body["id_token"].(string); ok && tamper {
				body["id_token"] = tamperWith(raw)
			} else if ok {
				body["id_token"] = p.store.resign(raw, audience)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		json.NewEncoder(w).Encode(body)
	})
}

// tamperWith changes the subject of a signed ID token, keeping its
// signature: what an attacker who intercepted it would try.
func tamperWith(raw string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return raw
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return raw
	}
	var claims map[string]any
	if json.Unmarshal(payload, &claims) != nil {
		return raw
	}
	claims["sub"] = "someone-else"
	payload, _ = json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

// AddClient registers a client that authenticates with secret and may
// return to redirectURI; signedOut is where it may send people after
// signing out there.
func (p *Provider) AddClient(id, secret, redirectURI, signedOut string) {
	p.store.addClient(&client{id: id, secret: secret, redirect: redirectURI, signedOut: signedOut, method: oidc.AuthMethodBasic})
}

// AddKeyClient registers a client that authenticates with a JWT signed by
// the private key of public (private_key_jwt), whose key id is keyID.
func (p *Provider) AddKeyClient(id string, public *rsa.PublicKey, keyID, redirectURI, signedOut string) {
	p.store.addClient(&client{id: id, redirect: redirectURI, signedOut: signedOut, method: oidc.AuthMethodPrivateKeyJWT,
		key: &jose.JSONWebKey{Key: public, KeyID: keyID, Use: "sig", Algorithm: string(jose.RS256)}})
}

// AddUser adds a person who can sign in.
func (p *Provider) AddUser(u User) { p.store.users.add(u) }

// SetDown makes every request fail with 503 (true) or work again.
func (p *Provider) SetDown(down bool) { p.set(func() { p.down = down }) }

// SetTamper alters the subject of every ID token the token endpoint sends,
// leaving the signature as it was.
func (p *Provider) SetTamper(on bool) { p.set(func() { p.tamper = on }) }

// SetAudience makes the token endpoint answer with an ID token, signed
// with the provider's key, issued to audience instead of the client that
// asked ("" undoes it): a token meant for another service.
func (p *Provider) SetAudience(audience string) { p.set(func() { p.audience = audience }) }

// SetTokenIssuer makes ID tokens name issuer instead of the provider's
// own ("" undoes it).
func (p *Provider) SetTokenIssuer(issuer string) { p.set(func() { p.tokenIssuer = issuer }) }

// RotateKey signs with a new key from now on and stops publishing the old
// one, as a provider does when its key is replaced.
func (p *Provider) RotateKey() { p.store.rotate() }

// KeyID is the id of the key tokens are signed with now.
func (p *Provider) KeyID() string { return p.store.key().id }

func (p *Provider) set(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f()
}

var loginTemplate = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider: sign in</title></head>
<body><main><h1>Test identity provider</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit" name="action" value="sign-in" id="sign-in">Sign in</button>
<button type="submit" name="action" value="cancel" id="cancel">Cancel and do not share my details</button></p>
</form></main></body></html>`))

// loginPage shows the login form of an authorization request.
func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	loginTemplate.Execute(w, map[string]string{"ID": r.URL.Query().Get("authRequestID")})
}

// login checks a user's password, or cancels, and returns to the client.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("id")
	if r.FormValue("action") == "cancel" {
		req, err := p.store.AuthRequestByID(r.Context(), id)
		if err != nil {
			http.Error(w, "unknown request", http.StatusBadRequest)
			return
		}
		op.AuthRequestError(w, r, req, oidc.ErrAccessDenied().WithDescription("The person cancelled."), p.op)
		return
	}
	if err := p.store.CheckUsernamePassword(r.FormValue("username"), r.FormValue("password"), id); err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		loginTemplate.Execute(w, map[string]string{"ID": id, "Error": "The username or password is not right."})
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
}

// opStorage is the example server's in-memory storage with this package's
// clients, users, claims and rotating keys.
type opStorage struct {
	*storage.Storage
	users *users

	mu      sync.Mutex
	clients map[string]*client
	signing *signingKey
}

func newStorage() *opStorage {
	u := &users{byID: map[string]User{}}
	s := &opStorage{Storage: storage.NewStorageWithClients(u, map[string]*storage.Client{}), users: u, clients: map[string]*client{}}
	s.rotate()
	return s
}

func (s *opStorage) addClient(c *client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.id] = c
}

// resign signs the claims of ID token raw again with the current key,
// issued to audience.
func (s *opStorage) resign(raw, audience string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return raw
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err != nil || json.Unmarshal(payload, &claims) != nil {
		return raw
	}
	claims["aud"], claims["azp"], claims["client_id"] = []string{audience}, audience, audience
	k := s.key()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k.key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.id))
	if err != nil {
		return raw
	}
	payload, _ = json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		return raw
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		return raw
	}
	return out
}

func (s *opStorage) rotate() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signing = &signingKey{id: rand.Text()[:12], key: key}
}

func (s *opStorage) key() *signingKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signing
}

// SigningKey is the current key.
func (s *opStorage) SigningKey(context.Context) (op.SigningKey, error) { return s.key(), nil }

// SignatureAlgorithms is RS256.
func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet publishes the current key only.
func (s *opStorage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.key()}}, nil
}

// GetClientByClientID returns a registered client.
func (s *opStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, fmt.Errorf("client not found")
	}
	return c, nil
}

// AuthorizeClientIDSecret checks a client's secret.
func (s *opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok || c.secret == "" || c.secret != secret {
		return fmt.Errorf("invalid client")
	}
	return nil
}

// GetKeyByIDAndClientID returns the public key of a private_key_jwt client.
func (s *opStorage) GetKeyByIDAndClientID(_ context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[clientID]
	if !ok || c.key == nil || c.key.KeyID != keyID {
		return nil, fmt.Errorf("key not found")
	}
	return c.key, nil
}

// SetUserinfoFromRequest adds the job role and roles claims to what the
// example storage sets.
func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	u, ok := s.users.get(req.GetSubject())
	if !ok {
		return nil
	}
	if u.JobRole != "" {
		info.AppendClaims("job_role", u.JobRole)
	}
	if len(u.Roles) > 0 {
		info.AppendClaims("roles", u.Roles)
	}
	return nil
}

// users is the provider's people.
type users struct {
	mu   sync.Mutex
	byID map[string]User
}

func (u *users) add(user User) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.byID[user.ID] = user
}

func (u *users) get(id string) (User, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	user, ok := u.byID[id]
	return user, ok
}

func (u *users) example(user User) *storage.User {
	return &storage.User{ID: user.ID, Username: user.Username, Password: user.Password, FirstName: user.GivenName,
		LastName: user.FamilyName, Email: user.Email, EmailVerified: user.Email != "", PreferredLanguage: language.English}
}

// GetUserByID returns the example storage's view of user id.
func (u *users) GetUserByID(id string) *storage.User {
	user, ok := u.get(id)
	if !ok {
		return nil
	}
	return u.example(user)
}

// GetUserByUsername returns the example storage's view of a username.
func (u *users) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, user := range u.byID {
		if user.Username == name {
			return u.example(user)
		}
	}
	return nil
}

// ExampleClientID is the example storage's service client, unused here.
func (u *users) ExampleClientID() string { return "service" }

// signingKey is an RSA key tokens are signed with.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is a signing key as the keys endpoint publishes it.
type publicKey struct{ k *signingKey }

func (k publicKey) ID() string                         { return k.k.id }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.k.key.PublicKey }

// client is a relying party registered at the provider.
type client struct {
	id, secret, redirect, signedOut string
	method                          oidc.AuthMethod
	key                             *jose.JSONWebKey
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return []string{c.redirect} }
func (c *client) PostLogoutRedirectURIs() []string    { return []string{c.signedOut} }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return c.method }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string            { return "/login?authRequestID=" + id }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return time.Hour }
func (c *client) DevMode() bool                        { return true }
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
