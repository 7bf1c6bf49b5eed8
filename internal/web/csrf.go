package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/sandpit-nhs/sandpit/internal/app"
	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// csrfContextKey is where the CSRF middleware leaves the form token.
const csrfContextKey = "csrf"

// csrf guards every cookie-authenticated unsafe request with a token from a
// form field or header that must match the token cookie.
func (s *Server) csrf() echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf,header:X-CSRF-Token",
		ContextKey:     csrfContextKey,
		CookieName:     "sandpit_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.secure(),
		CookieSameSite: http.SameSiteLaxMode,
		CookieMaxAge:   int(app.SessionAbsolute.Seconds()),
		ErrorHandler: func(err error, c echo.Context) error {
			return sandpit.Errorf(sandpit.EFORBIDDEN, "This form has expired or did not come from Sandpit, so nothing was changed. Go back, reload the page and try again.")
		},
	})
}

// requireAdmin refuses anyone who may not administer Sandpit.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.app.Identity.RequireAdmin(c.Request().Context(), actorOf(c)); err != nil {
			return err
		}
		return next(c)
	}
}
