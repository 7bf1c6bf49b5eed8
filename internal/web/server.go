// Package web serves Sandpit's HTML pages and JSON API over echo.
package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sandpit-nhs/sandpit/internal/store"
)

// Config is what the web layer needs to know of Sandpit's settings.
type Config struct {
	BaseURL *url.URL // where users reach Sandpit; https turns on Secure cookies and HSTS
	Version string   // the build's version, shown in /metrics
	// SessionKeys sign and encrypt session cookies: the first signs, all
	// verify.
	SessionKeys [][]byte
}

// Server is Sandpit's HTTP handler.
type Server struct {
	cfg      Config
	log      *slog.Logger
	store    *store.Store
	renderer *Renderer
	static   fs.FS
	metrics  *metrics
	echo     *echo.Echo
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
	s.metrics = newMetrics(prometheus.NewRegistry(), st, cfg.Version)
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	// The socket address is the client until the trusted-proxy setting says
	// otherwise: a client-supplied X-Forwarded-For proves nothing.
	s.echo.IPExtractor = echo.ExtractIPDirect()
	s.routes()
	return s
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.echo.ServeHTTP(w, r)
}

// secure reports whether Sandpit is reached over https.
func (s *Server) secure() bool {
	return s.cfg.BaseURL != nil && s.cfg.BaseURL.Scheme == "https"
}
