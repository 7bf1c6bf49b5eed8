// Package web serves Sandpit's HTML pages and JSON API over echo.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/store"
)

// Config is what the web layer needs to know of Sandpit's settings.
type Config struct {
	BaseURL *url.URL // where users reach Sandpit; https turns on Secure cookies and HSTS
	Version string   // the build's version, shown in /metrics
	// SessionKeys sign and encrypt session cookies: the first signs, all
	// verify.
	SessionKeys [][]byte
	// PseudonymKey keys the hash that turns users into the participant ids
	// of research exports.
	PseudonymKey []byte
	// OpenRegistration lets anyone register as a clinician.
	OpenRegistration bool
	// TrustedProxies are the load balancers whose X-Forwarded-For is
	// believed; with none, the client is the socket's address.
	TrustedProxies []*net.IPNet
	// PasswordCost is bcrypt's cost; tests lower it.
	PasswordCost int
	// Screens reads screen images for real NHS numbers; nil leaves them
	// unchecked, and the upload pages say so.
	Screens app.ScreenReader
	// SSO is the configured OpenID Providers (issue 17).
	SSO []app.SSOProvider
	// NoPasswordSignIn turns off every password route, pages and API
	// (SANDPIT_PASSWORD_SIGNIN=false).
	NoPasswordSignIn bool
}

// Server is Sandpit's HTTP handler.
type Server struct {
	cfg      Config
	log      *slog.Logger
	store    *store.Store
	app      *app.App
	renderer *Renderer
	static   fs.FS
	metrics  *metrics
	echo     *echo.Echo
	sessions *sessions.CookieStore
}

// NewServer wires Sandpit's routes and middleware around its dependencies.
// static holds css/, js/ and vendor/ (see package static).
func NewServer(cfg Config, log *slog.Logger, st *store.Store, renderer *Renderer, static fs.FS) *Server {
	s := &Server{
		cfg:      cfg,
		log:      log,
		store:    st,
		renderer: renderer,
		static:   static,
		echo:     echo.New(),
	}
	s.app = app.New(st, app.Config{PasswordCost: s.cfg.PasswordCost, PseudonymKey: cfg.PseudonymKey,
		OpenRegistration: cfg.OpenRegistration, Version: cfg.Version, Now: st.Now, Screens: cfg.Screens,
		BaseURL: baseURL(cfg.BaseURL), SSO: cfg.SSO, NoPasswordSignIn: cfg.NoPasswordSignIn})
	s.sessions = newCookieStore(cfg.SessionKeys, s.secure())
	s.metrics = newMetrics(prometheus.NewRegistry(), st, cfg.Version)
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	// The socket address is the client unless it is a trusted load
	// balancer: a client-supplied X-Forwarded-For proves nothing.
	s.echo.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		s.echo.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	s.routes()
	return s
}

// baseURL is u without a trailing slash, or "" when it is nil.
func baseURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return strings.TrimSuffix(u.String(), "/")
}

// DiscoverSSO discovers the configured identity providers, trying again
// while any is down, until ctx ends; each failure is logged (never with a
// token: discovery carries none).
func (s *Server) DiscoverSSO(ctx context.Context) {
	s.app.Identity.DiscoverSSO(ctx, func(provider string, err error) {
		s.log.Warn("identity provider not reachable yet; its sign-in button shows an error page until it is", "provider", provider, "error", err.Error())
	})
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.echo.ServeHTTP(w, r)
}

// MetricsHandler serves Prometheus metrics. It is not among the site's
// routes: serve puts it on SANDPIT_METRICS_ADDR, apart from the public.
func (s *Server) MetricsHandler() http.Handler {
	return s.metrics.handler()
}

// secure reports whether Sandpit is reached over https.
func (s *Server) secure() bool {
	return s.cfg.BaseURL != nil && s.cfg.BaseURL.Scheme == "https"
}
