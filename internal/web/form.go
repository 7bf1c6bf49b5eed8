package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

// FieldErrors are a form's errors, in the order the fields appear.
type FieldErrors struct {
	order []string
	msg   map[string]string
}

// Add records message for field, unless the field has one already.
func (f *FieldErrors) Add(field, message string) {
	if f.msg == nil {
		f.msg = map[string]string{}
	}
	if _, ok := f.msg[field]; !ok {
		f.order = append(f.order, field)
		f.msg[field] = message
	}
}

// Get returns field's error, or "".
func (f FieldErrors) Get(field string) string { return f.msg[field] }

// Any reports whether there are errors.
func (f FieldErrors) Any() bool { return len(f.order) > 0 }

// FieldError is one entry of the error summary.
type FieldError struct {
	Field   string
	Message string
}

// List returns the errors in field order.
func (f FieldErrors) List() []FieldError {
	list := make([]FieldError, len(f.order))
	for i, field := range f.order {
		list[i] = FieldError{Field: field, Message: f.msg[field]}
	}
	return list
}

// formSentences is one form's table of error sentences: for each form
// field, the sentence for each field error code. The code "" stands for any
// other code of a validation error. A sentence may name a parameter in
// braces, as in "Title must be {max} characters or fewer".
type formSentences map[string]map[string]string

// fieldErrors turns a domain EINVALID or ECONFLICT error into form errors,
// in the order of fields (domain names as the form names them), with a
// sentence each from table. It reports false for any other error.
func fieldErrors(err error, order []string, table formSentences) (FieldErrors, bool) {
	var e *sandpit.Error
	if !errors.As(err, &e) || (e.Code != sandpit.EINVALID && e.Code != sandpit.ECONFLICT) || len(e.Fields) == 0 {
		return FieldErrors{}, false
	}
	byField := map[string]sandpit.FieldError{}
	for _, f := range e.Fields {
		if _, ok := byField[f.Field]; !ok {
			byField[f.Field] = f
		}
	}
	var fe FieldErrors
	add := func(f sandpit.FieldError) {
		formField := strings.TrimPrefix(f.Field, "profile.")
		fe.Add(formField, table.sentence(formField, f, e.Code == sandpit.EINVALID))
	}
	for _, name := range order {
		if f, ok := byField[name]; ok {
			add(f)
		}
	}
	for _, f := range e.Fields {
		add(f)
	}
	return fe, true
}

// sentence is the table's sentence for f on field, or the domain's phrase
// made into a sentence.
func (t formSentences) sentence(field string, f sandpit.FieldError, invalid bool) string {
	msg, ok := t[field][f.Code]
	if !ok && invalid {
		msg, ok = t[field][""]
	}
	if !ok {
		return sentence(field, f.Phrase())
	}
	pairs := []string{}
	for k, v := range f.Params {
		text := fmt.Sprint(v)
		if ids, ok := v.([]int64); ok {
			parts := make([]string, len(ids))
			for i, id := range ids {
				parts[i] = strconv.FormatInt(id, 10)
			}
			text = strings.Join(parts, ", ")
		}
		pairs = append(pairs, "{"+k+"}", text)
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

// sentence turns a field message such as "must be 1 to 5" into one a
// person can read on its own.
func sentence(field, msg string) string {
	name := strings.ReplaceAll(field, "_", " ")
	if strings.HasPrefix(msg, "must") || strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "contains ") || strings.HasPrefix(msg, "shows ") {
		msg = name + " " + msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// input is what the "input" partial renders: one labelled text field with
// its hint and error.
type input struct {
	Name, Label, Value, Error, Type, Autocomplete, Hint, Class string
}

// newInput is the template function "field": {{template "input" (field
// "email" "Email address" .Form.Email .Errors).WithType "email"}}.
func newInput(name, label, value string, errs FieldErrors) input {
	return input{Name: name, Label: label, Value: value, Error: errs.Get(name)}
}

// WithType sets the input's type attribute.
func (i input) WithType(t string) input { i.Type = t; return i }

// WithAutocomplete sets the input's autocomplete attribute.
func (i input) WithAutocomplete(a string) input { i.Autocomplete = a; return i }

// WithHint sets the hint shown under the label.
func (i input) WithHint(h string) input { i.Hint = h; return i }

// WithClass adds a class, such as a width, to the input.
func (i input) WithClass(class string) input { i.Class = class; return i }

// decodeJSON reads the request body as JSON into v. Unknown fields are
// ignored; a body that is not JSON is EMALFORMED, one over the size limit
// ETOOLARGE. An empty body decodes as {}.
func decodeJSON(c echo.Context, v any) error {
	body, err := readBody(c)
	if err != nil {
		return bodyError(err, "The request body could not be read.")
	}
	// The body is decoded in place (a decoder would copy it) and let go:
	// a release definition is large, and its images are read from v.
	c.Set(contextBody, nil)
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return sandpit.Errorf(sandpit.EMALFORMED, "The request body is not valid JSON: %v.", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// localPath returns next when it is a path on this site, else "/": a
// redirect after sign-in must never leave Sandpit.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/"
	}
	return next
}

// seeOther redirects after a successful form post.
func seeOther(c echo.Context, to string) error {
	return c.Redirect(http.StatusSeeOther, to)
}

// atoiField reads a whole number typed into a form.
func atoiField(s string) (int, error) {
	return strconv.Atoi(strings.TrimSpace(s))
}
