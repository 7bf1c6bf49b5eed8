package sandpit

import (
	"fmt"
	"slices"
	"strings"
)

// Field error codes: what is wrong with a field. Pages turn each into a
// sentence of their own; the API shows FieldError.Phrase.
const (
	FieldRequired    = "required"     // nothing was given
	FieldTooLong     = "too_long"     // more than Params["max"] characters
	FieldTooMany     = "too_many"     // more than Params["max"] items
	FieldOutOfRange  = "out_of_range" // not from Params["min"] to Params["max"]
	FieldOneOf       = "one_of"       // not one of Params["options"]
	FieldTaken       = "taken"        // another object has this value
	FieldUnknown     = "unknown"      // names no Params["what"] of this release, team or workflow
	FieldFormat      = "format"       // not in the form Params["format"] describes
	FieldPatientID   = "patient_identifier"
	FieldExpected    = "expected"        // must be Params["value"]
	FieldMember      = "member"          // the person is in the team already
	FieldCredentials = "credentials"     // the email address or password is not right
	FieldTooShort    = "too_short"       // fewer than Params["min"] characters
	FieldCommon      = "common_password" // a password others could guess from a list
	FieldSameEmail   = "same_as_email"   // a password that is the account's email address
	FieldEmail       = "email_format"    // not an email address such as name@example.nhs.uk
	FieldOnlyWith    = "only_with"       // given where it is only taken with Params["with"]
	// FieldUntriaged: a finding cannot be closed while its safety concern
	// reports Params["reports"] ([]int64) are untriaged.
	FieldUntriaged = "untriaged"
	// FieldFileSize: the file is Params["mb"] MB, more than Params["max_mb"].
	FieldFileSize = "file_size"
	// FieldImageSize: the image is Params["width"] × Params["height"]
	// pixels, more than Params["max"] on a side.
	FieldImageSize = "image_size"
	// FieldPixels: the images hold Params["millions"] million pixels in
	// all, more than Params["max_millions"].
	FieldPixels = "too_many_pixels"
	// FieldNotRunnable: the release cannot be published for the reasons in
	// Params["problems"] (a []string of sentences).
	FieldNotRunnable = "not_runnable"
	// FieldEncoding: the text is not valid UTF-8.
	FieldEncoding = "encoding"
	// FieldControl: the text holds a control character (NUL, or a line
	// break in a one-line field) or a direction override.
	FieldControl = "control_character"
	// FieldScreenIdentifier: the image shows a real NHS number, in the box
	// Params["box"] (a Box in image pixels).
	FieldScreenIdentifier = "screen_identifier"
)

// Params are the figures a field error's sentence needs.
type Params map[string]any

// FieldError is one thing wrong with one field: the field (as the API names
// it), a code, and the figures a sentence about it needs.
type FieldError struct {
	Field  string
	Code   string
	Params Params
}

// Required says field was left empty.
func Required(field string) FieldError { return FieldError{Field: field, Code: FieldRequired} }

// TooLong says field holds more than max characters.
func TooLong(field string, max int) FieldError {
	return FieldError{Field: field, Code: FieldTooLong, Params: Params{"max": max}}
}

// TooMany says field holds more than max items.
func TooMany(field string, max int) FieldError {
	return FieldError{Field: field, Code: FieldTooMany, Params: Params{"max": max}}
}

// OutOfRange says field is not a number from min to max.
func OutOfRange(field string, min, max int) FieldError {
	return FieldError{Field: field, Code: FieldOutOfRange, Params: Params{"min": min, "max": max}}
}

// OneOf says field is not one of options.
func OneOf(field string, options []string) FieldError {
	return FieldError{Field: field, Code: FieldOneOf, Params: Params{"options": slices.Clone(options)}}
}

// Taken says another object already has field's value.
func Taken(field string) FieldError { return FieldError{Field: field, Code: FieldTaken} }

