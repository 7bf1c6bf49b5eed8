package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

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
		if _, large := largeBodies[c.Path()]; large && currentUser(c) == nil {
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
			if limit, ok := largeBodies[c.Path()]; ok {
				if req.ContentLength > limit {
					return tooLargeBody(limit)
				}
				req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
			}
			ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
			switch {
			case isAPI(c) || strings.HasSuffix(ct, "json"):
				// API handlers read the body as JSON whatever its Content-Type
				// says (curl -d sends a form type), so it is checked as JSON.
				body, err := readBody(c)
				if err != nil {
					return bodyError(err, "The request body could not be read.")
				}
				fields = append(fields, sandpit.CheckJSONText(body)...)
			case ct == echo.MIMEApplicationForm || ct == echo.MIMEMultipartForm:
				form, err := c.FormParams()
				if err := bodyError(err, ""); err != nil {
					return err
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

// contextBody is the echo context key of a request body once read.
const contextBody = "body"

// readBody reads the request's body once, into a buffer of its declared
// size when it has one (not one grown by doubling: a release definition is
// large), and keeps it for whoever asks next: the text check reads it,
// then the handler decodes the same bytes.
func readBody(c echo.Context) ([]byte, error) {
	if body, ok := c.Get(contextBody).([]byte); ok {
		return body, nil
	}
	r := c.Request()
	var body []byte
	var err error
	if n := r.ContentLength; n > 0 {
		body = make([]byte, n)
		_, err = io.ReadFull(r.Body, body)
	} else {
		body, err = io.ReadAll(r.Body)
	}
	if err != nil {
		return nil, err
	}
	c.Set(contextBody, body)
	return body, nil
}

// bodyError is the answer to err from reading a body: 413 naming the limit
// when it is too large, echo's own error as it is, else EMALFORMED with
// unreadable (or nil when unreadable is "", for form parsing, whose
// handler answers it).
func bodyError(err error, unreadable string) error {
	var tooLarge *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return tooLargeBody(tooLarge.Limit)
	case errors.As(err, &he):
		return he
	case unreadable == "":
		return nil
	}
	return sandpit.Errorf(sandpit.EMALFORMED, "%s", unreadable)
}

// tooLargeBody is the refusal of a body over limit bytes.
func tooLargeBody(limit int64) error {
	if limit == maxDefinitionBytes {
		return definitionTooLarge()
	}
	return sandpit.Errorf(sandpit.ETOOLARGE, "The request is larger than %d MB.", limit>>20)
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
