package sandpit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TextKind is what a text field may hold.
type TextKind int

// The kinds of text field.
const (
	// TextLine is one line: no control characters at all.
	TextLine TextKind = iota
	// TextBlock is several lines: tab, line feed and carriage return are
	// allowed, other control characters are not.
	TextBlock
	// TextSecret is a password: checked like a line but never scanned for
	// identifiers, as it is never stored or shown.
	TextSecret
	// TextData is an image as a data URI: ASCII, not capped here (images
	// have limits of their own) and read by OCR rather than scanned.
	TextData
)

// Caps on any text field, whatever it is; fields have tighter caps of their
// own where the domain sets one.
const (
	MaxLineRunes  = 2000
	MaxBlockRunes = 20000
)

// blockFields are the fields that hold several lines, by their last name
// (the "scenario" of "tasks[0].scenario").
var blockFields = map[string]bool{
	"comment": true, "consent_text": true, "description": true, "note": true, "notes": true,
	"reason": true, "response": true, "scenario": true, "text": true,
	// The addresses pasted into the invitation form, one a line.
	"emails": true,
}

// secretFields are the password fields.
var secretFields = map[string]bool{"password": true, "current_password": true, "new_password": true}

// TextKindOf returns the kind of text a field holds, from its name as the
// API and forms name it; any field not known to hold several lines, a
// password or an image holds one line.
func TextKindOf(field string) TextKind {
	name := field
	if i := strings.LastIndexAny(name, ".]"); i >= 0 {
		name = name[i+1:]
	}
	switch {
	case blockFields[name]:
		return TextBlock
	case secretFields[name]:
		return TextSecret
	case name == "image":
		return TextData
	}
	return TextLine
}

// CheckText returns the field error of field holding value, when value is
// not valid UTF-8, holds a control character its kind does not allow, is
// longer than its kind's cap, or holds a real NHS number. The error never
// carries the text.
func CheckText(field, value string, kind TextKind) (FieldError, bool) {
	if !utf8.ValidString(value) {
		return FieldError{Field: field, Code: FieldEncoding}, true
	}
	if kind == TextData {
		for i := 0; i < len(value); i++ {
			if value[i] < 0x20 || value[i] >= 0x7f {
				return FieldError{Field: field, Code: FieldControl}, true
			}
		}
		return FieldError{}, false
	}
	n := 0
	for _, r := range value {
		n++
		if isForbiddenControl(r, kind) {
			return FieldError{Field: field, Code: FieldControl}, true
		}
	}
	max := MaxLineRunes
	if kind == TextBlock {
		max = MaxBlockRunes
	}
	if n > max {
		return TooLong(field, max), true
	}
	if kind != TextSecret && RealPatientIdentifier(value) {
		return FieldError{Field: field, Code: FieldPatientID}, true
	}
	return FieldError{}, false
}

// isForbiddenControl reports whether r is a control character text of kind
// must not hold: NUL and the other C0 and C1 controls, DEL, and the
// invisible format characters that reorder text (bidirectional overrides),
// but tab and line breaks in blocks.
func isForbiddenControl(r rune, kind TextKind) bool {
	if kind == TextBlock && (r == '\t' || r == '\n' || r == '\r') {
		return false
	}
	if unicode.IsControl(r) {
		return true
	}
	switch {
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// CheckFields checks each value of each field with CheckText, by the kind
// its name says, and returns the field errors in order of names.
func CheckFields(names []string, values map[string][]string) []FieldError {
	var fields []FieldError
	for _, name := range names {
		if f, bad := CheckText(name, name, TextLine); bad && f.Code != FieldPatientID {
			fields = append(fields, f)
			continue
		}
		for _, v := range values[name] {
			if f, bad := CheckText(name, v, TextKindOf(name)); bad {
				fields = append(fields, f)
				break
			}
		}
	}
	return fields
}

// CheckJSONText checks every string of a JSON document with CheckText, by
// the kind its field's name says, and returns a field error for each bad
// one, named by its path as the domain names fields ("tasks[0].scenario").
// Strings are checked as written, before decoding hides invalid UTF-8. A
// document that is not JSON yields no errors: decoding it will say so.
//
// Most bodies (a click, a pause) are a few keys and numbers: those that
// plainly cannot fail are passed without being parsed.
func CheckJSONText(data []byte) []FieldError {
	if plainText(data) {
		return nil
	}
	return checkJSONStrings(data)
}

// plainText reports whether data can fail none of CheckText's tests
// wherever its strings are: printable ASCII without escapes (so valid
// UTF-8 without control characters), shorter than any cap, and with fewer
// than the ten digits of an NHS number in all.
func plainText(data []byte) bool {
	if len(data) >= MaxLineRunes {
		return false
	}
	digits := 0
	for _, c := range data {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c < 0x20 || c >= 0x7f || c == '\\':
			return false
		}
	}
	return digits < 10
}

// checkJSONStrings is CheckJSONText by parsing data.
func checkJSONStrings(data []byte) []FieldError {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		array bool
		index int
		key   string
		inKey bool // the next string in this object is a key
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
		return b.String()
	}
	var fields []FieldError
	seen := map[string]bool{}
	// value notes that a value starts in the innermost container.
	value := func() {
		if n := len(stack); n > 0 && stack[n-1].array {
			stack[n-1].index++
		}
	}
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return fields
		}
		raw := data[before:dec.InputOffset()]
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top < 0 || !stack[top].inKey {
					value()
				}
				if top >= 0 && !stack[top].array {
					stack[top].inKey = true
				}
				stack = append(stack, frame{array: t == '[', index: -1, inKey: t == '{'})
			default:
				stack = stack[:top]
			}
			continue
		case string:
			if top >= 0 && !stack[top].array && stack[top].inKey {
				stack[top].key, stack[top].inKey = t, false
				if !utf8.Valid(raw) || strings.ContainsFunc(t, unicode.IsControl) {
					fields = appendOnce(fields, seen, FieldError{Field: path(), Code: FieldEncoding})
				}
				continue
			}
			value()
			field := path()
			if field == "" {
				field = "body"
			}
			if !utf8.Valid(raw) {
				fields = appendOnce(fields, seen, FieldError{Field: field, Code: FieldEncoding})
			} else if f, bad := CheckText(field, t, TextKindOf(field)); bad {
				fields = appendOnce(fields, seen, f)
			}
		default:
			value()
		}
		if top >= 0 && !stack[top].array {
			stack[top].inKey = true
		}
	}
}

// appendOnce appends f unless its field has an error already.
func appendOnce(fields []FieldError, seen map[string]bool, f FieldError) []FieldError {
	if seen[f.Field] {
		return fields
	}
	seen[f.Field] = true
	return append(fields, f)
}

// ErrText is the refusal of text fields, naming each; it says what is
// wrong, never what the text was.
func ErrText(fields []FieldError) error {
	msg := "Check the text of " + fields[0].Field + "."
	for _, f := range fields {
		if f.Code == FieldPatientID {
			msg = fmt.Sprintf("Remove the NHS number from %s: Sandpit must never hold real patient identifiers.", f.Field)
			break
		}
	}
	return Invalid(msg, fields...)
}
