package web

import (
	"io/fs"
	"time"

	"github.com/labstack/echo/v4/middleware"
)

// routes lists Sandpit's whole HTTP surface.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.securityHeaders)
	e.Use(middleware.RequestID())
	e.Use(s.requestLog())
	e.Use(recoverPanics())
	e.Use(middleware.BodyLimit("1M"))

	// Operations.
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", s.metrics.handler())

	// Assets: Sandpit's own, and the NHS.UK frontend's images at the path its
	// stylesheet expects.
	e.Group("/static", cacheFor(time.Hour)).StaticFS("/", s.static)
	if assets, err := fs.Sub(s.static, "vendor/nhsuk/assets"); err == nil {
		e.Group("/assets", cacheFor(24*time.Hour)).StaticFS("/", assets)
	}

	// Pages.
	e.GET("/", s.handleHome)
}
