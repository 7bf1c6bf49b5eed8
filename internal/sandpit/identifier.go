package sandpit

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// IdentifierHit is one NHS number found in a text: where it is, as byte
// offsets into the text as written, and its ten digits.
type IdentifierHit struct {
	Start, End int    // text[Start:End] holds the number, separators and all
	Digits     string // the ten ASCII digits
}

// Test reports whether the number is in the 999 range kept for testing.
func (h IdentifierHit) Test() bool { return h.Digits[:3] == "999" }

// maxGap is the most separator characters between two digits of one number.
const maxGap = 3

// scanned is one digit of a text, after NFKC: its value, where it was
// written, and the separators between it and the digit before ("" when
// adjacent, broken when anything else or too much lies between them).
type scanned struct {
	value      byte
	start, end int
	gap        string
	broken     bool
}

// ScanIdentifiers returns every NHS number written in text, valid by
// Modulus 11, in the ways METRICS.md "Patient identifiers in free text"
// lists: text is read in NFKC form, a decimal digit of any script counts as
// its ASCII digit, and ten digits count as one number when each gap between
// two of them is one to three separators (spaces of any kind, hyphens and
// dashes, dots, slashes, underscores and brackets), unless the digits
// continue on either side joined the same way, as in a longer run.
func ScanIdentifiers(text string) []IdentifierHit {
	var digits []scanned
	var gap []rune
	broken := true // before the first digit nothing joins
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		// A single character's NFKC form keeps offsets exact; digits and
		// separators never compose with their neighbours.
		for _, n := range norm.NFKC.String(string(r)) {
			switch v, ok := digitValue(n); {
			case ok:
				digits = append(digits, scanned{value: v, start: i, end: i + size, gap: string(gap), broken: broken})
				gap, broken = gap[:0], false
			case isSeparator(n):
				gap = append(gap, n)
				if len(gap) > maxGap {
					broken = true
				}
			default:
				broken = true
			}
		}
		i += size
	}
	var hits []IdentifierHit
	for first := 0; first+10 <= len(digits); first++ {
		last := first + 9
		if h, ok := candidate(digits, first, last); ok {
			hits = append(hits, IdentifierHit{Start: digits[first].start, End: digits[last].end, Digits: h})
		}
	}
	return hits
}

// candidate returns the ten digits of digits[first..last] when they are
// joined as one number, not continued the same way on either side, and pass
// Modulus 11.
func candidate(digits []scanned, first, last int) (string, bool) {
	gaps := map[string]bool{}
	for k := first + 1; k <= last; k++ {
		if digits[k].broken {
			return "", false
		}
		gaps[digits[k].gap] = true
	}
	continues := func(d scanned) bool { return !d.broken && (d.gap == "" || gaps[d.gap]) }
	if first > 0 && continues(digits[first]) {
		return "", false
	}
	if last+1 < len(digits) && continues(digits[last+1]) {
		return "", false
	}
	b := make([]byte, 10)
	for k := range b {
		b[k] = '0' + digits[first+k].value
	}
	return string(b), ValidNHSNumber(string(b))
}

// digitValue returns the value of a decimal digit of any script. Unicode
// keeps each script's digits 0 to 9 in a row, and unicode.Nd lists them in
// ranges that start at a zero.
func digitValue(r rune) (byte, bool) {
	if r >= '0' && r <= '9' {
		return byte(r - '0'), true
	}
	if r < 0x80 || !unicode.IsDigit(r) {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	return 0, false
}

// isSeparator reports whether r may stand between two digits of one
// number: a space of any kind (zero-width ones too), a hyphen or dash, a
// dot, a slash, an underscore, a bracket, or an invisible format character
// or combining mark.
func isSeparator(r rune) bool {
	switch r {
	case '.', '/', '\\', '_', '(', ')', '[', ']', '{', '}', '<', '>',
		'\u00b7', '\u2024', '\u2027', '\u2044', '\u2215', '\u2212', // middle and leader dots, fraction and division slashes, minus
		'\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u180e': // zero-width spaces and joiners
		return true
	}
	// Invisible format characters (soft hyphen, word joiners) and combining
	// marks count as separators too: they change nothing a reader sees.
	return unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || unicode.Is(unicode.Pd, r) ||
		unicode.Is(unicode.Ps, r) || unicode.Is(unicode.Pe, r) ||
		unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r)
}

