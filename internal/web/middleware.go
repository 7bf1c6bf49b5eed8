package web

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// contentSecurityPolicy is contentSecurityPolicy with the origin of each
// configured identity provider allowed as a form's destination: the
// "Sign in with …" and "Link …" forms post to Sandpit, which redirects to
// the provider, and browsers hold redirects after a form to form-action.
func (s *Server) contentSecurityPolicy() string {
	origins := ""
	for _, p := range s.cfg.SSO {
		if u, err := url.Parse(p.Issuer); err == nil && u.Host != "" {
			origins += " " + u.Scheme + "://" + u.Host
		}
	}
	if origins == "" {
		return contentSecurityPolicy
	}
	return strings.Replace(contentSecurityPolicy, "form-action 'self'", "form-action 'self'"+origins, 1)
}

// securityHeaders sets the headers every response carries, error pages
// included: they are set before the handler runs, so they survive whatever
// it returns.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	hsts := s.secure()
	csp := s.contentSecurityPolicy()
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		// Nothing Sandpit answers may stay on a shared ward PC's disk once
		// the person signs out; static assets and screen images override
		// this with caching of their own.
		h.Set("Cache-Control", "no-store")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return next(c)
	}
}

// requestLog logs one line per request, once the error handler has settled
// its status.
func (s *Server) requestLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError:  true,
		LogMethod:    true,
		LogURIPath:   true,
		LogRoutePath: true,
		LogStatus:    true,
		LogLatency:   true,
		LogRemoteIP:  true,
		LogRequestID: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method),
				slog.String("path", v.URIPath),
				slog.String("route", v.RoutePath),
				slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency),
				slog.String("ip", v.RemoteIP),
				slog.String("request_id", v.RequestID),
			)
			s.metrics.observe(c.Request().Method, routeLabel(v.RoutePath, v.Status), strconv.Itoa(v.Status), v.Latency)
			return nil
		},
	})
}

// routeLabel keeps the metrics' route label to the routes Sandpit has, so
// that probing random paths cannot grow the label set.
func routeLabel(route string, status int) string {
	if status == 404 && (route == "" || route == "/*") {
		return "unmatched"
	}
	return route
}

// recoverPanics turns a panic into an internal error carrying its stack, for
// the error handler to log once.
func recoverPanics() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			return fmt.Errorf("panic: %w\n%s", err, stack)
		},
	})
}

// cacheFor sets how long browsers may keep what the handler returns.
func cacheFor(d time.Duration) echo.MiddlewareFunc {
	value := fmt.Sprintf("public, max-age=%d", int(d.Seconds()))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set("Cache-Control", value)
			return next(c)
		}
	}
}
