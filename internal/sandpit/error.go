// Package sandpit holds Sandpit's domain: its types, the rules they follow,
// the permission functions and the error codes every layer shares. It imports
// neither the web framework nor the database.
package sandpit

import (
	"errors"
	"fmt"
)

// Error codes, written into API error bodies as they are.
const (
	EINVALID      = "invalid"      // validation failed; Fields names each bad field
	EMALFORMED    = "malformed"    // the request could not be read at all
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EFORBIDDEN    = "forbidden"    // authenticated but not allowed
	ENOTFOUND     = "not_found"    // missing, or not visible to the caller
	ECONFLICT     = "conflict"     // the object's state forbids the change
	ETOOLARGE     = "too_large"    // the body or upload is over its limit
	ERATELIMITED  = "rate_limited" // too many attempts; try again later
	EINTERNAL     = "internal"     // a fault of ours; details are logged, never shown
)

// Error is a domain error: a code callers can act on, a sentence a person can
// read, and, for EINVALID and ECONFLICT, what is wrong with each bad field.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

// Error returns the message, prefixed with the code.
func (e *Error) Error() string {
	return fmt.Sprintf("sandpit error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns a domain error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming each bad field.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Code: EINVALID, Message: message, Fields: fields}
}

// Conflict returns an ECONFLICT error naming the fields whose values clash
// with what is stored.
func Conflict(message string, fields ...FieldError) *Error {
	return &Error{Code: ECONFLICT, Message: message, Fields: fields}
}

// ErrorCode returns the code of err's domain error, or EINTERNAL when err is
// not one; nil has no code.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the message a person may see for err: the domain
// error's own message, or "Internal error." for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the per-field phrases of err's domain error, as the
// API shows them, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return nil
	}
	out := make(map[string]string, len(e.Fields))
	for _, f := range e.Fields {
		if _, ok := out[f.Field]; !ok {
			out[f.Field] = f.Phrase()
		}
	}
	return out
}

// FieldErrorsOf returns the field errors of err's domain error, if any.
func FieldErrorsOf(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
