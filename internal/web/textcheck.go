package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// largeBodyLimit is the most a large body may be read before the route's own
// limit applies: the text check reads bodies before route middleware runs.
// It lists the same routes as largeBodies in routes.go.
var largeBodyLimit = map[string]int64{
	"/api/v1/workflows/:id/releases":  64 << 20,
	"/api/v1/releases/:id/definition": 64 << 20,
	"/workflows/:id/releases/import":  64 << 20,
	"/releases/:id/screens":           6 << 20,
	"/releases/:id/screens/:key":      6 << 20,
}

// checkText is the one text-validation step every request passes: each
// string of a JSON body, each form value (files aside), each query value
// and the Idempotency-Key header go through sandpit.CheckText by the kind
// their name says. A refusal is EINVALID naming the fields, before any
// handler runs, so nothing is stored; it never carries or logs the text.
// Handlers cannot skip it: it sits in front of every API route and every
// page route, behind authentication and the CSRF check.
func (s *Server) checkText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Path() == "" || c.Path() == "/*" {
			return next(c)
		}
		req := c.Request()
		if _, large := largeBodyLimit[c.Path()]; large && currentUser(c) == nil {
			// Only signed-in users may send images: the handler refuses a
			// stranger without reading the body, so neither does this.
			return next(c)
		}
		var fields []sandpit.FieldError
		if key := req.Header.Get("Idempotency-Key"); key != "" {
			if f, bad := sandpit.CheckText("Idempotency-Key", key, sandpit.TextLine); bad {
				fields = append(fields, f)
			}
		}
		query := req.URL.Query()
		fields = append(fields, sandpit.CheckFields(sortedKeys(query), query)...)
		if req.Body != nil && req.Method != http.MethodGet && req.Method != http.MethodHead {
			if limit, ok := largeBodyLimit[c.Path()]; ok {
				req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
			}
			ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
			switch {
			case isAPI(c) || strings.HasSuffix(ct, "json"):
				// API handlers read the body as JSON whatever its Content-Type
				// says (curl -d sends a form type), so it is checked as JSON.
				body, err := io.ReadAll(req.Body)
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					return sandpit.Errorf(sandpit.ETOOLARGE, "The request is larger than %d MB.", tooLarge.Limit>>20)
				}
				var he *echo.HTTPError
				if errors.As(err, &he) {
					return he
				}
				if err != nil {
					return sandpit.Errorf(sandpit.EMALFORMED, "The request body could not be read.")
				}
				req.Body = io.NopCloser(bytes.NewReader(body))
				fields = append(fields, sandpit.CheckJSONText(body)...)
			case ct == echo.MIMEApplicationForm || ct == echo.MIMEMultipartForm:
				form, err := c.FormParams()
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					return sandpit.Errorf(sandpit.ETOOLARGE, "The request is larger than %d MB.", tooLarge.Limit>>20)
				}
				var he *echo.HTTPError
				if errors.As(err, &he) {
					return he
				}
				if err == nil {
					fields = append(fields, sandpit.CheckFields(sortedKeys(form), form)...)
				}
			}
		}
		if len(fields) > 0 {
			return sandpit.ErrText(fields)
		}
		return next(c)
	}
}

// sortedKeys returns the keys of values in order.
func sortedKeys(values map[string][]string) []string {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
