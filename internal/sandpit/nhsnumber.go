package sandpit

import "regexp"

// nhsNumberPattern finds candidate NHS numbers: ten digits in a row, or
// groups of 3, 3 and 4 digits separated by the same single space or hyphen
// both times, not part of a longer run of digits.
var nhsNumberPattern = regexp.MustCompile(`(^|[^0-9])([0-9]{3}([ -]?)[0-9]{3}([ -]?)[0-9]{4})($|[^0-9])`)

// ValidNHSNumber reports whether the ten digits pass the Modulus 11 check.
func ValidNHSNumber(digits string) bool {
	if len(digits) != 10 {
		return false
	}
	sum := 0
	for i := range 9 {
		sum += int(digits[i]-'0') * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(digits[9]-'0')
}

// NHSNumbers returns every valid NHS number written in text, as ten digits.
func NHSNumbers(text string) []string {
	var found []string
	// Matches may share a separating character, so search from each match's
	// number rather than its end.
	for start := 0; start < len(text); {
		m := nhsNumberPattern.FindStringSubmatchIndex(text[start:])
		if m == nil {
			break
		}
		sep1, sep2 := text[start+m[6]:start+m[7]], text[start+m[8]:start+m[9]]
		number := text[start+m[4] : start+m[5]]
		if sep1 == sep2 {
			digits := make([]byte, 0, 10)
			for i := 0; i < len(number); i++ {
				if number[i] >= '0' && number[i] <= '9' {
					digits = append(digits, number[i])
				}
			}
			if ValidNHSNumber(string(digits)) {
				found = append(found, string(digits))
			}
		}
		start += m[5]
	}
	return found
}

// RealPatientIdentifier reports whether text holds an NHS number outside
// the 999 range kept for testing: free text like that is refused.
func RealPatientIdentifier(text string) bool {
	for _, n := range NHSNumbers(text) {
		if n[:3] != "999" {
			return true
		}
	}
	return false
}

// ErrPatientIdentifier is the refusal of free text holding a real NHS
// number, for the field that held it.
func ErrPatientIdentifier(field string) error {
	return Invalid("Remove the NHS number: Sandpit must never hold real patient identifiers.",
		FieldError{Field: field, Code: FieldPatientID})
}

const patientIdentifierPhrase = "contains what looks like a real NHS number; remove patient identifiers and use the synthetic patient's details"