// Unknown says field names no what ("screen", "task", "finding", …) that
// it may name.
func Unknown(field, what string) FieldError {
	return FieldError{Field: field, Code: FieldUnknown, Params: Params{"what": what}}
}

// BadFormat says field is not in the form described, e.g. "a PNG or JPEG".
func BadFormat(field, format string) FieldError {
	return FieldError{Field: field, Code: FieldFormat, Params: Params{"format": format}}
}

// TooShort says field holds fewer than min characters.
func TooShort(field string, min int) FieldError {
	return FieldError{Field: field, Code: FieldTooShort, Params: Params{"min": min}}
}

// OnlyWith says field was given where it is only taken with with, such as
// "format=csv".
func OnlyWith(field, with string) FieldError {
	return FieldError{Field: field, Code: FieldOnlyWith, Params: Params{"with": with}}
}

// Int returns the whole-number parameter name, or 0.
func (f FieldError) Int(name string) int {
	n, _ := f.Params[name].(int)
	return n
}

// Text returns the text parameter name, or "".
func (f FieldError) Text(name string) string {
	s, _ := f.Params[name].(string)
	return s
}

// Phrase is the error as the API words it, e.g. "must be at most 200
// characters"; pages use sentences of their own.
func (f FieldError) Phrase() string {
	switch f.Code {
	case FieldRequired:
		return "is required"
	case FieldTooLong:
		return fmt.Sprintf("must be at most %d characters", f.Int("max"))
	case FieldTooMany:
		return fmt.Sprintf("must be at most %d", f.Int("max"))
	case FieldOutOfRange:
		return fmt.Sprintf("must be %d to %d", f.Int("min"), f.Int("max"))
	case FieldOneOf:
		opts, _ := f.Params["options"].([]string)
		return "must be one of " + strings.Join(opts, ", ")
	case FieldTaken:
		return "is already in use"
	case FieldUnknown:
		return fmt.Sprintf("must name a %s that exists", f.Text("what"))
	case FieldFormat:
		return "must be " + f.Text("format")
	case FieldExpected:
		return fmt.Sprintf("must be %v", f.Params["value"])
	case FieldMember:
		return "this person is in the team already"
	case FieldCredentials:
		return "the email address or password is not right"
	case FieldPatientID:
		return patientIdentifierPhrase
	case FieldUntriaged:
		ids, _ := f.Params["reports"].([]int64)
		return "cannot close the finding until a safety officer has triaged reports " + joinIDs(ids)
	case FieldOnlyWith:
		return "is only taken with " + f.Text("with")
	case FieldTooShort:
		return fmt.Sprintf("must be at least %d characters", f.Int("min"))
	case FieldCommon:
		return "is too common; choose a password others are unlikely to guess"
	case FieldSameEmail:
		return "must not be your email address"
	case FieldEmail:
		return "enter an email address in the correct format, like name@example.nhs.uk"
	case FieldFileSize:
		return fmt.Sprintf("is %s MB; the most is %d MB", f.Text("mb"), f.Int("max_mb"))
	case FieldImageSize:
		return fmt.Sprintf("is %d × %d pixels; the most is %d × %d", f.Int("width"), f.Int("height"), f.Int("max"), f.Int("max"))
	case FieldEncoding:
		return "must be text in UTF-8"
	case FieldControl:
		return "must not hold control characters such as NUL, or line breaks where one line is expected"
	case FieldScreenIdentifier:
		return "shows what looks like a real NHS number; remove patient identifiers from the screen"
	case FieldPixels:
		return fmt.Sprintf("hold %d million pixels in all; the most a release may hold is %d million (for example 16 screens of 4096 × 4096, or 100 of 1920 × 1080)", f.Int("millions"), f.Int("max_millions"))
	case FieldNotRunnable:
		ps, _ := f.Params["problems"].([]string)
		return strings.Join(ps, "; ")
	}
	return "is not valid"
}