// ValidNHSNumber reports whether the ten ASCII digits pass the Modulus 11
// check: weights 10 down to 2 on the first nine, check = 11 − (sum mod 11),
// 11 becomes 0 and 10 is never valid.
func ValidNHSNumber(digits string) bool {
	if len(digits) != 10 {
		return false
	}
	sum := 0
	for i := range 9 {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
		sum += int(digits[i]-'0') * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(digits[9]-'0')
}

// RealIdentifiers returns the hits of ScanIdentifiers outside the 999 range:
// free text holding any of them is refused.
func RealIdentifiers(text string) []IdentifierHit {
	var real []IdentifierHit
	for _, h := range ScanIdentifiers(text) {
		if !h.Test() {
			real = append(real, h)
		}
	}
	return real
}

// RealPatientIdentifier reports whether text holds an NHS number outside
// the 999 range kept for testing: free text like that is refused.
func RealPatientIdentifier(text string) bool { return len(RealIdentifiers(text)) > 0 }

// ErrPatientIdentifier is the refusal of free text holding a real NHS
// number, for the field that held it.
func ErrPatientIdentifier(field string) error {
	return Invalid("Remove the NHS number: Sandpit must never hold real patient identifiers.",
		FieldError{Field: field, Code: FieldPatientID})
}

const patientIdentifierPhrase = "contains what looks like a real NHS number; remove patient identifiers and use the synthetic patient's details"

// Box is a rectangle in image pixels.
type Box struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// union returns the smallest box holding b and o.
func (b Box) union(o Box) Box {
	if b.W == 0 && b.H == 0 {
		return o
	}
	x0, y0 := min(b.X, o.X), min(b.Y, o.Y)
	x1, y1 := max(b.X+b.W, o.X+o.W), max(b.Y+b.H, o.Y+o.H)
	return Box{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}

// Word is one word OCR read in a screen image, with its box; Line numbers
// the words of one line alike.
type Word struct {
	Text string
	Box  Box
	Line int
}

// ScreenIdentifiers returns the box around each real NHS number in the
// words read from a screen: the words are joined as text, a line's words by
// spaces and lines by line breaks, and the text goes through the same
// scanner as free text, so a number split into words or over two lines is
// found as it would be typed.
func ScreenIdentifiers(words []Word) []Box {
	var text strings.Builder
	type span struct {
		start, end int
		box        Box
	}
	spans := make([]span, 0, len(words))
	for i, w := range words {
		if i > 0 {
			if w.Line != words[i-1].Line {
				text.WriteByte('\n')
			} else {
				text.WriteByte(' ')
			}
		}
		start := text.Len()
		text.WriteString(w.Text)
		spans = append(spans, span{start, text.Len(), w.Box})
	}
	var boxes []Box
	for _, h := range RealIdentifiers(text.String()) {
		var b Box
		for _, s := range spans {
			if s.start < h.End && h.Start < s.end {
				b = b.union(s.box)
			}
		}
		boxes = append(boxes, b)
	}
	return boxes
}

// ErrScreenIdentifier is the refusal of a screen image showing a real NHS
// number, for the field that held the image, with the number's box.
func ErrScreenIdentifier(field string, boxes []Box) error {
	return Invalid("Remove the NHS number from the screen: Sandpit must never hold real patient identifiers.",
		ScreenIdentifierError(field, boxes))
}

// ScreenIdentifierError is the field error of an image showing real NHS
// numbers: Params["box"] is the first number's box, Params["boxes"] all.
func ScreenIdentifierError(field string, boxes []Box) FieldError {
	return FieldError{Field: field, Code: FieldScreenIdentifier, Params: Params{"box": boxes[0], "boxes": boxes}}
}
