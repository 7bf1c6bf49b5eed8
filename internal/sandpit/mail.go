package sandpit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
)

// EUNAVAILABLE answers a use case that needs something Sandpit was not set
// up with, such as an SMTP relay for email.
const EUNAVAILABLE = "unavailable"

// MailKind is a kind of email Sandpit sends. Each has its own unsubscribe
// link: leaving one leaves the others coming.
type MailKind string

// The kinds of email.
const (
	MailInvitation MailKind = "invitation" // a product owner invites a clinician to a release
	MailDigest     MailKind = "digest"     // "you said, we did": the clinician's reports were answered
	MailReminder   MailKind = "reminder"   // an unfinished trial of a release still open
)

// MailKinds lists every kind of email.
func MailKinds() []MailKind { return []MailKind{MailInvitation, MailDigest, MailReminder} }

// Label is how pages name the kind of email, after "emails …".
func (k MailKind) Label() string {
	switch k {
	case MailInvitation:
		return "inviting you to try a new release"
	case MailDigest:
		return "telling you what became of your feedback"
	case MailReminder:
		return "reminding you to finish a trial"
	}
	return string(k)
}

// Recruitment audit actions.
const (
	AuditInvited      = "clinicians_invited"
	AuditTargetsSet   = "recruitment_targets_set"
	AuditUnsubscribed = "mail_unsubscribed"
)

// MaxInvitations is the most addresses one invitation may carry.
const MaxInvitations = 200

// ParseEmailList reads pasted addresses, one per line or separated by
// commas, semicolons or spaces, as a product owner copies them from a
// spreadsheet or an email. It returns each usable address once (ignoring
// case) and each unusable one as typed.
func ParseEmailList(text string) (emails, bad []string) {
	seen := map[string]bool{}
	for _, e := range strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ';' || r == '\n' || r == '\r' || r == ' ' || r == '\t'
	}) {
		e = strings.Trim(e, "<>\"'")
		if e == "" {
			continue
		}
		if EmailError("email", e) != nil {
			bad = append(bad, e)
			continue
		}
		if k := strings.ToLower(e); !seen[k] {
			seen[k] = true
			emails = append(emails, e)
		}
	}
	return emails, bad
}

// CheckInvitations validates the addresses of an invitation: at least one,
// at most MaxInvitations, each usable.
func CheckInvitations(emails []string) error {
	if len(emails) == 0 {
		return Invalid("Enter the email addresses of the clinicians to invite.", Required("emails"))
	}
	if len(emails) > MaxInvitations {
		return Invalid(fmt.Sprintf("Invite at most %d clinicians at a time.", MaxInvitations), TooMany("emails", MaxInvitations))
	}
	var fields []FieldError
	for i, e := range emails {
		if f := EmailError(fmt.Sprintf("emails[%d]", i), NormalizeEmail(e)); f != nil {
			fields = append(fields, *f)
		}
	}
	if len(fields) > 0 {
		return Invalid("Enter each email address in the correct format, like name@nhs.net.", fields...)
	}
	return nil
}

// MaxTarget is the largest recruitment target of one profession (the
// targets page says "1,000").
const MaxTarget = 1000

// CheckTargets validates recruitment targets: professions of the profile,
// whole numbers from 0 to MaxTarget.
func CheckTargets(targets map[string]int) error {
	var fields []FieldError
	keys := make([]string, 0, len(targets))
	for p := range targets {
		keys = append(keys, p)
	}
	slices.Sort(keys)
	for _, p := range keys {
		switch {
		case !slices.Contains(Professions(), p):
			fields = append(fields, OneOf(p, Professions()))
		case targets[p] < 0 || targets[p] > MaxTarget:
			fields = append(fields, OutOfRange(p, 0, MaxTarget))
		}
	}
	if len(fields) > 0 {
		return Invalid("Enter a whole number of participants, 0 or more, for each profession.", fields...)
	}
	return nil
}

// ProfessionPlural is a profession's name for a group of people, in a
// sentence: "nurses", "allied health professionals".
func ProfessionPlural(p string) string {
	switch p {
	case "allied_health":
		return "allied health professionals"
	case "healthcare_assistant":
		return "healthcare assistants"
	case "other":
		return "people of your profession"
	case "":
		return "people of your profession"
	}
	return strings.ReplaceAll(p, "_", " ") + "s"
}

// TargetReached is the refusal a clinician of profession reads when the
// release has enough of them.
func TargetReached(profession string) error {
	return Errorf(ECONFLICT, "This trial has enough %s for now, thank you.", ProfessionPlural(profession))
}

// UnsubscribeToken is the signed token of an unsubscribe link: email
// address and kind, with an HMAC under key, so that nobody can unsubscribe
// someone else.
func UnsubscribeToken(key []byte, email string, kind MailKind) string {
	payload := string(kind) + "\n" + strings.ToLower(NormalizeEmail(email))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// ParseUnsubscribeToken returns the address and kind of a token made by
// UnsubscribeToken with key; ok is false for anything else.
func ParseUnsubscribeToken(key []byte, token string) (email string, kind MailKind, ok bool) {
	p, sig, found := strings.Cut(token, ".")
	if !found {
		return "", "", false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return "", "", false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(payload)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return "", "", false
	}
	k, e, found := strings.Cut(string(payload), "\n")
	if !found || !slices.Contains(MailKinds(), MailKind(k)) {
		return "", "", false
	}
	return e, MailKind(k), true
}

// MailRetryDelay is how long the outbox waits before trying a message again
// after tries failed tries: doubling from a second, at most 30 seconds.
func MailRetryDelay(tries int) time.Duration {
	d := time.Second
	for i := 1; i < tries && d < 30*time.Second; i++ {
		d *= 2
	}
	return min(d, 30*time.Second)
}
