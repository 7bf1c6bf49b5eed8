package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// statusOf maps each domain error code to its HTTP status. It is the only
// place that does.
var statusOf = map[string]int{
	sandpit.EINVALID:      http.StatusUnprocessableEntity,
	sandpit.EMALFORMED:    http.StatusBadRequest,
	sandpit.EUNAUTHORIZED: http.StatusUnauthorized,
	sandpit.EFORBIDDEN:    http.StatusForbidden,
	sandpit.ENOTFOUND:     http.StatusNotFound,
	sandpit.ECONFLICT:     http.StatusConflict,
	sandpit.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	sandpit.ERATELIMITED:  http.StatusTooManyRequests,
	sandpit.EINTERNAL:     http.StatusInternalServerError,
	sandpit.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// codeOf maps the statuses echo itself answers with to domain codes.
var codeOf = map[int]string{
	http.StatusBadRequest:            sandpit.EMALFORMED,
	http.StatusUnauthorized:          sandpit.EUNAUTHORIZED,
	http.StatusForbidden:             sandpit.EFORBIDDEN,
	http.StatusNotFound:              sandpit.ENOTFOUND,
	http.StatusMethodNotAllowed:      sandpit.ENOTFOUND,
	http.StatusRequestEntityTooLarge: sandpit.ETOOLARGE,
	http.StatusTooManyRequests:       sandpit.ERATELIMITED,
}

// messageOf is what a person reads for each code when nothing more precise
// was said.
var messageOf = map[string]string{
	sandpit.EMALFORMED:    "The request could not be read.",
	sandpit.EUNAUTHORIZED: "Sign in to continue.",
	sandpit.EFORBIDDEN:    "You are not allowed to do this.",
	sandpit.ENOTFOUND:     "Not found.",
	sandpit.ETOOLARGE:     "The request is too large.",
	sandpit.ERATELIMITED:  "Too many attempts. Try again later.",
	sandpit.EINTERNAL:     "Internal error.",
}

// apiError is the body of every API error answer.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Params are the figures of the fields' errors that have any, such as
	// the box around an NHS number found in a screen image.
	Params map[string]sandpit.Params `json:"params,omitempty"`
}

// errorView is an error page.
type errorView struct {
	Layout
	Heading   string
	Message   string
	RequestID string
	Errors    FieldErrors // the fields a refused form held, for the error summary
	Back      string      // the page the form was on, when it is Sandpit's
}

// handleError answers a failed request: JSON under /api/, an HTML page
// elsewhere. Only internal errors are logged; their details never reach the
// user.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	body := apiErrorBody{Code: sandpit.ErrorCode(err), Message: sandpit.ErrorMessage(err), Fields: sandpit.ErrorFields(err)}
	for _, f := range sandpit.FieldErrorsOf(err) {
		if len(f.Params) > 0 {
			if body.Params == nil {
				body.Params = map[string]sandpit.Params{}
			}
			body.Params[f.Field] = f.Params
		}
	}
	status := statusOf[body.Code]
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
		body.Code = codeOf[he.Code]
		if body.Code == "" {
			body.Code = sandpit.EINTERNAL
		}
		body.Message = messageOf[body.Code]
		if he.Internal != nil && status >= 500 {
			err = he.Internal
		}
	}
	requestID := c.Response().Header().Get(echo.HeaderXRequestID)
	// EUNAVAILABLE (503) is a setting missing, said as it is; any other
	// 5xx is a fault whose details are logged, never shown.
	if status >= 500 && body.Code != sandpit.EUNAVAILABLE {
		s.log.LogAttrs(c.Request().Context(), slog.LevelError, "internal error",
			slog.String("error", err.Error()),
			slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path),
			slog.String("request_id", requestID))
		status, body.Code, body.Message = http.StatusInternalServerError, sandpit.EINTERNAL, messageOf[sandpit.EINTERNAL]
	}
	if status == http.StatusMethodNotAllowed {
		// Sandpit shows no difference between a missing page and a method it
		// does not serve.
		status = http.StatusNotFound
	}

	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(status)
	case isAPI(c):
		werr = c.JSON(status, apiError{Error: body})
	default:
		werr = s.renderError(c, status, body.Message, requestID, err)
	}
	if werr != nil {
		s.log.Error("write error answer", "error", werr, "request_id", requestID)
	}
}

// renderError shows the error page for status.
func (s *Server) renderError(c echo.Context, status int, message, requestID string, err error) error {
	view := errorView{Message: message, RequestID: requestID}
	page := "errors/error"
	switch status {
	case http.StatusNotFound:
		view.Title, page = "Page not found", "errors/404"
	case http.StatusForbidden:
		view.Title, page = "You cannot do this", "errors/403"
	case http.StatusInternalServerError:
		view.Title, page = "Sorry, there is a problem with Sandpit", "errors/500"
	default:
		view.Title = http.StatusText(status)
		view.Heading = http.StatusText(status)
	}
	if status == http.StatusUnprocessableEntity {
		// A form refused before its handler ran, by the text check: the
		// summary names each field, and a link goes back to the form.
		for _, f := range sandpit.FieldErrorsOf(err) {
			view.Errors.Add(f.Field, sentence(f.Field, f.Phrase()))
		}
		if view.Errors.Any() {
			view.Title, view.Heading = "Check what you entered", "Check what you entered"
		}
		if back := localPath(c.Request().Referer()); back != "/" {
			view.Back = back
		} else if ref, perr := url.Parse(c.Request().Referer()); perr == nil && ref.Host == c.Request().Host {
			view.Back = localPath(ref.RequestURI())
		}
	}
	return s.render(c, status, page, view)
}

// isAPI reports whether the request is for the JSON API.
func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == "/api/v1" || strings.HasPrefix(p, "/api/")
}
