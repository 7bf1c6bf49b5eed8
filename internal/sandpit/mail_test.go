package sandpit_test

import (
	"slices"
	"testing"

	"github.com/sandpit-nhs/sandpit/internal/sandpit"
)

func TestParseEmailList(t *testing.T) {
	emails, bad := sandpit.ParseEmailList("a.nurse@nhs.net, B.Doctor@nhs.net;\r\n<c@trust.nhs.uk>\n\"d@nhs.net\"\tA.NURSE@nhs.net\nnot-an-address  e@nhs\n\n")
	if want := []string{"a.nurse@nhs.net", "B.Doctor@nhs.net", "c@trust.nhs.uk", "d@nhs.net"}; !slices.Equal(emails, want) {
		t.Errorf("emails %q, want %q", emails, want)
	}
	if want := []string{"not-an-address", "e@nhs"}; !slices.Equal(bad, want) {
		t.Errorf("bad %q, want %q", bad, want)
	}
}

func TestUnsubscribeToken(t *testing.T) {
	key := []byte("a key of thirty-two bytes or more.")
	tok := sandpit.UnsubscribeToken(key, " Ada@Example.nhs.uk ", sandpit.MailReminder)
	email, kind, ok := sandpit.ParseUnsubscribeToken(key, tok)
	if !ok || email != "ada@example.nhs.uk" || kind != sandpit.MailReminder {
		t.Fatalf("parse = %q %q %v", email, kind, ok)
	}
	if _, _, ok := sandpit.ParseUnsubscribeToken([]byte("another key, also thirty-two bytes"), tok); ok {
		t.Error("a token verified under another key")
	}
	forged := sandpit.UnsubscribeToken(key, "ada@example.nhs.uk", sandpit.MailReminder)
	if forged != tok {
		t.Error("the token is not deterministic")
	}
	for _, bad := range []string{"", "x", "x.y", tok + "x", "Y" + tok[1:]} {
		if _, _, ok := sandpit.ParseUnsubscribeToken(key, bad); ok {
			t.Errorf("token %q verified", bad)
		}
	}
}
